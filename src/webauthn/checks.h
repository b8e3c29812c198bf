// Checks shared by registration (7.1) and authentication (7.2). Internal to src/webauthn;
// each takes the step numbers of both ceremonies in its comment.
#pragma once

#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "webauthn/auth_data.h"
#include "webauthn/client_data.h"

namespace kb::webauthn::internal {

struct ClientDataExpectation {
  std::string_view type;
  ByteView challenge;
  const std::vector<std::string>* origins;
  const std::vector<std::string>* top_origins;
};

// 7.1 steps 5-10 / 7.2 steps 9-14: parse clientDataJSON, then type, challenge, origin,
// crossOrigin/topOrigin.
Result<CollectedClientData> check_client_data(ByteView client_data_json,
                                              const ClientDataExpectation& e);

// 7.1 step 13 / 7.2 step 15: rpIdHash is SHA-256 of the RP ID.
Result<void> check_rp_id_hash(const AuthenticatorData& ad, std::string_view rp_id);
// 7.1 steps 14-16 / 7.2 steps 16-18: UP, UV when required, BS only with BE.
Result<void> check_flags(const AuthenticatorData& ad, bool require_up, bool require_uv);

}  // namespace kb::webauthn::internal
