// The authenticator the sign-in client talks to: CTAP2 authenticatorMakeCredential (0x01) and
// authenticatorGetAssertion (0x02) reduced to what a WebAuthn client needs (protocol digest
// H.5). Implemented by the software authenticator (soft_authenticator.h) and by the
// libfido2 adapter in client/fido2/ (fido2_authenticator.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/error.h"
#include "base/result.h"
#include "base/secret.h"
#include "crypto/cose_key.h"
#include "webauthn/options.h"

namespace kb::client {

enum class AuthenticatorErrc {
  kNoCredentials = 1,     // CTAP2_ERR_NO_CREDENTIALS
  kCredentialExcluded,    // CTAP2_ERR_CREDENTIAL_EXCLUDED
  kUnsupportedAlgorithm,  // CTAP2_ERR_UNSUPPORTED_ALGORITHM
  kPinRequired,           // CTAP2_ERR_PIN_REQUIRED
  kPinInvalid,            // CTAP2_ERR_PIN_INVALID
  kPinBlocked,            // CTAP2_ERR_PIN_BLOCKED
  kUvUnavailable,         // UV required but the authenticator has no PIN set
  kState,                 // the state file is missing, malformed, too open or unwritable
  kBadRequest,            // malformed request (e.g. client data hash not 32 bytes)
  kRpIdNotAllowed,        // the client refuses an rp id that does not fit the origin
  kBadOptions,            // the RP's options JSON is malformed
  kNoDevice,              // no security key attached (libfido2 adapter)
  kTimeout,               // CTAP2_ERR_ACTION_TIMEOUT, or the key did not answer in time
  kUserAction,            // the key refused: operation denied, touch missing, keepalive cancel
  kDevice,                // the key failed or sent a reply that could not be read
};
constexpr ErrorDomain error_domain(AuthenticatorErrc) {
  return ErrorDomain::kClient;
}
std::string_view error_code_name(AuthenticatorErrc e);

struct UserInfo {
  Bytes id;
  std::string name;
  std::string display_name;
};

struct MakeCredentialRequest {
  std::string rp_id;
  std::string rp_name;
  Bytes client_data_hash;
  UserInfo user;
  std::vector<crypto::cose::Alg> algs;  // in the RP's order of preference
  bool resident_key = false;
  webauthn::Requirement user_verification = webauthn::Requirement::kPreferred;
  std::vector<Bytes> exclude;
  bool attestation_requested = false;  // conveyance other than "none"
  const SecretString* pin = nullptr;   // the PIN the user entered, if any
  // CTAP 2.1 12.5: ask the authenticator to create the credential with hmac-secret. A key
  // without the extension ignores the request (MakeCredentialResponse::hmac_secret false).
  bool hmac_secret = false;
};

struct MakeCredentialResponse {
  Bytes credential_id;
  Bytes attestation_object;  // CBOR {fmt, attStmt, authData}
  std::vector<std::string> transports;
  bool hmac_secret = false;  // the authData extensions say "hmac-secret": true
};

// CTAP 2.1 12.5: hmac-secret salts are exactly 32 bytes.
inline constexpr std::size_t kHmacSecretSaltSize = 32;

struct GetAssertionRequest {
  std::string rp_id;
  Bytes client_data_hash;
  std::vector<Bytes> allow;  // empty: discoverable credentials only
  webauthn::Requirement user_verification = webauthn::Requirement::kPreferred;
  const SecretString* pin = nullptr;
  // CTAP 2.1 12.5 salt1 (kHmacSecretSaltSize bytes; not secret). Set: the hmac-secret
  // extension is requested; any other length is kBadRequest.
  std::optional<Bytes> hmac_salt;
};

struct GetAssertionResponse {
  Bytes credential_id;
  Bytes authenticator_data;  // carries the encrypted extension output, never the clear one
  Bytes signature;
  std::optional<Bytes> user_handle;
  // HMAC-SHA-256(CredRandom, salt1), decrypted by the platform side; absent when no salt was
  // sent or the credential/key has no hmac-secret. CredRandom differs with and without UV.
  std::optional<SecretBytes> hmac_secret;
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual Result<MakeCredentialResponse> make_credential(const MakeCredentialRequest& req) = 0;
  virtual Result<GetAssertionResponse> get_assertion(const GetAssertionRequest& req) = 0;
};

}  // namespace kb::client
