#include "crypto/rfc3962/aes_sha1.h"

#include <algorithm>
#include <array>

#include "crypto/internal/ossl.h"
#include "crypto/rfc3961/simplified.h"

namespace kb::crypto::rfc3962 {
Result<SecretBytes> derive_subkey(const Key::State& base, std::uint32_t usage,
                                  std::uint8_t selector) {
  const auto constant = rfc3961::usage_constant(usage, selector);
  return rfc3961::derive_key_aes(base.bytes.reveal(), constant, base.bytes.size());
}

Result<const internal::UsageKeys*> usage_keys(const Key::State& base, std::uint32_t usage) {
  return base.cache.get(usage, [&base](std::uint32_t u) {
    return std::make_unique<internal::UsageKeys>(base, u, &derive_subkey, internal::kSha1);
  });
}

Result<Bytes> encrypt(Key::State& key, std::uint32_t usage, ByteView plaintext, Rng& rng) {
  const internal::UsageKeys* k = KB_TRY(usage_keys(key, usage));
  const internal::EncryptionSubkey* ke = KB_TRY(k->ke());
  const internal::IntegritySubkey* ki = KB_TRY(k->ki());
  // RFC 3961 §5.3: C1 = E(Ke, conf | plaintext), H1 = HMAC(Ki, conf | plaintext).
  SecretBytes buf(kConfounderLength + plaintext.size());
  MutableByteView b = buf.reveal_mutable();
  rng.fill(b.first(kConfounderLength));
  std::copy(plaintext.begin(), plaintext.end(), b.begin() + kConfounderLength);
  Bytes out(buf.size() + kMacLength);
  MutableByteView o(out);
  KB_CHECK(ke->cts().encrypt(buf.reveal(), o.first(buf.size())));
  KB_CHECK(ki->mac().compute({buf.reveal()}, o.subspan(buf.size())));
  return out;
}

Result<SecretBytes> decrypt(Key::State& key, std::uint32_t usage, ByteView ciphertext) {
  if (ciphertext.size() < kConfounderLength + kMacLength) {
    return Error(Errc::kCiphertextTooShort, "shorter than confounder and MAC");
  }
  const internal::UsageKeys* k = KB_TRY(usage_keys(key, usage));
  const internal::EncryptionSubkey* ke = KB_TRY(k->ke());
  const internal::IntegritySubkey* ki = KB_TRY(k->ki());
  const std::size_t n = ciphertext.size() - kMacLength;
  SecretBytes buf(n);
  KB_CHECK(ke->cts().decrypt(ciphertext.first(n), buf.reveal_mutable()));
  std::array<std::uint8_t, kMacLength> mac{};
  KB_CHECK(ki->mac().compute({buf.reveal()}, mac));
  if (!constant_time_equal(mac, ciphertext.subspan(n))) {
    return Error(Errc::kIntegrity, "HMAC mismatch");
  }
  return SecretBytes(buf.reveal().subspan(kConfounderLength));
}

Result<Bytes> checksum(Key::State& key, std::uint32_t usage, ByteView data) {
  const internal::UsageKeys* k = KB_TRY(usage_keys(key, usage));
  const internal::ChecksumSubkey* kc = KB_TRY(k->kc());
  Bytes out(kMacLength);
  KB_CHECK(kc->mac().compute({data}, out));
  return out;
}

Result<SecretBytes> string_to_key(std::size_t key_len, ByteView password, ByteView salt,
                                  std::uint32_t iterations) {
  SecretBytes tkey(key_len);
  KB_CHECK(internal::pbkdf2(internal::kSha1, password, salt, iterations, tkey.reveal_mutable()));
  return rfc3961::derive_key_aes(tkey.reveal(), as_bytes("kerberos"), key_len);
}

Result<SecretBytes> prf(const Key::State& key, ByteView input) {
  const internal::Algorithms* a = KB_TRY(internal::algorithms());
  std::array<std::uint8_t, 16> tmp{};
  KB_CHECK(internal::digest(a->sha1, {input}, tmp));  // truncated to one AES block
  SecretBytes kp =
      KB_TRY(rfc3961::derive_key_aes(key.bytes.reveal(), as_bytes("prf"), key.bytes.size()));
  SecretBytes out(16);
  KB_CHECK(internal::aes_ecb_encrypt(kp.reveal(), tmp, out.reveal_mutable()));
  return out;
}

}  // namespace kb::crypto::rfc3962
