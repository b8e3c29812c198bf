#include "crypto/attestation_cert.h"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <ctime>

#include "crypto/internal/evp_pkey.h"

namespace kb::crypto::attest {
namespace {

using cose::Errc;

constexpr std::size_t kMaxCertBytes = 16 * 1024;
constexpr std::size_t kMaxCerts = 64;

Error fail(Errc code, std::string what) {
  ERR_clear_error();
  return Error(code, std::move(what));
}

std::string oid_text(const ASN1_OBJECT* obj) {
  std::array<char, 128> buf{};
  int n = OBJ_obj2txt(buf.data(), static_cast<int>(buf.size()), obj, 1);
  if (n <= 0 || static_cast<std::size_t>(n) >= buf.size()) return {};
  return std::string(buf.data(), static_cast<std::size_t>(n));
}

std::string utf8_of(const ASN1_STRING* s) {
  unsigned char* out = nullptr;
  int n = ASN1_STRING_to_UTF8(&out, s);
  if (n < 0) {
    ERR_clear_error();
    return {};
  }
  std::string r(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
  OPENSSL_free(out);
  return r;
}

SysTime to_systime(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    ERR_clear_error();
    return SysTime{};
  }
  auto secs = static_cast<std::int64_t>(timegm(&tm));
  return SysTime{std::chrono::seconds(secs)};
}

std::time_t to_time_t(SysTime t) {
  return static_cast<std::time_t>(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

void name_values(const X509_NAME* name, std::string_view oid, std::vector<std::string>& out) {
  int n = X509_NAME_entry_count(name);
  for (int i = 0; i < n; ++i) {
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
    if (oid_text(X509_NAME_ENTRY_get_object(e)) == oid) {
      out.push_back(utf8_of(X509_NAME_ENTRY_get_data(e)));
    }
  }
}

}  // namespace

struct Certificate::Impl {
  Impl(X509* c, Bytes d) : x509(c), der(std::move(d)) {}
  ~Impl() { X509_free(x509); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  X509* x509;
  Bytes der;
};

Certificate::Certificate() = default;
Certificate::~Certificate() = default;
Certificate::Certificate(Certificate&&) noexcept = default;
Certificate& Certificate::operator=(Certificate&&) noexcept = default;
Certificate::Certificate(std::unique_ptr<Impl> i) : impl_(std::move(i)) {}

Certificate Certificate::clone() const {
  X509_up_ref(impl_->x509);
  return Certificate(std::make_unique<Impl>(impl_->x509, impl_->der));
}

Result<Certificate> Certificate::from_der(ByteView der) {
  if (der.empty() || der.size() > kMaxCertBytes) {
    return Error(Errc::kBadCertificate, "certificate size out of bounds");
  }
  const unsigned char* p = der.data();
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (x == nullptr) return fail(Errc::kBadCertificate, "not a DER certificate");
  if (p != der.data() + der.size()) {
    X509_free(x);
    return Error(Errc::kBadCertificate, "trailing bytes after certificate");
  }
  return Certificate(std::make_unique<Impl>(x, to_bytes(der)));
}

const Bytes& Certificate::der() const {
  return impl_->der;
}

int Certificate::version() const {
  return static_cast<int>(X509_get_version(impl_->x509)) + 1;
}

std::vector<std::string> Certificate::subject_values(std::string_view oid) const {
  std::vector<std::string> out;
  name_values(X509_get_subject_name(impl_->x509), oid, out);
  return out;
}

bool Certificate::subject_empty() const {
  return X509_NAME_entry_count(X509_get_subject_name(impl_->x509)) == 0;
}

std::optional<Extension> Certificate::extension(std::string_view oid) const {
  int n = X509_get_ext_count(impl_->x509);
  for (int i = 0; i < n; ++i) {
    X509_EXTENSION* e = X509_get_ext(impl_->x509, i);
    if (oid_text(X509_EXTENSION_get_object(e)) != oid) continue;
    const ASN1_OCTET_STRING* v = X509_EXTENSION_get_data(e);
    Extension ext;
    ext.critical = X509_EXTENSION_get_critical(e) != 0;
    const unsigned char* d = ASN1_STRING_get0_data(v);
    ext.value.assign(d, d + ASN1_STRING_length(v));
    return ext;
  }
  return std::nullopt;
}

std::optional<bool> Certificate::basic_constraints_ca() const {
  int crit = 0;
  auto* bc = static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(impl_->x509, NID_basic_constraints, &crit, nullptr));
  if (bc == nullptr) {
    ERR_clear_error();
    // crit == -1: absent. Present but undecodable counts as "claims CA", the unsafe reading.
    if (crit == -1) return std::nullopt;
    return true;
  }
  bool ca = bc->ca != 0;
  BASIC_CONSTRAINTS_free(bc);
  return ca;
}

std::vector<std::string> Certificate::extended_key_usage() const {
  std::vector<std::string> out;
  auto* eku = static_cast<EXTENDED_KEY_USAGE*>(
      X509_get_ext_d2i(impl_->x509, NID_ext_key_usage, nullptr, nullptr));
  if (eku == nullptr) {
    ERR_clear_error();
    return out;
  }
  for (int i = 0; i < sk_ASN1_OBJECT_num(eku); ++i) {
    out.push_back(oid_text(sk_ASN1_OBJECT_value(eku, i)));
  }
  sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
  return out;
}

std::vector<std::pair<std::string, std::string>> Certificate::san_directory_attributes() const {
  std::vector<std::pair<std::string, std::string>> out;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(impl_->x509, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) {
    ERR_clear_error();
    return out;
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(names, i);
    if (g->type != GEN_DIRNAME) continue;
    const X509_NAME* dn = g->d.directoryName;
    for (int j = 0; j < X509_NAME_entry_count(dn); ++j) {
      const X509_NAME_ENTRY* e = X509_NAME_get_entry(dn, j);
      out.emplace_back(oid_text(X509_NAME_ENTRY_get_object(e)),
                       utf8_of(X509_NAME_ENTRY_get_data(e)));
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

SysTime Certificate::not_before() const {
  return to_systime(X509_get0_notBefore(impl_->x509));
}

SysTime Certificate::not_after() const {
  return to_systime(X509_get0_notAfter(impl_->x509));
}

Result<cose::PublicKey> Certificate::public_key() const {
  EVP_PKEY* k = X509_get_pubkey(impl_->x509);  // new reference
  if (k == nullptr) return fail(Errc::kBadCertificate, "certificate public key");
  return cose::wrap_public(k);
}

Result<std::vector<Certificate>> parse_certificates(ByteView pem_or_der) {
  std::vector<Certificate> out;
  std::string_view text = as_chars(pem_or_der);
  if (text.find("-----BEGIN CERTIFICATE-----") == std::string_view::npos) {
    out.push_back(KB_TRY(Certificate::from_der(pem_or_der)));
    return out;
  }
  BIO* bio = BIO_new_mem_buf(pem_or_der.data(), static_cast<int>(pem_or_der.size()));
  if (bio == nullptr) return fail(Errc::kOpenssl, "BIO_new_mem_buf");
  while (true) {
    X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    if (x == nullptr) break;
    int len = i2d_X509(x, nullptr);
    Bytes der(static_cast<std::size_t>(len > 0 ? len : 0));
    unsigned char* p = der.data();
    if (len <= 0 || i2d_X509(x, &p) != len || out.size() >= kMaxCerts) {
      X509_free(x);
      BIO_free(bio);
      return fail(Errc::kBadCertificate, "PEM certificate");
    }
    X509_free(x);
    auto cert = Certificate::from_der(der);
    if (!cert) {
      BIO_free(bio);
      return std::move(cert).error();
    }
    out.push_back(std::move(cert).value());
  }
  ERR_clear_error();  // the end-of-input "no start line" error
  BIO_free(bio);
  if (out.empty()) return Error(Errc::kBadCertificate, "no certificate in PEM input");
  return out;
}

Result<void> verify_chain(const std::vector<Certificate>& chain,
                          const std::vector<Certificate>& anchors, SysTime at) {
  if (chain.empty()) return Error(Errc::kChainInvalid, "empty chain");
  if (anchors.empty()) return Error(Errc::kChainInvalid, "no trust anchors");
  X509_STORE* store = X509_STORE_new();
  STACK_OF(X509)* untrusted = sk_X509_new_null();
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  auto cleanup = [&] {
    X509_STORE_CTX_free(ctx);
    sk_X509_free(untrusted);
    X509_STORE_free(store);
  };
  if (store == nullptr || untrusted == nullptr || ctx == nullptr) {
    cleanup();
    return fail(Errc::kOpenssl, "X509_STORE");
  }
  for (const auto& a : anchors) X509_STORE_add_cert(store, a.impl().x509);
  for (std::size_t i = 1; i < chain.size(); ++i) sk_X509_push(untrusted, chain[i].impl().x509);
  if (X509_STORE_CTX_init(ctx, store, chain[0].impl().x509, untrusted) != 1) {
    cleanup();
    return fail(Errc::kOpenssl, "X509_STORE_CTX_init");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx);
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  X509_VERIFY_PARAM_set_time(param, to_time_t(at));
  int rc = X509_verify_cert(ctx);
  std::string reason = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  cleanup();
  if (rc != 1) return fail(Errc::kChainInvalid, "chain does not verify: " + reason);
  return ok();
}

Result<Bytes> issue_certificate(const IssueParams& p, const cose::PublicKey& subject_key,
                                const cose::PrivateKey& issuer_key, const Certificate* issuer) {
  X509* x = X509_new();
  if (x == nullptr) return fail(Errc::kOpenssl, "X509_new");
  auto bad = [&](const char* what) {
    X509_free(x);
    return fail(Errc::kOpenssl, what);
  };
  if (X509_set_version(x, 2) != 1) return bad("X509_set_version");
  if (ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), p.serial) != 1) return bad("serial");
  X509_NAME* subj = X509_get_subject_name(x);
  for (const auto& [k, v] : p.subject) {
    if (X509_NAME_add_entry_by_txt(subj, k.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(v.c_str()), -1, -1,
                                   0) != 1) {
      return bad("subject entry");
    }
  }
  const X509_NAME* iname =
      issuer != nullptr ? X509_get_subject_name(issuer->impl().x509) : X509_get_subject_name(x);
  if (X509_set_issuer_name(x, iname) != 1) return bad("issuer name");
  if (ASN1_TIME_set(X509_getm_notBefore(x), to_time_t(p.not_before)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(x), to_time_t(p.not_after)) == nullptr) {
    return bad("validity");
  }
  if (X509_set_pubkey(x, subject_key.impl().pkey) != 1) return bad("X509_set_pubkey");
  std::vector<IssueParams::Ext> exts = p.extensions;
  // basicConstraints (critical), and keyUsage keyCertSign|cRLSign for a CA.
  exts.push_back(
      {"2.5.29.19", p.is_ca ? Bytes{0x30, 0x03, 0x01, 0x01, 0xff} : Bytes{0x30, 0x00}, true});
  if (p.is_ca) exts.push_back({"2.5.29.15", Bytes{0x03, 0x02, 0x01, 0x06}, true});
  for (const auto& e : exts) {
    ASN1_OBJECT* obj = OBJ_txt2obj(e.oid.c_str(), 1);
    ASN1_OCTET_STRING* os = ASN1_OCTET_STRING_new();
    X509_EXTENSION* ext = nullptr;
    bool good = obj != nullptr && os != nullptr &&
                ASN1_OCTET_STRING_set(os, e.der.data(), static_cast<int>(e.der.size())) == 1;
    if (good) ext = X509_EXTENSION_create_by_OBJ(nullptr, obj, e.critical ? 1 : 0, os);
    good = good && ext != nullptr && X509_add_ext(x, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(obj);
    if (!good) return bad("extension");
  }
  const EVP_MD* md = issuer_key.alg() == cose::Alg::kEdDsa ? nullptr : EVP_sha256();
  if (X509_sign(x, issuer_key.impl().pkey, md) <= 0) return bad("X509_sign");
  int len = i2d_X509(x, nullptr);
  if (len <= 0) return bad("i2d_X509");
  Bytes der(static_cast<std::size_t>(len));
  unsigned char* out = der.data();
  i2d_X509(x, &out);
  X509_free(x);
  return der;
}

}  // namespace kb::crypto::attest
