#include "client/soft_authenticator.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "base/base64.h"
#include "base/json.h"
#include "crypto/crypto.h"
#include "crypto/master_key.h"
#include "crypto/symmetric.h"
#include "webauthn/cbor.h"
#include "webauthn/cose.h"

namespace kb::client {
namespace {

using crypto::cose::Alg;
using crypto::cose::PrivateKey;
using E = AuthenticatorErrc;
using webauthn::cbor::Value;
namespace bj = boost::json;

constexpr int kPinRetries = 8;  // CTAP 2.1 6.5.2.1: maximum PIN retries
constexpr std::size_t kCredentialIdSize = 32;
constexpr const char* kKeyBindingPrefix = "keybridge-soft-authenticator/v1:";
constexpr const char* kCredRandomBindingPrefix = "keybridge-soft-authenticator/v1/hmac-secret:";
constexpr std::size_t kCredRandomSize = 32;  // CTAP 2.1 12.5: CredRandom is 32 bytes

Error state_error(std::string what) {
  return Error(E::kState, std::move(what));
}

struct Credential {
  Bytes id;
  std::string rp_id;
  Bytes user_id;
  std::string user_name;
  std::string display_name;
  Alg alg = Alg::kEs256;
  Bytes wrapped_key;
  std::uint32_t sign_count = 0;
  bool resident = false;
  bool backup_eligible = false;
  // CTAP 2.1 12.5: CredRandomWithoutUV || CredRandomWithUV, wrapped like the private key;
  // empty when the credential was made without hmac-secret.
  Bytes wrapped_cred_random;
};

Bytes key_binding(ByteView credential_id) {
  Bytes ad = to_bytes(std::string_view(kKeyBindingPrefix));
  append(ad, credential_id);
  return ad;
}

Bytes cred_random_binding(ByteView credential_id) {
  Bytes ad = to_bytes(std::string_view(kCredRandomBindingPrefix));
  append(ad, credential_id);
  return ad;
}

// The authData extensions map {"hmac-secret": value} (CTAP 2.1 12.5).
Bytes hmac_secret_extension(webauthn::cbor::Value value) {
  return webauthn::cbor::encode(webauthn::cbor::Value::map(
      {{webauthn::cbor::Value::text_string("hmac-secret"), std::move(value)}}));
}

// The PIN verifier: RFC 8009 string-to-key (PBKDF2-HMAC-SHA384, 32768 iterations, then the
// RFC 8009 KDF) of the PIN under a random salt. Never stored in clear, compared in constant
// time.
Result<SecretBytes> derive_pin_verifier(const SecretString& pin, ByteView salt) {
  auto key = crypto::string_to_key(crypto::EncType::kAes256CtsHmacSha384192, pin, as_chars(salt));
  if (!key) return state_error("PIN key derivation failed");
  return key->bytes().clone();
}

Result<void> write_atomically(const std::filesystem::path& path, std::string_view data) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wbx");
  if (f == nullptr && errno == EEXIST) {
    std::filesystem::remove(tmp);  // a stale temporary from an interrupted write
    f = std::fopen(tmp.c_str(), "wbx");
  }
  if (f == nullptr) return state_error("cannot create " + tmp.string());
  bool good = ::fchmod(fileno(f), 0600) == 0 &&
              std::fwrite(data.data(), 1, data.size(), f) == data.size() && std::fflush(f) == 0 &&
              ::fsync(fileno(f)) == 0;
  good = std::fclose(f) == 0 && good;
  if (!good || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::filesystem::remove(tmp);
    return state_error("cannot write " + path.string());
  }
  return ok();
}

Result<std::string> read_private_file(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return state_error("no state file " + path.string());
  if ((st.st_mode & 077) != 0) return state_error(path.string() + " is readable by others");
  std::ifstream in(path, std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), {});
  if (!in && !in.eof()) return state_error("cannot read " + path.string());
  return s;
}

std::filesystem::path stash_path(const std::filesystem::path& p) {
  std::filesystem::path s = p;
  s += ".mk";
  return s;
}

}  // namespace

