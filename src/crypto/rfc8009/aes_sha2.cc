#include "crypto/rfc8009/aes_sha2.h"

#include <algorithm>
#include <array>

#include "crypto/internal/ossl.h"
#include "crypto/rfc3961/simplified.h"

namespace kb::crypto::rfc8009 {
namespace {

// RFC 8009 §5: the MAC covers the (all-zero) initial cipher state, then the ciphertext.
constexpr std::array<std::uint8_t, 16> kZeroIv{};

Result<SecretBytes> kdf(const Params& p, ByteView key, ByteView label, std::size_t len) {
  SecretBytes out(len);
  KB_CHECK(internal::kbkdf_hmac(p.digest, key, label, {}, out.reveal_mutable()));
  return out;
}

}  // namespace

Params params(EncType e) {
  if (e == EncType::kAes256CtsHmacSha384192) return {internal::kSha384, 32, 24, 48};
  return {internal::kSha256, 16, 16, 32};
}

Result<SecretBytes> derive_subkey(const Key::State& base, std::uint32_t usage,
                                  std::uint8_t selector) {
  const Params p = params(base.enctype);
  const auto constant = rfc3961::usage_constant(usage, selector);
  return kdf(p, base.bytes.reveal(), constant,
             selector == rfc3961::kKeyEncryption ? p.key_len : p.mac_len);
}

Result<const internal::UsageKeys*> usage_keys(const Key::State& base, std::uint32_t usage) {
  return base.cache.get(usage, [&base](std::uint32_t u) {
    return std::make_unique<internal::UsageKeys>(base, u, &derive_subkey,
                                                 params(base.enctype).digest);
  });
}

Result<Bytes> encrypt(Key::State& key, std::uint32_t usage, ByteView plaintext, Rng& rng) {
  const Params p = params(key.enctype);
  const internal::UsageKeys* k = KB_TRY(usage_keys(key, usage));
  const internal::EncryptionSubkey* ke = KB_TRY(k->ke());
  const internal::IntegritySubkey* ki = KB_TRY(k->ki());
  SecretBytes buf(kConfounderLength + plaintext.size());
  MutableByteView b = buf.reveal_mutable();
  rng.fill(b.first(kConfounderLength));
  std::copy(plaintext.begin(), plaintext.end(), b.begin() + kConfounderLength);
  Bytes out(buf.size() + p.mac_len);
  MutableByteView o(out);
  KB_CHECK(ke->cts().encrypt(buf.reveal(), o.first(buf.size())));
  // Encrypt-then-MAC: H = HMAC(Ki, IV | C).
  KB_CHECK(ki->mac().compute({kZeroIv, o.first(buf.size())}, o.subspan(buf.size())));
  return out;
}

Result<SecretBytes> decrypt(Key::State& key, std::uint32_t usage, ByteView ciphertext) {
  const Params p = params(key.enctype);
  if (ciphertext.size() < kConfounderLength + p.mac_len) {
    return Error(Errc::kCiphertextTooShort, "shorter than confounder and MAC");
  }
  const internal::UsageKeys* k = KB_TRY(usage_keys(key, usage));
  const internal::IntegritySubkey* ki = KB_TRY(k->ki());
  const std::size_t n = ciphertext.size() - p.mac_len;
  std::array<std::uint8_t, 24> mac{};
  MutableByteView m = MutableByteView(mac).first(p.mac_len);
  KB_CHECK(ki->mac().compute({kZeroIv, ciphertext.first(n)}, m));
  if (!constant_time_equal(m, ciphertext.subspan(n))) {
    return Error(Errc::kIntegrity, "HMAC mismatch");
  }
  const internal::EncryptionSubkey* ke = KB_TRY(k->ke());
  SecretBytes buf(n);
  KB_CHECK(ke->cts().decrypt(ciphertext.first(n), buf.reveal_mutable()));
  return SecretBytes(buf.reveal().subspan(kConfounderLength));
}

Result<Bytes> checksum(Key::State& key, std::uint32_t usage, ByteView data) {
  const Params p = params(key.enctype);
  const internal::UsageKeys* k = KB_TRY(usage_keys(key, usage));
  const internal::ChecksumSubkey* kc = KB_TRY(k->kc());
  Bytes out(p.mac_len);
  KB_CHECK(kc->mac().compute({data}, out));
  return out;
}

Result<SecretBytes> string_to_key(EncType e, ByteView password, ByteView salt,
                                  std::uint32_t iterations) {
  const Params p = params(e);
  Bytes saltp = to_bytes(enctype_name(e));
  saltp.push_back(0);
  append(saltp, salt);
  SecretBytes tkey(p.key_len);
  KB_CHECK(internal::pbkdf2(p.digest, password, saltp, iterations, tkey.reveal_mutable()));
  return kdf(p, tkey.reveal(), as_bytes("kerberos"), p.key_len);
}

Result<SecretBytes> prf(const Key::State& key, ByteView input) {
  const Params p = params(key.enctype);
  SecretBytes out(p.prf_len);
  KB_CHECK(internal::kbkdf_hmac(p.digest, key.bytes.reveal(), as_bytes("prf"), input,
                                out.reveal_mutable()));
  return out;
}

}  // namespace kb::crypto::rfc8009
