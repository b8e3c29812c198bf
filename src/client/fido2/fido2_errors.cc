#include "client/fido2/fido2_errors.h"

#include <fido.h>

#include <string>

namespace kb::client::fido2 {
namespace {

using E = AuthenticatorErrc;

Error with_code(E e, std::string message, int r) {
  // The libfido2 name is kept for logs; the sentence before it is for the person at the key.
  return Error(e, message + " (libfido2: " + fido_strerr(r) + ")");
}

// libfido2 reports a read that ran out of time as FIDO_ERR_RX, like a malformed frame; the
// time spent tells the two apart (the read hook is given the remaining milliseconds).
bool ran_out_of_time(const CallContext& ctx) {
  if (ctx.timeout.count() < 0) return false;
  return ctx.elapsed + std::chrono::milliseconds(5) >= ctx.timeout;
}

}  // namespace

Error map_fido_error(int r, fido_dev_t* dev, const CallContext& ctx) {
  const std::string what = ctx.what;
  switch (r) {
    case FIDO_ERR_PIN_INVALID: {
      // CTAP 2.1 6.5.5.2: getPINRetries after a wrong PIN tells how many tries remain.
      int retries = -1;
      if (dev != nullptr && fido_dev_get_retry_count(dev, &retries) == FIDO_OK && retries >= 0) {
        if (retries == 0)
          return with_code(E::kPinBlocked,
                           "wrong PIN; the PIN is now blocked: reset the security key", r);
        return with_code(
            E::kPinInvalid,
            "wrong PIN, " + std::to_string(retries) + (retries == 1 ? " try left" : " tries left"),
            r);
      }
      return with_code(E::kPinInvalid, "wrong PIN", r);
    }
    case FIDO_ERR_PIN_BLOCKED:
      return with_code(E::kPinBlocked, "PIN blocked: reset the security key", r);
    case FIDO_ERR_PIN_AUTH_BLOCKED:
      // CTAP 2.1 6.5.5.7: three wrong PINs in a row; the key wants to be re-inserted.
      return with_code(E::kPinBlocked,
                       "too many wrong PINs in a row: remove and re-insert the security key", r);
    case FIDO_ERR_PIN_REQUIRED:
      return with_code(E::kPinRequired, "this security key needs its PIN", r);
    case FIDO_ERR_PIN_NOT_SET:
      return with_code(E::kUvUnavailable,
                       "the security key has no PIN: set one to use it for sign-in", r);
    case FIDO_ERR_PIN_POLICY_VIOLATION:
      return with_code(E::kPinInvalid, "the PIN does not meet the security key's PIN policy", r);
    case FIDO_ERR_UV_BLOCKED:
      return with_code(E::kPinBlocked,
                       "built-in user verification is blocked: enter the PIN instead", r);
    case FIDO_ERR_UV_INVALID:
      return with_code(E::kPinInvalid, "user verification failed: try again", r);
    case FIDO_ERR_NO_CREDENTIALS:
      return with_code(E::kNoCredentials, "this security key is not registered for this account",
                       r);
    case FIDO_ERR_CREDENTIAL_EXCLUDED:
      return with_code(E::kCredentialExcluded,
                       "this security key is already registered for this account", r);
    case FIDO_ERR_UNSUPPORTED_ALGORITHM:
      return with_code(E::kUnsupportedAlgorithm,
                       "the security key supports none of the signature algorithms asked for", r);
    case FIDO_ERR_UNSUPPORTED_OPTION:
    case FIDO_ERR_INVALID_OPTION:
      return with_code(E::kUvUnavailable,
                       "the security key cannot do what was asked (resident key or user "
                       "verification unsupported)",
                       r);
    case FIDO_ERR_ACTION_TIMEOUT:
    case FIDO_ERR_USER_ACTION_TIMEOUT:
      return with_code(E::kTimeout, "timed out waiting for a touch of the security key", r);
    case FIDO_ERR_OPERATION_DENIED:
    case FIDO_ERR_KEEPALIVE_CANCEL:
    case FIDO_ERR_UP_REQUIRED:
    case FIDO_ERR_USER_PRESENCE_REQUIRED:
      return with_code(E::kUserAction,
                       "the security key was not touched or the request was "
                       "cancelled: try again and touch the key",
                       r);
    case FIDO_ERR_TX:
    case FIDO_ERR_RX:
      if (ran_out_of_time(ctx)) {
        return with_code(E::kTimeout, "the security key did not answer in time while " + what, r);
      }
      return with_code(
          E::kDevice,
          "the security key failed or was removed while " + what + ": re-insert it and try again",
          r);
    case FIDO_ERR_RX_NOT_CBOR:
    case FIDO_ERR_RX_INVALID_CBOR:
    case FIDO_ERR_INVALID_CBOR:
    case FIDO_ERR_CBOR_UNEXPECTED_TYPE:
      return with_code(E::kDevice, "the security key sent a malformed reply while " + what, r);
    case FIDO_ERR_INVALID_ARGUMENT:
    case FIDO_ERR_INVALID_PARAMETER:
    case FIDO_ERR_MISSING_PARAMETER:
    case FIDO_ERR_INVALID_LENGTH:
      return with_code(E::kBadRequest, "the request was refused as malformed while " + what, r);
    default:
      return with_code(E::kDevice, "the security key reported an error while " + what, r);
  }
}

}  // namespace kb::client::fido2
