// `keybridge dc serve`: the KDC of a DC data directory on the given addresses, until
// SIGINT or SIGTERM. One structured line per request on the log stream.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "admin/directory_admin.h"

namespace kb::admin {

struct ServeOptions {
  std::vector<std::string> listen = {"127.0.0.1:88"};
  unsigned threads = 0;  // 0 = one per core
};

// Returns when a stop signal arrives (exit code 0) or the server cannot start (non-zero,
// with the reason on `log`). Prints "listening on host:port" lines once bound.
int serve_dc(const DcPaths& paths, const ServeOptions& opts, std::ostream& log);

}  // namespace kb::admin
