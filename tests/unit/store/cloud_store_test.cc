// The cloud store's behaviour, entity by entity, on both backends (see
// cloud_store_fixture.h); tenant isolation and concurrency are in
// cloud_store_isolation_test.cc.
#include "cloud_store_fixture.h"

namespace kb::store::test {
namespace {

// --- Tenants, tokens, policy.

TEST_P(CloudStoreTest, TenantsRoundTripAndDuplicateIdIsConflict) {
  auto a = one([&](CloudTxn& t) { return t.tenant(kA); });
  ASSERT_TRUE(a && a->has_value());
  EXPECT_EQ(**a, (Tenant{kA, "Contoso", kT0}));
  auto all = one([&](CloudTxn& t) { return t.tenants(); });
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 2u);
  EXPECT_ERRC(one([&](CloudTxn& t) {
                return t.create_tenant({kA, "again", kT0});
              }),
              Errc::kConflict);
  EXPECT_ERRC(one([&](CloudTxn& t) {
                return t.create_tenant({"", "no id", kT0});
              }),
              Errc::kInvalidArgument);
  auto none = one([&](CloudTxn& t) { return t.tenant("33333333-0000-4000-8000-000000000000"); });
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST_P(CloudStoreTest, AdminTokenIsFoundByItsHashOnly) {
  Bytes hash = crypto::sha256(as_bytes("kb_secret_token_value"));
  AdminToken tok{kA, "init", hash, kT0, "created by cloud init"};
  ASSERT_OK(one([&](CloudTxn& t) { return t.add_admin_token(tok); }));
  auto found = one([&](CloudTxn& t) { return t.admin_token_by_hash(hash); });
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ(**found, tok);
  Bytes other = crypto::sha256(as_bytes("kb_secret_token_valuf"));
  auto missing = one([&](CloudTxn& t) { return t.admin_token_by_hash(other); });
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
  // A token is a 32-byte SHA-256, never the secret itself.
  AdminToken raw{kA, "raw", to_bytes("kb_secret_token_value"), kT0, ""};
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.add_admin_token(raw); }), Errc::kInvalidArgument);
  AdminToken orphan{"no-such-tenant", "x", crypto::sha256(Bytes{1}), kT0, ""};
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.add_admin_token(orphan); }), Errc::kNotFound);
  ASSERT_OK(one([&](CloudTxn& t) { return t.delete_admin_token(kA, "init"); }));
  auto gone = one([&](CloudTxn& t) { return t.admin_token_by_hash(hash); });
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.delete_admin_token(kA, "init"); }), Errc::kNotFound);
}

TEST_P(CloudStoreTest, PolicyHasDefaultsUntilPutThenRoundTrips) {
  auto d = one([&](CloudTxn& t) { return t.policy(kA); });
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, TenantPolicy{});
  TenantPolicy p;
  p.require_attestation = true;
  p.require_user_verification = false;
  p.aaguid_allow = {Bytes(16, 1), Bytes(16, 2)};
  p.aaguid_block = {Bytes(16, 3)};
  p.tap_default_lifetime_s = 600;
  p.tap_default_one_time = false;
  p.prt_lifetime_s = 3600;
  ASSERT_OK(one([&](CloudTxn& t) { return t.put_policy(kA, p); }));
  auto got = one([&](CloudTxn& t) { return t.policy(kA); });
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, p);
  TenantPolicy bad;
  bad.aaguid_block = {Bytes(15, 3)};
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.put_policy(kA, bad); }), Errc::kInvalidArgument);
  TenantPolicy zero;
  zero.tap_default_lifetime_s = 0;
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.put_policy(kA, zero); }), Errc::kInvalidArgument);
}

// --- Users.

TEST_P(CloudStoreTest, UpsertByAnchorUpdatesARenamedUserInsteadOfDuplicating) {
  std::vector<CloudUser> first{user("u1", "guid-1", "alice@contoso.test"),
                               user("u2", "guid-2", "bob@contoso.test")};
  first[0].password_expires_at = kT0 + 30 * 24h;
  auto ids = one([&](CloudTxn& t) { return t.upsert_users(kA, first, kT0); });
  ASSERT_TRUE(ids) << ids.error().to_string();
  EXPECT_EQ(*ids, (std::vector<std::string>{"u1", "u2"}));

  // The same anchor arrives with a new UPN, SID and name, and a new id the store ignores.
  CloudUser renamed = user("u9", "guid-1", "alice.smith@Contoso.Test", "CONTOSO.TEST");
  renamed.object_sid = "S-1-5-21-9-9-9-1105";
  renamed.enabled = false;
  std::vector<CloudUser> second{renamed};
  auto ids2 = one([&](CloudTxn& t) { return t.upsert_users(kA, second, kT0 + 1h); });
  ASSERT_TRUE(ids2);
  EXPECT_EQ(*ids2, std::vector<std::string>{"u1"});

  auto got = one([&](CloudTxn& t) { return t.user_by_anchor(kA, "guid-1"); });
  ASSERT_TRUE(got && got->has_value());
  const CloudUser& u = **got;
  EXPECT_EQ(u.id, "u1");
  EXPECT_EQ(u.tenant_id, kA);
  EXPECT_EQ(u.upn, "alice.smith@Contoso.Test");
  EXPECT_EQ(u.domain, "contoso.test");
  EXPECT_EQ(u.object_sid, "S-1-5-21-9-9-9-1105");
  EXPECT_FALSE(u.enabled);
  EXPECT_FALSE(u.password_expires_at.has_value());
  EXPECT_EQ(u.updated_at, kT0 + 1h);
  auto old = one([&](CloudTxn& t) { return t.user_by_upn(kA, "alice@contoso.test"); });
  ASSERT_TRUE(old);
  EXPECT_FALSE(old->has_value());
  auto all = one([&](CloudTxn& t) { return t.users_by_domain(kA, "contoso.test", "", 100); });
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 2u);
  auto by_id = one([&](CloudTxn& t) { return t.user_by_id(kA, "u2"); });
  ASSERT_TRUE(by_id && by_id->has_value());
  EXPECT_EQ((*by_id)->upn, "bob@contoso.test");
  EXPECT_EQ((*by_id)->object_sid, first[1].object_sid);
}

