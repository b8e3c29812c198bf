// Keys at rest: every stored Kerberos key is wrapped under a master key with
// AES-256-GCM, bound by associated data to what it belongs to (account, kvno, enctype), so
// a wrapped blob copied onto another record does not unwrap.
//
// Blob layout (version 1): 0x01 | nonce (12 random bytes) | ciphertext | tag (16).
// The master key lives in a stash file (like MIT's kdb5_util stash): mode 0600,
// "KBMK" | version 0x01 | 32 key bytes.
#pragma once

#include <filesystem>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"
#include "base/secret.h"
#include "crypto/crypto.h"

namespace kb::crypto {

class MasterKey {
 public:
  static constexpr std::size_t kKeySize = 32;

  static MasterKey generate(Rng& rng);
  static Result<MasterKey> from_bytes(ByteView key);

  // Creates a new stash file (refusing to overwrite one) with mode 0600.
  static Result<MasterKey> create_stash(const std::filesystem::path& path, Rng& rng);
  // Reads a stash file; refuses one readable by group or others.
  static Result<MasterKey> load_stash(const std::filesystem::path& path);

  [[nodiscard]] Result<Bytes> wrap(ByteView secret, ByteView associated_data, Rng& rng) const;
  // kIntegrity when the blob was changed, belongs to other associated data, or was made
  // under another master key.
  [[nodiscard]] Result<SecretBytes> unwrap(ByteView blob, ByteView associated_data) const;

  // A 32-byte key for another purpose (e.g. MACing the web page's session tokens),
  // derived with SP 800-108 counter mode HMAC-SHA256 (symmetric.h) under a label naming
  // the purpose and a context naming its scope, so the master key itself never signs.
  [[nodiscard]] Result<SecretBytes> derive_key(std::string_view label, ByteView context) const;

 private:
  explicit MasterKey(SecretBytes k) : key_(std::move(k)) {}
  SecretBytes key_;
};

// Associated data binding a wrapped Kerberos key to its owner.
Bytes key_binding(std::string_view owner, std::uint32_t kvno, std::int32_t enctype);

}  // namespace kb::crypto
