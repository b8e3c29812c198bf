#include "net/kdc_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "krb5/messages.h"

namespace kb::net {

std::string_view error_code_name(KdcClientErrc e) {
  switch (e) {
    case KdcClientErrc::kBadAddress:
      return "kdc_bad_address";
    case KdcClientErrc::kUnresolvable:
      return "kdc_unresolvable";
    case KdcClientErrc::kUnreachable:
      return "kdc_unreachable";
    case KdcClientErrc::kTimeout:
      return "kdc_timeout";
    case KdcClientErrc::kBadFraming:
      return "kdc_bad_framing";
    case KdcClientErrc::kTooLarge:
      return "kdc_too_large";
    case KdcClientErrc::kSocket:
      return "kdc_socket";
  }
  return "unknown";
}

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kMaxDatagram = 65535;
constexpr std::int32_t kKrbErrResponseTooBig = 52;  // RFC 4120 §7.5.9

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

std::string peer_string(const sockaddr* sa) {
  char host[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(sa);
    ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(a->sin6_port));
  }
  const auto* a = reinterpret_cast<const sockaddr_in*>(sa);
  ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
  return std::string(host) + ":" + std::to_string(ntohs(a->sin_port));
}

int remaining_ms(Clock::time_point deadline) {
  // Rounded up, so a wait never ends before the deadline.
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(left.count());
}

// Waits for `events` on fd until the deadline: 1 ready, 0 timed out, -1 error (errno).
int wait_fd(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r < 0 && errno == EINTR) continue;
    return r;
  }
}

bool refused(int err) {
  return err == ECONNREFUSED || err == EHOSTUNREACH || err == ENETUNREACH || err == EADDRNOTAVAIL;
}

// RFC 4120 §7.2.1: one datagram, retransmitted after each timeout. The socket is connected
// so the kernel drops datagrams from other sources and reports ICMP port unreachable.
Result<Bytes> udp_exchange(const addrinfo& ai, ByteView request, const KdcClientConfig& cfg) {
  Fd fd(::socket(ai.ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return Error(KdcClientErrc::kSocket, std::strerror(errno));
  if (::connect(fd.get(), ai.ai_addr, ai.ai_addrlen) != 0) {
    int err = errno;
    if (refused(err)) return Error(KdcClientErrc::kUnreachable, std::strerror(err));
    return Error(KdcClientErrc::kSocket, std::strerror(err));
  }
  Bytes buf(kMaxDatagram);
  for (unsigned attempt = 0; attempt < cfg.udp_attempts; ++attempt) {
    if (::send(fd.get(), request.data(), request.size(), 0) < 0) {
      int err = errno;
      if (refused(err)) return Error(KdcClientErrc::kUnreachable, std::strerror(err));
      return Error(KdcClientErrc::kSocket, std::strerror(err));
    }
    const auto deadline = Clock::now() + cfg.udp_timeout;
    for (;;) {
      int r = wait_fd(fd.get(), POLLIN, deadline);
      if (r < 0) return Error(KdcClientErrc::kSocket, std::strerror(errno));
      if (r == 0) break;  // this attempt timed out: send again
      ssize_t n = ::recv(fd.get(), buf.data(), buf.size(), 0);
      if (n < 0) {
        int err = errno;
        if (err == EINTR || err == EAGAIN) continue;
        if (refused(err)) return Error(KdcClientErrc::kUnreachable, std::strerror(err));
        return Error(KdcClientErrc::kSocket, std::strerror(err));
      }
      if (n == 0) continue;  // an empty datagram is no reply
      buf.resize(static_cast<std::size_t>(n));
      return buf;
    }
  }
  return Error(KdcClientErrc::kTimeout,
               "no UDP reply after " + std::to_string(cfg.udp_attempts) + " attempts");
}

Result<void> write_all(int fd, ByteView data, Clock::time_point deadline) {
  std::size_t off = 0;
  while (off < data.size()) {
    int r = wait_fd(fd, POLLOUT, deadline);
    if (r < 0) return Error(KdcClientErrc::kSocket, std::strerror(errno));
    if (r == 0) return Error(KdcClientErrc::kTimeout, "TCP write timed out");
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      if (errno == ECONNRESET || errno == EPIPE) {
        return Error(KdcClientErrc::kBadFraming, "connection closed while writing");
      }
      return Error(KdcClientErrc::kSocket, std::strerror(errno));
    }
    off += static_cast<std::size_t>(n);
  }
  return ok();
}

// Reads exactly out.size() bytes; a close before that is bad framing.
Result<void> read_exact(int fd, MutableByteView out, Clock::time_point deadline) {
  std::size_t off = 0;
  while (off < out.size()) {
    int r = wait_fd(fd, POLLIN, deadline);
    if (r < 0) return Error(KdcClientErrc::kSocket, std::strerror(errno));
    if (r == 0) return Error(KdcClientErrc::kTimeout, "TCP read timed out");
    ssize_t n = ::recv(fd, out.data() + off, out.size() - off, 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      if (errno == ECONNRESET) {
        return Error(KdcClientErrc::kBadFraming, "connection reset before the whole reply");
      }
      return Error(KdcClientErrc::kSocket, std::strerror(errno));
    }
    if (n == 0) {
      return Error(KdcClientErrc::kBadFraming, "connection closed after " + std::to_string(off) +
                                                   " of " + std::to_string(out.size()) + " bytes");
    }
    off += static_cast<std::size_t>(n);
  }
  return ok();
}

Result<void> tcp_connect(int fd, const addrinfo& ai, Clock::time_point deadline) {
  if (::connect(fd, ai.ai_addr, ai.ai_addrlen) == 0) return ok();
  if (errno != EINPROGRESS) {
    int err = errno;
    if (refused(err)) return Error(KdcClientErrc::kUnreachable, std::strerror(err));
    return Error(KdcClientErrc::kSocket, std::strerror(err));
  }
  int r = wait_fd(fd, POLLOUT, deadline);
  if (r < 0) return Error(KdcClientErrc::kSocket, std::strerror(errno));
  if (r == 0) return Error(KdcClientErrc::kTimeout, "TCP connect timed out");
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err == 0) return ok();
  if (refused(err)) return Error(KdcClientErrc::kUnreachable, std::strerror(err));
  return Error(KdcClientErrc::kSocket, std::strerror(err));
}

