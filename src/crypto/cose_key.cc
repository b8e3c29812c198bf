#include "crypto/cose_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <array>
#include <string>

#include "crypto/internal/evp_pkey.h"

namespace kb::crypto::cose {
namespace {

Error ossl_fail(Errc code, std::string_view what) {
  ERR_clear_error();
  return Error(code, std::string(what));
}

struct BnDeleter {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;
struct CtxDeleter {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, CtxDeleter>;
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;
struct BldDeleter {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamDeleter {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};

const char* group_name(KeyKind k) {
  switch (k) {
    case KeyKind::kP256:
      return "P-256";
    case KeyKind::kP384:
      return "P-384";
    case KeyKind::kP521:
      return "P-521";
    default:
      return nullptr;
  }
}

std::size_t field_bytes(KeyKind k) {
  switch (k) {
    case KeyKind::kP256:
      return 32;
    case KeyKind::kP384:
      return 48;
    case KeyKind::kP521:
      return 66;
    default:
      return 0;
  }
}

const char* md_name(HashAlg h) {
  switch (h) {
    case HashAlg::kSha1:
      return "SHA1";
    case HashAlg::kSha256:
      return "SHA2-256";
    case HashAlg::kSha384:
      return "SHA2-384";
    case HashAlg::kSha512:
      return "SHA2-512";
  }
  return "SHA2-256";
}

// Builds a key from an OSSL_PARAM list, as a public key.
Result<EVP_PKEY*> from_params(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, ParamDeleter> params(OSSL_PARAM_BLD_to_param(bld));
  if (!params) return ossl_fail(Errc::kOpenssl, "OSSL_PARAM_BLD_to_param");
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return ossl_fail(Errc::kOpenssl, "EVP_PKEY_fromdata_init");
  }
  EVP_PKEY* pkey = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return ossl_fail(Errc::kBadKey, std::string("cannot build ") + type + " public key");
  }
  return pkey;
}

Result<Bytes> bn_param(EVP_PKEY* k, const char* name, std::size_t pad_to) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(k, name, &raw) != 1) return ossl_fail(Errc::kBadKey, name);
  BnPtr bn(raw);
  std::size_t len = static_cast<std::size_t>(BN_num_bytes(bn.get()));
  if (pad_to != 0) {
    if (len > pad_to) return Error(Errc::kBadKey, "coordinate too long");
    len = pad_to;
  }
  Bytes out(len);
  if (BN_bn2binpad(bn.get(), out.data(), static_cast<int>(len)) < 0) {
    return ossl_fail(Errc::kOpenssl, "BN_bn2binpad");
  }
  return out;
}

KeyKind kind_of(EVP_PKEY* k) {
  if (EVP_PKEY_is_a(k, "ED25519")) return KeyKind::kEd25519;
  if (EVP_PKEY_is_a(k, "RSA")) return KeyKind::kRsa;
  if (EVP_PKEY_is_a(k, "EC")) {
    std::array<char, 64> name{};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, name.data(), name.size(),
                                       &len) != 1) {
      ERR_clear_error();
      return KeyKind::kOther;
    }
    std::string_view g(name.data(), len);
    if (g == "prime256v1" || g == "P-256") return KeyKind::kP256;
    if (g == "secp384r1" || g == "P-384") return KeyKind::kP384;
    if (g == "secp521r1" || g == "P-521") return KeyKind::kP521;
  }
  return KeyKind::kOther;
}

// Which key kind an algorithm needs (RFC 9053 2.1: ES256 is P-256 only, etc.).
bool alg_fits(Alg a, KeyKind k) {
  switch (a) {
    case Alg::kEs256:
      return k == KeyKind::kP256;
    case Alg::kEs384:
      return k == KeyKind::kP384;
    case Alg::kEs512:
      return k == KeyKind::kP521;
    case Alg::kEdDsa:
      return k == KeyKind::kEd25519;
    case Alg::kPs256:
    case Alg::kRs256:
    case Alg::kRs384:
    case Alg::kRs512:
    case Alg::kRs1:
      return k == KeyKind::kRsa;
  }
  return false;
}

}  // namespace

