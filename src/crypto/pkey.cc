#include "crypto/pkey.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstring>
#include <memory>
#include <string>

#include "crypto/internal/ossl.h"
#include "crypto/internal/pkey_handle.h"

namespace kb::crypto {

std::string_view error_code_name(PkeyErrc e) {
  switch (e) {
    case PkeyErrc::kBadKey:
      return "bad_key";
    case PkeyErrc::kBadSignature:
      return "bad_signature";
    case PkeyErrc::kDecrypt:
      return "decrypt";
    case PkeyErrc::kIntegrity:
      return "integrity";
    case PkeyErrc::kBadLength:
      return "bad_length";
    case PkeyErrc::kBadCertificate:
      return "bad_certificate";
    case PkeyErrc::kOpenssl:
      return "openssl";
  }
  return "unknown";
}

namespace {

using internal::libctx;
using internal::ossl_fail;

constexpr unsigned kMinRsaBits = 2048;
constexpr unsigned kMaxRsaBits = 4096;

Error bad_key(std::string_view what) {
  ERR_clear_error();
  return Error(PkeyErrc::kBadKey, std::string(what));
}

struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
struct SigFree {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};
using EcdsaSig = std::unique_ptr<ECDSA_SIG, SigFree>;
struct P8Free {
  void operator()(PKCS8_PRIV_KEY_INFO* p) const { PKCS8_PRIV_KEY_INFO_free(p); }
};
using P8 = std::unique_ptr<PKCS8_PRIV_KEY_INFO, P8Free>;

std::optional<KeyType> classify(EVP_PKEY* p) {
  if (EVP_PKEY_is_a(p, "RSA") == 1) {
    int bits = EVP_PKEY_get_bits(p);
    if (bits < static_cast<int>(kMinRsaBits) || bits > static_cast<int>(kMaxRsaBits)) {
      return std::nullopt;
    }
    return KeyType::kRsa;
  }
  if (EVP_PKEY_is_a(p, "EC") == 1) {
    char group[64] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_group_name(p, group, sizeof(group), &len) != 1) return std::nullopt;
    if (std::strcmp(group, "prime256v1") != 0 && std::strcmp(group, "P-256") != 0) {
      return std::nullopt;
    }
    return KeyType::kEcP256;
  }
  return std::nullopt;
}

// Wraps a freshly obtained EVP_PKEY after checking it is a kind we accept.
Result<std::shared_ptr<const PkeyHandle>> adopt(EVP_PKEY* p, bool is_private) {
  auto h = std::make_shared<const PkeyHandle>(p);
  if (!classify(p)) return bad_key("unsupported key type or size");
  OSSL_LIB_CTX* lc = KB_TRY(libctx());
  PkeyCtx c(EVP_PKEY_CTX_new_from_pkey(lc, p, nullptr));
  if (!c) return ossl_fail("EVP_PKEY_CTX_new_from_pkey");
  // An EC point off the curve or an inconsistent private key is refused here, once.
  int ok = is_private ? EVP_PKEY_pairwise_check(c.get()) : EVP_PKEY_public_check(c.get());
  if (ok != 1) return bad_key("key fails its consistency check");
  return h;
}

Result<const PkeyHandle*> usable(const std::shared_ptr<const PkeyHandle>& h) {
  if (h == nullptr) return Error(PkeyErrc::kBadKey, "empty key");
  return h.get();
}

const char* oaep_md(OaepHash h) {
  return h == OaepHash::kSha1 ? "SHA1" : "SHA2-256";
}

Result<PkeyCtx> oaep_ctx(EVP_PKEY* p, OaepHash hash, bool encrypt) {
  if (EVP_PKEY_is_a(p, "RSA") != 1) return Error(PkeyErrc::kBadKey, "RSA-OAEP needs an RSA key");
  OSSL_LIB_CTX* lc = KB_TRY(libctx());
  PkeyCtx c(EVP_PKEY_CTX_new_from_pkey(lc, p, nullptr));
  if (!c) return ossl_fail("EVP_PKEY_CTX_new_from_pkey");
  int ok = encrypt ? EVP_PKEY_encrypt_init(c.get()) : EVP_PKEY_decrypt_init(c.get());
  if (ok != 1 || EVP_PKEY_CTX_set_rsa_padding(c.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md_name(c.get(), oaep_md(hash), nullptr) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md_name(c.get(), oaep_md(hash), nullptr) != 1) {
    return ossl_fail("RSA-OAEP setup");
  }
  return c;
}

Result<void> key_fits(EVP_PKEY* p, SignatureAlg alg) {
  std::optional<KeyType> t = classify(p);
  KeyType want = alg == SignatureAlg::kRs256 ? KeyType::kRsa : KeyType::kEcP256;
  if (!t || *t != want) return Error(PkeyErrc::kBadKey, "key type does not fit the algorithm");
  return kb::ok();
}

}  // namespace

// ---- PublicKey --------------------------------------------------------------------------

Result<PublicKey> PublicKey::from_spki_der(ByteView der) {
  OSSL_LIB_CTX* lc = KB_TRY(libctx());
  const unsigned char* p = der.data();
  EVP_PKEY* k = d2i_PUBKEY_ex(nullptr, &p, static_cast<long>(der.size()), lc, nullptr);
  if (k == nullptr) return bad_key("malformed SubjectPublicKeyInfo");
  if (p != der.data() + der.size()) {
    EVP_PKEY_free(k);
    return bad_key("trailing bytes after SubjectPublicKeyInfo");
  }
  return PublicKey(KB_TRY(adopt(k, false)));
}

Result<Bytes> PublicKey::to_spki_der() const {
  const PkeyHandle* h = KB_TRY(usable(h_));
  int n = i2d_PUBKEY(h->pkey, nullptr);
  if (n <= 0) return ossl_fail("i2d_PUBKEY");
  Bytes out(static_cast<std::size_t>(n));
  unsigned char* p = out.data();
  if (i2d_PUBKEY(h->pkey, &p) != n) return ossl_fail("i2d_PUBKEY");
  return out;
}

KeyType PublicKey::type() const {
  return h_ == nullptr ? KeyType::kRsa : classify(h_->pkey).value_or(KeyType::kRsa);
}
std::size_t PublicKey::bits() const {
  return h_ == nullptr ? 0 : static_cast<std::size_t>(EVP_PKEY_get_bits(h_->pkey));
}

// ---- PrivateKey -------------------------------------------------------------------------

Result<PrivateKey> PrivateKey::generate_rsa(unsigned bits) {
  if (bits < kMinRsaBits || bits > kMaxRsaBits) {
    return Error(PkeyErrc::kBadKey, "RSA size outside 2048..4096");
  }
  OSSL_LIB_CTX* lc = KB_TRY(libctx());
  PkeyCtx c(EVP_PKEY_CTX_new_from_name(lc, "RSA", nullptr));
  EVP_PKEY* k = nullptr;
  if (!c || EVP_PKEY_keygen_init(c.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(c.get(), static_cast<int>(bits)) != 1 ||
      EVP_PKEY_generate(c.get(), &k) != 1) {
    return ossl_fail("RSA key generation");
  }
  return PrivateKey(KB_TRY(adopt(k, true)));
}

Result<PrivateKey> PrivateKey::generate_ec_p256() {
  OSSL_LIB_CTX* lc = KB_TRY(libctx());
  PkeyCtx c(EVP_PKEY_CTX_new_from_name(lc, "EC", nullptr));
  EVP_PKEY* k = nullptr;
  if (!c || EVP_PKEY_keygen_init(c.get()) != 1 ||
      EVP_PKEY_CTX_set_group_name(c.get(), "P-256") != 1 || EVP_PKEY_generate(c.get(), &k) != 1) {
    return ossl_fail("P-256 key generation");
  }
  return PrivateKey(KB_TRY(adopt(k, true)));
}

Result<PrivateKey> PrivateKey::from_pkcs8_der(ByteView der) {
  OSSL_LIB_CTX* lc = KB_TRY(libctx());
  const unsigned char* p = der.data();
  P8 info(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size())));
  if (!info) return bad_key("malformed PKCS#8 PrivateKeyInfo");
  if (p != der.data() + der.size()) return bad_key("trailing bytes after PKCS#8");
  EVP_PKEY* k = EVP_PKCS82PKEY_ex(info.get(), lc, nullptr);
  if (k == nullptr) return bad_key("unusable PKCS#8 key");
  return PrivateKey(KB_TRY(adopt(k, true)));
}

