#include "jose/oapxbc.h"

#include <array>

#include "base/base64.h"
#include "base/json.h"
#include "crypto/symmetric.h"

namespace kb::jose::oapxbc {

namespace {

Error from_crypto(const Error& e) {
  if (e.is(crypto::PkeyErrc::kIntegrity)) return Error(JoseErrc::kIntegrity, e.detail());
  if (e.is(crypto::PkeyErrc::kBadLength)) return Error(JoseErrc::kBadLength, e.detail());
  if (e.is(crypto::PkeyErrc::kDecrypt)) return Error(JoseErrc::kDecrypt, e.detail());
  if (e.is(crypto::PkeyErrc::kBadKey)) return Error(JoseErrc::kBadKey, e.detail());
  return Error(JoseErrc::kCrypto, e.detail());
}

Result<void> check_session_key(const SecretBytes& k) {
  if (k.size() != kSessionKeySize) return Error(JoseErrc::kBadLength, "session key not 32 bytes");
  return kb::ok();
}

// "kdf_ver": absent means 1 (MS-OAPXBC 3.1.5.2.1.3); only 1 and 2 exist.
Result<KdfVersion> read_kdf_ver(const boost::json::object& h) {
  const auto* v = h.if_contains("kdf_ver");
  if (v == nullptr) return KdfVersion::kV1;
  if (v->is_int64() && v->get_int64() == 1) return KdfVersion::kV1;
  if (v->is_int64() && v->get_int64() == 2) return KdfVersion::kV2;
  return Error(JoseErrc::kUnsupportedHeader, "unknown kdf_ver");
}

Result<SecretBytes> derive(const SecretBytes& session_key, ByteView ctx, KdfVersion v,
                           ByteView payload) {
  auto k = v == KdfVersion::kV1 ? crypto::oapxbc_derive_key(session_key, ctx)
                                : crypto::oapxbc_derive_key_v2(session_key, ctx, payload);
  if (!k) return from_crypto(k.error());
  return std::move(*k);
}

Bytes fresh_ctx(Rng& rng) {
  Bytes ctx(kCtxSize);
  rng.fill(ctx);
  return ctx;
}

Result<SecretBytes> decrypt_cbc(const Jwe& j, const SecretBytes& key) {
  // Observed form (ROADtools decrypt_auth_response_derivedkey, compact-jwt decipher_prt_v2):
  // AES-256-CBC, PKCS#7, no tag. A tag we cannot check is refused rather than ignored.
  if (!j.tag.empty()) return Error(JoseErrc::kMalformed, "CBC form carries a tag");
  auto pt = crypto::aes256_cbc_decrypt(key, j.iv, j.ciphertext);
  if (!pt) return from_crypto(pt.error());
  return std::move(*pt);
}

Result<Jwe> parse_dir(const SecretBytes& session_key, std::string_view jwe, const Limits& limits) {
  KB_CHECK(check_session_key(session_key));
  Jwe j = KB_TRY(parse_jwe(jwe, limits));
  if (j.alg != "dir") {
    if (j.alg == "RSA-OAEP" || j.alg == "RSA-OAEP-256") {
      return Error(JoseErrc::kAlgMismatch, "alg is not dir");
    }
    return Error(JoseErrc::kUnsupportedAlg, "alg not supported");
  }
  if (j.enc != "A256GCM") return Error(JoseErrc::kUnsupportedAlg, "enc is not A256GCM");
  // RFC 7516 5.2 step 10 for dir: the encrypted key must be empty.
  if (!j.encrypted_key.empty()) return Error(JoseErrc::kMalformed, "dir JWE with encrypted key");
  return j;
}

}  // namespace

Result<std::string> make_session_key_jwe(const SecretBytes& session_key,
                                         const crypto::PublicKey& transport_key, Rng& rng) {
  KB_CHECK(check_session_key(session_key));
  auto ek = crypto::rsa_oaep_encrypt(transport_key, crypto::OaepHash::kSha1, session_key.reveal());
  if (!ek) return from_crypto(ek.error());
  boost::json::object h;
  h["enc"] = "A256GCM";
  h["alg"] = "RSA-OAEP";
  return seal_a256gcm(h, *ek, session_key, {}, rng);
}

Result<SecretBytes> unwrap_session_key_jwe(std::string_view jwe,
                                           const crypto::PrivateKey& transport_key,
                                           const Limits& limits) {
  Jwe j = KB_TRY(parse_jwe(jwe, limits));
  if (j.alg != "RSA-OAEP") {
    if (j.alg == "dir" || j.alg == "RSA-OAEP-256") {
      return Error(JoseErrc::kAlgMismatch, "session_key_jwe alg is not RSA-OAEP");
    }
    return Error(JoseErrc::kUnsupportedAlg, "alg not supported");
  }
  if (j.enc != "A256GCM") return Error(JoseErrc::kUnsupportedAlg, "enc is not A256GCM");
  auto key = crypto::rsa_oaep_decrypt(transport_key, crypto::OaepHash::kSha1, j.encrypted_key);
  if (!key) return from_crypto(key.error());
  if (key->size() != kSessionKeySize) {
    return Error(JoseErrc::kBadLength, "session key not 32 bytes");
  }
  return std::move(*key);
}

Result<Bytes> read_ctx(const boost::json::object& header) {
  std::string text = KB_TRY(header_string(header, "ctx"));
  // The ctx member is standard base64 (Entra, ROADtools, compact-jwt), not base64url.
  auto ctx = base64_decode(text);
  if (!ctx) return Error(JoseErrc::kBadBase64, "ctx is not base64");
  if (ctx->size() < kMinCtx || ctx->size() > kMaxCtx) {
    return Error(JoseErrc::kBadLength, "ctx length out of range");
  }
  return std::move(*ctx);
}

Result<std::string> encrypt_with_session_key(const SecretBytes& session_key, ByteView plaintext,
                                             Rng& rng) {
  KB_CHECK(check_session_key(session_key));
  Bytes ctx = fresh_ctx(rng);
  SecretBytes key = KB_TRY(derive(session_key, ctx, KdfVersion::kV1, {}));
  boost::json::object h;
  h["alg"] = "dir";
  h["enc"] = "A256GCM";
  h["ctx"] = base64_encode(ctx);
  return seal_a256gcm(h, {}, key, plaintext, rng);
}

Result<std::string> encrypt_with_session_key_cbc(const SecretBytes& session_key, ByteView plaintext,
                                                 Rng& rng) {
  KB_CHECK(check_session_key(session_key));
  Bytes ctx = fresh_ctx(rng);
  SecretBytes key = KB_TRY(derive(session_key, ctx, KdfVersion::kV1, {}));
  boost::json::object h;
  h["alg"] = "dir";
  h["enc"] = "A256GCM";  // sic: the observed CBC form still says A256GCM
  h["ctx"] = base64_encode(ctx);
  std::array<std::uint8_t, crypto::kAesBlock> iv{};
  rng.fill(iv);
  auto ct = crypto::aes256_cbc_encrypt(key, iv, plaintext);
  if (!ct) return from_crypto(ct.error());
  return base64url_encode(as_bytes(json::serialize(h))) + ".." + base64url_encode(iv) + "." +
         base64url_encode(*ct) + ".";
}

Result<SecretBytes> decrypt_with_session_key(const SecretBytes& session_key, std::string_view jwe,
                                             const Limits& limits) {
  Jwe j = KB_TRY(parse_dir(session_key, jwe, limits));
  Bytes ctx = KB_TRY(read_ctx(j.header));
  KdfVersion v = KB_TRY(read_kdf_ver(j.header));
  if (v != KdfVersion::kV1) {
    return Error(JoseErrc::kUnsupportedHeader, "kdf_ver 2 on a JWE is not supported");
  }
  SecretBytes key = KB_TRY(derive(session_key, ctx, v, {}));
  if (j.iv.size() == crypto::kGcmIvSize) return decrypt_a256gcm_content(j, key);
  if (j.iv.size() == crypto::kAesBlock) return decrypt_cbc(j, key);
  return Error(JoseErrc::kBadLength, "IV neither 12 nor 16 bytes");
}

Result<std::string> sign_with_session_key(const SecretBytes& session_key,
                                          const boost::json::object& extra_header, ByteView payload,
                                          KdfVersion kdf, Rng& rng) {
  KB_CHECK(check_session_key(session_key));
  for (std::string_view reserved : {"ctx", "kdf_ver"}) {
    if (extra_header.contains(reserved)) {
      return Error(JoseErrc::kUnsupportedHeader, "caller header sets " + std::string(reserved));
    }
  }
  Bytes ctx = fresh_ctx(rng);
  boost::json::object h = extra_header;
  h["ctx"] = base64_encode(ctx);
  if (kdf == KdfVersion::kV2) h["kdf_ver"] = 2;
  SecretBytes key = KB_TRY(derive(session_key, ctx, kdf, payload));
  return sign_jws_hs256(h, payload, key);
}

Result<Jws> verify_with_session_key(const SecretBytes& session_key, std::string_view jws,
                                    KdfVersion minimum, const Limits& limits) {
  KB_CHECK(check_session_key(session_key));
  Jws j = KB_TRY(parse_jws(jws, limits));
  if (j.alg != "HS256") {
    if (j.alg == "RS256" || j.alg == "ES256") {
      return Error(JoseErrc::kAlgMismatch, "alg is not HS256");
    }
    return Error(JoseErrc::kUnsupportedAlg, "alg not supported");
  }
  Bytes ctx = KB_TRY(read_ctx(j.header));
  KdfVersion v = KB_TRY(read_kdf_ver(j.header));
  if (static_cast<int>(v) < static_cast<int>(minimum)) {
    return Error(JoseErrc::kUnsupportedHeader, "kdf_ver below the required version");
  }
  SecretBytes key = KB_TRY(derive(session_key, ctx, v, j.payload));
  KB_CHECK(check_hs256(j, key));
  return j;
}

}  // namespace kb::jose::oapxbc
