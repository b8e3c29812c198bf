#include "crypto/x509.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/buffer.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <ctime>
#include <memory>

#include "base/bytes.h"
#include "crypto/crypto.h"
#include "crypto/internal/ossl.h"

namespace kb::crypto {

namespace {

template <auto Fn>
using Deleter = internal::Free<Fn>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using BasicPtr = std::unique_ptr<BASIC_CONSTRAINTS, Deleter<BASIC_CONSTRAINTS_free>>;

Error ossl_error(Errc code, std::string what) {
  unsigned long e = ERR_get_error();
  if (e != 0) {
    std::array<char, 256> buf{};
    ERR_error_string_n(e, buf.data(), buf.size());
    what += ": ";
    what += buf.data();
  }
  ERR_clear_error();
  return Error(code, std::move(what));
}

// RFC 1123 §2.1 host names, with an optional leading wildcard label (RFC 6125 §6.4.3).
bool valid_dns_name(std::string_view n) {
  if (n.starts_with("*.")) n.remove_prefix(2);
  if (n.empty() || n.size() > 253) return false;
  std::size_t start = 0;
  while (start <= n.size()) {
    std::size_t dot = n.find('.', start);
    std::string_view label =
        n.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

// inet_pton's strict textual forms; 4 or 16 bytes, empty when it does not parse.
Bytes parse_ip(const std::string& s) {
  Bytes out(16);
  if (::inet_pton(AF_INET, s.c_str(), out.data()) == 1) {
    out.resize(4);
    return out;
  }
  if (::inet_pton(AF_INET6, s.c_str(), out.data()) == 1) return out;
  return {};
}

Result<NamesPtr> build_san(const SelfSignedOptions& o) {
  NamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) return ossl_error(Errc::kOpenssl, "GENERAL_NAMES");
  auto push = [&](int type, ASN1_STRING* value) -> Result<void> {
    GENERAL_NAME* g = GENERAL_NAME_new();
    if (g == nullptr) {
      ASN1_STRING_free(value);
      return ossl_error(Errc::kOpenssl, "GENERAL_NAME");
    }
    GENERAL_NAME_set0_value(g, type, value);
    if (sk_GENERAL_NAME_push(names.get(), g) <= 0) {
      GENERAL_NAME_free(g);
      return ossl_error(Errc::kOpenssl, "push GENERAL_NAME");
    }
    return ok();
  };
  for (const auto& dns : o.dns_names) {
    if (!valid_dns_name(dns)) {
      return Error(Errc::kInvalidCertificateRequest, "not a host name: '" + dns + "'");
    }
    ASN1_IA5STRING* s = ASN1_IA5STRING_new();
    if (s == nullptr || ASN1_STRING_set(s, dns.data(), static_cast<int>(dns.size())) != 1) {
      ASN1_STRING_free(s);
      return ossl_error(Errc::kOpenssl, "IA5String");
    }
    KB_CHECK(push(GEN_DNS, s));
  }
  for (const auto& ip : o.ip_addresses) {
    Bytes raw = parse_ip(ip);
    if (raw.empty()) {
      return Error(Errc::kInvalidCertificateRequest, "not an IP address: '" + ip + "'");
    }
    ASN1_OCTET_STRING* s = ASN1_OCTET_STRING_new();
    if (s == nullptr || ASN1_OCTET_STRING_set(s, raw.data(), static_cast<int>(raw.size())) != 1) {
      ASN1_STRING_free(s);
      return ossl_error(Errc::kOpenssl, "OCTET STRING");
    }
    KB_CHECK(push(GEN_IPADD, s));
  }
  return names;
}

Result<void> add_conf_ext(X509* x, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(x, ext.get(), -1) != 1) {
    return ossl_error(Errc::kOpenssl, std::string("extension ") + OBJ_nid2sn(nid));
  }
  return ok();
}

Result<void> set_serial(X509* x) {
  // RFC 5280 §4.1.2.2: positive, at most 20 octets; CA/B asks for at least 64 random bits.
  std::array<std::uint8_t, 16> raw{};
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
    return ossl_error(Errc::kOpenssl, "RAND_bytes");
  }
  raw[0] = static_cast<std::uint8_t>((raw[0] & 0x7F) | 0x40);  // positive, 16 octets
  BnPtr bn(BN_bin2bn(raw.data(), static_cast<int>(raw.size()), nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x)) == nullptr) {
    return ossl_error(Errc::kOpenssl, "serial number");
  }
  return ok();
}

