// The PRT exchange end to end between src/client/prt_client and src/cloud/prt, with a
// device certificate from a tenant CA, the transport key, and a partial TGT.
#include "cloud/prt.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "base/base64.h"
#include "client/prt_client.h"
#include "cloud/errors.h"
#include "crypto/device_cert.h"

namespace kb::cloud {
namespace {

const SysTime kNow{std::chrono::seconds(1800000000)};

std::string form_value(const std::string& body, const std::string& name) {
  const std::string key = name + "=";
  auto at = body.find(key);
  if (at == std::string::npos) return "";
  auto end = body.find('&', at);
  std::string raw =
      body.substr(at + key.size(), end == std::string::npos ? end : end - at - key.size());
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size()) {
      out += static_cast<char>(std::stoi(raw.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += raw[i] == '+' ? ' ' : raw[i];
    }
  }
  return out;
}

class Prt : public ::testing::Test {
 protected:
  Prt()
      : clock_(kNow),
        ca_key_(*crypto::PrivateKey::generate_ec_p256()),
        device_key_(*crypto::PrivateKey::generate_rsa(2048)),
        transport_key_(*crypto::PrivateKey::generate_rsa(2048)) {
    const crypto::Validity v{kNow - std::chrono::hours(1), kNow + std::chrono::hours(24 * 365)};
    ca_ = *crypto::make_ca_certificate(ca_key_, "Keybridge device CA tenant-1", v, rng_);
    device_cert_ = *crypto::issue_device_certificate(*device_key_.public_key(), "device-42",
                                                     ca_key_, ca_, v, rng_);
  }

  std::string assertion() const {
    return R"({"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"clientDataJSON":"e30","authenticatorData":"AAAA","signature":"AAAA"}})";
  }

  std::string request_jwt(std::string_view nonce = "n-1") {
    auto body = client::make_device_prt_request(device_key_, device_cert_, "alice@contoso.test",
                                                nonce, assertion(), true, clock_, rng_);
    EXPECT_TRUE(body) << body.error().to_string();
    EXPECT_EQ(form_value(*body, "grant_type"), kGrantJwtBearer);
    EXPECT_EQ(form_value(*body, "tgt"), "true");
    return form_value(*body, "request");
  }

  PartialTgt minted() {
    crypto::Key server = crypto::Key::random(crypto::EncType::kAes256CtsHmacSha196, rng_);
    OnPremUser u{"alice", "alice@contoso.test", "contoso.test", "CONTOSO",
                 *pac::Sid::parse("S-1-5-21-1-2-3-1105")};
    return *mint_partial_tgt(u, {4711, 1, &server}, {}, clock_, rng_);
  }

  crypto::SystemRng rng_;
  FixedClock clock_;
  crypto::PrivateKey ca_key_, device_key_, transport_key_;
  Bytes ca_, device_cert_;
};

TEST_F(Prt, FirstSignInRequestVerifiesAndTheResponseCarriesSessionKeyAndPartialTgt) {
  auto req = verify_device_prt_request(request_jwt(), ca_, kNow);
  ASSERT_TRUE(req) << req.error().to_string();
  EXPECT_EQ(req->device_id, "device-42");
  EXPECT_EQ(req->username, "alice@contoso.test");
  EXPECT_EQ(req->request_nonce, "n-1");
  EXPECT_NE(req->assertion.find("\"clientDataJSON\":\"e30\""), std::string::npos);

  SecretBytes session(Bytes(32, 0x5a));
  PrtGrant g{
      "prt-opaque", 14 * 86400, session.clone(),      *transport_key_.public_key(),
      "tenant-1",   "user-7",   "alice@contoso.test", TgtOutcome{minted(), "CONTOSO.TEST", ""},
      {},           {}};
  auto json = build_prt_response(g, kNow, rng_);
  ASSERT_TRUE(json) << json.error().to_string();
  // Both forms of digest F.3 are present.
  auto o = boost::json::parse(*json).as_object();
  EXPECT_TRUE(o.contains("tgt_client_key") && o.contains("tgt_message_buffer") &&
              o.contains("tgt_ad"));
  EXPECT_EQ(o.at("tgt_key_type").as_int64(), 18);

  auto r = client::read_prt_response(*json, &transport_key_, nullptr, kNow);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->refresh_token, "prt-opaque");
  ASSERT_TRUE(r->session_key);
  EXPECT_EQ(r->session_key->reveal().size(), 32u);
  EXPECT_TRUE(constant_time_equal(r->session_key->reveal(), session.reveal()));
  EXPECT_EQ(r->upn, "alice@contoso.test");
  ASSERT_TRUE(r->partial_tgt);
  EXPECT_EQ(r->partial_tgt->crealm, "CONTOSO.TEST");
  EXPECT_EQ(r->partial_tgt->ticket.enc_part.kvno, (4711u << 16) | 1u);
  EXPECT_EQ(r->tgt_error, "");

  // The documented fields alone (an older client's view) give the same ticket.
  o.erase("tgt_ad");
  auto legacy =
      client::read_prt_response(boost::json::serialize(o), &transport_key_, nullptr, kNow);
  ASSERT_TRUE(legacy) << legacy.error().to_string();
  ASSERT_TRUE(legacy->partial_tgt);
  EXPECT_EQ(legacy->partial_tgt->ticket, r->partial_tgt->ticket);
}

