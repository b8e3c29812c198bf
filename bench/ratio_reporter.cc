#include "ratio_reporter.h"

#include <cstdio>

namespace kb::bench {

void RatioReporter::ReportRuns(const std::vector<Run>& runs) {
  for (const auto& r : runs) {
    if (r.run_type == Run::RT_Iteration && r.error_occurred == false) {
      ns_per_op_[r.benchmark_name()] = r.GetAdjustedRealTime();
    }
  }
  ConsoleReporter::ReportRuns(runs);
}

void RatioReporter::Finalize() {
  ConsoleReporter::Finalize();
  std::printf("\n%-48s %14s %14s %8s\n", "case", "ours", "MIT", "MIT/ours");
  for (const auto& [name, ours] : ns_per_op_) {
    if (name.rfind("ours/", 0) != 0) continue;
    std::string rest = name.substr(5);
    auto it = ns_per_op_.find("mit/" + rest);
    if (it == ns_per_op_.end()) continue;
    std::printf("%-48s %14.1f %14.1f %8.2f\n", rest.c_str(), ours, it->second, it->second / ours);
  }
}

int run_with_ratios(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}

}  // namespace kb::bench
