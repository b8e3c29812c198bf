#include "kdc/kdc_directory.h"

#include <strings.h>

#include <algorithm>

#include "kdc/accounts.h"
#include "kdc/errc.h"

namespace kb::kdc {
namespace {

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string principal_to_string(const krb5::PrincipalName& name) {
  std::string out;
  for (const auto& c : name.name_string) {
    if (!out.empty()) out += '/';
    out += c;
  }
  return out;
}

namespace {

// The directory whose RequestScope is open on this thread, if any.
thread_local const KdcDirectory* t_scope = nullptr;

// Cache keys: a kind letter, then each name component as <length>:<bytes>, so distinct
// names never share a key whatever bytes they hold.
std::string cache_key(char kind, const krb5::PrincipalName& name) {
  std::string key(1, kind);
  key += name.name_type == krb5::name_type::kEnterprise ? 'e' : 'n';
  for (const auto& c : name.name_string) {
    key += std::to_string(c.size());
    key += ':';
    key += c;
  }
  return key;
}

bool same_domain(const store::Domain& a, store::Domain b) {
  b.next_rid = a.next_rid;  // handed out by account creation; nothing the KDC reads
  return a.dns_name == b.dns_name && a.realm == b.realm && a.netbios_name == b.netbios_name &&
         a.sid == b.sid && a.max_password_age_s == b.max_password_age_s &&
         a.max_ticket_lifetime_s == b.max_ticket_lifetime_s &&
         a.max_renew_lifetime_s == b.max_renew_lifetime_s &&
         a.max_clock_skew_s == b.max_clock_skew_s && a.lockout_threshold == b.lockout_threshold &&
         a.lockout_duration_s == b.lockout_duration_s &&
         a.lockout_observation_window_s == b.lockout_observation_window_s;
}

}  // namespace

KdcDirectory::RequestScope::RequestScope(KdcDirectory& dir) {
  if (t_scope != nullptr) return;  // already inside a request on this thread
  dir.begin_request();
  t_scope = &dir;
  active_ = true;
}

KdcDirectory::RequestScope::~RequestScope() {
  if (active_) t_scope = nullptr;
}

bool KdcDirectory::in_scope() const {
  return t_scope == this;
}

void KdcDirectory::begin_request() {
  auto g = store_.generation();
  std::lock_guard lock(cache_mu_);
  // Unreadable: cache nothing this time; the lookups read the store and report its error.
  if (!g) return reset_cache(std::nullopt);
  if (generation_ != *g) reset_cache(*g);
}

void KdcDirectory::reset_cache(std::optional<std::uint64_t> generation) {
  accounts_.clear();
  token_groups_.clear();
  generation_ = generation;
  domain_stale_ = true;
}

Result<const store::Domain*> KdcDirectory::domain() {
  std::lock_guard lock(mu_);
  if (domain_ && !domain_stale_.exchange(false)) return domain_.get();
  std::optional<store::Domain> d;
  auto r = store_.read([&](store::DirectoryTxn& t) -> Result<void> {
    d = KB_TRY(t.domain());
    return ok();
  });
  if (!r || !d) {
    if (domain_) {  // keep serving the last one we read; try again next time
      domain_stale_ = true;
      return domain_.get();
    }
    if (!r) return std::move(r).error();
    return Error(store::Errc::kNotFound, "the directory holds no domain (run dc init)");
  }
  if (!domain_ || !same_domain(*domain_, *d)) {
    if (domain_) retired_domains_.push_back(std::move(domain_));
    domain_ = std::make_shared<const store::Domain>(std::move(*d));
  }
  return domain_.get();
}

bool KdcDirectory::is_our_realm(std::string_view realm) {
  auto d = domain();
  return d && iequal(realm, (*d)->realm);
}

Result<std::shared_ptr<const store::Account>> KdcDirectory::find(const std::string& key,
                                                                 const Finder& fn) {
  const bool scoped = in_scope();
  if (scoped) {
    std::lock_guard lock(cache_mu_);
    if (auto it = accounts_.find(key); it != accounts_.end()) return it->second;
  }
  std::optional<store::Account> found;
  std::optional<std::uint64_t> generation;
  KB_CHECK(store_.read([&](store::DirectoryTxn& t) -> Result<void> {
    // Read in the same snapshot as the account: the entry is cached only when that
    // snapshot is the cache's generation, so nothing older than the cache gets in.
    if (scoped) generation = KB_TRY(t.generation());
    found = KB_TRY(fn(t));
    return ok();
  }));
  if (!found) return std::shared_ptr<const store::Account>();
  auto shared = std::make_shared<const store::Account>(std::move(*found));
  if (scoped) {
    std::lock_guard lock(cache_mu_);
    if (generation && generation_ == generation) {
      if (accounts_.size() >= kMaxCachedAccounts) accounts_.clear();
      accounts_.emplace(key, shared);
    }
  }
  return shared;
}

Result<store::Account> KdcDirectory::client(const krb5::PrincipalName& name) {
  const store::Domain* d = KB_TRY(domain());
  const auto& parts = name.name_string;
  if (parts.empty() || parts.size() > 8) {
    return Error(Errc::kCPrincipalUnknown, "empty or oversized client name");
  }
  const std::string dns_name = d->dns_name;
  auto found = KB_TRY(find(
      cache_key('c', name), [&](store::DirectoryTxn& t) -> Result<std::optional<store::Account>> {
        if (parts.size() > 1) return t.account_by_spn(principal_to_string(name));
        const std::string& n = parts[0];
        const auto at = n.rfind('@');
        if (name.name_type == krb5::name_type::kEnterprise && at != std::string::npos) {
          auto by_upn = KB_TRY(t.account_by_upn(n));
          if (by_upn) return by_upn;
          // RFC 6806 §5: an enterprise name whose suffix is the domain maps to the account name.
          if (iequal(std::string_view(n).substr(at + 1), dns_name))
            return t.account_by_sam(n.substr(0, at));
          return std::optional<store::Account>();
        }
        auto by_sam = KB_TRY(t.account_by_sam(n));
        if (by_sam || at == std::string::npos) return by_sam;
        return t.account_by_upn(n);
      }));
  if (!found) return Error(Errc::kCPrincipalUnknown, "no account " + principal_to_string(name));
  return *found;
}

Result<std::shared_ptr<const store::Account>> KdcDirectory::krbtgt_shared() {
  auto found =
      KB_TRY(find("k", [](store::DirectoryTxn& t) { return t.account_by_rid(store::kRidKrbtgt); }));
  if (!found) return Error(Errc::kSPrincipalUnknown, "the domain has no krbtgt account");
  return found;
}

Result<store::Account> KdcDirectory::krbtgt() {
  return *KB_TRY(krbtgt_shared());
}

Result<store::Account> KdcDirectory::service(const krb5::PrincipalName& name) {
  return *KB_TRY(service_shared(name));
}

Result<std::shared_ptr<const store::Account>> KdcDirectory::service_shared(
    const krb5::PrincipalName& name) {
  const auto& parts = name.name_string;
  if (parts.empty() || parts.size() > 8) {
    return Error(Errc::kSPrincipalUnknown, "empty or oversized service name");
  }
  if (parts.size() == 2 && iequal(parts[0], "krbtgt")) {
    if (!is_our_realm(parts[1])) {
      return Error(Errc::kSPrincipalUnknown, "no cross-realm trust for krbtgt/" + parts[1]);
    }
    return krbtgt_shared();
  }
  auto found = KB_TRY(find(cache_key('s', name),
                           [&](store::DirectoryTxn& t) -> Result<std::optional<store::Account>> {
                             if (parts.size() == 1) return t.account_by_sam(parts[0]);
                             return t.account_by_spn(principal_to_string(name));
                           }));
  if (!found) return Error(Errc::kSPrincipalUnknown, "no service " + principal_to_string(name));
  return found;
}

Result<std::vector<store::Account>> KdcDirectory::accounts_with(std::string_view name,
                                                                std::string_view value) {
  std::vector<store::Account> out;
  KB_CHECK(store_.read([&](store::DirectoryTxn& t) -> Result<void> {
    out = KB_TRY(t.accounts_by_attribute(name, value));
    return ok();
  }));
  return out;
}

std::string KdcDirectory::group_name(std::string_view sid) {
  std::string out(sid);
  (void)store_.read([&](store::DirectoryTxn& t) -> Result<void> {
    if (auto g = KB_TRY(t.group_by_sid(sid))) out = g->sam_account_name;
    return ok();
  });
  return out;
}

Result<std::vector<std::string>> KdcDirectory::token_groups(const store::Account& account) {
  const store::Domain* d = KB_TRY(domain());
  const bool scoped = in_scope();
  const std::uint64_t groups_key = std::uint64_t{account.rid} << 32 | account.primary_group_id;
  if (scoped) {
    std::lock_guard lock(cache_mu_);
    if (auto it = token_groups_.find(groups_key); it != token_groups_.end()) return it->second;
  }
  const std::string user_sid = store::rid_sid(*d, account.rid);
  const std::string primary = store::rid_sid(*d, account.primary_group_id);
  std::vector<std::string> out;
  std::optional<std::uint64_t> generation;
  KB_CHECK(store_.read([&](store::DirectoryTxn& t) -> Result<void> {
    if (scoped) generation = KB_TRY(t.generation());
    out = KB_TRY(t.groups_containing(user_sid));
    // The primary group holds its members implicitly (AD's primaryGroupID); its own
    // nesting counts too.
    auto via_primary = KB_TRY(t.groups_containing(primary));
    out.push_back(primary);
    out.insert(out.end(), via_primary.begin(), via_primary.end());
    return ok();
  }));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (scoped) {
    std::lock_guard lock(cache_mu_);
    if (generation && generation_ == generation && token_groups_.size() < kMaxCachedAccounts)
      token_groups_.emplace(groups_key, out);
  }
  return out;
}

Result<std::shared_ptr<const crypto::Key>> KdcDirectory::key(const store::Account& account,
                                                             crypto::EncType enctype,
                                                             std::uint32_t kvno) {
  if (kvno == 0) kvno = current_kvno(account);
  const auto etype = static_cast<std::int32_t>(enctype);
  const store::StoredKey* stored = nullptr;
  for (const auto& k : account.keys) {
    if (k.enctype == etype && k.kvno == kvno) stored = &k;
  }
  if (stored == nullptr) return Error(Errc::kNoKey, "no key for this enctype and kvno");
  KeyId id{account.rid, kvno, etype};
  {
    std::lock_guard lock(mu_);
    auto it = keys_.find(id);
    // The wrapped blob is compared too: a key replaced at the same kvno is never served stale.
    if (it != keys_.end() && it->second.first == stored->wrapped_key) return it->second.second;
  }
  auto key = std::make_shared<const crypto::Key>(KB_TRY(account_key(account, enctype, kvno, mk_)));
  std::lock_guard lock(mu_);
  if (keys_.size() >= kMaxCachedKeys) keys_.clear();
  keys_[id] = {stored->wrapped_key, key};
  return key;
}

Result<void> KdcDirectory::record_bad_password(std::uint32_t rid, std::int64_t now) {
  return store_.transact([&](store::DirectoryTxn& t) -> Result<void> {
    auto d = KB_TRY(t.domain());
    auto a = KB_TRY(t.account_by_rid(rid));
    if (!d || !a) return ok();  // deleted meanwhile: nothing to count
    if (!count_bad_password(*a, *d, now)) return ok();
    return t.put_logon_state(*a);
  });
}

Result<void> KdcDirectory::record_logon_success(std::uint32_t rid) {
  return store_.transact([&](store::DirectoryTxn& t) -> Result<void> {
    auto a = KB_TRY(t.account_by_rid(rid));
    if (!a || !clear_bad_passwords(*a)) return ok();
    return t.put_logon_state(*a);
  });
}

}  // namespace kb::kdc