TEST_F(Prt, NoKerberosServerObjectGivesAPrtWithATgtError) {
  PrtGrant g{
      "prt",
      100,
      SecretBytes(Bytes(32, 1)),
      *transport_key_.public_key(),
      "t",
      "u",
      "a",
      TgtOutcome{std::nullopt, "FABRIKAM.TEST", "no Kerberos server object for fabrikam.test"},
      {},
      {}};
  auto r =
      client::read_prt_response(*build_prt_response(g, kNow, rng_), &transport_key_, nullptr, kNow);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_FALSE(r->partial_tgt);
  EXPECT_EQ(r->tgt_realm, "FABRIKAM.TEST");
  EXPECT_NE(r->tgt_error.find("no Kerberos server object"), std::string::npos);
}

// Issue 4: a device key may be ES256 (P-256) as well as RS256; the algorithm follows the
// certified key, so an ES256 request with an RS256 header claim does not verify.
TEST_F(Prt, P256DeviceKeysSignEs256AndVerify) {
  const crypto::Validity v{kNow - std::chrono::hours(1), kNow + std::chrono::hours(24)};
  auto ec_key = *crypto::PrivateKey::generate_ec_p256();
  auto ec_cert =
      *crypto::issue_device_certificate(*ec_key.public_key(), "device-43", ca_key_, ca_, v, rng_);
  auto body = client::make_device_prt_request(ec_key, ec_cert, "alice@contoso.test", "n-2",
                                              assertion(), true, clock_, rng_);
  ASSERT_TRUE(body) << body.error().to_string();
  const std::string jwt = form_value(*body, "request");
  const auto header = base64url_decode(jwt.substr(0, jwt.find('.')));
  ASSERT_TRUE(header);
  EXPECT_NE(std::string(as_chars(*header)).find(R"("alg":"ES256")"), std::string::npos);
  auto r = verify_device_prt_request(jwt, ca_, kNow);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->device_id, "device-43");
  EXPECT_EQ(r->request_nonce, "n-2");
  // The RSA device's request presented with the P-256 device's certificate fails, and so
  // does the P-256 signature under the RSA device's certificate.
  auto rsa_body = *client::make_device_prt_request(device_key_, ec_cert, "alice@contoso.test", "n",
                                                   assertion(), true, clock_, rng_);
  EXPECT_FALSE(verify_device_prt_request(form_value(rsa_body, "request"), ca_, kNow));
  auto ec_body = *client::make_device_prt_request(ec_key, device_cert_, "alice@contoso.test", "n",
                                                  assertion(), true, clock_, rng_);
  EXPECT_FALSE(verify_device_prt_request(form_value(ec_body, "request"), ca_, kNow));
}

