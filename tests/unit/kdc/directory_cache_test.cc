// The KDC's account cache (KdcDirectory inside a RequestScope) against changes made by
// another process on the same database, as `keybridge dc ...` makes them while `dc serve`
// runs: each is seen by the next request.
#include <gtest/gtest.h>

#include "base/subprocess.h"
#include "client/tgs_client.h"
#include "kdc/accounts.h"
#include "kdc/kdc.h"
#include "store/sqlite/sqlite_directory.h"

namespace kb::kdc {
namespace {

const SysTime kNow{std::chrono::seconds(1800000000)};
using store::sqlite::SqliteDirectoryStore;

class DirectoryCache : public ::testing::Test {
 protected:
  DirectoryCache() : clock_(kNow), mk_(crypto::MasterKey::generate(rng_)) {
    path_ = (dir_.path() / "d.db").string();
    kdc_store_ = std::move(*SqliteDirectoryStore::open(path_));
    admin_store_ = std::move(*SqliteDirectoryStore::open(path_));  // "the other process"
    domain_ = *provision_domain(*admin_store_,
                                {"contoso.test", "", "S-1-5-21-1-2-3", SecretString("adm")}, mk_,
                                clock_, rng_);
    store::Account a;
    a.rid = 1105;
    a.sam_account_name = "alice";
    a.user_account_control = store::uac::kNormalAccount | store::uac::kDontExpirePassword;
    EXPECT_TRUE(set_password(a, domain_, SecretString("password"), mk_, clock_, rng_));
    store::Account svc;
    svc.rid = 1200;
    svc.sam_account_name = "websvc";
    svc.service_principal_names = {"HTTP/web.contoso.test"};
    EXPECT_TRUE(set_random_keys(svc, domain_, mk_, clock_, rng_));
    EXPECT_TRUE(admin_store_->transact([&](store::DirectoryTxn& t) -> Result<void> {
      KB_CHECK(t.put_account(a));
      return t.put_account(svc);
    }));
    directory_ = std::make_unique<KdcDirectory>(*kdc_store_, mk_);
    kdc_ = std::make_unique<Kdc>(*directory_, clock_, rng_, KdcPolicy{},
                                 [this](const RequestLog& l, auto, auto) { last_log_ = l; });
  }

  // An AS exchange for alice with the right password; the TGT or the error code.
  Result<client::Credential> login() {
    auto key = *crypto::string_to_key(crypto::EncType::kAes256CtsHmacSha196,
                                      SecretString("password"), "CONTOSO.TESTalice");
    krb5::AsReq r;
    auto& b = r.req_body.value;
    b.cname = krb5::PrincipalName{1, {"alice"}};
    b.realm = "CONTOSO.TEST";
    b.sname = krb5::PrincipalName{2, {"krbtgt", "CONTOSO.TEST"}};
    b.till = krb5::KerberosTime::from_sys(clock_.now() + std::chrono::hours(10));
    b.nonce = 5;
    b.etype = {18};
    krb5::PaEncTsEnc ts;
    ts.patimestamp = krb5::KerberosTime::from_sys(clock_.now());
    krb5::EncryptedData ed;
    ed.etype = 18;
    ed.cipher =
        *crypto::encrypt(key, crypto::KeyUsage::kAsReqPaEncTimestamp, der::encode(ts), rng_);
    r.padata = std::vector<krb5::PaData>{{krb5::padata_type::kEncTimestamp, der::encode(ed)}};
    Bytes reply = kdc_->handle(der::encode(r), false, "test");
    if (last_log_.error_code != 0) return Error(static_cast<Errc>(last_log_.error_code), "refused");
    return client::open_as_rep(reply, key);
  }

  Result<client::TgsReply> service_ticket(const client::Credential& tgt) {
    client::TgsRequest req;
    req.realm = "CONTOSO.TEST";
    req.sname = krb5::PrincipalName{2, {"HTTP", "web.contoso.test"}};
    auto prepared = KB_TRY(client::build_tgs_req(tgt, req, clock_, rng_));
    return client::read_tgs_rep(kdc_->handle(prepared.bytes, false, "test"), tgt, prepared);
  }

  // What `keybridge dc` does to an account, through the other connection.
  void admin_edit(std::uint32_t rid, const std::function<void(store::Account&)>& edit) {
    ASSERT_TRUE(admin_store_->transact([&](store::DirectoryTxn& t) -> Result<void> {
      auto a = KB_TRY(t.account_by_rid(rid));
      edit(*a);
      return t.put_account(*a);
    }));
  }

