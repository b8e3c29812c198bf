// Isolation on both backends (see cloud_store_fixture.h): between tenants, entity by
// entity, and between concurrent callers of the operations that must be atomic.
#include "cloud_store_fixture.h"

namespace kb::store::test {
namespace {

// --- Tenant isolation: tenant B sees and changes nothing of tenant A's, entity by entity.

TEST_P(CloudStoreTest, IsolationUsers) {
  add_user(kA, "u1", "alice@contoso.test");
  ASSERT_OK(run([&](CloudTxn& t) -> Result<void> {
    EXPECT_FALSE(KB_TRY(t.user_by_id(kB, "u1")).has_value());
    EXPECT_FALSE(KB_TRY(t.user_by_upn(kB, "alice@contoso.test")).has_value());
    EXPECT_FALSE(KB_TRY(t.user_by_anchor(kB, "anchor-u1")).has_value());
    EXPECT_TRUE(KB_TRY(t.users_by_domain(kB, "contoso.test", "", 100)).empty());
    EXPECT_TRUE(KB_TRY(t.users_changed_since(kB, 0, 100)).empty());
    std::vector<std::string> anchors{"anchor-u1"};
    EXPECT_EQ(KB_TRY(t.delete_users(kB, anchors)), 0u);
    EXPECT_TRUE(t.delete_user(kB, "u1").error().is(Errc::kNotFound));
    return ok();
  }));
  // The same anchor, UPN and id in tenant B are a different user, not a conflict.
  std::vector<CloudUser> twin{user("u1", "anchor-u1", "alice@contoso.test")};
  twin.front().display_name = "Tenant B's Alice";
  ASSERT_TRUE(one([&](CloudTxn& t) { return t.upsert_users(kB, twin, kT0); }));
  auto a = one([&](CloudTxn& t) { return t.user_by_id(kA, "u1"); });
  ASSERT_TRUE(a && a->has_value());
  EXPECT_EQ((*a)->display_name, "User alice");
  EXPECT_EQ((*a)->tenant_id, kA);
}

TEST_P(CloudStoreTest, IsolationTokensAndPolicy) {
  Bytes hash = crypto::sha256(as_bytes("token-a"));
  TenantPolicy p;
  p.require_attestation = true;
  ASSERT_OK(run([&](CloudTxn& t) -> Result<void> {
    KB_CHECK(t.add_admin_token({kA, "t1", hash, kT0, ""}));
    return t.put_policy(kA, p);
  }));
  ASSERT_OK(run([&](CloudTxn& t) -> Result<void> {
    EXPECT_TRUE(KB_TRY(t.admin_tokens(kB)).empty());
    EXPECT_TRUE(t.delete_admin_token(kB, "t1").error().is(Errc::kNotFound));
    EXPECT_EQ(KB_TRY(t.admin_token_by_hash(hash))->tenant_id, kA);
    EXPECT_FALSE(KB_TRY(t.policy(kB)).require_attestation);
    EXPECT_EQ(KB_TRY(t.admin_tokens(kA)).size(), 1u);
    return ok();
  }));
}

TEST_P(CloudStoreTest, IsolationKerberosServers) {
  KerberosServerRecord r;
  r.domain = "contoso.test";
  r.branch_id = 7;
  r.current = {18, 1, Bytes(60, 1)};
  ASSERT_OK(one([&](CloudTxn& t) { return t.put_kerberos_server(kA, r, kT0); }));
  KerberosServerKey k2{18, 2, Bytes(60, 2)};
  ASSERT_OK(run([&](CloudTxn& t) -> Result<void> {
    EXPECT_FALSE(KB_TRY(t.kerberos_server(kB, "contoso.test")).has_value());
    EXPECT_FALSE(KB_TRY(t.kerberos_server_keys(kB, "contoso.test")).has_value());
    EXPECT_TRUE(KB_TRY(t.kerberos_servers(kB)).empty());
    EXPECT_TRUE(
        t.rotate_kerberos_server_key(kB, "contoso.test", k2, kT0, "x").error().is(Errc::kNotFound));
    EXPECT_TRUE(t.delete_kerberos_server(kB, "contoso.test").error().is(Errc::kNotFound));
    return ok();
  }));
  // Tenant B may publish the same domain name: a separate object with its own key.
  KerberosServerRecord rb = r;
  rb.current = {18, 9, Bytes(60, 9)};
  ASSERT_OK(one([&](CloudTxn& t) { return t.put_kerberos_server(kB, rb, kT0); }));
  auto ka = one([&](CloudTxn& t) { return t.kerberos_server_keys(kA, "contoso.test"); });
  ASSERT_TRUE(ka && ka->has_value());
  EXPECT_EQ((*ka)->current, r.current);
}

TEST_P(CloudStoreTest, IsolationCredentials) {
  add_user(kA, "u1", "alice@contoso.test");
  ASSERT_OK(one([&](CloudTxn& t) { return t.add_credential(credential(kA, "u1", {7})); }));
  // Tenant B cannot hang a credential on tenant A's user.
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.add_credential(credential(kB, "u1", {8})); }),
              Errc::kNotFound);
  CredentialUse use{10, 11, false, false, kT0};
  ASSERT_OK(run([&](CloudTxn& t) -> Result<void> {
    EXPECT_FALSE(KB_TRY(t.credential(kB, Bytes{7})).has_value());
    EXPECT_TRUE(KB_TRY(t.credentials_by_user(kB, "u1")).empty());
    EXPECT_TRUE(t.record_credential_use(kB, Bytes{7}, use).error().is(Errc::kNotFound));
    EXPECT_TRUE(t.rename_credential(kB, Bytes{7}, "mine").error().is(Errc::kNotFound));
    EXPECT_TRUE(t.delete_credential(kB, Bytes{7}).error().is(Errc::kNotFound));
    return ok();
  }));
  auto a = one([&](CloudTxn& t) { return t.credential(kA, Bytes{7}); });
  ASSERT_TRUE(a && a->has_value());
  EXPECT_EQ(**a, credential(kA, "u1", {7}));
}

