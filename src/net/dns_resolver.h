// DNS SRV lookups through libresolv (res_nquery on a private resolver state), for DC
// location. The system resolver configuration (/etc/resolv.conf) is used unless the
// caller names its own servers (tests, a site that pins its DNS servers).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "net/dns_srv.h"

namespace kb::net {

struct ResolverConfig {
  // IPv4 "a.b.c.d" or "a.b.c.d:port" (at most 3, MAXNS); empty = the system's servers.
  std::vector<std::string> nameservers;
  std::chrono::seconds timeout{2};  // per try (res_state retrans)
  int attempts = 2;                 // res_state retry
};

// The SRV records for `qname` ("_kerberos._tcp.contoso.test"), parsed with
// parse_srv_response. DnsErrc::kNxDomain / kNoData when there are none, kServFail when no
// server gave an answer, kResolver when the configuration is unusable.
Result<std::vector<SrvRecord>> lookup_srv(std::string_view qname, const ResolverConfig& cfg = {});

}  // namespace kb::net
