#include "kdc/kdc.h"

#include "kdc/as_exchange.h"
#include "kdc/tgs_exchange.h"

namespace kb::kdc {
namespace {

constexpr std::uint8_t kTagAsReq = 0x6a;   // [APPLICATION 10], constructed
constexpr std::uint8_t kTagTgsReq = 0x6c;  // [APPLICATION 12], constructed

// Names from the request go into logs: keep them printable and short.
std::string sanitize(std::string_view s, bool allow_space = false) {
  std::string out;
  for (char c : s.substr(0, 256)) {
    out += ((c >= 0x21 || (allow_space && c == ' ')) && c < 0x7f && c != '"') ? c : '?';
  }
  return out.empty() ? "-" : out;
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
  std::string out = "kdc " + (log.kind.empty() ? std::string("?") : log.kind);
  out += " client=" + sanitize(log.client);
  out += " service=" + sanitize(log.service);
  out += log.error_code == 0 ? " result=ok" : " result=refused";
  out += " code=" + std::to_string(log.error_code);
  out += " us=" + std::to_string(duration.count());
  out += " peer=" + sanitize(peer);
  if (!log.pac_options.empty()) out += " pac_options=" + log.pac_options;
  if (!log.detail.empty()) out += " detail=\"" + sanitize(log.detail, true) + "\"";
  if (!log.alert.empty()) out += " alert=\"" + sanitize(log.alert, true) + "\"";
  return out;
}

}  // namespace kb::kdc