TEST_P(CloudStoreTest, UpnLookupIgnoresCase) {
  add_user(kA, "u1", "Alice@Contoso.TEST");
  auto got = one([&](CloudTxn& t) { return t.user_by_upn(kA, "alice@contoso.test"); });
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->id, "u1");
  EXPECT_EQ((*got)->upn, "Alice@Contoso.TEST");
}

TEST_P(CloudStoreTest, UpnOfAnotherAnchorIsConflictAndTheBatchRollsBack) {
  add_user(kA, "u1", "alice@contoso.test");
  std::vector<CloudUser> batch{user("u2", "guid-2", "bob@contoso.test"),
                               user("u3", "guid-3", "ALICE@contoso.test")};
  EXPECT_ERRC(run([&](CloudTxn& t) -> Result<void> {
                KB_CHECK(t.upsert_users(kA, batch, kT0));
                return ok();
              }),
              Errc::kConflict);
  auto bob = one([&](CloudTxn& t) { return t.user_by_anchor(kA, "guid-2"); });
  ASSERT_TRUE(bob);
  EXPECT_FALSE(bob->has_value());
  std::vector<CloudUser> no_anchor{user("u4", "", "carol@contoso.test")};
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.upsert_users(kA, no_anchor, kT0); }),
              Errc::kInvalidArgument);
  std::vector<CloudUser> orphan{user("u5", "guid-5", "dave@contoso.test")};
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.upsert_users("no-such-tenant", orphan, kT0); }),
              Errc::kNotFound);
}

TEST_P(CloudStoreTest, UsersOfADomainComeInPagesOrderedByUpn) {
  std::vector<CloudUser> v;
  for (int i = 0; i < 7; ++i) {
    v.push_back(user("c" + std::to_string(i), "gc" + std::to_string(i),
                     "user" + std::to_string(i) + "@contoso.test"));
  }
  v.push_back(user("f0", "gf0", "user0@fabrikam.test", "fabrikam.test"));
  ASSERT_TRUE(one([&](CloudTxn& t) { return t.upsert_users(kA, v, kT0); }));
  std::vector<std::string> seen;
  std::string after;
  for (int page = 0; page < 10; ++page) {
    auto p = one([&](CloudTxn& t) { return t.users_by_domain(kA, "Contoso.Test", after, 3); });
    ASSERT_TRUE(p);
    if (p->empty()) break;
    EXPECT_LE(p->size(), 3u);
    for (const auto& u : *p) seen.push_back(u.id);
    after = p->back().upn;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"c0", "c1", "c2", "c3", "c4", "c5", "c6"}));
}

TEST_P(CloudStoreTest, ChangeSequenceLetsSyncReadOnlyWhatChanged) {
  std::vector<CloudUser> v{user("u1", "g1", "a@contoso.test"), user("u2", "g2", "b@contoso.test"),
                           user("u3", "g3", "c@contoso.test")};
  ASSERT_TRUE(one([&](CloudTxn& t) { return t.upsert_users(kA, v, kT0); }));
  auto all = one([&](CloudTxn& t) { return t.users_changed_since(kA, 0, 100); });
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  const std::int64_t mark = all->back().change_seq;
  EXPECT_LT((*all)[0].change_seq, (*all)[1].change_seq);
  std::vector<CloudUser> again{user("u2", "g2", "b2@contoso.test")};
  ASSERT_TRUE(one([&](CloudTxn& t) { return t.upsert_users(kA, again, kT0 + 1min); }));
  auto changed = one([&](CloudTxn& t) { return t.users_changed_since(kA, mark, 100); });
  ASSERT_TRUE(changed);
  ASSERT_EQ(changed->size(), 1u);
  EXPECT_EQ((*changed)[0].id, "u2");
  EXPECT_EQ((*changed)[0].upn, "b2@contoso.test");
  auto limited = one([&](CloudTxn& t) { return t.users_changed_since(kA, 0, 2); });
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->size(), 2u);
}

TEST_P(CloudStoreTest, DeletingAUserTakesTheirCredentialsPassesPrtsAndChallenges) {
  add_user(kA, "u1", "alice@contoso.test");
  add_user(kA, "u2", "bob@contoso.test");
  ASSERT_OK(run([&](CloudTxn& t) -> Result<void> {
    KB_CHECK(t.add_credential(credential(kA, "u1", {1, 1})));
    KB_CHECK(t.add_credential(credential(kA, "u2", {2, 2})));
    KB_CHECK(t.create_access_pass(pass(kA, "u1", "p1", true)));
    KB_CHECK(t.register_device(device(kA, "d1", "u1")));
    KB_CHECK(t.put_prt(prt(kA, "u1", "d1", 1)));
    KB_CHECK(t.put_prt(prt(kA, "u2", "d1", 2)));
    auto c = challenge(kA, "ch1", ChallengePurpose::kAuthentication);
    c.user_id = "u1";
    return t.put_challenge(c);
  }));
  std::vector<std::string> anchors{"anchor-u1", "not-there"};
  auto n = one([&](CloudTxn& t) { return t.delete_users(kA, anchors); });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1u);
  ASSERT_OK(run([&](CloudTxn& t) -> Result<void> {
    EXPECT_FALSE(KB_TRY(t.user_by_id(kA, "u1")).has_value());
    EXPECT_FALSE(KB_TRY(t.credential(kA, Bytes{1, 1})).has_value());
    EXPECT_TRUE(KB_TRY(t.credential(kA, Bytes{2, 2})).has_value());
    EXPECT_FALSE(KB_TRY(t.consume_access_pass(kA, crypto::sha256(as_bytes("pass-p1")), kT0 + 1s))
                     .has_value());
    EXPECT_FALSE(KB_TRY(t.prt(kA, crypto::sha256(Bytes{1}))).has_value());
    EXPECT_TRUE(KB_TRY(t.prt(kA, crypto::sha256(Bytes{2}))).has_value());
    EXPECT_FALSE(
        KB_TRY(t.take_challenge(kA, "ch1", ChallengePurpose::kAuthentication, kT0)).has_value());
    // The device outlives the user who registered it; other users' PRTs on it stay.
    EXPECT_TRUE(KB_TRY(t.device(kA, "d1")).has_value());
    return ok();
  }));
  ASSERT_OK(one([&](CloudTxn& t) { return t.delete_user(kA, "u2"); }));
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.delete_user(kA, "u2"); }), Errc::kNotFound);
}

