// Flags and wiring of `keybridge admin ...`; the work is in src/admin.
#pragma once

#include <CLI/CLI.hpp>

namespace kb::app {

// Adds the `admin` subcommand tree to `app`; `exit_code` receives the chosen command's result.
void add_admin_commands(CLI::App& app, int& exit_code);

}  // namespace kb::app