Result<SecretBytes> PrivateKey::to_pkcs8_der() const {
  const PkeyHandle* h = KB_TRY(usable(h_));
  P8 info(EVP_PKEY2PKCS8(h->pkey));
  if (!info) return ossl_fail("EVP_PKEY2PKCS8");
  int n = i2d_PKCS8_PRIV_KEY_INFO(info.get(), nullptr);
  if (n <= 0) return ossl_fail("i2d_PKCS8_PRIV_KEY_INFO");
  SecretBytes out(static_cast<std::size_t>(n));
  unsigned char* p = out.reveal_mutable().data();
  if (i2d_PKCS8_PRIV_KEY_INFO(info.get(), &p) != n) return ossl_fail("i2d_PKCS8_PRIV_KEY_INFO");
  return out;
}

Result<PublicKey> PrivateKey::public_key() const {
  const PkeyHandle* h = KB_TRY(usable(h_));
  int n = i2d_PUBKEY(h->pkey, nullptr);
  if (n <= 0) return ossl_fail("i2d_PUBKEY");
  Bytes spki(static_cast<std::size_t>(n));
  unsigned char* p = spki.data();
  if (i2d_PUBKEY(h->pkey, &p) != n) return ossl_fail("i2d_PUBKEY");
  return PublicKey::from_spki_der(spki);
}

