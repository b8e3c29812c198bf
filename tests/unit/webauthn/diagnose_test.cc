// diagnose_registration with trust anchors (`keybridge admin webauthn verify
// --trust-anchor`): whether the x5c chain verified, and the step that refused it.
#include "webauthn/diagnose.h"

#include "rp_fixture.h"

namespace kb::webauthn::testing {
namespace {

using crypto::cose::Alg;

struct Root {
  crypto::cose::PrivateKey key;
  crypto::attest::Certificate cert;
};

Root make_root(const char* cn) {
  auto key = crypto::cose::PrivateKey::generate(Alg::kEs256);
  crypto::attest::IssueParams p;
  p.subject = {{"O", "Keybridge Test"}, {"CN", cn}};
  p.not_before = SysTime{std::chrono::seconds(1700000000)};
  p.not_after = SysTime{std::chrono::seconds(1900000000)};
  p.is_ca = true;
  auto der = crypto::attest::issue_certificate(p, *key->public_key(), *key, nullptr);
  return {std::move(key).value(), *crypto::attest::Certificate::from_der(*der)};
}

AttestationPolicy anchored(const Root& r) {
  AttestationPolicy p;
  p.trust_anchors.push_back(r.cert.clone());
  return p;
}

class DiagnoseChain : public RpFixture {
 protected:
  Root root_ = make_root("Diagnose Attestation Root");
  Root other_ = make_root("Another Root");

  std::pair<std::string, Options> packed_x5c() {
    EXPECT_TRUE(auth_->set_attestation(client::SoftAttestation::kPackedX5c, &root_.key, &root_.cert,
                                       SysTime{std::chrono::seconds(1790000000)}));
    return create(creation());
  }
};

TEST_F(DiagnoseChain, AChainToTheGivenRootIsVerified) {
  auto [json, opts] = packed_x5c();
  Diagnosis d = diagnose_registration(reg_expectation(opts), json, anchored(root_));
  ASSERT_TRUE(d.ok()) << d.failure->to_string();
  EXPECT_EQ(d.chain_check, ChainCheck::kVerified);
  EXPECT_EQ(chain_check_name(d.chain_check), "verified");
  EXPECT_TRUE(d.chain_detail.empty());
  EXPECT_EQ(d.attestation_type, "basic");
  EXPECT_EQ(d.chain_subjects.size(), 1U);
}

TEST_F(DiagnoseChain, AChainToAnotherRootFailsAtStep23WithTheReason) {
  auto [json, opts] = packed_x5c();
  Diagnosis d = diagnose_registration(reg_expectation(opts), json, anchored(other_));
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(d.failure->is(WebauthnErrc::kUntrustedAttestation));
  EXPECT_EQ(d.chain_check, ChainCheck::kFailed);
  EXPECT_EQ(chain_check_name(d.chain_check), "failed");
  EXPECT_FALSE(d.chain_detail.empty());
  EXPECT_NE(d.failed_step.find("7.1 step 23"), std::string::npos) << d.failed_step;
  EXPECT_EQ(d.fmt, "packed");  // what was read is still shown
  EXPECT_EQ(d.chain_subjects.size(), 1U);
}

TEST_F(DiagnoseChain, WithoutAnchorsTheChainIsNotRequested) {
  auto [json, opts] = packed_x5c();
  Diagnosis d = diagnose_registration(reg_expectation(opts), json, {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.chain_check, ChainCheck::kNotRequested);
  EXPECT_EQ(chain_check_name(d.chain_check), "not requested");
}

TEST_F(DiagnoseChain, SelfAttestationHasNoChainToCheck) {
  auto [json, opts] = create(creation());  // packed self
  Diagnosis d = diagnose_registration(reg_expectation(opts), json, anchored(root_));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.attestation_type, "self");
  EXPECT_EQ(d.chain_check, ChainCheck::kNoChain);
  EXPECT_EQ(chain_check_name(d.chain_check), "no chain");
}

TEST_F(DiagnoseChain, AnEarlierRefusalDoesNotReachTheChain) {
  auto [json, opts] = packed_x5c();
  RegistrationExpectation e = reg_expectation(opts);
  e.origins = {"https://elsewhere.example.com"};
  Diagnosis d = diagnose_registration(e, json, anchored(root_));
  ASSERT_FALSE(d.ok());
  EXPECT_FALSE(d.failure->is(WebauthnErrc::kUntrustedAttestation));
  EXPECT_EQ(d.chain_check, ChainCheck::kNotReached);
  EXPECT_EQ(chain_check_name(d.chain_check), "not reached");
  EXPECT_TRUE(d.chain_detail.empty());
}

}  // namespace
}  // namespace kb::webauthn::testing
