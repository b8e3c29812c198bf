// The in-process world of the admin tests: directories (SQLite, each with its own domain
// and in-process KDC) whose writes can be refused, one cloud (the Router over a SQLite
// cloud store) reached through a transport that can fail at its Nth call, and the
// cloud's own minting of partial TGTs (load_kerberos_server_key + mint_partial_tgt, as
// token_grant.cc does) so tickets can be traded at the right KDC.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "admin/cloud_admin_client.h"
#include "admin/kerberos_server_admin.h"
#include "client/tgs_client.h"
#include "cloud/partial_tgt.h"
#include "cloud/service/admin_tenants.h"
#include "cloud/service/context.h"
#include "cloud/service/kerberos_servers.h"
#include "crypto/crypto.h"
#include "crypto/master_key.h"
#include "kdc/accounts.h"
#include "kdc/kdc.h"
#include "net/errors.h"
#include "pac/sid.h"
#include "process.h"
#include "store/sqlite/cloud_sqlite.h"
#include "store/sqlite/sqlite_directory.h"

namespace kb::admin::test {

#define ASSERT_OK(expr)                                              \
  do {                                                               \
    auto kb_assert_ok_ = (expr);                                     \
    ASSERT_TRUE(kb_assert_ok_) << kb_assert_ok_.error().to_string(); \
  } while (0)

inline const SysTime kT0{std::chrono::seconds(1'800'000'000)};

// A directory store whose writes the test can refuse (reads still work), as a DC that
// denies the admin's write would.
class RefusingDirectory final : public store::DirectoryStore {
 public:
  explicit RefusingDirectory(store::DirectoryStore& inner) : inner_(inner) {}
  Result<void> transact(const std::function<Result<void>(store::DirectoryTxn&)>& fn) override {
    if (refuse_writes) return Error(store::Errc::kBackend, "write refused by the test");
    return inner_.transact(fn);
  }
  Result<void> read(const std::function<Result<void>(store::DirectoryTxn&)>& fn) override {
    return inner_.read(fn);
  }
  bool refuse_writes = false;

 private:
  store::DirectoryStore& inner_;
};

// One domain: its directory, master key, KDC.
class Domain {
 public:
  Domain(std::string dns_name, std::string sid, Clock& clock, Rng& rng)
      : clock_(clock), rng_(rng), mk_(crypto::MasterKey::generate(rng)) {
    auto s = store::sqlite::SqliteDirectoryStore::open((dir_.path() / "d.db").string());
    EXPECT_TRUE(s) << s.error().to_string();
    raw_ = std::move(*s);
    store_ = std::make_unique<RefusingDirectory>(*raw_);
    auto d = kdc::provision_domain(
        *raw_, {std::move(dns_name), "", std::move(sid), SecretString("Adm1n!pw")}, mk_, clock_,
        rng_);
    EXPECT_TRUE(d) << d.error().to_string();
    domain_ = *d;
    directory_ = std::make_unique<kdc::KdcDirectory>(*raw_, mk_);
    kdc_ = std::make_unique<kdc::Kdc>(*directory_, clock_, rng_, kdc::KdcPolicy{},
                                      [this](const kdc::RequestLog& l, auto, auto) { log_ = l; });
  }

  store::Account add_user(std::uint32_t rid, const std::string& sam) {
    store::Account a;
    a.rid = rid;
    a.sam_account_name = sam;
    a.user_principal_name = sam + "@" + domain_.dns_name;
    a.display_name = sam;
    EXPECT_TRUE(kdc::set_password(a, domain_, SecretString("password"), mk_, clock_, rng_));
    EXPECT_TRUE(raw_->transact([&](store::DirectoryTxn& t) { return t.put_account(a); }));
    return a;
  }

  template <typename F>
  void edit_user(const std::string& sam, F edit) {
    EXPECT_TRUE(raw_->transact([&](store::DirectoryTxn& t) -> Result<void> {
      auto a = KB_TRY(t.account_by_sam(sam));
      if (!a) return Error(store::Errc::kNotFound, sam);
      edit(*a);
      return t.put_account(*a);
    }));
  }

  // Trades `tgt` (a partial TGT) at this domain's KDC for a full TGT.
  Result<client::TgsReply> trade(const client::Credential& tgt) {
    client::TgsRequest req;
    req.realm = domain_.realm;
    req.sname = krb5::PrincipalName{2, {"krbtgt", domain_.realm}};
    req.kdc_options = client::trade_options();
    auto prepared = KB_TRY(client::build_tgs_req(tgt, req, clock_, rng_));
    Bytes reply = kdc_->handle(prepared.bytes, false, "test");
    return client::read_tgs_rep(reply, tgt, prepared);
  }

  AdminContext admin(CloudKerberosServers& cloud) {
    return AdminContext{*store_, mk_, cloud, clock_, rng_, "admin-host"};
  }

  RefusingDirectory& store() { return *store_; }
  store::DirectoryStore& raw() { return *raw_; }
  const crypto::MasterKey& master_key() const { return mk_; }
  const store::Domain& domain() const { return domain_; }
  const kdc::RequestLog& last_log() const { return log_; }

 private:
  Clock& clock_;
  Rng& rng_;
  kb::testing::TempDir dir_{"kb-admin-domain"};
  crypto::MasterKey mk_;
  std::unique_ptr<store::sqlite::SqliteDirectoryStore> raw_;
  std::unique_ptr<RefusingDirectory> store_;
  store::Domain domain_;
  std::unique_ptr<kdc::KdcDirectory> directory_;
  std::unique_ptr<kdc::Kdc> kdc_;
  kdc::RequestLog log_;
};

// The cloud: Router in-process over a SQLite store, one tenant, and its own clock (set an
// hour apart from the admin's, so KeyUpdatedOn must come from the admin tool to match).
class Cloud {
 public:
  explicit Cloud(Rng& rng) : rng_(rng), master_(crypto::MasterKey::generate(rng)) {
    auto s = store::sqlite::SqliteCloudStore::open((dir_.path() / "cloud.db").string());
    EXPECT_TRUE(s) << s.error().to_string();
    store_ = std::move(*s);
    ctx_.emplace(cloud::ServiceContext{*store_, master_, clock_, rng_, cloud::CloudConfig{}});
    router_ = cloud::make_router(*ctx_);
    auto t = cloud::create_tenant_with_token(*store_, "Contoso", clock_, rng_);
    EXPECT_TRUE(t) << t.error().to_string();
    tenant_ = std::move(*t);
  }

  // The transport the CLI would get from net::HttpsClient, here straight into the Router;
  // call number `fail_at` (1-based, counted from the last arm()) fails as a refused
  // connection would.
  CloudTransport transport() {
    return [this](const net::ClientRequest& r) -> Result<http::Response> {
      ++calls_;
      if (fail_at_ != 0 && calls_ == fail_at_) {
        return Error(net::Errc::kConnectionRefused, "injected by the test");
      }
      auto url = KB_TRY(net::parse_https_url(r.url));
      http::Request req;
      req.method = r.method;
      req.target = url.target;
      req.headers = r.headers;
      req.body = r.body;
      req.tls = true;
      req.remote_address = "127.0.0.1";
      return router_.handle(req);
    };
  }
  void arm(int fail_at) {
    calls_ = 0;
    fail_at_ = fail_at;
  }
  int calls() const { return calls_; }

  std::unique_ptr<CloudAdminClient> client() {
    return std::make_unique<CloudAdminClient>("https://cloud.test/", tenant_.admin_token.clone(),
                                              transport());
  }

  // What the sign-in side does for a user with `tgt=true` (token_grant.cc): the domain's
  // current key, or none (then no partial TGT and the tgt error is set).
  Result<std::optional<client::Credential>> mint(const std::string& upn, const Clock& clock) {
    std::optional<store::CloudUser> u;
    KB_CHECK(store_->read([&](store::CloudTxn& t) -> Result<void> {
      u = KB_TRY(t.user_by_upn(tenant_.tenant_id, upn));
      return ok();
    }));
    if (!u) return Error(store::Errc::kNotFound, "no cloud user " + upn);
    auto key = KB_TRY(cloud::load_kerberos_server_key(*ctx_, tenant_.tenant_id, u->domain));
    if (!key) return std::optional<client::Credential>();
    std::string realm = u->domain;
    for (auto& c : realm) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    cloud::OnPremUser who{u->sam_account_name, u->upn, u->domain, realm.substr(0, realm.find('.')),
                          KB_TRY(pac::Sid::parse(u->object_sid))};
    auto minted = KB_TRY(cloud::mint_partial_tgt(who, {key->branch_id, key->key_version, &key->key},
                                                 {}, clock, rng_));
    return std::optional<client::Credential>(
        KB_TRY(client::open_as_rep(minted.as_rep, minted.client_key)));
  }

  store::CloudStore& store() { return *store_; }
  FixedClock& clock() { return clock_; }
  const std::string& tenant_id() const { return tenant_.tenant_id; }
  std::string_view token() const { return tenant_.admin_token.reveal(); }

 private:
  Rng& rng_;
  kb::testing::TempDir dir_{"kb-admin-cloud"};
  crypto::MasterKey master_;
  FixedClock clock_{kT0 + std::chrono::hours(1)};
  std::unique_ptr<store::CloudStore> store_;
  std::optional<cloud::ServiceContext> ctx_;
  http::Router router_;
  cloud::NewTenant tenant_;
  int calls_ = 0;
  int fail_at_ = 0;
};

}  // namespace kb::admin::test
