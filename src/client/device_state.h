// The device state file `keybridge signin` keeps between runs (docs/signin.md): who the
// device is, its keys, the PRT and what the last sign-in obtained.
//
// File format (version 1): one JSON object, at most 1 MiB, mode 0600, written atomically
// (temporary file, fsync, rename, fsync of the directory). Public members are plain JSON;
// secret members (device and transport keys as PKCS#8, PRT, session key, NT hash) are
// base64 AES-256-GCM blobs (crypto::MasterKey) under a per-device file key kept beside the
// state in "<state>.key" (0600), each bound by associated data to its member name and the
// device id, so a blob moved to another member or another device's file does not open.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"
#include "base/secret.h"
#include "crypto/master_key.h"
#include "crypto/pkey.h"

namespace kb::client {

enum class DeviceStateErrc {
  kBadFile = 500,  // not a well-formed version-1 state file (member named in the detail)
  kVersion,        // a version this program does not read
  kPermissions,    // the file or its key is readable by group/others or owned by another user
  kIo,             // cannot read, write, fsync or rename
  kIntegrity,      // a secret member does not decrypt under the file key
  kMissing,        // no state file yet
};
constexpr ErrorDomain error_domain(DeviceStateErrc) {
  return ErrorDomain::kClient;
}
std::string_view error_code_name(DeviceStateErrc e);

inline constexpr std::int64_t kDeviceStateVersion = 1;
inline constexpr std::size_t kMaxDeviceStateFile = 1 << 20;

// The cached TGT bound to the security key (CTAP 2.1 hmac-secret; docs/signin.md): an
// X25519 key pair whose public half seals each full TGT (so `refresh` can re-seal without
// the key) and whose private half is AES-256-GCM wrapped under K = HKDF-SHA-256 of the
// credential's hmac-secret output for DeviceState::hmac_salt.
struct KeyBinding {
  Bytes credential_id;        // the credential whose hmac-secret output makes K
  Bytes seal_public_key;      // 32 bytes (crypto::seal)
  Bytes wrapped_private_key;  // crypto::MasterKey blob under K (not under the file key)
};

struct DeviceState {
  std::string device_id;
  std::string tenant;
  std::string cloud_url;
  crypto::PrivateKey device_key;     // signs PRT requests
  crypto::PrivateKey transport_key;  // unwraps the session key (RSA-OAEP)
  Bytes device_certificate;          // DER, issued by the cloud at registration
  // The PRT and its session key; absent before the first sign-in.
  std::optional<SecretString> prt;
  std::optional<SecretBytes> session_key;
  std::optional<SysTime> prt_expiry;
  // The security-key credential of the last online sign-in, for cached sign-in offline.
  Bytes credential_id;
  Bytes credential_public_key;  // COSE_Key
  std::uint32_t sign_count = 0;
  std::optional<SysTime> partial_tgt_expiry;
  std::optional<SysTime> full_tgt_expiry;
  std::vector<std::string> dcs_answered;
  std::optional<SecretBytes> nt_hash;  // from KERB-KEY-LIST-REP, when --ntlm obtained it
  // Added for `keybridge signin` (optional members of version 1; absent in older files):
  std::string user;       // the UPN that signed in
  std::string realm;      // the Kerberos realm of the partial/full TGT
  std::string rp_id;      // WebAuthn relying party of the cloud, for cached sign-in
  std::string origin;     // WebAuthn origin the client used
  bool key_list = false;  // the last trade returned KERB-KEY-LIST-REP
  // The full TGT of the last trade (ticket and session key) as an MIT ccache (v4) image,
  // for cached sign-in; and the partial TGT the cloud issued, for a re-trade.
  std::optional<SecretBytes> full_tgt;
  std::optional<SecretBytes> partial_tgt;
  // Optional members for the key binding (version 1; absent in older files): the salt sent
  // with every assertion (32 bytes, not secret), the binding, and the full TGT sealed to
  // it, which replaces `full_tgt` while there is a binding (never both).
  Bytes hmac_salt;
  std::optional<KeyBinding> key_binding;
  std::optional<SecretBytes> full_tgt_sealed;  // crypto::seal() blob of the ccache image
};

// Serializes `s`, encrypting its secret members under `file_key`.
Result<Bytes> encode_device_state(const DeviceState& s, const crypto::MasterKey& file_key,
                                  Rng& rng);
// Strict reading: the exact member set of version 1 (unknown members are refused), types
// and sizes checked, the key binding all or nothing and never beside a clear full_tgt, secrets
// decrypted and the private keys re-imported (RSA/P-256 only).
Result<DeviceState> decode_device_state(ByteView file, const crypto::MasterKey& file_key);

// The file key path for a state path: "<state>.key".
std::filesystem::path device_key_path(const std::filesystem::path& state_path);

// Writes the state atomically with mode 0600; creates the file key on first save.
Result<void> save_device_state(const std::filesystem::path& path, const DeviceState& s, Rng& rng);
// Reads it back; kMissing when there is none, kPermissions when the file or its key is
// group/world-accessible or owned by someone else.
Result<DeviceState> load_device_state(const std::filesystem::path& path);

}  // namespace kb::client
