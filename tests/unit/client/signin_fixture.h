// The sign-in test fixture: the real cloud service (make_router over a temporary SQLite
// store) and our KDC (kdc::Kdc over a temporary SQLite directory), both in process, and the
// user's side (soft authenticators, options, the device state). Shared by signin_flow_test.cc
// and signin_binding_test.cc.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>

#include "base/base64.h"
#include "base/http_router.h"
#include "base/json.h"
#include "base/subprocess.h"
#include "client/ccache_writer.h"
#include "client/device_state.h"
#include "client/key_binding.h"
#include "client/signin_flow.h"
#include "client/signin_internal.h"
#include "client/signin_status.h"
#include "client/soft_authenticator.h"
#include "client/webauthn_client.h"
#include "cloud/service/access_pass.h"
#include "cloud/service/context.h"
#include "crypto/crypto.h"
#include "formats/ccache.h"
#include "formats/keytab.h"
#include "kdc/accounts.h"
#include "kdc/kdc.h"
#include "kdc/kdc_directory.h"
#include "kdc/kerberos_server.h"
#include "krb5/kdc_rep.h"
#include "krb5/messages.h"
#include "store/sqlite/cloud_sqlite.h"
#include "store/sqlite/sqlite_directory.h"

namespace kb::client {
namespace {

using namespace std::chrono_literals;
namespace bj = boost::json;

const std::string kTenant = "aaaaaaaa-1111-4111-8111-111111111111";
const std::string kOtherTenant = "bbbbbbbb-2222-4222-8222-222222222222";
const std::string kAlice = "alice@contoso.test";
const std::string kDomainSid = "S-1-5-21-7-8-9";
const std::string kTap = "ABCDEFGHIJKLMNOPQRST";

// Seconds only: tickets and the state file carry whole seconds.
SysTime now_seconds() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

class SigninFlow : public ::testing::Test {
 protected:
  void SetUp() override {
    // libkrb5 (ccache writer) reads a configuration; an empty one is enough for FILE caches.
    ASSERT_TRUE(formats::write_private_file(dir_.path() / "krb5.conf", as_bytes("")));
    ::setenv("KRB5_CONFIG", (dir_.path() / "krb5.conf").c_str(), 1);
    std::filesystem::create_directory(state_path_.parent_path());
    set_up_dc();
    set_up_cloud();
  }
  void TearDown() override { ::unsetenv("KRB5_CONFIG"); }

  void set_up_dc() {
    auto s = store::sqlite::SqliteDirectoryStore::open((dir_.path() / "dir.db").string());
    ASSERT_TRUE(s) << s.error().to_string();
    dir_store_ = std::move(*s);
    auto d = kdc::provision_domain(*dir_store_,
                                   {"contoso.test", "", kDomainSid, SecretString("Adm1n!pw-x")},
                                   dc_mk_, clock_, rng_);
    ASSERT_TRUE(d) << d.error().to_string();
    domain_ = *d;
    add_dc_user(1105, "alice", kAlice, "Al1ce-pw!");
    kdc::KerberosServerSpec spec;
    spec.branch_id = 4242;
    auto ks = kdc::create_kerberos_server(*dir_store_, spec, dc_mk_, clock_, rng_);
    ASSERT_TRUE(ks) << ks.error().to_string();
    directory_ = std::make_unique<kdc::KdcDirectory>(*dir_store_, dc_mk_);
    kdc_ = std::make_unique<kdc::Kdc>(*directory_, clock_, rng_, kdc::KdcPolicy{});
  }

  void add_dc_user(std::uint32_t rid, const std::string& sam, const std::string& upn,
                   const std::string& password) {
    store::Account a;
    a.rid = rid;
    a.sam_account_name = sam;
    a.user_principal_name = upn;
    a.user_account_control = store::uac::kNormalAccount;
    ASSERT_TRUE(kdc::set_password(a, domain_, SecretString(password), dc_mk_, clock_, rng_));
    ASSERT_TRUE(dir_store_->transact([&](store::DirectoryTxn& t) { return t.put_account(a); }));
  }

  void edit_dc_user(const std::string& sam, const std::function<void(store::Account&)>& edit) {
    ASSERT_TRUE(dir_store_->transact([&](store::DirectoryTxn& t) -> Result<void> {
      auto a = KB_TRY(t.account_by_sam(sam));
      if (!a) return Error(BaseErrc::kIo, "no " + sam);
      edit(*a);
      return t.put_account(*a);
    }));
  }

