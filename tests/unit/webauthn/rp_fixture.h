// A relying party, a software authenticator and a client wired together for tests.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <functional>
#include <optional>

#include "base/base64.h"
#include "base/json.h"
#include "base/subprocess.h"
#include "client/soft_authenticator.h"
#include "client/webauthn_client.h"
#include "crypto/crypto.h"
#include "webauthn/assertion.h"
#include "webauthn/cbor.h"
#include "webauthn/errc.h"
#include "webauthn/options.h"
#include "webauthn/registration.h"

namespace kb::webauthn::testing {

inline constexpr const char* kOrigin = "https://login.example.com";
inline constexpr const char* kRpId = "example.com";

class RpFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto a = client::SoftAuthenticator::create(dir_.path() / "key.json", rng_, &pin_);
    ASSERT_TRUE(a.has_value()) << a.error().to_string();
    auth_.emplace(std::move(a).value());
    client_.emplace(*auth_, kOrigin);
  }

  CreationParams creation() {
    CreationParams p;
    p.rp_id = kRpId;
    p.rp_name = "Example";
    p.user_id = {1, 2, 3, 4};
    p.user_name = "alice@example.com";
    p.user_display_name = "Alice";
    p.attestation = Conveyance::kDirect;
    return p;
  }

  RegistrationExpectation reg_expectation(const Options& o) {
    RegistrationExpectation e;
    e.challenge = o.challenge;
    e.rp_id = kRpId;
    e.origins = {kOrigin};
    e.now = SysTime{std::chrono::seconds(1800000000)};
    return e;
  }

  // Runs a creation ceremony; returns the response JSON and the options used.
  std::pair<std::string, Options> create(const CreationParams& p, bool with_pin = true) {
    auto o = make_creation_options(p, rng_);
    EXPECT_TRUE(o.has_value());
    auto r = client_->create(o->json, with_pin ? &pin_ : nullptr);
    EXPECT_TRUE(r.has_value()) << r.error().to_string();
    return {r.has_value() ? *r : std::string(), *o};
  }

  // Registers with defaults and returns the stored credential.
  StoredCredential register_default(const CreationParams& p) {
    auto [json, opts] = create(p);
    auto r = verify_registration(reg_expectation(opts), json, {});
    EXPECT_TRUE(r.has_value()) << r.error().to_string();
    StoredCredential s;
    s.id = r->credential_id;
    s.user_handle = p.user_id;
    s.public_key_cose = r->public_key_cose;
    s.sign_count = r->sign_count;
    s.backup_eligible = r->backup_eligible;
    return s;
  }

  RequestParams request(const StoredCredential& s) {
    RequestParams p;
    p.rp_id = kRpId;
    p.allow.push_back({s.id, {}});
    return p;
  }

  AssertionExpectation auth_expectation(const Options& o, const StoredCredential& s) {
    AssertionExpectation e;
    e.challenge = o.challenge;
    e.rp_id = kRpId;
    e.origins = {kOrigin};
    e.allow_credentials = {s.id};
    return e;
  }

  std::pair<std::string, Options> get(const RequestParams& p, bool with_pin = true) {
    auto o = make_request_options(p, rng_);
    EXPECT_TRUE(o.has_value());
    auto r = client_->get(o->json, with_pin ? &pin_ : nullptr);
    EXPECT_TRUE(r.has_value()) << r.error().to_string();
    return {r.has_value() ? *r : std::string(), *o};
  }

  // Rewrites one base64url member of "response" through `f`.
  static std::string tamper(const std::string& json, const char* member,
                            const std::function<void(Bytes&)>& f) {
    auto o = json::parse_object(json);
    auto& resp = (*o)["response"].as_object();
    Bytes b = *base64url_decode(resp[member].as_string());
    f(b);
    resp[member] = base64url_encode(b);
    return json::serialize(*o);
  }
  static std::string tamper_client_data(const std::string& json,
                                        const std::function<void(std::string&)>& f) {
    return tamper(json, "clientDataJSON", [&](Bytes& b) {
      std::string s(as_chars(b));
      f(s);
      b = to_bytes(s);
    });
  }
  static void replace(std::string& s, std::string_view from, std::string_view to) {
    auto p = s.find(from);
    ASSERT_NE(p, std::string::npos) << from;
    s.replace(p, from.size(), to);
  }
  // Applies `f` to the authData inside an attestation object.
  static std::string tamper_att_auth_data(const std::string& json,
                                          const std::function<void(Bytes&)>& f) {
    return tamper(json, "attestationObject", [&](Bytes& ao) {
      auto v = cbor::decode(ao, cbor::Limits{});
      ASSERT_TRUE(v.has_value());
      for (std::size_t i = 0; i < v->items.size(); i += 2) {
        if (v->items[i].text == "authData") f(v->items[i + 1].bytes);
      }
      ao = cbor::encode(*v);
    });
  }

  TempDir dir_;
  crypto::SystemRng rng_;
  SecretString pin_{"1234"};
  std::optional<client::SoftAuthenticator> auth_;
  std::optional<client::WebauthnClient> client_;
};

#define EXPECT_ERR(expr, code)                                        \
  do {                                                                \
    auto kb_r_ = (expr);                                              \
    ASSERT_FALSE(kb_r_.has_value());                                  \
    EXPECT_TRUE(kb_r_.error().is(code)) << kb_r_.error().to_string(); \
  } while (0)

}  // namespace kb::webauthn::testing
