#include "crypto/symmetric.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <climits>
#include <memory>

#include "crypto/crypto.h"
#include "crypto/internal/ossl.h"

namespace kb::crypto {

namespace {

using internal::ossl_fail;

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

constexpr std::size_t kAes256KeySize = 32;
// Bound on any single symmetric operation's input, so int conversions for EVP are safe.
constexpr std::size_t kMaxInput = std::size_t{1} << 30;

int as_int(std::size_t n) {
  return static_cast<int>(n);
}

// Ciphers fetched once from the private library context.
struct Ciphers {
  EVP_CIPHER* gcm = nullptr;
  EVP_CIPHER* cbc = nullptr;
};
Result<const Ciphers*> ciphers() {
  static const Ciphers c = [] {
    Ciphers r;
    auto a = internal::algorithms();
    if (!a) return r;
    r.gcm = EVP_CIPHER_fetch((*a)->libctx, "AES-256-GCM", nullptr);
    r.cbc = EVP_CIPHER_fetch((*a)->libctx, "AES-256-CBC", nullptr);
    ERR_clear_error();
    return r;
  }();
  if (c.gcm == nullptr || c.cbc == nullptr) {
    return Error(PkeyErrc::kOpenssl, "AES-256-GCM or AES-256-CBC unavailable");
  }
  return &c;
}

Result<void> check_sizes(const SecretBytes& key, ByteView iv, std::size_t iv_size, ByteView in) {
  if (key.size() != kAes256KeySize) return Error(PkeyErrc::kBadLength, "AES-256 key not 32 bytes");
  if (iv.size() != iv_size) return Error(PkeyErrc::kBadLength, "wrong IV length");
  if (in.size() > kMaxInput) return Error(PkeyErrc::kBadLength, "input too large");
  return kb::ok();
}

}  // namespace

Result<SecretBytes> kbkdf_hmac_sha256(ByteView key, ByteView label, ByteView context,
                                      std::size_t out_len) {
  if (key.empty()) return Error(PkeyErrc::kBadLength, "empty KDF key");
  if (out_len == 0 || out_len > 1024) return Error(PkeyErrc::kBadLength, "KDF output length");
  SecretBytes out(out_len);
  auto r = internal::kbkdf_hmac(internal::kSha256, key, label, context, out.reveal_mutable());
  if (!r) return ossl_fail("KBKDF");
  return out;
}

Result<SecretBytes> oapxbc_derive_key(const SecretBytes& session_key, ByteView ctx) {
  // MS-OAPXBC 3.1.5.2.1.3: SP 800-108 counter mode, HMAC-SHA256, label
  // "AzureAD-SecureConversation", context = ctx, 256-bit output.
  return kbkdf_hmac_sha256(session_key.reveal(), as_bytes(kOapxbcKdfLabel), ctx, 32);
}

Result<SecretBytes> oapxbc_derive_key_v2(const SecretBytes& session_key, ByteView ctx,
                                         ByteView payload) {
  const internal::Algorithms* a = KB_TRY(internal::algorithms());
  EVP_MD* sha256 = EVP_MD_fetch(a->libctx, internal::kSha256, nullptr);
  if (sha256 == nullptr) return ossl_fail("SHA-256 fetch");
  std::array<std::uint8_t, 32> context{};
  auto r = internal::digest(sha256, {ctx, payload}, context);
  EVP_MD_free(sha256);
  if (!r) return ossl_fail("SHA-256");
  return kbkdf_hmac_sha256(session_key.reveal(), as_bytes(kOapxbcKdfLabel), context, 32);
}

Result<GcmSealed> aes256_gcm_encrypt(const SecretBytes& key, ByteView iv, ByteView aad,
                                     ByteView plaintext) {
  KB_CHECK(check_sizes(key, iv, kGcmIvSize, plaintext));
  if (aad.size() > kMaxInput) return Error(PkeyErrc::kBadLength, "AAD too large");
  const Ciphers* c = KB_TRY(ciphers());
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  GcmSealed out;
  out.ciphertext.resize(plaintext.size());
  out.tag.resize(kGcmTagSize);
  int len = 0;
  int fin = 0;
  if (!ctx ||
      EVP_EncryptInit_ex2(ctx.get(), c->gcm, key.reveal().data(), iv.data(), nullptr) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), as_int(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out.ciphertext.data(), &len, plaintext.data(),
                        as_int(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out.ciphertext.data() + len, &fin) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, as_int(kGcmTagSize), out.tag.data()) !=
          1) {
    return ossl_fail("AES-256-GCM encrypt");
  }
  return out;
}

