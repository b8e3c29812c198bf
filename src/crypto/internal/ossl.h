// OpenSSL plumbing for src/crypto: one library context holding the default and legacy
// providers, algorithm objects fetched once, and keyed MAC / cipher templates that the hot
// path duplicates instead of re-keying.
//
// Nothing here is public API; only src/crypto and its tests include this header.
#pragma once

#include <openssl/evp.h>
#include <openssl/types.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secret.h"
#include "crypto/crypto.h"

namespace kb::crypto::internal {

// An OpenSSL call failed: clears OpenSSL's error queue, PkeyErrc::kOpenssl "<what> failed".
Error ossl_fail(std::string_view what);
// The private library context of algorithms() (for the *_ex constructors).
Result<OSSL_LIB_CTX*> libctx();

// unique_ptr deleter calling an OpenSSL free function: std::unique_ptr<X509, Free<X509_free>>.
template <auto Fn>
struct Free {
  template <typename T>
  void operator()(T* p) const {
    Fn(p);
  }
};

// Process-wide, immutable after first use. Fetched from a private OSSL_LIB_CTX so that
// loading the legacy provider (RC4, MD4) never changes the process default.
struct Algorithms {
  OSSL_LIB_CTX* libctx = nullptr;
  EVP_CIPHER* aes128_cts = nullptr;
  EVP_CIPHER* aes256_cts = nullptr;
  EVP_CIPHER* aes128_ecb = nullptr;
  EVP_CIPHER* aes256_ecb = nullptr;
  EVP_CIPHER* aes128_cbc = nullptr;
  EVP_CIPHER* aes256_cbc = nullptr;
  EVP_MD* sha256 = nullptr;
  EVP_MAC* hmac = nullptr;
  EVP_MD* sha1 = nullptr;
  EVP_MD* md5 = nullptr;
  EVP_KDF* pbkdf2 = nullptr;
  EVP_KDF* kbkdf = nullptr;
  // From the legacy provider; null when it cannot be loaded (legacy_error says why).
  EVP_CIPHER* rc4 = nullptr;
  EVP_MD* md4 = nullptr;
  // HMAC contexts with the digest already set (keyed with a dummy key): MacKey::create
  // duplicates one and re-keys it, which skips the digest lookup by name.
  EVP_MAC_CTX* hmac_sha1 = nullptr;
  EVP_MAC_CTX* hmac_sha256 = nullptr;
  EVP_MAC_CTX* hmac_sha384 = nullptr;
  EVP_MAC_CTX* hmac_md5 = nullptr;
  std::string init_error;
  std::string legacy_error;
};

// The fetched algorithms, or kOpenssl if the default provider is unusable.
Result<const Algorithms*> algorithms();
// Same, but also requires RC4 and MD4 (legacy provider); kOpenssl with a clear message if
// the legacy provider is not installed.
Result<const Algorithms*> legacy_algorithms();

Error openssl_error(std::string_view what);

// Digest names as OpenSSL spells them.
inline constexpr const char* kSha1 = "SHA1";
inline constexpr const char* kSha256 = "SHA2-256";
inline constexpr const char* kSha384 = "SHA2-384";
inline constexpr const char* kMd5 = "MD5";

// A small set of reusable OpenSSL contexts for one key. Each slot's context is created on
// first use (keyed from the key bytes) and afterwards only reset between uses, which is a
// state copy instead of a context duplication and free per operation. A caller takes a
// free slot with one atomic exchange; the slot count bounds the contexts per key, and
// when every slot is busy (more threads than slots on one shared key) the operation runs
// on a one-off context. Slots are only touched by the thread that holds them.
template <typename Ctx>
struct CtxSlot {
  std::atomic<bool> busy{false};
  Ctx* ctx = nullptr;
  bool fresh = false;  // keyed and not used since: no reset needed
};
inline constexpr std::size_t kCtxSlots = 4;

// A keyed HMAC. compute() may run concurrently from several threads.
class MacKey {
 public:
  MacKey() = default;
  ~MacKey();
  MacKey(MacKey&& o) noexcept;
  MacKey& operator=(MacKey&& o) noexcept;
  MacKey(const MacKey&) = delete;
  MacKey& operator=(const MacKey&) = delete;