Result<void> set_times(X509* x, const SelfSignedOptions& o, SysTime now) {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
  auto nb = static_cast<time_t>((secs - o.backdate).count());
  auto na = static_cast<time_t>((secs + o.validity).count());
  if (ASN1_TIME_set(X509_getm_notBefore(x), nb) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(x), na) == nullptr) {
    return ossl_error(Errc::kOpenssl, "validity");
  }
  return ok();
}

std::string bio_string(BIO* b) {
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

Result<X509Ptr> read_cert(std::string_view pem) {
  if (pem.size() > (1u << 20)) return Error(Errc::kBadCertificate, "PEM over 1 MiB");
  BioPtr b(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!b) return ossl_error(Errc::kOpenssl, "BIO");
  X509Ptr x(PEM_read_bio_X509(b.get(), nullptr, nullptr, nullptr));
  if (!x) return ossl_error(Errc::kBadCertificate, "no certificate in PEM");
  return x;
}

SysTime to_systime(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return SysTime{};
  return std::chrono::time_point_cast<std::chrono::microseconds>(
      std::chrono::system_clock::from_time_t(::timegm(&tm)));
}

void read_san(X509* x, CertificateInfo& info) {
  NamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(names.get(), i);
    int type = 0;
    const auto* v = static_cast<const ASN1_STRING*>(GENERAL_NAME_get0_value(g, &type));
    const unsigned char* d = ASN1_STRING_get0_data(v);
    auto len = static_cast<std::size_t>(ASN1_STRING_length(v));
    if (type == GEN_DNS) {
      info.dns_names.emplace_back(reinterpret_cast<const char*>(d), len);
    } else if (type == GEN_IPADD && (len == 4 || len == 16)) {
      std::array<char, INET6_ADDRSTRLEN> buf{};
      ::inet_ntop(len == 4 ? AF_INET : AF_INET6, d, buf.data(), buf.size());
      info.ip_addresses.emplace_back(buf.data());
    }
  }
}

std::string key_type(const EVP_PKEY* pk) {
  if (pk == nullptr) return "unknown";
  if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC) {
    std::array<char, 64> group{};
    std::size_t n = 0;
    if (EVP_PKEY_get_group_name(pk, group.data(), group.size(), &n) != 1) return "EC";
    std::string g(group.data(), n);
    return "EC " + (g == "prime256v1" ? std::string("P-256") : g);
  }
  return std::string(EVP_PKEY_get0_type_name(pk) ? EVP_PKEY_get0_type_name(pk) : "?") + " " +
         std::to_string(EVP_PKEY_get_bits(pk));
}

Result<CertificateInfo> describe(X509* x) {
  CertificateInfo info;
  const X509_NAME* subject = X509_get_subject_name(x);
  int idx = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (idx >= 0) {
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx)));
    if (n >= 0) info.subject_cn.assign(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
    OPENSSL_free(utf8);
  }
  read_san(x, info);
  info.not_before = to_systime(X509_get0_notBefore(x));
  info.not_after = to_systime(X509_get0_notAfter(x));
  BasicPtr bc(static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(x, NID_basic_constraints, nullptr, nullptr)));
  if (bc) info.basic_constraints_ca = bc->ca != 0;
  std::uint32_t flags = X509_get_extension_flags(x);
  info.server_auth =
      (flags & EXFLAG_XKUSAGE) != 0 && (X509_get_extended_key_usage(x) & XKU_SSL_SERVER) != 0;
  info.self_signed = X509_self_signed(x, 1) == 1;
  info.key_type = key_type(X509_get0_pubkey(x));
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int md_len = 0;
  if (X509_digest(x, EVP_sha256(), md.data(), &md_len) != 1) {
    return ossl_error(Errc::kOpenssl, "certificate digest");
  }
  info.sha256_fingerprint = hex_encode(ByteView(md.data(), md_len));
  ERR_clear_error();
  return info;
}

}  // namespace