TEST_F(Prt, RequestsFromAnotherCaTamperedOrStaleAreInvalidGrants) {
  const std::string jwt = request_jwt();
  // Another tenant's CA.
  auto other_key = *crypto::PrivateKey::generate_ec_p256();
  auto other_ca = *crypto::make_ca_certificate(
      other_key, "other", {kNow - std::chrono::hours(1), kNow + std::chrono::hours(1)}, rng_);
  auto e = verify_device_prt_request(jwt, other_ca, kNow);
  ASSERT_FALSE(e);
  EXPECT_TRUE(e.error().is(CloudErrc::kInvalidGrant));
  // A changed payload byte.
  std::string tampered = jwt;
  tampered[jwt.find('.') + 5] ^= 0x01;
  EXPECT_FALSE(verify_device_prt_request(tampered, ca_, kNow));
  // Stale: iat older than the allowed age.
  EXPECT_FALSE(verify_device_prt_request(jwt, ca_, kNow + std::chrono::minutes(11)));
  // A device key that is not the certificate's.
  auto other_device = *crypto::PrivateKey::generate_rsa(2048);
  auto body = *client::make_device_prt_request(other_device, device_cert_, "alice@contoso.test",
                                               "n", assertion(), true, clock_, rng_);
  EXPECT_FALSE(verify_device_prt_request(form_value(body, "request"), ca_, kNow));
  // alg none with the same claims.
  const auto dot = jwt.find('.');
  const std::string none = base64url_encode(as_bytes(R"({"alg":"none","typ":"JWT"})")) +
                           jwt.substr(dot, jwt.rfind('.') - dot) + ".";
  EXPECT_FALSE(verify_device_prt_request(none, ca_, kNow));
}

TEST_F(Prt, CachedCertificateKeyVerifiesTheSameAndRefusesTheSameRequests) {
  crypto::PublicKeyCache keys;
  const std::string jwt = request_jwt();
  for (int round = 0; round < 2; ++round) {  // the second round is served from the cache
    auto req = verify_device_prt_request(jwt, ca_, kNow, keys);
    ASSERT_TRUE(req) << req.error().to_string();
    EXPECT_EQ(req->device_id, "device-42");
    EXPECT_EQ(keys.size(), 1U);
  }
  // The cache holds only the key's outcome: certificate, signature and claims are still
  // checked at every request.
  auto other_key = *crypto::PrivateKey::generate_ec_p256();
  auto other_ca = *crypto::make_ca_certificate(
      other_key, "other", {kNow - std::chrono::hours(1), kNow + std::chrono::hours(1)}, rng_);
  auto e = verify_device_prt_request(jwt, other_ca, kNow, keys);
  ASSERT_FALSE(e);
  EXPECT_TRUE(e.error().is(CloudErrc::kInvalidGrant));
  std::string tampered = jwt;
  tampered[jwt.find('.') + 5] ^= 0x01;
  EXPECT_FALSE(verify_device_prt_request(tampered, ca_, kNow, keys));
  EXPECT_FALSE(verify_device_prt_request(jwt, ca_, kNow + std::chrono::minutes(11), keys));
  auto other_device = *crypto::PrivateKey::generate_rsa(2048);
  auto body = *client::make_device_prt_request(other_device, device_cert_, "alice@contoso.test",
                                               "n", assertion(), true, clock_, rng_);
  EXPECT_FALSE(verify_device_prt_request(form_value(body, "request"), ca_, kNow, keys));
}

TEST_F(Prt, DecodedCaVerifiesTheSameAndRefusesTheSameRequests) {
  crypto::PublicKeyCache keys;
  crypto::CertificateCache certs;
  const auto ca = crypto::Certificate::parse(ca_);
  ASSERT_TRUE(ca);
  const std::string jwt = request_jwt();
  for (int round = 0; round < 2; ++round) {
    auto req = verify_device_prt_request(jwt, *ca, kNow, keys, certs);
    ASSERT_TRUE(req) << req.error().to_string();
    EXPECT_EQ(req->device_id, "device-42");
    EXPECT_EQ(req->certificate.der().size(), device_cert_.size());
    EXPECT_EQ(*req->device_key.to_spki_der(), *device_key_.public_key()->to_spki_der());
    EXPECT_EQ(*req->certificate.spki_der(), *device_key_.public_key()->to_spki_der());
    EXPECT_EQ(certs.size(), 1U);  // decoded once
  }
  auto other_key = *crypto::PrivateKey::generate_ec_p256();
  auto other_ca = crypto::Certificate::parse(*crypto::make_ca_certificate(
      other_key, "other", {kNow - std::chrono::hours(1), kNow + std::chrono::hours(1)}, rng_));
  ASSERT_TRUE(other_ca);
  // The cached decoding is still checked against the CA, the clock and the signature.
  auto e = verify_device_prt_request(jwt, *other_ca, kNow, keys, certs);
  ASSERT_FALSE(e);
  EXPECT_TRUE(e.error().is(CloudErrc::kInvalidGrant));
  EXPECT_FALSE(verify_device_prt_request(jwt, *ca, kNow + std::chrono::minutes(11), keys, certs));
  EXPECT_FALSE(verify_device_prt_request(jwt, crypto::Certificate(), kNow, keys, certs));
  std::string tampered = jwt;
  tampered[jwt.find('.') + 5] ^= 0x01;
  EXPECT_FALSE(verify_device_prt_request(tampered, *ca, kNow, keys, certs));
  auto other_device = *crypto::PrivateKey::generate_rsa(2048);
  auto body = *client::make_device_prt_request(other_device, device_cert_, "alice@contoso.test",
                                               "n", assertion(), true, clock_, rng_);
  EXPECT_FALSE(verify_device_prt_request(form_value(body, "request"), *ca, kNow, keys, certs));
  // A malformed CA is refused by the bytes overloads as an invalid grant.
  auto bad = verify_device_prt_request(jwt, Bytes{0x30, 0x00}, kNow, keys);
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().is(CloudErrc::kInvalidGrant));
}

