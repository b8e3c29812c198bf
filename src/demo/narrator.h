// Prints a demo's steps in plain words and runs the real tools it shows (MIT klist, kinit,
// kvno), echoing each command line and its output.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "base/result.h"

namespace kb::demo {

class Narrator {
 public:
  Narrator(std::ostream& out, std::string step_prefix)
      : out_(out), prefix_(std::move(step_prefix)) {}

  void step(const std::string& what);
  void say(const std::string& what);
  // Runs a program with `env`, printing "$ command" and its output indented; an error
  // when it exits non-zero.
  Result<void> show(const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env, const std::string& input = "");
  // The demo's exit code, after saying how it ended.
  int finish(const Result<void>& outcome, const std::string& cleanup_dir);

 private:
  std::ostream& out_;
  std::string prefix_;
  int n_ = 0;
};

}  // namespace kb::demo
