// The directory of an AD-shaped domain: what the DC's KDC and the admin commands read and
// write. Pure data plus the DirectoryStore interface; backends live in store/<backend>/.
//
// Names follow AD's attributes (sAMAccountName -> sam_account_name, userAccountControl ->
// user_account_control) so a grep from AD documentation finds the code.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace kb::store {

enum class Errc {
  kNotFound = 1,
  kAlreadyExists,
  kConflict,  // a uniqueness rule (sAMAccountName, UPN, SPN, branch number) would break
  kInvalidArgument,
  kSchemaVersion,  // the database was written by a newer Keybridge
  kBackend,        // the database itself failed (I/O, corruption, busy past the timeout)
};
constexpr ErrorDomain error_domain(Errc) {
  return ErrorDomain::kStore;
}
std::string_view error_code_name(Errc e);

// userAccountControl bits (MS-ADTS 2.2.16).
namespace uac {
inline constexpr std::uint32_t kAccountDisable = 0x00000002;
inline constexpr std::uint32_t kLockout = 0x00000010;
inline constexpr std::uint32_t kPasswdNotReqd = 0x00000020;
inline constexpr std::uint32_t kNormalAccount = 0x00000200;
inline constexpr std::uint32_t kInterdomainTrustAccount = 0x00000800;
inline constexpr std::uint32_t kWorkstationTrustAccount = 0x00001000;
inline constexpr std::uint32_t kServerTrustAccount = 0x00002000;
inline constexpr std::uint32_t kDontExpirePassword = 0x00010000;
inline constexpr std::uint32_t kSmartcardRequired = 0x00040000;
inline constexpr std::uint32_t kTrustedForDelegation = 0x00080000;
inline constexpr std::uint32_t kNotDelegated = 0x00100000;
inline constexpr std::uint32_t kDontRequirePreauth = 0x00400000;
inline constexpr std::uint32_t kPasswordExpired = 0x00800000;
inline constexpr std::uint32_t kTrustedToAuthForDelegation = 0x01000000;
inline constexpr std::uint32_t kNoAuthDataRequired = 0x02000000;  // NA: no PAC in service tickets
inline constexpr std::uint32_t kPartialSecretsAccount = 0x04000000;
}  // namespace uac

struct Domain {
  std::string dns_name;                            // contoso.test
  std::string realm;                               // CONTOSO.TEST
  std::string netbios_name;                        // CONTOSO
  std::string sid;                                 // S-1-5-21-a-b-c
  std::int64_t max_password_age_s = 42 * 86400;    // AD default maxPwdAge: 42 days; 0 = never
  std::int64_t max_ticket_lifetime_s = 10 * 3600;  // AD "Maximum lifetime for user ticket"
  std::int64_t max_renew_lifetime_s = 7 * 86400;   // AD "Maximum lifetime for renewal"
  std::int64_t max_clock_skew_s = 300;
  std::uint32_t next_rid = 1000;  // AD hands out RIDs from 1000 (rIDAvailablePool, simplified)
  // Account lockout policy (MS-ADTS 3.1.1.5.3.7 / MS-SAMR 3.1.1.8.10), AD's defaults:
  // lockoutThreshold 0 = never lock; lockoutDuration 0 = locked until an admin unlocks.
  std::uint32_t lockout_threshold = 0;
  std::int64_t lockout_duration_s = 30 * 60;
  std::int64_t lockout_observation_window_s = 30 * 60;  // lockOutObservationWindow
};

// One Kerberos key of an account, as stored: the key bytes are wrapped under the master
// key (see KeyWrapper), never held in the clear at rest.
struct StoredKey {
  std::int32_t enctype = 0;
  std::uint32_t kvno = 0;
  Bytes wrapped_key;
  std::string salt;  // the exact string-to-key salt, sent in ETYPE-INFO2
  Bytes s2kparams;   // empty = the enctype's default
  friend bool operator==(const StoredKey&, const StoredKey&) = default;
};

enum class ObjectClass : std::uint8_t { kUser = 1, kComputer = 2 };

struct Account {
  std::uint32_t rid = 0;  // objectSid = domain SID + rid
  ObjectClass object_class = ObjectClass::kUser;
  std::string sam_account_name;     // computers end in '$'
  std::string user_principal_name;  // empty when unset
  std::string display_name;
  std::uint32_t user_account_control = uac::kNormalAccount;
  std::uint32_t primary_group_id = 513;  // Domain Users
  std::int64_t pwd_last_set = 0;         // unix seconds; 0 = "must change password"
  std::int64_t account_expires = 0;      // unix seconds; 0 = never
  std::int64_t lockout_time = 0;         // unix seconds; 0 = not locked
  std::uint32_t bad_pwd_count = 0;
  std::int64_t bad_password_time = 0;                // badPasswordTime, unix seconds; 0 = never
  std::vector<std::string> service_principal_names;  // "HTTP/web.contoso.test"
  std::vector<StoredKey> keys;  // every enctype of the current kvno, plus the previous kvno
  // Other AD attributes, multi-valued, by lDAPDisplayName (msDS-KrbTgtLink,
  // msDS-SecondaryKrbTgtNumber, msDS-RevealOnDemandGroup, ...).
  std::map<std::string, std::vector<std::string>> attributes;
  friend bool operator==(const Account&, const Account&) = default;
};

struct Group {
  std::string sid;  // domain groups: domain SID + RID; BUILTIN: S-1-5-32-5xx
  std::string sam_account_name;
  std::vector<std::string> member_sids;  // users, computers and groups (nesting)
  friend bool operator==(const Group&, const Group&) = default;
};

