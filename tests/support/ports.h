// A loopback port that is free for both UDP and TCP right now (bound, read back, released),
// for tests that start a server which cannot pick its own port (gss-server, a KDC on UDP).
#pragma once

namespace kb::testing {

// 0 when none was found in 50 tries.
int free_port();

}  // namespace kb::testing
