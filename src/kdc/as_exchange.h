// The Authentication Service exchange (RFC 4120 §3.1.5; MS-KILE §3.3.5.6): AS-REQ bytes
// in, AS-REP or KRB-ERROR bytes out.
#pragma once

#include "kdc/kdc_env.h"

namespace kb::kdc {

// `request` is a whole AS-REQ message. Always returns a reply to send (an AS-REP or a
// KRB-ERROR); fills `log` for the request's log line.
Bytes handle_as_req(KdcEnv& env, ByteView request, bool udp, RequestLog& log);

}  // namespace kb::kdc