// Any other directory object, by distinguished name: the service connection point of a
// Kerberos server object (CN=900274c4-...,CN=AzureAD,CN=System,<domain DN>), for instance.
struct DirectoryObject {
  std::string dn;
  std::string object_class;  // serviceConnectionPoint, ...
  std::map<std::string, std::vector<std::string>> attributes;
  friend bool operator==(const DirectoryObject&, const DirectoryObject&) = default;
};

// The operations a transaction can do. Lookups are case-insensitive on names, as AD's are.
class DirectoryTxn {
 public:
  virtual ~DirectoryTxn() = default;

  virtual Result<std::optional<Domain>> domain() = 0;
  virtual Result<void> put_domain(const Domain& d) = 0;

  virtual Result<std::optional<Account>> account_by_rid(std::uint32_t rid) = 0;
  virtual Result<std::optional<Account>> account_by_sam(std::string_view sam) = 0;
  virtual Result<std::optional<Account>> account_by_upn(std::string_view upn) = 0;
  virtual Result<std::optional<Account>> account_by_spn(std::string_view spn) = 0;
  // Accounts with attribute `name` equal to `value` (e.g. msDS-SecondaryKrbTgtNumber).
  virtual Result<std::vector<Account>> accounts_by_attribute(std::string_view name,
                                                             std::string_view value) = 0;
  virtual Result<std::vector<Account>> all_accounts() = 0;
  // Insert or replace by rid. Uniqueness of sAMAccountName, UPN and SPNs is enforced
  // across accounts (kConflict).
  virtual Result<void> put_account(const Account& a) = 0;
  // Only badPwdCount, badPasswordTime and lockoutTime of `a` (the KDC's bad-password
  // accounting): one row update, leaving keys, SPNs and attributes alone. kNotFound when
  // no account has a.rid.
  virtual Result<void> put_logon_state(const Account& a) = 0;
  virtual Result<void> delete_account(std::uint32_t rid) = 0;
  // Allocates the next RID from the domain's pool.
  virtual Result<std::uint32_t> allocate_rid() = 0;

  virtual Result<std::optional<Group>> group_by_sid(std::string_view sid) = 0;
  virtual Result<std::optional<Group>> group_by_sam(std::string_view sam) = 0;
  virtual Result<std::vector<Group>> all_groups() = 0;
  virtual Result<void> put_group(const Group& g) = 0;
  virtual Result<void> delete_group(std::string_view sid) = 0;
  // SIDs of every group that has `member_sid` as a member, directly or through nesting.
  virtual Result<std::vector<std::string>> groups_containing(std::string_view member_sid) = 0;

  // DNs compare case-insensitively, as AD's do.
  virtual Result<std::optional<DirectoryObject>> object_by_dn(std::string_view dn) = 0;
  virtual Result<void> put_object(const DirectoryObject& o) = 0;  // insert or replace
  virtual Result<void> delete_object(std::string_view dn) = 0;    // kNotFound if absent

  // A counter that every committed write to the directory increases (any table, any
  // process): equal values in two snapshots mean nothing changed in between.
  virtual Result<std::uint64_t> generation() = 0;
};

class DirectoryStore {
 public:
  virtual ~DirectoryStore() = default;
  // Runs `fn` in one transaction: committed when fn returns ok, rolled back otherwise
  // (the error is returned). Read-only work may use the same call.
  virtual Result<void> transact(const std::function<Result<void>(DirectoryTxn&)>& fn) = 0;
  // Runs `fn` in a read-only snapshot: never takes the write lock, so readers on every
  // core proceed in parallel (the KDC's per-request lookups). Writes inside fail.
  virtual Result<void> read(const std::function<Result<void>(DirectoryTxn&)>& fn) {
    return transact(fn);
  }
  // DirectoryTxn::generation() as of now; backends make it cheaper than a transaction.
  virtual Result<std::uint64_t> generation() {
    std::uint64_t g = 0;
    KB_CHECK(read([&](DirectoryTxn& t) -> Result<void> {
      g = KB_TRY(t.generation());
      return ok();
    }));
    return g;
  }
};

// Objects every AD domain starts with (MS-ADTS 7.1.1.6 well-known RIDs / SIDs).
struct WellKnownGroup {
  std::uint32_t rid;  // 0 for BUILTIN groups, whose SID is given in `builtin_sid`
  const char* builtin_sid;
  const char* sam_account_name;
};
const std::vector<WellKnownGroup>& well_known_groups();
inline constexpr std::uint32_t kRidAdministrator = 500;
inline constexpr std::uint32_t kRidKrbtgt = 502;
inline constexpr std::uint32_t kRidDomainAdmins = 512;
inline constexpr std::uint32_t kRidDomainUsers = 513;
inline constexpr std::uint32_t kRidDomainComputers = 515;
inline constexpr std::uint32_t kRidDomainControllers = 516;
inline constexpr std::uint32_t kRidReadOnlyDomainControllers = 521;
inline constexpr std::uint32_t kRidAllowedRodcPasswordReplicationGroup = 571;
inline constexpr std::uint32_t kRidDeniedRodcPasswordReplicationGroup = 572;

std::string rid_sid(const Domain& d, std::uint32_t rid);  // domain SID + "-" + rid
// "contoso.test" -> "DC=contoso,DC=test"
std::string domain_dn(const Domain& d);

}  // namespace kb::store
