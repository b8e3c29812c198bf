#include "jose/jwe.h"

#include <array>

#include "base/base64.h"
#include "base/json.h"
#include "crypto/symmetric.h"

namespace kb::jose {

namespace {

constexpr std::size_t kCekSize = 32;  // A256GCM

crypto::OaepHash oaep_hash(JweKeyAlg a) {
  return a == JweKeyAlg::kRsaOaep ? crypto::OaepHash::kSha1 : crypto::OaepHash::kSha256;
}

bool known_alg(std::string_view a) {
  return a == "RSA-OAEP" || a == "RSA-OAEP-256" || a == "dir";
}

Error from_crypto(const Error& e) {
  if (e.is(crypto::PkeyErrc::kIntegrity)) return Error(JoseErrc::kIntegrity, e.detail());
  if (e.is(crypto::PkeyErrc::kBadLength)) return Error(JoseErrc::kBadLength, e.detail());
  if (e.is(crypto::PkeyErrc::kBadKey)) return Error(JoseErrc::kBadKey, e.detail());
  if (e.is(crypto::PkeyErrc::kDecrypt)) return Error(JoseErrc::kDecrypt, e.detail());
  return Error(JoseErrc::kCrypto, e.detail());
}

}  // namespace

std::string_view alg_name(JweKeyAlg a) {
  return a == JweKeyAlg::kRsaOaep ? "RSA-OAEP" : "RSA-OAEP-256";
}

Result<Jwe> parse_jwe(std::string_view compact, const Limits& limits) {
  auto seg = KB_TRY(split_compact(compact, 5, limits));
  Jwe j;
  j.header = KB_TRY(decode_header(seg[0], limits));
  j.header_b64 = std::string(seg[0]);
  j.alg = KB_TRY(header_string(j.header, "alg"));
  j.enc = KB_TRY(header_string(j.header, "enc"));
  KB_CHECK(refuse_extensions(j.header));
  j.encrypted_key = KB_TRY(decode_segment(seg[1], "encrypted key"));
  j.iv = KB_TRY(decode_segment(seg[2], "iv"));
  j.ciphertext = KB_TRY(decode_segment(seg[3], "ciphertext"));
  j.tag = KB_TRY(decode_segment(seg[4], "tag"));
  return j;
}

Result<SecretBytes> decrypt_a256gcm_content(const Jwe& jwe, const SecretBytes& cek) {
  if (jwe.enc != "A256GCM") return Error(JoseErrc::kUnsupportedAlg, "enc is not A256GCM");
  // RFC 7518 5.3: 96-bit IV, 128-bit tag; anything shorter is refused, never truncated.
  if (cek.size() != kCekSize) return Error(JoseErrc::kBadLength, "CEK not 32 bytes");
  if (jwe.iv.size() != crypto::kGcmIvSize) return Error(JoseErrc::kBadLength, "IV not 12 bytes");
  if (jwe.tag.size() != crypto::kGcmTagSize) {
    return Error(JoseErrc::kBadLength, "tag not 16 bytes");
  }
  // RFC 7516 5.2 step 14: AAD = ASCII(Encoded Protected Header).
  auto pt =
      crypto::aes256_gcm_decrypt(cek, jwe.iv, as_bytes(jwe.header_b64), jwe.ciphertext, jwe.tag);
  if (!pt) return from_crypto(pt.error());
  return std::move(*pt);
}

Result<std::string> seal_a256gcm(const boost::json::object& header, ByteView encrypted_key,
                                 const SecretBytes& cek, ByteView plaintext, Rng& rng) {
  std::string h = base64url_encode(as_bytes(json::serialize(header)));
  std::array<std::uint8_t, crypto::kGcmIvSize> iv{};
  rng.fill(iv);
  auto sealed = crypto::aes256_gcm_encrypt(cek, iv, as_bytes(h), plaintext);
  if (!sealed) return from_crypto(sealed.error());
  std::string out = h;
  for (ByteView part :
       {encrypted_key, ByteView(iv), ByteView(sealed->ciphertext), ByteView(sealed->tag)}) {
    out += '.';
    out += base64url_encode(part);
  }
  return out;
}

Result<std::string> encrypt_jwe(const crypto::PublicKey& key, JweKeyAlg alg, ByteView plaintext,
                                Rng& rng, const boost::json::object& extra_header) {
  for (std::string_view reserved : {"alg", "enc", "zip", "crit"}) {
    if (extra_header.contains(reserved)) {
      return Error(JoseErrc::kUnsupportedHeader, "caller header sets " + std::string(reserved));
    }
  }
  boost::json::object h = extra_header;
  h["enc"] = "A256GCM";
  h["alg"] = alg_name(alg);
  SecretBytes cek(kCekSize);
  rng.fill(cek.reveal_mutable());
  auto ek = crypto::rsa_oaep_encrypt(key, oaep_hash(alg), cek.reveal());
  if (!ek) return from_crypto(ek.error());
  return seal_a256gcm(h, *ek, cek, plaintext, rng);
}

Result<SecretBytes> decrypt_jwe(std::string_view compact, const crypto::PrivateKey& key,
                                JweKeyAlg expected, const Limits& limits) {
  Jwe j = KB_TRY(parse_jwe(compact, limits));
  if (j.alg != alg_name(expected)) {
    if (!known_alg(j.alg)) return Error(JoseErrc::kUnsupportedAlg, "alg not supported");
    return Error(JoseErrc::kAlgMismatch, "alg differs from the key's algorithm");
  }
  if (j.enc != "A256GCM") return Error(JoseErrc::kUnsupportedAlg, "enc is not A256GCM");
  auto cek = crypto::rsa_oaep_decrypt(key, oaep_hash(expected), j.encrypted_key);
  if (!cek) return from_crypto(cek.error());
  return decrypt_a256gcm_content(j, *cek);
}

}  // namespace kb::jose