TEST_P(CloudStoreTest, IsolationChallenges) {
  ASSERT_OK(one([&](CloudTxn& t) {
    return t.put_challenge(challenge(kA, "ch1", ChallengePurpose::kAuthentication));
  }));
  auto stolen = one([&](CloudTxn& t) {
    return t.take_challenge(kB, "ch1", ChallengePurpose::kAuthentication, kT0);
  });
  ASSERT_TRUE(stolen);
  EXPECT_FALSE(stolen->has_value());
  auto mine = one([&](CloudTxn& t) {
    return t.take_challenge(kA, "ch1", ChallengePurpose::kAuthentication, kT0);
  });
  ASSERT_TRUE(mine);
  EXPECT_TRUE(mine->has_value());
}

TEST_P(CloudStoreTest, IsolationAccessPasses) {
  add_user(kA, "u1", "alice@contoso.test");
  auto p = pass(kA, "u1", "p1", false);
  ASSERT_OK(one([&](CloudTxn& t) { return t.create_access_pass(p); }));
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.create_access_pass(pass(kB, "u1", "p2", true)); }),
              Errc::kNotFound);
  ASSERT_OK(run([&](CloudTxn& t) -> Result<void> {
    EXPECT_FALSE(KB_TRY(t.consume_access_pass(kB, p.secret_hash, kT0)).has_value());
    EXPECT_TRUE(KB_TRY(t.access_passes(kB, "u1")).empty());
    EXPECT_TRUE(t.delete_access_pass(kB, "p1").error().is(Errc::kNotFound));
    return ok();
  }));
  auto a = one([&](CloudTxn& t) { return t.consume_access_pass(kA, p.secret_hash, kT0); });
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->has_value());
}

TEST_P(CloudStoreTest, IsolationDevicesAndPrts) {
  add_user(kA, "u1", "alice@contoso.test");
  add_user(kB, "b1", "bob@fabrikam.test");
  auto p = prt(kA, "u1", "d1", 1);
  ASSERT_OK(run([&](CloudTxn& t) -> Result<void> {
    KB_CHECK(t.register_device(device(kA, "d1", "u1")));
    return t.put_prt(p);
  }));
  // A PRT in tenant B cannot point at tenant A's device.
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.put_prt(prt(kB, "b1", "d1", 2)); }), Errc::kNotFound);
  ASSERT_OK(run([&](CloudTxn& t) -> Result<void> {
    EXPECT_FALSE(KB_TRY(t.device(kB, "d1")).has_value());
    EXPECT_TRUE(KB_TRY(t.devices_by_user(kB, "u1")).empty());
    EXPECT_TRUE(t.set_device_enabled(kB, "d1", false).error().is(Errc::kNotFound));
    EXPECT_TRUE(t.touch_device(kB, "d1", kT0).error().is(Errc::kNotFound));
    EXPECT_TRUE(t.delete_device(kB, "d1").error().is(Errc::kNotFound));
    EXPECT_FALSE(KB_TRY(t.prt(kB, p.id)).has_value());
    EXPECT_TRUE(t.revoke_prt(kB, p.id).error().is(Errc::kNotFound));
    EXPECT_EQ(KB_TRY(t.revoke_prts_for_user(kB, "u1")), 0u);
    EXPECT_EQ(KB_TRY(t.revoke_prts_for_device(kB, "d1")), 0u);
    return ok();
  }));
  auto a = one([&](CloudTxn& t) { return t.prt(kA, p.id); });
  ASSERT_TRUE(a && a->has_value());
  EXPECT_FALSE((*a)->revoked);
  auto d = one([&](CloudTxn& t) { return t.device(kA, "d1"); });
  ASSERT_TRUE(d && d->has_value());
  EXPECT_TRUE((*d)->enabled);
}

