// The authenticator side of CTAP 2.1 6.5 authenticatorClientPIN, PIN/UV auth protocols one
// and two (6.5.6, 6.5.7), on OpenSSL: the test CTAP device (ctap_device.h) uses it so that
// libfido2's platform side of the protocol runs for real.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secret.h"
#include "webauthn/cbor.h"

namespace kb::testing {

class PinProtocol {
 public:
  // version: 1 or 2. Generates the key-agreement key (6.5.6 initialize()).
  explicit PinProtocol(std::uint8_t version);
  ~PinProtocol();
  PinProtocol(const PinProtocol&) = delete;
  PinProtocol& operator=(const PinProtocol&) = delete;

  [[nodiscard]] std::uint8_t version() const { return version_; }
  // 6.5.6 regenerate(): a new key-agreement key pair.
  void regenerate();
  // getPublicKey(): the COSE_Key {1: 2, 3: -25, -1: 1, -2: x, -3: y} (6.5.6).
  [[nodiscard]] webauthn::cbor::Value public_key() const;
  // decapsulate(peerCoseKey): ECDH with the platform's key, then kdf (protocol one:
  // SHA-256(Z.x); two: HKDF-SHA-256 "CTAP2 HMAC key" || "CTAP2 AES key"). Empty on a
  // malformed or off-curve key.
  [[nodiscard]] std::optional<SecretBytes> decapsulate(const webauthn::cbor::Value& peer) const;
  // decrypt(sharedSecret, ciphertext): AES-256-CBC, IV zero (one) or the first 16 bytes (two).
  [[nodiscard]] std::optional<SecretBytes> decrypt(const SecretBytes& shared, ByteView ct) const;
  // encrypt(sharedSecret, plaintext), plaintext a multiple of 16 bytes.
  [[nodiscard]] Bytes encrypt(const SecretBytes& shared, ByteView pt) const;
  // verify(key, message, signature) with a pinUvAuthToken as key: HMAC-SHA-256, the first 16
  // bytes (one) or all 32 (two), compared in constant time.
  [[nodiscard]] bool verify_with_token(ByteView token, ByteView message, ByteView signature) const;

 private:
  struct Key;
  std::uint8_t version_;
  std::unique_ptr<Key> key_;
};

// SHA-256 and HMAC-SHA-256 for the device.
Bytes sha256_bytes(ByteView in);
Bytes hmac_sha256(ByteView key, ByteView msg);
void random_bytes(MutableByteView out);

}  // namespace kb::testing