// --- Kerberos server objects.

TEST_P(CloudStoreTest, KerberosServerReadModelHasNoKeyAndKeysUnwrapForMinting) {
  auto mk = crypto::MasterKey::generate(rng_);
  Bytes key(32, 0x42);
  const std::string owner = kA + "/contoso.test";
  auto wrapped = mk.wrap(key, crypto::key_binding(owner, 3, 18), rng_);
  ASSERT_TRUE(wrapped);
  KerberosServerRecord r;
  r.domain = "Contoso.Test";
  r.branch_id = 40001;
  r.current = {18, 3, *wrapped};
  r.key_updated_on = kT0 - 1h;
  r.key_updated_from = "admin@dc1.contoso.test";
  ASSERT_OK(one([&](CloudTxn& t) { return t.put_kerberos_server(kA, r, kT0); }));

  auto info = one([&](CloudTxn& t) { return t.kerberos_server(kA, "CONTOSO.test"); });
  ASSERT_TRUE(info && info->has_value());
  KerberosServer want{kA,       "contoso.test",           40001, 18, 3, std::nullopt,
                      kT0 - 1h, "admin@dc1.contoso.test", kT0};
  EXPECT_EQ(**info, want);
  auto keys = one([&](CloudTxn& t) { return t.kerberos_server_keys(kA, "contoso.test"); });
  ASSERT_TRUE(keys && keys->has_value());
  EXPECT_EQ((*keys)->branch_id, 40001);
  EXPECT_EQ((*keys)->current, r.current);
  EXPECT_FALSE((*keys)->previous.has_value());
  EXPECT_NE((*keys)->current.wrapped_key, key);  // wrapped at rest
  auto plain = mk.unwrap((*keys)->current.wrapped_key, crypto::key_binding(owner, 3, 18));
  ASSERT_TRUE(plain);
  EXPECT_EQ(to_bytes(plain->reveal()), key);
  auto list = one([&](CloudTxn& t) { return t.kerberos_servers(kA); });
  ASSERT_TRUE(list);
  EXPECT_EQ(*list, std::vector<KerberosServer>{want});
}

TEST_P(CloudStoreTest, KerberosServerPublishReplacesAndKeepsCreationTime) {
  KerberosServerRecord r;
  r.domain = "contoso.test";
  r.branch_id = 1;
  r.current = {18, 1, Bytes(60, 1)};
  ASSERT_OK(one([&](CloudTxn& t) { return t.put_kerberos_server(kA, r, kT0); }));
  r.branch_id = 2;
  r.current = {18, 7, Bytes(60, 7)};
  r.previous = KerberosServerKey{18, 6, Bytes(60, 6)};
  r.key_updated_from = "ksetup";
  ASSERT_OK(one([&](CloudTxn& t) { return t.put_kerberos_server(kA, r, kT0 + 1h); }));
  auto info = one([&](CloudTxn& t) { return t.kerberos_server(kA, "contoso.test"); });
  ASSERT_TRUE(info && info->has_value());
  EXPECT_EQ((*info)->branch_id, 2);
  EXPECT_EQ((*info)->key_version, 7);
  EXPECT_EQ((*info)->previous_key_version, std::optional<std::uint16_t>(6));
  EXPECT_EQ((*info)->created, kT0);
  auto keys = one([&](CloudTxn& t) { return t.kerberos_server_keys(kA, "contoso.test"); });
  ASSERT_TRUE(keys && keys->has_value());
  EXPECT_EQ((*keys)->previous, r.previous);
}

