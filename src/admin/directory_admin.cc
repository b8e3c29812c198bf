#include "admin/directory_admin.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <functional>

#include "formats/keytab.h"
#include "kdc/accounts.h"
#include "pac/sid.h"
#include "store/cloud.h"
#include "store/sqlite/sqlite_directory.h"

namespace kb::admin {
namespace {

Result<store::Account> must_find(store::DirectoryTxn& t, const std::string& sam) {
  auto a = KB_TRY(t.account_by_sam(sam));
  if (!a) return Error(store::Errc::kNotFound, "no account named " + sam);
  return std::move(*a);
}

// Applies `change` to the named account inside one transaction.
Result<void> update_account(Dc& dc, const std::string& sam,
                            const std::function<Result<void>(store::Account&)>& change) {
  return dc.store->transact([&](store::DirectoryTxn& t) -> Result<void> {
    store::Account a = KB_TRY(must_find(t, sam));
    KB_CHECK(change(a));
    return t.put_account(a);
  });
}

Result<std::string> resolve_member(store::DirectoryTxn& t, const store::Domain& d,
                                   const std::string& m) {
  if (m.rfind("S-1-", 0) == 0) {
    KB_TRY(pac::Sid::parse(m));
    return m;
  }
  if (auto a = KB_TRY(t.account_by_sam(m))) return store::rid_sid(d, a->rid);
  if (auto g = KB_TRY(t.group_by_sam(m))) return g->sid;
  return Error(store::Errc::kNotFound, "no account or group named " + m);
}

Result<store::Group> must_find_group(store::DirectoryTxn& t, const std::string& name) {
  auto g = KB_TRY(t.group_by_sam(name));
  if (!g) return Error(store::Errc::kNotFound, "no group named " + name);
  return std::move(*g);
}

}  // namespace

Result<Dc> init_dc(const DcPaths& paths, const std::string& dns_name, const std::string& netbios,
                   const std::string& domain_sid, const SecretString& admin_password,
                   const Clock& clock, Rng& rng) {
  std::error_code ec;
  std::filesystem::create_directories(paths.data_dir, ec);
  if (ec)
    return Error(store::Errc::kBackend,
                 "cannot create " + paths.data_dir.string() + ": " + ec.message());
  ::chmod(paths.data_dir.c_str(), 0700);
  if (std::filesystem::exists(paths.database())) {
    return Error(store::Errc::kAlreadyExists, paths.database().string() + " already exists");
  }
  Dc dc;
  dc.master_key = std::make_unique<crypto::MasterKey>(
      KB_TRY(crypto::MasterKey::create_stash(paths.stash(), rng)));
  dc.store = KB_TRY(store::sqlite::SqliteDirectoryStore::open(paths.database().string()));
  dc.domain = KB_TRY(kdc::provision_domain(*dc.store,
                                           {dns_name, netbios, domain_sid, admin_password.clone()},
                                           *dc.master_key, clock, rng));
  return dc;
}

Result<Dc> open_dc(const DcPaths& paths) {
  if (!std::filesystem::exists(paths.database())) {
    return Error(store::Errc::kNotFound,
                 "no directory at " + paths.database().string() + " (run dc init)");
  }
  Dc dc;
  dc.master_key =
      std::make_unique<crypto::MasterKey>(KB_TRY(crypto::MasterKey::load_stash(paths.stash())));
  dc.store = KB_TRY(store::sqlite::SqliteDirectoryStore::open(paths.database().string()));
  std::optional<store::Domain> d;
  KB_CHECK(dc.store->transact([&](store::DirectoryTxn& t) -> Result<void> {
    d = KB_TRY(t.domain());
    return ok();
  }));
  if (!d) return Error(store::Errc::kNotFound, "the directory holds no domain (run dc init)");
  dc.domain = std::move(*d);
  return dc;
}

Result<std::uint32_t> add_user(Dc& dc, const NewUser& user,
                               const std::optional<SecretString>& password, const Clock& clock,
                               Rng& rng) {
  if (user.sam_account_name.empty() || user.sam_account_name.size() > 20 ||
      user.sam_account_name.find_first_of("\"/\\[]:;|=,+*?<>@ ") != std::string::npos) {
    // MS-SAMR: at most 20 characters, none of "/\[]:;|=,+*?<>@ and no spaces.
    return Error(store::Errc::kInvalidArgument,
                 "invalid sAMAccountName '" + user.sam_account_name + "'");
  }
  std::uint32_t rid = 0;
  KB_CHECK(dc.store->transact([&](store::DirectoryTxn& t) -> Result<void> {
    store::Account a;
    a.rid = KB_TRY(t.allocate_rid());
    a.sam_account_name = user.computer && user.sam_account_name.back() != '$'
                             ? user.sam_account_name + "$"
                             : user.sam_account_name;
    a.object_class = user.computer ? store::ObjectClass::kComputer : store::ObjectClass::kUser;
    a.user_principal_name = user.computer ? ""
                                          : (user.user_principal_name.empty()
                                                 ? a.sam_account_name + "@" + dc.domain.dns_name
                                                 : user.user_principal_name);
    a.display_name = user.display_name;
    // The immutable identity directory sync anchors on (AD's objectGUID).
    a.attributes["objectGUID"] = {store::new_uuid(rng)};
    if (user.computer) {
      a.user_account_control = store::uac::kWorkstationTrustAccount;
      a.primary_group_id = store::kRidDomainComputers;
    }
    if (password) {
      KB_CHECK(kdc::set_password(a, dc.domain, *password, *dc.master_key, clock, rng));
    } else {
      KB_CHECK(kdc::set_random_keys(a, dc.domain, *dc.master_key, clock, rng));
    }
    KB_CHECK(t.put_account(a));
    rid = a.rid;
    return ok();
  }));
  return rid;
}

Result<void> set_password(Dc& dc, const std::string& sam, const SecretString& password,
                          const Clock& clock, Rng& rng) {
  return update_account(dc, sam, [&](store::Account& a) {
    return kdc::set_password(a, dc.domain, password, *dc.master_key, clock, rng);
  });
}

Result<void> set_enabled(Dc& dc, const std::string& sam, bool enabled) {
  return update_account(dc, sam, [&](store::Account& a) -> Result<void> {
    if (a.rid == store::kRidKrbtgt)
      return Error(store::Errc::kInvalidArgument, "krbtgt stays disabled");
    a.user_account_control = enabled ? (a.user_account_control & ~store::uac::kAccountDisable)
                                     : (a.user_account_control | store::uac::kAccountDisable);
    return ok();
  });
}

namespace {

constexpr AccountFlag kAccountFlags[] = {
    {"dont-expire-password", store::uac::kDontExpirePassword, "password never expires"},
    {"password-not-required", store::uac::kPasswdNotReqd, "no password required"},
    {"smartcard-required", store::uac::kSmartcardRequired, "smart card required for logon"},
    {"trusted-for-delegation", store::uac::kTrustedForDelegation,
     "service tickets to it carry the client's forwarded TGT (unconstrained delegation)"},
    {"not-delegated", store::uac::kNotDelegated, "account is sensitive and cannot be delegated"},
    {"dont-require-preauth", store::uac::kDontRequirePreauth,
     "no Kerberos pre-authentication required"},
    {"trusted-to-auth-for-delegation", store::uac::kTrustedToAuthForDelegation,
     "protocol transition (S4U2Self) allowed"},
    {"no-auth-data-required", store::uac::kNoAuthDataRequired,
     "service tickets to it carry no PAC"},
};

Result<std::uint32_t> flag_bits(const std::vector<std::string>& names) {
  std::uint32_t bits = 0;
  for (const auto& n : names) {
    const auto* f = std::find_if(std::begin(kAccountFlags), std::end(kAccountFlags),
                                 [&](const AccountFlag& a) { return n == a.name; });
    if (f == std::end(kAccountFlags)) {
      return Error(store::Errc::kInvalidArgument, "unknown account flag '" + n + "'");
    }
    bits |= f->bit;
  }
  return bits;
}

}  // namespace

std::span<const AccountFlag> account_flags() {
  return kAccountFlags;
}

Result<std::vector<std::string>> change_account_flags(Dc& dc, const std::string& sam,
                                                      const std::vector<std::string>& set,
                                                      const std::vector<std::string>& clear) {
  const std::uint32_t on = KB_TRY(flag_bits(set));
  const std::uint32_t off = KB_TRY(flag_bits(clear));
  if (on & off) return Error(store::Errc::kInvalidArgument, "a flag both set and cleared");
  std::uint32_t after = 0;
  KB_CHECK(update_account(dc, sam, [&](store::Account& a) -> Result<void> {
    if (a.rid == store::kRidKrbtgt && (on | off) != 0) {
      return Error(store::Errc::kInvalidArgument, "krbtgt's flags are fixed");
    }
    a.user_account_control = (a.user_account_control | on) & ~off;
    after = a.user_account_control;
    return ok();
  }));
  std::vector<std::string> names;
  for (const auto& f : kAccountFlags) {
    if (after & f.bit) names.emplace_back(f.name);
  }
  return names;
}

Result<void> expire_password(Dc& dc, const std::string& sam) {
  return update_account(dc, sam, [](store::Account& a) -> Result<void> {
    a.pwd_last_set = 0;
    return ok();
  });
}

Result<void> unlock(Dc& dc, const std::string& sam) {
  return update_account(dc, sam, [](store::Account& a) -> Result<void> {
    a.lockout_time = 0;
    a.bad_pwd_count = 0;
    a.user_account_control &= ~store::uac::kLockout;
    return ok();
  });
}

Result<std::string> add_group(Dc& dc, const std::string& name) {
  std::string sid;
  KB_CHECK(dc.store->transact([&](store::DirectoryTxn& t) -> Result<void> {
    if (KB_TRY(t.group_by_sam(name)) || KB_TRY(t.account_by_sam(name))) {
      return Error(store::Errc::kAlreadyExists, "the name " + name + " is taken");
    }
    // Groups and accounts share the domain's RID pool, as in AD.
    sid = store::rid_sid(dc.domain, KB_TRY(t.allocate_rid()));
    return t.put_group({sid, name, {}});
  }));
  return sid;
}

Result<void> add_member(Dc& dc, const std::string& group, const std::string& member) {
  return dc.store->transact([&](store::DirectoryTxn& t) -> Result<void> {
    store::Group g = KB_TRY(must_find_group(t, group));
    std::string sid = KB_TRY(resolve_member(t, dc.domain, member));
    if (sid == g.sid) return Error(store::Errc::kInvalidArgument, "a group cannot contain itself");
    if (std::find(g.member_sids.begin(), g.member_sids.end(), sid) == g.member_sids.end()) {
      g.member_sids.push_back(sid);
    }
    return t.put_group(g);
  });
}

Result<void> remove_member(Dc& dc, const std::string& group, const std::string& member) {
  return dc.store->transact([&](store::DirectoryTxn& t) -> Result<void> {
    store::Group g = KB_TRY(must_find_group(t, group));
    std::string sid = KB_TRY(resolve_member(t, dc.domain, member));
    auto it = std::find(g.member_sids.begin(), g.member_sids.end(), sid);
    if (it == g.member_sids.end())
      return Error(store::Errc::kNotFound, member + " is not a member of " + group);
    g.member_sids.erase(it);
    return t.put_group(g);
  });
}

Result<void> add_spn(Dc& dc, const std::string& sam, const std::string& spn) {
  if (spn.find('/') == std::string::npos || spn.find('@') != std::string::npos) {
    return Error(store::Errc::kInvalidArgument,
                 "an SPN looks like service/host[:port], without a realm");
  }
  return update_account(dc, sam, [&](store::Account& a) -> Result<void> {
    a.service_principal_names.push_back(spn);
    return ok();
  });
}

Result<void> remove_spn(Dc& dc, const std::string& sam, const std::string& spn) {
  return update_account(dc, sam, [&](store::Account& a) -> Result<void> {
    auto& spns = a.service_principal_names;
    auto it = std::find_if(spns.begin(), spns.end(), [&](const std::string& s) {
      return s.size() == spn.size() &&
             std::equal(s.begin(), s.end(), spn.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
             });
    });
    if (it == spns.end()) return Error(store::Errc::kNotFound, sam + " has no SPN " + spn);
    spns.erase(it);
    return ok();
  });
}

