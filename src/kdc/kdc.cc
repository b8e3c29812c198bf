#include "kdc/kdc.h"

#include <charconv>

#include "kdc/as_exchange.h"
#include "kdc/tgs_exchange.h"

namespace kb::kdc {
namespace {

constexpr std::uint8_t kTagAsReq = 0x6a;   // [APPLICATION 10], constructed
constexpr std::uint8_t kTagTgsReq = 0x6c;  // [APPLICATION 12], constructed

// Names from the request go into logs: keep them printable and short. Appends to `out`
// ("-" for an empty value).
void append_sanitized(std::string& out, std::string_view s, bool allow_space = false) {
  const std::size_t start = out.size();
  for (char c : s.substr(0, 256)) {
    out += ((c >= 0x21 || (allow_space && c == ' ')) && c < 0x7f && c != '"') ? c : '?';
  }
  if (out.size() == start) out += '-';
}

void append_number(std::string& out, long long v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

}  // namespace

Kdc::Kdc(KdcDirectory& directory, const Clock& clock, Rng& rng, KdcPolicy policy, LogSink sink)
    : env_{directory, clock, rng, policy},
      replay_(std::chrono::seconds(300)),
      sink_(std::move(sink)) {}

Bytes Kdc::handle(ByteView request, bool udp, std::string_view peer) {
  const auto start = std::chrono::steady_clock::now();
  RequestLog log;
  Bytes reply;
  if (!request.empty() && request[0] == kTagAsReq) {
    reply = handle_as_req(env_, request, udp, log);
  } else if (!request.empty() && request[0] == kTagTgsReq) {
    reply = handle_tgs_req(env_, replay_, request, udp, log);
  } else {
    log.kind = "?";
    log.error_code = static_cast<std::int32_t>(Errc::kMsgType);
    log.detail = "not a KDC request; dropped";
  }
  if (sink_) {
    sink_(log,
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                start),
          peer);
  }
  return reply;
}

Bytes Kdc::field_too_long() {
  const store::Domain* d = nullptr;
  if (auto r = env_.directory.domain(); r) d = *r;
  const krb5::Realm realm = d ? d->realm : krb5::Realm("UNKNOWN");
  return make_krb_error(env_.clock.now(), Error(Errc::kFieldTooLong, "length prefix"), realm,
                        krb5::PrincipalName{krb5::name_type::kSrvInst, {"krbtgt", realm}},
                        std::nullopt, std::nullopt);
}

std::string format_log_line(const RequestLog& log, std::chrono::microseconds duration,
                            std::string_view peer) {
  std::string out;
  out.reserve(128 + log.client.size() + log.service.size() + log.pac_options.size() +
              log.detail.size() + log.alert.size());
  out += "kdc ";
  out += log.kind.empty() ? std::string_view("?") : std::string_view(log.kind);
  out += " client=";
  append_sanitized(out, log.client);
  out += " service=";
  append_sanitized(out, log.service);
  out += log.error_code == 0 ? " result=ok" : " result=refused";
  out += " code=";
  append_number(out, log.error_code);
  out += " us=";
  append_number(out, static_cast<long long>(duration.count()));
  out += " peer=";
  append_sanitized(out, peer);
  if (!log.pac_options.empty()) {
    out += " pac_options=";
    out += log.pac_options;
  }
  if (!log.detail.empty()) {
    out += " detail=\"";
    append_sanitized(out, log.detail, true);
    out += '"';
  }
  if (!log.alert.empty()) {
    out += " alert=\"";
    append_sanitized(out, log.alert, true);
    out += '"';
  }
  return out;
}

}  // namespace kb::kdc
