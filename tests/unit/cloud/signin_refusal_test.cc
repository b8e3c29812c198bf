// Every check of the sign-in routes refuses what it should: passes, nonces, devices,
// credentials, counters, users, refresh tokens, tenants and the registration policy.
#include <filesystem>

#include "cloud/errors.h"
#include "cloud/service/token_grant.h"
#include "signin_fixture.h"

namespace kb::cloud::test {
namespace {

void expect_invalid_grant(const http::Response& r) {
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(SignIn::code_of(r), "invalid_grant") << r.body;
}

TEST_F(SignIn, AOneTimePassWorksOnce) {
  Key key = new_key("alice");
  ASSERT_EQ(register_key_with_pass(key, kTenantA, kAlice, kTap).status, 200);
  expect_invalid_grant(post_json("/" + kTenantA + "/webauthn/registration/options",
                                 {{"username", kAlice}, {"access_pass", kTap}}));
  // A reusable pass works again.
  add_pass(kTenantA, alice_id_, "tap-reusable-0123456789abcdefghij", false, kNow + 1h);
  for (int i = 0; i < 2; ++i) {
    auto r =
        post_json("/" + kTenantA + "/webauthn/registration/options",
                  {{"username", kAlice}, {"access_pass", "tap-reusable-0123456789abcdefghij"}});
    EXPECT_EQ(r.status, 200) << r.body;
  }
}

TEST_F(SignIn, AnExpiredWrongOrOtherUsersPassIsRefused) {
  add_pass(kTenantA, alice_id_, "tap-expired-0123456789abcdefghijk", true, kNow - 1s);
  expect_invalid_grant(
      post_json("/" + kTenantA + "/webauthn/registration/options",
                {{"username", kAlice}, {"access_pass", "tap-expired-0123456789abcdefghijk"}}));
  expect_invalid_grant(post_json("/" + kTenantA + "/webauthn/registration/options",
                                 {{"username", kAlice}, {"access_pass", "not-a-pass"}}));
  // Carol cannot spend alice's pass, and the attempt leaves it unused.
  const std::string carol = "carol@contoso.test";
  add_user(kTenantA, carol);
  expect_invalid_grant(post_json("/" + kTenantA + "/webauthn/registration/options",
                                 {{"username", carol}, {"access_pass", kTap}}));
  Key key = new_key("alice");
  EXPECT_EQ(register_key_with_pass(key, kTenantA, kAlice, kTap).status, 200);
}

TEST_F(SignIn, ARegistrationChallengeIsSingleUse) {
  Key key = new_key("alice");
  auto opts = post_json("/" + kTenantA + "/webauthn/registration/options",
                        {{"username", kAlice}, {"access_pass", kTap}});
  ASSERT_EQ(opts.status, 200);
  auto o = body_of(opts);
  auto cred = client::WebauthnClient(key.auth, "https://localhost")
                  .create(json::serialize(o.at("publicKey")), &pin_);
  ASSERT_TRUE(cred);
  const boost::json::value body{{"challenge_id", o.at("challenge_id")},
                                {"credential", *json::parse(*cred)}};
  EXPECT_EQ(post_json("/" + kTenantA + "/webauthn/registration", body).status, 200);
  expect_invalid_grant(post_json("/" + kTenantA + "/webauthn/registration", body));
}

TEST_F(SignIn, TheRegistrationPolicyRefusesUnattestedOrBlockedKeys) {
  store::TenantPolicy p;
  p.require_attestation = true;
  run([&](store::CloudTxn& t) { return t.put_policy(kTenantA, p); });
  Key key = new_key("alice");
  ASSERT_TRUE(key.auth.set_attestation(client::SoftAttestation::kNone, nullptr, nullptr, kNow));
  auto r = register_key_with_pass(key, kTenantA, kAlice, kTap);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(code_of(r), "policy");

  p.require_attestation = false;
  p.aaguid_block = {Bytes(key.auth.aaguid().begin(), key.auth.aaguid().end())};
  run([&](store::CloudTxn& t) { return t.put_policy(kTenantA, p); });
  add_pass(kTenantA, alice_id_, "tap-second-0123456789abcdefghijkl", true, kNow + 1h);
  ASSERT_TRUE(
      key.auth.set_attestation(client::SoftAttestation::kPackedSelf, nullptr, nullptr, kNow));
  auto blocked = register_key_with_pass(key, kTenantA, kAlice, "tap-second-0123456789abcdefghijkl");
  EXPECT_EQ(blocked.status, 403) << blocked.body;
  EXPECT_EQ(code_of(blocked), "policy");
}

TEST_F(SignIn, ANonceIsSingleUse) {
  auto e = enroll_alice();
  const std::string n = nonce(kTenantA);
  EXPECT_EQ(first_sign_in_raw(kTenantA, e.device, kAlice, n, assert_over_nonce(e.key, n)).status,
            200);
  expect_invalid_grant(
      first_sign_in_raw(kTenantA, e.device, kAlice, n, assert_over_nonce(e.key, n)));
  // So is a refresh nonce.
  const std::string m = nonce(kTenantA);
  auto r = refresh_raw(kTenantA, e.prt, m);
  ASSERT_EQ(r.status, 200) << r.body;
  auto next = client::read_prt_response(r.body, nullptr, &e.prt.session_key, kNow);
  ASSERT_TRUE(next);
  expect_invalid_grant(refresh_raw(kTenantA, {next->refresh_token, e.prt.session_key.clone()}, m));
  // An expired nonce.
  const std::string old = nonce(kTenantA);
  clock_.advance(ctx_->config.nonce_lifetime + 1s);
  expect_invalid_grant(
      first_sign_in_raw(kTenantA, e.device, kAlice, old, assert_over_nonce(e.key, old)));
}

TEST_F(SignIn, TheAssertionMustBeOverTheRequestNonce) {
  auto e = enroll_alice();
  const std::string n1 = nonce(kTenantA);
  const std::string n2 = nonce(kTenantA);
  expect_invalid_grant(
      first_sign_in_raw(kTenantA, e.device, kAlice, n1, assert_over_nonce(e.key, n2)));
  // A nonce of another tenant is unknown here.
  const std::string nb = nonce(kTenantB);
  expect_invalid_grant(
      first_sign_in_raw(kTenantA, e.device, kAlice, nb, assert_over_nonce(e.key, nb)));
}

TEST_F(SignIn, ADeviceOfAnotherTenantIsRefused) {
  auto e = enroll_alice();
  // Bob enrolls a device in tenant B.
  add_pass(kTenantB, bob_id_, "tap-bob-0123456789abcdefghijklmnop", true, kNow + 1h);
  Key bob = new_key("bob");
  ASSERT_EQ(
      register_key_with_pass(bob, kTenantB, kBob, "tap-bob-0123456789abcdefghijklmnop").status,
      200);
  DeviceHeld bob_device = register_device(bob, kTenantB, kBob);
  // Alice at tenant A with B's device: its certificate is not from A's CA.
  const std::string n = nonce(kTenantA);
  expect_invalid_grant(
      first_sign_in_raw(kTenantA, bob_device, kAlice, n, assert_over_nonce(e.key, n)));
  // And alice's own device at tenant B's path.
  const std::string nb = nonce(kTenantB);
  expect_invalid_grant(
      first_sign_in_raw(kTenantB, e.device, kAlice, nb, assert_over_nonce(e.key, nb)));
  // Alice's PRT at tenant B's path.
  expect_invalid_grant(refresh_raw(kTenantB, e.prt, nonce(kTenantB)));
}

TEST_F(SignIn, AnotherUsersKeyCannotSignInOrRegisterForTheNamedUser) {
  auto e = enroll_alice();
  const std::string carol = "carol@contoso.test";
  const std::string carol_id = add_user(kTenantA, carol);
  add_pass(kTenantA, carol_id, "tap-carol-0123456789abcdefghijklm", true, kNow + 1h);
  Key carol_key = new_key("carol");
  ASSERT_EQ(register_key_with_pass(carol_key, kTenantA, carol, "tap-carol-0123456789abcdefghijklm")
                .status,
            200);
  // Carol's key over a good nonce, on alice's device, naming alice.
  const std::string n = nonce(kTenantA);
  expect_invalid_grant(
      first_sign_in_raw(kTenantA, e.device, kAlice, n, assert_over_nonce(carol_key, n)));
  // Carol's key registering a device for alice (discoverable options, so nothing but the
  // owner check stands in the way).
  auto opts = post_json("/" + kTenantA + "/webauthn/authentication/options", boost::json::object{});
  ASSERT_EQ(opts.status, 200);
  auto o = body_of(opts);
  auto a = client::WebauthnClient(carol_key.auth, "https://localhost")
               .get(json::serialize(o.at("publicKey")), &pin_);
  ASSERT_TRUE(a) << a.error().to_string();
  DeviceHeld d{
      "", {}, *crypto::PrivateKey::generate_rsa(2048), *crypto::PrivateKey::generate_rsa(2048)};
  expect_invalid_grant(post_json(
      "/" + kTenantA + "/devices",
      {{"username", kAlice},
       {"challenge_id", o.at("challenge_id")},
       {"assertion", *json::parse(*a)},
       {"device_key", base64url_encode(*(*d.device_key.public_key()).to_spki_der())},
       {"transport_key", base64url_encode(*(*d.transport_key.public_key()).to_spki_der())},
       {"display_name", "x"}}));
}

TEST_F(SignIn, ADisabledDeviceIsRefusedForSignInAndRefresh) {
  auto e = enroll_alice();
  run([&](store::CloudTxn& t) { return t.set_device_enabled(kTenantA, e.device.id, false); });
  const std::string n = nonce(kTenantA);
  expect_invalid_grant(
      first_sign_in_raw(kTenantA, e.device, kAlice, n, assert_over_nonce(e.key, n)));
  expect_invalid_grant(refresh_raw(kTenantA, e.prt, nonce(kTenantA)));
}

TEST_F(SignIn, ADeletedCredentialIsUnknown) {
  auto e = enroll_alice();
  std::vector<store::WebAuthnCredential> creds;
  run([&](store::CloudTxn& t) -> Result<void> {
    creds = KB_TRY(t.credentials_by_user(kTenantA, alice_id_));
    return ok();
  });
  ASSERT_EQ(creds.size(), 1u);
  run([&](store::CloudTxn& t) { return t.delete_credential(kTenantA, creds[0].credential_id); });
  const std::string n = nonce(kTenantA);
  expect_invalid_grant(
      first_sign_in_raw(kTenantA, e.device, kAlice, n, assert_over_nonce(e.key, n)));
  // Nor can it register a device.
  DeviceHeld d{
      "", {}, *crypto::PrivateKey::generate_rsa(2048), *crypto::PrivateKey::generate_rsa(2048)};
  expect_invalid_grant(register_device_raw(e.key, kTenantA, kAlice, d));
}

TEST_F(SignIn, ACounterThatGoesBackIsAPossibleCloneAndRefused) {
  auto e = enroll_alice();
  // Clone the authenticator's state as it is now, then let the original sign in again.
  const auto state = dir_.path() / "alice.json";
  std::filesystem::copy_file(state, dir_.path() / "clone.json");
  std::filesystem::copy_file(state.string() + ".mk", dir_.path() / "clone.json.mk");
  const std::string n = nonce(kTenantA);
  ASSERT_EQ(first_sign_in_raw(kTenantA, e.device, kAlice, n, assert_over_nonce(e.key, n)).status,
            200);
  auto cloned = client::SoftAuthenticator::open(dir_.path() / "clone.json", rng_);
  ASSERT_TRUE(cloned) << cloned.error().to_string();
  Key clone{std::move(*cloned), nullptr};
  const std::string m = nonce(kTenantA);
  expect_invalid_grant(
      first_sign_in_raw(kTenantA, e.device, kAlice, m, assert_over_nonce(clone, m)));
}

TEST_F(SignIn, ADisabledUserIsRefusedEverywhere) {
  auto e = enroll_alice();
  store::CloudUser u;
  run([&](store::CloudTxn& t) -> Result<void> {
    u = *KB_TRY(t.user_by_id(kTenantA, alice_id_));
    u.enabled = false;
    std::vector<store::CloudUser> v{u};
    KB_CHECK(t.upsert_users(kTenantA, v, kNow));
    return ok();
  });
  const std::string n = nonce(kTenantA);
  expect_invalid_grant(
      first_sign_in_raw(kTenantA, e.device, kAlice, n, assert_over_nonce(e.key, n)));
  expect_invalid_grant(refresh_raw(kTenantA, e.prt, nonce(kTenantA)));
  DeviceHeld d{
      "", {}, *crypto::PrivateKey::generate_rsa(2048), *crypto::PrivateKey::generate_rsa(2048)};
  expect_invalid_grant(register_device_raw(e.key, kTenantA, kAlice, d));
  add_pass(kTenantA, alice_id_, "tap-disabled-0123456789abcdefghij", true, kNow + 1h);
  expect_invalid_grant(
      post_json("/" + kTenantA + "/webauthn/registration/options",
                {{"username", kAlice}, {"access_pass", "tap-disabled-0123456789abcdefghij"}}));
}

TEST_F(SignIn, ATamperedUnknownOrExpiredRefreshIsRefused) {
  auto e = enroll_alice();
  // A changed signature byte.
  auto body = client::make_refresh_prt_request(e.prt.prt, e.prt.session_key, nonce(kTenantA), true,
                                               clock_, rng_);
  ASSERT_TRUE(body);
  std::string tampered = *body;
  const auto at = tampered.find("request=");
  const auto end = tampered.find('&', at);
  const auto last = (end == std::string::npos ? tampered.size() : end) - 2;
  tampered[last] = tampered[last] == 'A' ? 'B' : 'A';
  expect_invalid_grant(post_form("/" + kTenantA + "/oauth2/token", tampered));
  // Another session key.
  const PrtHeld wrong{e.prt.prt, SecretBytes(Bytes(32, 7))};
  expect_invalid_grant(refresh_raw(kTenantA, wrong, nonce(kTenantA)));
  // An unknown PRT.
  const PrtHeld unknown{"bm90LWEtcHJ0", e.prt.session_key.clone()};
  expect_invalid_grant(refresh_raw(kTenantA, unknown, nonce(kTenantA)));
  // A revoked PRT.
  run([&](store::CloudTxn& t) {
    return t.revoke_prt(kTenantA, crypto::sha256(as_bytes(e.prt.prt)));
  });
  expect_invalid_grant(refresh_raw(kTenantA, e.prt, nonce(kTenantA)));
}

TEST_F(SignIn, OfTwoRefreshesRacingOnOnePrtOnlyOneIssues) {
  auto e = enroll_alice();
  const Bytes hash = crypto::sha256(as_bytes(e.prt.prt));
  // Both refreshes passed their checks on the live PRT; the first one issues and revokes it.
  auto subject = [&]() {
    GrantSubject s;
    run([&](store::CloudTxn& t) -> Result<void> {
      s.user = KB_TRY(t.user_by_id(kTenantA, alice_id_)).value();
      s.device = KB_TRY(t.device(kTenantA, e.device.id)).value();
      return ok();
    });
    s.session_key = e.prt.session_key.clone();
    s.replaced_prt = hash;
    return s;
  };
  auto first = issue_prt(*ctx_, kTenantA, subject(), false);
  ASSERT_TRUE(first) << first.error().to_string();
  // The second one's transaction finds the PRT revoked: no second PRT from one.
  auto second = issue_prt(*ctx_, kTenantA, subject(), false);
  ASSERT_FALSE(second);
  EXPECT_TRUE(second.error().is(CloudErrc::kInvalidGrant)) << second.error().to_string();
}

TEST_F(SignIn, TenantAUserAtTenantBPathIsUnknown) {
  expect_invalid_grant(post_json("/" + kTenantB + "/webauthn/registration/options",
                                 {{"username", kAlice}, {"access_pass", kTap}}));
  auto e = enroll_alice();
  // B's authentication options for alice carry no credentials of A.
  auto opts =
      post_json("/" + kTenantB + "/webauthn/authentication/options", {{"username", kAlice}});
  ASSERT_EQ(opts.status, 200);
  EXPECT_TRUE(body_of(opts).at("publicKey").as_object().at("allowCredentials").as_array().empty());
  // An assertion by alice's key over a B challenge is refused at B (credential unknown there).
  auto o = body_of(opts);
  auto a =
      client::WebauthnClient(e.key.auth, "https://localhost")
          .get(R"({"challenge":")" +
                   std::string(o.at("publicKey").as_object().at("challenge").as_string()) +
                   R"(","rpId":"localhost","allowCredentials":[],"userVerification":"required"})",
               &pin_);
  ASSERT_TRUE(a) << a.error().to_string();
  DeviceHeld d{
      "", {}, *crypto::PrivateKey::generate_rsa(2048), *crypto::PrivateKey::generate_rsa(2048)};
  auto r = post_json(
      "/" + kTenantB + "/devices",
      {{"username", kBob},
       {"challenge_id", o.at("challenge_id")},
       {"assertion", *json::parse(*a)},
       {"device_key", base64url_encode(*(*d.device_key.public_key()).to_spki_der())},
       {"transport_key", base64url_encode(*(*d.transport_key.public_key()).to_spki_der())},
       {"display_name", "x"}});
  expect_invalid_grant(r);
}

