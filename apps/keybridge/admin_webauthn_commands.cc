#include "admin_webauthn_commands.h"

#include <boost/json.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

#include "base/base64.h"
#include "base/json.h"
#include "crypto/attestation_cert.h"
#include "crypto/cose_key.h"
#include "formats/keytab.h"
#include "webauthn/diagnose.h"

namespace kb::app {
namespace {

namespace bj = boost::json;
using webauthn::Ceremony;
using webauthn::Diagnosis;

constexpr std::size_t kMaxResponseFile = 256 * 1024;  // as parse_*_response admits
constexpr std::size_t kMaxAnchorFile = 1024 * 1024;   // PEM of at most 64 certificates
constexpr std::size_t kMaxKeyFile = 16 * 1024;

struct VerifyFlags {
  std::string rp_id;
  std::vector<std::string> origins;
  std::string challenge;
  std::string registration, assertion, public_key;
  std::vector<std::string> trust_anchors;  // PEM (or DER) files of attestation roots
  std::uint32_t sign_count = 0;
  std::string backup_eligible;  // "", "true" or "false"
  bool require_uv = false;
  bool json = false;
};

Result<std::string> read_text(const std::string& path, std::size_t max) {
  const Bytes b = KB_TRY(formats::read_file(path, max));
  return std::string(as_chars(b));
}

// COSE_Key as base64url on the command line, or a file holding it as base64url text or raw.
Result<Bytes> read_public_key(const std::string& arg) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(arg, ec)) {
    const Bytes raw = KB_TRY(formats::read_file(arg, kMaxKeyFile));
    std::string text(as_chars(raw));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
      text.pop_back();
    }
    if (auto decoded = base64url_decode(text); decoded && !decoded->empty()) return *decoded;
    return raw;
  }
  return base64url_decode(arg);
}

std::string flags_text(std::uint8_t f) {
  auto bit = [&](const char* name, std::uint8_t mask) {
    return std::string(name) + "=" + ((f & mask) != 0 ? "1" : "0");
  };
  return bit("UP", webauthn::kFlagUp) + " " + bit("UV", webauthn::kFlagUv) + " " +
         bit("BE", webauthn::kFlagBe) + " " + bit("BS", webauthn::kFlagBs) + " " +
         bit("AT", webauthn::kFlagAt) + " " + bit("ED", webauthn::kFlagEd);
}

std::string alg_text(std::int32_t alg) {
  return std::string(crypto::cose::alg_name(static_cast<crypto::cose::Alg>(alg))) + " (" +
         std::to_string(alg) + ")";
}

bj::object to_json(const Diagnosis& d) {
  bj::object o;
  o["ceremony"] = d.ceremony == Ceremony::kRegistration ? "registration" : "authentication";
  o["verified"] = d.ok();
  if (d.failure) {
    o["failed_step"] = d.failed_step;
    o["error"] = d.failure->name();
    o["detail"] = d.failure->detail();
  }
  o["type"] = d.client_data_type;
  o["origin"] = d.origin;
  o["credential_id"] = base64url_encode(d.credential_id);
  if (d.ceremony == Ceremony::kRegistration) {
    o["format"] = d.fmt;
    o["attestation_type"] = d.attestation_type;
    o["aaguid"] = d.aaguid ? bj::value(webauthn::aaguid_to_string(*d.aaguid)) : bj::value(nullptr);
    bj::array chain;
    for (const auto& s : d.chain_subjects) chain.push_back(bj::string(s));
    o["attestation_chain"] = std::move(chain);
    o["chain_check"] = webauthn::chain_check_name(d.chain_check);
    if (!d.chain_detail.empty()) o["chain_detail"] = d.chain_detail;
    o["public_key"] = base64url_encode(d.public_key_cose);
  }
  o["alg"] = d.alg ? bj::value(*d.alg) : bj::value(nullptr);
  if (d.flags) {
    const std::uint8_t f = *d.flags;
    o["flags"] =
        bj::object{{"UP", (f & webauthn::kFlagUp) != 0}, {"UV", (f & webauthn::kFlagUv) != 0},
                   {"BE", (f & webauthn::kFlagBe) != 0}, {"BS", (f & webauthn::kFlagBs) != 0},
                   {"AT", (f & webauthn::kFlagAt) != 0}, {"ED", (f & webauthn::kFlagEd) != 0}};
  } else {
    o["flags"] = nullptr;
  }
  o["sign_count"] = d.sign_count ? bj::value(*d.sign_count) : bj::value(nullptr);
  if (d.new_sign_count) o["new_sign_count"] = *d.new_sign_count;
  return o;
}

std::string chain_text(const Diagnosis& d) {
  switch (d.chain_check) {
    case webauthn::ChainCheck::kVerified:
      return "verified";
    case webauthn::ChainCheck::kFailed:
      return "FAILED at " + d.failed_step + ": " + d.chain_detail;
    case webauthn::ChainCheck::kNoChain:
      return "not checked (attestation type " + d.attestation_type + " has no x5c chain)";
    case webauthn::ChainCheck::kNotReached:
      return "not reached (refused at an earlier step)";
    case webauthn::ChainCheck::kNotRequested:
      break;
  }
  return "not requested";
}

