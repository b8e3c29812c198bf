// Directory management for the DC: provisioning a domain (what `dc init` creates) and
// turning passwords into the Kerberos keys AD would store, wrapped under the master key.
#pragma once

#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "base/secret.h"
#include "crypto/master_key.h"
#include "store/directory.h"

namespace kb::kdc {

// MS-KILE §3.1.1.2 salts: users "REALM" + sAMAccountName (case as stored); computers
// "REALM" + "host" + lower(name without '$') + "." + lower(DNS domain).
std::string account_salt(const store::Domain& domain, const store::Account& account);

// The enctypes AD stores for an account: aes256 and aes128 (RFC 3962) and the NT hash
// (rc4-hmac), which only the key list and NTLM use.
inline constexpr crypto::EncType kStoredEnctypes[] = {crypto::EncType::kAes256CtsHmacSha196,
                                                      crypto::EncType::kAes128CtsHmacSha196,
                                                      crypto::EncType::kRc4Hmac};

// Derives, wraps and installs new keys from `password` at kvno = current + 1, keeping the
// previous kvno's keys (tickets in flight) and dropping older ones; sets pwdLastSet to now.
Result<void> set_password(store::Account& account, const store::Domain& domain,
                          const SecretString& password, const crypto::MasterKey& mk,
                          const Clock& clock, Rng& rng);
// The same with random keys (krbtgt, service accounts without a password).
Result<void> set_random_keys(store::Account& account, const store::Domain& domain,
                             const crypto::MasterKey& mk, const Clock& clock, Rng& rng);

// The unwrapped key of `account` for (enctype, kvno); kvno 0 = the current one.
Result<crypto::Key> account_key(const store::Account& account, crypto::EncType enctype,
                                std::uint32_t kvno, const crypto::MasterKey& mk);
std::uint32_t current_kvno(const store::Account& account);

// Disabled, locked out or expired accounts: KDC_ERR_CLIENT_REVOKED (Samba
// samba_kdc_map_policy_err; Windows answers the same for AS and TGS).
Result<void> check_account_usable(const store::Account& account, const store::Domain& domain,
                                  std::int64_t now);

// MS-ADTS 3.1.1.5.3.7 / MS-SAMR 3.1.1.8.10 (UF_LOCKOUT of msDS-User-Account-Control-
// Computed): locked while lockoutTime is set and lockoutDuration has not passed since it;
// lockoutDuration 0 = until an administrator unlocks the account.
bool is_locked_out(const store::Account& account, const store::Domain& domain, std::int64_t now);
// A wrong password at `now`: badPwdCount + 1 (restarting from 0 when the last bad attempt is
// older than lockOutObservationWindow, or a past lockout has expired), badPasswordTime = now,
// and lockoutTime = now when the count reaches lockoutThreshold. Returns false, changing
// nothing, when nothing is counted: lockoutThreshold 0, or the built-in Administrator
// (Samba dsdb_update_bad_pwd_count; Windows' default too).
bool count_bad_password(store::Account& account, const store::Domain& domain, std::int64_t now);
// A successful logon clears badPwdCount and an expired lockoutTime. Returns false when
// there was nothing to clear (the common case: no write needed).
bool clear_bad_passwords(store::Account& account);
// "Must change password" (pwdLastSet 0 or PASSWORD_EXPIRED) or a password older than the
// domain's maxPwdAge without DONT_EXPIRE_PASSWORD: KDC_ERR_KEY_EXPIRED (RFC 4120 §7.5.9;
// reference 000 "Known behavior": an expired password also blocks security-key sign-in).
Result<void> check_password_current(const store::Account& account, const store::Domain& domain,
                                    std::int64_t now);

struct ProvisionRequest {
  std::string dns_name;      // contoso.test
  std::string netbios_name;  // empty = first label of dns_name, upper-cased
  std::string domain_sid;    // empty = a random S-1-5-21-a-b-c
  SecretString administrator_password;
};

// Creates the domain, its well-known groups (with the Denied RODC Password Replication
// Group's default members), the disabled krbtgt account with random keys and the
// Administrator. Refuses a store that already holds a domain.
Result<store::Domain> provision_domain(store::DirectoryStore& store, const ProvisionRequest& req,
                                       const crypto::MasterKey& mk, const Clock& clock, Rng& rng);

}  // namespace kb::kdc
