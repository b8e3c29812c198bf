// WebAuthn 7.2 "Verifying an Authentication Assertion".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace kb::webauthn {

// What the RP stored at registration (7.1 step 27).
struct StoredCredential {
  Bytes id;
  Bytes user_handle;      // the user.id of the account that owns the credential
  Bytes public_key_cose;  // RegistrationResult::public_key_cose
  std::uint32_t sign_count = 0;
  bool backup_eligible = false;
};

struct AssertionExpectation {
  Bytes challenge;
  std::string rp_id;
  std::vector<std::string> origins;
  std::vector<std::string> top_origins;  // empty: cross-origin ceremonies refused
  std::vector<Bytes> allow_credentials;  // as sent in allowCredentials (empty: discoverable)
  // The user was not identified before the ceremony (discoverable flow): userHandle is
  // then required (7.2 step 6).
  bool user_identified = true;
  bool require_user_verification = true;  // sign-in requires UV by default
};

struct AssertionResult {
  Bytes credential_id;
  std::uint32_t new_sign_count = 0;  // what to store (never lowers a non-zero counter)
  std::uint8_t flags = 0;
  bool user_verified = false;
  bool backup_eligible = false;
  bool backup_state = false;
};

// The ids a caller needs to look up the stored credential before verify_assertion():
// credential id and, when present, userHandle. Only parses; verifies nothing.
struct AssertionIds {
  Bytes credential_id;
  std::optional<Bytes> user_handle;
};
Result<AssertionIds> peek_assertion(std::string_view response_json);

// Runs 7.2 steps 3-24 against `stored`. A signCount that does not increase while either
// value is non-zero is kPossibleClone (the credential should be flagged; 7.2 step 24).
Result<AssertionResult> verify_assertion(const AssertionExpectation& e,
                                         std::string_view response_json,
                                         const StoredCredential& stored);

}  // namespace kb::webauthn