std::string_view error_code_name(AuthenticatorErrc e) {
  switch (e) {
    case E::kNoCredentials:
      return "no_credentials";
    case E::kCredentialExcluded:
      return "credential_excluded";
    case E::kUnsupportedAlgorithm:
      return "unsupported_algorithm";
    case E::kPinRequired:
      return "pin_required";
    case E::kPinInvalid:
      return "pin_invalid";
    case E::kPinBlocked:
      return "pin_blocked";
    case E::kUvUnavailable:
      return "uv_unavailable";
    case E::kState:
      return "state";
    case E::kBadRequest:
      return "bad_request";
    case E::kRpIdNotAllowed:
      return "rp_id_not_allowed";
    case E::kBadOptions:
      return "bad_options";
    case E::kNoDevice:
      return "no_device";
    case E::kTimeout:
      return "timeout";
    case E::kUserAction:
      return "user_action";
    case E::kDevice:
      return "device";
  }
  return "unknown";
}

namespace {
struct HmacSecretOutput {
  SecretBytes output;  // clear, for the platform side
  Bytes extensions;    // the authData extensions map with the encrypted output
};
}  // namespace

struct SoftAuthenticator::State {
  State(std::filesystem::path p, Rng& r, crypto::MasterKey m)
      : path(std::move(p)), rng(&r), mk(std::move(m)) {}
  std::filesystem::path path;
  Rng* rng;
  crypto::MasterKey mk;
  webauthn::Aaguid aaguid{};
  Bytes pin_salt;
  Bytes pin_verifier;  // empty: no PIN set
  int pin_retries = kPinRetries;
  std::vector<Credential> creds;
  SoftAttestation attestation = SoftAttestation::kPackedSelf;
  PrivateKey att_key;
  Bytes att_cert;
  bool backup_eligible = false;
  bool backup_state = false;
  bool hmac_secret_supported = true;
  SoftAuthenticator::HmacSecretEncrypt hmac_secret_encrypt;

  std::string to_json() const {
    bj::object o;
    o["version"] = 1;
    o["aaguid"] = hex_encode(aaguid);
    if (!pin_verifier.empty()) {
      o["pin"] = {{"salt", base64url_encode(pin_salt)},
                  {"verifier", base64url_encode(pin_verifier)},
                  {"retries", pin_retries}};
    }
    bj::array cs;
    for (const auto& c : creds) {
      auto& rec = cs.emplace_back(bj::object{{"id", base64url_encode(c.id)},
                                             {"rp_id", c.rp_id},
                                             {"user_id", base64url_encode(c.user_id)},
                                             {"user_name", c.user_name},
                                             {"display_name", c.display_name},
                                             {"alg", static_cast<int>(c.alg)},
                                             {"key", base64url_encode(c.wrapped_key)},
                                             {"sign_count", c.sign_count},
                                             {"resident", c.resident},
                                             {"backup_eligible", c.backup_eligible}});
      if (!c.wrapped_cred_random.empty()) {
        rec.as_object()["hmac_secret"] = base64url_encode(c.wrapped_cred_random);
      }
    }
    o["credentials"] = std::move(cs);
    return json::serialize(o);
  }

  Result<void> save() const { return write_atomically(path, to_json()); }

