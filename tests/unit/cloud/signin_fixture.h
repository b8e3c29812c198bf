// The fixture of the sign-in route tests: a SQLite cloud store with two tenants, the
// sign-in routes on a Router (in process, no sockets), a software security key with a
// WebAuthn client, and the client halves of device registration and the PRT exchange.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "base/base64.h"
#include "base/http.h"
#include "base/http_router.h"
#include "base/json.h"
#include "base/subprocess.h"
#include "client/prt_client.h"
#include "client/soft_authenticator.h"
#include "client/webauthn_client.h"
#include "cloud/service/context.h"
#include "crypto/crypto.h"
#include "crypto/master_key.h"
#include "crypto/pkey.h"
#include "store/cloud.h"
#include "store/sqlite/cloud_sqlite.h"

namespace kb::cloud::test {

using namespace std::chrono_literals;

inline const SysTime kNow{std::chrono::seconds(1'800'000'000)};
inline const std::string kTenantA = "aaaaaaaa-1111-4111-8111-111111111111";
inline const std::string kTenantB = "bbbbbbbb-2222-4222-8222-222222222222";
inline const std::string kAlice = "alice@contoso.test";
inline const std::string kBob = "bob@fabrikam.test";
inline const std::string kTap = "tap-alice-0123456789abcdefghijklmnop";
inline constexpr std::uint16_t kBranch = 4711;
inline constexpr std::uint16_t kKeyVersion = 3;

// A security key plus the browser part in front of it.
struct Key {
  client::SoftAuthenticator auth;
  std::unique_ptr<client::WebauthnClient> client;
};

// A registered device as its owner holds it.
struct DeviceHeld {
  std::string id;
  Bytes certificate;
  crypto::PrivateKey device_key;
  crypto::PrivateKey transport_key;
};

struct PrtHeld {
  std::string prt;
  SecretBytes session_key;
};

class SignIn : public ::testing::Test {
 public:
  SignIn();

  // --- Seeding the store.
  std::string add_user(const std::string& tenant, const std::string& upn, bool enabled = true);
  void add_pass(const std::string& tenant, const std::string& user_id, const std::string& secret,
                bool one_time, SysTime expires);
  void add_kerberos_server(const std::string& tenant, const std::string& domain);
  void run(const std::function<Result<void>(store::CloudTxn&)>& fn);

  // --- HTTP.
  http::Response post_json(const std::string& path, const boost::json::value& body);
  http::Response post_form(const std::string& path, const std::string& body);
  static boost::json::object body_of(const http::Response& r);
  // The problem code of a refusal ("" when the response is not a problem).
  static std::string code_of(const http::Response& r);

  // --- Ceremonies, each step on its own route.
  Key new_key(const std::string& name);
  // registration/options with a pass, then registration. The last response.
  http::Response register_key_with_pass(Key& key, const std::string& tenant,
                                        const std::string& username, const std::string& pass);
  // authentication/options -> assertion over its challenge: {challenge_id, assertion JSON}.
  std::pair<std::string, std::string> assert_for(Key& key, const std::string& tenant,
                                                 const std::string& username);
  // An assertion over the bytes a PRT nonce stands for.
  std::string assert_over_nonce(Key& key, const std::string& nonce);
  http::Response register_device_raw(Key& key, const std::string& tenant,
                                     const std::string& username, DeviceHeld& d);
  DeviceHeld register_device(Key& key, const std::string& tenant, const std::string& username);
  std::string nonce(const std::string& tenant);
  http::Response first_sign_in_raw(const std::string& tenant, const DeviceHeld& d,
                                   const std::string& username, const std::string& nonce,
                                   const std::string& assertion);
  http::Response refresh_raw(const std::string& tenant, const PrtHeld& p, const std::string& nonce);
  // Key with a pass, device, first sign-in: what alice holds after a first sign-in.
  struct Enrolled {
    Key key;
    DeviceHeld device;
    PrtHeld prt;
  };
  Enrolled enroll_alice();

  crypto::SystemRng rng_;
  FixedClock clock_{kNow};
  TempDir dir_{"kb-signin"};
  std::unique_ptr<store::CloudStore> store_;
  crypto::MasterKey master_ = crypto::MasterKey::generate(rng_);
  std::unique_ptr<ServiceContext> ctx_;
  http::Router router_;
  SecretString pin_{"123456"};
  std::string alice_id_;
  std::string bob_id_;
  Bytes kerberos_key_;  // contoso.test's server key in tenant A (raw AES-256)
  int key_count_ = 0;
};

}  // namespace kb::cloud::test
