// The public API of src/crypto: enctype tables, Key, and dispatch to the profiles.
#include "crypto/crypto.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstdlib>

#include "crypto/internal/key_state.h"
#include "crypto/internal/ossl.h"
#include "crypto/rc4_hmac/rc4_hmac.h"
#include "crypto/rfc3962/aes_sha1.h"
#include "crypto/rfc8009/aes_sha2.h"

namespace kb::crypto {
namespace {

// RFC 3962 §4 and RFC 8009 §4 default iteration counts; MIT's upper bound (2^24) guards
// against a KDC or attacker-supplied ETYPE-INFO2 turning string-to-key into a DoS.
constexpr std::uint32_t kDefaultIterAesSha1 = 4096;
constexpr std::uint32_t kDefaultIterAesSha2 = 32768;
constexpr std::uint32_t kMaxIter = 1u << 24;

bool is_aes_sha1(EncType e) {
  return e == EncType::kAes128CtsHmacSha196 || e == EncType::kAes256CtsHmacSha196;
}
bool is_aes_sha2(EncType e) {
  return e == EncType::kAes128CtsHmacSha256128 || e == EncType::kAes256CtsHmacSha384192;
}

std::uint32_t usage_number(KeyUsage u) {
  return static_cast<std::uint32_t>(u);
}

Error unsupported(EncType e) {
  return Error(Errc::kUnsupportedEnctype,
               "enctype " + std::to_string(static_cast<std::int32_t>(e)));
}

bool valid_enctype(EncType e) {
  return enctype_from_int(static_cast<std::int32_t>(e)).has_value();
}

}  // namespace

std::string_view error_code_name(Errc e) {
  switch (e) {
    case Errc::kUnsupportedEnctype:
      return "unsupported_enctype";
    case Errc::kUnsupportedChecksum:
      return "unsupported_checksum";
    case Errc::kBadKeyLength:
      return "bad_key_length";
    case Errc::kCiphertextTooShort:
      return "ciphertext_too_short";
    case Errc::kIntegrity:
      return "integrity";
    case Errc::kBadChecksum:
      return "bad_checksum";
    case Errc::kBadS2kParams:
      return "bad_s2kparams";
    case Errc::kOpenssl:
      return "openssl";
    case Errc::kStash:
      return "stash";
    case Errc::kInvalidCertificateRequest:
      return "invalid_certificate_request";
    case Errc::kBadCertificate:
      return "bad_certificate";
    case Errc::kBadPrivateKey:
      return "bad_private_key";
    case Errc::kKeyMismatch:
      return "key_mismatch";
  }
  return "unknown";
}

std::optional<EncType> enctype_from_int(std::int32_t v) {
  switch (v) {
    case 17:
    case 18:
    case 19:
    case 20:
    case 23:
      return static_cast<EncType>(v);
    default:
      return std::nullopt;
  }
}

std::optional<ChecksumType> checksum_type_from_int(std::int32_t v) {
  switch (v) {
    case 15:
    case 16:
    case 19:
    case 20:
    case -138:
      return static_cast<ChecksumType>(v);
    default:
      return std::nullopt;
  }
}

std::string_view enctype_name(EncType e) {
  switch (e) {
    case EncType::kAes128CtsHmacSha196:
      return "aes128-cts-hmac-sha1-96";
    case EncType::kAes256CtsHmacSha196:
      return "aes256-cts-hmac-sha1-96";
    case EncType::kAes128CtsHmacSha256128:
      return "aes128-cts-hmac-sha256-128";
    case EncType::kAes256CtsHmacSha384192:
      return "aes256-cts-hmac-sha384-192";
    case EncType::kRc4Hmac:
      return "arcfour-hmac";
  }
  return "unknown";
}

std::size_t key_length(EncType e) {
  switch (e) {
    case EncType::kAes128CtsHmacSha196:
    case EncType::kAes128CtsHmacSha256128:
    case EncType::kRc4Hmac:
      return 16;
    case EncType::kAes256CtsHmacSha196:
    case EncType::kAes256CtsHmacSha384192:
      return 32;
  }
  return 0;
}

ChecksumType mandatory_checksum(EncType e) {
  switch (e) {
    case EncType::kAes128CtsHmacSha196:
      return ChecksumType::kHmacSha196Aes128;
    case EncType::kAes256CtsHmacSha196:
      return ChecksumType::kHmacSha196Aes256;
    case EncType::kAes128CtsHmacSha256128:
      return ChecksumType::kHmacSha256128Aes128;
    case EncType::kAes256CtsHmacSha384192:
      return ChecksumType::kHmacSha384192Aes256;
    case EncType::kRc4Hmac:
      return ChecksumType::kHmacMd5;
  }
  return ChecksumType::kHmacMd5;
}

std::size_t checksum_length(ChecksumType c) {
  switch (c) {
    case ChecksumType::kHmacSha196Aes128:
    case ChecksumType::kHmacSha196Aes256:
      return 12;
    case ChecksumType::kHmacSha256128Aes128:
    case ChecksumType::kHmacMd5:
      return 16;
    case ChecksumType::kHmacSha384192Aes256:
      return 24;
  }
  return 0;
}

EncType checksum_enctype(ChecksumType c) {
  switch (c) {
    case ChecksumType::kHmacSha196Aes128:
      return EncType::kAes128CtsHmacSha196;
    case ChecksumType::kHmacSha196Aes256:
      return EncType::kAes256CtsHmacSha196;
    case ChecksumType::kHmacSha256128Aes128:
      return EncType::kAes128CtsHmacSha256128;
    case ChecksumType::kHmacSha384192Aes256:
      return EncType::kAes256CtsHmacSha384192;
    case ChecksumType::kHmacMd5:
      return EncType::kRc4Hmac;
  }
  return EncType::kRc4Hmac;
}

// ---- Key ----------------------------------------------------------------------------

Key::Key() = default;
Key::~Key() = default;
Key::Key(Key&&) noexcept = default;
Key& Key::operator=(Key&&) noexcept = default;
Key::Key(std::unique_ptr<State> s) : state_(std::move(s)) {}

Result<Key> Key::from_bytes(EncType e, ByteView key_bytes) {
  if (!valid_enctype(e)) return unsupported(e);
  if (key_bytes.size() != key_length(e)) {
    return Error(Errc::kBadKeyLength, "expected " + std::to_string(key_length(e)) + " bytes for " +
                                          std::string(enctype_name(e)) + ", got " +
                                          std::to_string(key_bytes.size()));
  }
  return Key(std::make_unique<State>(e, SecretBytes(key_bytes)));
}

Key Key::random(EncType e, Rng& rng) {
  if (!valid_enctype(e)) std::abort();  // programmer error: not an enctype we implement
  // RFC 3961 random-to-key is the identity for AES (RFC 3962 §6, RFC 8009 §5) and RC4.
  SecretBytes b(key_length(e));
  rng.fill(b.reveal_mutable());
  return Key(std::make_unique<State>(e, std::move(b)));
}

EncType Key::enctype() const {
  return state_->enctype;
}
const SecretBytes& Key::bytes() const {
  return state_->bytes;
}
Key Key::clone() const {
  if (state_ == nullptr) return Key();
  return Key(std::make_unique<State>(state_->enctype, state_->bytes.clone()));
}

std::string to_string(const Key& k) {
  if (k.empty()) return "<key:empty>";
  return "<key:" + std::string(enctype_name(k.enctype())) + ">";
}

Result<const internal::UsageKeys*> internal::usage_keys(const Key& key, std::uint32_t usage) {
  const Key::State& s = key.state();
  if (is_aes_sha1(s.enctype)) return rfc3962::usage_keys(s, usage);
  if (is_aes_sha2(s.enctype)) return rfc8009::usage_keys(s, usage);
  return unsupported(s.enctype);
}

// ---- Operations ---------------------------------------------------------------------

Result<Bytes> encrypt(const Key& key, KeyUsage usage, ByteView plaintext, Rng& rng) {
  assert(!key.empty());
  Key::State& s = key.state();
  const std::uint32_t u = usage_number(usage);
  if (is_aes_sha1(s.enctype)) return rfc3962::encrypt(s, u, plaintext, rng);
  if (is_aes_sha2(s.enctype)) return rfc8009::encrypt(s, u, plaintext, rng);
  if (s.enctype == EncType::kRc4Hmac) return rc4_hmac::encrypt(s, u, plaintext, rng);
  return unsupported(s.enctype);
}

Result<SecretBytes> decrypt(const Key& key, KeyUsage usage, ByteView ciphertext) {
  assert(!key.empty());
  Key::State& s = key.state();
  const std::uint32_t u = usage_number(usage);
  if (is_aes_sha1(s.enctype)) return rfc3962::decrypt(s, u, ciphertext);
  if (is_aes_sha2(s.enctype)) return rfc8009::decrypt(s, u, ciphertext);
  if (s.enctype == EncType::kRc4Hmac) return rc4_hmac::decrypt(s, u, ciphertext);
  return unsupported(s.enctype);
}

Result<Bytes> make_checksum(const Key& key, KeyUsage usage, ByteView data) {
  assert(!key.empty());
  return make_checksum(mandatory_checksum(key.enctype()), key, usage, data);
}

Result<Bytes> make_checksum(ChecksumType type, const Key& key, KeyUsage usage, ByteView data) {
  assert(!key.empty());
  if (!checksum_type_from_int(static_cast<std::int32_t>(type))) {
    return Error(Errc::kUnsupportedChecksum,
                 "checksum type " + std::to_string(static_cast<std::int32_t>(type)));
  }
  Key::State& s = key.state();
  if (checksum_enctype(type) != s.enctype) {
    return Error(Errc::kUnsupportedChecksum,
                 "checksum type " + std::to_string(static_cast<std::int32_t>(type)) +
                     " does not fit a " + std::string(enctype_name(s.enctype)) + " key");
  }
  const std::uint32_t u = usage_number(usage);
  if (is_aes_sha1(s.enctype)) return rfc3962::checksum(s, u, data);
  if (is_aes_sha2(s.enctype)) return rfc8009::checksum(s, u, data);
  return rc4_hmac::checksum(s, u, data);
}

Result<void> verify_checksum(ChecksumType type, const Key& key, KeyUsage usage, ByteView data,
                             ByteView checksum) {
  Bytes expect = KB_TRY(make_checksum(type, key, usage, data));
  // Lengths are public; the comparison of contents is constant-time.
  if (!constant_time_equal(expect, checksum)) {
    return Error(Errc::kBadChecksum, "checksum mismatch");
  }
  return kb::ok();
}

Bytes default_s2kparams(EncType e) {
  Bytes out;
  if (is_aes_sha1(e)) put_u32be(out, kDefaultIterAesSha1);
  if (is_aes_sha2(e)) put_u32be(out, kDefaultIterAesSha2);
  return out;
}

Result<Key> string_to_key(EncType e, const SecretString& password, std::string_view salt,
                          std::optional<ByteView> s2kparams) {
  if (!valid_enctype(e)) return unsupported(e);
  if (e == EncType::kRc4Hmac) return nt_hash(password);
  std::uint32_t iter = is_aes_sha1(e) ? kDefaultIterAesSha1 : kDefaultIterAesSha2;
  if (s2kparams.has_value()) {
    const ByteView p = *s2kparams;
    if (p.size() != 4) return Error(Errc::kBadS2kParams, "s2kparams must be 4 bytes");
    iter = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
    // RFC 3962 §4 reads 0 as 2^32; like MIT we refuse that and anything >= 2^24.
    if (iter == 0 || iter >= kMaxIter) {
      return Error(Errc::kBadS2kParams, "iteration count " + std::to_string(iter));
    }
  }
  const ByteView pw = as_bytes(password.reveal());
  SecretBytes k = is_aes_sha1(e)
                      ? KB_TRY(rfc3962::string_to_key(key_length(e), pw, as_bytes(salt), iter))
                      : KB_TRY(rfc8009::string_to_key(e, pw, as_bytes(salt), iter));
  return Key::from_bytes(e, k.reveal());
}

Result<Key> nt_hash(const SecretString& password) {
  SecretBytes k = KB_TRY(rc4_hmac::nt_hash(as_bytes(password.reveal())));
  return Key::from_bytes(EncType::kRc4Hmac, k.reveal());
}

Result<SecretBytes> prf(const Key& key, ByteView input) {
  assert(!key.empty());
  const Key::State& s = key.state();
  if (is_aes_sha1(s.enctype)) return rfc3962::prf(s, input);
  if (is_aes_sha2(s.enctype)) return rfc8009::prf(s, input);
  if (s.enctype == EncType::kRc4Hmac) return rc4_hmac::prf(s, input);
  return unsupported(s.enctype);
}

void SystemRng::fill(MutableByteView out) {
  if (out.empty()) return;
  if (out.size() > static_cast<std::size_t>(INT32_MAX) ||
      RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    std::abort();  // no randomness: continuing would mint predictable keys
  }
}

}  // namespace kb::crypto

namespace kb::crypto {

Bytes sha256(ByteView data) {
  Bytes out(32);
  // SHA-256 from the default provider cannot fail for in-memory input except on allocation
  // failure: then the zero output would be wrong, so treat it as fatal. The digest is
  // fetched once (internal::algorithms), not looked up by name per call.
  auto a = internal::algorithms();
  if (!a || !internal::digest((*a)->sha256, {data}, out)) std::abort();
  return out;
}

}  // namespace kb::crypto
