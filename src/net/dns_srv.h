// DNS SRV answers (RFC 2782) for DC location: the bounded parser of a raw DNS response
// message (RFC 1035 §4), with no network. The lookup itself is dns_resolver.h.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace kb::net {

// Same domain as net::Errc; numbered from 200 (KdcClientErrc has 100..).
enum class DnsErrc {
  kMalformed = 200,  // not a well-formed DNS response to an IN SRV query
  kNxDomain,         // RCODE 3, or the resolver's HOST_NOT_FOUND
  kNoData,           // the name exists but has no SRV record
  kServFail,         // RCODE 2 or another failure code; or no server answered (TRY_AGAIN)
  kTooMany,          // more answer records than the parser accepts
  kResolver,         // the resolver library could not be set up
};
constexpr ErrorDomain error_domain(DnsErrc) {
  return ErrorDomain::kNet;
}
std::string_view error_code_name(DnsErrc e);

struct SrvRecord {
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
  std::uint16_t port = 0;
  std::string target;  // without the trailing dot; "" is the root (".": no service here)
  friend bool operator==(const SrvRecord&, const SrvRecord&) = default;
};

inline constexpr std::size_t kMaxSrvRecords = 64;
inline constexpr std::size_t kMaxDnsMessage = 65535;

// The SRV records answering `qname` in the response `msg`, in message order. Checks: a
// response (QR=1) with RCODE 0, a well-formed header/question/answer section (libresolv's
// bounded ns_initparse/ns_parserr), each SRV RR of class IN with RDATA of at least 7 bytes
// whose target name ends exactly at the end of RDATA. Answer records of other types
// (CNAME) and SRV records owned by another name are skipped. kNoData when none is left.
Result<std::vector<SrvRecord>> parse_srv_response(ByteView msg, std::string_view qname);

}  // namespace kb::net
