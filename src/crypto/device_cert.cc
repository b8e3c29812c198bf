#include "crypto/device_cert.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <chrono>
#include <ctime>
#include <memory>

#include "crypto/internal/ossl.h"
#include "crypto/internal/pkey_handle.h"

namespace kb::crypto {

namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
struct NameFree {
  void operator()(X509_NAME* n) const { X509_NAME_free(n); }
};
struct StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* s) const { X509_STORE_CTX_free(s); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};

constexpr std::size_t kMaxCertSize = 16 * 1024;
constexpr std::size_t kMaxCnLength = 64;  // RFC 5280 ub-common-name

Error cert_error(std::string_view what) {
  ERR_clear_error();
  return Error(PkeyErrc::kBadCertificate, std::string(what));
}
Error ossl_fail(std::string_view what) {
  ERR_clear_error();
  return Error(PkeyErrc::kOpenssl, std::string(what) + " failed");
}

Result<OSSL_LIB_CTX*> libctx() {
  const internal::Algorithms* a = KB_TRY(internal::algorithms());
  return a->libctx;
}

Result<X509Ptr> parse(ByteView der) {
  if (der.empty() || der.size() > kMaxCertSize) return cert_error("certificate size out of range");
  OSSL_LIB_CTX* lc = KB_TRY(libctx());
  X509Ptr x(X509_new_ex(lc, nullptr));
  if (!x) return ossl_fail("X509_new_ex");
  X509* raw = x.get();
  const unsigned char* p = der.data();
  if (d2i_X509(&raw, &p, static_cast<long>(der.size())) == nullptr) {
    x.release();  // d2i freed it on failure
    return cert_error("malformed certificate");
  }
  if (p != der.data() + der.size()) return cert_error("trailing bytes after certificate");
  return x;
}

Result<Bytes> encode(X509* x) {
  int n = i2d_X509(x, nullptr);
  if (n <= 0) return ossl_fail("i2d_X509");
  Bytes out(static_cast<std::size_t>(n));
  unsigned char* p = out.data();
  if (i2d_X509(x, &p) != n) return ossl_fail("i2d_X509");
  return out;
}

Result<void> check_cn(std::string_view cn) {
  if (cn.empty() || cn.size() > kMaxCnLength) {
    return Error(PkeyErrc::kBadCertificate, "common name empty or longer than 64");
  }
  return kb::ok();
}

std::time_t to_time_t(SysTime t) {
  return static_cast<std::time_t>(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

// Version 3, random positive serial, validity, subject CN and public key.
Result<X509Ptr> skeleton(EVP_PKEY* subject_key, std::string_view cn, Validity v, Rng& rng) {
  KB_CHECK(check_cn(cn));
  if (v.not_after <= v.not_before) return Error(PkeyErrc::kBadCertificate, "empty validity");
  OSSL_LIB_CTX* lc = KB_TRY(libctx());
  X509Ptr x(X509_new_ex(lc, nullptr));
  std::unique_ptr<X509_NAME, NameFree> name(X509_NAME_new());
  std::array<std::uint8_t, 16> serial{};
  rng.fill(serial);
  serial[0] = static_cast<std::uint8_t>((serial[0] & 0x7f) | 0x01);  // positive, non-zero
  std::unique_ptr<BIGNUM, BnFree> bn(BN_bin2bn(serial.data(), serial.size(), nullptr));
  if (!x || !name || !bn || X509_set_version(x.get(), X509_VERSION_3) != 1 ||
      BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x.get())) == nullptr ||
      X509_NAME_add_entry_by_NID(name.get(), NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.data()),
                                 static_cast<int>(cn.size()), -1, 0) != 1 ||
      X509_set_subject_name(x.get(), name.get()) != 1 ||
      ASN1_TIME_set(X509_getm_notBefore(x.get()), to_time_t(v.not_before)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(x.get()), to_time_t(v.not_after)) == nullptr ||
      X509_set_pubkey(x.get(), subject_key) != 1) {
    return ossl_fail("certificate fields");
  }
  return x;
}

Result<void> add_ext(X509* x, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, x, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return ossl_fail("X509V3_EXT_conf_nid");
  int ok = X509_add_ext(x, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) return ossl_fail("X509_add_ext");
  return kb::ok();
}

Result<void> sign_cert(X509* x, const PrivateKey& ca_key) {
  OSSL_LIB_CTX* lc = KB_TRY(libctx());
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> md(EVP_MD_CTX_new());
  if (!md ||
      EVP_DigestSignInit_ex(md.get(), nullptr, "SHA2-256", lc, nullptr, ca_key.handle().pkey,
                            nullptr) != 1 ||
      X509_sign_ctx(x, md.get()) <= 0) {
    return ossl_fail("certificate signature");
  }
  return kb::ok();
}

}  // namespace

