// The software authenticator: state file, PIN and UV, counters, typed errors; and the
// client's rp id check.
#include "client/soft_authenticator.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>

#include "base/subprocess.h"
#include "client/webauthn_client.h"
#include "crypto/crypto.h"
#include "webauthn/auth_data.h"

namespace kb::client {
namespace {

using webauthn::Requirement;

class SoftAuth : public ::testing::Test {
 protected:
  std::filesystem::path path() const { return dir_.path() / "key.json"; }
  SoftAuthenticator make() { return make(&pin_); }
  SoftAuthenticator make(const SecretString* pin) {
    auto a = SoftAuthenticator::create(path(), rng_, pin);
    EXPECT_TRUE(a.has_value()) << a.error().to_string();
    return std::move(a).value();
  }
  MakeCredentialRequest mc(const SecretString* pin = nullptr) {
    MakeCredentialRequest r;
    r.rp_id = "example.com";
    r.client_data_hash = Bytes(32, 1);
    r.user = {{1, 2, 3}, "alice", "Alice"};
    r.algs = {crypto::cose::Alg::kEs256};
    r.resident_key = true;
    r.pin = pin;
    return r;
  }
  GetAssertionRequest ga(const Bytes& id, const SecretString* pin = nullptr) {
    GetAssertionRequest r;
    r.rp_id = "example.com";
    r.client_data_hash = Bytes(32, 2);
    r.allow = {id};
    r.pin = pin;
    return r;
  }
  TempDir dir_;
  crypto::SystemRng rng_;
  SecretString pin_{"4321"};
};

TEST_F(SoftAuth, StateFileIsPrivateAndCounterPersists) {
  Bytes id;
  {
    SoftAuthenticator a = make();
    auto c = a.make_credential(mc());
    ASSERT_TRUE(c.has_value()) << c.error().to_string();
    id = c->credential_id;
    ASSERT_TRUE(a.get_assertion(ga(id)).has_value());
    ASSERT_TRUE(a.get_assertion(ga(id)).has_value());
  }
  struct stat st {};
  ASSERT_EQ(::stat(path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto b = SoftAuthenticator::open(path(), rng_);
  ASSERT_TRUE(b.has_value()) << b.error().to_string();
  EXPECT_EQ(b->credential_count(), 1u);
  auto r = b->get_assertion(ga(id));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(webauthn::parse_authenticator_data(r->authenticator_data)->sign_count, 3u);
}

TEST_F(SoftAuth, CreateRefusesExistingState) {
  make();
  auto again = SoftAuthenticator::create(path(), rng_, nullptr);
  ASSERT_FALSE(again.has_value());
  EXPECT_TRUE(again.error().is(AuthenticatorErrc::kState));
}

TEST_F(SoftAuth, OpenRefusesStateReadableByOthers) {
  make();
  ASSERT_EQ(::chmod(path().c_str(), 0644), 0);
  auto a = SoftAuthenticator::open(path(), rng_);
  ASSERT_FALSE(a.has_value());
  EXPECT_TRUE(a.error().is(AuthenticatorErrc::kState));
}

TEST_F(SoftAuth, PrivateKeysAreWrapped) {
  SoftAuthenticator a = make();
  auto c = a.make_credential(mc());
  ASSERT_TRUE(c.has_value());
  // Flip one character of the wrapped key in the state file: unwrapping must fail.
  std::ifstream in(path());
  std::string s((std::istreambuf_iterator<char>(in)), {});
  auto p = s.find("\"key\":\"");
  ASSERT_NE(p, std::string::npos);
  char& ch = s[p + 12];
  ch = ch == 'A' ? 'B' : 'A';
  std::ofstream(path()) << s;
  auto b = SoftAuthenticator::open(path(), rng_);
  ASSERT_TRUE(b.has_value());
  auto r = b->get_assertion(ga(c->credential_id));
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(AuthenticatorErrc::kState));
}

TEST_F(SoftAuth, CorrectPinSetsUv) {
  SoftAuthenticator a = make();
  auto req = mc(&pin_);
  req.user_verification = Requirement::kRequired;
  auto c = a.make_credential(req);
  ASSERT_TRUE(c.has_value());
  auto g = ga(c->credential_id, &pin_);
  g.user_verification = Requirement::kRequired;
  auto r = a.get_assertion(g);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(webauthn::parse_authenticator_data(r->authenticator_data)->uv());
}

TEST_F(SoftAuth, NoPinMeansNoUvFlag) {
  SoftAuthenticator a = make();
  auto c = a.make_credential(mc());
  ASSERT_TRUE(c.has_value());
  auto r = a.get_assertion(ga(c->credential_id));  // preferred, no PIN entered
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(webauthn::parse_authenticator_data(r->authenticator_data)->uv());
  auto g = ga(c->credential_id);
  g.user_verification = Requirement::kRequired;
  auto req = a.get_assertion(g);
  ASSERT_FALSE(req.has_value());
  EXPECT_TRUE(req.error().is(AuthenticatorErrc::kPinRequired));
}

TEST_F(SoftAuth, WrongPinIsTypedAndBlocksAfterRetries) {
  SoftAuthenticator a = make();
  auto c = a.make_credential(mc());
  ASSERT_TRUE(c.has_value());
  SecretString wrong("0000");
  for (int i = 0; i < 8; ++i) {
    auto r = a.get_assertion(ga(c->credential_id, &wrong));
    ASSERT_FALSE(r.has_value());
    EXPECT_TRUE(r.error().is(AuthenticatorErrc::kPinInvalid));
  }
  auto r = a.get_assertion(ga(c->credential_id, &pin_));
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(AuthenticatorErrc::kPinBlocked));
}

TEST_F(SoftAuth, UvRequiredWithoutPinSetIsUnavailable) {
  SoftAuthenticator a = make(nullptr);
  auto req = mc();
  req.user_verification = Requirement::kRequired;
  auto r = a.make_credential(req);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(AuthenticatorErrc::kUvUnavailable));
}

TEST_F(SoftAuth, NoMatchingCredential) {
  SoftAuthenticator a = make();
  auto c = a.make_credential(mc());
  ASSERT_TRUE(c.has_value());
  auto g = ga(c->credential_id);
  g.rp_id = "other.example";
  auto r = a.get_assertion(g);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(AuthenticatorErrc::kNoCredentials));
  auto unknown = a.get_assertion(ga(Bytes(32, 9)));
  EXPECT_TRUE(unknown.error().is(AuthenticatorErrc::kNoCredentials));
}

