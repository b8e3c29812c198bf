// Running another program (MIT's tools in the demo and interop tests) and temporary
// directories that remove themselves.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace kb {

struct RunResult {
  int exit_code = -1;  // -1 when the program could not start or was killed at the timeout
  std::string out;     // stdout and stderr, interleaved
};

// Runs `argv` (argv[0] is looked up in PATH, then /usr/sbin, /usr/bin, /sbin, /bin) with
// extra environment variables, feeding `stdin_data`. Waits at most `timeout_s` seconds,
// then kills the child by PID.
RunResult run_program(const std::vector<std::string>& argv,
                      const std::map<std::string, std::string>& env,
                      const std::string& stdin_data = "", int timeout_s = 60);

// Full path of a program, or "" if not found.
std::string find_program(const std::string& name);

// A program running in the background (a peer in a test, a helper in the demo), stopped
// by PID: SIGTERM, then SIGKILL after a grace period. stdout and stderr go to `log_path`.
class BackgroundProcess {
 public:
  BackgroundProcess() = default;
  ~BackgroundProcess() { stop(); }
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  // False (and a message in `error`) when the program cannot be found or started.
  bool start(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
             const std::filesystem::path& log_path, std::string* error = nullptr);
  [[nodiscard]] int pid() const { return pid_; }
  [[nodiscard]] bool running();
  // Stops it (idempotent); returns its exit status, or -1 if it was killed or never ran.
  int stop(int grace_ms = 2000);
  // Waits up to `timeout_ms` for it to exit on its own; returns the exit status or -1.
  int wait(int timeout_ms);

 private:
  int pid_ = -1;
  int status_ = -1;
};

// A loopback (127.0.0.1) port free for both TCP and UDP right now (bound, read back,
// released), for a peer that cannot pick its own port (gss-server, a KDC on UDP and TCP).
// 0 when none was found in 50 tries. Another process may take it before the peer binds.
std::uint16_t free_loopback_port();

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "keybridge");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace kb
