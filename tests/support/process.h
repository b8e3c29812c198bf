// Test support: run a program and capture its output, and a temporary directory that
// removes itself. Used by interop tests that drive real MIT tools.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace kb::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr, interleaved
};

// Runs `argv` (argv[0] is searched in PATH plus /usr/sbin and /usr/bin), with extra
// environment variables, feeding `stdin_data`. Waits at most `timeout_s` seconds, then
// kills the child by PID and reports exit code -1.
RunResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
              const std::string& stdin_data = "", int timeout_s = 60);

// Full path of a program in PATH, /usr/sbin or /usr/bin, or "" if not found.
std::string find_program(const std::string& name);

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace kb::testing
