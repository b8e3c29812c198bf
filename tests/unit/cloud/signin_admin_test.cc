// Where the sign-in routes meet the admin API: a credential whose counter fails to increase
// is marked possibly cloned, refused from then on, shown to the admin and cleared by the
// admin; and hybrid join (POST /api/v1/devices) registers a device a PRT can be got with.
#include "cloud/service/admin_tenants.h"
#include "cloud/service/device_ca.h"
#include "crypto/device_cert.h"
#include "signin_fixture.h"

namespace kb::cloud::test {
namespace {

class SignInAdmin : public SignIn {
 protected:
  SignInAdmin() {
    add_admin_routes(router_, *ctx_);
    auto a = add_admin_token(*store_, kTenantA, "test", clock_, rng_);
    auto b = add_admin_token(*store_, kTenantB, "test", clock_, rng_);
    EXPECT_TRUE(a && b);
    if (a) token_a_ = std::string(a->reveal());
    if (b) token_b_ = std::string(b->reveal());
  }

  http::Response admin(const std::string& method, const std::string& path, const std::string& token,
                       const std::string& body = "") {
    http::Request req;
    req.method = method;
    req.target = path;
    req.headers.add("Authorization", "Bearer " + token);
    if (!body.empty()) req.headers.add("Content-Type", "application/json");
    req.body = body;
    return router_.handle(req);
  }

  store::WebAuthnCredential alice_credential() {
    std::vector<store::WebAuthnCredential> creds;
    run([&](store::CloudTxn& t) -> Result<void> {
      creds = KB_TRY(t.credentials_by_user(kTenantA, alice_id_));
      return ok();
    });
    EXPECT_EQ(creds.size(), 1u);
    return creds.empty() ? store::WebAuthnCredential{} : creds[0];
  }

  // A copy of alice's authenticator state as it is now (the clone an attacker would make).
  Key clone_alice_key(const std::string& name) {
    const auto state = dir_.path() / "alice.json";
    std::filesystem::copy_file(state, dir_.path() / (name + ".json"));
    std::filesystem::copy_file(state.string() + ".mk", dir_.path() / (name + ".json.mk"));
    auto cloned = client::SoftAuthenticator::open(dir_.path() / (name + ".json"), rng_);
    EXPECT_TRUE(cloned) << cloned.error().to_string();
    return Key{std::move(*cloned), nullptr};
  }

  http::Response sign_in(Key& key, const DeviceHeld& d) {
    const std::string n = nonce(kTenantA);
    return first_sign_in_raw(kTenantA, d, kAlice, n, assert_over_nonce(key, n));
  }

  std::string clear_path(const store::WebAuthnCredential& c, const std::string& upn = kAlice) {
    return "/api/v1/users/" + upn + "/credentials/" + base64url_encode(c.credential_id) +
           "/clear-clone-flag";
  }

