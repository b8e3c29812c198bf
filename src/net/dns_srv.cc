#include "net/dns_srv.h"

#include <arpa/nameser.h>
#include <resolv.h>
#include <strings.h>

namespace kb::net {

std::string_view error_code_name(DnsErrc e) {
  switch (e) {
    case DnsErrc::kMalformed:
      return "dns_malformed";
    case DnsErrc::kNxDomain:
      return "dns_nxdomain";
    case DnsErrc::kNoData:
      return "dns_nodata";
    case DnsErrc::kServFail:
      return "dns_servfail";
    case DnsErrc::kTooMany:
      return "dns_too_many";
    case DnsErrc::kResolver:
      return "dns_resolver";
  }
  return "unknown";
}

namespace {

std::string strip_dot(std::string s) {
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

bool same_name(std::string_view a, std::string_view b) {
  std::string x = strip_dot(std::string(a));
  std::string y = strip_dot(std::string(b));
  return x.size() == y.size() && ::strncasecmp(x.data(), y.data(), x.size()) == 0;
}

std::uint16_t be16(const unsigned char* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

// RFC 2782 RDATA: priority, weight, port (16 bits each), then the target as a domain name,
// which may be compressed against the whole message (RFC 3597 forbids it, but resolvers
// accept it and dn_expand is bounded by the message end).
Result<SrvRecord> parse_srv_rdata(const ns_msg& handle, const ns_rr& rr) {
  const unsigned char* rd = ns_rr_rdata(rr);
  const std::size_t len = ns_rr_rdlen(rr);
  if (len < 7) return Error(DnsErrc::kMalformed, "SRV RDATA shorter than 7 bytes");
  SrvRecord r;
  r.priority = be16(rd);
  r.weight = be16(rd + 2);
  r.port = be16(rd + 4);
  char name[NS_MAXDNAME];
  int used = ::dn_expand(ns_msg_base(handle), ns_msg_end(handle), rd + 6, name, sizeof name);
  if (used < 0 || static_cast<std::size_t>(used) != len - 6) {
    return Error(DnsErrc::kMalformed, "SRV target name does not fill RDATA");
  }
  r.target = strip_dot(name);
  if (r.target == ".") r.target.clear();
  return r;
}

}  // namespace

Result<std::vector<SrvRecord>> parse_srv_response(ByteView msg, std::string_view qname) {
  if (msg.size() < NS_HFIXEDSZ || msg.size() > kMaxDnsMessage) {
    return Error(DnsErrc::kMalformed, "message size " + std::to_string(msg.size()));
  }
  ns_msg handle{};
  if (::ns_initparse(msg.data(), static_cast<int>(msg.size()), &handle) != 0) {
    return Error(DnsErrc::kMalformed, "header or section counts do not fit the message");
  }
  if (ns_msg_getflag(handle, ns_f_qr) != 1) return Error(DnsErrc::kMalformed, "not a response");
  const int rcode = ns_msg_getflag(handle, ns_f_rcode);
  if (rcode == ns_r_nxdomain) return Error(DnsErrc::kNxDomain, std::string(qname));
  if (rcode != ns_r_noerror) {
    return Error(DnsErrc::kServFail, "rcode " + std::to_string(rcode));
  }
  const int count = ns_msg_count(handle, ns_s_an);
  if (count < 0 || static_cast<std::size_t>(count) > kMaxSrvRecords) {
    return Error(DnsErrc::kTooMany, std::to_string(count) + " answer records");
  }
  std::vector<SrvRecord> out;
  for (int i = 0; i < count; ++i) {
    ns_rr rr{};
    if (::ns_parserr(&handle, ns_s_an, i, &rr) != 0) {
      return Error(DnsErrc::kMalformed, "answer record " + std::to_string(i));
    }
    if (ns_rr_type(rr) != ns_t_srv || ns_rr_class(rr) != ns_c_in) continue;
    if (!same_name(ns_rr_name(rr), qname)) continue;
    out.push_back(KB_TRY_CTX(parse_srv_rdata(handle, rr), "answer " + std::to_string(i)));
  }
  if (out.empty()) return Error(DnsErrc::kNoData, std::string(qname));
  return out;
}

}  // namespace kb::net
