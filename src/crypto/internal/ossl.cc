#include "crypto/internal/ossl.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

namespace kb::crypto::internal {
namespace {

OSSL_PARAM digest_param(const char* digest) {
  return OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest), 0);
}

// Owns the library context for the life of the process. Destroyed at exit before
// OpenSSL's own atexit cleanup, since OpenSSL registers that during our construction.
class Registry {
 public:
  Registry() { init(); }
  ~Registry() {
    EVP_CIPHER_free(a_.aes128_cts);
    EVP_CIPHER_free(a_.aes256_cts);
    EVP_CIPHER_free(a_.aes128_ecb);
    EVP_CIPHER_free(a_.aes256_ecb);
    EVP_CIPHER_free(a_.rc4);
    EVP_MAC_free(a_.hmac);
    EVP_MD_free(a_.sha1);
    EVP_MD_free(a_.md5);
    EVP_MD_free(a_.md4);
    EVP_KDF_free(a_.pbkdf2);
    EVP_KDF_free(a_.kbkdf);
    EVP_MAC_CTX_free(a_.hmac_sha1);
    EVP_MAC_CTX_free(a_.hmac_sha256);
    EVP_MAC_CTX_free(a_.hmac_sha384);
    EVP_MAC_CTX_free(a_.hmac_md5);
    if (legacy_ != nullptr) OSSL_PROVIDER_unload(legacy_);
    if (default_ != nullptr) OSSL_PROVIDER_unload(default_);
    OSSL_LIB_CTX_free(a_.libctx);
  }
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  [[nodiscard]] const Algorithms& get() const { return a_; }

 private:
  void init() {
    a_.libctx = OSSL_LIB_CTX_new();
    if (a_.libctx == nullptr) {
      a_.init_error = "OSSL_LIB_CTX_new failed";
      return;
    }
    default_ = OSSL_PROVIDER_load(a_.libctx, "default");
    if (default_ == nullptr) {
      a_.init_error = "cannot load the OpenSSL default provider";
      ERR_clear_error();
      return;
    }
    a_.aes128_cts = EVP_CIPHER_fetch(a_.libctx, "AES-128-CBC-CTS", nullptr);
    a_.aes256_cts = EVP_CIPHER_fetch(a_.libctx, "AES-256-CBC-CTS", nullptr);
    a_.aes128_ecb = EVP_CIPHER_fetch(a_.libctx, "AES-128-ECB", nullptr);
    a_.aes256_ecb = EVP_CIPHER_fetch(a_.libctx, "AES-256-ECB", nullptr);
    a_.hmac = EVP_MAC_fetch(a_.libctx, "HMAC", nullptr);
    a_.sha1 = EVP_MD_fetch(a_.libctx, kSha1, nullptr);
    a_.md5 = EVP_MD_fetch(a_.libctx, kMd5, nullptr);
    a_.pbkdf2 = EVP_KDF_fetch(a_.libctx, "PBKDF2", nullptr);
    a_.kbkdf = EVP_KDF_fetch(a_.libctx, "KBKDF", nullptr);
    if (!a_.aes128_cts || !a_.aes256_cts || !a_.aes128_ecb || !a_.aes256_ecb || !a_.hmac ||
        !a_.sha1 || !a_.md5 || !a_.pbkdf2 || !a_.kbkdf) {
      a_.init_error = "the OpenSSL default provider lacks AES-CBC-CTS, HMAC, PBKDF2 or KBKDF";
      ERR_clear_error();
      return;
    }
    a_.hmac_sha1 = hmac_template(kSha1);
    a_.hmac_sha256 = hmac_template(kSha256);
    a_.hmac_sha384 = hmac_template(kSha384);
    a_.hmac_md5 = hmac_template(kMd5);
    if (!a_.hmac_sha1 || !a_.hmac_sha256 || !a_.hmac_sha384 || !a_.hmac_md5) {
      a_.init_error = "the OpenSSL default provider lacks HMAC with SHA-1, SHA-2 or MD5";
      ERR_clear_error();
      return;
    }
    // RFC 4757 needs RC4 and MD4, which OpenSSL 3 ships only in the legacy provider.
    legacy_ = OSSL_PROVIDER_load(a_.libctx, "legacy");
    if (legacy_ == nullptr) {
      a_.legacy_error = "rc4-hmac unavailable: cannot load the OpenSSL legacy provider (legacy.so)";
      ERR_clear_error();
      return;
    }
    a_.rc4 = EVP_CIPHER_fetch(a_.libctx, "RC4", nullptr);
    a_.md4 = EVP_MD_fetch(a_.libctx, "MD4", nullptr);
    if (a_.rc4 == nullptr || a_.md4 == nullptr) {
      a_.legacy_error = "rc4-hmac unavailable: the OpenSSL legacy provider lacks RC4 or MD4";
      ERR_clear_error();
    }
  }