  Result<void> load(std::string_view text) {
    auto o = json::parse_object(text);
    if (!o) return state_error("state file is not JSON");
    auto b64 = [](const bj::object& obj, std::string_view k) -> Result<Bytes> {
      auto s = json::get_string(obj, k);
      if (!s) return state_error("state lacks " + std::string(k));
      auto b = base64url_decode(*s);
      if (!b) return state_error("state member is not base64url");
      return std::move(b).value();
    };
    auto ag = json::get_string(*o, "aaguid");
    auto ag_bytes = ag ? hex_decode(*ag) : Result<Bytes>(state_error("aaguid"));
    if (!ag_bytes || ag_bytes->size() != 16) return state_error("bad aaguid");
    std::copy(ag_bytes->begin(), ag_bytes->end(), aaguid.begin());
    if (auto pin = json::get_object(*o, "pin")) {
      pin_salt = KB_TRY(b64(**pin, "salt"));
      pin_verifier = KB_TRY(b64(**pin, "verifier"));
      auto r = json::get_int(**pin, "retries");
      if (!r || *r < 0 || *r > kPinRetries) return state_error("bad PIN retries");
      pin_retries = static_cast<int>(*r);
    }
    auto cs = json::get_array(*o, "credentials");
    if (!cs) return state_error("state lacks credentials");
    for (const auto& v : **cs) {
      if (!v.is_object()) return state_error("credential is not an object");
      const auto& c = v.as_object();
      Credential cr;
      cr.id = KB_TRY(b64(c, "id"));
      cr.user_id = KB_TRY(b64(c, "user_id"));
      cr.wrapped_key = KB_TRY(b64(c, "key"));
      auto rp = json::get_string(c, "rp_id");
      auto alg = json::get_int(c, "alg");
      auto count = json::get_int(c, "sign_count");
      auto res = json::get_bool(c, "resident");
      auto be = json::get_bool(c, "backup_eligible");
      if (!rp || !alg || !count || !res || !be || *count < 0 || *count > 0xffffffffLL ||
          !crypto::cose::alg_from_int(*alg)) {
        return state_error("malformed credential record");
      }
      cr.rp_id = *rp;
      cr.alg = static_cast<Alg>(*alg);
      cr.sign_count = static_cast<std::uint32_t>(*count);
      cr.resident = *res;
      cr.backup_eligible = *be;
      cr.user_name = json::get_optional_string(c, "user_name").value_or("");
      cr.display_name = json::get_optional_string(c, "display_name").value_or("");
      if (c.contains("hmac_secret")) cr.wrapped_cred_random = KB_TRY(b64(c, "hmac_secret"));
      creds.push_back(std::move(cr));
    }
    return ok();
  }

  // CTAP 2.1 12.5 getAssertion: output1 = HMAC-SHA-256(CredRandom, salt1), CredRandom
  // chosen by whether UV was done. The platform/authenticator channel is in-process here,
  // so instead of an ECDH shared secret a fresh random one stands in: authData carries
  // the output encrypted like PIN/UV protocol 2 (IV || AES-256-CBC), which the RP cannot
  // read, and the clear output goes only to the caller.
  Result<HmacSecretOutput> hmac_secret(const Credential& c, ByteView salt, bool uv) const {
    auto cr = mk.unwrap(c.wrapped_cred_random, cred_random_binding(c.id));
    if (!cr || cr->size() != 2 * kCredRandomSize) return state_error("cannot unwrap CredRandom");
    ByteView cred_random = cr->reveal().subspan(uv ? kCredRandomSize : 0, kCredRandomSize);
    auto mac = crypto::hmac_sha256(cred_random, salt);
    if (!mac) return state_error("hmac-secret computation failed");
    HmacSecretOutput out;
    out.output = SecretBytes::adopt(std::move(mac).value());
    if (hmac_secret_encrypt) {
      Bytes enc = KB_TRY(hmac_secret_encrypt(out.output.reveal()));
      out.extensions = hmac_secret_extension(Value::byte_string(enc));
      return out;
    }
    SecretBytes shared(32);
    rng->fill(shared.reveal_mutable());
    Bytes iv(crypto::kAesBlock);
    rng->fill(iv);
    auto ct = crypto::aes256_cbc_encrypt(shared, iv, out.output.reveal());
    if (!ct) return state_error("hmac-secret encryption failed");
    // PKCS#7 adds a whole block to 32 bytes; protocol 2 carries no padding, so drop it.
    Bytes enc = iv;
    append(enc, ByteView(*ct).first(out.output.size()));
    out.extensions = hmac_secret_extension(Value::byte_string(enc));
    return out;
  }

