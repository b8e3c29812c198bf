#include "webauthn/diagnose.h"

#include "crypto/attestation_cert.h"
#include "webauthn/attestation.h"
#include "webauthn/client_data.h"
#include "webauthn/credential_json.h"

namespace kb::webauthn {
namespace {

using E = WebauthnErrc;

// The step of 7.1 (registration) and of 7.2 (authentication) each code is raised at, as the
// checks' comments cite them (registration.cc, assertion.cc, checks.cc), and what it checks.
// A code one ceremony never raises has an empty step there.
struct Step {
  std::string_view registration;
  std::string_view authentication;
  std::string_view what;
};

Step step_of(E e) {
  switch (e) {
    case E::kBadJson:
    case E::kBadCredential:
      return {"steps 3-4", "step 3", "the response is a PublicKeyCredential"};
    case E::kCredentialNotAllowed:
      return {"", "step 5", "the credential is one of allowCredentials"};
    case E::kUserHandleMismatch:
      return {"", "step 6", "userHandle names the credential's owner"};
    case E::kBadClientData:
      return {"steps 5-6", "steps 9-10", "clientDataJSON parses"};
    case E::kWrongType:
      return {"step 7", "step 11", "clientData.type is the ceremony's"};
    case E::kChallengeMismatch:
      return {"step 8", "step 12", "clientData.challenge is the one sent"};
    case E::kOriginNotAllowed:
      return {"step 9", "step 13", "clientData.origin is an expected origin"};
    case E::kCrossOriginNotAllowed:
      return {"step 10", "step 14", "crossOrigin/topOrigin are expected"};
    case E::kBadCbor:
      return {"step 12", "step 22", "CBOR decodes (attestationObject / credential key)"};
    case E::kBadAuthenticatorData:
      return {"step 12", "step 15", "authenticatorData parses"};
    case E::kRpIdMismatch:
      return {"step 13", "step 15", "rpIdHash is SHA-256 of the RP ID"};
    case E::kUserNotPresent:
      return {"step 14", "step 16", "the UP flag is set"};
    case E::kUserNotVerified:
      return {"step 15", "step 17", "the UV flag is set when user verification is required"};
    case E::kBadBackupFlags:
      return {"step 16", "step 18", "BS is set only with BE"};
    case E::kBackupEligibilityChanged:
      return {"", "step 19", "BE is what it was at registration"};
    case E::kMissingAttestedData:
      return {"step 19", "step 15", "AT is set on registration only"};
    case E::kBadExtensions:
      return {"step 20", "step 21", "extension outputs are well formed"};
    case E::kBadCoseKey:
      return {"step 19", "step 22", "the credential public key is a valid COSE_Key"};
    case E::kUnsupportedAlgorithm:
      return {"step 19", "step 22", "the credential algorithm is one the RP allows"};
    case E::kUnsupportedFormat:
      return {"step 21", "", "the attestation statement format is supported"};
    case E::kBadAttestation:
      return {"step 22", "", "the attestation statement verifies"};
    case E::kAttestationRequired:
    case E::kUntrustedAttestation:
      return {"step 23", "", "the attestation is trustworthy under the policy"};
    case E::kAaguidBlocked:
      return {"step 24", "", "the AAGUID is allowed by the policy"};
    case E::kBadSignature:
      return {"", "step 23", "the signature verifies with the stored public key"};
    case E::kPossibleClone:
      return {"", "step 24", "signCount increased (else a possible clone)"};
    case E::kCredentialIdTooLong:
      return {"step 25", "step 3", "credentialId is at most 1023 bytes"};
  }
  return {"", "", "unknown check"};
}

void read_client_data(Diagnosis& d, ByteView client_data_json) {
  auto c = parse_client_data(client_data_json);
  if (!c) return;
  d.client_data_type = c->type;
  d.origin = c->origin;
}

void read_auth_data(Diagnosis& d, const AuthenticatorData& ad) {
  d.flags = ad.flags;
  d.sign_count = ad.sign_count;
  if (ad.attested) {
    d.aaguid = ad.attested->aaguid;
    d.alg = static_cast<std::int32_t>(ad.attested->public_key.alg);
    d.public_key_cose = ad.attested->public_key.encoded;
  }
}

// Reads what the registration response holds without judging it, so that a refused
// response still shows its format, flags and chain.
void read_registration(Diagnosis& d, std::string_view json) {
  auto r = parse_registration_response(json);
  if (!r) return;
  d.credential_id = r->id;
  read_client_data(d, r->client_data_json);
  auto obj = parse_attestation_object(r->attestation_object);
  if (!obj) return;
  d.fmt = obj->fmt;
  read_auth_data(d, obj->auth_data);
  const cbor::Value* x5c = obj->att_stmt.find("x5c");
  if (x5c != nullptr && x5c->kind == cbor::Value::Kind::kArray) {
    for (const auto& c : x5c->items) {
      if (c.kind == cbor::Value::Kind::kBytes) {
        d.chain_subjects.push_back(certificate_subject_text(c.bytes));
      }
    }
  }
}

void fail(Diagnosis& d, Error e) {
  d.failed_step = spec_step(e, d.ceremony);
  d.failure = std::move(e);
}

}  // namespace

std::string spec_step(WebauthnErrc e, Ceremony c) {
  const Step s = step_of(e);
  const bool reg = c == Ceremony::kRegistration;
  std::string_view n = reg ? s.registration : s.authentication;
  std::string out = reg ? "WebAuthn 7.1 " : "WebAuthn 7.2 ";
  out += n.empty() ? std::string_view("(no step of this ceremony)") : n;
  out += " (";
  out += s.what;
  out += ")";
  return out;
}

std::string_view chain_check_name(ChainCheck c) {
  switch (c) {
    case ChainCheck::kNotRequested:
      return "not requested";
    case ChainCheck::kNotReached:
      return "not reached";
    case ChainCheck::kNoChain:
      return "no chain";
    case ChainCheck::kVerified:
      return "verified";
    case ChainCheck::kFailed:
      return "failed";
  }
  return "not requested";
}

std::string spec_step(const Error& e, Ceremony c) {
  if (e.domain() == ErrorDomain::kWebauthn)
    return spec_step(static_cast<WebauthnErrc>(e.code()), c);
  return spec_step(WebauthnErrc::kBadJson, c);
}

std::string certificate_subject_text(ByteView der) {
  auto cert = crypto::attest::Certificate::from_der(der);
  if (!cert) return "?";
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"C", "2.5.4.6"}, {"O", "2.5.4.10"}, {"OU", "2.5.4.11"}, {"CN", "2.5.4.3"}};
  std::string out;
  for (const auto& [name, oid] : kNames) {
    for (const auto& v : cert->subject_values(oid)) {
      if (!out.empty()) out += ", ";
      out += std::string(name) + "=" + v;
    }
  }
  return out.empty() ? "(empty subject)" : out;
}

