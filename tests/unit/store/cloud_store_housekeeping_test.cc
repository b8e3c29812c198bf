// Schema version 3 on both backends: the possibly-cloned mark of a credential (and its
// migration from a version 2 database), and the housekeeping purges of expired challenges
// and expired or revoked PRTs.
#include "cloud_store_fixture.h"

namespace kb::store::test {
namespace {

TEST_P(CloudStoreTest, APossiblyClonedMarkIsStoredClearedAndStopsCounterUpdates) {
  add_user(kA, "u1", "alice@contoso.test");
  ASSERT_OK(one([&](CloudTxn& t) { return t.add_credential(credential(kA, "u1", {7})); }));
  auto fresh = one([&](CloudTxn& t) { return t.credential(kA, Bytes{7}); });
  ASSERT_TRUE(fresh && fresh->has_value());
  EXPECT_FALSE((*fresh)->possibly_cloned);

  ASSERT_OK(one([&](CloudTxn& t) { return t.set_credential_possibly_cloned(kA, Bytes{7}, true); }));
  auto marked = one([&](CloudTxn& t) { return t.credentials_by_user(kA, "u1"); });
  ASSERT_TRUE(marked);
  ASSERT_EQ(marked->size(), 1u);
  EXPECT_TRUE((*marked)[0].possibly_cloned);
  // A marked credential's counter no longer moves, even with the right expected value.
  CredentialUse use{10, 11, false, true, kT0 + 1min};
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.record_credential_use(kA, Bytes{7}, use); }),
              Errc::kConflict);
  auto still = one([&](CloudTxn& t) { return t.credential(kA, Bytes{7}); });
  ASSERT_TRUE(still && still->has_value());
  EXPECT_EQ((*still)->sign_count, 10u);

  ASSERT_OK(
      one([&](CloudTxn& t) { return t.set_credential_possibly_cloned(kA, Bytes{7}, false); }));
  ASSERT_OK(one([&](CloudTxn& t) { return t.record_credential_use(kA, Bytes{7}, use); }));
  auto cleared = one([&](CloudTxn& t) { return t.credential(kA, Bytes{7}); });
  ASSERT_TRUE(cleared && cleared->has_value());
  EXPECT_FALSE((*cleared)->possibly_cloned);
  EXPECT_EQ((*cleared)->sign_count, 11u);
}

TEST_P(CloudStoreTest, APossiblyClonedMarkRoundTripsOnInsertAndIsScopedToItsTenant) {
  add_user(kA, "u1", "alice@contoso.test");
  auto c = credential(kA, "u1", {9});
  c.possibly_cloned = true;
  ASSERT_OK(one([&](CloudTxn& t) { return t.add_credential(c); }));
  auto got = one([&](CloudTxn& t) { return t.credential(kA, Bytes{9}); });
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ(**got, c);
  // Tenant B cannot clear (or set) A's mark; an unknown credential is not found.
  EXPECT_ERRC(
      one([&](CloudTxn& t) { return t.set_credential_possibly_cloned(kB, Bytes{9}, false); }),
      Errc::kNotFound);
  EXPECT_ERRC(
      one([&](CloudTxn& t) { return t.set_credential_possibly_cloned(kA, Bytes{1}, true); }),
      Errc::kNotFound);
  auto after = one([&](CloudTxn& t) { return t.credential(kA, Bytes{9}); });
  ASSERT_TRUE(after && after->has_value());
  EXPECT_TRUE((*after)->possibly_cloned);
}

TEST_P(CloudStoreTest, AVersion2DatabaseMigratesToVersion3KeepingItsCredentials) {
  add_user(kA, "u1", "alice@contoso.test");
  ASSERT_OK(one([&](CloudTxn& t) { return t.add_credential(credential(kA, "u1", {7})); }));
  store_.reset();
  // Take the database back to version 2 behind the store's back: no column, no index.
  const std::string drop = "DROP INDEX " +
                           std::string(GetParam() == Backend::kSqlite ? "" : schema_ + ".") +
                           "prt_revoked; ALTER TABLE " +
                           std::string(GetParam() == Backend::kSqlite ? "" : schema_ + ".") +
                           "webauthn_credential DROP COLUMN possibly_cloned";
  if (GetParam() == Backend::kSqlite) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_.path() / "cloud.db").c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, drop.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  } else {
    auto r = pg_->psql(drop);
    ASSERT_EQ(r.exit_code, 0) << r.out;
  }
  set_stored_schema_version(2);
  auto again = open_store();
  ASSERT_TRUE(again) << again.error().to_string();
  store_ = std::move(*again);
  auto got = one([&](CloudTxn& t) { return t.credential(kA, Bytes{7}); });
  ASSERT_TRUE(got && got->has_value()) << (got ? "" : got.error().to_string());
  EXPECT_EQ(**got, credential(kA, "u1", {7}));
  EXPECT_FALSE((*got)->possibly_cloned);
  ASSERT_OK(one([&](CloudTxn& t) { return t.set_credential_possibly_cloned(kA, Bytes{7}, true); }));
  auto marked = one([&](CloudTxn& t) { return t.credential(kA, Bytes{7}); });
  ASSERT_TRUE(marked && marked->has_value());
  EXPECT_TRUE((*marked)->possibly_cloned);
  EXPECT_EQ(sqlite::SqliteCloudStore::schema_version(), 3);
  EXPECT_EQ(postgres::PostgresCloudStore::schema_version(), 3);
}