TEST_F(Prt, RefreshIsSignedWithTheSessionKeyAndNothingElse) {
  SecretBytes session(Bytes(32, 0x11));
  auto body = client::make_refresh_prt_request("prt-opaque", session, "n-2", true, clock_, rng_);
  ASSERT_TRUE(body);
  const std::string jws = form_value(*body, "request");
  auto named = peek_refresh_token(jws);
  ASSERT_TRUE(named);
  EXPECT_EQ(*named, "prt-opaque");
  auto ok = verify_refresh_prt_request(jws, session, kNow);
  ASSERT_TRUE(ok) << ok.error().to_string();
  EXPECT_EQ(ok->request_nonce, "n-2");
  auto wrong = verify_refresh_prt_request(jws, SecretBytes(Bytes(32, 0x12)), kNow);
  ASSERT_FALSE(wrong);
  EXPECT_TRUE(wrong.error().is(CloudErrc::kInvalidGrant));
  EXPECT_FALSE(verify_refresh_prt_request(jws, session, kNow + std::chrono::hours(1)));

  // A refresh response has no session_key_jwe; the stored session key opens the TGT.
  PrtGrant g{"prt-opaque",
             100,
             session.clone(),
             std::nullopt,
             "t",
             "u",
             "a",
             TgtOutcome{minted(), "CONTOSO.TEST", ""},
             {},
             {}};
  const SecretBytes other_session(Bytes(32, 9));
  auto r = client::read_prt_response(*build_prt_response(g, kNow, rng_), nullptr, &session, kNow);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_FALSE(r->session_key);
  EXPECT_TRUE(r->partial_tgt);
  EXPECT_FALSE(
      client::read_prt_response(*build_prt_response(g, kNow, rng_), nullptr, &other_session, kNow));
}

TEST_F(Prt, MalformedResponsesAreBadReplies) {
  for (
      const char* bad :
      {"", "[]", R"({"token_type":"bearer","refresh_token":"x","refresh_token_expires_in":1})",
       R"({"token_type":"pop","refresh_token":"","refresh_token_expires_in":1})",
       R"({"token_type":"pop","refresh_token":"x","refresh_token_expires_in":1,"session_key_jwe":"a.b.c.d.e"})",
       R"({"token_type":"pop","refresh_token":"x","refresh_token_expires_in":1,"tgt_ad":"not json"})"}) {
    auto r = client::read_prt_response(bad, &transport_key_, nullptr, kNow);
    EXPECT_FALSE(r) << bad;
  }
  EXPECT_EQ(*client::read_nonce_response(R"({"Nonce":"abc"})"), "abc");
  EXPECT_FALSE(client::read_nonce_response(R"({"nonce":"abc"})"));
}

TEST(FormEncode, EscapesReservedCharacters) {
  EXPECT_EQ(client::form_encode({{"a b", "x=y&z"}, {"k", "é"}}), "a+b=x%3Dy%26z&k=%C3%A9");
}

}  // namespace
}  // namespace kb::cloud
