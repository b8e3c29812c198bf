#include "webauthn/checks.h"

#include <algorithm>

#include "crypto/crypto.h"
#include "webauthn/errc.h"

namespace kb::webauthn::internal {

using E = WebauthnErrc;

Result<CollectedClientData> check_client_data(ByteView client_data_json,
                                              const ClientDataExpectation& e) {
  CollectedClientData c = KB_TRY(parse_client_data(client_data_json));
  // 7.1 step 7 / 7.2 step 11: C.type.
  if (c.type != e.type) return Error(E::kWrongType, "clientData.type is " + c.type);
  // 7.1 step 8 / 7.2 step 12: C.challenge is the challenge that was sent (constant time:
  // the stored challenge is a secret until it is used).
  if (!constant_time_equal(c.challenge, e.challenge)) {
    return Error(E::kChallengeMismatch, "clientData.challenge differs");
  }
  // 7.1 step 9 / 7.2 step 13: C.origin is one the RP expects (exact match).
  if (std::find(e.origins->begin(), e.origins->end(), c.origin) == e.origins->end()) {
    return Error(E::kOriginNotAllowed, "origin not allowed: " + c.origin);
  }
  // 7.1 step 10 / 7.2 step 14: an embedded (cross-origin) ceremony is accepted only when the
  // RP lists the top-level origins it expects to be framed by.
  if (c.cross_origin || c.top_origin) {
    if (e.top_origins->empty()) {
      return Error(E::kCrossOriginNotAllowed, "cross-origin ceremony not expected");
    }
    if (!c.top_origin || std::find(e.top_origins->begin(), e.top_origins->end(), *c.top_origin) ==
                             e.top_origins->end()) {
      return Error(E::kCrossOriginNotAllowed, "topOrigin not allowed");
    }
  }
  return c;
}

Result<void> check_rp_id_hash(const AuthenticatorData& ad, std::string_view rp_id) {
  Bytes expected = crypto::sha256(as_bytes(rp_id));
  if (!std::equal(expected.begin(), expected.end(), ad.rp_id_hash.begin())) {
    return Error(E::kRpIdMismatch, "rpIdHash is not SHA-256 of the RP ID");
  }
  return ok();
}

Result<void> check_flags(const AuthenticatorData& ad, bool require_up, bool require_uv) {
  // 7.1 step 14 / 7.2 step 16: user present.
  if (require_up && !ad.up()) return Error(E::kUserNotPresent, "UP flag not set");
  // 7.1 step 15 / 7.2 step 17: user verified when the RP requires it.
  if (require_uv && !ad.uv()) return Error(E::kUserNotVerified, "UV flag not set");
  // 7.1 step 16 / 7.2 step 18: BS only with BE (6.1.3).
  if (ad.bs() && !ad.be()) return Error(E::kBadBackupFlags, "BS set without BE");
  return ok();
}

}  // namespace kb::webauthn::internal