TEST_P(CloudStoreTest, KerberosServerRotateKeepsThePreviousKeyAndRefusesAnOlderVersion) {
  KerberosServerRecord r;
  r.domain = "contoso.test";
  r.branch_id = 513;
  r.current = {18, 1, Bytes(60, 1)};
  ASSERT_OK(one([&](CloudTxn& t) { return t.put_kerberos_server(kA, r, kT0); }));
  KerberosServerKey k2{18, 2, Bytes(60, 2)};
  ASSERT_OK(one([&](CloudTxn& t) {
    return t.rotate_kerberos_server_key(kA, "contoso.test", k2, kT0 + 1h, "rotator");
  }));
  auto keys = one([&](CloudTxn& t) { return t.kerberos_server_keys(kA, "contoso.test"); });
  ASSERT_TRUE(keys && keys->has_value());
  EXPECT_EQ((*keys)->current, k2);
  EXPECT_EQ((*keys)->previous, r.current);
  auto info = one([&](CloudTxn& t) { return t.kerberos_server(kA, "contoso.test"); });
  ASSERT_TRUE(info && info->has_value());
  EXPECT_EQ((*info)->key_updated_on, kT0 + 1h);
  EXPECT_EQ((*info)->key_updated_from, "rotator");
  EXPECT_EQ((*info)->previous_key_version, std::optional<std::uint16_t>(1));

  for (int v : {2, 1}) {  // same version, then an older one
    KerberosServerKey stale{18, static_cast<std::uint16_t>(v), Bytes(60, 9)};
    EXPECT_ERRC(one([&](CloudTxn& t) {
                  return t.rotate_kerberos_server_key(kA, "contoso.test", stale, kT0 + 2h, "x");
                }),
                Errc::kConflict);
  }
  auto after = one([&](CloudTxn& t) { return t.kerberos_server_keys(kA, "contoso.test"); });
  ASSERT_TRUE(after && after->has_value());
  EXPECT_EQ((*after)->current, k2);
  KerberosServerKey k3{18, 3, Bytes(60, 3)};
  EXPECT_ERRC(one([&](CloudTxn& t) {
                return t.rotate_kerberos_server_key(kA, "fabrikam.test", k3, kT0, "x");
              }),
              Errc::kNotFound);
}

TEST_P(CloudStoreTest, KerberosServerRefusesBadRecordsAndDeletes) {
  KerberosServerRecord r;
  r.domain = "contoso.test";
  r.branch_id = 0;
  r.current = {18, 1, Bytes(60, 1)};
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.put_kerberos_server(kA, r, kT0); }),
              Errc::kInvalidArgument);
  r.branch_id = 5;
  r.current.wrapped_key.clear();
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.put_kerberos_server(kA, r, kT0); }),
              Errc::kInvalidArgument);
  r.current.wrapped_key = Bytes(60, 1);
  r.previous = KerberosServerKey{18, 1, Bytes(60, 0)};
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.put_kerberos_server(kA, r, kT0); }),
              Errc::kInvalidArgument);
  r.previous.reset();
  ASSERT_OK(one([&](CloudTxn& t) { return t.put_kerberos_server(kA, r, kT0); }));
  ASSERT_OK(one([&](CloudTxn& t) { return t.delete_kerberos_server(kA, "CONTOSO.TEST"); }));
  auto gone = one([&](CloudTxn& t) { return t.kerberos_server_keys(kA, "contoso.test"); });
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.delete_kerberos_server(kA, "contoso.test"); }),
              Errc::kNotFound);
}

// --- WebAuthn credentials.

TEST_P(CloudStoreTest, CredentialRoundTripsEveryField) {
  add_user(kA, "u1", "alice@contoso.test");
  auto c = credential(kA, "u1", Bytes{0xc1, 0x00, 0xff});
  c.last_used = kT0 + 5s;
  c.uv_initialized = true;
  auto c2 = credential(kA, "u1", Bytes{0xc2});
  c2.x5c.clear();
  c2.transports.clear();
  c2.created = kT0 + 1s;
  ASSERT_OK(one([&](CloudTxn& t) { return t.add_credential(c); }));
  ASSERT_OK(one([&](CloudTxn& t) { return t.add_credential(c2); }));
  auto got = one([&](CloudTxn& t) { return t.credential(kA, Bytes{0xc1, 0x00, 0xff}); });
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ(**got, c);
  auto list = one([&](CloudTxn& t) { return t.credentials_by_user(kA, "u1"); });
  ASSERT_TRUE(list);
  EXPECT_EQ(*list, (std::vector<WebAuthnCredential>{c, c2}));
  ASSERT_OK(one([&](CloudTxn& t) { return t.rename_credential(kA, Bytes{0xc2}, "backup key"); }));
  auto renamed = one([&](CloudTxn& t) { return t.credential(kA, Bytes{0xc2}); });
  ASSERT_TRUE(renamed && renamed->has_value());
  EXPECT_EQ((*renamed)->friendly_name, "backup key");
}

TEST_P(CloudStoreTest, CredentialIdIsUniqueInATenantAndNeedsAKnownUser) {
  add_user(kA, "u1", "alice@contoso.test");
  add_user(kA, "u2", "bob@contoso.test");
  ASSERT_OK(one([&](CloudTxn& t) { return t.add_credential(credential(kA, "u1", {7})); }));
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.add_credential(credential(kA, "u2", {7})); }),
              Errc::kConflict);
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.add_credential(credential(kA, "nobody", {8})); }),
              Errc::kNotFound);
  auto bad = credential(kA, "u1", {9});
  bad.aaguid = Bytes(15, 0);
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.add_credential(bad); }), Errc::kInvalidArgument);
}

TEST_P(CloudStoreTest, RecordUseIsACompareAndSetOnTheSignCounter) {
  add_user(kA, "u1", "alice@contoso.test");
  ASSERT_OK(one([&](CloudTxn& t) { return t.add_credential(credential(kA, "u1", {7})); }));
  CredentialUse use{10, 11, true, true, kT0 + 1min};
  ASSERT_OK(one([&](CloudTxn& t) { return t.record_credential_use(kA, Bytes{7}, use); }));
  auto got = one([&](CloudTxn& t) { return t.credential(kA, Bytes{7}); });
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ((*got)->sign_count, 11u);
  EXPECT_TRUE((*got)->backup_state);
  EXPECT_TRUE((*got)->uv_initialized);
  EXPECT_EQ((*got)->last_used, std::optional<SysTime>(kT0 + 1min));
  // A second verifier that read the old counter (10) loses.
  CredentialUse stale{10, 12, false, false, kT0 + 2min};
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.record_credential_use(kA, Bytes{7}, stale); }),
              Errc::kConflict);
  auto after = one([&](CloudTxn& t) { return t.credential(kA, Bytes{7}); });
  ASSERT_TRUE(after && after->has_value());
  EXPECT_EQ((*after)->sign_count, 11u);
  EXPECT_TRUE((*after)->uv_initialized);  // UV-initialized never goes back
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.record_credential_use(kA, Bytes{8}, use); }),
              Errc::kNotFound);
}

