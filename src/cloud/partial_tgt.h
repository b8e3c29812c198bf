// The partial TGT the cloud hands a signed-in device (reference 000 steps 2-3; ARCHITECTURE
// "Wire decisions"; protocol digest D.4, F.3).
//
// It is an AS-REP for the user's AD realm: client = sAMAccountName, sname krbtgt/REALM,
// the ticket encrypted with the Kerberos server object's key under
// kvno = (branch id << 16) | key version, and a minimal PAC signed with that key as an RODC
// would sign it (RODC identifier = branch id). The reply part is encrypted with a fresh
// per-request client key (tgt_client_key) at key usage 3. A writable DC discards this PAC
// and rebuilds the full one from its directory: this PAC only says who the user is.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "crypto/crypto.h"
#include "krb5/messages.h"
#include "pac/sid.h"

namespace kb::cloud {

// The on-prem identity of a synced user (digest D.4 "on-prem mapping").
struct OnPremUser {
  std::string sam_account_name;     // alice
  std::string user_principal_name;  // alice@contoso.test
  std::string dns_domain_name;      // contoso.test
  std::string netbios_domain_name;  // CONTOSO
  pac::Sid sid;                     // objectSid: domain SID + RID
};

// The cloud's copy of a Kerberos server object's key.
struct KerberosServerKey {
  std::uint16_t branch_id = 0;  // msDS-SecondaryKrbTgtNumber, 1..65535
  std::uint16_t key_version = 0;
  const crypto::Key* key = nullptr;  // aes256-cts-hmac-sha1-96 (reference 000 prerequisites)
};

struct PartialTgtPolicy {
  // The writable DC caps the full TGT's times at the partial TGT's (Heimdal/Samba and MIT
  // bound a TGS reply by the presented TGT), so these are AD's default user-ticket
  // lifetimes rather than something shorter. DESIGN: see docs/partial-tgt.md.
  std::chrono::seconds lifetime{10 * 3600};
  std::chrono::seconds renew_lifetime{7 * 86400};
  crypto::EncType session_key_type = crypto::EncType::kAes256CtsHmacSha196;  // tgt_key_type
};

struct PartialTgt {
  Bytes as_rep;            // DER AS-REP: the KERB_MESSAGE_BUFFER / messageBuffer
  crypto::Key client_key;  // tgt_client_key: decrypts the AS-REP enc-part (usage 3)
  krb5::Realm realm;
  krb5::PrincipalName cname;
  SysTime endtime;
};

// kvno of a ticket encrypted with an RODC-style key (MS-KILE §3.1.5.8).
constexpr std::uint32_t rodc_kvno(std::uint16_t branch_id, std::uint16_t key_version) {
  return (std::uint32_t{branch_id} << 16) | key_version;
}

Result<PartialTgt> mint_partial_tgt(const OnPremUser& user, const KerberosServerKey& server,
                                    const PartialTgtPolicy& policy, const Clock& clock, Rng& rng);

}  // namespace kb::cloud
