// Flags and wiring of `keybridge admin ...`; the work is in src/admin.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

namespace kb::app {

// Flags of `keybridge admin` shared by its subcommands.
struct AdminCommon {
  std::string dc_data_dir = "/var/lib/keybridge/dc";
  std::string cloud_url;   // https://host[:port] of the cloud service
  std::string tenant;      // shown in messages; the admin token alone selects the tenant
  std::string token_file;  // else KEYBRIDGE_ADMIN_TOKEN
  std::string ca_file;     // PEM to trust for the cloud (default: the system store)
};

// Adds the `admin` subcommand tree to `app`; `exit_code` receives the chosen command's result.
void add_admin_commands(CLI::App& app, int& exit_code);

// `admin kerberos-server ...` and `admin sync` (admin_kerberos_server_commands.cc).
void add_admin_cloud_commands(CLI::App& admin, const std::shared_ptr<AdminCommon>& c,
                              int& exit_code);

}  // namespace kb::app
