#include "postgres.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/subprocess.h"

namespace kb::testing {
namespace {

constexpr const char kAdminRole[] = "kbadmin";

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::unique_ptr<PostgresServer> PostgresServer::start(std::string* error) {
  std::unique_ptr<PostgresServer> s(new PostgresServer());
  const char* env_bindir = std::getenv("KB_PG_BINDIR");
  s->bindir_ = env_bindir ? env_bindir : "/usr/lib/postgresql/15/bin";
  if (::access((s->bindir_ + "/postgres").c_str(), X_OK) != 0) {
    *error = "no PostgreSQL server in " + s->bindir_ + " (scripts/install-deps.sh installs it)";
    return nullptr;
  }
  std::string setpriv = find_program("setpriv");
  if (::geteuid() == 0) {
    const passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr) pw = ::getpwnam("nobody");
    if (pw == nullptr || setpriv.empty()) {
      *error = "running as root needs setpriv and a `postgres` or `nobody` user";
      return nullptr;
    }
    if (::chown(s->dir_.path().c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      *error = "chown " + s->dir_.path().string() + " failed";
      return nullptr;
    }
    s->as_owner_ = {setpriv, "--reuid=" + std::to_string(pw->pw_uid),
                    "--regid=" + std::to_string(pw->pw_gid), "--clear-groups"};
  } else if (!setpriv.empty()) {
    s->as_owner_ = {setpriv};
  }
  auto data = (s->dir_.path() / "data").string();
  std::vector<std::string> initdb = s->as_owner_;
  if (!initdb.empty()) initdb.push_back("--");
  initdb.insert(initdb.end(), {s->bindir_ + "/initdb", "-D", data, "-U", kAdminRole, "--auth=trust",
                               "--no-locale", "-E", "UTF8", "--no-sync", "--no-instructions"});
  auto r = run_program(initdb, {{"LC_ALL", "C"}}, "", 120);
  if (r.exit_code != 0) {
    *error = "initdb failed: " + r.out;
    if (!s->as_owner_.empty() && ::geteuid() == 0) {
      *error +=
          " (as root the data directory belongs to another user, who must be able to "
          "reach " +
          s->dir_.path().string() + ": check TMPDIR)";
    }
    return nullptr;
  }
  for (int tries = 0; tries < 3; ++tries) {
    if (s->launch(error)) return s;
  }
  return nullptr;
}

bool PostgresServer::launch(std::string* error) {
  port_ = ::kb::free_loopback_port();
  if (port_ == 0) {
    *error = "no free port on 127.0.0.1";
    return false;
  }
  std::vector<std::string> argv = as_owner_;
  // SIGINT on the test binary's exit, however it exits: a fast shutdown.
  if (!argv.empty()) {
    argv.push_back("--pdeathsig");
    argv.push_back("INT");
    argv.push_back("--");
  }
  // Durability is not what these tests are about: fsync off keeps them fast.
  argv.insert(argv.end(), {bindir_ + "/postgres", "-D", (dir_.path() / "data").string(), "-p",
                           std::to_string(port_), "-k", dir_.path().string(), "-c",
                           "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c",
                           "synchronous_commit=off", "-c", "full_page_writes=off", "-c",
                           "max_connections=200", "-c", "deadlock_timeout=100ms"});
  auto log = dir_.path() / "postgres.log";
  if (!server_.start(argv, {{"LC_ALL", "C"}}, log, error)) return false;
  const std::string port = std::to_string(port_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!server_.running()) {
      *error = "postgres exited: " + read_file(log);
      return false;
    }
    auto ready = run_program({bindir_ + "/pg_isready", "-q", "-h", "127.0.0.1", "-p", port, "-U",
                              kAdminRole, "-d", "postgres", "-t", "1"},
                             {}, "", 5);
    if (ready.exit_code == 0) {
      auto setup =
          run_program({bindir_ + "/psql", "-X", "-q", "-h", "127.0.0.1", "-p", port, "-U",
                       kAdminRole, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c",
                       "CREATE ROLE kbtest LOGIN", "-c", "CREATE DATABASE kbtest OWNER kbtest"},
                      {}, "", 30);
      if (setup.exit_code != 0) {
        *error = "creating the test role and database failed: " + setup.out;
        server_.stop();
        return false;
      }
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  *error = "postgres did not accept connections within 30 s: " + read_file(log);
  server_.stop();
  return false;
}

PostgresServer* PostgresServer::shared(std::string* error) {
  static std::string start_error;
  static std::unique_ptr<PostgresServer> server = start(&start_error);
  if (!server && error) *error = start_error;
  return server.get();
}

PostgresServer::~PostgresServer() {
  if (server_.pid() > 0) {
    ::kill(server_.pid(), SIGINT);  // fast shutdown: roll back sessions, checkpoint, exit
    server_.wait(15000);
  }
  server_.stop();
}

std::string PostgresServer::tcp_conninfo() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) +
         " user=kbtest dbname=kbtest connect_timeout=10";
}

std::string PostgresServer::socket_conninfo() const {
  return "host=" + dir_.path().string() + " port=" + std::to_string(port_) +
         " user=kbtest dbname=kbtest connect_timeout=10";
}

RunResult PostgresServer::psql(const std::string& sql) const {
  return run_program({bindir_ + "/psql", "-X", "-q", "-h", "127.0.0.1", "-p", std::to_string(port_),
                      "-U", "kbtest", "-d", "kbtest", "-v", "ON_ERROR_STOP=1", "-c", sql},
                     {}, "", 30);
}

std::string PostgresServer::fresh_schema_name() {
  return "t" + std::to_string(++next_schema_);
}

}  // namespace kb::testing
