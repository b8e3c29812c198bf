// A console reporter that, after the usual table, pairs benchmarks named "ours/<case>"
// and "mit/<case>" and prints MIT's time divided by ours (> 1 means we are faster).
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

namespace kb::bench {

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

 private:
  std::map<std::string, double> ns_per_op_;  // full benchmark name -> adjusted real time
};

// Runs every registered benchmark with the ratio reporter; the body of main().
int run_with_ratios(int argc, char** argv);

}  // namespace kb::bench
