#include "client/open_authenticator.h"

#include "client/soft_authenticator.h"

namespace kb::client {

Result<std::unique_ptr<Authenticator>> open_authenticator(std::string_view spec, Rng& rng) {
  if (spec.rfind("soft:", 0) == 0) {
    auto path = KB_TRY(SoftAuthenticator::parse_spec(spec));
    auto soft = KB_TRY(SoftAuthenticator::open(path, rng));
    return std::unique_ptr<Authenticator>(std::make_unique<SoftAuthenticator>(std::move(soft)));
  }
  // "fido2" / "fido2:DEVICE" joins here with client/fido2/ (Fido2Authenticator).
  return Error(AuthenticatorErrc::kBadRequest,
               "authenticator '" + std::string(spec) + "': this build accepts soft:PATH only");
}

}  // namespace kb::client
