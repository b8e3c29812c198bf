// The cached TGT bound to the security key (issue 7; docs/signin.md "Cached TGT bound to the
// security key", DESIGN): the hmac-secret output of the cached credential for the state's
// salt yields K = HKDF-SHA-256(output, info "keybridge cached sign-in v1"); K wraps the
// private half of an X25519 key pair; full TGTs are sealed to its public half. Without the
// key (and its PIN: sign-in asks for UV, so CredRandomWithUV is used) the sealed TGT does
// not open, even with the state file and its file key.
#pragma once

#include <optional>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secret.h"
#include "client/device_state.h"

namespace kb::client {

inline constexpr std::string_view kKeyBindingInfo = "keybridge cached sign-in v1";

// The salt sent with every assertion: generated (32 random bytes) when the state has none.
void ensure_hmac_salt(DeviceState& s, Rng& rng);

// After an online sign-in that the cloud accepted, made with `credential_id`: when it is the
// cached credential and `output` (its hmac-secret output for s.hmac_salt) came back, a fresh
// key pair is bound to it and a cached full TGT is re-sealed to it (a sealed one is opened
// with the old binding first; one that does not open is dropped). Otherwise the binding and
// any sealed TGT are dropped and full TGTs are kept under the file key alone, as for a key
// without hmac-secret.
Result<void> bind_cached_tgt(DeviceState& s, ByteView credential_id,
                             const std::optional<SecretBytes>& output, Rng& rng);

// Keeps a newly traded full TGT (ccache image): sealed when the state is bound (needs no
// security key), else in `full_tgt` under the file key.
Result<void> keep_full_tgt(DeviceState& s, SecretBytes image, Rng& rng);

// The cached full TGT image. Bound: `output` must be the cached credential's hmac-secret
// output; a missing or wrong output, or a changed blob, is SigninErrc::kCachedKeyRefused.
// Unbound: the clear `full_tgt`. None cached: kCachedUnavailable.
Result<SecretBytes> open_cached_tgt(const DeviceState& s, const std::optional<SecretBytes>& output);

// Whether the cached full TGT is sealed to the security key (for `signin status`).
bool cached_tgt_bound(const DeviceState& s);

}  // namespace kb::client
