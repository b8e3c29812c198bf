// PublicKeyCredentialCreationOptions and PublicKeyCredentialRequestOptions in the WebAuthn L3
// JSON serialization (5.4 / 5.5 and their *JSON dictionaries), binary members base64url.
// The RP builds them; the client (src/client) parses them back.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"
#include "crypto/cose_key.h"

namespace kb::webauthn {

inline constexpr std::size_t kChallengeSize = 32;
inline constexpr std::size_t kMaxUserHandle = 64;  // WebAuthn 5.4.3 user.id

enum class Requirement { kRequired, kPreferred, kDiscouraged };
enum class Conveyance { kNone, kIndirect, kDirect, kEnterprise };
std::string_view requirement_name(Requirement r);
std::string_view conveyance_name(Conveyance c);

struct CredentialDescriptor {
  Bytes id;
  std::vector<std::string> transports;
};

struct CreationParams {
  std::string rp_id;
  std::string rp_name;
  Bytes user_id;  // the user handle: 1..64 opaque bytes
  std::string user_name;
  std::string user_display_name;
  std::vector<crypto::cose::Alg> algs = {crypto::cose::Alg::kEs256, crypto::cose::Alg::kEdDsa,
                                         crypto::cose::Alg::kRs256};
  std::vector<CredentialDescriptor> exclude;
  Requirement resident_key = Requirement::kPreferred;
  Requirement user_verification = Requirement::kRequired;
  Conveyance attestation = Conveyance::kNone;
  std::chrono::milliseconds timeout{300000};
};

struct RequestParams {
  std::string rp_id;
  std::vector<CredentialDescriptor> allow;  // empty: discoverable credentials
  Requirement user_verification = Requirement::kRequired;
  std::chrono::milliseconds timeout{300000};
};

struct Options {
  Bytes challenge;   // what the RP stores to check the response against
  std::string json;  // what it sends to the client
};

// A fresh 32-byte challenge from `rng`. kInvalidArgument-like errors (WebauthnErrc::kBadJson)
// for a user handle outside 1..64 bytes or an empty rp id / algorithm list.
Result<Options> make_creation_options(const CreationParams& p, Rng& rng);
Result<Options> make_request_options(const RequestParams& p, Rng& rng);

// The client side: parses options JSON (at most 64 KiB). Unknown algorithms in
// pubKeyCredParams are skipped, as 5.1.3 step 10 says. kBadJson on malformed input.
struct ParsedCreation {
  CreationParams params;
  Bytes challenge;
};
struct ParsedRequest {
  RequestParams params;
  Bytes challenge;
};
Result<ParsedCreation> parse_creation_options(std::string_view json);
Result<ParsedRequest> parse_request_options(std::string_view json);

}  // namespace kb::webauthn
