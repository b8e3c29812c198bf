#include "crypto/seal.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <array>
#include <memory>

#include "crypto/internal/ossl.h"
#include "crypto/symmetric.h"

namespace kb::crypto {
namespace {

using internal::ossl_fail;

constexpr std::string_view kSealInfo = "keybridge seal v1";
constexpr std::size_t kHkdfMaxOut = 255 * 32;  // RFC 5869 2.3: L <= 255 * HashLen

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

Result<Pkey> x25519_private(ByteView raw) {
  if (raw.size() != kX25519KeySize) return Error(PkeyErrc::kBadLength, "X25519 key not 32 bytes");
  const internal::Algorithms* a = KB_TRY(internal::algorithms());
  Pkey k(EVP_PKEY_new_raw_private_key_ex(a->libctx, "X25519", nullptr, raw.data(), raw.size()));
  if (!k) return ossl_fail("X25519 private key import");
  return k;
}

Result<Pkey> x25519_public(ByteView raw) {
  if (raw.size() != kX25519KeySize) return Error(PkeyErrc::kBadKey, "X25519 key not 32 bytes");
  const internal::Algorithms* a = KB_TRY(internal::algorithms());
  Pkey k(EVP_PKEY_new_raw_public_key_ex(a->libctx, "X25519", nullptr, raw.data(), raw.size()));
  if (!k) return Error(PkeyErrc::kBadKey, "X25519 public key import failed");
  return k;
}

Result<Bytes> raw_public(EVP_PKEY* k) {
  Bytes out(kX25519KeySize);
  std::size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(k, out.data(), &len) != 1 || len != kX25519KeySize) {
    return ossl_fail("X25519 public key export");
  }
  return out;
}

// RFC 7748 6.1: the shared secret; an all-zero result (low-order peer point) is refused.
Result<SecretBytes> x25519(EVP_PKEY* priv, EVP_PKEY* peer) {
  const internal::Algorithms* a = KB_TRY(internal::algorithms());
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(a->libctx, priv, nullptr));
  std::size_t len = kX25519KeySize;
  SecretBytes shared(kX25519KeySize);
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer) != 1 ||
      EVP_PKEY_derive(ctx.get(), shared.reveal_mutable().data(), &len) != 1 ||
      len != kX25519KeySize) {
    ERR_clear_error();
    return Error(PkeyErrc::kBadKey, "X25519 key agreement failed");
  }
  std::uint8_t acc = 0;
  for (auto b : shared.reveal()) acc = static_cast<std::uint8_t>(acc | b);
  if (acc == 0) return Error(PkeyErrc::kBadKey, "X25519 low-order public key");
  return shared;
}

Result<SecretBytes> seal_key(const SecretBytes& shared, ByteView eph_pub, ByteView rcpt_pub) {
  Bytes salt = to_bytes(eph_pub);
  append(salt, rcpt_pub);
  return hkdf_sha256(shared.reveal(), salt, as_bytes(kSealInfo), 32);
}

}  // namespace

Result<SecretBytes> hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t out_len) {
  if (out_len == 0 || out_len > kHkdfMaxOut) return Error(PkeyErrc::kBadLength, "HKDF length");
  const internal::Algorithms* a = KB_TRY(internal::algorithms());
  EVP_KDF* kdf = EVP_KDF_fetch(a->libctx, "HKDF", nullptr);
  if (kdf == nullptr) return ossl_fail("HKDF fetch");
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  if (ctx == nullptr) return ossl_fail("HKDF context");
  // RFC 5869 2.2: an absent salt is HashLen zero bytes.
  std::array<std::uint8_t, 32> zero_salt{};
  ByteView s = salt.empty() ? ByteView(zero_salt) : salt;
  char digest[] = "SHA2-256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(ikm.data()),
                                        ikm.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<std::uint8_t*>(s.data()),
                                        s.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<std::uint8_t*>(info.data()),
                                        info.size()),
      OSSL_PARAM_construct_end()};
  SecretBytes out(out_len);
  int rc = EVP_KDF_derive(ctx, out.reveal_mutable().data(), out_len, params);
  EVP_KDF_CTX_free(ctx);
  if (rc != 1) return ossl_fail("HKDF");
  return out;
}

Result<SealKeyPair> generate_seal_key(Rng& rng) {
  SealKeyPair kp;
  kp.private_key = SecretBytes(kX25519KeySize);
  rng.fill(kp.private_key.reveal_mutable());
  kp.public_key = KB_TRY(seal_public_key(kp.private_key));
  return kp;
}

Result<Bytes> seal_public_key(const SecretBytes& private_key) {
  Pkey k = KB_TRY(x25519_private(private_key.reveal()));
  return raw_public(k.get());
}

Result<Bytes> seal(ByteView recipient_public, ByteView plaintext, ByteView aad, Rng& rng) {
  Pkey peer = KB_TRY(x25519_public(recipient_public));
  SealKeyPair eph = KB_TRY(generate_seal_key(rng));
  Pkey eph_key = KB_TRY(x25519_private(eph.private_key.reveal()));
  SecretBytes shared = KB_TRY(x25519(eph_key.get(), peer.get()));
  SecretBytes key = KB_TRY(seal_key(shared, eph.public_key, recipient_public));
  Bytes nonce(kGcmIvSize);
  rng.fill(nonce);
  GcmSealed box = KB_TRY(aes256_gcm_encrypt(key, nonce, aad, plaintext));
  Bytes out{kSealVersion};
  append(out, eph.public_key);
  append(out, nonce);
  append(out, box.ciphertext);
  append(out, box.tag);
  return out;
}

Result<SecretBytes> open_sealed(const SecretBytes& recipient_private, ByteView blob, ByteView aad) {
  if (blob.size() < kSealOverhead || blob[0] != kSealVersion) {
    return Error(PkeyErrc::kBadLength, "not a version-1 sealed blob");
  }
  ByteView eph_pub = blob.subspan(1, kX25519KeySize);
  ByteView nonce = blob.subspan(1 + kX25519KeySize, kGcmIvSize);
  ByteView body = blob.subspan(1 + kX25519KeySize + kGcmIvSize);
  ByteView ciphertext = body.first(body.size() - kGcmTagSize);
  ByteView tag = body.last(kGcmTagSize);
  Pkey priv = KB_TRY(x25519_private(recipient_private.reveal()));
  Bytes my_pub = KB_TRY(raw_public(priv.get()));
  Pkey peer = KB_TRY(x25519_public(eph_pub));
  auto shared = x25519(priv.get(), peer.get());
  // A changed ephemeral key may be a low-order point: that is tampering, not a bad key.
  if (!shared) return Error(PkeyErrc::kIntegrity, "sealed blob does not open");
  SecretBytes key = KB_TRY(seal_key(*shared, eph_pub, my_pub));
  return aes256_gcm_decrypt(key, nonce, aad, ciphertext, tag);
}

}  // namespace kb::crypto