TEST_P(CloudStoreTest, ADeletedCredentialIsGone) {
  add_user(kA, "u1", "alice@contoso.test");
  ASSERT_OK(one([&](CloudTxn& t) { return t.add_credential(credential(kA, "u1", {7})); }));
  ASSERT_OK(one([&](CloudTxn& t) { return t.delete_credential(kA, Bytes{7}); }));
  auto got = one([&](CloudTxn& t) { return t.credential(kA, Bytes{7}); });
  ASSERT_TRUE(got);
  EXPECT_FALSE(got->has_value());
  auto list = one([&](CloudTxn& t) { return t.credentials_by_user(kA, "u1"); });
  ASSERT_TRUE(list);
  EXPECT_TRUE(list->empty());
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.delete_credential(kA, Bytes{7}); }), Errc::kNotFound);
  CredentialUse use{10, 11, false, false, kT0};
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.record_credential_use(kA, Bytes{7}, use); }),
              Errc::kNotFound);
}

// --- Challenges.

TEST_P(CloudStoreTest, ChallengeIsTakenOnceAndOnlyForItsPurposeBeforeExpiry) {
  add_user(kA, "u1", "alice@contoso.test");
  auto c = challenge(kA, "ch1", ChallengePurpose::kRegistration);
  c.user_id = "u1";
  ASSERT_OK(one([&](CloudTxn& t) { return t.put_challenge(c); }));
  auto wrong = one([&](CloudTxn& t) {
    return t.take_challenge(kA, "ch1", ChallengePurpose::kAuthentication, kT0);
  });
  ASSERT_TRUE(wrong);
  EXPECT_FALSE(wrong->has_value());
  auto got = one([&](CloudTxn& t) {
    return t.take_challenge(kA, "ch1", ChallengePurpose::kRegistration, kT0);
  });
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ(**got, c);
  auto again = one([&](CloudTxn& t) {
    return t.take_challenge(kA, "ch1", ChallengePurpose::kRegistration, kT0);
  });
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->has_value());

  ASSERT_OK(one([&](CloudTxn& t) {
    return t.put_challenge(challenge(kA, "ch2", ChallengePurpose::kPrtNonce));
  }));
  auto expired = one([&](CloudTxn& t) {
    return t.take_challenge(kA, "ch2", ChallengePurpose::kPrtNonce, kT0 + 5min);
  });
  ASSERT_TRUE(expired);
  EXPECT_FALSE(expired->has_value());
  auto bad = challenge(kA, "ch3", ChallengePurpose::kPrtNonce);
  bad.challenge.clear();
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.put_challenge(bad); }), Errc::kInvalidArgument);
  auto dup = challenge(kA, "ch2", ChallengePurpose::kPrtNonce);
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.put_challenge(dup); }), Errc::kConflict);
}

TEST_P(CloudStoreTest, PurgeRemovesOnlyExpiredChallenges) {
  auto old = challenge(kA, "old", ChallengePurpose::kAuthentication);
  old.expires_at = kT0;
  auto fresh = challenge(kB, "fresh", ChallengePurpose::kAuthentication);
  fresh.expires_at = kT0 + 1h;
  ASSERT_OK(run([&](CloudTxn& t) -> Result<void> {
    KB_CHECK(t.put_challenge(old));
    return t.put_challenge(fresh);
  }));
  auto n = one([&](CloudTxn& t) { return t.purge_expired_challenges(kT0); });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1u);
  auto still = one([&](CloudTxn& t) {
    return t.take_challenge(kB, "fresh", ChallengePurpose::kAuthentication, kT0);
  });
  ASSERT_TRUE(still);
  EXPECT_TRUE(still->has_value());
}

// --- Temporary access passes.

TEST_P(CloudStoreTest, OneTimePassWorksOnceAndNotBeforeItStarts) {
  add_user(kA, "u1", "alice@contoso.test");
  auto p = pass(kA, "u1", "p1", true);
  p.starts_at = kT0 + 1min;
  ASSERT_OK(one([&](CloudTxn& t) { return t.create_access_pass(p); }));
  auto early = one([&](CloudTxn& t) { return t.consume_access_pass(kA, p.secret_hash, kT0); });
  ASSERT_TRUE(early);
  EXPECT_FALSE(early->has_value());
  auto used =
      one([&](CloudTxn& t) { return t.consume_access_pass(kA, p.secret_hash, kT0 + 2min); });
  ASSERT_TRUE(used && used->has_value());
  EXPECT_EQ((*used)->user_id, "u1");
  EXPECT_EQ((*used)->used_at, std::optional<SysTime>(kT0 + 2min));
  auto twice =
      one([&](CloudTxn& t) { return t.consume_access_pass(kA, p.secret_hash, kT0 + 3min); });
  ASSERT_TRUE(twice);
  EXPECT_FALSE(twice->has_value());
}

