// The one place an authenticator spec from the command line becomes an Authenticator:
// "soft:PATH" (the software authenticator, tests and the demo). The libfido2 adapter
// (client/fido2/, "fido2" or "fido2:DEVICE") plugs in here when it is merged.
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
