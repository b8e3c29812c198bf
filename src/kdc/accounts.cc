#include "kdc/accounts.h"

#include <algorithm>
#include <cctype>

#include "kdc/errc.h"
#include "pac/sid.h"

namespace kb::kdc {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}
std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

std::int64_t unix_now(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
}

// Replaces the account's keys with `fresh` at kvno = current + 1, keeping the previous
// kvno's keys so tickets issued just before a password change still decrypt.
void install_keys(store::Account& account, std::vector<store::StoredKey> fresh) {
  const std::uint32_t old = current_kvno(account);
  std::vector<store::StoredKey> keep;
  for (auto& k : account.keys) {
    if (k.kvno == old && old != 0) keep.push_back(std::move(k));
  }
  account.keys = std::move(fresh);
  for (auto& k : keep) account.keys.push_back(std::move(k));
}

Result<store::StoredKey> wrap_key(const store::Account& account, const crypto::Key& key,
                                  std::uint32_t kvno, const std::string& salt,
                                  const crypto::MasterKey& mk, Rng& rng) {
  const auto etype = static_cast<std::int32_t>(key.enctype());
  store::StoredKey sk;
  sk.enctype = etype;
  sk.kvno = kvno;
  sk.wrapped_key = KB_TRY(mk.wrap(key.bytes().reveal(),
                                  crypto::key_binding(account.sam_account_name, kvno, etype), rng));
  sk.salt = key.enctype() == crypto::EncType::kRc4Hmac ? std::string() : salt;
  if (key.enctype() != crypto::EncType::kRc4Hmac)
    sk.s2kparams = crypto::default_s2kparams(key.enctype());
  return sk;
}

Result<std::string> random_domain_sid(Rng& rng) {
  Bytes b(12);
  rng.fill(b);
  std::string sid = "S-1-5-21";
  for (std::size_t i = 0; i < 3; ++i) {
    std::uint32_t v = (std::uint32_t{b[4 * i]} << 24) | (std::uint32_t{b[4 * i + 1]} << 16) |
                      (std::uint32_t{b[4 * i + 2]} << 8) | b[4 * i + 3];
    sid += "-" + std::to_string(v);
  }
  return sid;
}

}  // namespace

std::string account_salt(const store::Domain& domain, const store::Account& account) {
  if (account.object_class == store::ObjectClass::kComputer) {
    std::string name = account.sam_account_name;
    if (!name.empty() && name.back() == '$') name.pop_back();
    return domain.realm + "host" + lower(name) + "." + lower(domain.dns_name);
  }
  return domain.realm + account.sam_account_name;
}

std::uint32_t current_kvno(const store::Account& account) {
  std::uint32_t v = 0;
  for (const auto& k : account.keys) v = std::max(v, k.kvno);
  return v;
}

Result<void> set_password(store::Account& account, const store::Domain& domain,
                          const SecretString& password, const crypto::MasterKey& mk,
                          const Clock& clock, Rng& rng) {
  const std::uint32_t kvno = current_kvno(account) + 1;
  const std::string salt = account_salt(domain, account);
  std::vector<store::StoredKey> fresh;
  for (crypto::EncType e : kStoredEnctypes) {
    crypto::Key key = KB_TRY(crypto::string_to_key(e, password, salt));
    fresh.push_back(KB_TRY(wrap_key(account, key, kvno, salt, mk, rng)));
  }
  install_keys(account, std::move(fresh));
  account.pwd_last_set = unix_now(clock);
  return ok();
}

Result<void> set_random_keys(store::Account& account, const store::Domain& domain,
                             const crypto::MasterKey& mk, const Clock& clock, Rng& rng) {
  const std::uint32_t kvno = current_kvno(account) + 1;
  const std::string salt = account_salt(domain, account);
  std::vector<store::StoredKey> fresh;
  for (crypto::EncType e : kStoredEnctypes) {
    crypto::Key key = crypto::Key::random(e, rng);
    fresh.push_back(KB_TRY(wrap_key(account, key, kvno, salt, mk, rng)));
  }
  install_keys(account, std::move(fresh));
  account.pwd_last_set = unix_now(clock);
  return ok();
}

Result<crypto::Key> account_key(const store::Account& account, crypto::EncType enctype,
                                std::uint32_t kvno, const crypto::MasterKey& mk) {
  if (kvno == 0) kvno = current_kvno(account);
  const auto etype = static_cast<std::int32_t>(enctype);
  for (const auto& k : account.keys) {
    if (k.enctype != etype || k.kvno != kvno) continue;
    SecretBytes raw = KB_TRY(
        mk.unwrap(k.wrapped_key, crypto::key_binding(account.sam_account_name, kvno, etype)));
    return crypto::Key::from_bytes(enctype, raw.reveal());
  }
  return Error(store::Errc::kNotFound,
               "no key of enctype " + std::to_string(etype) + " at kvno " + std::to_string(kvno));
}

Result<void> check_account_usable(const store::Account& a, const store::Domain& d,
                                  std::int64_t now) {
  if (a.user_account_control & store::uac::kAccountDisable) {
    return Error(Errc::kClientRevoked, "account disabled");
  }
  if (is_locked_out(a, d, now) || (a.user_account_control & store::uac::kLockout)) {
    return Error(Errc::kClientRevoked, "account locked out");
  }
  if (a.account_expires != 0 && a.account_expires <= now) {
    return Error(Errc::kClientRevoked, "account expired");
  }
  return ok();
}