TEST_F(SoftAuth, ExcludeListRefusesSecondCredential) {
  SoftAuthenticator a = make();
  auto c = a.make_credential(mc());
  ASSERT_TRUE(c.has_value());
  auto req = mc();
  req.exclude = {c->credential_id};
  auto r = a.make_credential(req);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(AuthenticatorErrc::kCredentialExcluded));
}

TEST_F(SoftAuth, UnsupportedAlgorithm) {
  SoftAuthenticator a = make();
  auto req = mc();
  req.algs = {crypto::cose::Alg::kRs256};
  auto r = a.make_credential(req);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(AuthenticatorErrc::kUnsupportedAlgorithm));
}

TEST_F(SoftAuth, ParseSpec) {
  EXPECT_EQ(*SoftAuthenticator::parse_spec("soft:/tmp/k.json"), "/tmp/k.json");
  EXPECT_FALSE(SoftAuthenticator::parse_spec("usb:/dev/hidraw0").has_value());
  EXPECT_FALSE(SoftAuthenticator::parse_spec("soft:").has_value());
}

TEST_F(SoftAuth, ClientRefusesRpIdOutsideOrigin) {
  SoftAuthenticator a = make();
  WebauthnClient client(a, "https://login.example.com");
  std::string opts =
      R"({"challenge":"AAAA","rp":{"id":"evil.com","name":"x"},"user":{"id":"AQ","name":"a","displayName":"A"},"pubKeyCredParams":[{"type":"public-key","alg":-7}]})";
  auto r = client.create(opts);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(AuthenticatorErrc::kRpIdNotAllowed));
  std::string suffix = opts;
  suffix.replace(suffix.find("evil.com"), 8, "ample.com");  // not a label boundary
  EXPECT_TRUE(client.create(suffix).error().is(AuthenticatorErrc::kRpIdNotAllowed));
  EXPECT_TRUE(client.create("{").error().is(AuthenticatorErrc::kBadOptions));
}

}  // namespace
}  // namespace kb::client