Result<void> export_keytab(Dc& dc, const std::string& principal, const std::filesystem::path& out) {
  std::optional<store::Account> account;
  KB_CHECK(dc.store->transact([&](store::DirectoryTxn& t) -> Result<void> {
    account = KB_TRY(t.account_by_spn(principal));
    if (!account) account = KB_TRY(t.account_by_sam(principal));
    return ok();
  }));
  if (!account) return Error(store::Errc::kNotFound, "no account with SPN or name " + principal);
  std::vector<std::string> components;
  for (std::size_t start = 0;;) {
    auto slash = principal.find('/', start);
    components.push_back(
        principal.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  std::vector<formats::KeytabEntry> kt;
  const std::uint32_t kvno = kdc::current_kvno(*account);
  for (crypto::EncType e :
       {crypto::EncType::kAes256CtsHmacSha196, crypto::EncType::kAes128CtsHmacSha196}) {
    auto key = kdc::account_key(*account, e, kvno, *dc.master_key);
    if (!key) continue;  // an account without this enctype
    formats::KeytabEntry entry;
    entry.components = components;
    entry.realm = dc.domain.realm;
    entry.name_type = components.size() > 1 ? 3u : 1u;  // NT-SRV-HST for services
    entry.kvno = kvno;
    entry.enctype = static_cast<std::int32_t>(e);
    entry.key = key->bytes().clone();
    kt.push_back(std::move(entry));
  }
  if (kt.empty()) return Error(store::Errc::kNotFound, principal + " has no AES keys");
  return formats::write_private_file(out, KB_TRY(formats::encode_keytab(kt)));
}

}  // namespace kb::admin