bool is_locked_out(const store::Account& a, const store::Domain& d, std::int64_t now) {
  if (a.lockout_time == 0) return false;
  return d.lockout_duration_s <= 0 || now < a.lockout_time + d.lockout_duration_s;
}

bool count_bad_password(store::Account& a, const store::Domain& d, std::int64_t now) {
  if (d.lockout_threshold == 0 || a.rid == store::kRidAdministrator) return false;
  if (a.lockout_time != 0 && !is_locked_out(a, d, now)) {
    // The lockout has run its course: counting starts afresh (MS-SAMR 3.1.1.8.10).
    a.lockout_time = 0;
    a.bad_pwd_count = 0;
  }
  if (a.bad_password_time + d.lockout_observation_window_s <= now) a.bad_pwd_count = 0;
  a.bad_pwd_count += 1;
  a.bad_password_time = now;
  if (a.bad_pwd_count >= d.lockout_threshold && a.lockout_time == 0) a.lockout_time = now;
  return true;
}

bool clear_bad_passwords(store::Account& a) {
  if (a.bad_pwd_count == 0 && a.lockout_time == 0) return false;
  a.bad_pwd_count = 0;
  a.lockout_time = 0;
  return true;
}

Result<void> check_password_current(const store::Account& a, const store::Domain& d,
                                    std::int64_t now) {
  if (a.pwd_last_set == 0 || (a.user_account_control & store::uac::kPasswordExpired)) {
    return Error(Errc::kKeyExpired, "password must be changed");
  }
  if (d.max_password_age_s > 0 && !(a.user_account_control & store::uac::kDontExpirePassword) &&
      a.pwd_last_set + d.max_password_age_s <= now) {
    return Error(Errc::kKeyExpired, "password expired");
  }
  return ok();
}

Result<store::Domain> provision_domain(store::DirectoryStore& store, const ProvisionRequest& req,
                                       const crypto::MasterKey& mk, const Clock& clock, Rng& rng) {
  if (req.dns_name.empty() || req.dns_name.find('.') == std::string::npos) {
    return Error(store::Errc::kInvalidArgument, "the domain needs a DNS name such as contoso.test");
  }
  if (req.administrator_password.empty()) {
    return Error(store::Errc::kInvalidArgument, "the Administrator needs a password");
  }
  store::Domain d;
  d.dns_name = lower(req.dns_name);
  d.realm = upper(d.dns_name);
  d.netbios_name = req.netbios_name.empty() ? upper(d.dns_name.substr(0, d.dns_name.find('.')))
                                            : upper(req.netbios_name);
  d.sid = req.domain_sid.empty() ? KB_TRY(random_domain_sid(rng)) : req.domain_sid;
  KB_TRY_CTX(pac::Sid::parse(d.sid), "domain SID");

  KB_CHECK(store.transact([&](store::DirectoryTxn& t) -> Result<void> {
    if (KB_TRY(t.domain()))
      return Error(store::Errc::kAlreadyExists, "this directory already holds a domain");
    KB_CHECK(t.put_domain(d));

    store::Account krbtgt;
    krbtgt.rid = store::kRidKrbtgt;
    krbtgt.sam_account_name = "krbtgt";
    krbtgt.display_name = "Key Distribution Center Service Account";
    krbtgt.user_account_control =
        store::uac::kNormalAccount | store::uac::kAccountDisable | store::uac::kDontExpirePassword;
    // AD registers the password-change service on the krbtgt account: MIT and Windows
    // clients ask for kadmin/changepw when the KDC says KEY_EXPIRED.
    krbtgt.service_principal_names = {"kadmin/changepw"};
    KB_CHECK(set_random_keys(krbtgt, d, mk, clock, rng));
    KB_CHECK(t.put_account(krbtgt));

    store::Account admin;
    admin.rid = store::kRidAdministrator;
    admin.sam_account_name = "Administrator";
    admin.user_principal_name = "Administrator@" + d.dns_name;
    admin.display_name = "Administrator";
    admin.user_account_control = store::uac::kNormalAccount | store::uac::kDontExpirePassword;
    KB_CHECK(set_password(admin, d, req.administrator_password, mk, clock, rng));
    KB_CHECK(t.put_account(admin));

    const std::string admin_sid = store::rid_sid(d, store::kRidAdministrator);
    const std::string krbtgt_sid = store::rid_sid(d, store::kRidKrbtgt);
    for (const auto& g : store::well_known_groups()) {
      store::Group group;
      group.sid = g.rid != 0 ? store::rid_sid(d, g.rid) : std::string(g.builtin_sid);
      group.sam_account_name = g.sam_account_name;
      switch (g.rid) {
        case 512:  // Domain Admins
        case 518:  // Schema Admins
        case 519:  // Enterprise Admins
        case 520:  // Group Policy Creator Owners
          group.member_sids = {admin_sid};
          break;
        case 572:  // Denied RODC Password Replication Group: its default members
                   // (Samba provision_users.ldif; protocol digest D.1)
          for (std::uint32_t rid : {521u, 520u, 512u, 517u, 519u, 518u, 516u}) {
            group.member_sids.push_back(store::rid_sid(d, rid));
          }
          group.member_sids.push_back(krbtgt_sid);
          break;
        default:
          break;
      }
      if (g.rid == 0 && std::string_view(g.builtin_sid) == "S-1-5-32-544") {
        // BUILTIN\Administrators holds the Administrator, Domain Admins, Enterprise Admins.
        group.member_sids = {admin_sid, store::rid_sid(d, 512), store::rid_sid(d, 519)};
      }
      KB_CHECK(t.put_group(group));
    }
    return ok();
  }));
  return d;
}

}  // namespace kb::kdc
