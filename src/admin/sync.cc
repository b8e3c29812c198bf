#include "admin/sync.h"

#include <algorithm>
#include <map>

#include "kdc/kerberos_server.h"
#include "store/cloud.h"

namespace kb::admin {
namespace {

constexpr const char* kObjectGuid = "objectGUID";

bool synced(const store::Account& a) {
  if (a.object_class != store::ObjectClass::kUser || a.rid == store::kRidKrbtgt) return false;
  if (a.attributes.count(kdc::attr::kSecondaryKrbTgtNumber) != 0) return false;
  return (a.user_account_control & store::uac::kInterdomainTrustAccount) == 0;
}

std::optional<std::int64_t> password_expiry(const store::Account& a, const store::Domain& d,
                                            std::int64_t now) {
  if (a.pwd_last_set == 0 || (a.user_account_control & store::uac::kPasswordExpired)) return now;
  if (d.max_password_age_s == 0 || (a.user_account_control & store::uac::kDontExpirePassword)) {
    return std::nullopt;
  }
  return a.pwd_last_set + d.max_password_age_s;
}

}  // namespace

Result<std::vector<SyncUser>> directory_users(store::DirectoryStore& directory, const Clock& clock,
                                              Rng& rng) {
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
  std::vector<SyncUser> out;
  KB_CHECK(directory.transact([&](store::DirectoryTxn& t) -> Result<void> {
    out.clear();  // the function may run again
    auto d = KB_TRY(t.domain());
    if (!d) return Error(store::Errc::kNotFound, "the directory holds no domain");
    for (auto& a : KB_TRY(t.all_accounts())) {
      if (!synced(a)) continue;
      auto& guid = a.attributes[kObjectGuid];
      if (guid.empty()) {
        guid = {store::new_uuid(rng)};
        KB_CHECK(t.put_account(a));
      }
      SyncUser u;
      u.source_anchor = guid.front();
      u.upn = a.user_principal_name.empty() ? a.sam_account_name + "@" + d->dns_name
                                            : a.user_principal_name;
      u.domain = d->dns_name;
      u.sam_account_name = a.sam_account_name;
      u.object_sid = store::rid_sid(*d, a.rid);
      u.display_name = a.display_name;
      u.enabled = (a.user_account_control & store::uac::kAccountDisable) == 0;
      u.password_expires_at = password_expiry(a, *d, now);
      out.push_back(std::move(u));
    }
    return ok();
  }));
  return out;
}

SyncPlan plan_sync(const std::vector<SyncUser>& directory, const std::vector<SyncUser>& cloud) {
  std::map<std::string, const SyncUser*> in_cloud;
  for (const auto& u : cloud) in_cloud[u.source_anchor] = &u;
  SyncPlan plan;
  for (const auto& u : directory) {
    auto it = in_cloud.find(u.source_anchor);
    if (it != in_cloud.end() && *it->second == u) {
      ++plan.unchanged;
    } else {
      if (it == in_cloud.end()) ++plan.added;
      if (!u.enabled && (it == in_cloud.end() || it->second->enabled)) ++plan.disabled;
      plan.upserts.push_back(u);
    }
    if (it != in_cloud.end()) in_cloud.erase(it);
  }
  for (const auto& [anchor, u] : in_cloud) plan.deletes.push_back(anchor);
  return plan;
}

Result<SyncSummary> sync_users(store::DirectoryStore& directory, CloudUsers& cloud, bool dry_run,
                               const Clock& clock, Rng& rng) {
  const auto dir = KB_TRY(directory_users(directory, clock, rng));
  std::string domain;
  KB_CHECK(directory.read([&](store::DirectoryTxn& t) -> Result<void> {
    auto d = KB_TRY(t.domain());
    if (d) domain = d->dns_name;
    return ok();
  }));
  SyncSummary s;
  s.plan = plan_sync(dir, KB_TRY(cloud.list(domain)));
  if (dry_run) return s;
  if (!s.plan.upserts.empty()) KB_CHECK(cloud.upsert(s.plan.upserts));
  if (!s.plan.deletes.empty()) KB_CHECK(cloud.remove(s.plan.deletes));
  s.applied = true;
  return s;
}

}  // namespace kb::admin
