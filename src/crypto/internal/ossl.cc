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

#include "crypto/pkey.h"

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
    EVP_CIPHER_free(a_.aes128_cbc);
    EVP_CIPHER_free(a_.aes256_cbc);
    EVP_MD_free(a_.sha256);
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
    a_.aes128_cbc = EVP_CIPHER_fetch(a_.libctx, "AES-128-CBC", nullptr);
    a_.aes256_cbc = EVP_CIPHER_fetch(a_.libctx, "AES-256-CBC", nullptr);
    a_.sha256 = EVP_MD_fetch(a_.libctx, kSha256, nullptr);
    a_.hmac = EVP_MAC_fetch(a_.libctx, "HMAC", nullptr);
    a_.sha1 = EVP_MD_fetch(a_.libctx, kSha1, nullptr);
    a_.md5 = EVP_MD_fetch(a_.libctx, kMd5, nullptr);
    a_.pbkdf2 = EVP_KDF_fetch(a_.libctx, "PBKDF2", nullptr);
    a_.kbkdf = EVP_KDF_fetch(a_.libctx, "KBKDF", nullptr);
    if (!a_.aes128_cts || !a_.aes256_cts || !a_.aes128_ecb || !a_.aes256_ecb || !a_.aes128_cbc ||
        !a_.aes256_cbc || !a_.hmac || !a_.sha1 || !a_.sha256 || !a_.md5 || !a_.pbkdf2 ||
        !a_.kbkdf) {
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

// ---- Reusable context slots ---------------------------------------------------------

namespace {

// Runs `use(ctx, fresh)` on a free slot's context, creating it with `make` on first use;
// on a one-off context from `make` (freed with `free_ctx`) when every slot is busy.
template <typename Ctx, typename Make, typename Use, typename Free>
Result<void> with_slot(std::array<CtxSlot<Ctx>, kCtxSlots>& slots, Make&& make, Use&& use,
                       Free&& free_ctx) {
  for (auto& slot : slots) {
    if (slot.busy.exchange(true, std::memory_order_acquire)) continue;
    Result<void> r = kb::ok();
    if (slot.ctx == nullptr) {
      auto c = make();
      if (c) {
        slot.ctx = *c;
        slot.fresh = true;
      } else {
        r = std::move(c).error();
      }
    }
    if (r) {
      r = use(slot.ctx, slot.fresh);
      slot.fresh = false;
    }
    slot.busy.store(false, std::memory_order_release);
    return r;
  }
  Ctx* c = KB_TRY(make());
  auto r = use(c, true);
  free_ctx(c);
  return r;
}

template <typename Ctx, typename Free>
void free_slots(std::array<CtxSlot<Ctx>, kCtxSlots>& slots, Free&& free_ctx) {
  for (auto& slot : slots) {
    free_ctx(slot.ctx);
    slot.ctx = nullptr;
  }
}

template <typename Ctx>
void move_slots(std::array<CtxSlot<Ctx>, kCtxSlots>& to,
                std::array<CtxSlot<Ctx>, kCtxSlots>& from) {
  for (std::size_t i = 0; i < kCtxSlots; ++i) {
    to[i].ctx = from[i].ctx;
    to[i].fresh = from[i].fresh;
    from[i].ctx = nullptr;
  }
}

}  // namespace

// ---- MacKey -------------------------------------------------------------------------

void MacKey::release() {
  free_slots(slots_, EVP_MAC_CTX_free);
}

MacKey::~MacKey() {
  release();
}

MacKey::MacKey(MacKey&& o) noexcept
    : tmpl_(o.tmpl_), key_(std::move(o.key_)), out_len_(o.out_len_) {
  move_slots(slots_, o.slots_);
}

MacKey& MacKey::operator=(MacKey&& o) noexcept {
  if (this != &o) {
    release();
    tmpl_ = o.tmpl_;
    key_ = std::move(o.key_);
    out_len_ = o.out_len_;
    move_slots(slots_, o.slots_);
  }
  return *this;
}

Result<MacKey> MacKey::create(const char* digest, ByteView key) {
  const Algorithms* a = KB_TRY(algorithms());
  const EVP_MAC_CTX* tmpl = hmac_template(*a, digest);
  if (tmpl == nullptr) return Error(Errc::kOpenssl, "no HMAC template for this digest");
  MacKey m;
  m.tmpl_ = tmpl;
  m.key_ = SecretBytes(key);
  m.out_len_ = EVP_MAC_CTX_get_mac_size(const_cast<EVP_MAC_CTX*>(tmpl));
  return m;
}

// The digest template duplicated (no lookup of the digest by name) and keyed.
Result<EVP_MAC_CTX*> MacKey::keyed_context() const {
  EVP_MAC_CTX* c = EVP_MAC_CTX_dup(tmpl_);
  if (c == nullptr) return openssl_error("EVP_MAC_CTX_dup");
  // A zero-length key is legal HMAC; OpenSSL wants a non-null pointer for it.
  static const std::uint8_t kNone = 0;
  const ByteView k = key_.reveal();
  if (EVP_MAC_init(c, k.empty() ? &kNone : k.data(), k.size(), nullptr) != 1) {
    EVP_MAC_CTX_free(c);
    return openssl_error("EVP_MAC_init");
  }
  return c;
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
  if (tmpl_ == nullptr || out.size() > out_len_) return Error(Errc::kOpenssl, "MAC misuse");
  return with_slot(
      slots_, [this] { return keyed_context(); },
      [&](EVP_MAC_CTX* c, bool fresh) -> Result<void> {
        // A used context restarts from its saved keyed state (HMAC_Init_ex without a key).
        if (!fresh && EVP_MAC_init(c, nullptr, 0, nullptr) != 1) {
          return openssl_error("EVP_MAC_init");
        }
        return run(c, parts, out);
      },
      EVP_MAC_CTX_free);
}

Result<void> hmac(const char* digest, ByteView key, std::initializer_list<ByteView> parts,
                  MutableByteView out) {
  const MacKey m = KB_TRY(MacKey::create(digest, key));
  return m.compute(parts, out);
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

void CtsKey::release() {
  free_slots(enc_, EVP_CIPHER_CTX_free);
  free_slots(dec_, EVP_CIPHER_CTX_free);
}

CtsKey::~CtsKey() {
  release();
}

CtsKey::CtsKey(CtsKey&& o) noexcept : cipher_(o.cipher_), key_(std::move(o.key_)) {
  move_slots(enc_, o.enc_);
  move_slots(dec_, o.dec_);
}

CtsKey& CtsKey::operator=(CtsKey&& o) noexcept {
  if (this != &o) {
    release();
    cipher_ = o.cipher_;
    key_ = std::move(o.key_);
    move_slots(enc_, o.enc_);
    move_slots(dec_, o.dec_);
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
  k.cipher_ = cipher;
  k.key_ = SecretBytes(key);
  return k;
}

Result<EVP_CIPHER_CTX*> CtsKey::keyed_context(int enc) const {
  EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
  if (c == nullptr) return openssl_error("EVP_CIPHER_CTX_new");
  static const std::array<std::uint8_t, 16> kZeroIv{};
  // RFC 3962 §5 is the "CS3" layout: last two blocks swapped, the final one truncated.
  std::array<OSSL_PARAM, 2> params = {
      OSSL_PARAM_construct_utf8_string(OSSL_CIPHER_PARAM_CTS_MODE, const_cast<char*>("CS3"), 0),
      OSSL_PARAM_construct_end()};
  if (EVP_CipherInit_ex2(c, cipher_, key_.reveal().data(), kZeroIv.data(), enc, params.data()) !=
      1) {
    EVP_CIPHER_CTX_free(c);
    return openssl_error("AES-CTS key setup");
  }
  return c;
}

Result<void> CtsKey::run(Slots& slots, int enc, ByteView in, MutableByteView out,
                         ByteView iv) const {
  if (cipher_ == nullptr || in.size() < 16 || out.size() != in.size() ||
      in.size() > static_cast<std::size_t>(INT32_MAX) || (!iv.empty() && iv.size() != 16)) {
    return Error(Errc::kOpenssl, "AES-CTS misuse");
  }
  return with_slot(
      slots, [this, enc] { return keyed_context(enc); },
      [&](EVP_CIPHER_CTX* c, bool fresh) -> Result<void> {
        static const std::array<std::uint8_t, 16> kZeroIv{};
        // A used context (or another IV) restarts with the same key schedule: only the IV
        // and the mode's state are reset.
        if (!fresh || !iv.empty()) {
          const std::uint8_t* v = iv.empty() ? kZeroIv.data() : iv.data();
          if (EVP_CipherInit_ex2(c, nullptr, nullptr, v, -1, nullptr) != 1) {
            return openssl_error("AES-CTS IV");
          }
        }
        int n = 0;
        if (EVP_CipherUpdate(c, out.data(), &n, in.data(), static_cast<int>(in.size())) != 1 ||
            static_cast<std::size_t>(n) != in.size()) {
          return openssl_error("AES-CTS");
        }
        return kb::ok();
      },
      EVP_CIPHER_CTX_free);
}

Result<void> CtsKey::encrypt(ByteView in, MutableByteView out, ByteView iv) const {
  return run(enc_, 1, in, out, iv);
}
Result<void> CtsKey::decrypt(ByteView in, MutableByteView out, ByteView iv) const {
  return run(dec_, 0, in, out, iv);
}

namespace {

// One AES pass without padding over whole blocks, zero IV for CBC.
Result<void> aes_blocks(const EVP_CIPHER* cipher, bool cbc, ByteView key, ByteView in,
                        MutableByteView out, const char* what) {
  if (cipher == nullptr) return Error(Errc::kBadKeyLength, "AES key must be 16 or 32 bytes");
  if (in.size() % 16 != 0 || out.size() != in.size() ||
      in.size() > static_cast<std::size_t>(INT32_MAX)) {
    return Error(Errc::kOpenssl, std::string(what) + " misuse");
  }
  static const std::array<std::uint8_t, 16> kZeroIv{};
  EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
  if (c == nullptr) return openssl_error("EVP_CIPHER_CTX_new");
  int n = 0;
  bool good =
      EVP_EncryptInit_ex2(c, cipher, key.data(), cbc ? kZeroIv.data() : nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_set_padding(c, 0) == 1 &&
      EVP_EncryptUpdate(c, out.data(), &n, in.data(), static_cast<int>(in.size())) == 1;
  EVP_CIPHER_CTX_free(c);
  if (!good || static_cast<std::size_t>(n) != in.size()) return openssl_error(what);
  return kb::ok();
}

}  // namespace

Result<void> aes_ecb_encrypt(ByteView key, ByteView in, MutableByteView out) {
  const Algorithms* a = KB_TRY(algorithms());
  const EVP_CIPHER* cipher = key.size() == 16   ? a->aes128_ecb
                             : key.size() == 32 ? a->aes256_ecb
                                                : nullptr;
  return aes_blocks(cipher, false, key, in, out, "AES-ECB");
}

Result<void> aes_cbc_encrypt(ByteView key, ByteView in, MutableByteView out) {
  const Algorithms* a = KB_TRY(algorithms());
  const EVP_CIPHER* cipher = key.size() == 16   ? a->aes128_cbc
                             : key.size() == 32 ? a->aes256_cbc
                                                : nullptr;
  return aes_blocks(cipher, true, key, in, out, "AES-CBC");
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

Error ossl_fail(std::string_view what) {
  ERR_clear_error();
  return Error(PkeyErrc::kOpenssl, std::string(what) + " failed");
}

Result<OSSL_LIB_CTX*> libctx() {
  const Algorithms* a = KB_TRY(algorithms());
  return a->libctx;
}

}  // namespace kb::crypto::internal