Diagnosis diagnose_registration(const RegistrationExpectation& e, std::string_view response_json,
                                const AttestationPolicy& policy) {
  Diagnosis d;
  d.ceremony = Ceremony::kRegistration;
  read_registration(d, response_json);
  auto r = verify_registration(e, response_json, policy);
  const bool anchored = !policy.trust_anchors.empty();
  if (!r) {
    // The chain is checked at 7.1 step 23 (registration.cc check_policy), after every
    // other check of the attestation: any other refusal came before it.
    if (anchored) {
      const bool chain_failed = r.error().is(WebauthnErrc::kUntrustedAttestation);
      d.chain_check = chain_failed ? ChainCheck::kFailed : ChainCheck::kNotReached;
      if (chain_failed) d.chain_detail = r.error().detail();
    }
    fail(d, r.error());
    return d;
  }
  if (anchored) d.chain_check = r->trusted ? ChainCheck::kVerified : ChainCheck::kNoChain;
  d.attestation_type = std::string(attestation_type_name(r->attestation_type));
  d.aaguid = r->aaguid;
  d.alg = static_cast<std::int32_t>(r->alg);
  d.public_key_cose = r->public_key_cose;
  return d;
}

Diagnosis diagnose_assertion(const AssertionExpectation& e, std::string_view response_json,
                             StoredCredential stored, bool backup_eligible_known) {
  Diagnosis d;
  d.ceremony = Ceremony::kAuthentication;
  auto r = parse_assertion_response(response_json);
  if (!r) {
    fail(d, r.error());
    return d;
  }
  d.credential_id = r->id;
  read_client_data(d, r->client_data_json);
  std::optional<AuthenticatorData> ad;
  if (auto parsed = parse_authenticator_data(r->authenticator_data)) {
    ad = std::move(*parsed);
    read_auth_data(d, *ad);
  }
  std::size_t used = 0;
  if (auto key = parse_cose_key_prefix(stored.public_key_cose, used)) {
    d.alg = static_cast<std::int32_t>(key->alg);
  }
  // The diagnostic checks the response against the key given, whatever id it names.
  stored.id = r->id;
  if (stored.user_handle.empty() && r->user_handle) stored.user_handle = *r->user_handle;
  if (!backup_eligible_known && ad) stored.backup_eligible = ad->be();
  auto v = verify_assertion(e, response_json, stored);
  if (!v) {
    fail(d, v.error());
    return d;
  }
  d.new_sign_count = v->new_sign_count;
  return d;
}

}  // namespace kb::webauthn