  // CTAP 2.1 6.1.2 steps for UV: returns whether the UV flag may be set.
  Result<bool> user_verification(webauthn::Requirement want, const SecretString* pin) {
    if (want == webauthn::Requirement::kDiscouraged && pin == nullptr) return false;
    if (pin_verifier.empty()) {
      if (want == webauthn::Requirement::kRequired) {
        return Error(E::kUvUnavailable, "no PIN set: user verification unavailable");
      }
      return false;
    }
    if (pin == nullptr) {
      if (want == webauthn::Requirement::kRequired) return Error(E::kPinRequired, "PIN required");
      return false;
    }
    if (pin_retries <= 0) return Error(E::kPinBlocked, "PIN blocked");
    SecretBytes v = KB_TRY(derive_pin_verifier(*pin, pin_salt));
    if (!constant_time_equal(v.reveal(), pin_verifier)) {
      --pin_retries;
      KB_CHECK(save());
      return Error(E::kPinInvalid, "wrong PIN");
    }
    if (pin_retries != kPinRetries) {
      pin_retries = kPinRetries;
      KB_CHECK(save());
    }
    return true;
  }
};

SoftAuthenticator::SoftAuthenticator(std::unique_ptr<State> s) : s_(std::move(s)) {}
SoftAuthenticator::~SoftAuthenticator() = default;
SoftAuthenticator::SoftAuthenticator(SoftAuthenticator&&) noexcept = default;
SoftAuthenticator& SoftAuthenticator::operator=(SoftAuthenticator&&) noexcept = default;

Result<std::filesystem::path> SoftAuthenticator::parse_spec(std::string_view spec) {
  constexpr std::string_view kPrefix = "soft:";
  if (spec.substr(0, kPrefix.size()) != kPrefix || spec.size() == kPrefix.size()) {
    return Error(E::kBadRequest, "authenticator spec is not soft:PATH");
  }
  return std::filesystem::path(std::string(spec.substr(kPrefix.size())));
}

Result<SoftAuthenticator> SoftAuthenticator::create(const std::filesystem::path& path, Rng& rng,
                                                    const SecretString* pin) {
  if (std::filesystem::exists(path)) return state_error(path.string() + " already exists");
  auto mk = crypto::MasterKey::create_stash(stash_path(path), rng);
  if (!mk) return state_error("cannot create key stash: " + mk.error().detail());
  auto s = std::make_unique<State>(path, rng, std::move(mk).value());
  rng.fill(s->aaguid);
  if (pin != nullptr) {
    // CTAP 2.1 6.5.5.5: a PIN has at least 4 code points.
    if (pin->size() < 4) return Error(E::kBadRequest, "PIN shorter than 4 characters");
    s->pin_salt.resize(16);
    rng.fill(s->pin_salt);
    SecretBytes v = KB_TRY(derive_pin_verifier(*pin, s->pin_salt));
    s->pin_verifier = to_bytes(v.reveal());
  }
  KB_CHECK(s->save());
  return SoftAuthenticator(std::move(s));
}

Result<SoftAuthenticator> SoftAuthenticator::open(const std::filesystem::path& path, Rng& rng) {
  std::string text = KB_TRY(read_private_file(path));
  auto mk = crypto::MasterKey::load_stash(stash_path(path));
  if (!mk) return state_error("cannot load key stash: " + mk.error().detail());
  auto s = std::make_unique<State>(path, rng, std::move(mk).value());
  KB_CHECK(s->load(text));
  return SoftAuthenticator(std::move(s));
}

