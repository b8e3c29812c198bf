// libfido2 return codes -> AuthenticatorErrc with a sentence a person can act on.
#pragma once

#include <chrono>

#include "client/authenticator.h"

typedef struct fido_dev fido_dev_t;  // NOLINT(modernize-use-using): matches <fido/types.h>

namespace kb::client::fido2 {

// What the call was doing, for the message ("opening", "registering", "signing in").
struct CallContext {
  const char* what;
  std::chrono::milliseconds timeout;  // negative: none was set
  std::chrono::milliseconds elapsed;
};

// `r` is a FIDO_ERR_* code (not FIDO_OK). `dev` (may be null) is asked for the PIN retries
// left after FIDO_ERR_PIN_INVALID.
Error map_fido_error(int r, fido_dev_t* dev, const CallContext& ctx);

}  // namespace kb::client::fido2
