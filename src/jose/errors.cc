#include "jose/errors.h"

namespace kb::jose {

std::string_view error_code_name(JoseErrc e) {
  switch (e) {
    case JoseErrc::kMalformed:
      return "malformed";
    case JoseErrc::kBadBase64:
      return "bad_base64";
    case JoseErrc::kBadJson:
      return "bad_json";
    case JoseErrc::kDuplicateMember:
      return "duplicate_member";
    case JoseErrc::kTooLarge:
      return "too_large";
    case JoseErrc::kUnsupportedAlg:
      return "unsupported_alg";
    case JoseErrc::kAlgMismatch:
      return "alg_mismatch";
    case JoseErrc::kUnsupportedHeader:
      return "unsupported_header";
    case JoseErrc::kBadKey:
      return "bad_key";
    case JoseErrc::kBadSignature:
      return "bad_signature";
    case JoseErrc::kDecrypt:
      return "decrypt";
    case JoseErrc::kIntegrity:
      return "integrity";
    case JoseErrc::kBadLength:
      return "bad_length";
    case JoseErrc::kExpired:
      return "expired";
    case JoseErrc::kNotYetValid:
      return "not_yet_valid";
    case JoseErrc::kIssuedInFuture:
      return "issued_in_future";
    case JoseErrc::kTooOld:
      return "too_old";
    case JoseErrc::kBadAudience:
      return "bad_audience";
    case JoseErrc::kBadIssuer:
      return "bad_issuer";
    case JoseErrc::kMissingClaim:
      return "missing_claim";
    case JoseErrc::kBadClaim:
      return "bad_claim";
    case JoseErrc::kCrypto:
      return "crypto";
  }
  return "unknown";
}

}  // namespace kb::jose
