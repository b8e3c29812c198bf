// Test support: the subprocess runner and temporary directories of src/base, under the
// names the tests use.
#pragma once

#include "base/subprocess.h"

namespace kb::testing {

using kb::find_program;
using kb::RunResult;
using kb::TempDir;

inline RunResult run(const std::vector<std::string>& argv,
                     const std::map<std::string, std::string>& env,
                     const std::string& stdin_data = "", int timeout_s = 60) {
  return run_program(argv, env, stdin_data, timeout_s);
}

}  // namespace kb::testing