Result<void> SoftAuthenticator::set_attestation(SoftAttestation mode,
                                                const crypto::cose::PrivateKey* ca_key,
                                                const crypto::attest::Certificate* ca_cert,
                                                SysTime now) {
  s_->attestation = mode;
  if (mode != SoftAttestation::kPackedX5c && mode != SoftAttestation::kFidoU2f) return ok();
  if (ca_key == nullptr || ca_cert == nullptr) {
    return Error(E::kBadRequest, "x5c attestation needs a CA key and certificate");
  }
  auto key = PrivateKey::generate(Alg::kEs256);
  if (!key) return Error(E::kState, "attestation key generation failed");
  crypto::attest::IssueParams p;
  // WebAuthn 8.2.1 subject: C, O, OU "Authenticator Attestation", CN.
  p.subject = {{"C", "DE"},
               {"O", "Keybridge"},
               {"OU", "Authenticator Attestation"},
               {"CN", "Keybridge Soft Authenticator"}};
  Bytes serial(8);
  s_->rng->fill(serial);
  p.serial = 0;
  for (auto b : serial) p.serial = (p.serial << 8) | b;
  p.serial >>= 1;  // positive
  p.not_before = now - std::chrono::hours(1);
  p.not_after = now + std::chrono::hours(24 * 365);
  if (mode == SoftAttestation::kPackedX5c) {
    // id-fido-gen-ce-aaguid: OCTET STRING (16 bytes), not critical.
    Bytes ext{0x04, 0x10};
    append(ext, s_->aaguid);
    p.extensions.push_back({"1.3.6.1.4.1.45724.1.1.4", ext, false});
  }
  auto pub = key->public_key();
  if (!pub) return Error(E::kState, "attestation public key");
  auto der = crypto::attest::issue_certificate(p, *pub, *ca_key, ca_cert);
  if (!der)
    return Error(E::kState, "cannot issue attestation certificate: " + der.error().detail());
  s_->att_key = std::move(key).value();
  s_->att_cert = std::move(der).value();
  return ok();
}

void SoftAuthenticator::set_backup(bool eligible, bool state) {
  s_->backup_eligible = eligible;
  s_->backup_state = state;
}

void SoftAuthenticator::set_hmac_secret_encrypt(HmacSecretEncrypt encrypt) {
  s_->hmac_secret_encrypt = std::move(encrypt);
}

void SoftAuthenticator::set_hmac_secret_supported(bool supported) {
  s_->hmac_secret_supported = supported;
}

const webauthn::Aaguid& SoftAuthenticator::aaguid() const {
  return s_->aaguid;
}

std::size_t SoftAuthenticator::credential_count() const {
  return s_->creds.size();
}

namespace {

std::uint8_t backup_flags(bool be, bool bs) {
  std::uint8_t f = 0;
  if (be) f |= webauthn::kFlagBe;
  if (be && bs) f |= webauthn::kFlagBs;
  return f;
}

Result<Bytes> attestation_object(std::string_view fmt, Value att_stmt, ByteView auth_data) {
  return webauthn::cbor::encode(
      Value::map({{Value::text_string("fmt"), Value::text_string(fmt)},
                  {Value::text_string("attStmt"), std::move(att_stmt)},
                  {Value::text_string("authData"), Value::byte_string(auth_data)}}));
}

}  // namespace

// The attestation object for a new credential (WebAuthn 8.7 none, 8.2 packed, 8.6 fido-u2f).
Result<Bytes> SoftAuthenticator::attestation_statement(
    SoftAttestation mode, Alg alg, const PrivateKey& key, const crypto::cose::PublicKey& pub,
    ByteView client_data_hash, ByteView credential_id, ByteView auth_data) const {
  Bytes rp_hash(auth_data.begin(), auth_data.begin() + 32);
  Bytes to_sign = to_bytes(auth_data);
  append(to_sign, client_data_hash);

  Bytes att;
  switch (mode) {
    case SoftAttestation::kNone:
      att = KB_TRY(attestation_object("none", Value::map({}), auth_data));
      break;
    case SoftAttestation::kPackedSelf: {
      // WebAuthn 8.2 self attestation: sig by the credential key, alg the credential's.
      auto sig = key.sign(to_sign);
      if (!sig) return state_error("signing failed");
      att = KB_TRY(attestation_object(
          "packed",
          Value::map({{Value::text_string("alg"), Value::integer(static_cast<int>(alg))},
                      {Value::text_string("sig"), Value::byte_string(*sig)}}),
          auth_data));
      break;
    }
    case SoftAttestation::kPackedX5c: {
      if (s_->att_key.empty()) return Error(E::kBadRequest, "no attestation key configured");
      auto sig = s_->att_key.sign(to_sign);
      if (!sig) return state_error("signing failed");
      att = KB_TRY(attestation_object(
          "packed",
          Value::map(
              {{Value::text_string("alg"), Value::integer(-7)},
               {Value::text_string("sig"), Value::byte_string(*sig)},
               {Value::text_string("x5c"), Value::array({Value::byte_string(s_->att_cert)})}}),
          auth_data));
      break;
    }
    case SoftAttestation::kFidoU2f: {
      if (s_->att_key.empty()) return Error(E::kBadRequest, "no attestation key configured");
      auto comps = pub.components();
      if (!comps) return state_error("public key components");
      // WebAuthn 8.6 / FIDO U2F raw message: 00 | rpIdHash | clientDataHash | id | 04 x y.
      Bytes data{0x00};
      append(data, rp_hash);
      append(data, client_data_hash);
      append(data, credential_id);
      data.push_back(0x04);
      append(data, comps->x);
      append(data, comps->y);
      auto sig = s_->att_key.sign(data);
      if (!sig) return state_error("signing failed");
      att = KB_TRY(attestation_object(
          "fido-u2f",
          Value::map(
              {{Value::text_string("sig"), Value::byte_string(*sig)},
               {Value::text_string("x5c"), Value::array({Value::byte_string(s_->att_cert)})}}),
          auth_data));
      break;
    }
  }
  return att;
}