std::string_view error_code_name(Errc e) {
  switch (e) {
    case Errc::kBadKey:
      return "bad_key";
    case Errc::kBadSignature:
      return "bad_signature";
    case Errc::kUnsupportedAlg:
      return "unsupported_alg";
    case Errc::kBadCertificate:
      return "bad_certificate";
    case Errc::kChainInvalid:
      return "chain_invalid";
    case Errc::kOpenssl:
      return "openssl";
  }
  return "unknown";
}

std::optional<Alg> alg_from_int(std::int64_t v) {
  switch (v) {
    case -7:
    case -8:
    case -35:
    case -36:
    case -37:
    case -257:
    case -258:
    case -259:
    case -65535:
      return static_cast<Alg>(v);
    default:
      return std::nullopt;
  }
}

std::string_view alg_name(Alg a) {
  switch (a) {
    case Alg::kEs256:
      return "ES256";
    case Alg::kEdDsa:
      return "EdDSA";
    case Alg::kEs384:
      return "ES384";
    case Alg::kEs512:
      return "ES512";
    case Alg::kPs256:
      return "PS256";
    case Alg::kRs256:
      return "RS256";
    case Alg::kRs384:
      return "RS384";
    case Alg::kRs512:
      return "RS512";
    case Alg::kRs1:
      return "RS1";
  }
  return "unknown";
}

HashAlg alg_hash(Alg a) {
  switch (a) {
    case Alg::kEs384:
    case Alg::kRs384:
      return HashAlg::kSha384;
    case Alg::kEs512:
    case Alg::kRs512:
      return HashAlg::kSha512;
    case Alg::kRs1:
      return HashAlg::kSha1;
    default:
      return HashAlg::kSha256;
  }
}

Bytes digest(HashAlg h, ByteView data) {
  Bytes out(EVP_MAX_MD_SIZE);
  std::size_t len = 0;
  // EVP_Q_digest cannot fail for these built-in digests on valid input.
  if (EVP_Q_digest(nullptr, md_name(h), nullptr, data.data(), data.size(), out.data(), &len) != 1) {
    ERR_clear_error();
    return {};
  }
  out.resize(len);
  return out;
}

PublicKey::PublicKey() = default;
PublicKey::~PublicKey() = default;
PublicKey::PublicKey(PublicKey&&) noexcept = default;
PublicKey& PublicKey::operator=(PublicKey&&) noexcept = default;
PublicKey::PublicKey(std::unique_ptr<Impl> i) : impl_(std::move(i)) {}

Result<PublicKey> PublicKey::ec(KeyKind curve, ByteView x, ByteView y) {
  const char* group = group_name(curve);
  std::size_t fb = field_bytes(curve);
  if (group == nullptr) return Error(Errc::kUnsupportedAlg, "not an EC curve");
  if (x.size() != fb || y.size() != fb) return Error(Errc::kBadKey, "bad coordinate length");
  Bytes point{0x04};
  append(point, x);
  append(point, y);
  std::unique_ptr<OSSL_PARAM_BLD, BldDeleter> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return ossl_fail(Errc::kOpenssl, "OSSL_PARAM_BLD");
  }
  EVP_PKEY* k = KB_TRY(from_params("EC", bld.get()));
  PublicKey pk = wrap_public(k);
  // The quick check: on the curve and not the point at infinity. The NIST curves have
  // cofactor 1, so that already puts the point in the prime-order group; the full check's
  // extra scalar multiplication by the order would double the cost of every assertion.
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, k, nullptr));
  if (!ctx || EVP_PKEY_public_check_quick(ctx.get()) != 1) {
    return ossl_fail(Errc::kBadKey, "EC point not on the curve");
  }
  return pk;
}

Result<PublicKey> PublicKey::ed25519(ByteView x) {
  if (x.size() != 32) return Error(Errc::kBadKey, "Ed25519 key is not 32 bytes");
  EVP_PKEY* k = EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, x.data(), x.size());
  if (k == nullptr) return ossl_fail(Errc::kBadKey, "bad Ed25519 key");
  return wrap_public(k);
}

