// Flags and wiring of `keybridge cloud ...`; the work is in src/cloud/service/admin_server.
#pragma once

#include <CLI/CLI.hpp>

namespace kb::app {

// Adds the `cloud` subcommand tree to `app`; `exit_code` receives the chosen command's result.
void add_cloud_commands(CLI::App& app, int& exit_code);

}  // namespace kb::app