TEST_P(CloudStoreTest, DeletingATenantRemovesEverythingItOwns) {
  add_user(kA, "u1", "alice@contoso.test");
  add_user(kB, "b1", "bob@fabrikam.test");
  KerberosServerRecord r;
  r.domain = "contoso.test";
  r.branch_id = 7;
  r.current = {18, 1, Bytes(60, 1)};
  ASSERT_OK(run([&](CloudTxn& t) -> Result<void> {
    KB_CHECK(t.add_admin_token({kA, "t1", crypto::sha256(Bytes{1}), kT0, ""}));
    KB_CHECK(t.put_kerberos_server(kA, r, kT0));
    KB_CHECK(t.add_credential(credential(kA, "u1", {7})));
    KB_CHECK(t.register_device(device(kA, "d1", "u1")));
    KB_CHECK(t.put_prt(prt(kA, "u1", "d1", 1)));
    return t.delete_tenant(kA);
  }));
  ASSERT_OK(run([&](CloudTxn& t) -> Result<void> {
    EXPECT_FALSE(KB_TRY(t.tenant(kA)).has_value());
    EXPECT_FALSE(KB_TRY(t.admin_token_by_hash(crypto::sha256(Bytes{1}))).has_value());
    EXPECT_FALSE(KB_TRY(t.user_by_id(kA, "u1")).has_value());
    EXPECT_FALSE(KB_TRY(t.kerberos_server(kA, "contoso.test")).has_value());
    EXPECT_FALSE(KB_TRY(t.credential(kA, Bytes{7})).has_value());
    EXPECT_FALSE(KB_TRY(t.device(kA, "d1")).has_value());
    EXPECT_FALSE(KB_TRY(t.prt(kA, crypto::sha256(Bytes{1}))).has_value());
    EXPECT_TRUE(KB_TRY(t.user_by_id(kB, "b1")).has_value());
    return ok();
  }));
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.delete_tenant(kA); }), Errc::kNotFound);
}

// --- Concurrency: of many callers racing for one thing, exactly one gets it.

TEST_P(CloudStoreTest, ConcurrentUsesOfOneCounterValueLetExactlyOneWin) {
  add_user(kA, "u1", "alice@contoso.test");
  ASSERT_OK(one([&](CloudTxn& t) { return t.add_credential(credential(kA, "u1", {7})); }));
  constexpr int kThreads = 8;
  std::atomic<int> wins{0};
  std::atomic<int> conflicts{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      CredentialUse use{10, static_cast<std::uint32_t>(11 + i), false, true, kT0};
      auto r =
          store_->transact([&](CloudTxn& t) { return t.record_credential_use(kA, Bytes{7}, use); });
      if (r)
        ++wins;
      else if (r.error().is(Errc::kConflict))
        ++conflicts;
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(conflicts.load(), kThreads - 1);
}

TEST_P(CloudStoreTest, ConcurrentTakersOfOneChallengeLeaveExactlyOneWinner) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 10;
  for (int round = 0; round < kRounds; ++round) {
    const std::string id = "race-" + std::to_string(round);
    ASSERT_OK(one([&](CloudTxn& t) {
      return t.put_challenge(challenge(kA, id, ChallengePurpose::kAuthentication));
    }));
    std::atomic<int> winners{0};
    std::atomic<int> failures{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        std::optional<Challenge> got;
        auto r = store_->transact([&](CloudTxn& t) -> Result<void> {
          got = KB_TRY(t.take_challenge(kA, id, ChallengePurpose::kAuthentication, kT0));
          return ok();
        });
        if (!r)
          ++failures;
        else if (got)
          ++winners;
      });
    }
    go = true;
    for (auto& t : threads) t.join();
    EXPECT_EQ(winners.load(), 1) << "round " << round;
    EXPECT_EQ(failures.load(), 0) << "round " << round;
  }
}