  EVP_MAC_CTX* hmac_template(const char* digest) {
    EVP_MAC_CTX* c = EVP_MAC_CTX_new(a_.hmac);
    if (c == nullptr) return nullptr;
    static const std::uint8_t kDummy = 0;
    std::array<OSSL_PARAM, 2> params = {digest_param(digest), OSSL_PARAM_construct_end()};
    if (EVP_MAC_init(c, &kDummy, 1, params.data()) != 1) {
      EVP_MAC_CTX_free(c);
      return nullptr;
    }
    return c;
  }

  Algorithms a_;
  OSSL_PROVIDER* default_ = nullptr;
  OSSL_PROVIDER* legacy_ = nullptr;
};

const Registry& registry() {
  static const Registry r;
  return r;
}

const EVP_MAC_CTX* hmac_template(const Algorithms& a, const char* digest) {
  if (std::strcmp(digest, kSha1) == 0) return a.hmac_sha1;
  if (std::strcmp(digest, kSha256) == 0) return a.hmac_sha256;
  if (std::strcmp(digest, kSha384) == 0) return a.hmac_sha384;
  if (std::strcmp(digest, kMd5) == 0) return a.hmac_md5;
  return nullptr;
}

}  // namespace

Error openssl_error(std::string_view what) {
  ERR_clear_error();  // OpenSSL's queue may name key-dependent state; keep it out of logs.
  return Error(Errc::kOpenssl, std::string(what) + " failed");
}

Result<const Algorithms*> algorithms() {
  const Algorithms& a = registry().get();
  if (!a.init_error.empty()) return Error(Errc::kOpenssl, a.init_error);
  return &a;
}

Result<const Algorithms*> legacy_algorithms() {
  const Algorithms* a = KB_TRY(algorithms());
  if (!a->legacy_error.empty()) return Error(Errc::kOpenssl, a->legacy_error);
  return a;
}

// ---- MacKey -------------------------------------------------------------------------

MacKey::~MacKey() {
  EVP_MAC_CTX_free(ctx_);
}

MacKey& MacKey::operator=(MacKey&& o) noexcept {
  if (this != &o) {
    EVP_MAC_CTX_free(ctx_);
    ctx_ = o.ctx_;
    out_len_ = o.out_len_;
    o.ctx_ = nullptr;
  }
  return *this;
}

Result<MacKey> MacKey::create(const char* digest, ByteView key) {
  const Algorithms* a = KB_TRY(algorithms());
  const EVP_MAC_CTX* tmpl = hmac_template(*a, digest);
  if (tmpl == nullptr) return Error(Errc::kOpenssl, "no HMAC template for this digest");
  MacKey m;
  m.ctx_ = EVP_MAC_CTX_dup(tmpl);
  if (m.ctx_ == nullptr) return openssl_error("EVP_MAC_CTX_dup");
  // A zero-length key is legal HMAC; OpenSSL wants a non-null pointer for it.
  static const std::uint8_t kNone = 0;
  const std::uint8_t* kp = key.empty() ? &kNone : key.data();
  if (EVP_MAC_init(m.ctx_, kp, key.size(), nullptr) != 1) return openssl_error("EVP_MAC_init");
  m.out_len_ = EVP_MAC_CTX_get_mac_size(m.ctx_);
  return m;
}

Result<void> MacKey::run(EVP_MAC_CTX* c, std::initializer_list<ByteView> parts,
                         MutableByteView out) {
  bool good = true;
  for (ByteView p : parts) {
    if (good && !p.empty()) good = EVP_MAC_update(c, p.data(), p.size()) == 1;
  }
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> full{};
  std::size_t n = 0;
  if (good) good = EVP_MAC_final(c, full.data(), &n, full.size()) == 1;
  if (!good || n < out.size()) return openssl_error("HMAC");
  std::copy_n(full.begin(), out.size(), out.begin());
  secure_wipe(full.data(), full.size());
  return kb::ok();
}

Result<void> MacKey::compute(std::initializer_list<ByteView> parts, MutableByteView out) const {
  if (ctx_ == nullptr || out.size() > out_len_) return Error(Errc::kOpenssl, "MAC misuse");
  EVP_MAC_CTX* c = EVP_MAC_CTX_dup(ctx_);
  if (c == nullptr) return openssl_error("EVP_MAC_CTX_dup");
  auto r = run(c, parts, out);
  EVP_MAC_CTX_free(c);
  return r;
}