Result<SecretBytes> aes256_gcm_decrypt(const SecretBytes& key, ByteView iv, ByteView aad,
                                       ByteView ciphertext, ByteView tag) {
  KB_CHECK(check_sizes(key, iv, kGcmIvSize, ciphertext));
  if (tag.size() != kGcmTagSize) return Error(PkeyErrc::kBadLength, "GCM tag not 16 bytes");
  if (aad.size() > kMaxInput) return Error(PkeyErrc::kBadLength, "AAD too large");
  const Ciphers* c = KB_TRY(ciphers());
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  SecretBytes out(ciphertext.size());
  int len = 0;
  if (!ctx ||
      EVP_DecryptInit_ex2(ctx.get(), c->gcm, key.reveal().data(), iv.data(), nullptr) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), as_int(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), out.reveal_mutable().data(), &len, ciphertext.data(),
                        as_int(ciphertext.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, as_int(kGcmTagSize),
                          const_cast<std::uint8_t*>(tag.data())) != 1) {
    return ossl_fail("AES-256-GCM decrypt");
  }
  int fin = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), out.reveal_mutable().data() + len, &fin) != 1) {
    ERR_clear_error();
    return Error(PkeyErrc::kIntegrity, "AES-256-GCM tag mismatch");
  }
  return out;
}

Result<Bytes> aes256_cbc_encrypt(const SecretBytes& key, ByteView iv, ByteView plaintext) {
  KB_CHECK(check_sizes(key, iv, kAesBlock, plaintext));
  const Ciphers* c = KB_TRY(ciphers());
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  Bytes out(plaintext.size() + kAesBlock);
  int len = 0;
  int fin = 0;
  if (!ctx ||
      EVP_EncryptInit_ex2(ctx.get(), c->cbc, key.reveal().data(), iv.data(), nullptr) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out.data(), &len, plaintext.data(), as_int(plaintext.size())) !=
          1 ||
      EVP_EncryptFinal_ex(ctx.get(), out.data() + len, &fin) != 1) {
    return ossl_fail("AES-256-CBC encrypt");
  }
  out.resize(static_cast<std::size_t>(len + fin));
  return out;
}

Result<SecretBytes> aes256_cbc_decrypt(const SecretBytes& key, ByteView iv, ByteView ciphertext) {
  KB_CHECK(check_sizes(key, iv, kAesBlock, ciphertext));
  if (ciphertext.empty() || ciphertext.size() % kAesBlock != 0) {
    return Error(PkeyErrc::kBadLength, "CBC ciphertext not whole blocks");
  }
  const Ciphers* c = KB_TRY(ciphers());
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  SecretBytes out(ciphertext.size());
  int len = 0;
  if (!ctx ||
      EVP_DecryptInit_ex2(ctx.get(), c->cbc, key.reveal().data(), iv.data(), nullptr) != 1 ||
      EVP_DecryptUpdate(ctx.get(), out.reveal_mutable().data(), &len, ciphertext.data(),
                        as_int(ciphertext.size())) != 1) {
    return ossl_fail("AES-256-CBC decrypt");
  }
  int fin = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), out.reveal_mutable().data() + len, &fin) != 1) {
    ERR_clear_error();
    return Error(PkeyErrc::kIntegrity, "bad CBC padding");
  }
  out.truncate(static_cast<std::size_t>(len + fin));
  return out;
}

Result<Bytes> hmac_sha256(ByteView key, ByteView data) {
  Bytes out(32);
  auto r = internal::hmac(internal::kSha256, key, {data}, out);
  if (!r) return ossl_fail("HMAC-SHA256");
  return out;
}

}  // namespace kb::crypto