Result<MakeCredentialResponse> SoftAuthenticator::make_credential(
    const MakeCredentialRequest& req) {
  if (req.client_data_hash.size() != 32 || req.rp_id.empty() || req.user.id.empty()) {
    return Error(E::kBadRequest, "bad makeCredential request");
  }
  // CTAP 2.1 6.1.2 step 3: the first algorithm we support, in the RP's order.
  std::optional<Alg> alg;
  for (auto a : req.algs) {
    if (a == Alg::kEs256 || a == Alg::kEdDsa) {
      alg = a;
      break;
    }
  }
  if (!alg) return Error(E::kUnsupportedAlgorithm, "no supported algorithm offered");
  // Step 7: the exclude list.
  for (const auto& c : s_->creds) {
    if (c.rp_id == req.rp_id &&
        std::find(req.exclude.begin(), req.exclude.end(), c.id) != req.exclude.end()) {
      return Error(E::kCredentialExcluded, "a credential in excludeList is present");
    }
  }
  bool uv = KB_TRY(s_->user_verification(req.user_verification, req.pin));
  SoftAttestation mode = req.attestation_requested ? s_->attestation : SoftAttestation::kNone;
  if (mode == SoftAttestation::kFidoU2f && *alg != Alg::kEs256) {
    return Error(E::kUnsupportedAlgorithm, "fido-u2f attestation needs ES256");
  }
  auto key = PrivateKey::generate(*alg);
  if (!key) return state_error("key generation failed");
  auto pub = key->public_key();
  if (!pub) return state_error("public key");
  auto cose = webauthn::encode_cose_key(*alg, *pub);
  if (!cose) return state_error("COSE key encoding");
  Credential cr;
  cr.id.resize(kCredentialIdSize);
  s_->rng->fill(cr.id);
  cr.rp_id = req.rp_id;
  cr.user_id = req.user.id;
  cr.user_name = req.user.name;
  cr.display_name = req.user.display_name;
  cr.alg = *alg;
  cr.resident = req.resident_key;
  cr.backup_eligible = s_->backup_eligible;
  auto pkcs8 = key->to_pkcs8();
  if (!pkcs8) return state_error("private key encoding");
  auto wrapped = s_->mk.wrap(pkcs8->reveal(), key_binding(cr.id), *s_->rng);
  if (!wrapped) return state_error("key wrapping failed");
  cr.wrapped_key = std::move(wrapped).value();
  Bytes extensions;
  const bool hmac_secret = req.hmac_secret && s_->hmac_secret_supported;
  if (hmac_secret) {
    // CTAP 2.1 12.5 makeCredential: two random CredRandoms, one used with UV, one without.
    SecretBytes cred_random(2 * kCredRandomSize);
    s_->rng->fill(cred_random.reveal_mutable());
    auto w = s_->mk.wrap(cred_random.reveal(), cred_random_binding(cr.id), *s_->rng);
    if (!w) return state_error("CredRandom wrapping failed");
    cr.wrapped_cred_random = std::move(w).value();
    extensions = hmac_secret_extension(Value::boolean(true));
  }

  Bytes rp_hash = crypto::sha256(as_bytes(req.rp_id));
  std::uint8_t flags =
      webauthn::kFlagUp | webauthn::kFlagAt | backup_flags(s_->backup_eligible, s_->backup_state);
  if (uv) flags |= webauthn::kFlagUv;
  if (!extensions.empty()) flags |= webauthn::kFlagEd;
  webauthn::Aaguid aaguid = mode == SoftAttestation::kFidoU2f ? webauthn::Aaguid{} : s_->aaguid;
  Bytes auth_data =
      webauthn::build_authenticator_data(rp_hash, flags, 0, aaguid, cr.id, *cose, extensions);
  Bytes att =
      KB_TRY(attestation_statement(mode, *alg, *key, *pub, req.client_data_hash, cr.id, auth_data));
  MakeCredentialResponse out;
  out.credential_id = cr.id;
  out.attestation_object = std::move(att);
  out.transports = {"internal"};
  out.hmac_secret = hmac_secret;
  s_->creds.push_back(std::move(cr));
  KB_CHECK(s_->save());
  return out;
}