Result<PublicKey> PublicKey::rsa(ByteView n, ByteView e) {
  if (n.empty() || e.empty() || n[0] == 0 || e[0] == 0) {
    return Error(Errc::kBadKey, "RSA integers must be minimal and non-empty");
  }
  if (n.size() < 256 || n.size() > 1024) return Error(Errc::kBadKey, "RSA modulus size");
  if (e.size() > 8 || (e.back() & 1) == 0 || (e.size() == 1 && e[0] < 3)) {
    return Error(Errc::kBadKey, "RSA exponent");
  }
  BnPtr bn_n(BN_bin2bn(n.data(), static_cast<int>(n.size()), nullptr));
  BnPtr bn_e(BN_bin2bn(e.data(), static_cast<int>(e.size()), nullptr));
  std::unique_ptr<OSSL_PARAM_BLD, BldDeleter> bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return ossl_fail(Errc::kOpenssl, "OSSL_PARAM_BLD");
  }
  if (BN_num_bits(bn_n.get()) < 2048) return Error(Errc::kBadKey, "RSA modulus below 2048 bits");
  if ((n.back() & 1) == 0) return Error(Errc::kBadKey, "RSA modulus is even");
  EVP_PKEY* k = KB_TRY(from_params("RSA", bld.get()));
  return wrap_public(k);
}

Result<PublicKey> PublicKey::from_spki(ByteView der) {
  const unsigned char* p = der.data();
  EVP_PKEY* k = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  if (k == nullptr) return ossl_fail(Errc::kBadKey, "bad SubjectPublicKeyInfo");
  if (p != der.data() + der.size()) {
    EVP_PKEY_free(k);
    return Error(Errc::kBadKey, "trailing bytes after SubjectPublicKeyInfo");
  }
  return wrap_public(k);
}

KeyKind PublicKey::kind() const {
  return kind_of(impl_->pkey);
}

Result<PublicComponents> PublicKey::components() const {
  PublicComponents c;
  c.kind = kind();
  EVP_PKEY* k = impl_->pkey;
  switch (c.kind) {
    case KeyKind::kP256:
    case KeyKind::kP384:
    case KeyKind::kP521:
      c.x = KB_TRY(bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, field_bytes(c.kind)));
      c.y = KB_TRY(bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, field_bytes(c.kind)));
      return c;
    case KeyKind::kEd25519: {
      c.x.resize(32);
      std::size_t len = c.x.size();
      if (EVP_PKEY_get_raw_public_key(k, c.x.data(), &len) != 1 || len != 32) {
        return ossl_fail(Errc::kBadKey, "Ed25519 raw key");
      }
      return c;
    }
    case KeyKind::kRsa:
      c.n = KB_TRY(bn_param(k, OSSL_PKEY_PARAM_RSA_N, 0));
      c.e = KB_TRY(bn_param(k, OSSL_PKEY_PARAM_RSA_E, 0));
      return c;
    case KeyKind::kOther:
      break;
  }
  return Error(Errc::kUnsupportedAlg, "unsupported key type");
}

Result<Bytes> PublicKey::spki() const {
  int len = i2d_PUBKEY(impl_->pkey, nullptr);
  if (len <= 0) return ossl_fail(Errc::kOpenssl, "i2d_PUBKEY");
  Bytes out(static_cast<std::size_t>(len));
  unsigned char* p = out.data();
  i2d_PUBKEY(impl_->pkey, &p);
  return out;
}

Result<void> PublicKey::verify(Alg alg, ByteView data, ByteView signature) const {
  if (impl_ == nullptr) return Error(Errc::kBadKey, "empty key");
  if (!alg_fits(alg, kind())) return Error(Errc::kUnsupportedAlg, "algorithm does not fit key");
  MdCtxPtr md(EVP_MD_CTX_new());
  if (!md) return ossl_fail(Errc::kOpenssl, "EVP_MD_CTX_new");
  const char* mdname = alg == Alg::kEdDsa ? nullptr : md_name(alg_hash(alg));
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestVerifyInit_ex(md.get(), &pctx, mdname, nullptr, nullptr, impl_->pkey, nullptr) !=
      1) {
    return ossl_fail(Errc::kOpenssl, "EVP_DigestVerifyInit_ex");
  }
  if (alg == Alg::kPs256) {
    // RFC 8230 2: PSS with SHA-256, MGF1-SHA-256, salt length 32.
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1) {
      return ossl_fail(Errc::kOpenssl, "PSS parameters");
    }
  }
  int rc = EVP_DigestVerify(md.get(), signature.data(), signature.size(), data.data(), data.size());
  if (rc != 1) return ossl_fail(Errc::kBadSignature, "signature does not verify");
  return ok();
}

