#include "crypto/certificate.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <utility>

#include "crypto/internal/ossl.h"

namespace kb::crypto {

namespace {

using internal::libctx;
using internal::ossl_fail;

using X509Ptr = std::unique_ptr<X509, internal::Free<X509_free>>;

constexpr std::size_t kMaxCertSize = 16 * 1024;

Error cert_error(std::string_view what) {
  ERR_clear_error();
  return Error(PkeyErrc::kBadCertificate, std::string(what));
}

std::time_t to_time_t(SysTime t) {
  return static_cast<std::time_t>(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

}  // namespace

struct Certificate::State {
  X509Ptr x;
  Bytes der;
};

Result<Certificate> Certificate::parse(ByteView der) {
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
  auto state = std::make_shared<State>();
  state->x = std::move(x);
  state->der.assign(der.begin(), der.end());
  Certificate out;
  out.s_ = std::move(state);
  return out;
}

ByteView Certificate::der() const {
  return s_ ? ByteView(s_->der) : ByteView();
}

x509_st* Certificate::x509() const {
  return s_ ? s_->x.get() : nullptr;
}

Result<std::string> Certificate::subject_cn() const {
  if (!s_) return cert_error("empty certificate");
  X509_NAME* name = X509_get_subject_name(s_->x.get());
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

Result<Bytes> Certificate::spki_der() const {
  if (!s_) return cert_error("empty certificate");
  // The X509_PUBKEY keeps its decoded fields: this re-encodes them, no key encoder runs.
  X509_PUBKEY* pk = X509_get_X509_PUBKEY(s_->x.get());
  int n = i2d_X509_PUBKEY(pk, nullptr);
  if (n <= 0) return cert_error("certificate public key");
  Bytes spki(static_cast<std::size_t>(n));
  unsigned char* p = spki.data();
  if (i2d_X509_PUBKEY(pk, &p) != n) return ossl_fail("i2d_X509_PUBKEY");
  return spki;
}

Result<PublicKey> Certificate::public_key() const {
  const Bytes spki = KB_TRY(spki_der());
  return PublicKey::from_spki_der(spki);
}

Result<void> Certificate::verify_issued_by(const Certificate& ca, SysTime at) const {
  if (!s_ || !ca.s_) return cert_error("empty certificate");
  OSSL_LIB_CTX* lc = KB_TRY(libctx());
  std::unique_ptr<X509_STORE, internal::Free<X509_STORE_free>> store(X509_STORE_new());
  std::unique_ptr<X509_STORE_CTX, internal::Free<X509_STORE_CTX_free>> ctx(
      X509_STORE_CTX_new_ex(lc, nullptr));
  // The store and the context take their own references: the shared X509s are only read.
  if (!store || !ctx || X509_STORE_add_cert(store.get(), ca.s_->x.get()) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), s_->x.get(), nullptr) != 1) {
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

CertificateCache::CertificateCache(std::size_t capacity)
    : capacity_(capacity == 0 ? 1 : capacity) {}

std::size_t CertificateCache::size() const {
  std::lock_guard lock(mu_);
  return certs_.size();
}

Result<Certificate> CertificateCache::get(std::string_view name, ByteView der) {
  const std::string key(name);
  {
    std::lock_guard lock(mu_);
    if (auto it = certs_.find(key);
        it != certs_.end() && std::ranges::equal(it->second.der(), der)) {
      return it->second;
    }
  }
  // Decoded outside the lock; two threads may decode the same new bytes once.
  Certificate cert = KB_TRY(Certificate::parse(der));
  std::lock_guard lock(mu_);
  if (auto it = certs_.find(key); it != certs_.end()) {
    it->second = cert;  // a changed certificate replaces the old one in place
    return cert;
  }
  while (certs_.size() >= capacity_ && !order_.empty()) {
    certs_.erase(order_.front());
    order_.pop_front();
  }
  certs_.emplace(key, cert);
  order_.push_back(key);
  return cert;
}

}  // namespace kb::crypto
