#include "net/dns_resolver.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#include <cstring>

namespace kb::net {

namespace {

// A private res_state, closed on every path.
class ResState {
 public:
  ResState() { std::memset(&st_, 0, sizeof st_); }
  ~ResState() {
    if (init_) ::res_nclose(&st_);
  }
  ResState(const ResState&) = delete;
  ResState& operator=(const ResState&) = delete;
  bool init() {
    init_ = ::res_ninit(&st_) == 0;
    return init_;
  }
  res_state get() { return &st_; }

 private:
  struct __res_state st_;
  bool init_ = false;
};

Result<sockaddr_in> parse_nameserver(const std::string& s) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(53);
  std::string host = s;
  auto colon = s.find(':');
  if (colon != std::string::npos) {
    host = s.substr(0, colon);
    std::string port = s.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) == 0 ||
        std::stoul(port) > 65535) {
      return Error(DnsErrc::kResolver, "bad nameserver port in '" + s + "'");
    }
    a.sin_port = htons(static_cast<std::uint16_t>(std::stoul(port)));
  }
  if (::inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) {
    return Error(DnsErrc::kResolver, "nameserver '" + s + "' is not an IPv4 address");
  }
  return a;
}

}  // namespace

Result<std::vector<SrvRecord>> lookup_srv(std::string_view qname, const ResolverConfig& cfg) {
  if (qname.empty() || qname.size() >= NS_MAXDNAME) {
    return Error(DnsErrc::kResolver, "bad query name");
  }
  if (cfg.nameservers.size() > MAXNS) {
    return Error(DnsErrc::kResolver, "more than " + std::to_string(MAXNS) + " nameservers");
  }
  ResState st;
  if (!st.init()) return Error(DnsErrc::kResolver, "res_ninit failed");
  res_state rs = st.get();
  if (!cfg.nameservers.empty()) {
    for (std::size_t i = 0; i < cfg.nameservers.size(); ++i) {
      rs->nsaddr_list[i] = KB_TRY(parse_nameserver(cfg.nameservers[i]));
    }
    rs->nscount = static_cast<int>(cfg.nameservers.size());
  }
  rs->retrans = static_cast<int>(cfg.timeout.count());
  rs->retry = cfg.attempts;
  // The name is absolute: no search list, no ndots games.
  rs->options &= ~static_cast<unsigned long>(RES_DEFNAMES | RES_DNSRCH);
  const std::string name(qname);
  Bytes buf(kMaxDnsMessage);
  int n =
      ::res_nquery(rs, name.c_str(), ns_c_in, ns_t_srv, buf.data(), static_cast<int>(buf.size()));
  if (n < 0) {
    switch (rs->res_h_errno) {
      case HOST_NOT_FOUND:
        return Error(DnsErrc::kNxDomain, name);
      case NO_DATA:
        return Error(DnsErrc::kNoData, name);
      default:
        return Error(DnsErrc::kServFail,
                     name + ": no usable answer (h_errno " + std::to_string(rs->res_h_errno) + ")");
    }
  }
  buf.resize(std::min<std::size_t>(static_cast<std::size_t>(n), buf.size()));
  return parse_srv_response(buf, name);
}

}  // namespace kb::net
