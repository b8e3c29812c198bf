// The domain-controller half of `keybridge demo`: a domain provisioned in a temporary
// directory, its KDC on loopback, and MIT kinit, kvno and klist run against it.
#pragma once

#include <ostream>

namespace kb::demo {

int run_dc_demo(std::ostream& out);

}  // namespace kb::demo
