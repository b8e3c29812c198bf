#include "crypto/rc4_hmac/rc4_hmac.h"

#include <algorithm>
#include <array>

#include "crypto/internal/key_state.h"
#include "crypto/internal/ossl.h"

namespace kb::crypto::rc4_hmac {
namespace {

using Block = std::array<std::uint8_t, 16>;

std::array<std::uint8_t, 4> le32(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
          static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)};
}

Result<void> rc4(ByteView key, ByteView in, MutableByteView out) {
  const internal::Algorithms* a = KB_TRY(internal::legacy_algorithms());
  if (in.size() > static_cast<std::size_t>(INT32_MAX) || out.size() != in.size()) {
    return Error(Errc::kOpenssl, "RC4 misuse");
  }
  EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
  if (c == nullptr) return internal::openssl_error("EVP_CIPHER_CTX_new");
  int n = 0;
  bool good = EVP_EncryptInit_ex2(c, a->rc4, key.data(), nullptr, nullptr) == 1 &&
              (in.empty() ||
               EVP_EncryptUpdate(c, out.data(), &n, in.data(), static_cast<int>(in.size())) == 1);
  EVP_CIPHER_CTX_free(c);
  if (!good || static_cast<std::size_t>(n) != in.size()) return internal::openssl_error("RC4");
  return kb::ok();
}

constexpr std::array<std::uint8_t, 13> kSignatureKey = {'s', 'i', 'g', 'n', 'a', 't', 'u',
                                                        'r', 'e', 'k', 'e', 'y', 0};

Result<const internal::Rc4Keys*> keys(Key::State& key) {
  return key.rc4.get([&key]() -> Result<std::unique_ptr<internal::Rc4Keys>> {
    internal::MacKey base = KB_TRY(internal::MacKey::create(internal::kMd5, key.bytes.reveal()));
    // RFC 4757 §5: Ksign = HMAC-MD5(key, "signaturekey\0").
    Block ksign{};
    auto r = base.compute({kSignatureKey}, ksign);
    if (!r) return std::move(r).error();
    auto km = internal::MacKey::create(internal::kMd5, ksign);
    secure_wipe(ksign.data(), ksign.size());
    if (!km) return std::move(km).error();
    return std::make_unique<internal::Rc4Keys>(internal::Rc4Keys{std::move(base), std::move(*km)});
  });
}

// RFC 4757 §6: K1 = HMAC-MD5(key, T) with T the translated usage, little-endian.
Result<void> usage_key(Key::State& key, std::uint32_t usage, Block& k1) {
  // Fail early with the clear "legacy provider" error rather than inside RC4.
  if (auto a = internal::legacy_algorithms(); !a) return std::move(a).error();
  const internal::Rc4Keys* k = KB_TRY(keys(key));
  return k->base.compute({le32(translate_usage(usage))}, k1);
}

}  // namespace

std::uint32_t translate_usage(std::uint32_t usage) {
  switch (usage) {
    case 3:
      return 8;  // AS-REP enc-part is keyed as a TGS-REP enc-part
    case 23:
      return 13;  // GSS sealing
    default:
      return usage;
  }
}

Result<Bytes> encrypt(Key::State& key, std::uint32_t usage, ByteView plaintext, Rng& rng) {
  Block k1{};
  KB_CHECK(usage_key(key, usage, k1));
  SecretBytes buf(kConfounderLength + plaintext.size());
  MutableByteView b = buf.reveal_mutable();
  rng.fill(b.first(kConfounderLength));
  std::copy(plaintext.begin(), plaintext.end(), b.begin() + kConfounderLength);
  Bytes out(kChecksumLength + buf.size());
  MutableByteView o(out);
  Block k3{};
  auto r = [&]() -> Result<void> {
    internal::MacKey k1m = KB_TRY(internal::MacKey::create(internal::kMd5, k1));
    KB_CHECK(k1m.compute({buf.reveal()}, o.first(kChecksumLength)));
    KB_CHECK(k1m.compute({o.first(kChecksumLength)}, k3));
    return rc4(k3, buf.reveal(), o.subspan(kChecksumLength));
  }();
  secure_wipe(k1.data(), k1.size());
  secure_wipe(k3.data(), k3.size());
  if (!r) return std::move(r).error();
  return out;
}

