#include "client/fido2/fido2_authenticator.h"

#include <fido.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <mutex>

#include "client/fido2/fido2_errors.h"
#include "webauthn/auth_data.h"
#include "webauthn/cbor.h"

namespace kb::client {
namespace {

using E = AuthenticatorErrc;
using crypto::cose::Alg;
using fido2::map_fido_error;
using Clock = std::chrono::steady_clock;
namespace cbor = webauthn::cbor;

constexpr std::size_t kMaxDevices = 64;
constexpr std::size_t kClientDataHashSize = 32;

void init_library() {
  static std::once_flag once;
  std::call_once(once, [] { fido_init(0); });
}

struct CredDeleter {
  void operator()(fido_cred_t* c) const { fido_cred_free(&c); }
};
struct AssertDeleter {
  void operator()(fido_assert_t* a) const { fido_assert_free(&a); }
};
struct InfoDeleter {
  void operator()(fido_cbor_info_t* i) const { fido_cbor_info_free(&i); }
};

std::string or_empty(const char* s) {
  return s == nullptr ? std::string() : std::string(s);
}

Bytes copy_blob(const unsigned char* p, std::size_t n) {
  return p == nullptr ? Bytes() : Bytes(p, p + n);
}

// The PIN as libfido2 wants it (NUL-terminated), held in wiped storage.
SecretBytes c_string(const SecretString& pin) {
  SecretBytes b(pin.size() + 1);
  auto out = b.reveal_mutable();
  std::copy(pin.reveal().begin(), pin.reveal().end(), out.begin());
  out[pin.size()] = 0;
  return b;
}

// How user verification is asked of the key: with the PIN (libfido2 then omits the "uv"
// option and sends pinUvAuthParam, CTAP 2.1 6.1.2 step 6), with built-in UV ("uv": true), or
// not at all.
struct UvPlan {
  fido_opt_t uv = FIDO_OPT_OMIT;
  SecretBytes pin;  // empty: no PIN sent
  [[nodiscard]] const char* pin_ptr() const {
    return pin.empty() ? nullptr : reinterpret_cast<const char*>(pin.reveal().data());
  }
};

Result<UvPlan> plan_user_verification(fido_dev_t* dev, webauthn::Requirement want,
                                      const SecretString* pin) {
  UvPlan plan;
  const bool pin_set = fido_dev_has_pin(dev);
  if (pin != nullptr && !pin->empty() && pin_set) {
    plan.pin = c_string(*pin);
    return plan;
  }
  if (want != webauthn::Requirement::kRequired) return plan;
  if (fido_dev_has_uv(dev)) {
    plan.uv = FIDO_OPT_TRUE;
    return plan;
  }
  if (pin_set) return Error(E::kPinRequired, "this security key needs its PIN");
  if (fido_dev_supports_pin(dev)) {
    return Error(E::kUvUnavailable,
                 "the security key has no PIN: set one (e.g. fido2-token -S) to use it for "
                 "sign-in");
  }
  return Error(E::kUvUnavailable, "the security key cannot verify the user (no PIN support)");
}

bool alg_supported_here(Alg a) {
  return a == Alg::kEs256 || a == Alg::kEdDsa || a == Alg::kRs256;
}

// The algorithms to try, in the RP's order: those libfido2 can carry and, when the key lists
// its algorithms (CTAP 2.1 getInfo 0x0A), those the key has.
std::vector<Alg> candidate_algs(const std::vector<Alg>& wanted, const fido_cbor_info_t* ci) {
  std::vector<Alg> out;
  std::size_t n = ci == nullptr ? 0 : fido_cbor_info_algorithm_count(ci);
  for (Alg a : wanted) {
    if (!alg_supported_here(a)) continue;
    bool listed = n == 0;
    for (std::size_t i = 0; i < n && !listed; ++i) {
      listed = fido_cbor_info_algorithm_cose(ci, i) == static_cast<int>(a);
    }
    if (listed) out.push_back(a);
  }
  return out;
}

// WebAuthn 6.5 attestation object {fmt, attStmt, authData}: authData as the key sent it
// (libfido2 keeps the raw bytes), attStmt as libfido2 re-serialised it from the reply.
Result<Bytes> attestation_object(const fido_cred_t* cred) {
  const char* fmt = fido_cred_fmt(cred);
  if (fmt == nullptr) return Error(E::kDevice, "the security key sent no attestation format");
  cbor::Value stmt = cbor::Value::map({});
  if (fido_cred_attstmt_len(cred) != 0) {
    cbor::Limits limits;
    auto v =
        cbor::decode(ByteView(fido_cred_attstmt_ptr(cred), fido_cred_attstmt_len(cred)), limits);
    if (!v || v->kind != cbor::Value::Kind::kMap) {
      return Error(E::kDevice, "the security key sent a malformed attestation statement");
    }
    stmt = std::move(v).value();
  }
  ByteView auth(fido_cred_authdata_raw_ptr(cred), fido_cred_authdata_raw_len(cred));
  if (auth.empty()) return Error(E::kDevice, "the security key sent no authenticator data");
  return cbor::encode(
      cbor::Value::map({{cbor::Value::text_string("fmt"), cbor::Value::text_string(fmt)},
                        {cbor::Value::text_string("attStmt"), std::move(stmt)},
                        {cbor::Value::text_string("authData"), cbor::Value::byte_string(auth)}}));
}

// libfido2 1.12 hands assertion authenticator data back CBOR-wrapped (a byte string); the
// signature is over the bytes inside.
Result<Bytes> unwrap_auth_data(const unsigned char* p, std::size_t n) {
  if (p == nullptr || n == 0)
    return Error(E::kDevice, "the security key sent no authenticator data");
  cbor::Limits limits;
  auto v = cbor::decode(ByteView(p, n), limits);
  if (!v || v->kind != cbor::Value::Kind::kBytes || v->bytes.size() < 37) {
    return Error(E::kDevice, "the security key sent malformed authenticator data");
  }
  return std::move(v->bytes);
}

// Whether getInfo (CTAP 2.1 6.4, member 0x02) lists the extension.
bool info_has_extension(const fido_cbor_info_t* ci, std::string_view name) {
  char** x = fido_cbor_info_extensions_ptr(ci);
  for (std::size_t i = 0; i < fido_cbor_info_extensions_len(ci); ++i) {
    if (x[i] != nullptr && name == x[i]) return true;
  }
  return false;
}

// CTAP 2.1 12.5: the credential has hmac-secret when the attested authData's extensions say
// "hmac-secret": true.
bool cred_has_hmac_secret(const fido_cred_t* cred) {
  ByteView raw(fido_cred_authdata_raw_ptr(cred), fido_cred_authdata_raw_len(cred));
  auto ad = webauthn::parse_authenticator_data(raw);
  if (!ad || !ad->extensions) return false;
  const cbor::Value* v = ad->extensions->find("hmac-secret");
  return v != nullptr && v->kind == cbor::Value::Kind::kBool && v->u == 1;
}

std::chrono::milliseconds since(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
}

}  // namespace

struct Fido2Authenticator::Device {
  fido_dev_t* dev = nullptr;
  std::string path;
  Fido2Options options;
  ~Device() {
    if (dev != nullptr) {
      fido_dev_close(dev);
      fido_dev_free(&dev);
    }
  }