KeyType PrivateKey::type() const {
  return h_ == nullptr ? KeyType::kRsa : classify(h_->pkey).value_or(KeyType::kRsa);
}
std::size_t PrivateKey::bits() const {
  return h_ == nullptr ? 0 : static_cast<std::size_t>(EVP_PKEY_get_bits(h_->pkey));
}

std::string to_string(const PrivateKey& k) {
  if (k.empty()) return "<private-key:empty>";
  if (k.type() == KeyType::kEcP256) return "<private-key:p-256>";
  return "<private-key:rsa-" + std::to_string(k.bits()) + ">";
}

// ---- RSA-OAEP ---------------------------------------------------------------------------

Result<Bytes> rsa_oaep_encrypt(const PublicKey& key, OaepHash hash, ByteView plaintext) {
  if (key.empty()) return Error(PkeyErrc::kBadKey, "empty key");
  PkeyCtx c = KB_TRY(oaep_ctx(key.handle().pkey, hash, true));
  std::size_t n = 0;
  if (EVP_PKEY_encrypt(c.get(), nullptr, &n, plaintext.data(), plaintext.size()) != 1) {
    return ossl_fail("RSA-OAEP encrypt size");
  }
  Bytes out(n);
  if (EVP_PKEY_encrypt(c.get(), out.data(), &n, plaintext.data(), plaintext.size()) != 1) {
    // Plaintext longer than k - 2hLen - 2 lands here too.
    ERR_clear_error();
    return Error(PkeyErrc::kBadLength, "RSA-OAEP plaintext too long for the key");
  }
  out.resize(n);
  return out;
}

Result<SecretBytes> rsa_oaep_decrypt(const PrivateKey& key, OaepHash hash, ByteView ciphertext) {
  if (key.empty()) return Error(PkeyErrc::kBadKey, "empty key");
  EVP_PKEY* p = key.handle().pkey;
  PkeyCtx c = KB_TRY(oaep_ctx(p, hash, false));
  std::size_t k = static_cast<std::size_t>(EVP_PKEY_get_size(p));
  if (ciphertext.size() != k) return Error(PkeyErrc::kDecrypt, "RSA-OAEP decryption failed");
  SecretBytes out(k);
  std::size_t n = k;
  if (EVP_PKEY_decrypt(c.get(), out.reveal_mutable().data(), &n, ciphertext.data(),
                       ciphertext.size()) != 1) {
    ERR_clear_error();
    return Error(PkeyErrc::kDecrypt, "RSA-OAEP decryption failed");
  }
  out.truncate(n);
  return out;
}

// ---- RS256 / ES256 ----------------------------------------------------------------------

Result<Bytes> sign(const PrivateKey& key, SignatureAlg alg, ByteView message) {
  if (key.empty()) return Error(PkeyErrc::kBadKey, "empty key");
  EVP_PKEY* p = key.handle().pkey;
  KB_CHECK(key_fits(p, alg));
  OSSL_LIB_CTX* lc = KB_TRY(libctx());
  MdCtx md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pc = nullptr;
  if (!md || EVP_DigestSignInit_ex(md.get(), &pc, "SHA2-256", lc, nullptr, p, nullptr) != 1) {
    return ossl_fail("EVP_DigestSignInit_ex");
  }
  if (alg == SignatureAlg::kRs256 && EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) != 1) {
    return ossl_fail("RSA padding");
  }
  std::size_t n = 0;
  if (EVP_DigestSign(md.get(), nullptr, &n, message.data(), message.size()) != 1) {
    return ossl_fail("EVP_DigestSign size");
  }
  Bytes sig(n);
  if (EVP_DigestSign(md.get(), sig.data(), &n, message.data(), message.size()) != 1) {
    return ossl_fail("EVP_DigestSign");
  }
  sig.resize(n);
  if (alg == SignatureAlg::kEs256) return ecdsa_der_to_raw(sig, 32);  // RFC 7518 3.4
  return sig;
}

