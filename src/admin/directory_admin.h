// Managing the domain controller's directory: what `keybridge dc ...` does. Every change
// is one store transaction; keys are derived and wrapped here, never passed in clear.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "base/secret.h"
#include "crypto/master_key.h"
#include "store/directory.h"

namespace kb::admin {

// A DC's data directory: directory.db and master.stash.
struct DcPaths {
  std::filesystem::path data_dir;
  [[nodiscard]] std::filesystem::path database() const { return data_dir / "directory.db"; }
  [[nodiscard]] std::filesystem::path stash() const { return data_dir / "master.stash"; }
};

// An opened DC: its store and master key.
struct Dc {
  std::unique_ptr<store::DirectoryStore> store;
  std::unique_ptr<crypto::MasterKey> master_key;
  store::Domain domain;
};

// Creates the data directory (0700), the master-key stash and the directory, and provisions
// the domain. Refuses a directory that already holds one.
Result<Dc> init_dc(const DcPaths& paths, const std::string& dns_name, const std::string& netbios,
                   const std::string& domain_sid, const SecretString& admin_password,
                   const Clock& clock, Rng& rng);
Result<Dc> open_dc(const DcPaths& paths);

struct NewUser {
  std::string sam_account_name;
  std::string user_principal_name;  // empty = sam@dns-domain
  std::string display_name;
  bool computer = false;  // a computer account (sam ends in '$')
};
// Returns the new account's RID.
Result<std::uint32_t> add_user(Dc& dc, const NewUser& user,
                               const std::optional<SecretString>& password, const Clock& clock,
                               Rng& rng);
Result<void> set_password(Dc& dc, const std::string& sam, const SecretString& password,
                          const Clock& clock, Rng& rng);
Result<void> set_enabled(Dc& dc, const std::string& sam, bool enabled);
// "User must change password at next logon" (pwdLastSet = 0).
Result<void> expire_password(Dc& dc, const std::string& sam);
Result<void> unlock(Dc& dc, const std::string& sam);

// The userAccountControl flags an administrator sets directly (MS-ADTS 2.2.16), by the names
// `keybridge dc user flags` uses. Disable, lockout and the account type have their own
// commands or are fixed at creation.
struct AccountFlag {
  const char* name;  // "not-delegated"
  std::uint32_t bit;
  const char* meaning;
};
std::span<const AccountFlag> account_flags();
// Sets then clears the named flags; an unknown name is kInvalidArgument and changes nothing.
// Returns the account's flags after the change (by name, in table order).
Result<std::vector<std::string>> change_account_flags(Dc& dc, const std::string& sam,
                                                      const std::vector<std::string>& set,
                                                      const std::vector<std::string>& clear);

Result<std::string> add_group(Dc& dc, const std::string& name);  // returns its SID
// A member is an account or group by name, or a SID.
Result<void> add_member(Dc& dc, const std::string& group, const std::string& member);
Result<void> remove_member(Dc& dc, const std::string& group, const std::string& member);

Result<void> add_spn(Dc& dc, const std::string& sam, const std::string& spn);
Result<void> remove_spn(Dc& dc, const std::string& sam, const std::string& spn);

// An MIT keytab (0x502) with the account's current keys (aes256, aes128) under `principal`
// (an SPN such as HTTP/web.contoso.test, or the account name), mode 0600.
Result<void> export_keytab(Dc& dc, const std::string& principal, const std::filesystem::path& out);

}  // namespace kb::admin
