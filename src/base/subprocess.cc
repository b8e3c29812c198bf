#include "base/subprocess.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string_view>

extern char** environ;

namespace kb {

namespace {

// Everything a child needs, built before fork(): between fork and exec only
// async-signal-safe calls are allowed in a threaded process.
struct ExecPlan {
  std::string program;  // empty when not found
  std::vector<std::string> env_strings;
  std::vector<char*> envp;
  std::vector<char*> args;
};

}  // namespace

std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/sbin:/usr/bin:/sbin:/bin";
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (!dir.empty()) {
      std::string candidate = dir + "/" + name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    start = end + 1;
  }
  return "";
}

namespace {

std::unique_ptr<ExecPlan> plan_exec(const std::vector<std::string>& argv,
                                    const std::map<std::string, std::string>& env) {
  auto p = std::make_unique<ExecPlan>();
  p->program = find_program(argv.at(0));
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string_view::npos && env.count(std::string(kv.substr(0, eq))) != 0) continue;
    p->env_strings.emplace_back(kv);
  }
  for (const auto& [k, v] : env) p->env_strings.push_back(k + "=" + v);
  for (auto& e : p->env_strings) p->envp.push_back(e.data());
  p->envp.push_back(nullptr);
  for (const auto& a : argv) p->args.push_back(const_cast<char*>(a.c_str()));
  p->args.push_back(nullptr);
  return p;
}

}  // namespace

RunResult run_program(const std::vector<std::string>& argv,
                      const std::map<std::string, std::string>& env, const std::string& stdin_data,
                      int timeout_s) {
  RunResult result;
  auto plan = plan_exec(argv, env);
  if (plan->program.empty()) {
    result.out = "program not found: " + argv[0];
    return result;
  }

  int in_pipe[2];
  int out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) {
    result.out = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    result.out = std::string("pipe: ") + std::strerror(errno);
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    return result;
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(out_pipe[1], 2);
    ::execve(plan->program.c_str(), plan->args.data(), plan->envp.data());
    ::_exit(127);
  }
  if (pid < 0) {
    result.out = std::string("fork: ") + std::strerror(errno);
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1]}) ::close(fd);
    return result;
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  if (!stdin_data.empty()) {
    // A child that exits without reading would turn this write into a SIGPIPE that kills
    // the caller: block it for this thread, and consume it if it was raised.
    sigset_t pipe_set;
    sigset_t old_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
    std::size_t done = 0;
    while (done < stdin_data.size()) {
      ssize_t n = ::write(in_pipe[1], stdin_data.data() + done, stdin_data.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    if (done < stdin_data.size()) {
      timespec zero{0, 0};
      ::sigtimedwait(&pipe_set, nullptr, &zero);
    }
    ::pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  }
  ::close(in_pipe[1]);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  char buf[4096];
  bool timed_out = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{out_pipe[0], POLLIN, 0};
    int rc = ::poll(&p, 1, static_cast<int>(left));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) continue;
    ssize_t n = ::read(out_pipe[0], buf, sizeof buf);
    if (n <= 0) break;
    result.out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out_pipe[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = timed_out ? -1 : (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return result;
}

bool BackgroundProcess::start(const std::vector<std::string>& argv,
                              const std::map<std::string, std::string>& env,
                              const std::filesystem::path& log_path, std::string* error) {
  stop();
  auto plan = plan_exec(argv, env);
  if (plan->program.empty()) {
    if (error) *error = "program not found: " + argv[0];
    return false;
  }
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log_fd < 0 || null_fd < 0) {
    if (error) *error = "cannot open " + log_path.string();
    if (log_fd >= 0) ::close(log_fd);
    if (null_fd >= 0) ::close(null_fd);
    return false;
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::execve(plan->program.c_str(), plan->args.data(), plan->envp.data());
    ::_exit(127);
  }
  ::close(log_fd);
  ::close(null_fd);
  if (pid < 0) {
    if (error) *error = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  pid_ = pid;
  status_ = -1;
  return true;
}

bool BackgroundProcess::running() {
  if (pid_ <= 0) return false;
  int st = 0;
  pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    pid_ = -1;
    return false;
  }
  return r == 0;
}

int BackgroundProcess::wait(int timeout_ms) {
  for (int waited = 0; waited <= timeout_ms; waited += 20) {
    if (!running()) return status_;
    ::usleep(20000);
  }
  return -1;
}

int BackgroundProcess::stop(int grace_ms) {
  if (pid_ <= 0) return status_;
  ::kill(pid_, SIGTERM);
  if (wait(grace_ms) == -1 && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int st = 0;
    ::waitpid(pid_, &st, 0);
    pid_ = -1;
    status_ = -1;
  }
  return status_;
}

TempDir::TempDir(const std::string& prefix) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + ".XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::uint16_t free_loopback_port() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    const int t = ::socket(AF_INET, SOCK_STREAM, 0);
    if (t < 0) return 0;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    const bool bound = ::bind(t, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                       ::getsockname(t, reinterpret_cast<sockaddr*>(&a), &len) == 0;
    const int u = bound ? ::socket(AF_INET, SOCK_DGRAM, 0) : -1;
    const bool udp_free = u >= 0 && ::bind(u, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    if (u >= 0) ::close(u);
    ::close(t);
    if (udp_free) return ntohs(a.sin_port);
  }
  return 0;
}

}  // namespace kb