  void set_up_cloud() {
    auto s = store::sqlite::SqliteCloudStore::open((dir_.path() / "cloud.db").string());
    ASSERT_TRUE(s) << s.error().to_string();
    cloud_store_ = std::move(*s);
    ctx_ = std::make_unique<cloud::ServiceContext>(
        cloud::ServiceContext{*cloud_store_, cloud_mk_, clock_, rng_, {}});
    router_ = cloud::make_router(*ctx_);
    run([&](store::CloudTxn& t) -> Result<void> {
      KB_CHECK(t.create_tenant({kTenant, "Contoso", clock_.now()}));
      return t.create_tenant({kOtherTenant, "Fabrikam", clock_.now()});
    });
    alice_id_ = add_cloud_user(kAlice, "alice", kDomainSid + "-1105");
    add_pass(alice_id_, kTap);
    publish_kerberos_server("contoso.test");
  }

  void run(const std::function<Result<void>(store::CloudTxn&)>& fn) {
    auto r = cloud_store_->transact(fn);
    ASSERT_TRUE(r) << r.error().to_string();
  }

  std::string add_cloud_user(const std::string& upn, const std::string& sam, const std::string& sid,
                             std::optional<SysTime> password_expires_at = std::nullopt) {
    store::CloudUser u;
    u.id = store::new_uuid(rng_);
    u.source_anchor = "anchor-" + upn;
    u.upn = upn;
    u.domain = upn.substr(upn.find('@') + 1);
    u.sam_account_name = sam;
    u.object_sid = sid;
    u.enabled = true;
    u.password_expires_at = password_expires_at;
    std::vector<store::CloudUser> v{u};
    std::string id;
    run([&](store::CloudTxn& t) -> Result<void> {
      id = KB_TRY(t.upsert_users(kTenant, v, clock_.now())).at(0);
      return ok();
    });
    return id;
  }

  void add_pass(const std::string& user_id, const std::string& secret) {
    store::TemporaryAccessPass p;
    p.tenant_id = kTenant;
    p.user_id = user_id;
    p.id = store::new_uuid(rng_);
    p.secret_hash = cloud::access_pass_hash(secret);
    p.one_time = true;
    p.starts_at = clock_.now() - 1h;
    p.expires_at = clock_.now() + 1h;
    p.created = clock_.now() - 1h;
    run([&](store::CloudTxn& t) { return t.create_access_pass(p); });
  }

  // What `admin kerberos-server set` publishes: branch id, key version 1, the key.
  void publish_kerberos_server(const std::string& domain) {
    auto key = kdc::kerberos_server_key(*dir_store_, dc_mk_);
    ASSERT_TRUE(key) << key.error().to_string();
    store::KerberosServerRecord r;
    r.domain = domain;
    r.branch_id = 4242;
    auto wrapped = cloud_mk_.wrap(
        key->bytes().reveal(),
        crypto::key_binding("kerberos-server:" + kTenant + "/" + domain, 1, 18), rng_);
    ASSERT_TRUE(wrapped);
    r.current = {18, 1, *wrapped};
    r.key_updated_on = clock_.now();
    r.key_updated_from = "dc1.contoso.test";
    run([&](store::CloudTxn& t) { return t.put_kerberos_server(kTenant, r, clock_.now()); });
  }

  // ---- transports

  CloudTransport cloud() {
    return [this](const http::Request& r) -> Result<http::Response> {
      ++cloud_calls_;
      if (cloud_offline_) return Error(BaseErrc::kIo, "connection refused (test)");
      http::Response reply = router_.handle(r);
      if (tamper_) tamper_(r, reply);
      return reply;
    };
  }

  KdcTransport kdc() {
    return [this](const std::string& address, ByteView req) -> Result<Bytes> {
      kdc_log_.push_back(address);
      if (address == "dc.contoso.test:88") return kdc_->handle(req, true, "127.0.0.1");
      if (address == "rodc.contoso.test:88") {
        // An RODC's answer: a TGS-REP whose ticket is under its own krbtgt (branch 7 in the
        // kvno's high 16 bits), not the domain krbtgt's full TGT.
        Bytes reply = kdc_->handle(req, true, "127.0.0.1");
        auto rep = der::decode<krb5::TgsRep>(reply);
        if (!rep) return reply;
        rep->ticket.enc_part.kvno = (7u << 16) | 1u;
        return der::encode(*rep);
      }
      if (address == "other-realm-dc:88") {
        // A KDC that does not know the realm: KDC_ERR_WRONG_REALM (68), not final.
        krb5::KrbError e;
        e.stime = krb5::KerberosTime::from_sys(clock_.now());
        e.error_code = 68;
        e.realm = "OTHER.TEST";
        e.sname = krb5::PrincipalName{2, {"krbtgt", "OTHER.TEST"}};
        return der::encode(e);
      }
      return Error(BaseErrc::kIo, "unreachable (test)");
    };
  }

