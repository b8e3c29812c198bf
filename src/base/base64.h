// Base64 (RFC 4648 section 4) and base64url (section 5) for wire formats: JSON fields,
// JOSE segments, WebAuthn's binary members, PEM bodies.
#pragma once

#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace kb {

// Standard alphabet with '=' padding.
std::string base64_encode(ByteView b);
// Strict: standard alphabet, padding required to a multiple of 4, no whitespace, and the
// unused low bits of the last symbol must be zero (so every byte string has exactly one
// accepted encoding). BaseErrc::kBadBase64 otherwise.
Result<Bytes> base64_decode(std::string_view s);

// URL-safe alphabet without padding (RFC 7515 section 2 "Base64url Encoding").
std::string base64url_encode(ByteView b);
// Strict: URL-safe alphabet, no padding, no whitespace, length mod 4 != 1, zero unused bits.
Result<Bytes> base64url_decode(std::string_view s);

}  // namespace kb
