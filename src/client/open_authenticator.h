// The one place an authenticator spec from the command line becomes an Authenticator:
// "fido2" (the first FIDO2 security key found) or "fido2:DEVICE" (a hidraw path) through the
// libfido2 adapter (client/fido2/), and "soft:PATH" (the software authenticator, tests and
// the demo).
#pragma once

#include <memory>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "client/authenticator.h"

namespace kb::client {

// kBadRequest (AuthenticatorErrc) for a spec this build does not know, with the accepted
// forms in the detail; the soft authenticator's own errors when its state does not open.
Result<std::unique_ptr<Authenticator>> open_authenticator(std::string_view spec, Rng& rng);

}  // namespace kb::client
