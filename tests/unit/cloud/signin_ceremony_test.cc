// The whole sign-in ceremony through the Router: temporary access pass -> first security
// key -> device registration -> nonce -> PRT with a partial TGT -> refresh.
#include <thread>

#include "cloud/partial_tgt.h"
#include "cloud/service/device_ca.h"
#include "crypto/device_cert.h"
#include "signin_fixture.h"

namespace kb::cloud::test {
namespace {

TEST_F(SignIn, TapKeyDeviceNoncePrtWithPartialTgtThenRefresh) {
  Key key = new_key("alice");
  auto reg = register_key_with_pass(key, kTenantA, kAlice, kTap);
  ASSERT_EQ(reg.status, 200) << reg.body;
  EXPECT_EQ(body_of(reg).at("user_id").as_string(), alice_id_);
  std::vector<store::WebAuthnCredential> creds;
  run([&](store::CloudTxn& t) -> Result<void> {
    creds = KB_TRY(t.credentials_by_user(kTenantA, alice_id_));
    return ok();
  });
  ASSERT_EQ(creds.size(), 1u);
  EXPECT_EQ(creds[0].friendly_name, "key 1");

  DeviceHeld device = register_device(key, kTenantA, kAlice);
  ASSERT_FALSE(device.id.empty());
  // The certificate names the device and chains to the tenant's CA.
  EXPECT_EQ(*crypto::certificate_subject_cn(device.certificate), device.id);
  auto ca = ensure_device_ca(*ctx_, kTenantA);
  ASSERT_TRUE(ca) << ca.error().to_string();
  EXPECT_TRUE(crypto::verify_certificate(device.certificate, ca->certificate, kNow));
  std::optional<store::Device> stored;
  run([&](store::CloudTxn& t) -> Result<void> {
    stored = KB_TRY(t.device(kTenantA, device.id));
    return ok();
  });
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->registered_by, alice_id_);
  EXPECT_EQ(stored->transport_key, *(*device.transport_key.public_key()).to_spki_der());

  const std::string n = nonce(kTenantA);
  auto first = first_sign_in_raw(kTenantA, device, kAlice, n, assert_over_nonce(key, n));
  ASSERT_EQ(first.status, 200) << first.body;
  auto prt = client::read_prt_response(first.body, &device.transport_key, nullptr, kNow);
  ASSERT_TRUE(prt) << prt.error().to_string();
  ASSERT_TRUE(prt->session_key);
  EXPECT_EQ(prt->upn, kAlice);
  EXPECT_EQ(prt->tgt_error, "");
  ASSERT_TRUE(prt->partial_tgt);
  EXPECT_EQ(prt->partial_tgt->crealm, "CONTOSO.TEST");
  EXPECT_EQ(prt->partial_tgt->cname.name_string, std::vector<std::string>{"alice"});
  EXPECT_EQ(prt->partial_tgt->ticket.enc_part.kvno, rodc_kvno(kBranch, kKeyVersion));
  EXPECT_EQ(prt->refresh_token_expires, kNow + std::chrono::seconds(14 * 86400));
  // The PRT is stored by hash only, bound to the device and the user.
  std::optional<store::PrimaryRefreshToken> row;
  run([&](store::CloudTxn& t) -> Result<void> {
    row = KB_TRY(t.prt(kTenantA, crypto::sha256(as_bytes(prt->refresh_token))));
    return ok();
  });
  ASSERT_TRUE(row);
  EXPECT_EQ(row->device_id, device.id);
  EXPECT_EQ(row->user_id, alice_id_);

  // Both forms of digest F.3 are there (read_prt_response opened tgt_ad's messageBuffer
  // with client::open_as_rep under its clientKey).
  auto o = body_of(first);
  EXPECT_TRUE(o.contains("tgt_message_buffer") && o.contains("tgt_ad"));

