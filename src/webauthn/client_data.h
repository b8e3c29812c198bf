// CollectedClientData (WebAuthn 5.8.1): parsing the clientDataJSON bytes the client signed
// over, and building them the way 5.8.1.1 serializes them (for the software client).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace kb::webauthn {

struct CollectedClientData {
  std::string type;
  Bytes challenge;  // decoded from base64url
  std::string origin;
  bool cross_origin = false;
  std::optional<std::string> top_origin;
  Bytes raw;   // the exact bytes received
  Bytes hash;  // SHA-256(raw) (WebAuthn 7.1 step 12 / 7.2 step 19)
};

// WebAuthn 7.1 steps 5-6 / 7.2 steps 9-10: UTF-8 decode and JSON-parse (at most 16 KiB,
// depth 8). type, challenge (strict base64url) and origin are required strings;
// crossOrigin, when present, must be a boolean; topOrigin, when present, a string.
// WebauthnErrc::kBadClientData otherwise.
Result<CollectedClientData> parse_client_data(ByteView json);

// 5.8.1.1 "Serialization": {"type":..,"challenge":..,"origin":..,"crossOrigin":..
// [,"topOrigin":..]} in that order, strings JSON-escaped.
std::string build_client_data(std::string_view type, ByteView challenge, std::string_view origin,
                              bool cross_origin,
                              const std::optional<std::string>& top_origin = std::nullopt);

}  // namespace kb::webauthn
