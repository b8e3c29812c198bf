// Authenticator data (WebAuthn 6.1) and attested credential data (6.5.1).
//
//   rpIdHash[32] | flags[1] | signCount u32be | [attestedCredentialData] | [extensions]
//   attestedCredentialData = aaguid[16] | credentialIdLength u16be | credentialId |
//                            credentialPublicKey (COSE_Key)
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/result.h"
#include "webauthn/cbor.h"
#include "webauthn/cose.h"

namespace kb::webauthn {

using Aaguid = std::array<std::uint8_t, 16>;

// WebAuthn 6.1 flag bits.
inline constexpr std::uint8_t kFlagUp = 0x01;
inline constexpr std::uint8_t kFlagUv = 0x04;
inline constexpr std::uint8_t kFlagBe = 0x08;
inline constexpr std::uint8_t kFlagBs = 0x10;
inline constexpr std::uint8_t kFlagAt = 0x40;
inline constexpr std::uint8_t kFlagEd = 0x80;

inline constexpr std::size_t kMaxCredentialIdLength = 1023;  // WebAuthn 6.5.1 / 7.1 step 23

struct AttestedCredentialData {
  Aaguid aaguid{};
  Bytes credential_id;
  CoseKey public_key;
};

struct AuthenticatorData {
  Bytes raw;  // exactly as received: signatures cover these bytes
  std::array<std::uint8_t, 32> rp_id_hash{};
  std::uint8_t flags = 0;
  std::uint32_t sign_count = 0;
  std::optional<AttestedCredentialData> attested;
  std::optional<cbor::Value> extensions;  // a CBOR map when ED is set

  [[nodiscard]] bool up() const { return (flags & kFlagUp) != 0; }
  [[nodiscard]] bool uv() const { return (flags & kFlagUv) != 0; }
  [[nodiscard]] bool be() const { return (flags & kFlagBe) != 0; }
  [[nodiscard]] bool bs() const { return (flags & kFlagBs) != 0; }
  [[nodiscard]] bool at() const { return (flags & kFlagAt) != 0; }
  [[nodiscard]] bool ed() const { return (flags & kFlagEd) != 0; }
};

// Strict: AT/ED must agree with what follows the counter, nothing may trail, the credential
// id is at most 1023 bytes (kCredentialIdTooLong), the COSE key parses (kBadCoseKey /
// kUnsupportedAlgorithm), extensions are a canonical CBOR map of at most 2 KiB, 64 items.
// Other failures: kBadAuthenticatorData, kBadExtensions.
Result<AuthenticatorData> parse_authenticator_data(ByteView in);

// Builds authenticator data (software authenticator). `cose_key` and `credential_id` are
// used when flags has AT; `extensions` (an encoded CBOR map) when it has ED.
Bytes build_authenticator_data(ByteView rp_id_hash, std::uint8_t flags, std::uint32_t sign_count,
                               const Aaguid& aaguid, ByteView credential_id, ByteView cose_key,
                               ByteView extensions);

}  // namespace kb::webauthn
