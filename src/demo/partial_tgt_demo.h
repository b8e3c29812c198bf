// `keybridge demo` until the domain controller and sign-in exist: the cloud mints a
// partial TGT for a user, the client unwraps it, a writable DC's checks are run on it, and
// MIT's klist and kvno (real peers) read and decrypt it. Every step is printed in plain
// words; nothing secret is printed.
#pragma once

#include <ostream>

namespace kb::demo {

// Returns a process exit code: 0 when every step succeeded.
int run_partial_tgt_demo(std::ostream& out);

}  // namespace kb::demo