  std::string token_a_, token_b_;
};

void expect_invalid_grant(const http::Response& r) {
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(SignIn::code_of(r), "invalid_grant") << r.body;
}

// --- Possibly cloned credentials.

TEST_F(SignInAdmin, ACounterRegressionMarksTheCredentialAndRefusesEveryLaterAssertion) {
  auto e = enroll_alice();
  Key clone = clone_alice_key("clone");
  ASSERT_EQ(sign_in(e.key, e.device).status, 200);  // the original moves ahead
  EXPECT_FALSE(alice_credential().possibly_cloned);
  expect_invalid_grant(sign_in(clone, e.device));  // the clone's counter is behind
  EXPECT_TRUE(alice_credential().possibly_cloned);
  // From now on even the original key, with a counter that does increase, is refused:
  // for sign-in, for registering a device, and for registering another key.
  expect_invalid_grant(sign_in(e.key, e.device));
  DeviceHeld d{
      "", {}, *crypto::PrivateKey::generate_rsa(2048), *crypto::PrivateKey::generate_rsa(2048)};
  expect_invalid_grant(register_device_raw(e.key, kTenantA, kAlice, d));
  auto [challenge_id, assertion] = assert_for(e.key, kTenantA, kAlice);
  expect_invalid_grant(post_json("/" + kTenantA + "/webauthn/registration/options",
                                 {{"username", kAlice},
                                  {"challenge_id", challenge_id},
                                  {"assertion", *json::parse(assertion)}}));
  // The refused assertions did not move the stored counter.
  const auto c = alice_credential();
  EXPECT_TRUE(c.possibly_cloned);
}

TEST_F(SignInAdmin, ATamperedLowCounterAssertionDoesNotMarkTheCredential) {
  auto e = enroll_alice();
  Key clone = clone_alice_key("clone");
  ASSERT_EQ(sign_in(e.key, e.device).status, 200);
  // The clone's assertion with a broken signature: refused at 7.2 step 23, before the
  // counter is looked at, so whoever lacks the key cannot get a credential marked.
  const std::string n = nonce(kTenantA);
  auto o = *json::parse_object(assert_over_nonce(clone, n));
  auto& resp = o.at("response").as_object();
  std::string sig(resp.at("signature").as_string());
  sig[sig.size() / 2] = sig[sig.size() / 2] == 'A' ? 'B' : 'A';
  resp["signature"] = sig;
  expect_invalid_grant(first_sign_in_raw(kTenantA, e.device, kAlice, n, json::serialize(o)));
  EXPECT_FALSE(alice_credential().possibly_cloned);
  EXPECT_EQ(sign_in(e.key, e.device).status, 200);
}

TEST_F(SignInAdmin, TheAdminSeesTheMarkAndClearingItLetsTheKeyAheadSignIn) {
  auto e = enroll_alice();
  Key clone = clone_alice_key("clone");
  ASSERT_EQ(sign_in(e.key, e.device).status, 200);
  expect_invalid_grant(sign_in(clone, e.device));

  auto list = admin("GET", "/api/v1/users/" + kAlice + "/credentials", token_a_);
  ASSERT_EQ(list.status, 200) << list.body;
  const auto listed = body_of(list);
  const auto& creds = listed.at("credentials").as_array();
  ASSERT_EQ(creds.size(), 1u);
  EXPECT_EQ(creds[0].as_object().at("possibly_cloned"), boost::json::value(true));

  auto cleared = admin("POST", clear_path(alice_credential()), token_a_);
  EXPECT_EQ(cleared.status, 204) << cleared.body;
  auto relisted = admin("GET", "/api/v1/users/" + kAlice + "/credentials", token_a_);
  EXPECT_EQ(body_of(relisted).at("credentials").as_array()[0].as_object().at("possibly_cloned"),
            boost::json::value(false));
  // DESIGN: the counter stays at the highest seen: the key ahead signs in, the clone, still
  // behind, is refused and marks the credential again.
  EXPECT_EQ(sign_in(e.key, e.device).status, 200);
  expect_invalid_grant(sign_in(clone, e.device));
  EXPECT_TRUE(alice_credential().possibly_cloned);
  // Deleting the key is the other way out: it signs in no more at all.
  auto del = admin("DELETE",
                   "/api/v1/users/" + kAlice + "/credentials/" +
                       base64url_encode(alice_credential().credential_id),
                   token_a_);
  EXPECT_EQ(del.status, 204) << del.body;
  expect_invalid_grant(sign_in(e.key, e.device));
}

TEST_F(SignInAdmin, ClearingTheMarkNeedsTheOwnerTheTenantAndAToken) {
  auto e = enroll_alice();
  const Bytes id = alice_credential().credential_id;
  run([&](store::CloudTxn& t) { return t.set_credential_possibly_cloned(kTenantA, id, true); });
  const auto c = alice_credential();
  // Another user of the tenant, another tenant's token, no token, a bad id.
  const std::string carol = "carol@contoso.test";
  add_user(kTenantA, carol);
  EXPECT_EQ(admin("POST", clear_path(c, carol), token_a_).status, 404);
  EXPECT_EQ(admin("POST", clear_path(c), token_b_).status, 404);
  EXPECT_EQ(admin("POST", clear_path(c), "kbat_not-a-token").status, 401);
  EXPECT_EQ(admin("POST", "/api/v1/users/" + kAlice + "/credentials/%%%/clear-clone-flag", token_a_)
                .status,
            400);
  EXPECT_TRUE(alice_credential().possibly_cloned);
  expect_invalid_grant(sign_in(e.key, e.device));
}

// --- Hybrid join.

struct HybridKeys {
  crypto::PrivateKey device_key;
  crypto::PrivateKey transport_key;
};

HybridKeys rsa_keys() {
  return {*crypto::PrivateKey::generate_rsa(2048), *crypto::PrivateKey::generate_rsa(2048)};
}

std::string join_body(const std::string& username, const HybridKeys& k,
                      const std::string& display_name = "ws01.contoso.test") {
  return json::serialize(boost::json::object{
      {"username", username},
      {"device_key", base64url_encode(*(*k.device_key.public_key()).to_spki_der())},
      {"transport_key", base64url_encode(*(*k.transport_key.public_key()).to_spki_der())},
      {"display_name", display_name}});
}

TEST_F(SignInAdmin, HybridJoinRegistersADeviceWithACertificateFromTheTenantCa) {
  const HybridKeys k = rsa_keys();
  auto r = admin("POST", "/api/v1/devices", token_a_, join_body(kAlice, k));
  ASSERT_EQ(r.status, 201) << r.body;
  auto o = body_of(r);
  EXPECT_EQ(o.at("join_type").as_string(), "hybrid");
  EXPECT_EQ(o.at("display_name").as_string(), "ws01.contoso.test");
  EXPECT_EQ(o.at("registered_by").as_string(), alice_id_);
  EXPECT_EQ(o.at("enabled"), boost::json::value(true));
  const std::string id(o.at("id").as_string());
  const Bytes cert = *base64_decode(o.at("certificate").as_string());
  EXPECT_EQ(*crypto::certificate_subject_cn(cert), id);
  auto ca = ensure_device_ca(*ctx_, kTenantA);
  ASSERT_TRUE(ca) << ca.error().to_string();
  EXPECT_TRUE(crypto::verify_certificate(cert, ca->certificate, kNow));
  // Listed with its join type; stored with both keys.
  auto list = admin("GET", "/api/v1/devices?user=" + kAlice, token_a_);
  ASSERT_EQ(list.status, 200) << list.body;
  const auto listed = body_of(list);
  const auto& devices = listed.at("devices").as_array();
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_EQ(devices[0].as_object().at("id").as_string(), id);
  EXPECT_EQ(devices[0].as_object().at("join_type").as_string(), "hybrid");
  std::optional<store::Device> stored;
  run([&](store::CloudTxn& t) -> Result<void> {
    stored = KB_TRY(t.device(kTenantA, id));
    return ok();
  });
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->join_type, store::JoinType::kHybrid);
  EXPECT_EQ(stored->transport_key, *(*k.transport_key.public_key()).to_spki_der());
}

TEST_F(SignInAdmin, AHybridDeviceGetsAPrtAndAPartialTgt) {
  Key key = new_key("alice");
  ASSERT_EQ(register_key_with_pass(key, kTenantA, kAlice, kTap).status, 200);
  HybridKeys k = rsa_keys();
  auto r = admin("POST", "/api/v1/devices", token_a_, join_body(kAlice, k));
  ASSERT_EQ(r.status, 201) << r.body;
  auto o = body_of(r);
  DeviceHeld d{std::string(o.at("id").as_string()), *base64_decode(o.at("certificate").as_string()),
               std::move(k.device_key), std::move(k.transport_key)};
  auto first = sign_in(key, d);
  ASSERT_EQ(first.status, 200) << first.body;
  auto prt = client::read_prt_response(first.body, &d.transport_key, nullptr, kNow);
  ASSERT_TRUE(prt) << prt.error().to_string();
  ASSERT_TRUE(prt->partial_tgt);
  EXPECT_EQ(prt->partial_tgt->crealm, "CONTOSO.TEST");
  // Refresh on the hybrid device works too; disabling it (admin) stops both.
  const PrtHeld held{prt->refresh_token, prt->session_key->clone()};
  auto again = refresh_raw(kTenantA, held, nonce(kTenantA));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(admin("POST", "/api/v1/devices/" + d.id + "/disable", token_a_).status, 204);
  expect_invalid_grant(sign_in(key, d));
}

TEST_F(SignInAdmin, AnotherTenantsAdminCannotSeeOrUseAHybridDevice) {
  Key key = new_key("alice");
  ASSERT_EQ(register_key_with_pass(key, kTenantA, kAlice, kTap).status, 200);
  HybridKeys k = rsa_keys();
  auto r = admin("POST", "/api/v1/devices", token_a_, join_body(kAlice, k));
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id(body_of(r).at("id").as_string());
  // B's token: alice is unknown to B, so B can neither join a device for her nor list hers,
  // and A's device is not found for disable, enable or delete.
  EXPECT_EQ(admin("POST", "/api/v1/devices", token_b_, join_body(kAlice, rsa_keys())).status, 404);
  EXPECT_EQ(admin("GET", "/api/v1/devices?user=" + kAlice, token_b_).status, 404);
  EXPECT_EQ(admin("POST", "/api/v1/devices/" + id + "/disable", token_b_).status, 404);
  EXPECT_EQ(admin("POST", "/api/v1/devices/" + id + "/enable", token_b_).status, 404);
  EXPECT_EQ(admin("DELETE", "/api/v1/devices/" + id, token_b_).status, 404);
  // B's own hybrid device for bob lives in B only.
  auto rb = admin("POST", "/api/v1/devices", token_b_, join_body(kBob, rsa_keys()));
  ASSERT_EQ(rb.status, 201) << rb.body;
  EXPECT_EQ(admin("GET", "/api/v1/devices?user=" + kBob, token_a_).status, 404);
  // A's device still works at A, and its certificate is no good at B's token endpoint.
  DeviceHeld d{id, *base64_decode(body_of(r).at("certificate").as_string()),
               std::move(k.device_key), std::move(k.transport_key)};
  EXPECT_EQ(sign_in(key, d).status, 200);
  const std::string nb = nonce(kTenantB);
  expect_invalid_grant(first_sign_in_raw(kTenantB, d, kAlice, nb, assert_over_nonce(key, nb)));
  // Without a token nothing is joined.
  http::Request req;
  req.method = "POST";
  req.target = "/api/v1/devices";
  req.body = join_body(kAlice, rsa_keys());
  EXPECT_EQ(router_.handle(req).status, 401);
}

TEST_F(SignInAdmin, HybridJoinChecksKeysAndMembers) {
  const HybridKeys k = rsa_keys();
  auto base = *json::parse_object(join_body(kAlice, k));
  auto with = [&](const char* member, boost::json::value v) {
    auto o = base;
    if (v.is_null()) {
      o.erase(member);
    } else {
      o[member] = std::move(v);
    }
    return admin("POST", "/api/v1/devices", token_a_, json::serialize(o));
  };
  auto p256 = *crypto::PrivateKey::generate_ec_p256();
  const std::string p256_spki = base64url_encode(*(*p256.public_key()).to_spki_der());
  // A P-256 transport key cannot receive an RSA-OAEP session key.
  EXPECT_EQ(with("transport_key", boost::json::value(p256_spki)).status, 400);
  // A P-256 device key is fine.
  EXPECT_EQ(with("device_key", boost::json::value(p256_spki)).status, 201);
  EXPECT_EQ(with("device_key", boost::json::value("not base64url!")).status, 400);
  EXPECT_EQ(with("device_key", boost::json::value(base64url_encode(Bytes{0x30, 0x00}))).status,
            400);
  EXPECT_EQ(with("transport_key", nullptr).status, 400);
  EXPECT_EQ(with("display_name", nullptr).status, 400);
  EXPECT_EQ(with("display_name", boost::json::value(std::string(300, 'x'))).status, 400);
  EXPECT_EQ(with("username", nullptr).status, 400);
  EXPECT_EQ(with("username", boost::json::value("nobody@contoso.test")).status, 404);
  EXPECT_EQ(with("registered_by", boost::json::value("x")).status, 400);
  EXPECT_EQ(admin("POST", "/api/v1/devices", token_a_, "[1]").status, 400);
}

}  // namespace
}  // namespace kb::cloud::test
