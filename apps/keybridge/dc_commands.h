// Flags and wiring of `keybridge dc ...`; the work is in src/admin.
#pragma once

#include <CLI/CLI.hpp>

namespace kb::app {

// Adds the `dc` subcommand tree to `app`; `exit_code` receives the chosen command's result.
void add_dc_commands(CLI::App& app, int& exit_code);

}  // namespace kb::app