Result<GetAssertionResponse> SoftAuthenticator::get_assertion(const GetAssertionRequest& req) {
  if (req.client_data_hash.size() != 32 || req.rp_id.empty()) {
    return Error(E::kBadRequest, "bad getAssertion request");
  }
  if (req.hmac_salt && req.hmac_salt->size() != kHmacSecretSaltSize) {
    return Error(E::kBadRequest, "hmac-secret salt is not 32 bytes");
  }
  // CTAP 2.1 6.2.2 step 7: with an allow list, credentials in it for this RP; without one,
  // the discoverable credentials of this RP (the most recent first).
  Credential* chosen = nullptr;
  for (auto it = s_->creds.rbegin(); it != s_->creds.rend() && chosen == nullptr; ++it) {
    if (it->rp_id != req.rp_id) continue;
    bool listed = std::find(req.allow.begin(), req.allow.end(), it->id) != req.allow.end();
    if (req.allow.empty() ? it->resident : listed) chosen = &*it;
  }
  if (chosen == nullptr) return Error(E::kNoCredentials, "no credential for this RP");
  bool uv = KB_TRY(s_->user_verification(req.user_verification, req.pin));
  auto pkcs8 = s_->mk.unwrap(chosen->wrapped_key, key_binding(chosen->id));
  if (!pkcs8) return state_error("cannot unwrap the credential key");
  auto key = PrivateKey::from_pkcs8(pkcs8->reveal());
  if (!key) return state_error("stored key does not parse");
  // Step 12: the signature counter increases by one per assertion and is persisted first,
  // so a crash never lets a counter value be used twice.
  chosen->sign_count += 1;
  KB_CHECK(s_->save());
  std::uint8_t flags = webauthn::kFlagUp | backup_flags(chosen->backup_eligible, s_->backup_state);
  if (uv) flags |= webauthn::kFlagUv;
  std::optional<HmacSecretOutput> hs;
  if (req.hmac_salt && s_->hmac_secret_supported && !chosen->wrapped_cred_random.empty()) {
    hs = KB_TRY(s_->hmac_secret(*chosen, *req.hmac_salt, uv));
    flags |= webauthn::kFlagEd;
  }
  Bytes auth_data = webauthn::build_authenticator_data(crypto::sha256(as_bytes(req.rp_id)), flags,
                                                       chosen->sign_count, {}, {}, {},
                                                       hs ? ByteView(hs->extensions) : ByteView());
  Bytes to_sign = auth_data;
  append(to_sign, req.client_data_hash);
  auto sig = key->sign(to_sign);
  if (!sig) return state_error("signing failed");
  GetAssertionResponse out;
  out.credential_id = chosen->id;
  out.authenticator_data = std::move(auth_data);
  out.signature = std::move(sig).value();
  if (chosen->resident || req.allow.empty()) out.user_handle = chosen->user_id;
  if (hs) out.hmac_secret = std::move(hs->output);
  return out;
}

}  // namespace kb::client