TEST_P(CloudStoreTest, PurgeRemovesRevokedPrtsOfEveryTenantAndKeepsLiveOnes) {
  add_user(kA, "u1", "alice@contoso.test");
  add_user(kB, "v1", "bob@fabrikam.test");
  auto a_live = prt(kA, "u1", "d1", 1);
  auto a_revoked = prt(kA, "u1", "d1", 2);
  a_revoked.revoked = true;
  auto b_revoked = prt(kB, "v1", "e1", 3);
  b_revoked.revoked = true;
  ASSERT_OK(run([&](CloudTxn& t) -> Result<void> {
    KB_CHECK(t.register_device(device(kA, "d1", "u1")));
    KB_CHECK(t.register_device(device(kB, "e1", "v1")));
    for (const auto* p : {&a_live, &a_revoked, &b_revoked}) KB_CHECK(t.put_prt(*p));
    return ok();
  }));
  auto n = one([&](CloudTxn& t) { return t.purge_revoked_prts(); });
  ASSERT_TRUE(n) << n.error().to_string();
  EXPECT_EQ(*n, 2u);
  for (const auto* p : {&a_revoked, &b_revoked}) {
    auto gone = one([&](CloudTxn& t) { return t.prt(p->tenant_id, p->id); });
    ASSERT_TRUE(gone);
    EXPECT_FALSE(gone->has_value());
  }
  auto live = one([&](CloudTxn& t) { return t.prt(kA, a_live.id); });
  ASSERT_TRUE(live && live->has_value());
  EXPECT_EQ(**live, a_live);
  auto none = one([&](CloudTxn& t) { return t.purge_revoked_prts(); });
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, 0u);
}

TEST_P(CloudStoreTest, PurgeOfExpiredPrtsAndChallengesSpansTenantsAndKeepsTheRest) {
  add_user(kA, "u1", "alice@contoso.test");
  add_user(kB, "v1", "bob@fabrikam.test");
  auto a_old = prt(kA, "u1", "d1", 1);
  a_old.expires_at = kT0 + 1h;
  auto b_old = prt(kB, "v1", "e1", 2);
  b_old.expires_at = kT0 + 30min;
  auto b_new = prt(kB, "v1", "e1", 3);
  b_new.expires_at = kT0 + 1h + 1s;
  auto ch_a = challenge(kA, "a", ChallengePurpose::kPrtNonce);
  ch_a.expires_at = kT0 + 1h;
  auto ch_b = challenge(kB, "b", ChallengePurpose::kRegistration);
  ch_b.expires_at = kT0 + 2h;
  ASSERT_OK(run([&](CloudTxn& t) -> Result<void> {
    KB_CHECK(t.register_device(device(kA, "d1", "u1")));
    KB_CHECK(t.register_device(device(kB, "e1", "v1")));
    for (const auto* p : {&a_old, &b_old, &b_new}) KB_CHECK(t.put_prt(*p));
    KB_CHECK(t.put_challenge(ch_a));
    return t.put_challenge(ch_b);
  }));
  auto prts = one([&](CloudTxn& t) { return t.purge_expired_prts(kT0 + 1h); });
  ASSERT_TRUE(prts);
  EXPECT_EQ(*prts, 2u);
  auto chs = one([&](CloudTxn& t) { return t.purge_expired_challenges(kT0 + 1h); });
  ASSERT_TRUE(chs);
  EXPECT_EQ(*chs, 1u);
  auto kept = one([&](CloudTxn& t) { return t.prt(kB, b_new.id); });
  ASSERT_TRUE(kept && kept->has_value());
  auto ch = one([&](CloudTxn& t) {
    return t.take_challenge(kB, "b", ChallengePurpose::kRegistration, kT0 + 1h);
  });
  ASSERT_TRUE(ch);
  EXPECT_TRUE(ch->has_value());
}

}  // namespace
}  // namespace kb::store::test
