// `keybridge admin sync` (issue 6): the domain's users in the cloud tenant, the way a
// directory-sync tool keeps them (reference 000 prerequisites: users synced with their
// on-prem SID and account name). Keyed by an immutable source anchor (objectGUID), so a
// rename or a changed SID updates the cloud's user and never duplicates it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "store/directory.h"

namespace kb::admin {

struct SyncUser {
  std::string source_anchor;  // objectGUID
  std::string upn;
  std::string domain;  // DNS name, lower case
  std::string sam_account_name;
  std::string object_sid;
  std::string display_name;
  bool enabled = true;
  // Unix seconds; nullopt = never expires. A "must change" password is expired now.
  std::optional<std::int64_t> password_expires_at;
  friend bool operator==(const SyncUser&, const SyncUser&) = default;
};

// The cloud's user API as sync uses it (an HTTPS implementation is in cloud_admin_client.h).
class CloudUsers {
 public:
  virtual ~CloudUsers() = default;
  virtual Result<std::vector<SyncUser>> list(const std::string& domain) = 0;
  virtual Result<void> upsert(const std::vector<SyncUser>& users) = 0;
  virtual Result<void> remove(const std::vector<std::string>& source_anchors) = 0;
};

// The users of the directory that belong in the cloud: user accounts other than krbtgt and
// RODC krbtgt accounts, disabled ones included (as disabled). Accounts without an
// objectGUID get one, written back, so the anchor never changes afterwards.
Result<std::vector<SyncUser>> directory_users(store::DirectoryStore& directory, const Clock& clock,
                                              Rng& rng);

struct SyncPlan {
  std::vector<SyncUser> upserts;     // new or changed
  std::vector<std::string> deletes;  // anchors in the cloud's domain but not in the directory
  std::size_t unchanged = 0;
  std::size_t added = 0;     // of the upserts: anchors the cloud does not have yet
  std::size_t disabled = 0;  // of the upserts: enabled in the cloud (or new), disabled here
};
SyncPlan plan_sync(const std::vector<SyncUser>& directory, const std::vector<SyncUser>& cloud);

struct SyncSummary {
  SyncPlan plan;
  bool applied = false;
};
// Lists the cloud's users of the domain, computes the plan and (unless dry_run) applies it:
// upserts, then deletions. Safe to re-run: a second run finds nothing to do.
Result<SyncSummary> sync_users(store::DirectoryStore& directory, CloudUsers& cloud, bool dry_run,
                               const Clock& clock, Rng& rng);

}  // namespace kb::admin
