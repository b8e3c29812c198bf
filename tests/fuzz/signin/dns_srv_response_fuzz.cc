// Raw DNS response bytes into the SRV answer parser (net::parse_srv_response), as a
// resolver hands them over. Whatever parses must hold sane records.
#include <cstdint>
#include <cstdlib>

#include "net/dns_srv.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto r = kb::net::parse_srv_response(kb::ByteView(data, size), "_kerberos._tcp.contoso.test");
  if (r) {
    if (r->empty() || r->size() > kb::net::kMaxSrvRecords) std::abort();
    for (const auto& rec : *r) {
      if (rec.target.size() >= 1025) std::abort();
    }
  }
  return 0;
}
