// `keybridge admin webauthn verify`: flags and output; the checks are src/webauthn's
// (webauthn/diagnose.h).
#pragma once

#include <CLI/CLI.hpp>

namespace kb::app {

// Adds `webauthn verify` under `admin`; `exit_code` receives its result (0 verified, 1
// refused, 2 unusable input).
void add_admin_webauthn_commands(CLI::App& admin, int& exit_code);

}  // namespace kb::app
