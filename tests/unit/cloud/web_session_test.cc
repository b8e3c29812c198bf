// The web session token (web_session.h): what it carries, and each check that refuses it.
#include "jose/jws.h"
#include "web_fixture.h"

namespace kb::cloud::test {
namespace {

namespace bj = boost::json;

std::int64_t secs(SysTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

class WebSessionToken : public Web {
 public:
  // A token with arbitrary header and claims, signed under `tenant`'s session key, as
  // only the service could: each test changes one thing of a valid token.
  std::string forge(bj::object claims, const std::string& typ = "kb-web-session+jwt",
                    const std::string& tenant = kTenantA) {
    auto key = master_.derive_key("keybridge web session v1", as_bytes(tenant));
    EXPECT_TRUE(key);
    bj::object header;
    if (!typ.empty()) header["typ"] = typ;
    auto t = jose::sign_jws_hs256(header, as_bytes(json::serialize(claims)), *key);
    EXPECT_TRUE(t) << t.error().to_string();
    return t ? *t : "";
  }
  bj::object valid_claims() {
    return bj::object{{"iss", "keybridge"},      {"aud", "keybridge-security-info"},
                      {"tid", kTenantA},         {"sub", alice_id_},
                      {"amr", bj::array{"otp"}}, {"iat", secs(kNow)},
                      {"exp", secs(kNow) + 600}};
  }
  Result<WebSession> verify(const std::string& token, const std::string& tenant = kTenantA) {
    return verify_web_session_token(*ctx_, tenant, token);
  }
  static bool unauthorized(const Result<WebSession>& r) {
    return !r && r.error().is(CloudErrc::kUnauthorized);
  }
};

TEST_F(WebSessionToken, MasterKeyDerivationIsDeterministicAndSeparatesLabelsAndContexts) {
  auto a = master_.derive_key("label", as_bytes(std::string_view("ctx")));
  auto b = master_.derive_key("label", as_bytes(std::string_view("ctx")));
  auto c = master_.derive_key("label2", as_bytes(std::string_view("ctx")));
  auto d = master_.derive_key("label", as_bytes(std::string_view("ctx2")));
  auto other =
      crypto::MasterKey::generate(rng_).derive_key("label", as_bytes(std::string_view("ctx")));
  ASSERT_TRUE(a && b && c && d && other);
  EXPECT_EQ(a->size(), 32u);
  EXPECT_TRUE(*a == *b);
  EXPECT_FALSE(*a == *c);
  EXPECT_FALSE(*a == *d);
  EXPECT_FALSE(*a == *other);
}

TEST_F(WebSessionToken, PassSessionCarriesUserTenantAndTenMinutes) {
  SysTime expires{};
  auto t =
      issue_web_session(*ctx_, kTenantA, alice_id_, WebSessionMethod::kAccessPass, {}, &expires);
  ASSERT_TRUE(t) << t.error().to_string();
  EXPECT_EQ(expires, kNow + 600s);
  auto s = verify(std::string(t->reveal()));
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s->tenant_id, kTenantA);
  EXPECT_EQ(s->user_id, alice_id_);
  EXPECT_EQ(s->method, WebSessionMethod::kAccessPass);
  EXPECT_TRUE(s->credential_id.empty());
  EXPECT_EQ(s->issued_at, kNow);
  EXPECT_EQ(s->expires_at, kNow + 600s);
}

TEST_F(WebSessionToken, KeySessionCarriesTheKey) {
  const Bytes id{1, 2, 3, 4};
  auto t = issue_web_session(*ctx_, kTenantA, alice_id_, WebSessionMethod::kSecurityKey, id);
  ASSERT_TRUE(t);
  auto s = verify(std::string(t->reveal()));
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s->method, WebSessionMethod::kSecurityKey);
  EXPECT_EQ(s->credential_id, id);
}

TEST_F(WebSessionToken, ForgedValidTokenIsAcceptedSoTheNegativeCasesBelowAreMeaningful) {
  EXPECT_TRUE(verify(forge(valid_claims())));
}

TEST_F(WebSessionToken, AnotherTenantsTokenIsRefused) {
  auto t = issue_web_session(*ctx_, kTenantB, bob_id_, WebSessionMethod::kAccessPass, {});
  ASSERT_TRUE(t);
  EXPECT_TRUE(unauthorized(verify(std::string(t->reveal()), kTenantA)));
  EXPECT_TRUE(verify(std::string(t->reveal()), kTenantB));
}

TEST_F(WebSessionToken, TidOfAnotherTenantUnderThisTenantsKeyIsRefused) {
  auto c = valid_claims();
  c["tid"] = kTenantB;
  EXPECT_TRUE(unauthorized(verify(forge(c))));
}

TEST_F(WebSessionToken, TokenOfAnotherMasterKeyIsRefused) {
  const crypto::MasterKey other = crypto::MasterKey::generate(rng_);
  ServiceContext other_ctx{*store_, other, clock_, rng_, {}};
  auto t = issue_web_session(other_ctx, kTenantA, alice_id_, WebSessionMethod::kAccessPass, {});
  ASSERT_TRUE(t);
  EXPECT_TRUE(unauthorized(verify(std::string(t->reveal()))));
}

TEST_F(WebSessionToken, TamperedPayloadIsRefused) {
  auto t = issue_web_session(*ctx_, kTenantA, alice_id_, WebSessionMethod::kAccessPass, {});
  ASSERT_TRUE(t);
  std::string s(t->reveal());
  const auto dot = s.find('.');
  s[dot + 5] = s[dot + 5] == 'A' ? 'B' : 'A';
  EXPECT_TRUE(unauthorized(verify(s)));
}

TEST_F(WebSessionToken, ExpiredTokenIsRefused) {
  auto t = issue_web_session(*ctx_, kTenantA, alice_id_, WebSessionMethod::kAccessPass, {});
  ASSERT_TRUE(t);
  clock_.set(kNow + 600s + kWebSessionSkew - 1s);
  EXPECT_TRUE(verify(std::string(t->reveal())));
  clock_.set(kNow + 600s + kWebSessionSkew);
  EXPECT_TRUE(unauthorized(verify(std::string(t->reveal()))));
}

TEST_F(WebSessionToken, TokenIssuedInTheFutureIsRefused) {
  auto c = valid_claims();
  c["iat"] = secs(kNow) + 120;
  c["exp"] = secs(kNow) + 600;
  EXPECT_TRUE(unauthorized(verify(forge(c))));
}

TEST_F(WebSessionToken, LifetimeOverTenMinutesIsRefused) {
  auto c = valid_claims();
  c["exp"] = secs(kNow) + 601;
  EXPECT_TRUE(unauthorized(verify(forge(c))));
}

TEST_F(WebSessionToken, MissingIatIsRefused) {
  auto c = valid_claims();
  c.erase("iat");
  EXPECT_TRUE(unauthorized(verify(forge(c))));
}

TEST_F(WebSessionToken, WrongTypIsRefused) {
  EXPECT_TRUE(unauthorized(verify(forge(valid_claims(), "JWT"))));
  EXPECT_TRUE(unauthorized(verify(forge(valid_claims(), ""))));
}

TEST_F(WebSessionToken, WrongIssuerOrAudienceIsRefused) {
  auto c = valid_claims();
  c["iss"] = "someone-else";
  EXPECT_TRUE(unauthorized(verify(forge(c))));
  c = valid_claims();
  c["aud"] = "keybridge-admin";
  EXPECT_TRUE(unauthorized(verify(forge(c))));
}

TEST_F(WebSessionToken, UnknownOrInconsistentMethodIsRefused) {
  auto c = valid_claims();
  c["amr"] = bj::array{"pwd"};
  EXPECT_TRUE(unauthorized(verify(forge(c))));
  c["amr"] = bj::array{"otp", "hwk"};
  EXPECT_TRUE(unauthorized(verify(forge(c))));
  c["amr"] = "otp";
  EXPECT_TRUE(unauthorized(verify(forge(c))));
  c["amr"] = bj::array{"hwk"};  // a key session must name its key
  EXPECT_TRUE(unauthorized(verify(forge(c))));
  c["cid"] = "!!";
  EXPECT_TRUE(unauthorized(verify(forge(c))));
  c = valid_claims();
  c["cid"] = "AQID";  // a pass session names no key
  EXPECT_TRUE(unauthorized(verify(forge(c))));
}

TEST_F(WebSessionToken, MissingSubjectIsRefused) {
  auto c = valid_claims();
  c.erase("sub");
  EXPECT_TRUE(unauthorized(verify(forge(c))));
  c["sub"] = "";
  EXPECT_TRUE(unauthorized(verify(forge(c))));
}

TEST_F(WebSessionToken, AlgNoneAndGarbageAreRefused) {
  // {"alg":"none","typ":"kb-web-session+jwt"} . valid claims . (empty signature)
  const std::string header =
      base64url_encode(as_bytes(std::string_view(R"({"alg":"none","typ":"kb-web-session+jwt"})")));
  const std::string payload = base64url_encode(as_bytes(json::serialize(valid_claims())));
  EXPECT_TRUE(unauthorized(verify(header + "." + payload + ".")));
  EXPECT_TRUE(unauthorized(verify("")));
  EXPECT_TRUE(unauthorized(verify("a.b.c")));
  EXPECT_TRUE(unauthorized(verify(std::string(5000, 'A'))));
}

}  // namespace
}  // namespace kb::cloud::test
