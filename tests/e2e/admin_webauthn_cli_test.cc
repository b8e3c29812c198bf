// `keybridge admin webauthn verify` end to end: responses made by the software
// authenticator (every attestation mode) and tampered copies of them, checked by the
// binary, which must print what it found or the WebAuthn step that refused them.
#include <fstream>

#include "../unit/webauthn/rp_fixture.h"
#include "process.h"

namespace kb::webauthn::testing {
namespace {

using crypto::cose::Alg;

struct Ca {
  crypto::cose::PrivateKey key;
  crypto::attest::Certificate cert;
};

// An attestation root valid around the real time (the binary checks with the system clock).
Ca make_ca(const char* cn) {
  auto key = crypto::cose::PrivateKey::generate(Alg::kEs256);
  crypto::attest::IssueParams p;
  p.subject = {{"O", "Keybridge Test"}, {"CN", cn}};
  p.not_before = SystemClock().now() - std::chrono::hours(24);
  p.not_after = SystemClock().now() + std::chrono::hours(24 * 365);
  p.is_ca = true;
  auto der = crypto::attest::issue_certificate(p, *key->public_key(), *key, nullptr);
  return {std::move(key).value(), *crypto::attest::Certificate::from_der(*der)};
}

class WebauthnVerifyCli : public RpFixture {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    const auto path = dir_.path() / name;
    std::ofstream(path) << text;
    return path.string();
  }

  RunResult verify(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {KB_KEYBRIDGE_BIN, "admin", "webauthn", "verify"};
    argv.insert(argv.end(), args.begin(), args.end());
    return kb::testing::run(argv, {}, "", 60);
  }

  RunResult verify_registration_file(const std::string& json, const Options& o,
                                     std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--rp-id",        kRpId,
                                     "--origin",       kOrigin,
                                     "--challenge",    base64url_encode(o.challenge),
                                     "--registration", write("reg.json", json)};
    args.insert(args.end(), extra.begin(), extra.end());
    return verify(args);
  }

  RunResult verify_assertion_file(const std::string& json, const Options& o,
                                  const StoredCredential& s, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--rp-id",      kRpId,
                                     "--origin",     kOrigin,
                                     "--challenge",  base64url_encode(o.challenge),
                                     "--assertion",  write("assert.json", json),
                                     "--public-key", base64url_encode(s.public_key_cose)};
    args.insert(args.end(), extra.begin(), extra.end());
    return verify(args);
  }

  static boost::json::object json_of(const RunResult& r) {
    auto o = json::parse_object(r.out.substr(0, r.out.find('\n')));
    EXPECT_TRUE(o) << r.out;
    return o ? *o : boost::json::object{};
  }
};

void expect_has(const RunResult& r, const std::string& text) {
  EXPECT_NE(r.out.find(text), std::string::npos) << "missing \"" << text << "\" in:\n" << r.out;
}

void expect_refused_at(const RunResult& r, const std::string& step) {
  EXPECT_EQ(r.exit_code, 1) << r.out;
  expect_has(r, "result: REFUSED at WebAuthn " + step);
}

// --- Registrations, one per attestation mode.

