#include "admin/kerberos_server_admin.h"

#include "kdc/kerberos_server.h"

namespace kb::admin {
namespace {

std::int64_t unix_now(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
}

Result<store::Domain> domain_of(store::DirectoryStore& directory) {
  std::optional<store::Domain> d;
  KB_CHECK(directory.read([&](store::DirectoryTxn& t) -> Result<void> {
    d = KB_TRY(t.domain());
    return ok();
  }));
  if (!d) return Error(store::Errc::kNotFound, "the directory holds no domain");
  return std::move(*d);
}

KerberosServerReport compare(const store::Domain& d,
                             const std::optional<kdc::KerberosServerInfo>& dir,
                             const std::optional<CloudKerberosServer>& cloud) {
  KerberosServerReport r;
  r.domain_dns_name = d.dns_name;
  r.in_directory = dir.has_value();
  r.in_cloud = cloud.has_value();
  r.cloud = cloud;
  if (dir) {
    r.id = dir->branch_id;
    r.computer_account = dir->computer_dn;
    r.user_account = dir->krbtgt_dn;
    r.key_version = dir->key_version;
    r.key_updated_on = dir->key_updated_on;
    r.key_updated_from = dir->key_updated_from;
  }
  if (dir && cloud) {
    if (cloud->id != dir->branch_id) r.mismatches.push_back("Id");
    if (cloud->domain != d.dns_name) r.mismatches.push_back("DomainDnsName");
    if (cloud->key_version != dir->key_version) r.mismatches.push_back("KeyVersion");
    if (cloud->key_updated_on != dir->key_updated_on) r.mismatches.push_back("KeyUpdatedOn");
  }
  return r;
}

// Publishes the directory's current (and previous) key to the cloud.
Result<void> publish(AdminContext& ctx, const store::Domain& d,
                     const kdc::KerberosServerInfo& info) {
  const crypto::Key current = KB_TRY(kdc::kerberos_server_key(ctx.directory, ctx.master_key));
  std::optional<crypto::Key> previous;
  if (info.key_version > 1) {
    auto p = kdc::kerberos_server_key(ctx.directory, ctx.master_key,
                                      static_cast<std::uint16_t>(info.key_version - 1));
    if (p) previous = std::move(*p);  // gone after two rotations: nothing to keep
  }
  std::optional<PublishedKey> prev;
  if (previous) prev = PublishedKey{static_cast<std::uint16_t>(info.key_version - 1), &*previous};
  return ctx.cloud.put(d.dns_name, info.branch_id, {info.key_version, &current}, prev,
                       info.key_updated_on, info.key_updated_from);
}

Error cloud_failed(const Error& e, const std::string& state) {
  return Error(Errc::kIncomplete, state + "; the cloud was not updated (" + e.to_string() +
                                      "). Re-run `keybridge admin kerberos-server set` to "
                                      "publish it.");
}

}  // namespace

std::string_view error_code_name(Errc e) {
  switch (e) {
    case Errc::kIncomplete:
      return "admin.incomplete";
    case Errc::kTooSoon:
      return "admin.too_soon";
    case Errc::kUnchanged:
      return "admin.unchanged";
  }
  return "admin.unknown";
}

Result<KerberosServerReport> get_kerberos_server(AdminContext& ctx) {
  const store::Domain d = KB_TRY(domain_of(ctx.directory));
  auto dir = KB_TRY(kdc::read_kerberos_server(ctx.directory));
  auto cloud = KB_TRY(ctx.cloud.get(d.dns_name));
  return compare(d, dir, cloud);
}

Result<KerberosServerReport> set_kerberos_server(AdminContext& ctx,
                                                 std::vector<std::string>& actions) {
  const store::Domain d = KB_TRY(domain_of(ctx.directory));
  auto dir = KB_TRY(kdc::read_kerberos_server(ctx.directory));
  if (!dir) {
    kdc::KerberosServerSpec spec;
    spec.updated_from = ctx.host;
    auto created =
        kdc::create_kerberos_server(ctx.directory, spec, ctx.master_key, ctx.clock, ctx.rng);
    if (!created) {
      return Error(Errc::kUnchanged, "the directory refused the Kerberos server object (" +
                                         created.error().to_string() +
                                         "); nothing was changed on either side");
    }
    dir = std::move(*created);
    actions.push_back("created " + dir->computer_dn + " and " + dir->krbtgt_dn + " (branch id " +
                      std::to_string(dir->branch_id) + ", key version " +
                      std::to_string(dir->key_version) + ")");
  }
  const std::string state = "the directory holds the Kerberos server object (branch id " +
                            std::to_string(dir->branch_id) + ", key version " +
                            std::to_string(dir->key_version) + ")";
  auto cloud = ctx.cloud.get(d.dns_name);
  if (!cloud) return cloud_failed(cloud.error(), state);
  KerberosServerReport r = compare(d, dir, *cloud);
  if (r.consistent()) {
    actions.push_back("directory and cloud already agree; nothing to do");
    return r;
  }
  if (auto p = publish(ctx, d, *dir); !p) return cloud_failed(p.error(), state);
  actions.push_back(std::string(*cloud ? "updated" : "published") + " the cloud's object for " +
                    d.dns_name + " (key version " + std::to_string(dir->key_version) + ")");
  return compare(d, dir, KB_TRY(ctx.cloud.get(d.dns_name)));
}

Result<KerberosServerReport> rotate_kerberos_server(AdminContext& ctx, const RotateOptions& opts,
                                                    std::vector<std::string>& actions) {
  const store::Domain d = KB_TRY(domain_of(ctx.directory));
  auto dir = KB_TRY(kdc::read_kerberos_server(ctx.directory));
  if (!dir) {
    return Error(store::Errc::kNotFound, "no Kerberos server object for " + d.dns_name +
                                             " (run: keybridge admin kerberos-server set)");
  }
  KerberosServerReport before = compare(d, dir, KB_TRY(ctx.cloud.get(d.dns_name)));
  if (!before.consistent()) {
    // A set or rotation that did not reach the cloud: finish it instead of rotating again,
    // so the key the cloud mints with is never two versions behind the directory's (the DC
    // keeps only the current and the previous version).
    if (auto p = publish(ctx, d, *dir); !p) {
      return cloud_failed(p.error(), "the directory's key is at version " +
                                         std::to_string(dir->key_version) +
                                         " and the cloud does not have it");
    }
    actions.push_back("the cloud lacked the directory's key version " +
                      std::to_string(dir->key_version) +
                      ": published it, completing the earlier set or rotation; not rotated again");
    return compare(d, dir, KB_TRY(ctx.cloud.get(d.dns_name)));
  }
  const auto age = std::chrono::seconds(unix_now(ctx.clock) - dir->key_updated_on);
  if (opts.if_older_than && age < *opts.if_older_than) {
    actions.push_back("the key is " + std::to_string(age.count() / 86400) +
                      " days old, younger than asked: not rotated");
    return before;
  }
  if (!opts.force && age < kMinRotationInterval) {
    return Error(Errc::kTooSoon,
                 "the key was set less than 24 hours ago; use --force to rotate again");
  }
  dir = KB_TRY(
      kdc::rotate_kerberos_server_key(ctx.directory, ctx.host, ctx.master_key, ctx.clock, ctx.rng));
  actions.push_back("rotated the directory's key to version " + std::to_string(dir->key_version) +
                    " (version " + std::to_string(dir->key_version - 1) + " stays valid)");
  if (auto p = publish(ctx, d, *dir); !p) {
    return cloud_failed(p.error(),
                        "the directory's key is at version " + std::to_string(dir->key_version) +
                            "; the cloud still mints with version " +
                            std::to_string(dir->key_version - 1) + ", which the DC accepts");
  }
  actions.push_back("published key version " + std::to_string(dir->key_version) + " to the cloud");
  return compare(d, dir, KB_TRY(ctx.cloud.get(d.dns_name)));
}

Result<void> remove_kerberos_server(AdminContext& ctx, std::vector<std::string>& actions) {
  const store::Domain d = KB_TRY(domain_of(ctx.directory));
  // Cloud first: once it has no object it mints no partial TGT for the domain.
  if (auto r = ctx.cloud.remove(d.dns_name); !r) {
    return Error(Errc::kUnchanged,
                 "the cloud's object for " + d.dns_name + " was not removed (" +
                     r.error().to_string() +
                     "); nothing was changed. Re-run `keybridge admin kerberos-server remove`.");
  }
  actions.push_back("removed the cloud's object for " + d.dns_name);
  auto dir = kdc::read_kerberos_server(ctx.directory);
  Result<void> removed = ok();
  if (dir && *dir) removed = kdc::remove_kerberos_server(ctx.directory);
  if (!dir || !removed) {
    const Error& e = !dir ? dir.error() : removed.error();
    return Error(Errc::kIncomplete,
                 "the cloud's object is gone but the directory objects were not removed (" +
                     e.to_string() +
                     "); the cloud mints nothing for the domain. Re-run `keybridge admin "
                     "kerberos-server remove` to finish.");
  }
  actions.push_back(*dir ? "removed the directory objects" : "the directory had no objects");
  return ok();
}

}  // namespace kb::admin
