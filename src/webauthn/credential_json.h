// PublicKeyCredential in the WebAuthn L3 JSON serialization (5.1.8 toJSON:
// RegistrationResponseJSON / AuthenticationResponseJSON), binary members base64url.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace kb::webauthn {

struct RegistrationResponse {
  Bytes id;  // rawId (id must be its base64url form)
  Bytes client_data_json;
  Bytes attestation_object;
  std::vector<std::string> transports;
};

struct AssertionResponse {
  Bytes id;
  Bytes client_data_json;
  Bytes authenticator_data;
  Bytes signature;
  std::optional<Bytes> user_handle;  // absent, null or "" all mean "none"
};

// At most 256 KiB of JSON, depth 16. type must be "public-key"; id and rawId must both be
// present and denote the same bytes (kBadCredential); binary members strict base64url.
// Malformed JSON or missing members: kBadJson.
Result<RegistrationResponse> parse_registration_response(std::string_view json);
Result<AssertionResponse> parse_assertion_response(std::string_view json);

std::string to_json(const RegistrationResponse& r);
std::string to_json(const AssertionResponse& r);

}  // namespace kb::webauthn
