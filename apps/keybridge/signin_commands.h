// Flags and wiring of `keybridge signin ...`; the work is in src/client (signin_flow.h).
#pragma once

#include <CLI/CLI.hpp>

namespace kb::app {

// Adds the `signin` subcommand tree to `app`; `exit_code` receives the chosen command's result.
void add_signin_commands(CLI::App& app, int& exit_code);

}  // namespace kb::app
