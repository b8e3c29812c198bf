// What every KDC exchange runs with: the directory, time, randomness and policy. Protocol
// logic reads no wall clock and no global state (STYLE.md).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "base/clock.h"
#include "kdc/errc.h"
#include "kdc/kdc_directory.h"
#include "krb5/messages.h"

namespace kb::kdc {

struct KdcPolicy {
  bool require_preauth = true;  // encrypted timestamp required unless DONT_REQ_PREAUTH
  // Replies above this over UDP get KRB_ERR_RESPONSE_TOO_BIG (RFC 4120 §7.2.1); MIT
  // krb5kdc's default is 4096 as well.
  std::size_t max_udp_reply = 4096;
};

struct KdcEnv {
  KdcDirectory& directory;
  const Clock& clock;
  Rng& rng;
  KdcPolicy policy;
};

// One structured log line per request is made from this; never holds secrets.
struct RequestLog {
  std::string kind;             // "AS", "TGS", "?"
  std::string client;           // as requested
  std::string service;          // as requested
  std::int32_t error_code = 0;  // 0 = success
  std::string detail;           // why, for the operator; never sent to the client
  std::string pac_options;      // PA-PAC-OPTIONS bits the client sent (describe_pac_options)
  // A refusal that may be an attack or a cloud-side identity error the operator must see
  // (a PAC naming another account's SID); logged as its own line, never sent to the client.
  std::string alert;
};

// The one place a refusal becomes a KRB-ERROR (RFC 4120 §5.9.1). stime is the KDC's time,
// so a client refused for skew learns the server time (§7.5.9 KRB_AP_ERR_SKEW).
Bytes make_krb_error(SysTime now, const Error& error, const krb5::Realm& realm,
                     const krb5::PrincipalName& sname, const std::optional<krb5::Realm>& crealm,
                     const std::optional<krb5::PrincipalName>& cname,
                     std::optional<Bytes> e_data = std::nullopt);

// The Kerberos error code of an Error: KDC refusals carry it; anything else (a store or
// crypto failure inside the KDC) is KRB_ERR_GENERIC.
std::int32_t krb_error_code(const Error& e);

}  // namespace kb::kdc