Result<void> verify(const PublicKey& key, SignatureAlg alg, ByteView message, ByteView signature) {
  if (key.empty()) return Error(PkeyErrc::kBadKey, "empty key");
  EVP_PKEY* p = key.handle().pkey;
  KB_CHECK(key_fits(p, alg));
  Bytes der;
  ByteView sig = signature;
  if (alg == SignatureAlg::kEs256) {
    // RFC 7518 3.4: exactly 64 bytes, r then s; anything else (DER included) is refused.
    if (signature.size() != 64)
      return Error(PkeyErrc::kBadSignature, "ES256 signature not 64 bytes");
    auto d = ecdsa_raw_to_der(signature);
    if (!d) return Error(PkeyErrc::kBadSignature, "ES256 signature out of range");
    der = std::move(*d);
    sig = der;
  } else if (signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(p))) {
    return Error(PkeyErrc::kBadSignature, "RS256 signature length differs from the modulus");
  }
  OSSL_LIB_CTX* lc = KB_TRY(libctx());
  MdCtx md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pc = nullptr;
  if (!md || EVP_DigestVerifyInit_ex(md.get(), &pc, "SHA2-256", lc, nullptr, p, nullptr) != 1) {
    return ossl_fail("EVP_DigestVerifyInit_ex");
  }
  if (alg == SignatureAlg::kRs256 && EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) != 1) {
    return ossl_fail("RSA padding");
  }
  int r = EVP_DigestVerify(md.get(), sig.data(), sig.size(), message.data(), message.size());
  ERR_clear_error();
  if (r != 1) return Error(PkeyErrc::kBadSignature, "signature does not verify");
  return kb::ok();
}

// ---- ECDSA signature forms --------------------------------------------------------------

Result<Bytes> ecdsa_der_to_raw(ByteView der, std::size_t n) {
  const unsigned char* p = der.data();
  EcdsaSig s(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!s || p != der.data() + der.size()) {
    ERR_clear_error();
    return Error(PkeyErrc::kBadSignature, "malformed ECDSA-Sig-Value");
  }
  // Strict DER: the re-encoding must be byte-identical to the input.
  unsigned char* re = nullptr;
  int rn = i2d_ECDSA_SIG(s.get(), &re);
  bool same = rn > 0 && static_cast<std::size_t>(rn) == der.size() &&
              std::memcmp(re, der.data(), der.size()) == 0;
  OPENSSL_free(re);
  if (!same) return Error(PkeyErrc::kBadSignature, "ECDSA-Sig-Value is not DER");
  const BIGNUM* r = ECDSA_SIG_get0_r(s.get());
  const BIGNUM* sv = ECDSA_SIG_get0_s(s.get());
  for (const BIGNUM* b : {r, sv}) {
    if (BN_is_negative(b) || BN_is_zero(b) || static_cast<std::size_t>(BN_num_bytes(b)) > n) {
      return Error(PkeyErrc::kBadSignature, "ECDSA r or s out of range");
    }
  }
  Bytes out(2 * n);
  if (BN_bn2binpad(r, out.data(), static_cast<int>(n)) != static_cast<int>(n) ||
      BN_bn2binpad(sv, out.data() + n, static_cast<int>(n)) != static_cast<int>(n)) {
    return ossl_fail("BN_bn2binpad");
  }
  return out;
}

Result<Bytes> ecdsa_raw_to_der(ByteView raw) {
  if (raw.empty() || raw.size() % 2 != 0 || raw.size() > 132) {
    return Error(PkeyErrc::kBadSignature, "raw ECDSA signature of odd or bad length");
  }
  std::size_t n = raw.size() / 2;
  BIGNUM* r = BN_bin2bn(raw.data(), static_cast<int>(n), nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + n, static_cast<int>(n), nullptr);
  EcdsaSig sig(ECDSA_SIG_new());
  if (r == nullptr || s == nullptr || !sig) {
    BN_free(r);
    BN_free(s);
    return ossl_fail("ECDSA_SIG_new");
  }
  if (BN_is_zero(r) || BN_is_zero(s)) {
    BN_free(r);
    BN_free(s);
    return Error(PkeyErrc::kBadSignature, "ECDSA r or s is zero");
  }
  ECDSA_SIG_set0(sig.get(), r, s);  // takes ownership
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return ossl_fail("i2d_ECDSA_SIG");
  Bytes out(static_cast<std::size_t>(len));
  unsigned char* p = out.data();
  if (i2d_ECDSA_SIG(sig.get(), &p) != len) return ossl_fail("i2d_ECDSA_SIG");
  return out;
}

}  // namespace kb::crypto