Result<SecretBytes> decrypt(Key::State& key, std::uint32_t usage, ByteView ciphertext) {
  if (ciphertext.size() < kChecksumLength + kConfounderLength) {
    return Error(Errc::kCiphertextTooShort, "shorter than checksum and confounder");
  }
  Block k1{};
  KB_CHECK(usage_key(key, usage, k1));
  ByteView cksum = ciphertext.first(kChecksumLength);
  ByteView body = ciphertext.subspan(kChecksumLength);
  SecretBytes buf(body.size());
  Block k3{};
  Block expect{};
  auto r = [&]() -> Result<void> {
    internal::MacKey k1m = KB_TRY(internal::MacKey::create(internal::kMd5, k1));
    KB_CHECK(k1m.compute({cksum}, k3));
    KB_CHECK(rc4(k3, body, buf.reveal_mutable()));
    return k1m.compute({buf.reveal()}, expect);
  }();
  secure_wipe(k1.data(), k1.size());
  secure_wipe(k3.data(), k3.size());
  if (!r) return std::move(r).error();
  if (!constant_time_equal(expect, cksum)) return Error(Errc::kIntegrity, "HMAC-MD5 mismatch");
  return SecretBytes(buf.reveal().subspan(kConfounderLength));
}

Result<Bytes> checksum(Key::State& key, std::uint32_t usage, ByteView data) {
  const internal::Algorithms* a = KB_TRY(internal::algorithms());
  const internal::Rc4Keys* k = KB_TRY(keys(key));
  // RFC 4757 §5: HMAC-MD5(Ksign, MD5(T | data)).
  Block tmp{};
  KB_CHECK(internal::digest(a->md5, {le32(translate_usage(usage)), data}, tmp));
  Bytes out(kChecksumLength);
  KB_CHECK(k->ksign.compute({tmp}, out));
  return out;
}

Result<SecretBytes> nt_hash(ByteView s) {
  const internal::Algorithms* a = KB_TRY(internal::legacy_algorithms());
  SecretBytes utf16(s.size() * 4);  // at most two UTF-16 units per input byte
  MutableByteView u = utf16.reveal_mutable();
  std::size_t n = 0;
  auto put = [&](std::uint32_t unit) {
    u[n++] = static_cast<std::uint8_t>(unit);
    u[n++] = static_cast<std::uint8_t>(unit >> 8);
  };
  for (std::size_t i = 0; i < s.size();) {
    const std::uint8_t c = s[i];
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xe  ? 3
                      : (c >> 3) == 0x1e ? 4
                                         : 0;
    if (len == 0 || i + len > s.size()) {
      return Error(Errc::kBadS2kParams, "password is not valid UTF-8");
    }
    std::uint32_t cp = len == 1 ? c : c & (0x7fu >> len);
    for (std::size_t j = 1; j < len; ++j) {
      if ((s[i + j] & 0xc0) != 0x80)
        return Error(Errc::kBadS2kParams, "password is not valid UTF-8");
      cp = (cp << 6) | (s[i + j] & 0x3fu);
    }
    static constexpr std::array<std::uint32_t, 5> kMin = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return Error(Errc::kBadS2kParams, "password is not valid UTF-8");
    }
    if (cp >= 0x10000) {
      put(0xd800 + ((cp - 0x10000) >> 10));
      put(0xdc00 + ((cp - 0x10000) & 0x3ff));
    } else {
      put(cp);
    }
    i += len;
  }
  SecretBytes out(16);
  KB_CHECK(internal::digest(a->md4, {u.first(n)}, out.reveal_mutable()));
  return out;
}

Result<SecretBytes> prf(const Key::State& key, ByteView input) {
  SecretBytes out(20);
  KB_CHECK(internal::hmac(internal::kSha1, key.bytes.reveal(), {input}, out.reveal_mutable()));
  return out;
}

}  // namespace kb::crypto::rc4_hmac
