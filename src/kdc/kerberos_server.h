// The directory side of a Kerberos server object (reference 000 "Create a Kerberos server
// object"; reference 002 "Under the hood"; protocol digest D.1): the objects an
// Entra-style cloud needs in the domain so that a writable DC trades its partial TGTs.
//
//   CN=AzureADKerberos,OU=Domain Controllers,<domain>   a logical RODC: computer account with
//       WORKSTATION_TRUST_ACCOUNT | PARTIAL_SECRETS_ACCOUNT, primary group Read-only Domain
//       Controllers (521), msDS-KrbTgtLink -> the krbtgt below, and the password replication
//       policy: msDS-RevealOnDemandGroup (allow) and msDS-NeverRevealGroup (deny)
//   CN=krbtgt_AzureAD,CN=Users,<domain>                  disabled user holding the TGT key,
//       msDS-SecondaryKrbTgtNumber = the branch id (1..65535, unique in the domain)
//   CN=900274c4-...,CN=AzureAD,CN=System,<domain>        service connection point recording
//       what was created, when and from where
//
// The PRP lists hold SIDs rather than AD's DN values, so renaming a group never changes the
// policy (DESIGN; docs/rodc-trade.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "crypto/crypto.h"
#include "crypto/master_key.h"
#include "store/directory.h"

namespace kb::kdc {

namespace attr {
inline constexpr const char* kDistinguishedName = "distinguishedName";
inline constexpr const char* kKrbTgtLink = "msDS-KrbTgtLink";
inline constexpr const char* kKrbTgtLinkBl = "msDS-KrbTgtLinkBL";
inline constexpr const char* kSecondaryKrbTgtNumber = "msDS-SecondaryKrbTgtNumber";
inline constexpr const char* kRevealOnDemandGroup = "msDS-RevealOnDemandGroup";
inline constexpr const char* kNeverRevealGroup = "msDS-NeverRevealGroup";
inline constexpr const char* kKeywords = "keywords";
inline constexpr const char* kKeyUpdatedOn = "keybridge-keyUpdatedOn";
inline constexpr const char* kKeyUpdatedFrom = "keybridge-keyUpdatedFrom";
}  // namespace attr

// The fixed name of the service connection point (azure-docs passwordless FAQ).
inline constexpr const char* kKerberosServerScpCn = "900274c4-b7d2-43c8-90ee-00a9f650e335";

struct KerberosServerSpec {
  std::string computer_name = "AzureADKerberos";  // reference 002; configurable
  std::string krbtgt_name = "krbtgt_AzureAD";
  std::optional<std::uint16_t> branch_id;  // nullopt: a random unused one
  std::string updated_from;                // host name recorded as KeyUpdatedFrom
};

struct KerberosServerInfo {
  std::uint16_t branch_id = 0;
  std::uint16_t key_version = 0;
  std::string computer_dn, computer_sam;
  std::uint32_t computer_rid = 0;
  std::uint32_t computer_uac = 0;
  std::string krbtgt_dn, krbtgt_sam;
  std::uint32_t krbtgt_rid = 0;
  std::int64_t key_updated_on = 0;  // unix seconds
  std::string key_updated_from;
  std::vector<std::string> reveal_on_demand;  // SIDs (allow list)
  std::vector<std::string> never_reveal;      // SIDs (deny list)
  std::string scp_dn;
};

// The default lists of the AzureADKerberos object. Allow: Domain Users (reference 002 FAQ
// "Do users need to be a member of the Domain Users"). Deny: Denied RODC Password
// Replication Group, Domain Admins, Enterprise Admins, Schema Admins, BUILTIN
// Administrators, Account/Server/Backup Operators (reference 002 "isn't working for my
// Domain Admin"; digest D.1). The exact defaults Entra writes are UNCONFIRMED (digest
// "Facts not confirmed" 4).
std::vector<std::string> default_reveal_on_demand(const store::Domain& d);
std::vector<std::string> default_never_reveal(const store::Domain& d);

// Creates the three objects with a fresh random key (key version 1). kAlreadyExists when
// the domain already has its Kerberos server object; kConflict when the branch id asked
// for is in use.
Result<KerberosServerInfo> create_kerberos_server(store::DirectoryStore& store,
                                                  const KerberosServerSpec& spec,
                                                  const crypto::MasterKey& mk, const Clock& clock,
                                                  Rng& rng);
// The domain's Kerberos server object, found through its service connection point.
Result<std::optional<KerberosServerInfo>> read_kerberos_server(store::DirectoryStore& store);
// New random key at key version + 1; the previous version stays for partial TGTs in flight.
Result<KerberosServerInfo> rotate_kerberos_server_key(store::DirectoryStore& store,
                                                      std::string updated_from,
                                                      const crypto::MasterKey& mk,
                                                      const Clock& clock, Rng& rng);
// Deletes the computer, the krbtgt account and the service connection point.
Result<void> remove_kerberos_server(store::DirectoryStore& store);
// The aes256 key of a key version (0 = current): what is published to the cloud.
Result<crypto::Key> kerberos_server_key(store::DirectoryStore& store, const crypto::MasterKey& mk,
                                        std::uint16_t key_version = 0);

enum class PrpList { kRevealOnDemand, kNeverReveal };
struct PrpEdit {
  PrpList list;
  bool add = true;
  std::string principal;  // group or account: sAMAccountName or SID
};
// Edits one list of the domain's Kerberos server object. Returns warnings for the operator:
// allowing a privileged group (or one that nests one) lets its members' TGTs be traded.
Result<std::vector<std::string>> edit_prp(store::DirectoryStore& store, const PrpEdit& edit);

// Groups whose members must not get full TGTs from a cloud-issued ticket by default.
bool is_privileged_sid(const store::Domain& d, std::string_view sid);

}  // namespace kb::kdc
