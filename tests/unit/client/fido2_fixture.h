// A simulated security key (tests/support/ctap_device.h) opened through the libfido2
// adapter, and a relying party to verify what comes out.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "base/subprocess.h"
#include "client/fido2/fido2_authenticator.h"
#include "client/webauthn_client.h"
#include "crypto/crypto.h"
#include "ctap_device.h"
#include "webauthn/assertion.h"
#include "webauthn/options.h"
#include "webauthn/registration.h"

namespace kb::client::testing {

using kb::testing::CtapDevice;
using kb::testing::CtapDeviceConfig;
using kb::testing::CtapFault;

inline constexpr const char* kOrigin = "https://login.example.com";
inline constexpr const char* kRpId = "example.com";

class Fido2Fixture : public ::testing::Test {
 protected:
  // Creates the simulated key and opens it through libfido2.
  Result<Fido2Authenticator> start(CtapDeviceConfig config, Fido2Options options = {}) {
    auto d = CtapDevice::create(dir_.path(), "ctap-test:" + std::to_string(++serial_),
                                std::move(config));
    EXPECT_TRUE(d.has_value()) << d.error().to_string();
    if (!d) return std::move(d).error();
    device_ = std::move(d).value();
    return Fido2Authenticator::open_with_io(device_->path(), CtapDevice::io(), nullptr, options);
  }
  Fido2Authenticator start_ok(CtapDeviceConfig config, Fido2Options options = {}) {
    auto a = start(std::move(config), options);
    EXPECT_TRUE(a.has_value()) << a.error().to_string();
    return std::move(a).value();
  }
  static CtapDeviceConfig with_pin() {
    CtapDeviceConfig c;
    c.pin = "123456";
    return c;
  }

  webauthn::CreationParams creation() const {
    webauthn::CreationParams p;
    p.rp_id = kRpId;
    p.rp_name = "Example";
    p.user_id = {7, 7, 7, 7};
    p.user_name = "alice@example.com";
    p.user_display_name = "Alice";
    p.attestation = webauthn::Conveyance::kDirect;
    return p;
  }
  webauthn::RegistrationExpectation reg_expectation(const webauthn::Options& o) const {
    webauthn::RegistrationExpectation e;
    e.challenge = o.challenge;
    e.rp_id = kRpId;
    e.origins = {kOrigin};
    e.now = SysTime{std::chrono::seconds(1800000000)};
    return e;
  }

  // A registration ceremony through the adapter, verified by the relying party.
  Result<webauthn::RegistrationResult> register_with(
      Authenticator& a, const webauthn::CreationParams& p, const SecretString* pin,
      const webauthn::AttestationPolicy& policy = {}) {
    auto o = webauthn::make_creation_options(p, rng_);
    EXPECT_TRUE(o.has_value());
    WebauthnClient client(a, kOrigin);
    auto json = KB_TRY(client.create(o->json, pin));
    auto e = reg_expectation(*o);
    e.require_user_verification = p.user_verification == webauthn::Requirement::kRequired;
    return webauthn::verify_registration(e, json, policy);
  }

  static webauthn::StoredCredential stored(const webauthn::RegistrationResult& r,
                                           const webauthn::CreationParams& p) {
    webauthn::StoredCredential s;
    s.id = r.credential_id;
    s.user_handle = p.user_id;
    s.public_key_cose = r.public_key_cose;
    s.sign_count = r.sign_count;
    return s;
  }

  // An authentication ceremony through the adapter, verified by the relying party.
  Result<webauthn::AssertionResult> sign_in_with(
      Authenticator& a, const webauthn::StoredCredential& s, const SecretString* pin,
      webauthn::Requirement uv = webauthn::Requirement::kRequired, bool discoverable = false) {
    webauthn::RequestParams p;
    p.rp_id = kRpId;
    p.user_verification = uv;
    if (!discoverable) p.allow.push_back({s.id, {}});
    auto o = webauthn::make_request_options(p, rng_);
    EXPECT_TRUE(o.has_value());
    WebauthnClient client(a, kOrigin);
    auto json = KB_TRY(client.get(o->json, pin));
    webauthn::AssertionExpectation e;
    e.challenge = o->challenge;
    e.rp_id = kRpId;
    e.origins = {kOrigin};
    if (!discoverable) e.allow_credentials = {s.id};
    e.user_identified = !discoverable;
    e.require_user_verification = uv == webauthn::Requirement::kRequired;
    return webauthn::verify_assertion(e, json, s);
  }

  MakeCredentialRequest raw_make(const SecretString* pin) const {
    MakeCredentialRequest r;
    r.rp_id = kRpId;
    r.client_data_hash = Bytes(32, 1);
    r.user = {{1, 2, 3}, "alice", "Alice"};
    r.algs = {crypto::cose::Alg::kEs256};
    r.pin = pin;
    return r;
  }
  GetAssertionRequest raw_get(const Bytes& id, const SecretString* pin) const {
    GetAssertionRequest r;
    r.rp_id = kRpId;
    r.client_data_hash = Bytes(32, 2);
    r.allow = {id};
    r.pin = pin;
    return r;
  }

  TempDir dir_;
  crypto::SystemRng rng_;
  std::unique_ptr<CtapDevice> device_;
  SecretString pin_{"123456"};
  SecretString wrong_{"654321"};
  int serial_ = 0;
};

#define EXPECT_AUTH_ERR(expr, code)                                   \
  do {                                                                \
    auto kb_r_ = (expr);                                              \
    ASSERT_FALSE(kb_r_.has_value());                                  \
    EXPECT_TRUE(kb_r_.error().is(code)) << kb_r_.error().to_string(); \
  } while (0)

}  // namespace kb::client::testing
