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

#include "crypto/certificate.h"
#include "crypto/internal/ossl.h"
#include "crypto/internal/pkey_handle.h"

namespace kb::crypto {

namespace {

using internal::libctx;
using internal::ossl_fail;

using X509Ptr = std::unique_ptr<X509, internal::Free<X509_free>>;

constexpr std::size_t kMaxCnLength = 64;  // RFC 5280 ub-common-name

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
  std::unique_ptr<X509_NAME, internal::Free<X509_NAME_free>> name(X509_NAME_new());
  std::array<std::uint8_t, 16> serial{};
  rng.fill(serial);
  serial[0] = static_cast<std::uint8_t>((serial[0] & 0x7f) | 0x01);  // positive, non-zero
  std::unique_ptr<BIGNUM, internal::Free<BN_free>> bn(
      BN_bin2bn(serial.data(), serial.size(), nullptr));
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
  std::unique_ptr<EVP_MD_CTX, internal::Free<EVP_MD_CTX_free>> md(EVP_MD_CTX_new());
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
  const Certificate ca_cert = KB_TRY(Certificate::parse(ca_cert_der));
  X509* ca = ca_cert.x509();
  // The CA certificate must belong to the signing key, or the result would never verify.
  if (X509_check_private_key(ca, ca_key.handle().pkey) != 1) {
    ERR_clear_error();
    return Error(PkeyErrc::kBadCertificate, "CA key does not match the CA certificate");
  }
  X509Ptr x = KB_TRY(skeleton(subject_key.handle().pkey, device_id, validity, rng));
  if (X509_set_issuer_name(x.get(), X509_get_subject_name(ca)) != 1) {
    return ossl_fail("issuer name");
  }
  KB_CHECK(add_ext(x.get(), ca, NID_basic_constraints, "critical,CA:FALSE"));
  const char* usage = subject_key.type() == KeyType::kRsa
                          ? "critical,digitalSignature,keyEncipherment"
                          : "critical,digitalSignature";
  KB_CHECK(add_ext(x.get(), ca, NID_key_usage, usage));
  KB_CHECK(add_ext(x.get(), ca, NID_ext_key_usage, "clientAuth"));
  KB_CHECK(add_ext(x.get(), ca, NID_subject_key_identifier, "hash"));
  KB_CHECK(add_ext(x.get(), ca, NID_authority_key_identifier, "keyid:always"));
  KB_CHECK(sign_cert(x.get(), ca_key));
  return encode(x.get());
}

Result<void> verify_certificate(ByteView cert_der, ByteView ca_cert_der, SysTime at) {
  const Certificate cert = KB_TRY(Certificate::parse(cert_der));
  const Certificate ca = KB_TRY(Certificate::parse(ca_cert_der));
  return cert.verify_issued_by(ca, at);
}

Result<PublicKey> certificate_public_key(ByteView cert_der) {
  const Certificate cert = KB_TRY(Certificate::parse(cert_der));
  return cert.public_key();
}

Result<std::string> certificate_subject_cn(ByteView cert_der) {
  const Certificate cert = KB_TRY(Certificate::parse(cert_der));
  return cert.subject_cn();
}

}  // namespace kb::crypto