Result<TlsIdentity> generate_self_signed(const SelfSignedOptions& o, SysTime now) {
  if (o.dns_names.empty() && o.ip_addresses.empty()) {
    return Error(Errc::kInvalidCertificateRequest, "a certificate needs at least one name");
  }
  NamesPtr san = KB_TRY(build_san(o));
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return ossl_error(Errc::kOpenssl, "EC P-256 key generation");
  X509Ptr x(X509_new());
  if (!x || X509_set_version(x.get(), X509_VERSION_3) != 1)
    return ossl_error(Errc::kOpenssl, "X509");
  KB_CHECK(set_serial(x.get()));
  KB_CHECK(set_times(x.get(), o, now));
  X509_NAME* name = X509_get_subject_name(x.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(o.common_name.c_str()), -1,
                                 -1, 0) != 1 ||
      X509_set_issuer_name(x.get(), name) != 1 || X509_set_pubkey(x.get(), key.get()) != 1) {
    return ossl_error(Errc::kInvalidCertificateRequest, "subject name or key");
  }
  KB_CHECK(add_conf_ext(x.get(), NID_basic_constraints, "critical,CA:FALSE"));
  KB_CHECK(add_conf_ext(x.get(), NID_key_usage, "critical,digitalSignature"));
  KB_CHECK(add_conf_ext(x.get(), NID_ext_key_usage, "serverAuth"));
  KB_CHECK(add_conf_ext(x.get(), NID_subject_key_identifier, "hash"));
  if (X509_add1_ext_i2d(x.get(), NID_subject_alt_name, san.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return ossl_error(Errc::kOpenssl, "subjectAltName");
  }
  if (X509_sign(x.get(), key.get(), EVP_sha256()) <= 0) return ossl_error(Errc::kOpenssl, "sign");

  TlsIdentity out;
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || PEM_write_bio_X509(cert_bio.get(), x.get()) != 1) {
    return ossl_error(Errc::kOpenssl, "certificate PEM");
  }
  out.cert_pem = bio_string(cert_bio.get());
  // The secure-heap memory BIO is cleared when freed.
  BioPtr key_bio(BIO_new(BIO_s_secmem()));
  if (!key_bio || PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                           nullptr) != 1) {
    return ossl_error(Errc::kOpenssl, "private key PEM");
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(key_bio.get(), &data);
  if (n <= 0) return ossl_error(Errc::kOpenssl, "private key PEM");
  out.key_pem = SecretString(std::string_view(data, static_cast<std::size_t>(n)));
  return out;
}

Result<CertificateInfo> inspect_certificate(std::string_view cert_pem) {
  X509Ptr x = KB_TRY(read_cert(cert_pem));
  return describe(x.get());
}

Result<CertificateInfo> check_tls_identity(const TlsIdentity& identity) {
  X509Ptr x = KB_TRY(read_cert(identity.cert_pem));
  std::string_view k = identity.key_pem.reveal();
  if (k.size() > (1u << 20)) return Error(Errc::kBadPrivateKey, "PEM over 1 MiB");
  BioPtr b(BIO_new_mem_buf(k.data(), static_cast<int>(k.size())));
  if (!b) return ossl_error(Errc::kOpenssl, "BIO");
  // An encrypted key is refused rather than prompting on the terminal for a passphrase.
  pem_password_cb* no_passphrase = [](char*, int, int, void*) { return -1; };
  PkeyPtr key(PEM_read_bio_PrivateKey(b.get(), nullptr, no_passphrase, nullptr));
  if (!key) return ossl_error(Errc::kBadPrivateKey, "no private key in PEM");
  const EVP_PKEY* pub = X509_get0_pubkey(x.get());
  if (pub == nullptr || EVP_PKEY_eq(pub, key.get()) != 1) {
    ERR_clear_error();
    return Error(Errc::kKeyMismatch, "the private key does not match the certificate");
  }
  return describe(x.get());
}

}  // namespace kb::crypto
