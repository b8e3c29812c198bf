// Shared by the `keybridge dc` command files: the common flags, the error reporting and
// opening the DC's data directory.
#pragma once

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "admin/directory_admin.h"
#include "admin/password_input.h"

namespace kb::app {

struct DcCommon {
  std::string data_dir = "/var/lib/keybridge/dc";
  std::string password_file;
  bool password_stdin = false;
  bool random_password = false;
};

inline admin::PasswordSource password_source(const DcCommon& c) {
  if (!c.password_file.empty()) return {admin::PasswordSource::Kind::kFile, c.password_file};
  if (c.password_stdin) return {admin::PasswordSource::Kind::kStdin, {}};
  return {admin::PasswordSource::Kind::kPrompt, {}};
}

inline int report(const Result<void>& r, const std::string& done) {
  if (!r) {
    std::cerr << "keybridge: " << r.error().to_string() << "\n";
    return 1;
  }
  if (!done.empty()) std::cout << done << "\n";
  return 0;
}

inline void add_password_flags(CLI::App* cmd, DcCommon& c) {
  cmd->add_option("--password-file", c.password_file,
                  "Read the password from the first line of this file");
  cmd->add_flag("--password-stdin", c.password_stdin,
                "Read the password from the first line of stdin");
}

// Runs `fn` on the opened DC, reporting errors as a CLI message and exit code.
template <typename F>
int with_dc(const DcCommon& c, F&& fn) {
  auto dc = admin::open_dc({c.data_dir});
  if (!dc) return report(std::move(dc).error(), "");
  return fn(*dc);
}

// `dc kerberos-server ...` and `dc prp ...` (dc_kerberos_server_commands.cc).
void add_dc_kerberos_server_commands(CLI::App& dc, const std::shared_ptr<DcCommon>& c,
                                     int& exit_code);

// `dc policy show|set` (dc_policy_commands.cc).
void add_dc_policy_commands(CLI::App& dc, const std::shared_ptr<DcCommon>& c, int& exit_code);

}  // namespace kb::app