PrivateKey::PrivateKey() = default;
PrivateKey::~PrivateKey() = default;
PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;
PrivateKey::PrivateKey(std::unique_ptr<Impl> i) : impl_(std::move(i)) {}

Result<PrivateKey> PrivateKey::generate(Alg alg) {
  EVP_PKEY* k = nullptr;
  switch (alg) {
    case Alg::kEs256:
      k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case Alg::kEdDsa:
      k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
    case Alg::kRs256:
      k = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(2048));
      break;
    default:
      return Error(Errc::kUnsupportedAlg, "cannot generate keys for this algorithm");
  }
  if (k == nullptr) return ossl_fail(Errc::kOpenssl, "EVP_PKEY_Q_keygen");
  return PrivateKey(std::make_unique<Impl>(k, alg));
}

Result<PrivateKey> PrivateKey::from_pkcs8(ByteView der) {
  const unsigned char* p = der.data();
  EVP_PKEY* k = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size()));
  if (k == nullptr) return ossl_fail(Errc::kBadKey, "bad PKCS#8 private key");
  std::unique_ptr<Impl> impl = std::make_unique<Impl>(k, Alg::kEs256);
  if (p != der.data() + der.size()) return Error(Errc::kBadKey, "trailing bytes after key");
  switch (kind_of(k)) {
    case KeyKind::kP256:
      impl->alg = Alg::kEs256;
      break;
    case KeyKind::kEd25519:
      impl->alg = Alg::kEdDsa;
      break;
    case KeyKind::kRsa:
      impl->alg = Alg::kRs256;
      break;
    default:
      return Error(Errc::kUnsupportedAlg, "private key type");
  }
  return PrivateKey(std::move(impl));
}

Result<SecretBytes> PrivateKey::to_pkcs8() const {
  PKCS8_PRIV_KEY_INFO* info = EVP_PKEY2PKCS8(impl_->pkey);
  if (info == nullptr) return ossl_fail(Errc::kOpenssl, "EVP_PKEY2PKCS8");
  int len = i2d_PKCS8_PRIV_KEY_INFO(info, nullptr);
  if (len <= 0) {
    PKCS8_PRIV_KEY_INFO_free(info);
    return ossl_fail(Errc::kOpenssl, "i2d_PKCS8_PRIV_KEY_INFO");
  }
  SecretBytes out(static_cast<std::size_t>(len));
  unsigned char* p = out.reveal_mutable().data();
  i2d_PKCS8_PRIV_KEY_INFO(info, &p);
  PKCS8_PRIV_KEY_INFO_free(info);
  return out;
}

Alg PrivateKey::alg() const {
  return impl_->alg;
}

Result<PublicKey> PrivateKey::public_key() const {
  // Round-trip through SubjectPublicKeyInfo: a public-only copy of the key.
  int len = i2d_PUBKEY(impl_->pkey, nullptr);
  if (len <= 0) return ossl_fail(Errc::kOpenssl, "i2d_PUBKEY");
  Bytes der(static_cast<std::size_t>(len));
  unsigned char* p = der.data();
  i2d_PUBKEY(impl_->pkey, &p);
  return PublicKey::from_spki(der);
}

Result<Bytes> PrivateKey::sign(ByteView data) const {
  MdCtxPtr md(EVP_MD_CTX_new());
  if (!md) return ossl_fail(Errc::kOpenssl, "EVP_MD_CTX_new");
  const char* mdname = impl_->alg == Alg::kEdDsa ? nullptr : md_name(alg_hash(impl_->alg));
  if (EVP_DigestSignInit_ex(md.get(), nullptr, mdname, nullptr, nullptr, impl_->pkey, nullptr) !=
      1) {
    return ossl_fail(Errc::kOpenssl, "EVP_DigestSignInit_ex");
  }
  std::size_t len = 0;
  if (EVP_DigestSign(md.get(), nullptr, &len, data.data(), data.size()) != 1) {
    return ossl_fail(Errc::kOpenssl, "EVP_DigestSign");
  }
  Bytes sig(len);
  if (EVP_DigestSign(md.get(), sig.data(), &len, data.data(), data.size()) != 1) {
    return ossl_fail(Errc::kOpenssl, "EVP_DigestSign");
  }
  sig.resize(len);
  return sig;
}

}  // namespace kb::crypto::cose
