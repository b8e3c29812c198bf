// A minimal WebAuthn client (the part of a browser between the RP's options and an
// authenticator): WebAuthn 5.1.3 [[Create]] and 5.1.4 [[Get]] reduced to one origin and one
// authenticator. Used by the CLI and the sign-in command.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "base/secret.h"
#include "client/authenticator.h"

namespace kb::client {

// The platform side of CTAP 2.1 hmac-secret (12.5): the salt to send and the decrypted
// output. The output never goes into the JSON for the RP.
struct HmacSecretExchange {
  Bytes salt;                         // kHmacSecretSaltSize bytes
  std::optional<SecretBytes> output;  // set by get() when the authenticator answered
};

class WebauthnClient {
 public:
  // `origin` is the caller's web origin, e.g. "https://login.example.com".
  WebauthnClient(Authenticator& authenticator, std::string origin)
      : authenticator_(authenticator), origin_(std::move(origin)) {}

  // PublicKeyCredentialCreationOptions JSON -> RegistrationResponseJSON.
  // kBadOptions for malformed options; kRpIdNotAllowed when rp.id is not the origin's host
  // or a parent domain of it (5.1.3 step 8); authenticator errors pass through.
  // With `hmac_secret`, the credential is created with the hmac-secret extension when the
  // authenticator has it.
  Result<std::string> create(std::string_view options_json, const SecretString* pin = nullptr,
                             bool hmac_secret = false);
  // PublicKeyCredentialRequestOptions JSON -> AuthenticationResponseJSON. With `hmac_secret`,
  // its salt is sent and its output filled in when the credential has the extension.
  Result<std::string> get(std::string_view options_json, const SecretString* pin = nullptr,
                          HmacSecretExchange* hmac_secret = nullptr);

 private:
  Result<void> check_rp_id(std::string_view rp_id) const;
  Authenticator& authenticator_;
  std::string origin_;
};

}  // namespace kb::client