TEST_F(SignIn, MalformedRequestsAreBadRequests) {
  auto token = [&](const std::string& body, const char* type) {
    http::Request req;
    req.method = "POST";
    req.target = "/" + kTenantA + "/oauth2/token";
    req.headers.add("Content-Type", type);
    req.body = body;
    return router_.handle(req);
  };
  EXPECT_EQ(token("grant_type=srv_challenge", "application/json").status, 400);
  EXPECT_EQ(token("grant_type=password", "application/x-www-form-urlencoded").status, 400);
  EXPECT_EQ(token("grant_type=srv_challenge&grant_type=srv_challenge",
                  "application/x-www-form-urlencoded")
                .status,
            400);
  expect_invalid_grant(
      token("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&request=a.b.c",
            "application/x-www-form-urlencoded"));
  http::Request req;
  req.method = "POST";
  req.target = "/" + kTenantA + "/webauthn/registration/options";
  req.body = "[1,2";
  EXPECT_EQ(router_.handle(req).status, 400);
  EXPECT_EQ(post_json("/" + kTenantA + "/webauthn/registration", {{"challenge_id", "x"}}).status,
            400);
  EXPECT_EQ(post_json("/" + kTenantA + "/devices", {{"username", kAlice}}).status, 400);
  // A nonce for a tenant that does not exist.
  auto r = post_form("/no-such-tenant/oauth2/token", "grant_type=srv_challenge");
  EXPECT_EQ(r.status, 404);
}

}  // namespace
}  // namespace kb::cloud::test