  // Checks the digest; the contexts are keyed on first use.
  static Result<MacKey> create(const char* digest, ByteView key);
  // Full-length HMAC of the concatenation of `parts` into `out` (out.size() <= mac length;
  // the MAC is truncated to out.size()).
  Result<void> compute(std::initializer_list<ByteView> parts, MutableByteView out) const;
  [[nodiscard]] std::size_t mac_length() const { return out_len_; }

 private:
  void release();
  Result<EVP_MAC_CTX*> keyed_context() const;
  static Result<void> run(EVP_MAC_CTX* c, std::initializer_list<ByteView> parts,
                          MutableByteView out);
  const EVP_MAC_CTX* tmpl_ = nullptr;  // the process-wide digest template (not owned)
  SecretBytes key_;
  std::size_t out_len_ = 0;
  mutable std::array<CtxSlot<EVP_MAC_CTX>, kCtxSlots> slots_{};
};

// One-shot HMAC (keys that are not cached: rc4-hmac, PRF).
Result<void> hmac(const char* digest, ByteView key, std::initializer_list<ByteView> parts,
                  MutableByteView out);
// One-shot digest.
Result<void> digest(const EVP_MD* md, std::initializer_list<ByteView> parts, MutableByteView out);

// An AES-CBC-CTS (CS3) key. The encrypt and decrypt contexts (key schedule, CTS mode) are
// built on first use of each direction and then reused (CtxSlot), so a key used only to
// decrypt never schedules the encryption key. Calls may run concurrently.
class CtsKey {
 public:
  CtsKey() = default;
  ~CtsKey();
  CtsKey(CtsKey&& o) noexcept;
  CtsKey& operator=(CtsKey&& o) noexcept;
  CtsKey(const CtsKey&) = delete;
  CtsKey& operator=(const CtsKey&) = delete;

  // `key` is 16 or 32 bytes.
  static Result<CtsKey> create(ByteView key);
  // RFC 3962 §5 CTS with IV 0 (or `iv`, 16 bytes, when given). in.size() >= 16;
  // out.size() == in.size().
  Result<void> encrypt(ByteView in, MutableByteView out, ByteView iv = {}) const;
  Result<void> decrypt(ByteView in, MutableByteView out, ByteView iv = {}) const;

 private:
  using Slots = std::array<CtxSlot<EVP_CIPHER_CTX>, kCtxSlots>;
  void release();
  Result<EVP_CIPHER_CTX*> keyed_context(int enc) const;
  Result<void> run(Slots& slots, int enc, ByteView in, MutableByteView out, ByteView iv) const;
  const EVP_CIPHER* cipher_ = nullptr;  // fetched once per process (not owned)
  SecretBytes key_;
  mutable Slots enc_{};
  mutable Slots dec_{};
};

// AES-ECB of whole blocks (in.size() % 16 == 0), for the RFC 3961 PRF.
Result<void> aes_ecb_encrypt(ByteView key, ByteView in, MutableByteView out);
// AES-CBC with a zero IV over whole blocks (in.size() % 16 == 0): RFC 3961 DR in one call,
// since with P2.. = 0 each ciphertext block is E(previous block).
Result<void> aes_cbc_encrypt(ByteView key, ByteView in, MutableByteView out);

// PBKDF2-HMAC-<digest>(password, salt, iterations) into `out`.
Result<void> pbkdf2(const char* digest, ByteView password, ByteView salt, std::uint32_t iterations,
                    MutableByteView out);
// SP 800-108 counter-mode HMAC KDF: out = first out.size() bytes of
// HMAC(key, 00000001 | label | 00 | context | L) with L = out.size()*8 (RFC 8009 §3).
Result<void> kbkdf_hmac(const char* digest, ByteView key, ByteView label, ByteView context,
                        MutableByteView out);

}  // namespace kb::crypto::internal