TEST_F(WebauthnVerifyCli, PackedSelfRegistrationIsDescribed) {
  auto [json, opts] = create(creation());
  auto r = verify_registration_file(json, opts, {"--require-uv"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  expect_has(r, "ceremony: registration");
  expect_has(r, "type: webauthn.create");
  expect_has(r, "origin: https://login.example.com");
  expect_has(r, "format: packed");
  expect_has(r, "attestation type: self");
  expect_has(r, "AAGUID: " + aaguid_to_string(auth_->aaguid()));
  expect_has(r, "attestation chain: (none)");
  expect_has(r, "algorithm: ES256 (-7)");
  expect_has(r, "flags: UP=1 UV=1 BE=0 BS=0 AT=1 ED=0");
  expect_has(r, "counter: 0");
  expect_has(r, "result: verified");
}

TEST_F(WebauthnVerifyCli, NoneAttestationRegistrationIsDescribed) {
  CreationParams p = creation();
  p.attestation = Conveyance::kNone;
  p.algs = {Alg::kEdDsa};
  auto [json, opts] = create(p);
  auto r = verify_registration_file(json, opts);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  expect_has(r, "format: none");
  expect_has(r, "attestation type: none");
  expect_has(r, "algorithm: EdDSA (-8)");
}

TEST_F(WebauthnVerifyCli, PackedX5cRegistrationShowsTheChainInJson) {
  Ca ca = make_ca("Keybridge Test Attestation Root");
  ASSERT_TRUE(auth_->set_attestation(client::SoftAttestation::kPackedX5c, &ca.key, &ca.cert,
                                     SystemClock().now()));
  auto [json, opts] = create(creation());
  auto r = verify_registration_file(json, opts, {"--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto o = json_of(r);
  EXPECT_EQ(o.at("verified"), boost::json::value(true));
  EXPECT_EQ(o.at("format").as_string(), "packed");
  EXPECT_EQ(o.at("attestation_type").as_string(), "basic");
  EXPECT_EQ(o.at("aaguid").as_string(), aaguid_to_string(auth_->aaguid()));
  const auto& chain = o.at("attestation_chain").as_array();
  ASSERT_EQ(chain.size(), 1u);
  EXPECT_NE(std::string(chain[0].as_string()).find("CN="), std::string::npos) << r.out;
  EXPECT_EQ(o.at("flags").as_object().at("UV"), boost::json::value(true));
  EXPECT_EQ(o.at("alg"), boost::json::value(-7));
  EXPECT_FALSE(o.contains("failed_step"));
}

// A certificate as a PEM file (64-column base64 lines).
std::string pem_of(const crypto::attest::Certificate& c) {
  const std::string b64 = base64_encode(c.der());
  std::string out = "-----BEGIN CERTIFICATE-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  return out + "-----END CERTIFICATE-----\n";
}

TEST_F(WebauthnVerifyCli, TrustAnchorSaysWhetherThePackedChainVerified) {
  Ca ca = make_ca("Keybridge Test Attestation Root");
  Ca other = make_ca("Another Root");
  ASSERT_TRUE(auth_->set_attestation(client::SoftAttestation::kPackedX5c, &ca.key, &ca.cert,
                                     SystemClock().now()));
  auto [json, opts] = create(creation());
  const std::string good = write("root.pem", pem_of(ca.cert));
  const std::string bad = write("other.pem", pem_of(other.cert));

  auto ok = verify_registration_file(json, opts, {"--trust-anchor", good});
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  expect_has(ok, "chain check against the trust anchors: verified");
  expect_has(ok, "result: verified");

  auto refused = verify_registration_file(json, opts, {"--trust-anchor", bad});
  expect_refused_at(refused, "7.1 step 23");
  expect_has(refused, "chain check against the trust anchors: FAILED at WebAuthn 7.1 step 23");

  auto j = verify_registration_file(json, opts, {"--trust-anchor", bad, "--json"});
  EXPECT_EQ(j.exit_code, 1) << j.out;
  auto o = json_of(j);
  EXPECT_EQ(o.at("chain_check").as_string(), "failed");
  EXPECT_FALSE(o.at("chain_detail").as_string().empty());
  // Either of two anchors will do.
  auto both = verify_registration_file(json, opts,
                                       {"--trust-anchor", bad, "--trust-anchor", good, "--json"});
  EXPECT_EQ(both.exit_code, 0) << both.out;
  EXPECT_EQ(json_of(both).at("chain_check").as_string(), "verified");
  // Without the option nothing is claimed about the chain.
  auto none = verify_registration_file(json, opts, {"--json"});
  EXPECT_EQ(json_of(none).at("chain_check").as_string(), "not requested");
  // A self attestation has no chain to check.
  ASSERT_TRUE(auth_->set_attestation(client::SoftAttestation::kPackedSelf, nullptr, nullptr,
                                     SystemClock().now()));
  auto [self_json, self_opts] = create(creation());
  auto self = verify_registration_file(self_json, self_opts, {"--trust-anchor", good});
  EXPECT_EQ(self.exit_code, 0) << self.out;
  expect_has(self, "chain check against the trust anchors: not checked (attestation type self");
  // An anchor file that holds no certificate is an unusable invocation.
  auto junk = verify_registration_file(json, opts, {"--trust-anchor", write("junk.pem", "x")});
  EXPECT_EQ(junk.exit_code, 2) << junk.out;
}

TEST_F(WebauthnVerifyCli, FidoU2fRegistrationIsDescribed) {
  Ca ca = make_ca("U2F Root");
  ASSERT_TRUE(auth_->set_attestation(client::SoftAttestation::kFidoU2f, &ca.key, &ca.cert,
                                     SystemClock().now()));
  auto [json, opts] = create(creation());
  auto r = verify_registration_file(json, opts);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  expect_has(r, "format: fido-u2f");
  expect_has(r, "attestation chain[0]: ");
  expect_has(r, "result: verified");
}

// --- Refused registrations: the exact step.

TEST_F(WebauthnVerifyCli, ARegistrationForAnotherChallengeOriginOrRpIsRefusedAtItsStep) {
  auto [json, opts] = create(creation());
  Options other = opts;
  other.challenge = Bytes(32, 0x42);
  expect_refused_at(verify_registration_file(json, other), "7.1 step 8");
  auto r = verify({"--rp-id", kRpId, "--origin", "https://evil.example.net", "--challenge",
                   base64url_encode(opts.challenge), "--registration", write("reg.json", json)});
  expect_refused_at(r, "7.1 step 9");
  auto rp = verify({"--rp-id", "other.example.com", "--origin", kOrigin, "--challenge",
                    base64url_encode(opts.challenge), "--registration", write("reg.json", json)});
  expect_refused_at(rp, "7.1 step 13");
  expect_has(rp, "error: webauthn.rp_id_mismatch");
  // What was found is still shown.
  expect_has(rp, "format: packed");
}

TEST_F(WebauthnVerifyCli, ATamperedRegistrationIsRefusedAtItsStep) {
  auto [json, opts] = create(creation());
  auto wrong_type = tamper_client_data(
      json, [](std::string& s) { replace(s, "webauthn.create", "webauthn.get"); });
  expect_refused_at(verify_registration_file(wrong_type, opts), "7.1 step 7");
  // Flipping a byte of the counter breaks the packed self signature.
  auto bad_sig = tamper_att_auth_data(json, [](Bytes& ad) { ad[36] ^= 1; });
  auto r = verify_registration_file(bad_sig, opts);
  expect_refused_at(r, "7.1 step 22");
  expect_has(r, "error: webauthn.bad_attestation");
  // UP cleared.
  auto no_up = tamper_att_auth_data(json, [](Bytes& ad) { ad[32] &= ~kFlagUp; });
  expect_refused_at(verify_registration_file(no_up, opts), "7.1 step 14");
  // Not JSON at all.
  expect_refused_at(verify_registration_file("not json", opts), "7.1 steps 3-4");
}

TEST_F(WebauthnVerifyCli, UvIsCheckedOnlyWhenRequired) {
  CreationParams p = creation();
  p.user_verification = Requirement::kDiscouraged;
  auto [json, opts] = create(p, /*with_pin=*/false);
  EXPECT_EQ(verify_registration_file(json, opts).exit_code, 0);
  auto r = verify_registration_file(json, opts, {"--require-uv"});
  expect_refused_at(r, "7.1 step 15");
  expect_has(r, "flags: UP=1 UV=0");
}

// --- Assertions.

TEST_F(WebauthnVerifyCli, AnAssertionIsVerifiedWithTheStoredKey) {
  StoredCredential s = register_default(creation());
  auto [json, opts] = get(request(s));
  auto r = verify_assertion_file(json, opts, s, {"--require-uv"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  expect_has(r, "ceremony: authentication");
  expect_has(r, "type: webauthn.get");
  expect_has(r, "credential id: " + base64url_encode(s.id));
  expect_has(r, "flags: UP=1 UV=1 BE=0 BS=0 AT=0 ED=0");
  expect_has(r, "counter: 1");
  expect_has(r, "counter to store: 1");
  expect_has(r, "algorithm: ES256 (-7)");
  expect_has(r, "result: verified");
  // The key may also come from a file (base64url text).
  auto f = verify({"--rp-id", kRpId, "--origin", kOrigin, "--challenge",
                   base64url_encode(opts.challenge), "--assertion", write("a.json", json),
                   "--public-key", write("key.txt", base64url_encode(s.public_key_cose) + "\n"),
                   "--json"});
  ASSERT_EQ(f.exit_code, 0) << f.out;
  EXPECT_EQ(json_of(f).at("new_sign_count"), boost::json::value(1));
}

TEST_F(WebauthnVerifyCli, ARefusedAssertionNamesItsStep) {
  StoredCredential s = register_default(creation());
  auto [json, opts] = get(request(s));
  auto bad_sig = tamper(json, "signature", [](Bytes& b) { b[b.size() / 2] ^= 1; });
  auto r = verify_assertion_file(bad_sig, opts, s);
  expect_refused_at(r, "7.2 step 23");
  expect_has(r, "error: webauthn.bad_signature");
  // A counter at or below the stored one: a possible clone.
  auto clone = verify_assertion_file(json, opts, s, {"--sign-count", "5"});
  expect_refused_at(clone, "7.2 step 24");
  expect_has(clone, "error: webauthn.possible_clone");
  // Another key.
  StoredCredential other = register_default(creation());
  expect_refused_at(verify_assertion_file(json, opts, other), "7.2 step 23");
  // Another challenge, and a BE flag that changed since registration.
  Options wrong = opts;
  wrong.challenge = Bytes(32, 1);
  expect_refused_at(verify_assertion_file(json, wrong, s), "7.2 step 12");
  expect_refused_at(verify_assertion_file(json, opts, s, {"--backup-eligible", "true"}),
                    "7.2 step 19");
  auto j = verify_assertion_file(bad_sig, opts, s, {"--json"});
  EXPECT_EQ(j.exit_code, 1);
  auto o = json_of(j);
  EXPECT_EQ(o.at("verified"), boost::json::value(false));
  EXPECT_EQ(o.at("error").as_string(), "webauthn.bad_signature");
  EXPECT_NE(std::string(o.at("failed_step").as_string()).find("7.2 step 23"), std::string::npos);
}

TEST_F(WebauthnVerifyCli, UnusableInvocationsExitWithTwo) {
  auto [json, opts] = create(creation());
  const std::string file = write("reg.json", json);
  const std::string ch = base64url_encode(opts.challenge);
  // Neither response, both, an assertion without a key, a challenge that is not base64url.
  EXPECT_EQ(verify({"--rp-id", kRpId, "--origin", kOrigin, "--challenge", ch}).exit_code, 2);
  EXPECT_NE(verify({"--rp-id", kRpId, "--origin", kOrigin, "--challenge", ch, "--registration",
                    file, "--assertion", file})
                .exit_code,
            0);
  EXPECT_NE(verify({"--rp-id", kRpId, "--origin", kOrigin, "--challenge", ch, "--assertion", file})
                .exit_code,
            0);
  EXPECT_EQ(
      verify({"--rp-id", kRpId, "--origin", kOrigin, "--challenge", "%%%", "--registration", file})
          .exit_code,
      2);
}

}  // namespace
}  // namespace kb::webauthn::testing
