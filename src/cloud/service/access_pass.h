// Temporary access passes: 20 characters of the RFC 4648 §6 base32 alphabet (100 bits),
// shown once to the admin who issued them. The store keeps SHA-256 of the canonical form
// (upper-case, no separators), which is what access_pass_hash() computes from whatever
// the user typed, so "abcd-efgh ..." and "ABCDEFGH..." are the same pass.
#pragma once

#include <string_view>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/secret.h"

namespace kb::cloud {

inline constexpr std::size_t kAccessPassChars = 20;

// A fresh pass in canonical form.
SecretString new_access_pass(Rng& rng);
// SHA-256 of the canonical form of `typed`: ASCII upper-cased, '-' and ' ' removed.
Bytes access_pass_hash(std::string_view typed);

}  // namespace kb::cloud