  crypto::SystemRng rng_;
  FixedClock clock_;
  crypto::MasterKey mk_;
  TempDir dir_;
  std::string path_;
  std::unique_ptr<SqliteDirectoryStore> kdc_store_, admin_store_;
  store::Domain domain_;
  std::unique_ptr<KdcDirectory> directory_;
  std::unique_ptr<Kdc> kdc_;
  RequestLog last_log_;
};

TEST_F(DirectoryCache, AccountDisabledElsewhereIsRefusedAtTheNextRequest) {
  ASSERT_TRUE(login());
  ASSERT_TRUE(login());  // served from the cache
  admin_edit(1105,
             [](store::Account& a) { a.user_account_control |= store::uac::kAccountDisable; });
  EXPECT_EQ(last_log_.error_code, 0);
  auto r = login();
  ASSERT_FALSE(r);
  EXPECT_EQ(last_log_.error_code, static_cast<std::int32_t>(Errc::kClientRevoked));
}

TEST_F(DirectoryCache, KrbtgtKeyRotatedElsewhereIsUsedAndOldTgtsStillWork) {
  auto old_tgt = login();
  ASSERT_TRUE(old_tgt);
  ASSERT_TRUE(service_ticket(*old_tgt));
  admin_edit(store::kRidKrbtgt, [&](store::Account& a) {
    ASSERT_TRUE(set_random_keys(a, domain_, mk_, clock_, rng_));
  });
  auto new_tgt = login();
  ASSERT_TRUE(new_tgt);
  EXPECT_EQ(new_tgt->ticket.enc_part.kvno, std::optional<std::uint32_t>(2));
  auto st = service_ticket(*new_tgt);
  EXPECT_TRUE(st) << st.error().to_string() << " / " << last_log_.detail;
  auto st_old = service_ticket(*old_tgt);  // previous kvno, kept for tickets in flight
  EXPECT_TRUE(st_old) << st_old.error().to_string() << " / " << last_log_.detail;
}

TEST_F(DirectoryCache, ServiceKeyChangedElsewhereSealsTheNextTicket) {
  auto tgt = login();
  ASSERT_TRUE(tgt);
  auto first = service_ticket(*tgt);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->credential.ticket.enc_part.kvno, std::optional<std::uint32_t>(1));
  admin_edit(1200, [&](store::Account& a) {
    ASSERT_TRUE(set_random_keys(a, domain_, mk_, clock_, rng_));
  });
  auto second = service_ticket(*tgt);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->credential.ticket.enc_part.kvno, std::optional<std::uint32_t>(2));
}

TEST_F(DirectoryCache, LockoutPolicySetElsewhereAppliesWithoutARestart) {
  ASSERT_TRUE(login());
  ASSERT_TRUE(admin_store_->transact([](store::DirectoryTxn& t) -> Result<void> {
    auto d = KB_TRY(t.domain());
    d->lockout_threshold = 1;
    d->lockout_duration_s = 0;
    return t.put_domain(*d);
  }));
  admin_edit(1105, [&](store::Account& a) {
    a.bad_pwd_count = 1;
    a.lockout_time = 1;  // locked long ago; with duration 0 that lasts until unlocked
  });
  EXPECT_FALSE(login());
  EXPECT_EQ(last_log_.error_code, static_cast<std::int32_t>(Errc::kClientRevoked));
  EXPECT_EQ((*directory_->domain())->lockout_duration_s, 0);
}

TEST(DirectoryGeneration, EveryWriteMovesItAndReadsDoNot) {
  TempDir dir;
  auto a = std::move(*SqliteDirectoryStore::open((dir.path() / "g.db").string()));
  auto b = std::move(*SqliteDirectoryStore::open((dir.path() / "g.db").string()));
  std::uint64_t g0 = *a->generation();
  EXPECT_EQ(*b->generation(), g0);
  auto moved = [&](const std::function<Result<void>(store::DirectoryTxn&)>& fn) {
    const std::uint64_t before = *b->generation();
    EXPECT_TRUE(a->transact(fn));
    return *b->generation() > before;
  };
  store::Domain d{"contoso.test", "CONTOSO.TEST", "CONTOSO", "S-1-5-21-1-2-3"};
  EXPECT_TRUE(moved([&](store::DirectoryTxn& t) { return t.put_domain(d); }));
  store::Account acc;
  acc.rid = 1105;
  acc.sam_account_name = "alice";
  EXPECT_TRUE(moved([&](store::DirectoryTxn& t) { return t.put_account(acc); }));
  acc.bad_pwd_count = 1;
  EXPECT_TRUE(moved([&](store::DirectoryTxn& t) { return t.put_logon_state(acc); }));
  EXPECT_TRUE(moved([&](store::DirectoryTxn& t) {
    return t.put_group({"S-1-5-21-1-2-3-2001", "Engineers", {"S-1-5-21-1-2-3-1105"}});
  }));
  EXPECT_TRUE(moved([&](store::DirectoryTxn& t) {
    return t.put_object({"CN=x,DC=contoso,DC=test", "container", {}});
  }));
  EXPECT_TRUE(moved([&](store::DirectoryTxn& t) { return t.delete_account(1105); }));
  const std::uint64_t before = *b->generation();
  EXPECT_TRUE(a->read([](store::DirectoryTxn& t) -> Result<void> {
    KB_TRY(t.all_accounts());
    return ok();
  }));
  EXPECT_EQ(*b->generation(), before);
}

}  // namespace
}  // namespace kb::kdc