  Error fail(int r, const char* what, Clock::time_point t0) {
    return map_fido_error(r, dev, {what, options.timeout, since(t0)});
  }

  // Opens with whatever I/O the device was given; refuses a key that answers only U2F
  // (libfido2 falls back to U2F when getInfo fails): sign-in needs CTAP2.
  Result<void> open() {
    if (options.timeout.count() >= 0) {
      int ms = static_cast<int>(std::min<std::int64_t>(options.timeout.count(), INT32_MAX));
      if (fido_dev_set_timeout(dev, ms) != FIDO_OK) {
        return Error(E::kBadRequest, "timeout out of range");
      }
    }
    auto t0 = Clock::now();
    int r = fido_dev_open(dev, path.c_str());
    if (r != FIDO_OK) {
      Error e = fail(r, "opening it", t0);
      if (e.is(E::kDevice)) {
        return Error(E::kDevice, "cannot open the security key at " + path + ": " + e.detail());
      }
      return e;
    }
    if (!fido_dev_is_fido2(dev)) {
      return Error(E::kDevice, "the security key at " + path +
                                   " speaks only U2F (or did not answer getInfo); sign-in "
                                   "needs a FIDO2 key");
    }
    return ok();
  }
};

Fido2Authenticator::Fido2Authenticator(std::unique_ptr<Device> d) : d_(std::move(d)) {}
Fido2Authenticator::~Fido2Authenticator() = default;
Fido2Authenticator::Fido2Authenticator(Fido2Authenticator&&) noexcept = default;
Fido2Authenticator& Fido2Authenticator::operator=(Fido2Authenticator&&) noexcept = default;

Result<std::vector<Fido2DeviceInfo>> Fido2Authenticator::list_devices() {
  init_library();
  fido_dev_info_t* list = fido_dev_info_new(kMaxDevices);
  if (list == nullptr) return Error(E::kDevice, "out of memory listing security keys");
  std::size_t n = 0;
  int r = fido_dev_info_manifest(list, kMaxDevices, &n);
  std::vector<Fido2DeviceInfo> out;
  if (r == FIDO_OK) {
    for (std::size_t i = 0; i < n; ++i) {
      const fido_dev_info_t* di = fido_dev_info_ptr(list, i);
      Fido2DeviceInfo d;
      d.path = or_empty(fido_dev_info_path(di));
      d.manufacturer = or_empty(fido_dev_info_manufacturer_string(di));
      d.product = or_empty(fido_dev_info_product_string(di));
      d.vendor_id = static_cast<std::uint16_t>(fido_dev_info_vendor(di));
      d.product_id = static_cast<std::uint16_t>(fido_dev_info_product(di));
      if (!d.path.empty()) out.push_back(std::move(d));
    }
  }
  fido_dev_info_free(&list, kMaxDevices);
  if (r != FIDO_OK) {
    return Error(E::kDevice, std::string("cannot list security keys: ") + fido_strerr(r));
  }
  return out;
}

Result<Fido2Authenticator> Fido2Authenticator::open(std::optional<std::string> path,
                                                    const Fido2Options& options) {
  init_library();
  if (!path) {
    auto devices = KB_TRY(list_devices());
    if (devices.empty()) return Error(E::kNoDevice, "no security key found: insert one");
    path = devices.front().path;
  }
  auto d = std::make_unique<Device>();
  d->path = *path;
  d->options = options;
  if ((d->dev = fido_dev_new()) == nullptr) return Error(E::kDevice, "out of memory");
  KB_CHECK(d->open());
  return Fido2Authenticator(std::move(d));
}

Result<Fido2Authenticator> Fido2Authenticator::open_with_io(const std::string& path,
                                                            const fido_dev_io& io,
                                                            const fido_dev_transport* transport,
                                                            const Fido2Options& options) {
  init_library();
  auto d = std::make_unique<Device>();
  d->path = path;
  d->options = options;
  if ((d->dev = fido_dev_new()) == nullptr) return Error(E::kDevice, "out of memory");
  if (fido_dev_set_io_functions(d->dev, &io) != FIDO_OK) {
    return Error(E::kBadRequest, "incomplete I/O hooks");
  }
  if (transport != nullptr && fido_dev_set_transport_functions(d->dev, transport) != FIDO_OK) {
    return Error(E::kBadRequest, "incomplete transport hooks");
  }
  KB_CHECK(d->open());
  return Fido2Authenticator(std::move(d));
}

Result<Fido2KeyInfo> Fido2Authenticator::info() {
  std::unique_ptr<fido_cbor_info_t, InfoDeleter> ci(fido_cbor_info_new());
  if (!ci) return Error(E::kDevice, "out of memory");
  auto t0 = Clock::now();
  int r = fido_dev_get_cbor_info(d_->dev, ci.get());
  if (r != FIDO_OK) return d_->fail(r, "reading its properties", t0);
  Fido2KeyInfo out;
  char** v = fido_cbor_info_versions_ptr(ci.get());
  for (std::size_t i = 0; i < fido_cbor_info_versions_len(ci.get()); ++i) {
    out.versions.emplace_back(v[i]);
  }
  char** x = fido_cbor_info_extensions_ptr(ci.get());
  for (std::size_t i = 0; i < fido_cbor_info_extensions_len(ci.get()); ++i) {
    out.extensions.emplace_back(x[i]);
  }
  out.aaguid = copy_blob(fido_cbor_info_aaguid_ptr(ci.get()), fido_cbor_info_aaguid_len(ci.get()));
  char** on = fido_cbor_info_options_name_ptr(ci.get());
  const bool* ov = fido_cbor_info_options_value_ptr(ci.get());
  for (std::size_t i = 0; i < fido_cbor_info_options_len(ci.get()); ++i) {
    out.options.emplace_back(on[i], ov[i]);
  }
  const std::uint8_t* p = fido_cbor_info_protocols_ptr(ci.get());
  out.pin_protocols.assign(p, p + fido_cbor_info_protocols_len(ci.get()));
  for (std::size_t i = 0; i < fido_cbor_info_algorithm_count(ci.get()); ++i) {
    out.algorithms.push_back(fido_cbor_info_algorithm_cose(ci.get(), i));
  }
  out.max_msg_size = fido_cbor_info_maxmsgsiz(ci.get());
  return out;
}

Result<MakeCredentialResponse> Fido2Authenticator::make_credential(
    const MakeCredentialRequest& req) {
  if (req.client_data_hash.size() != kClientDataHashSize || req.rp_id.empty() ||
      req.user.id.empty()) {
    return Error(E::kBadRequest, "bad makeCredential request");
  }
  UvPlan uv = KB_TRY(plan_user_verification(d_->dev, req.user_verification, req.pin));
  std::unique_ptr<fido_cbor_info_t, InfoDeleter> ci(fido_cbor_info_new());
  if (!ci) return Error(E::kDevice, "out of memory");
  auto t0 = Clock::now();
  if (int r = fido_dev_get_cbor_info(d_->dev, ci.get()); r != FIDO_OK) {
    return d_->fail(r, "reading its properties", t0);
  }
  std::vector<Alg> algs = candidate_algs(req.algs, ci.get());
  if (algs.empty()) {
    return Error(E::kUnsupportedAlgorithm,
                 "the security key supports none of the signature algorithms asked for");
  }
  // CTAP2 makeCredential carries one algorithm through libfido2; a key that does not list
  // its algorithms is asked for each in turn (CTAP 2.1 6.1.2 step 3 answers
  // UNSUPPORTED_ALGORITHM).
  for (std::size_t i = 0; i < algs.size(); ++i) {
    std::unique_ptr<fido_cred_t, CredDeleter> cred(fido_cred_new());
    if (!cred) return Error(E::kDevice, "out of memory");
    fido_cred_t* c = cred.get();
    const UserInfo& u = req.user;
    if (fido_cred_set_type(c, static_cast<int>(algs[i])) != FIDO_OK ||
        fido_cred_set_clientdata_hash(c, req.client_data_hash.data(),
                                      req.client_data_hash.size()) != FIDO_OK ||
        fido_cred_set_rp(c, req.rp_id.c_str(),
                         req.rp_name.empty() ? nullptr : req.rp_name.c_str()) != FIDO_OK ||
        fido_cred_set_user(c, u.id.data(), u.id.size(), u.name.empty() ? nullptr : u.name.c_str(),
                           u.display_name.empty() ? nullptr : u.display_name.c_str(),
                           nullptr) != FIDO_OK ||
        fido_cred_set_rk(c, req.resident_key ? FIDO_OPT_TRUE : FIDO_OPT_OMIT) != FIDO_OK ||
        fido_cred_set_uv(c, uv.uv) != FIDO_OK) {
      return Error(E::kBadRequest, "libfido2 refused the makeCredential parameters");
    }
    // A key without hmac-secret is not asked for it: the credential simply lacks it.
    if (req.hmac_secret && info_has_extension(ci.get(), "hmac-secret") &&
        fido_cred_set_extensions(c, FIDO_EXT_HMAC_SECRET) != FIDO_OK) {
      return Error(E::kBadRequest, "libfido2 refused the hmac-secret extension");
    }
    for (const Bytes& id : req.exclude) {
      if (fido_cred_exclude(c, id.data(), id.size()) != FIDO_OK) {
        return Error(E::kBadRequest, "libfido2 refused an excluded credential id");
      }
    }
    t0 = Clock::now();
    int r = fido_dev_make_cred(d_->dev, c, uv.pin_ptr());
    if (r == FIDO_ERR_UNSUPPORTED_ALGORITHM && i + 1 < algs.size()) continue;
    if (r != FIDO_OK) return d_->fail(r, "registering it", t0);
    MakeCredentialResponse out;
    out.credential_id = copy_blob(fido_cred_id_ptr(c), fido_cred_id_len(c));
    if (out.credential_id.empty())
      return Error(E::kDevice, "the security key sent no credential id");
    out.attestation_object = KB_TRY(attestation_object(c));
    out.transports = {"usb"};
    out.hmac_secret = req.hmac_secret && cred_has_hmac_secret(c);
    return out;
  }
  return Error(E::kUnsupportedAlgorithm, "no algorithm left to try");
}

Result<GetAssertionResponse> Fido2Authenticator::get_assertion(const GetAssertionRequest& req) {
  if (req.client_data_hash.size() != kClientDataHashSize || req.rp_id.empty()) {
    return Error(E::kBadRequest, "bad getAssertion request");
  }
  if (req.hmac_salt && req.hmac_salt->size() != kHmacSecretSaltSize) {
    return Error(E::kBadRequest, "hmac-secret salt is not 32 bytes");
  }
  UvPlan uv = KB_TRY(plan_user_verification(d_->dev, req.user_verification, req.pin));
  bool want_hmac = false;
  if (req.hmac_salt) {
    std::unique_ptr<fido_cbor_info_t, InfoDeleter> ci(fido_cbor_info_new());
    if (!ci) return Error(E::kDevice, "out of memory");
    auto t_info = Clock::now();
    if (int r = fido_dev_get_cbor_info(d_->dev, ci.get()); r != FIDO_OK) {
      return d_->fail(r, "reading its properties", t_info);
    }
    want_hmac = info_has_extension(ci.get(), "hmac-secret");
  }
  std::unique_ptr<fido_assert_t, AssertDeleter> as(fido_assert_new());
  if (!as) return Error(E::kDevice, "out of memory");
  fido_assert_t* a = as.get();
  if (fido_assert_set_rp(a, req.rp_id.c_str()) != FIDO_OK ||
      fido_assert_set_clientdata_hash(a, req.client_data_hash.data(),
                                      req.client_data_hash.size()) != FIDO_OK ||
      fido_assert_set_uv(a, uv.uv) != FIDO_OK) {
    return Error(E::kBadRequest, "libfido2 refused the getAssertion parameters");
  }
  // CTAP 2.1 12.5: libfido2 does the key agreement, saltEnc/saltAuth and the decryption.
  if (want_hmac &&
      (fido_assert_set_extensions(a, FIDO_EXT_HMAC_SECRET) != FIDO_OK ||
       fido_assert_set_hmac_salt(a, req.hmac_salt->data(), req.hmac_salt->size()) != FIDO_OK)) {
    return Error(E::kBadRequest, "libfido2 refused the hmac-secret salt");
  }
  for (const Bytes& id : req.allow) {
    if (fido_assert_allow_cred(a, id.data(), id.size()) != FIDO_OK) {
      return Error(E::kBadRequest, "libfido2 refused an allowed credential id");
    }
  }
  auto t0 = Clock::now();
  int r = fido_dev_get_assert(d_->dev, a, uv.pin_ptr());
  if (r != FIDO_OK) return d_->fail(r, "signing in", t0);
  if (fido_assert_count(a) == 0) {
    return Error(E::kNoCredentials, "this security key is not registered for this account");
  }
  // With several discoverable credentials for the RP the key returns them all
  // (authenticatorGetNextAssertion); the first, the most recently created, is used.
  GetAssertionResponse out;
  out.credential_id = copy_blob(fido_assert_id_ptr(a, 0), fido_assert_id_len(a, 0));
  out.authenticator_data =
      KB_TRY(unwrap_auth_data(fido_assert_authdata_ptr(a, 0), fido_assert_authdata_len(a, 0)));
  out.signature = copy_blob(fido_assert_sig_ptr(a, 0), fido_assert_sig_len(a, 0));
  if (out.signature.empty()) return Error(E::kDevice, "the security key sent no signature");
  if (out.credential_id.empty()) {
    // CTAP 2.1 6.2.2: the credential may be omitted when the allow list had exactly one.
    if (req.allow.size() != 1) return Error(E::kDevice, "the security key sent no credential id");
    out.credential_id = req.allow.front();
  }
  if (fido_assert_user_id_len(a, 0) != 0) {
    out.user_handle = copy_blob(fido_assert_user_id_ptr(a, 0), fido_assert_user_id_len(a, 0));
  }
  // Absent when the credential was made without hmac-secret: the key then sends no output.
  if (want_hmac && fido_assert_hmac_secret_len(a, 0) != 0) {
    out.hmac_secret =
        SecretBytes(ByteView(fido_assert_hmac_secret_ptr(a, 0), fido_assert_hmac_secret_len(a, 0)));
  }
  return out;
}

Result<std::unique_ptr<Authenticator>> open_fido2_authenticator(std::string_view spec) {
  constexpr std::string_view kPrefix = "fido2";
  if (spec.substr(0, kPrefix.size()) != kPrefix) {
    return Error(E::kBadRequest, "authenticator spec is not fido2 or fido2:PATH");
  }
  std::string_view rest = spec.substr(kPrefix.size());
  std::optional<std::string> path;
  if (!rest.empty()) {
    if (rest.front() != ':' || rest.size() == 1) {
      return Error(E::kBadRequest, "authenticator spec is not fido2 or fido2:PATH");
    }
    path = std::string(rest.substr(1));
  }
  auto a = KB_TRY(Fido2Authenticator::open(std::move(path)));
  return std::unique_ptr<Authenticator>(std::make_unique<Fido2Authenticator>(std::move(a)));
}

}  // namespace kb::client
