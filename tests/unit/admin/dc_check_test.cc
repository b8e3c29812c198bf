// dc-check against in-process KDCs: a writable DC of the domain, a DC of a directory without
// this Kerberos server object (as an RODC or another domain's DC would be), and a DC that
// does not answer.
#include "admin/dc_check.h"

#include <gtest/gtest.h>

#include "base/subprocess.h"
#include "kdc/accounts.h"
#include "kdc/kdc.h"
#include "kdc/kerberos_server.h"
#include "store/sqlite/sqlite_directory.h"

namespace kb::admin {
namespace {

struct Dc {
  Dc(const std::filesystem::path& db, const crypto::MasterKey& mk, const Clock& clock, Rng& rng,
     bool with_server) {
    store = std::move(*store::sqlite::SqliteDirectoryStore::open(db.string()));
    auto d = kdc::provision_domain(
        *store, {"contoso.test", "", "S-1-5-21-1-2-3", SecretString("x")}, mk, clock, rng);
    EXPECT_TRUE(d);
    store::Account a;
    a.rid = 1105;
    a.sam_account_name = "alice";
    EXPECT_TRUE(kdc::set_password(a, *d, SecretString("password"), mk, clock, rng));
    EXPECT_TRUE(store->transact([&](store::DirectoryTxn& t) { return t.put_account(a); }));
    if (with_server) {
      EXPECT_TRUE(kdc::create_kerberos_server(*store, {}, mk, clock, rng));
    }
    directory = std::make_unique<kdc::KdcDirectory>(*store, mk);
    kdc = std::make_unique<kdc::Kdc>(*directory, clock, rng, kdc::KdcPolicy{});
  }
  std::unique_ptr<store::sqlite::SqliteDirectoryStore> store;
  std::unique_ptr<kdc::KdcDirectory> directory;
  std::unique_ptr<kdc::Kdc> kdc;
};

class DcCheckTest : public ::testing::Test {
 protected:
  DcCheckTest()
      : clock_(SysTime(std::chrono::seconds(1800000000))),
        mk_(crypto::MasterKey::generate(rng_)),
        writable_(dir_.path() / "a.db", mk_, clock_, rng_, true),
        other_(dir_.path() / "b.db", mk_, clock_, rng_, false) {}

  Result<std::vector<DcCheck>> check(const std::string& account) {
    KdcExchange ex = [&](const std::string& dc, ByteView req) -> Result<Bytes> {
      if (dc == "dc1.contoso.test:88") return writable_.kdc->handle(req, false, "t");
      if (dc == "rodc.contoso.test:88") return other_.kdc->handle(req, false, "t");
      return Error(BaseErrc::kIo, "connection refused");
    };
    return dc_check(
        *writable_.store, mk_,
        {{"dc1.contoso.test:88", "rodc.contoso.test:88", "gone.contoso.test:88"}, account}, ex,
        clock_, rng_);
  }

  crypto::SystemRng rng_;
  FixedClock clock_;
  crypto::MasterKey mk_;
  TempDir dir_;
  Dc writable_, other_;
};

TEST_F(DcCheckTest, AnAllowedProbeShowsTradeAndKeyListPerDc) {
  auto r = check("alice");
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_TRUE((*r)[0].reachable);
  EXPECT_EQ((*r)[0].trade, Answer::kYes);
  EXPECT_EQ((*r)[0].key_list, Answer::kYes) << (*r)[0].detail;
  EXPECT_TRUE((*r)[1].reachable);
  EXPECT_EQ((*r)[1].trade, Answer::kNo) << (*r)[1].detail;
  EXPECT_FALSE((*r)[2].reachable);
  EXPECT_EQ((*r)[2].trade, Answer::kUnknown);
}

TEST_F(DcCheckTest, TheDeniedDefaultProbeStillShowsWhichDcsTrade) {
  auto r = check("Administrator");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ((*r)[0].trade, Answer::kYes);
  EXPECT_EQ((*r)[0].key_list, Answer::kUnknown);
  EXPECT_NE((*r)[0].detail.find("KDC_ERR_TGT_REVOKED"), std::string::npos) << (*r)[0].detail;
  EXPECT_EQ((*r)[1].trade, Answer::kNo);
}

TEST_F(DcCheckTest, NoObjectOrNoAccountIsAnError) {
  EXPECT_FALSE(check("nobody"));
  ASSERT_TRUE(kdc::remove_kerberos_server(*writable_.store));
  auto r = check("alice");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().to_string().find("no Kerberos server object"), std::string::npos);
}

}  // namespace
}  // namespace kb::admin
