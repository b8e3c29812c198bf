// A throwaway PostgreSQL server for tests: initdb into a temporary directory, postgres
// listening on 127.0.0.1 at a free port and on a unix socket in that directory, trust
// authentication for the test role `kbtest`, which owns the database `kbtest`.
//
// Binaries come from /usr/lib/postgresql/15/bin (KB_PG_BINDIR overrides). initdb and
// postgres refuse to run as root, so under root they run as the `postgres` system user
// that Debian's postgresql-common package creates (`nobody` when there is none), through
// setpriv; the directory is handed to that user. postgres runs with a parent-death signal
// (SIGINT, a fast shutdown), so a test binary that crashes or is killed by ctest's
// timeout does not leave a server behind; normally it is stopped by PID at exit.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "base/subprocess.h"

namespace kb::testing {

class PostgresServer {
 public:
  // Starts a server; nullptr and a message in *error when it cannot.
  static std::unique_ptr<PostgresServer> start(std::string* error);
  // The one server of this test binary, started on first use (call it from the main
  // thread: the parent-death signal follows the thread that forked) and stopped at exit.
  static PostgresServer* shared(std::string* error);
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] const std::filesystem::path& socket_dir() const { return dir_.path(); }
  // libpq connection strings for kbtest@kbtest over TCP and over the unix socket.
  [[nodiscard]] std::string tcp_conninfo() const;
  [[nodiscard]] std::string socket_conninfo() const;
  // Runs `sql` with psql as kbtest in kbtest (ON_ERROR_STOP); exit code 0 on success.
  [[nodiscard]] RunResult psql(const std::string& sql) const;
  // A schema name not used before in this server ("t1", "t2", ...): one per test.
  std::string fresh_schema_name();

 private:
  PostgresServer() : dir_("keybridge-pg") {}
  bool launch(std::string* error);

  TempDir dir_;  // declared first: removed after the server has stopped
  std::string bindir_;
  std::vector<std::string> as_owner_;  // setpriv prefix when running as root
  BackgroundProcess server_;
  int port_ = 0;
  int next_schema_ = 0;
};

}  // namespace kb::testing
