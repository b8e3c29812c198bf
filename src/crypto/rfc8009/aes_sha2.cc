#include "crypto/rfc8009/aes_sha2.h"

#include <algorithm>
#include <array>

#include "crypto/internal/ossl.h"
#include "crypto/rfc3961/simplified.h"

namespace kb::crypto::rfc8009 {
namespace {

// RFC 8009 §5: the MAC covers the (all-zero) initial cipher state, then the ciphertext.
constexpr std::array<std::uint8_t, 16> kZeroIv{};

Result<const internal::UsageKeys*> usage_keys(Key::State& key, std::uint32_t usage) {
  return key.cache.get(usage, [&key](std::uint32_t u) {
    return derive_usage_keys(key.enctype, key.bytes.reveal(), u);
  });
}

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

Result<std::unique_ptr<internal::UsageKeys>> derive_usage_keys(EncType e, ByteView base,
                                                               std::uint32_t usage) {
  const Params p = params(e);
  auto ke_c = rfc3961::usage_constant(usage, rfc3961::kKeyEncryption);
  auto ki_c = rfc3961::usage_constant(usage, rfc3961::kKeyIntegrity);
  auto kc_c = rfc3961::usage_constant(usage, rfc3961::kKeyChecksum);
  SecretBytes ke_b = KB_TRY(kdf(p, base, ke_c, p.key_len));
  SecretBytes ki_b = KB_TRY(kdf(p, base, ki_c, p.mac_len));
  SecretBytes kc_b = KB_TRY(kdf(p, base, kc_c, p.mac_len));
  auto ke = KB_TRY(internal::EncryptionSubkey::create(std::move(ke_b)));
  auto ki = KB_TRY(internal::IntegritySubkey::create(p.digest, std::move(ki_b)));
  auto kc = KB_TRY(internal::ChecksumSubkey::create(p.digest, std::move(kc_b)));
  return std::make_unique<internal::UsageKeys>(
      internal::UsageKeys{std::move(ke), std::move(ki), std::move(kc)});
}

Result<Bytes> encrypt(Key::State& key, std::uint32_t usage, ByteView plaintext, Rng& rng) {
  const Params p = params(key.enctype);
  const internal::UsageKeys* k = KB_TRY(usage_keys(key, usage));
  SecretBytes buf(kConfounderLength + plaintext.size());
  MutableByteView b = buf.reveal_mutable();
  rng.fill(b.first(kConfounderLength));
  std::copy(plaintext.begin(), plaintext.end(), b.begin() + kConfounderLength);
  Bytes out(buf.size() + p.mac_len);
  MutableByteView o(out);
  KB_CHECK(k->ke.cts().encrypt(buf.reveal(), o.first(buf.size())));
  // Encrypt-then-MAC: H = HMAC(Ki, IV | C).
  KB_CHECK(k->ki.mac().compute({kZeroIv, o.first(buf.size())}, o.subspan(buf.size())));
  return out;
}

Result<SecretBytes> decrypt(Key::State& key, std::uint32_t usage, ByteView ciphertext) {
  const Params p = params(key.enctype);
  if (ciphertext.size() < kConfounderLength + p.mac_len) {
    return Error(Errc::kCiphertextTooShort, "shorter than confounder and MAC");
  }
  const internal::UsageKeys* k = KB_TRY(usage_keys(key, usage));
  const std::size_t n = ciphertext.size() - p.mac_len;
  std::array<std::uint8_t, 24> mac{};
  MutableByteView m = MutableByteView(mac).first(p.mac_len);
  KB_CHECK(k->ki.mac().compute({kZeroIv, ciphertext.first(n)}, m));
  if (!constant_time_equal(m, ciphertext.subspan(n))) {
    return Error(Errc::kIntegrity, "HMAC mismatch");
  }
  SecretBytes buf(n);
  KB_CHECK(k->ke.cts().decrypt(ciphertext.first(n), buf.reveal_mutable()));
  return SecretBytes(buf.reveal().subspan(kConfounderLength));
}

Result<Bytes> checksum(Key::State& key, std::uint32_t usage, ByteView data) {
  const Params p = params(key.enctype);
  const internal::UsageKeys* k = KB_TRY(usage_keys(key, usage));
  Bytes out(p.mac_len);
  KB_CHECK(k->kc.mac().compute({data}, out));
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
