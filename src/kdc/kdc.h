// The KDC: one request message in, one reply out (or nothing). Dispatches AS-REQ and
// TGS-REQ, and reports one log record per request. No sockets (src/net carries bytes).
#pragma once

#include <chrono>
#include <functional>

#include "kdc/kdc_env.h"
#include "kdc/replay_cache.h"

namespace kb::kdc {

using LogSink = std::function<void(const RequestLog&, std::chrono::microseconds duration,
                                   std::string_view peer)>;

class Kdc {
 public:
  Kdc(KdcDirectory& directory, const Clock& clock, Rng& rng, KdcPolicy policy, LogSink sink = {});

  // A message that is not an AS-REQ or TGS-REQ ([APPLICATION 10] / [APPLICATION 12]) is
  // not answered: an error for every stray datagram would make the KDC a reflector.
  Bytes handle(ByteView request, bool udp, std::string_view peer);
  // KRB_ERR_FIELD_TOOLONG for a TCP length prefix with the reserved bit set (RFC 4120 §7.2.2).
  Bytes field_too_long();

 private:
  KdcEnv env_;
  ReplayCache replay_;
  LogSink sink_;
};

// "kdc AS client=alice service=krbtgt/CONTOSO.TEST result=ok code=0 us=812 peer=..."
std::string format_log_line(const RequestLog& log, std::chrono::microseconds duration,
                            std::string_view peer);

}  // namespace kb::kdc
