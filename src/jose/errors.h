// Typed errors of src/jose. The detail string names the failed check for logs; it never goes
// to a peer (an error that says which check failed would be an oracle).
#pragma once

#include <string_view>

#include "base/error.h"

namespace kb::jose {

enum class JoseErrc {
  kMalformed = 1,      // wrong segment count or a segment that must (not) be empty
  kBadBase64,          // a segment or member that is not strict base64url / base64
  kBadJson,            // header or claims not a JSON object, or a member of the wrong type
  kDuplicateMember,    // the same member name twice in one JSON object
  kTooLarge,           // compact form, header or payload past its bound
  kUnsupportedAlg,     // "none", or any alg/enc we do not implement
  kAlgMismatch,        // header alg differs from the one the verifier expects for its key
  kUnsupportedHeader,  // crit, zip, or an unknown kdf_ver
  kBadKey,             // key of the wrong type or size for the algorithm
  kBadSignature,       // signature or MAC does not verify
  kDecrypt,            // the encrypted key does not decrypt under our key
  kIntegrity,          // content tag mismatch or bad padding
  kBadLength,          // IV, tag, CEK or ctx of the wrong length
  kExpired,            // JWT exp passed (beyond the skew)
  kNotYetValid,        // JWT nbf in the future (beyond the skew)
  kIssuedInFuture,     // JWT iat in the future (beyond the skew)
  kTooOld,             // JWT iat older than the allowed age
  kBadAudience,        // aud does not name us
  kBadIssuer,          // iss is not the expected issuer
  kMissingClaim,       // a required claim is absent
  kBadClaim,           // a claim of the wrong type or out of range
  kCrypto,             // unexpected failure underneath
};
constexpr ErrorDomain error_domain(JoseErrc) {
  return ErrorDomain::kJose;
}
std::string_view error_code_name(JoseErrc e);

}  // namespace kb::jose