TEST_P(CloudStoreTest, TimeLimitedPassWorksRepeatedlyUntilItExpires) {
  add_user(kA, "u1", "alice@contoso.test");
  auto p = pass(kA, "u1", "p1", false);
  ASSERT_OK(one([&](CloudTxn& t) { return t.create_access_pass(p); }));
  for (auto at : {kT0, kT0 + 10min, kT0 + 59min}) {
    auto r = one([&](CloudTxn& t) { return t.consume_access_pass(kA, p.secret_hash, at); });
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->has_value());
  }
  auto late = one([&](CloudTxn& t) { return t.consume_access_pass(kA, p.secret_hash, kT0 + 1h); });
  ASSERT_TRUE(late);
  EXPECT_FALSE(late->has_value());
  auto wrong = one([&](CloudTxn& t) {
    return t.consume_access_pass(kA, crypto::sha256(as_bytes("guess")), kT0);
  });
  ASSERT_TRUE(wrong);
  EXPECT_FALSE(wrong->has_value());
}

TEST_P(CloudStoreTest, PassListHidesHashesAndDeleteWorks) {
  add_user(kA, "u1", "alice@contoso.test");
  auto p1 = pass(kA, "u1", "p1", true);
  auto p2 = pass(kA, "u1", "p2", false);
  p2.created = kT0 + 1s;
  ASSERT_OK(run([&](CloudTxn& t) -> Result<void> {
    KB_CHECK(t.create_access_pass(p1));
    return t.create_access_pass(p2);
  }));
  auto list = one([&](CloudTxn& t) { return t.access_passes(kA, "u1"); });
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, "p1");
  EXPECT_EQ((*list)[1].id, "p2");
  for (const auto& p : *list) EXPECT_TRUE(p.secret_hash.empty());
  EXPECT_TRUE((*list)[0].one_time);
  EXPECT_FALSE((*list)[1].one_time);
  ASSERT_OK(one([&](CloudTxn& t) { return t.delete_access_pass(kA, "p1"); }));
  auto gone = one([&](CloudTxn& t) { return t.consume_access_pass(kA, p1.secret_hash, kT0); });
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.delete_access_pass(kA, "p1"); }), Errc::kNotFound);
  auto backwards = pass(kA, "u1", "p3", true);
  backwards.expires_at = backwards.starts_at;
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.create_access_pass(backwards); }),
              Errc::kInvalidArgument);
  EXPECT_ERRC(
      one([&](CloudTxn& t) { return t.create_access_pass(pass(kA, "nobody", "p4", true)); }),
      Errc::kNotFound);
}

// --- Devices and PRTs.

TEST_P(CloudStoreTest, DeviceRegistersListsDisablesAndDeletesWithItsPrts) {
  add_user(kA, "u1", "alice@contoso.test");
  auto d1 = device(kA, "d1", "u1");
  auto d2 = device(kA, "d2", "u1");
  d2.join_type = JoinType::kCloud;
  d2.created = kT0 + 1s;
  auto d3 = device(kA, "d3", "");  // hybrid join by the admin API
  ASSERT_OK(run([&](CloudTxn& t) -> Result<void> {
    KB_CHECK(t.register_device(d1));
    KB_CHECK(t.register_device(d2));
    KB_CHECK(t.register_device(d3));
    return t.put_prt(prt(kA, "u1", "d1", 1));
  }));
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.register_device(d1); }), Errc::kConflict);
  auto mine = one([&](CloudTxn& t) { return t.devices_by_user(kA, "u1"); });
  ASSERT_TRUE(mine);
  EXPECT_EQ(*mine, (std::vector<Device>{d1, d2}));
  ASSERT_OK(one([&](CloudTxn& t) { return t.set_device_enabled(kA, "d1", false); }));
  ASSERT_OK(one([&](CloudTxn& t) { return t.touch_device(kA, "d1", kT0 + 1h); }));
  auto got = one([&](CloudTxn& t) { return t.device(kA, "d1"); });
  ASSERT_TRUE(got && got->has_value());
  EXPECT_FALSE((*got)->enabled);
  EXPECT_EQ((*got)->last_seen, std::optional<SysTime>(kT0 + 1h));
  EXPECT_EQ((*got)->join_type, JoinType::kHybrid);
  ASSERT_OK(one([&](CloudTxn& t) { return t.delete_device(kA, "d1"); }));
  auto gone = one([&](CloudTxn& t) { return t.device(kA, "d1"); });
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());
  auto token = one([&](CloudTxn& t) { return t.prt(kA, crypto::sha256(Bytes{1})); });
  ASSERT_TRUE(token);
  EXPECT_FALSE(token->has_value());
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.set_device_enabled(kA, "d1", true); }),
              Errc::kNotFound);
  auto no_keys = device(kA, "d4", "u1");
  no_keys.transport_key.clear();
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.register_device(no_keys); }), Errc::kInvalidArgument);
}