Result<void> MacKey::compute_once(std::initializer_list<ByteView> parts, MutableByteView out) {
  if (ctx_ == nullptr || out.size() > out_len_) return Error(Errc::kOpenssl, "MAC misuse");
  auto r = run(ctx_, parts, out);
  EVP_MAC_CTX_free(ctx_);
  ctx_ = nullptr;
  return r;
}

Result<void> hmac(const char* digest, ByteView key, std::initializer_list<ByteView> parts,
                  MutableByteView out) {
  MacKey m = KB_TRY(MacKey::create(digest, key));
  return m.compute_once(parts, out);
}

Result<void> digest(const EVP_MD* md, std::initializer_list<ByteView> parts, MutableByteView out) {
  EVP_MD_CTX* c = EVP_MD_CTX_new();
  if (c == nullptr) return openssl_error("EVP_MD_CTX_new");
  bool good = EVP_DigestInit_ex2(c, md, nullptr) == 1;
  for (ByteView p : parts) {
    if (good && !p.empty()) good = EVP_DigestUpdate(c, p.data(), p.size()) == 1;
  }
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> full{};
  unsigned int n = 0;
  if (good) good = EVP_DigestFinal_ex(c, full.data(), &n) == 1;
  EVP_MD_CTX_free(c);
  if (!good || n < out.size()) return openssl_error("digest");
  std::copy_n(full.begin(), out.size(), out.begin());
  return kb::ok();
}

// ---- CtsKey -------------------------------------------------------------------------

CtsKey::~CtsKey() {
  EVP_CIPHER_CTX_free(enc_);
  EVP_CIPHER_CTX_free(dec_);
}

CtsKey& CtsKey::operator=(CtsKey&& o) noexcept {
  if (this != &o) {
    EVP_CIPHER_CTX_free(enc_);
    EVP_CIPHER_CTX_free(dec_);
    enc_ = o.enc_;
    dec_ = o.dec_;
    o.enc_ = o.dec_ = nullptr;
  }
  return *this;
}

Result<CtsKey> CtsKey::create(ByteView key) {
  const Algorithms* a = KB_TRY(algorithms());
  const EVP_CIPHER* cipher = nullptr;
  if (key.size() == 16) cipher = a->aes128_cts;
  if (key.size() == 32) cipher = a->aes256_cts;
  if (cipher == nullptr) return Error(Errc::kBadKeyLength, "AES key must be 16 or 32 bytes");
  CtsKey k;
  k.enc_ = EVP_CIPHER_CTX_new();
  k.dec_ = EVP_CIPHER_CTX_new();
  if (k.enc_ == nullptr || k.dec_ == nullptr) return openssl_error("EVP_CIPHER_CTX_new");
  static const std::array<std::uint8_t, 16> kZeroIv{};
  // RFC 3962 §5 is the "CS3" layout: last two blocks swapped, the final one truncated.
  std::array<OSSL_PARAM, 2> params = {
      OSSL_PARAM_construct_utf8_string(OSSL_CIPHER_PARAM_CTS_MODE, const_cast<char*>("CS3"), 0),
      OSSL_PARAM_construct_end()};
  if (EVP_CipherInit_ex2(k.enc_, cipher, key.data(), kZeroIv.data(), 1, params.data()) != 1 ||
      EVP_CipherInit_ex2(k.dec_, cipher, key.data(), kZeroIv.data(), 0, params.data()) != 1) {
    return openssl_error("AES-CTS key setup");
  }
  return k;
}

Result<void> CtsKey::run(EVP_CIPHER_CTX* tmpl, ByteView in, MutableByteView out,
                         ByteView iv) const {
  if (tmpl == nullptr || in.size() < 16 || out.size() != in.size() ||
      in.size() > static_cast<std::size_t>(INT32_MAX) || (!iv.empty() && iv.size() != 16)) {
    return Error(Errc::kOpenssl, "AES-CTS misuse");
  }
  EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
  if (c == nullptr) return openssl_error("EVP_CIPHER_CTX_new");
  bool good = EVP_CIPHER_CTX_copy(c, tmpl) == 1;
  if (good && !iv.empty())
    good = EVP_CipherInit_ex2(c, nullptr, nullptr, iv.data(), -1, nullptr) == 1;
  int n = 0;
  if (good) good = EVP_CipherUpdate(c, out.data(), &n, in.data(), static_cast<int>(in.size())) == 1;
  EVP_CIPHER_CTX_free(c);
  if (!good || static_cast<std::size_t>(n) != in.size()) return openssl_error("AES-CTS");
  return kb::ok();
}

