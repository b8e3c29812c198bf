// The Ticket-Granting Service exchange (RFC 4120 §3.3; MS-KILE §3.3.5.7): TGS-REQ bytes in,
// TGS-REP or KRB-ERROR bytes out. Service tickets for SPNs with the PAC re-signed for the
// service (ticket and full-PAC signatures added), TGT renewal, forwarded TGTs.
#pragma once

#include "kdc/kdc_env.h"
#include "kdc/replay_cache.h"

namespace kb::kdc {

Bytes handle_tgs_req(KdcEnv& env, ReplayCache& replay, ByteView request, bool udp, RequestLog& log);

}  // namespace kb::kdc
