#include "crypto/rfc3962/aes_sha1.h"

#include <algorithm>
#include <array>

#include "crypto/internal/ossl.h"
#include "crypto/rfc3961/simplified.h"

namespace kb::crypto::rfc3962 {
namespace {

Result<const internal::UsageKeys*> usage_keys(Key::State& key, std::uint32_t usage) {
  return key.cache.get(
      usage, [&key](std::uint32_t u) { return derive_usage_keys(key.bytes.reveal(), u); });
}

}  // namespace

Result<std::unique_ptr<internal::UsageKeys>> derive_usage_keys(ByteView base, std::uint32_t usage) {
  const std::size_t n = base.size();
  auto ke_c = rfc3961::usage_constant(usage, rfc3961::kKeyEncryption);
  auto ki_c = rfc3961::usage_constant(usage, rfc3961::kKeyIntegrity);
  auto kc_c = rfc3961::usage_constant(usage, rfc3961::kKeyChecksum);
  SecretBytes ke_b = KB_TRY(rfc3961::derive_key_aes(base, ke_c, n));
  SecretBytes ki_b = KB_TRY(rfc3961::derive_key_aes(base, ki_c, n));
  SecretBytes kc_b = KB_TRY(rfc3961::derive_key_aes(base, kc_c, n));
  auto ke = KB_TRY(internal::EncryptionSubkey::create(std::move(ke_b)));
  auto ki = KB_TRY(internal::IntegritySubkey::create(internal::kSha1, std::move(ki_b)));
  auto kc = KB_TRY(internal::ChecksumSubkey::create(internal::kSha1, std::move(kc_b)));
  return std::make_unique<internal::UsageKeys>(
      internal::UsageKeys{std::move(ke), std::move(ki), std::move(kc)});
}

Result<Bytes> encrypt(Key::State& key, std::uint32_t usage, ByteView plaintext, Rng& rng) {
  const internal::UsageKeys* k = KB_TRY(usage_keys(key, usage));
  // RFC 3961 §5.3: C1 = E(Ke, conf | plaintext), H1 = HMAC(Ki, conf | plaintext).
  SecretBytes buf(kConfounderLength + plaintext.size());
  MutableByteView b = buf.reveal_mutable();
  rng.fill(b.first(kConfounderLength));
  std::copy(plaintext.begin(), plaintext.end(), b.begin() + kConfounderLength);
  Bytes out(buf.size() + kMacLength);
  MutableByteView o(out);
  KB_CHECK(k->ke.cts().encrypt(buf.reveal(), o.first(buf.size())));
  KB_CHECK(k->ki.mac().compute({buf.reveal()}, o.subspan(buf.size())));
  return out;
}

Result<SecretBytes> decrypt(Key::State& key, std::uint32_t usage, ByteView ciphertext) {
  if (ciphertext.size() < kConfounderLength + kMacLength) {
    return Error(Errc::kCiphertextTooShort, "shorter than confounder and MAC");
  }
  const internal::UsageKeys* k = KB_TRY(usage_keys(key, usage));
  const std::size_t n = ciphertext.size() - kMacLength;
  SecretBytes buf(n);
  KB_CHECK(k->ke.cts().decrypt(ciphertext.first(n), buf.reveal_mutable()));
  std::array<std::uint8_t, kMacLength> mac{};
  KB_CHECK(k->ki.mac().compute({buf.reveal()}, mac));
  if (!constant_time_equal(mac, ciphertext.subspan(n))) {
    return Error(Errc::kIntegrity, "HMAC mismatch");
  }
  return SecretBytes(buf.reveal().subspan(kConfounderLength));
}

Result<Bytes> checksum(Key::State& key, std::uint32_t usage, ByteView data) {
  const internal::UsageKeys* k = KB_TRY(usage_keys(key, usage));
  Bytes out(kMacLength);
  KB_CHECK(k->kc.mac().compute({data}, out));
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