// RFC 4120 §7.2.2: 4-byte big-endian length, high bit reserved (must be 0), then the message.
Result<Bytes> tcp_exchange(const addrinfo& ai, ByteView request, const KdcClientConfig& cfg) {
  const auto deadline = Clock::now() + cfg.tcp_timeout;
  Fd fd(::socket(ai.ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (fd.get() < 0) return Error(KdcClientErrc::kSocket, std::strerror(errno));
  KB_CHECK(tcp_connect(fd.get(), ai, deadline));
  Bytes framed;
  framed.reserve(request.size() + 4);
  put_u32be(framed, static_cast<std::uint32_t>(request.size()));
  append(framed, request);
  KB_CHECK(write_all(fd.get(), framed, deadline));
  std::uint8_t prefix[4];
  KB_CHECK(read_exact(fd.get(), prefix, deadline));
  const std::uint32_t len = (std::uint32_t{prefix[0]} << 24) | (std::uint32_t{prefix[1]} << 16) |
                            (std::uint32_t{prefix[2]} << 8) | std::uint32_t{prefix[3]};
  if (len & 0x80000000u) {
    return Error(KdcClientErrc::kBadFraming, "length prefix with the reserved bit set");
  }
  if (len == 0) return Error(KdcClientErrc::kBadFraming, "zero-length reply");
  if (len > cfg.max_reply) {
    return Error(KdcClientErrc::kTooLarge, "reply of " + std::to_string(len) + " bytes over the " +
                                               std::to_string(cfg.max_reply) + " byte limit");
  }
  Bytes reply(len);
  KB_CHECK(read_exact(fd.get(), reply, deadline));
  return reply;
}

struct AddrInfoList {
  addrinfo* head = nullptr;
  ~AddrInfoList() {
    if (head) ::freeaddrinfo(head);
  }
};

Result<std::uint16_t> parse_port(std::string_view p, std::string_view whole) {
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string_view::npos) {
    return Error(KdcClientErrc::kBadAddress, "bad port in '" + std::string(whole) + "'");
  }
  unsigned long v = std::stoul(std::string(p));
  if (v == 0 || v > 65535) {
    return Error(KdcClientErrc::kBadAddress, "port out of range in '" + std::string(whole) + "'");
  }
  return static_cast<std::uint16_t>(v);
}

}  // namespace