  // Refresh: a new PRT and a new partial TGT, no new session key.
  const PrtHeld held{prt->refresh_token, prt->session_key->clone()};
  auto again = refresh_raw(kTenantA, held, nonce(kTenantA));
  ASSERT_EQ(again.status, 200) << again.body;
  auto refreshed = client::read_prt_response(again.body, nullptr, &held.session_key, kNow);
  ASSERT_TRUE(refreshed) << refreshed.error().to_string();
  EXPECT_FALSE(refreshed->session_key);
  EXPECT_FALSE(body_of(again).contains("session_key_jwe"));
  EXPECT_NE(refreshed->refresh_token, held.prt);
  ASSERT_TRUE(refreshed->partial_tgt);
  EXPECT_EQ(refreshed->partial_tgt->crealm, "CONTOSO.TEST");
  EXPECT_EQ(refreshed->partial_tgt->ticket.enc_part.kvno, rodc_kvno(kBranch, kKeyVersion));
  EXPECT_NE(refreshed->partial_tgt->ticket.enc_part.cipher,
            prt->partial_tgt->ticket.enc_part.cipher);
  // The replaced PRT is revoked; the new one refreshes with the same session key.
  auto replay = refresh_raw(kTenantA, held, nonce(kTenantA));
  EXPECT_EQ(replay.status, 400);
  EXPECT_EQ(code_of(replay), "invalid_grant");
  const PrtHeld next{refreshed->refresh_token, held.session_key.clone()};
  EXPECT_EQ(refresh_raw(kTenantA, next, nonce(kTenantA)).status, 200);
}

TEST_F(SignIn, ASecondKeyIsRegisteredWithAnAssertionByTheFirst) {
  auto e = enroll_alice();
  Key second = new_key("alice-2");
  auto [challenge_id, assertion] = assert_for(e.key, kTenantA, kAlice);
  auto opts = post_json("/" + kTenantA + "/webauthn/registration/options",
                        {{"username", kAlice},
                         {"challenge_id", challenge_id},
                         {"assertion", *json::parse(assertion)}});
  ASSERT_EQ(opts.status, 200) << opts.body;
  auto o = body_of(opts);
  // The first key is excluded from the new registration.
  EXPECT_EQ(o.at("publicKey").as_object().at("excludeCredentials").as_array().size(), 1u);
  auto cred = client::WebauthnClient(second.auth, "https://localhost")
                  .create(json::serialize(o.at("publicKey")), &pin_);
  ASSERT_TRUE(cred) << cred.error().to_string();
  auto reg =
      post_json("/" + kTenantA + "/webauthn/registration",
                {{"challenge_id", o.at("challenge_id")}, {"credential", *json::parse(*cred)}});
  ASSERT_EQ(reg.status, 200) << reg.body;
  // The new key signs in on its own.
  const std::string n = nonce(kTenantA);
  auto r = first_sign_in_raw(kTenantA, e.device, kAlice, n, assert_over_nonce(second, n));
  EXPECT_EQ(r.status, 200) << r.body;
  // Without an assertion (or with a used challenge) no further key.
  auto bare = post_json("/" + kTenantA + "/webauthn/registration/options", {{"username", kAlice}});
  EXPECT_EQ(bare.status, 400);
  auto reused = post_json("/" + kTenantA + "/webauthn/registration/options",
                          {{"username", kAlice},
                           {"challenge_id", challenge_id},
                           {"assertion", *json::parse(assertion)}});
  EXPECT_EQ(code_of(reused), "invalid_grant");
}

TEST_F(SignIn, AUserInADomainWithoutKerberosServerGetsAPrtAndATgtError) {
  const std::string dave = "dave@fabrikam.test";
  const std::string dave_id = add_user(kTenantA, dave);
  add_pass(kTenantA, dave_id, "tap-dave-0123456789abcdefghijklmn", true, kNow + 1h);
  Key key = new_key("dave");
  ASSERT_EQ(register_key_with_pass(key, kTenantA, dave, "tap-dave-0123456789abcdefghijklmn").status,
            200);
  DeviceHeld d = register_device(key, kTenantA, dave);
  const std::string n = nonce(kTenantA);
  auto r = first_sign_in_raw(kTenantA, d, dave, n, assert_over_nonce(key, n));
  ASSERT_EQ(r.status, 200) << r.body;
  auto prt = client::read_prt_response(r.body, &d.transport_key, nullptr, kNow);
  ASSERT_TRUE(prt) << prt.error().to_string();
  EXPECT_FALSE(prt->partial_tgt);
  EXPECT_FALSE(prt->refresh_token.empty());
  EXPECT_EQ(prt->tgt_realm, "FABRIKAM.TEST");
  EXPECT_EQ(prt->tgt_error, "no Kerberos server object for fabrikam.test");
}

TEST_F(SignIn, TheDeviceCaIsCreatedOnceAndReusedAcrossFrontEnds) {
  // Two front ends (two contexts over one store) create the CA at the same time.
  ServiceContext other{*store_, master_, clock_, rng_, {}};
  std::optional<Bytes> a, b;
  std::thread t1([&] {
    auto r = ensure_device_ca(*ctx_, kTenantA);
    if (r) a = r->certificate;
  });
  std::thread t2([&] {
    auto r = ensure_device_ca(other, kTenantA);
    if (r) b = r->certificate;
  });
  t1.join();
  t2.join();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  // Its key is wrapped under the master key, bound to the tenant.
  std::optional<store::DeviceCa> stored;
  run([&](store::CloudTxn& t) -> Result<void> {
    stored = KB_TRY(t.device_ca(kTenantA));
    return ok();
  });
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->certificate, *a);
  EXPECT_TRUE(master_.unwrap(stored->wrapped_key, device_ca_binding(kTenantA)));
  EXPECT_FALSE(master_.unwrap(stored->wrapped_key, device_ca_binding(kTenantB)));
  // Tenant B gets a CA of its own; an unknown tenant gets none.
  auto ca_b = ensure_device_ca(*ctx_, kTenantB);
  ASSERT_TRUE(ca_b);
  EXPECT_NE(ca_b->certificate, *a);
  EXPECT_FALSE(ensure_device_ca(*ctx_, "no-such-tenant"));
}

TEST_F(SignIn, DeviceKeysMayBeP256ButTransportKeysMustBeRsa) {
  Key key = new_key("alice");
  ASSERT_EQ(register_key_with_pass(key, kTenantA, kAlice, kTap).status, 200);
  DeviceHeld ec{
      "", {}, *crypto::PrivateKey::generate_ec_p256(), *crypto::PrivateKey::generate_rsa(2048)};
  auto ok_ec = register_device_raw(key, kTenantA, kAlice, ec);
  EXPECT_EQ(ok_ec.status, 200) << ok_ec.body;
  DeviceHeld bad{
      "", {}, *crypto::PrivateKey::generate_rsa(2048), *crypto::PrivateKey::generate_ec_p256()};
  auto refused = register_device_raw(key, kTenantA, kAlice, bad);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(code_of(refused), "invalid_request");
}

}  // namespace
}  // namespace kb::cloud::test
