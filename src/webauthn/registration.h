// WebAuthn 7.1 "Registering a New Credential": the relying party's verification of a
// PublicKeyCredential returned by navigator.credentials.create().
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"
#include "crypto/attestation_cert.h"
#include "crypto/cose_key.h"
#include "webauthn/attestation.h"
#include "webauthn/auth_data.h"

namespace kb::webauthn {

struct RegistrationExpectation {
  Bytes challenge;  // the challenge sent in the creation options
  std::string rp_id;
  std::vector<std::string> origins;      // exact origins, e.g. "https://login.example.com"
  std::vector<std::string> top_origins;  // empty: cross-origin (iframe) ceremonies refused
  bool require_user_presence = true;
  bool require_user_verification = true;
  std::vector<crypto::cose::Alg> algs = {crypto::cose::Alg::kEs256, crypto::cose::Alg::kEdDsa,
                                         crypto::cose::Alg::kRs256};
  SysTime now;  // for certificate validity when verifying x5c chains
};

struct AttestationPolicy {
  bool require_attestation = false;  // refuse none and self attestation
  // When non-empty, a basic/attca x5c chain must verify to one of these.
  std::vector<crypto::attest::Certificate> trust_anchors;
  std::vector<Aaguid> aaguid_allow;  // when non-empty, only these AAGUIDs
  std::vector<Aaguid> aaguid_block;
};

struct RegistrationResult {
  Bytes credential_id;
  Bytes public_key_cose;  // the COSE_Key bytes to store
  crypto::cose::Alg alg = crypto::cose::Alg::kEs256;
  std::uint32_t sign_count = 0;
  Aaguid aaguid{};
  std::string fmt;
  AttestationType attestation_type = AttestationType::kNone;
  std::vector<Bytes> x5c;        // DER, leaf first
  bool trusted = false;          // the chain verified against a configured anchor
  bool backup_eligible = false;  // BE
  bool backup_state = false;     // BS
  bool user_verified = false;    // UV
  std::vector<std::string> transports;
};

// Runs every check of 7.1 steps 3-25 (step 26, "not registered to another user", is the
// store's). Each refusal is a WebauthnErrc naming the step that failed.
Result<RegistrationResult> verify_registration(const RegistrationExpectation& e,
                                               std::string_view response_json,
                                               const AttestationPolicy& policy);

// Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"; and the inverse.
Result<Aaguid> parse_aaguid(std::string_view s);
std::string aaguid_to_string(const Aaguid& a);

}  // namespace kb::webauthn