TEST_P(CloudStoreTest, ConcurrentConsumersOfAOneTimePassLeaveExactlyOneWinner) {
  add_user(kA, "u1", "alice@contoso.test");
  constexpr int kThreads = 8;
  for (int round = 0; round < 5; ++round) {
    auto p = pass(kA, "u1", "race-" + std::to_string(round), true);
    ASSERT_OK(one([&](CloudTxn& t) { return t.create_access_pass(p); }));
    std::atomic<int> winners{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        bool won = false;
        auto r = store_->transact([&](CloudTxn& t) -> Result<void> {
          won = KB_TRY(t.consume_access_pass(kA, p.secret_hash, kT0 + 1s)).has_value();
          return ok();
        });
        if (r && won) ++winners;
      });
    }
    go = true;
    for (auto& t : threads) t.join();
    EXPECT_EQ(winners.load(), 1) << "round " << round;
  }
}

// --- PostgreSQL: a transaction that loses a deadlock race runs again.

struct DeadlockOutcome {
  Result<void> first;
  Result<void> second;
  int calls = 0;
};

// Two transactions lock tenant a's and tenant b's policy rows in opposite orders, each
// waiting (once) until the other holds its first row: PostgreSQL must kill one of them.
DeadlockOutcome race_into_deadlock(CloudStore& store) {
  std::atomic<int> calls{0};
  std::atomic<int> holding{0};
  auto worker = [&](const std::string& first, const std::string& second, Result<void>* out) {
    bool waited = false;
    TenantPolicy p;
    p.prt_lifetime_s = 3600;
    *out = store.transact([&](CloudTxn& t) -> Result<void> {
      ++calls;
      KB_CHECK(t.put_policy(first, p));
      if (!waited) {
        waited = true;
        ++holding;
        auto deadline = std::chrono::steady_clock::now() + 5s;
        while (holding.load() < 2 && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::sleep_for(1ms);
        }
      }
      return t.put_policy(second, p);
    });
  };
  DeadlockOutcome o{ok(), ok(), 0};
  std::thread t1(worker, "a", "b", &o.first);
  std::thread t2(worker, "b", "a", &o.second);
  t1.join();
  t2.join();
  o.calls = calls.load();
  return o;
}

std::unique_ptr<postgres::PostgresCloudStore> two_tenant_store(int max_attempts) {
  std::string error;
  auto* pg = kb::testing::PostgresServer::shared(&error);
  EXPECT_NE(pg, nullptr) << error;
  if (pg == nullptr) return nullptr;
  postgres::PostgresOptions o;
  o.conninfo = pg->tcp_conninfo();
  o.schema = pg->fresh_schema_name();
  o.max_attempts = max_attempts;
  auto s = postgres::PostgresCloudStore::open(o);
  EXPECT_TRUE(s) << s.error().to_string();
  if (!s) return nullptr;
  auto r = (*s)->transact([](CloudTxn& t) -> Result<void> {
    KB_CHECK(t.create_tenant({"a", "A", kT0}));
    KB_CHECK(t.create_tenant({"b", "B", kT0}));
    KB_CHECK(t.put_policy("a", TenantPolicy{}));
    return t.put_policy("b", TenantPolicy{});
  });
  EXPECT_TRUE(r);
  return std::move(*s);
}

TEST(PostgresCloudStore, ADeadlockedTransactionIsRunAgainAndBothCommit) {
  auto store = two_tenant_store(5);
  ASSERT_NE(store, nullptr);
  auto o = race_into_deadlock(*store);
  EXPECT_TRUE(o.first) << o.first.error().to_string();
  EXPECT_TRUE(o.second) << o.second.error().to_string();
  // The victim ran again (and may lose once more: a retry can grab its first row before
  // the survivor takes it).
  EXPECT_GE(o.calls, 3);
  auto p = store->transact([](CloudTxn& t) -> Result<void> {
    EXPECT_EQ(KB_TRY(t.policy("a")).prt_lifetime_s, 3600);
    EXPECT_EQ(KB_TRY(t.policy("b")).prt_lifetime_s, 3600);
    return ok();
  });
  EXPECT_TRUE(p);
}

TEST(PostgresCloudStore, WithoutRetriesTheDeadlockVictimFails) {
  auto store = two_tenant_store(1);
  ASSERT_NE(store, nullptr);
  auto o = race_into_deadlock(*store);
  EXPECT_EQ(o.calls, 2);
  ASSERT_NE(o.first.has_value(), o.second.has_value());
  const auto& failed = o.first ? o.second : o.first;
  ASSERT_FALSE(failed);
  EXPECT_TRUE(failed.error().is(Errc::kBackend)) << failed.error().to_string();
}

}  // namespace
}  // namespace kb::store::test