  SrvLookup srv() {
    return [this](const std::string& q) -> Result<std::vector<SrvEntry>> {
      srv_log_.push_back(q);
      if (q == "_kerberos._tcp.dc._msdcs.contoso.test" && dns_has_dc_) {
        return std::vector<SrvEntry>{{0, 100, 88, "dc.contoso.test"}};
      }
      return Error(BaseErrc::kIo, "NXDOMAIN (test)");
    };
  }

  // ---- the user's side

  SoftAuthenticator new_key(const std::string& name) {
    auto a = SoftAuthenticator::create(dir_.path() / (name + ".key.json"), rng_, &pin_);
    EXPECT_TRUE(a) << a.error().to_string();
    return std::move(*a);
  }

  CloudOptions cloud_options(const std::string& user = kAlice) {
    CloudOptions o;
    o.tenant = kTenant;
    o.cloud_url = "https://localhost";
    o.origin = "https://localhost";
    o.user = user;
    o.pin = &pin_;
    o.state_path = state_path_;
    return o;
  }

  SigninOptions options(const std::string& user = kAlice) {
    SigninOptions o;
    o.cloud = cloud_options(user);
    o.ccache = ccache_;
    o.locator.dns_lookup = true;
    return o;
  }

  Result<RegisterKeyResult> register_alice(SoftAuthenticator& key) {
    return register_key(cloud_options(), SecretString(kTap), "yubikey", key, cloud(), clock_, rng_);
  }

  Result<SigninResult> sign_in_with(SoftAuthenticator& key, const SigninOptions& o) {
    return sign_in(o, key, cloud(), kdc(), srv(), clock_, rng_);
  }

  DeviceState state() {
    auto s = load_device_state(state_path_);
    EXPECT_TRUE(s) << s.error().to_string();
    return s ? std::move(*s) : DeviceState{};
  }

  // The COSE public key the cloud stored for a credential (id as base64url).
  Bytes stored_public_key(const std::string& credential_id) {
    auto id = base64url_decode(credential_id);
    EXPECT_TRUE(id);
    Bytes key;
    run([&](store::CloudTxn& t) -> Result<void> {
      auto c = KB_TRY(t.credential(kTenant, *id));
      if (c) key = c->public_key_cose;
      return ok();
    });
    EXPECT_FALSE(key.empty());
    return key;
  }

  // The cached full TGT image as the key opens it: an assertion with the state's salt (UV by
  // PIN, as sign-in does), then the binding; the clear one when the state is not bound.
  Result<SecretBytes> cached_image(SoftAuthenticator& key, const DeviceState& s) {
    GetAssertionRequest req;
    req.rp_id = s.rp_id;
    req.client_data_hash = Bytes(32, 3);
    req.allow = {s.credential_id};
    req.user_verification = webauthn::Requirement::kRequired;
    req.pin = &pin_;
    req.hmac_salt = s.hmac_salt;
    GetAssertionResponse r = KB_TRY(key.get_assertion(req));
    return open_cached_tgt(s, r.hmac_secret);
  }
  // The ticket in the cache: the full TGT, under the domain krbtgt (kvno without branch).
  void expect_full_tgt_in_cache() {
    auto c = read_ccache(ccache_);
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(c->default_principal, "alice@CONTOSO.TEST");
    ASSERT_EQ(c->credentials.size(), 1u);
    EXPECT_EQ(c->credentials[0].server, "krbtgt/CONTOSO.TEST@CONTOSO.TEST");
    EXPECT_TRUE(c->credentials[0].flags & 0x40000000u);  // forwardable
    EXPECT_GT(c->credentials[0].endtime, clock_.now());
  }

  TempDir dir_{"kb-signin-flow"};
  crypto::SystemRng rng_;
  FixedClock clock_{now_seconds()};
  SecretString pin_{"246810"};
  // DC
  crypto::MasterKey dc_mk_ = crypto::MasterKey::generate(rng_);
  std::unique_ptr<store::sqlite::SqliteDirectoryStore> dir_store_;
  store::Domain domain_;
  std::unique_ptr<kdc::KdcDirectory> directory_;
  std::unique_ptr<kdc::Kdc> kdc_;
  std::vector<std::string> kdc_log_;
  std::vector<std::string> srv_log_;
  bool dns_has_dc_ = true;
  // cloud
  crypto::MasterKey cloud_mk_ = crypto::MasterKey::generate(rng_);
  std::unique_ptr<store::CloudStore> cloud_store_;
  std::unique_ptr<cloud::ServiceContext> ctx_;
  http::Router router_;
  bool cloud_offline_ = false;
  std::function<void(const http::Request&, http::Response&)> tamper_;  // rewrites replies
  int cloud_calls_ = 0;
  std::string alice_id_;
  // device
  std::filesystem::path state_path_ = dir_.path() / "state" / "device.json";
  std::string ccache_ = "FILE:" + (dir_.path() / "krb5cc_alice").string();
};

}  // namespace
}  // namespace kb::client
