// `keybridge demo`: the whole product on loopback, out of process. It runs the same
// commands a person would (keybridge dc / cloud / admin / signin, MIT klist and kvno, a
// GSSAPI service), printing each command and what it shows, in a temporary directory that
// is removed at the end.
#pragma once

#include <filesystem>
#include <ostream>

namespace kb::demo {

// `keybridge` is the path of the binary to run the steps with (the running one).
int run_signin_demo(std::ostream& out, const std::filesystem::path& keybridge);

}  // namespace kb::demo
