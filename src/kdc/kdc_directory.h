// The KDC's view of the directory: principal lookup with AD's name rules, token groups,
// and unwrapped keys. Unwrapped keys are cached by (account, kvno, enctype), so the
// krbtgt key and its derived-key cache live across requests (the crypto module derives
// Ke/Ki/Kc once per key and usage).
//
// Inside a RequestScope (one per AS or TGS request) accounts, token groups and the domain
// also come from a cache tagged with the directory's generation (store::DirectoryTxn::
// generation): the scope reads the generation once, and when it moved (any write, by this
// KDC or by `keybridge dc` in another process) the whole cache is dropped. So a request
// sees the directory as of its start, like one read transaction, without store reads on
// the hot path. Outside a scope every lookup reads the store.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "crypto/master_key.h"
#include "krb5/messages.h"
#include "store/directory.h"

namespace kb::kdc {

class KdcDirectory {
 public:
  KdcDirectory(store::DirectoryStore& store, const crypto::MasterKey& master_key)
      : store_(store), mk_(master_key) {}

  // Marks one request: reads the directory's generation and, when it moved, drops the
  // cache; lookups on this thread use the cache until the scope ends. Not nestable.
  class RequestScope {
   public:
    explicit RequestScope(KdcDirectory& dir);
    ~RequestScope();
    RequestScope(const RequestScope&) = delete;
    RequestScope& operator=(const RequestScope&) = delete;

   private:
    bool active_ = false;
  };

  // Loaded at the first call and again after the generation moved. The pointer stays
  // valid for the KdcDirectory's life: a changed domain (a policy set by `dc policy`)
  // replaces the object, and the old one is kept, since requests in flight hold it.
  Result<const store::Domain*> domain();

  // A client by its request name: NT-ENTERPRISE "user@suffix" by userPrincipalName (then
  // by sAMAccountName when the suffix is the domain's); one component by sAMAccountName
  // (then UPN when it holds '@'); several components by servicePrincipalName.
  // KDC_ERR_C_PRINCIPAL_UNKNOWN when none matches.
  Result<store::Account> client(const krb5::PrincipalName& name);
  // A service: krbtgt/<our realm> is the krbtgt account; otherwise by SPN, or by
  // sAMAccountName for a one-component name. KDC_ERR_S_PRINCIPAL_UNKNOWN when none.
  Result<store::Account> service(const krb5::PrincipalName& name);
  // The same without a copy.
  Result<std::shared_ptr<const store::Account>> service_shared(const krb5::PrincipalName& name);
  Result<store::Account> krbtgt();
  // The same without a copy (the ticket path only needs its keys).
  Result<std::shared_ptr<const store::Account>> krbtgt_shared();

  // Accounts whose attribute `name` has the value `value` (msDS-SecondaryKrbTgtNumber, ...).
  Result<std::vector<store::Account>> accounts_with(std::string_view name, std::string_view value);
  // A group's sAMAccountName for log lines; the SID itself when there is no such group.
  std::string group_name(std::string_view sid);

  // SIDs of every group the account belongs to, transitively, primary group included.
  Result<std::vector<std::string>> token_groups(const store::Account& account);

  // The unwrapped key (kvno 0 = current), shared so derived keys are reused.
  Result<std::shared_ptr<const crypto::Key>> key(const store::Account& account,
                                                 crypto::EncType enctype, std::uint32_t kvno);

  [[nodiscard]] bool is_our_realm(std::string_view realm);

  // Bad-password accounting (accounts.h count_bad_password), each in one write transaction
  // that re-reads the account's count and the domain's policy there, so concurrent failures
  // on other threads or KDCs are all counted. Only the failure path and a success after
  // failures write; a clean success writes nothing.
  Result<void> record_bad_password(std::uint32_t rid, std::int64_t now);
  Result<void> record_logon_success(std::uint32_t rid);

 private:
  using Finder = std::function<Result<std::optional<store::Account>>(store::DirectoryTxn&)>;
  // The account `fn` finds, from the cache under `cache_key` inside a RequestScope.
  Result<std::shared_ptr<const store::Account>> find(const std::string& cache_key,
                                                     const Finder& fn);
  [[nodiscard]] bool in_scope() const;
  void begin_request();
  // Drops every cached account and group list; the domain is reloaded at next use.
  void reset_cache(std::optional<std::uint64_t> generation);  // with cache_mu_ held

  store::DirectoryStore& store_;
  const crypto::MasterKey& mk_;
  std::mutex mu_;
  std::shared_ptr<const store::Domain> domain_;
  std::vector<std::shared_ptr<const store::Domain>> retired_domains_;
  std::atomic<bool> domain_stale_{false};

  std::mutex cache_mu_;
  std::optional<std::uint64_t> generation_;  // of the cache below; unset = nothing cached
  std::unordered_map<std::string, std::shared_ptr<const store::Account>> accounts_;
  // By (rid << 32 | primaryGroupID): the primary group is part of the answer.
  std::unordered_map<std::uint64_t, std::vector<std::string>> token_groups_;
  static constexpr std::size_t kMaxCachedAccounts = 20000;
  using KeyId = std::tuple<std::uint32_t, std::uint32_t, std::int32_t>;  // rid, kvno, etype
  std::map<KeyId, std::pair<Bytes, std::shared_ptr<const crypto::Key>>> keys_;
  static constexpr std::size_t kMaxCachedKeys = 4096;
};

std::string principal_to_string(const krb5::PrincipalName& name);

}  // namespace kb::kdc