Result<KdcAddress> parse_kdc_address(std::string_view s) {
  KdcAddress out;
  if (s.empty() || s.size() > 300) {
    return Error(KdcClientErrc::kBadAddress, "empty or overlong KDC address");
  }
  if (s.front() == '[') {
    auto close = s.find(']');
    if (close == std::string_view::npos || close == 1) {
      return Error(KdcClientErrc::kBadAddress, "expected [v6]:port in '" + std::string(s) + "'");
    }
    out.host = std::string(s.substr(1, close - 1));
    if (close + 1 < s.size()) {
      if (s[close + 1] != ':') {
        return Error(KdcClientErrc::kBadAddress, "expected [v6]:port in '" + std::string(s) + "'");
      }
      out.port = KB_TRY(parse_port(s.substr(close + 2), s));
    }
    return out;
  }
  auto colon = s.find(':');
  if (colon != std::string_view::npos && s.find(':', colon + 1) != std::string_view::npos) {
    out.host = std::string(s);  // a bare IPv6 address, default port
    return out;
  }
  out.host = std::string(s.substr(0, colon));
  if (out.host.empty()) {
    return Error(KdcClientErrc::kBadAddress, "no host in '" + std::string(s) + "'");
  }
  if (colon != std::string_view::npos) out.port = KB_TRY(parse_port(s.substr(colon + 1), s));
  return out;
}

bool is_response_too_big(ByteView reply) {
  // A KRB-ERROR starts with [APPLICATION 30] (0x7e); anything else is not one.
  if (reply.empty() || reply[0] != 0x7e) return false;
  auto e = der::decode<krb5::KrbError>(reply);
  return e && e->error_code == kKrbErrResponseTooBig;
}

Result<KdcReply> send_to_kdc(std::string_view address, ByteView request,
                             const KdcClientConfig& cfg) {
  const KdcAddress a = KB_TRY(parse_kdc_address(address));
  if (request.empty() || request.size() > 0x7fffffffu) {
    return Error(KdcClientErrc::kTooLarge, "request size not representable in TCP framing");
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;  // one entry per address; the protocol is chosen below
  hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
  AddrInfoList list;
  const std::string port = std::to_string(a.port);
  int gai = ::getaddrinfo(a.host.c_str(), port.c_str(), &hints, &list.head);
  if (gai == EAI_ADDRFAMILY || gai == EAI_NONAME || gai == EAI_NODATA || gai == EAI_FAIL) {
    // AI_ADDRCONFIG hides ::1 on hosts without a global IPv6 address; try again without it.
    hints.ai_flags = AI_NUMERICSERV;
    gai = ::getaddrinfo(a.host.c_str(), port.c_str(), &hints, &list.head);
  }
  if (gai != 0 || list.head == nullptr) {
    return Error(KdcClientErrc::kUnresolvable, a.host + ": " + ::gai_strerror(gai));
  }
  const bool udp_first = cfg.udp_attempts > 0 && request.size() <= cfg.udp_preference_limit;
  std::optional<Error> last;
  for (const addrinfo* ai = list.head; ai != nullptr; ai = ai->ai_next) {
    const std::string peer = peer_string(ai->ai_addr);
    if (udp_first) {
      auto r = udp_exchange(*ai, request, cfg);
      if (r && !is_response_too_big(*r)) return KdcReply{std::move(*r), false, peer};
      if (!r) {
        last = std::move(r).error();
        continue;  // RFC 4120 §7.2.1 leaves fallback on silence to the client: next address
      }
      // KRB_ERR_RESPONSE_TOO_BIG: the same KDC over TCP (RFC 4120 §7.2.1).
    }
    auto t = tcp_exchange(*ai, request, cfg);
    if (t) return KdcReply{std::move(*t), true, peer};
    last = std::move(t).error();
    if (last->is(KdcClientErrc::kBadFraming) || last->is(KdcClientErrc::kTooLarge)) break;
  }
  return std::move(*last);
}

}  // namespace kb::net