TEST_P(CloudStoreTest, PrtStoresRevokesAndPurges) {
  add_user(kA, "u1", "alice@contoso.test");
  add_user(kA, "u2", "bob@contoso.test");
  auto p1 = prt(kA, "u1", "d1", 1);
  auto p2 = prt(kA, "u1", "d2", 2);
  auto p3 = prt(kA, "u2", "d2", 3);
  auto p4 = prt(kA, "u2", "d1", 4);
  p4.expires_at = kT0 + 1h;
  ASSERT_OK(run([&](CloudTxn& t) -> Result<void> {
    KB_CHECK(t.register_device(device(kA, "d1", "u1")));
    KB_CHECK(t.register_device(device(kA, "d2", "u2")));
    for (const auto* p : {&p1, &p2, &p3, &p4}) KB_CHECK(t.put_prt(*p));
    return ok();
  }));
  auto got = one([&](CloudTxn& t) { return t.prt(kA, p1.id); });
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ(**got, p1);
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.put_prt(p1); }), Errc::kConflict);
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.put_prt(prt(kA, "u1", "no-device", 9)); }),
              Errc::kNotFound);
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.put_prt(prt(kA, "nobody", "d1", 9)); }),
              Errc::kNotFound);

  ASSERT_OK(one([&](CloudTxn& t) { return t.revoke_prt(kA, p1.id); }));
  // Only a live PRT is revoked: the second of two refreshes racing on p1 loses.
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.revoke_prt(kA, p1.id); }), Errc::kNotFound);
  auto revoked = one([&](CloudTxn& t) { return t.prt(kA, p1.id); });
  ASSERT_TRUE(revoked && revoked->has_value());
  EXPECT_TRUE((*revoked)->revoked);
  auto n_user = one([&](CloudTxn& t) { return t.revoke_prts_for_user(kA, "u1"); });
  ASSERT_TRUE(n_user);
  EXPECT_EQ(*n_user, 1u);  // p2; p1 was already revoked
  auto n_dev = one([&](CloudTxn& t) { return t.revoke_prts_for_device(kA, "d2"); });
  ASSERT_TRUE(n_dev);
  EXPECT_EQ(*n_dev, 1u);  // p3; p2 was already revoked
  auto p4_now = one([&](CloudTxn& t) { return t.prt(kA, p4.id); });
  ASSERT_TRUE(p4_now && p4_now->has_value());
  EXPECT_FALSE((*p4_now)->revoked);
  auto purged = one([&](CloudTxn& t) { return t.purge_expired_prts(kT0 + 1h); });
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, 1u);
  auto p4_gone = one([&](CloudTxn& t) { return t.prt(kA, p4.id); });
  ASSERT_TRUE(p4_gone);
  EXPECT_FALSE(p4_gone->has_value());
  EXPECT_ERRC(one([&](CloudTxn& t) { return t.revoke_prt(kA, p4.id); }), Errc::kNotFound);
}

// --- Transactions and schema.

TEST_P(CloudStoreTest, AFailedTransactionLeavesNothingBehind) {
  auto r = run([&](CloudTxn& t) -> Result<void> {
    std::vector<CloudUser> v{user("u1", "g1", "alice@contoso.test")};
    KB_CHECK(t.upsert_users(kA, v, kT0));
    return Error(Errc::kInvalidArgument, "caller changed its mind");
  });
  EXPECT_ERRC(std::move(r), Errc::kInvalidArgument);
  auto u = one([&](CloudTxn& t) { return t.user_by_id(kA, "u1"); });
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->has_value());
}

TEST_P(CloudStoreTest, AFailedStatementDoomsTheTransactionEvenIfIgnored) {
  auto r = run([&](CloudTxn& t) -> Result<void> {
    std::vector<CloudUser> v{user("u1", "g1", "alice@contoso.test")};
    KB_CHECK(t.upsert_users(kA, v, kT0));
    // A foreign-key failure the caller chooses to ignore: PostgreSQL has aborted the
    // transaction at this point, and SQLite must not commit the user either.
    auto ignored = t.add_credential(credential(kA, "nobody", {1}));
    EXPECT_FALSE(ignored);
    return ok();
  });
  EXPECT_ERRC(std::move(r), Errc::kNotFound);
  auto u = one([&](CloudTxn& t) { return t.user_by_id(kA, "u1"); });
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->has_value());
  // A lookup or change that simply finds nothing is not a failed statement.
  ASSERT_OK(run([&](CloudTxn& t) -> Result<void> {
    EXPECT_TRUE(t.delete_user(kA, "nobody").error().is(Errc::kNotFound));
    std::vector<CloudUser> v{user("u2", "g2", "bob@contoso.test")};
    return t.upsert_users(kA, v, kT0).has_value() ? ok() : Error(Errc::kBackend, "upsert");
  }));
  auto bob = one([&](CloudTxn& t) { return t.user_by_id(kA, "u2"); });
  ASSERT_TRUE(bob);
  EXPECT_TRUE(bob->has_value());
}

TEST_P(CloudStoreTest, ReadTransactionsCannotWrite) {
  auto r = store_->read([&](CloudTxn& t) -> Result<void> {
    EXPECT_TRUE(KB_TRY(t.tenant(kA)).has_value());
    return t.create_tenant({"33333333-3333-4333-8333-333333333333", "x", kT0});
  });
  EXPECT_FALSE(r);
  auto gone = one([&](CloudTxn& t) { return t.tenant("33333333-3333-4333-8333-333333333333"); });
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());
}

TEST_P(CloudStoreTest, ReopeningKeepsDataAndANewerSchemaIsRefused) {
  add_user(kA, "u1", "alice@contoso.test");
  store_.reset();
  auto again = open_store();
  ASSERT_TRUE(again) << again.error().to_string();
  store_ = std::move(*again);
  auto u = one([&](CloudTxn& t) { return t.user_by_id(kA, "u1"); });
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->has_value());
  store_.reset();
  set_stored_schema_version(sqlite::SqliteCloudStore::schema_version() + 1);
  auto newer = open_store();
  ASSERT_FALSE(newer);
  EXPECT_TRUE(newer.error().is(Errc::kSchemaVersion)) << newer.error().to_string();
}

// --- The tenant's device CA (schema version 2).

