#include "client/open_authenticator.h"

#include "client/fido2/fido2_authenticator.h"
#include "client/soft_authenticator.h"

namespace kb::client {

Result<std::unique_ptr<Authenticator>> open_authenticator(std::string_view spec, Rng& rng) {
  if (spec.rfind("soft:", 0) == 0) {
    auto path = KB_TRY(SoftAuthenticator::parse_spec(spec));
    auto soft = KB_TRY(SoftAuthenticator::open(path, rng));
    return std::unique_ptr<Authenticator>(std::make_unique<SoftAuthenticator>(std::move(soft)));
  }
  if (spec == "fido2" || spec.rfind("fido2:", 0) == 0) return open_fido2_authenticator(spec);
  return Error(AuthenticatorErrc::kBadRequest,
               "authenticator '" + std::string(spec) + "': use soft:PATH, fido2 or fido2:DEVICE");
}

}  // namespace kb::client