Result<Bytes> make_ca_certificate(const PrivateKey& ca_key, std::string_view common_name,
                                  Validity validity, Rng& rng) {
  if (ca_key.empty()) return Error(PkeyErrc::kBadKey, "empty CA key");
  X509Ptr x = KB_TRY(skeleton(ca_key.handle().pkey, common_name, validity, rng));
  if (X509_set_issuer_name(x.get(), X509_get_subject_name(x.get())) != 1) {
    return ossl_fail("issuer name");
  }
  KB_CHECK(add_ext(x.get(), x.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
  KB_CHECK(add_ext(x.get(), x.get(), NID_key_usage, "critical,keyCertSign,cRLSign"));
  KB_CHECK(add_ext(x.get(), x.get(), NID_subject_key_identifier, "hash"));
  KB_CHECK(sign_cert(x.get(), ca_key));
  return encode(x.get());
}

Result<Bytes> issue_device_certificate(const PublicKey& subject_key, std::string_view device_id,
                                       const PrivateKey& ca_key, ByteView ca_cert_der,
                                       Validity validity, Rng& rng) {
  if (subject_key.empty() || ca_key.empty()) return Error(PkeyErrc::kBadKey, "empty key");
  X509Ptr ca = KB_TRY(parse(ca_cert_der));
  // The CA certificate must belong to the signing key, or the result would never verify.
  if (X509_check_private_key(ca.get(), ca_key.handle().pkey) != 1) {
    return cert_error("CA key does not match the CA certificate");
  }
  X509Ptr x = KB_TRY(skeleton(subject_key.handle().pkey, device_id, validity, rng));
  if (X509_set_issuer_name(x.get(), X509_get_subject_name(ca.get())) != 1) {
    return ossl_fail("issuer name");
  }
  KB_CHECK(add_ext(x.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE"));
  const char* usage = subject_key.type() == KeyType::kRsa
                          ? "critical,digitalSignature,keyEncipherment"
                          : "critical,digitalSignature";
  KB_CHECK(add_ext(x.get(), ca.get(), NID_key_usage, usage));
  KB_CHECK(add_ext(x.get(), ca.get(), NID_ext_key_usage, "clientAuth"));
  KB_CHECK(add_ext(x.get(), ca.get(), NID_subject_key_identifier, "hash"));
  KB_CHECK(add_ext(x.get(), ca.get(), NID_authority_key_identifier, "keyid:always"));
  KB_CHECK(sign_cert(x.get(), ca_key));
  return encode(x.get());
}

Result<void> verify_certificate(ByteView cert_der, ByteView ca_cert_der, SysTime at) {
  X509Ptr cert = KB_TRY(parse(cert_der));
  X509Ptr ca = KB_TRY(parse(ca_cert_der));
  OSSL_LIB_CTX* lc = KB_TRY(libctx());
  std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new_ex(lc, nullptr));
  if (!store || !ctx || X509_STORE_add_cert(store.get(), ca.get()) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr) != 1) {
    return ossl_fail("X509 store");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, to_time_t(at));
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_CLIENT);
  if (X509_verify_cert(ctx.get()) != 1) {
    int err = X509_STORE_CTX_get_error(ctx.get());
    return cert_error(std::string("certificate does not verify: ") +
                      X509_verify_cert_error_string(err));
  }
  return kb::ok();
}

Result<PublicKey> certificate_public_key(ByteView cert_der) {
  X509Ptr x = KB_TRY(parse(cert_der));
  X509_PUBKEY* pk = X509_get_X509_PUBKEY(x.get());
  int n = i2d_X509_PUBKEY(pk, nullptr);
  if (n <= 0) return cert_error("certificate public key");
  Bytes spki(static_cast<std::size_t>(n));
  unsigned char* p = spki.data();
  if (i2d_X509_PUBKEY(pk, &p) != n) return ossl_fail("i2d_X509_PUBKEY");
  return PublicKey::from_spki_der(spki);
}

Result<std::string> certificate_subject_cn(ByteView cert_der) {
  X509Ptr x = KB_TRY(parse(cert_der));
  X509_NAME* name = X509_get_subject_name(x.get());
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return cert_error("subject has no CN");
  if (X509_NAME_get_index_by_NID(name, NID_commonName, idx) >= 0) {
    return cert_error("subject has more than one CN");
  }
  ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, s);
  if (n < 0) return cert_error("CN is not a string");
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  if (out.find('\0') != std::string::npos) return cert_error("CN holds a NUL");
  return out;
}

}  // namespace kb::crypto