TEST_P(CloudStoreTest, DeviceCaIsInsertedOnceReadBackAndScopedToItsTenant) {
  const DeviceCa first{kA, Bytes{0x30, 0x82, 0x01}, Bytes(60, 0x11), kT0};
  const DeviceCa second{kA, Bytes{0x30, 0x82, 0x02}, Bytes(60, 0x22), kT0 + 1s};
  auto none = one([&](CloudTxn& t) { return t.device_ca(kA); });
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  auto inserted = one([&](CloudTxn& t) { return t.put_device_ca_if_absent(first); });
  ASSERT_TRUE(inserted) << inserted.error().to_string();
  EXPECT_TRUE(*inserted);
  // A second CA for the same tenant changes nothing and fails nothing.
  auto again = one([&](CloudTxn& t) { return t.put_device_ca_if_absent(second); });
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_FALSE(*again);
  auto stored = one([&](CloudTxn& t) { return t.device_ca(kA); });
  ASSERT_TRUE(stored);
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ(**stored, first);
  // Tenant B has none, and B's CA does not touch A's.
  auto b_none = one([&](CloudTxn& t) { return t.device_ca(kB); });
  ASSERT_TRUE(b_none);
  EXPECT_FALSE(b_none->has_value());
  const DeviceCa b_ca{kB, Bytes{0x30, 0x01}, Bytes(60, 0x33), kT0};
  auto b_ins = one([&](CloudTxn& t) { return t.put_device_ca_if_absent(b_ca); });
  ASSERT_TRUE(b_ins);
  EXPECT_TRUE(*b_ins);
  EXPECT_EQ(**one([&](CloudTxn& t) { return t.device_ca(kA); }), first);
  EXPECT_EQ(**one([&](CloudTxn& t) { return t.device_ca(kB); }), b_ca);
  // An unknown tenant, an empty certificate or key.
  EXPECT_ERRC(one([&](CloudTxn& t) {
                return t.put_device_ca_if_absent({"no-such-tenant", Bytes{1}, Bytes{2}, kT0});
              }),
              Errc::kNotFound);
  EXPECT_ERRC(one([&](CloudTxn& t) {
                return t.put_device_ca_if_absent({kA, {}, Bytes{2}, kT0});
              }),
              Errc::kInvalidArgument);
  EXPECT_ERRC(one([&](CloudTxn& t) {
                return t.put_device_ca_if_absent({kA, Bytes{1}, {}, kT0});
              }),
              Errc::kInvalidArgument);
  // Deleting the tenant removes its CA.
  ASSERT_OK(one([&](CloudTxn& t) { return t.delete_tenant(kA); }));
  ASSERT_OK(one([&](CloudTxn& t) { return t.create_tenant({kA, "Contoso again", kT0}); }));
  auto gone = one([&](CloudTxn& t) { return t.device_ca(kA); });
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());
}

TEST_P(CloudStoreTest, ConcurrentDeviceCaCreatorsEndWithOneCa) {
  constexpr int kThreads = 8;
  std::atomic<int> inserted{0};
  std::atomic<int> failures{0};
  std::atomic<bool> go{false};
  std::vector<std::optional<DeviceCa>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      const DeviceCa mine{kA, Bytes{0x30, static_cast<std::uint8_t>(i)}, Bytes(60, 0x40), kT0};
      bool won = false;
      auto r = store_->transact([&](CloudTxn& t) -> Result<void> {
        won = KB_TRY(t.put_device_ca_if_absent(mine));
        seen[static_cast<std::size_t>(i)] = KB_TRY(t.device_ca(kA));
        return ok();
      });
      if (!r) {
        ++failures;
      } else if (won) {
        ++inserted;
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(inserted.load(), 1);
  EXPECT_EQ(failures.load(), 0);
  auto stored = one([&](CloudTxn& t) { return t.device_ca(kA); });
  ASSERT_TRUE(stored);
  ASSERT_TRUE(stored->has_value());
  // Every creator, winner or not, re-read the one CA that is stored.
  for (const auto& s : seen) {
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(*s, **stored);
  }
}

INSTANTIATE_TEST_SUITE_P(Sqlite, CloudStoreTest, ::testing::Values(Backend::kSqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, CloudStoreTest, ::testing::Values(Backend::kPostgres));

// --- Backend-specific behaviour.

TEST(SqliteCloudStore, TwoBackendsShareOneSchemaVersion) {
  EXPECT_EQ(sqlite::SqliteCloudStore::schema_version(),
            postgres::PostgresCloudStore::schema_version());
}

TEST(PostgresCloudStore, ConnectsOverTheUnixSocketToo) {
  std::string error;
  auto* pg = kb::testing::PostgresServer::shared(&error);
  ASSERT_NE(pg, nullptr) << error;
  postgres::PostgresOptions o;
  o.conninfo = pg->socket_conninfo();
  o.schema = pg->fresh_schema_name();
  auto s = postgres::PostgresCloudStore::open(o);
  ASSERT_TRUE(s) << s.error().to_string();
  ASSERT_OK((*s)->transact([](CloudTxn& t) { return t.create_tenant({"t", "socket", kT0}); }));
  auto check = pg->psql("SELECT name FROM " + o.schema + ".tenant");
  EXPECT_EQ(check.exit_code, 0) << check.out;
}

TEST(PostgresCloudStore, RefusesSchemaNamesThatAreNotPlainIdentifiers) {
  for (const char* bad : {"", "1abc", "a-b", "A", "x;DROP TABLE y", "a b"}) {
    EXPECT_EQ(postgres::valid_schema_name(bad), false) << bad;
  }
  EXPECT_TRUE(postgres::valid_schema_name("keybridge_cloud2"));
  postgres::PostgresOptions o;
  o.conninfo = "host=127.0.0.1 port=1";
  o.schema = "x;drop";
  auto s = postgres::PostgresCloudStore::open(o);
  ASSERT_FALSE(s);
  EXPECT_TRUE(s.error().is(Errc::kInvalidArgument));
}

TEST(PostgresCloudStore, AnUnreachableServerIsABackendError) {
  postgres::PostgresOptions o;
  o.conninfo = "host=127.0.0.1 port=1 user=kbtest dbname=kbtest connect_timeout=2";
  auto s = postgres::PostgresCloudStore::open(o);
  ASSERT_FALSE(s);
  EXPECT_TRUE(s.error().is(Errc::kBackend)) << s.error().to_string();
}

}  // namespace
}  // namespace kb::store::test
