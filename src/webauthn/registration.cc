#include "webauthn/registration.h"

#include <algorithm>

#include "base/bytes.h"
#include "webauthn/checks.h"
#include "webauthn/credential_json.h"
#include "webauthn/errc.h"

namespace kb::webauthn {
namespace {

using E = WebauthnErrc;

// 7.1 step 19: the credential's algorithm is one the RP offered.
Result<void> check_alg(const AttestedCredentialData& acd, const RegistrationExpectation& e) {
  if (std::find(e.algs.begin(), e.algs.end(), acd.public_key.alg) == e.algs.end()) {
    return Error(E::kUnsupportedAlgorithm,
                 std::string("credential alg not offered: ") +
                     std::string(crypto::cose::alg_name(acd.public_key.alg)));
  }
  return ok();
}

// 7.1 steps 23-24 (trust) and the tenant's AAGUID lists.
Result<bool> check_policy(const AttestationOutcome& att, const Aaguid& aaguid,
                          const AttestationPolicy& policy, SysTime now) {
  auto listed = [&](const std::vector<Aaguid>& l) {
    return std::find(l.begin(), l.end(), aaguid) != l.end();
  };
  if (listed(policy.aaguid_block)) return Error(E::kAaguidBlocked, "AAGUID is blocked");
  if (!policy.aaguid_allow.empty() && !listed(policy.aaguid_allow)) {
    return Error(E::kAaguidBlocked, "AAGUID is not on the allow-list");
  }
  bool attested = att.type == AttestationType::kBasic || att.type == AttestationType::kAttCa;
  if (policy.require_attestation && !attested) {
    return Error(E::kAttestationRequired,
                 "attestation required, got " + std::string(attestation_type_name(att.type)));
  }
  if (!attested || policy.trust_anchors.empty()) return false;
  std::vector<crypto::attest::Certificate> chain;
  for (const auto& der : att.x5c) {
    auto c = crypto::attest::Certificate::from_der(der);
    if (!c) return Error(E::kBadAttestation, "x5c certificate does not parse");
    chain.push_back(std::move(c).value());
  }
  auto v = crypto::attest::verify_chain(chain, policy.trust_anchors, now);
  if (!v) return Error(E::kUntrustedAttestation, v.error().detail());
  return true;
}

}  // namespace

Result<RegistrationResult> verify_registration(const RegistrationExpectation& e,
                                               std::string_view response_json,
                                               const AttestationPolicy& policy) {
  // 7.1 steps 3-4: a PublicKeyCredential with an AuthenticatorAttestationResponse.
  RegistrationResponse resp = KB_TRY(parse_registration_response(response_json));
  // 7.1 steps 5-10: client data.
  CollectedClientData c = KB_TRY(internal::check_client_data(
      resp.client_data_json, {"webauthn.create", e.challenge, &e.origins, &e.top_origins}));
  // 7.1 step 11: hash = SHA-256(clientDataJSON) (computed by the parser over the raw bytes).
  // 7.1 step 12: decode the attestation object and its authenticator data.
  AttestationObject obj = KB_TRY(parse_attestation_object(resp.attestation_object));
  const AuthenticatorData& ad = obj.auth_data;
  // 7.1 step 13: rpIdHash.
  KB_CHECK(internal::check_rp_id_hash(ad, e.rp_id));
  // 7.1 steps 14-16: UP, UV, BE/BS.
  KB_CHECK(internal::check_flags(ad, e.require_user_presence, e.require_user_verification));
  // 7.1 step 19 needs attested credential data: AT must be set on registration.
  if (!ad.attested) return Error(E::kMissingAttestedData, "AT flag not set");
  const AttestedCredentialData& acd = *ad.attested;
  KB_CHECK(check_alg(acd, e));
  // 7.1 step 20: we request no extensions; outputs are parsed and bounded by the
  // authenticator-data parser and otherwise ignored (unsolicited ones are allowed, 9).
  // 7.1 steps 21-22: the attestation statement.
  AttestationOutcome att = KB_TRY(verify_attestation_statement(obj, c.hash));
  // 7.1 steps 23-24: trust and policy.
  bool trusted = KB_TRY(check_policy(att, acd.aaguid, policy, e.now));
  // 7.1 step 25: credentialId length (the parser refuses longer ids; kept explicit here).
  if (acd.credential_id.size() > kMaxCredentialIdLength) {
    return Error(E::kCredentialIdTooLong, "credential id longer than 1023 bytes");
  }
  // The credential the client names must be the one in the authenticator data.
  if (acd.credential_id != resp.id) {
    return Error(E::kBadCredential, "rawId differs from the attested credential id");
  }
  RegistrationResult r;
  r.credential_id = acd.credential_id;
  r.public_key_cose = acd.public_key.encoded;
  r.alg = acd.public_key.alg;
  r.sign_count = ad.sign_count;
  r.aaguid = acd.aaguid;
  r.fmt = obj.fmt;
  r.attestation_type = att.type;
  r.x5c = std::move(att.x5c);
  r.trusted = trusted;
  r.backup_eligible = ad.be();
  r.backup_state = ad.bs();
  r.user_verified = ad.uv();
  r.transports = std::move(resp.transports);
  return r;
}

Result<Aaguid> parse_aaguid(std::string_view s) {
  std::string hex;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool dash_pos = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_pos != (s[i] == '-')) return Error(E::kBadJson, "malformed AAGUID");
    if (!dash_pos) hex.push_back(s[i]);
  }
  auto b = hex_decode(hex);
  if (s.size() != 36 || !b || b->size() != 16) return Error(E::kBadJson, "malformed AAGUID");
  Aaguid a{};
  std::copy(b->begin(), b->end(), a.begin());
  return a;
}

std::string aaguid_to_string(const Aaguid& a) {
  std::string h = hex_encode(a);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

}  // namespace kb::webauthn
