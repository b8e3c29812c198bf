// The trade of RODC-issued TGTs (ours: partial TGTs minted by the cloud with a Kerberos
// server object's key) for full TGTs, under the password replication policy, and the key
// list (reference 000 steps 4-5; protocol digest D.3, E; Samba source4/kdc/pac-glue.c and
// source4/dsdb/common/rodc_helper.c as the reference behaviour).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kdc/kdc_env.h"
#include "kdc/tgs_state.h"
#include "pac/pac.h"

namespace kb::kdc {

// MS-KILE §3.1.5.8: the high 16 bits of a KILE kvno name the RODC; 0 is the domain's.
constexpr bool is_rodc_kvno(std::uint32_t kvno) {
  return (kvno >> 16) != 0;
}

// Digest D.3 step 1: the RODC krbtgt whose msDS-SecondaryKrbTgtNumber is the kvno's branch,
// and its key of the kvno's low 16 bits (current or previous version). Sets s.rodc and
// s.ticket_key. An unknown branch is KDC_ERR_S_PRINCIPAL_UNKNOWN (UNCONFIRMED: digest D.3
// reads impacket's handling as Windows' answer); an unknown version or enctype is
// KRB_AP_ERR_BADKEYVER (digest I, observed at Samba).
Result<void> find_rodc_ticket_key(KdcEnv& env, TgsState& s, crypto::EncType etype,
                                  std::uint32_t kvno);

// Digest D.3 steps 3-6 for a decrypted RODC-issued TGT whose authenticator has been
// checked: the RODC's PAC (present, LOGON_INFO, CLIENT_INFO and REQUESTOR present, signed
// by the RODC key with its identifier, naming the ticket's client by objectSid and name),
// the RODC computer (exists, links to this krbtgt, PARTIAL_SECRETS_ACCOUNT), the account
// (usable, password current, not a krbtgt or trust account) and the password replication
// policy. Sets s.client. Returns the PAC rebuilt from the directory: nothing of the RODC's
// PAC is copied. Writes log.alert for a PAC that names another account.
Result<pac::Pac> confirm_rodc_client(KdcEnv& env, TgsState& s, SysTime now, RequestLog& log);

// The password replication policy on an account's token (its SID, primary group and every
// transitive group; Samba rodc_helper.c): denied if any SID is in msDS-NeverRevealGroup
// (deny wins), else allowed if any is in msDS-RevealOnDemandGroup, else denied.
struct PrpDecision {
  bool allowed = false;
  std::string deciding_sid;  // the denying or allowing SID; empty when in neither list
};
PrpDecision prp_decision(const std::vector<std::string>& token_sids,
                         const std::vector<std::string>& never_reveal,
                         const std::vector<std::string>& reveal_on_demand);

// MS-KILE §3.3.5.7.8 (digest E): PA-DATA 162 holding KERB-KEY-LIST-REP with the client's
// NT hash, when the request carries KERB-KEY-LIST-REQ (161) asking for rc4-hmac, the TGT
// is RODC-issued and the service is the domain's krbtgt. nullopt otherwise. Only called
// after confirm_rodc_client allowed the account. DESIGN: rc4-hmac only.
Result<std::optional<krb5::PaData>> key_list_reply(KdcEnv& env, const TgsState& s);

}  // namespace kb::kdc
