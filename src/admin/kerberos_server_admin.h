// `keybridge admin kerberos-server set|get|rotate|remove` (issue 6; reference 000 "Create a
// Kerberos Server object", "View and verify", "Rotate", "Remove"): the Kerberos server
// object's life on both sides, the directory (the DC's store) and the cloud (its admin
// API), so that the two always end consistent or a re-run makes them so.
//
// Order of writes, chosen so that every interruption leaves a state that is safe and that
// the next `set` completes:
//   set     directory first (objects + key), then the cloud. Directory objects without a
//           cloud record mint nothing; the next set publishes them.
//   rotate  directory first (version + 1, previous kept), then the cloud. Until the cloud
//           has the new version it mints with the old one, which the DC still accepts.
//   remove  cloud first (no new partial TGTs), then the directory.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "crypto/crypto.h"
#include "crypto/master_key.h"
#include "store/directory.h"

namespace kb::admin {

// Errors of the admin operations themselves (the store's, the cloud's and the transport's
// come back with their own codes).
enum class Errc {
  kIncomplete = 1,  // one side was changed and the other not; the detail says what to re-run
  kTooSoon,         // a rotation within 24 hours of the last, without --force
  kUnchanged,       // the first write failed: neither side was changed; re-run the command
};
constexpr ErrorDomain error_domain(Errc) {
  return ErrorDomain::kApp;
}
std::string_view error_code_name(Errc e);

// The cloud's view of a Kerberos server object (never its key).
struct CloudKerberosServer {
  std::uint16_t id = 0;  // branch id
  std::string domain;
  std::uint16_t key_version = 0;
  std::int64_t key_updated_on = 0;  // unix seconds
  std::string key_updated_from;
};

struct PublishedKey {
  std::uint16_t key_version = 0;
  const crypto::Key* key = nullptr;
};

// The cloud admin API as the admin tool uses it (an HTTPS implementation lives in
// cloud_admin_client.h).
class CloudKerberosServers {
 public:
  virtual ~CloudKerberosServers() = default;
  virtual Result<std::optional<CloudKerberosServer>> get(const std::string& domain) = 0;
  // Creates or replaces the object with its current (and previous) key.
  virtual Result<void> put(const std::string& domain, std::uint16_t branch_id, PublishedKey current,
                           std::optional<PublishedKey> previous, std::int64_t key_updated_on,
                           const std::string& key_updated_from) = 0;
  virtual Result<void> remove(const std::string& domain) = 0;  // absent is not an error
};

// The property table of reference 000: directory side, cloud side, and which pairs differ.
struct KerberosServerReport {
  bool in_directory = false;
  bool in_cloud = false;
  std::uint16_t id = 0;
  std::string domain_dns_name;
  std::string computer_account;
  std::string user_account;
  std::uint16_t key_version = 0;
  std::int64_t key_updated_on = 0;
  std::string key_updated_from;
  std::optional<CloudKerberosServer> cloud;
  std::vector<std::string> mismatches;  // "Id", "DomainDnsName", "KeyVersion", "KeyUpdatedOn"
  [[nodiscard]] bool consistent() const { return in_directory && in_cloud && mismatches.empty(); }
};

struct AdminContext {
  store::DirectoryStore& directory;
  const crypto::MasterKey& master_key;
  CloudKerberosServers& cloud;
  const Clock& clock;
  Rng& rng;
  std::string host;  // recorded as KeyUpdatedFrom
};

Result<KerberosServerReport> get_kerberos_server(AdminContext& ctx);

// Creates what is missing (directory first) and publishes what differs; a no-op on a
// consistent object. A publish failure after the directory was written is
// Errc::kIncomplete (re-run set).
// The report describes the end state; `actions` says what was done, for the operator.
Result<KerberosServerReport> set_kerberos_server(AdminContext& ctx,
                                                 std::vector<std::string>& actions);

struct RotateOptions {
  bool force = false;  // allow a second rotation within 24 hours (reference 000)
  // Only rotate when the key is older than this (for timers); nullopt = always.
  std::optional<std::chrono::seconds> if_older_than;
};
inline constexpr std::chrono::hours kMinRotationInterval{24};
// Directory first, then the cloud. Errc::kTooSoon within 24 hours of the last key change
// unless forced; a no-op (actions say so) when if_older_than is set and the key is
// younger. When the two sides disagree (a set or rotation that did not reach the cloud) it
// publishes the directory's key instead of rotating again: the cloud is then never two
// versions behind the DC. A publish that fails after the directory changed is
// Errc::kIncomplete whose detail says to re-run set.
Result<KerberosServerReport> rotate_kerberos_server(AdminContext& ctx, const RotateOptions& opts,
                                                    std::vector<std::string>& actions);

// Cloud first, then the directory; the cloud's object being absent is not an error, nor is
// the directory's. Errc::kIncomplete when the cloud's is gone and the directory's is not.
Result<void> remove_kerberos_server(AdminContext& ctx, std::vector<std::string>& actions);

}  // namespace kb::admin