void print_text(const Diagnosis& d, std::ostream& out) {
  const bool reg = d.ceremony == Ceremony::kRegistration;
  out << "ceremony: " << (reg ? "registration" : "authentication") << "\n";
  if (!d.client_data_type.empty()) out << "type: " << d.client_data_type << "\n";
  if (!d.origin.empty()) out << "origin: " << d.origin << "\n";
  if (!d.credential_id.empty())
    out << "credential id: " << base64url_encode(d.credential_id) << "\n";
  if (reg && !d.fmt.empty()) out << "format: " << d.fmt << "\n";
  if (reg && !d.attestation_type.empty()) out << "attestation type: " << d.attestation_type << "\n";
  if (reg && d.aaguid) out << "AAGUID: " << webauthn::aaguid_to_string(*d.aaguid) << "\n";
  if (reg && !d.fmt.empty()) {
    if (d.chain_subjects.empty()) out << "attestation chain: (none)\n";
    for (std::size_t i = 0; i < d.chain_subjects.size(); ++i) {
      out << "attestation chain[" << i << "]: " << d.chain_subjects[i] << "\n";
    }
  }
  if (reg && d.chain_check != webauthn::ChainCheck::kNotRequested) {
    out << "chain check against the trust anchors: " << chain_text(d) << "\n";
  }
  if (d.alg) out << "algorithm: " << alg_text(*d.alg) << "\n";
  if (d.flags) out << "flags: " << flags_text(*d.flags) << "\n";
  if (d.sign_count) out << "counter: " << *d.sign_count << "\n";
  if (d.new_sign_count) out << "counter to store: " << *d.new_sign_count << "\n";
  if (reg && !d.public_key_cose.empty()) {
    out << "public key (COSE, base64url): " << base64url_encode(d.public_key_cose) << "\n";
  }
  if (d.ok()) {
    out << "result: verified\n";
  } else {
    out << "result: REFUSED at " << d.failed_step << "\n"
        << "error: " << d.failure->name() << ": " << d.failure->detail() << "\n";
  }
}

Result<Diagnosis> diagnose(const VerifyFlags& f) {
  const Bytes challenge = KB_TRY(base64url_decode(f.challenge));
  if (!f.registration.empty()) {
    webauthn::RegistrationExpectation e;
    e.challenge = challenge;
    e.rp_id = f.rp_id;
    e.origins = f.origins;
    e.require_user_verification = f.require_uv;
    e.now = SystemClock().now();
    webauthn::AttestationPolicy policy;
    for (const auto& path : f.trust_anchors) {
      const Bytes pem = KB_TRY(formats::read_file(path, kMaxAnchorFile));
      auto certs = KB_TRY(crypto::attest::parse_certificates(pem));
      for (auto& c : certs) policy.trust_anchors.push_back(std::move(c));
    }
    const std::string json = KB_TRY(read_text(f.registration, kMaxResponseFile));
    return webauthn::diagnose_registration(e, json, policy);
  }
  webauthn::AssertionExpectation e;
  e.challenge = challenge;
  e.rp_id = f.rp_id;
  e.origins = f.origins;
  e.require_user_verification = f.require_uv;
  webauthn::StoredCredential stored;
  stored.public_key_cose = KB_TRY(read_public_key(f.public_key));
  stored.sign_count = f.sign_count;
  stored.backup_eligible = f.backup_eligible == "true";
  const std::string json = KB_TRY(read_text(f.assertion, kMaxResponseFile));
  return webauthn::diagnose_assertion(e, json, std::move(stored), !f.backup_eligible.empty());
}

int verify(const VerifyFlags& f) {
  auto d = diagnose(f);
  if (!d) {
    std::cerr << "keybridge: " << d.error().to_string() << "\n";
    return 2;
  }
  if (f.json) {
    std::cout << json::serialize(to_json(*d)) << "\n";
  } else {
    print_text(*d, std::cout);
  }
  return d->ok() ? 0 : 1;
}

}  // namespace

void add_admin_webauthn_commands(CLI::App& admin, int& exit_code) {
  auto* webauthn = admin.add_subcommand("webauthn", "WebAuthn diagnostics");
  webauthn->require_subcommand(1);
  auto* v = webauthn->add_subcommand(
      "verify",
      "Check a registration or assertion response (PublicKeyCredential JSON) against an RP id, "
      "origin and challenge; print what it holds or the WebAuthn step that refuses it");
  auto f = std::make_shared<VerifyFlags>();
  v->add_option("--rp-id", f->rp_id, "Relying party id, e.g. login.contoso.com")->required();
  v->add_option("--origin", f->origins, "Expected origin; repeatable")->required();
  v->add_option("--challenge", f->challenge, "The challenge sent, base64url")->required();
  auto* reg =
      v->add_option("--registration", f->registration, "File with a RegistrationResponseJSON")
          ->check(CLI::ExistingFile);
  auto* as = v->add_option("--assertion", f->assertion, "File with an AuthenticationResponseJSON")
                 ->check(CLI::ExistingFile);
  reg->excludes(as);
  auto* pk = v->add_option("--public-key", f->public_key,
                           "The stored COSE_Key: base64url, or a file holding it")
                 ->needs(as);
  as->needs(pk);
  v->add_option("--sign-count", f->sign_count, "The stored signature counter (default 0)")
      ->needs(as);
  v->add_option("--backup-eligible", f->backup_eligible,
                "The stored BE flag, true or false (default: not checked)")
      ->check(CLI::IsMember({"true", "false"}))
      ->needs(as);
  v->add_option("--trust-anchor", f->trust_anchors,
                "PEM (or DER) file of attestation root(s) the x5c chain must verify to; "
                "repeatable")
      ->check(CLI::ExistingFile)
      ->needs(reg);
  v->add_flag("--require-uv", f->require_uv, "Require user verification (UV)");
  v->add_flag("--json", f->json, "JSON instead of text");
  v->callback([f, &exit_code, reg, as] {
    if (reg->count() == 0 && as->count() == 0) {
      std::cerr << "keybridge: one of --registration or --assertion is required\n";
      exit_code = 2;
      return;
    }
    exit_code = verify(*f);
  });
}

}  // namespace kb::app