Result<void> CtsKey::encrypt(ByteView in, MutableByteView out, ByteView iv) const {
  return run(enc_, in, out, iv);
}
Result<void> CtsKey::decrypt(ByteView in, MutableByteView out, ByteView iv) const {
  return run(dec_, in, out, iv);
}

Result<void> aes_ecb_encrypt(ByteView key, ByteView in, MutableByteView out) {
  const Algorithms* a = KB_TRY(algorithms());
  const EVP_CIPHER* cipher = key.size() == 16   ? a->aes128_ecb
                             : key.size() == 32 ? a->aes256_ecb
                                                : nullptr;
  if (cipher == nullptr) return Error(Errc::kBadKeyLength, "AES key must be 16 or 32 bytes");
  if (in.size() % 16 != 0 || out.size() != in.size() ||
      in.size() > static_cast<std::size_t>(INT32_MAX)) {
    return Error(Errc::kOpenssl, "AES-ECB misuse");
  }
  EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
  if (c == nullptr) return openssl_error("EVP_CIPHER_CTX_new");
  int n = 0;
  bool good = EVP_EncryptInit_ex2(c, cipher, key.data(), nullptr, nullptr) == 1 &&
              EVP_CIPHER_CTX_set_padding(c, 0) == 1 &&
              EVP_EncryptUpdate(c, out.data(), &n, in.data(), static_cast<int>(in.size())) == 1;
  EVP_CIPHER_CTX_free(c);
  if (!good || static_cast<std::size_t>(n) != in.size()) return openssl_error("AES-ECB");
  return kb::ok();
}

Result<void> pbkdf2(const char* digest, ByteView password, ByteView salt, std::uint32_t iterations,
                    MutableByteView out) {
  const Algorithms* a = KB_TRY(algorithms());
  EVP_KDF_CTX* c = EVP_KDF_CTX_new(a->pbkdf2);
  if (c == nullptr) return openssl_error("EVP_KDF_CTX_new");
  static std::uint8_t kNone = 0;
  int no_checks = 1;  // RFC vectors use 1 and 2 iterations and 8-byte salts
  std::array<OSSL_PARAM, 6> params = {
      OSSL_PARAM_construct_octet_string(
          OSSL_KDF_PARAM_PASSWORD,
          password.empty() ? &kNone : const_cast<std::uint8_t*>(password.data()), password.size()),
      OSSL_PARAM_construct_octet_string(
          OSSL_KDF_PARAM_SALT, salt.empty() ? &kNone : const_cast<std::uint8_t*>(salt.data()),
          salt.size()),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_ITER, &iterations),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(digest), 0),
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_PKCS5, &no_checks),
      OSSL_PARAM_construct_end()};
  bool good = EVP_KDF_derive(c, out.data(), out.size(), params.data()) == 1;
  EVP_KDF_CTX_free(c);
  if (!good) return openssl_error("PBKDF2");
  return kb::ok();
}

Result<void> kbkdf_hmac(const char* digest, ByteView key, ByteView label, ByteView context,
                        MutableByteView out) {
  const Algorithms* a = KB_TRY(algorithms());
  EVP_KDF_CTX* c = EVP_KDF_CTX_new(a->kbkdf);
  if (c == nullptr) return openssl_error("EVP_KDF_CTX_new");
  static std::uint8_t kNone = 0;
  std::array<OSSL_PARAM, 7> params = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, const_cast<char*>("counter"), 0),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC, const_cast<char*>("HMAC"), 0),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(digest), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(key.data()),
                                        key.size()),
      OSSL_PARAM_construct_octet_string(
          OSSL_KDF_PARAM_SALT, label.empty() ? &kNone : const_cast<std::uint8_t*>(label.data()),
          label.size()),
      OSSL_PARAM_construct_octet_string(
          OSSL_KDF_PARAM_INFO, context.empty() ? &kNone : const_cast<std::uint8_t*>(context.data()),
          context.size()),
      OSSL_PARAM_construct_end()};
  bool good = EVP_KDF_derive(c, out.data(), out.size(), params.data()) == 1;
  EVP_KDF_CTX_free(c);
  if (!good) return openssl_error("KBKDF");
  return kb::ok();
}

}  // namespace kb::crypto::internal
