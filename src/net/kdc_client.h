// The client side of the Kerberos transport (RFC 4120 §7.2): one request to one KDC
// address, UDP first with a timeout and retries, TCP (4-byte big-endian length prefix) when
// the KDC answers KRB_ERR_RESPONSE_TOO_BIG over UDP or the request is over the UDP
// preference limit (MIT's udp_preference_limit, default 1465 bytes).
//
// What the reply means is the caller's business (client::read_tgs_rep and friends); this
// file only moves bytes and says why it could not.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace kb::net {

// Same domain as net::Errc (kdc_transport.h); numbered from 100 so the enums never overlap.
enum class KdcClientErrc {
  kBadAddress = 100,  // not "host", "host:port" or "[v6]:port"
  kUnresolvable,      // the host name does not resolve
  kUnreachable,       // connection refused / ICMP unreachable on every address
  kTimeout,           // no reply within the time allowed on any address
  kBadFraming,        // TCP length prefix with the reserved bit set, zero, or a short read
  kTooLarge,          // the reply's length prefix is over max_reply, or the request too big
  kSocket,            // the local socket could not be made or used
};
constexpr ErrorDomain error_domain(KdcClientErrc) {
  return ErrorDomain::kNet;
}
std::string_view error_code_name(KdcClientErrc e);

struct KdcClientConfig {
  // Per UDP attempt; MIT waits 1 s then backs off, Windows 10 s total: 1 s, 3 tries.
  std::chrono::milliseconds udp_timeout{1000};
  unsigned udp_attempts = 3;
  // Whole TCP exchange (connect, write, read) per address.
  std::chrono::milliseconds tcp_timeout{10000};
  // Requests larger than this go straight to TCP (RFC 4120 §7.2.1 leaves the limit to the
  // implementation; MIT's udp_preference_limit default). 0 = always TCP.
  std::size_t udp_preference_limit = 1465;
  // Largest TCP reply accepted (the length prefix is checked before reading the body).
  std::size_t max_reply = 1 << 20;
};

struct KdcReply {
  Bytes bytes;
  bool tcp = false;
  std::string peer;  // "127.0.0.1:88" / "[::1]:88": the address that answered, for logs
};

// Parsed KDC address: `host` without brackets, port 88 when none was given.
struct KdcAddress {
  std::string host;
  std::uint16_t port = 88;
};
Result<KdcAddress> parse_kdc_address(std::string_view s);

// Sends `request` to the KDC at `address` ("kdc.contoso.test", "10.0.0.1:88", "[::1]:88")
// and returns its reply. A name is resolved (getaddrinfo) and each of its addresses tried
// in turn until one answers. Blocking; the total time is bounded by the config.
Result<KdcReply> send_to_kdc(std::string_view address, ByteView request,
                             const KdcClientConfig& cfg = {});

// True when `reply` is a KRB-ERROR with error-code KRB_ERR_RESPONSE_TOO_BIG (52).
bool is_response_too_big(ByteView reply);

}  // namespace kb::net
