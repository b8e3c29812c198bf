#include "kdc/accounts.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "base/subprocess.h"
#include "crypto/crypto.h"
#include "store/sqlite/sqlite_directory.h"

namespace kb::kdc {
namespace {

class Accounts : public ::testing::Test {
 protected:
  Accounts()
      : clock_(SysTime(std::chrono::seconds(1800000000))), mk_(crypto::MasterKey::generate(rng_)) {
    store_ = std::move(*store::sqlite::SqliteDirectoryStore::open((dir_.path() / "d.db").string()));
  }

  store::Domain provision() {
    auto d =
        provision_domain(*store_, {"Contoso.Test", "", "S-1-5-21-1-2-3", SecretString("Adm1n!pw")},
                         mk_, clock_, rng_);
    EXPECT_TRUE(d) << d.error().to_string();
    return *d;
  }

  store::Account load(std::string_view sam) {
    store::Account out;
    EXPECT_TRUE(store_->transact([&](store::DirectoryTxn& t) -> Result<void> {
      auto a = KB_TRY(t.account_by_sam(sam));
      if (!a) return Error(store::Errc::kNotFound, std::string(sam));
      out = std::move(*a);
      return ok();
    }));
    return out;
  }

  crypto::SystemRng rng_;
  FixedClock clock_;
  crypto::MasterKey mk_;
  TempDir dir_;
  std::unique_ptr<store::sqlite::SqliteDirectoryStore> store_;
};

TEST_F(Accounts, ProvisionCreatesTheDomainAsAdDoes) {
  store::Domain d = provision();
  EXPECT_EQ(d.dns_name, "contoso.test");
  EXPECT_EQ(d.realm, "CONTOSO.TEST");
  EXPECT_EQ(d.netbios_name, "CONTOSO");

  store::Account krbtgt = load("krbtgt");
  EXPECT_EQ(krbtgt.rid, 502u);
  EXPECT_TRUE(krbtgt.user_account_control & store::uac::kAccountDisable);
  EXPECT_EQ(krbtgt.keys.size(), 3u);
  EXPECT_EQ(current_kvno(krbtgt), 1u);

  store::Account admin = load("administrator");
  EXPECT_EQ(admin.rid, 500u);
  EXPECT_EQ(admin.pwd_last_set, 1800000000);

  ASSERT_TRUE(store_->transact([&](store::DirectoryTxn& t) -> Result<void> {
    EXPECT_EQ(KB_TRY(t.all_groups()).size(), store::well_known_groups().size());
    auto denied = KB_TRY(t.group_by_sam("Denied RODC Password Replication Group"));
    EXPECT_TRUE(denied.has_value());
    if (denied) {
      EXPECT_EQ(denied->sid, "S-1-5-21-1-2-3-572");
      EXPECT_NE(
          std::find(denied->member_sids.begin(), denied->member_sids.end(), "S-1-5-21-1-2-3-512"),
          denied->member_sids.end());
      EXPECT_NE(
          std::find(denied->member_sids.begin(), denied->member_sids.end(), "S-1-5-21-1-2-3-502"),
          denied->member_sids.end());
    }
    // Administrator reaches the Denied group transitively through Domain Admins.
    auto groups = KB_TRY(t.groups_containing("S-1-5-21-1-2-3-500"));
    EXPECT_NE(std::find(groups.begin(), groups.end(), "S-1-5-21-1-2-3-572"), groups.end());
    EXPECT_NE(std::find(groups.begin(), groups.end(), "S-1-5-32-544"), groups.end());
    return ok();
  }));

  auto again =
      provision_domain(*store_, {"contoso.test", "", "", SecretString("x")}, mk_, clock_, rng_);
  ASSERT_FALSE(again);
  EXPECT_TRUE(again.error().is(store::Errc::kAlreadyExists));
}

TEST_F(Accounts, PasswordKeysUseAdSaltsAndMatchStringToKey) {
  provision();
  store::Account admin = load("Administrator");
  for (crypto::EncType e : kStoredEnctypes) {
    auto k = account_key(admin, e, 0, mk_);
    ASSERT_TRUE(k) << k.error().to_string();
    auto expected = crypto::string_to_key(e, SecretString("Adm1n!pw"), "CONTOSO.TESTAdministrator");
    EXPECT_TRUE(k->bytes() == expected->bytes()) << crypto::enctype_name(e);
  }
  for (const auto& sk : admin.keys) {
    if (sk.enctype == 23) {
      EXPECT_TRUE(sk.salt.empty());
    } else {
      EXPECT_EQ(sk.salt, "CONTOSO.TESTAdministrator");
    }
  }
}

TEST_F(Accounts, ComputerSaltFollowsMsKile) {
  store::Domain d = provision();
  store::Account c;
  c.object_class = store::ObjectClass::kComputer;
  c.sam_account_name = "WEB01$";
  EXPECT_EQ(account_salt(d, c), "CONTOSO.TESThostweb01.contoso.test");
}

TEST_F(Accounts, PasswordChangeKeepsOnlyThePreviousKvno) {
  store::Domain d = provision();
  store::Account a = load("Administrator");
  ASSERT_TRUE(set_password(a, d, SecretString("second"), mk_, clock_, rng_));
  ASSERT_TRUE(set_password(a, d, SecretString("third"), mk_, clock_, rng_));
  EXPECT_EQ(current_kvno(a), 3u);
  std::set<std::uint32_t> kvnos;
  for (const auto& k : a.keys) kvnos.insert(k.kvno);
  EXPECT_EQ(kvnos, (std::set<std::uint32_t>{2, 3}));
  EXPECT_TRUE(account_key(a, crypto::EncType::kAes256CtsHmacSha196, 2, mk_));
  EXPECT_FALSE(account_key(a, crypto::EncType::kAes256CtsHmacSha196, 1, mk_));
  auto k3 = account_key(a, crypto::EncType::kAes256CtsHmacSha196, 0, mk_);
  EXPECT_TRUE(k3->bytes() == crypto::string_to_key(crypto::EncType::kAes256CtsHmacSha196,
                                                   SecretString("third"),
                                                   "CONTOSO.TESTAdministrator")
                                 ->bytes());
}

TEST_F(Accounts, KeysDoNotUnwrapUnderAnotherMasterKeyOrAccount) {
  provision();
  store::Account a = load("Administrator");
  crypto::MasterKey other = crypto::MasterKey::generate(rng_);
  EXPECT_FALSE(account_key(a, crypto::EncType::kAes256CtsHmacSha196, 0, other));
  // A wrapped key copied onto another account does not unwrap there.
  store::Account thief = load("krbtgt");
  thief.keys = a.keys;
  EXPECT_FALSE(account_key(thief, crypto::EncType::kAes256CtsHmacSha196, 0, mk_));
}

TEST_F(Accounts, ProvisionRejectsBadInput) {
  EXPECT_FALSE(provision_domain(*store_, {"nodots", "", "", SecretString("x")}, mk_, clock_, rng_));
  EXPECT_FALSE(
      provision_domain(*store_, {"a.test", "", "S-1-x", SecretString("x")}, mk_, clock_, rng_));
  EXPECT_FALSE(provision_domain(*store_, {"a.test", "", "", SecretString()}, mk_, clock_, rng_));
}

}  // namespace
}  // namespace kb::kdc
