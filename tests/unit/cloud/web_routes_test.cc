// The security-info page and its user API through the Router: the page's resources and
// headers, sessions opened with a pass or a key, listing, adding and deleting one's own
// keys, and every refusal (docs/cloud-web.md).
#include "cloud/service/admin_parse.h"
#include "cloud/service/admin_tenants.h"
#include "web_fixture.h"
#include "webauthn/registration.h"

namespace kb::cloud::test {
namespace {

namespace bj = boost::json;

std::string header(const http::Response& r, std::string_view name) {
  auto v = r.headers.get(name);
  return v ? std::string(*v) : std::string();
}

// --- The page.

TEST_F(Web, PageIsServedWithItsPolicyHeaders) {
  auto r = call("GET", "/" + kTenantA + "/security-info");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(header(r, "Content-Type"), "text/html; charset=utf-8");
  const std::string csp = header(r, "Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(r, "X-Frame-Options"), "DENY");
  // No inline script: the only script is the same-origin resource.
  EXPECT_NE(r.body.find("<script src=\"security-info.js\" defer></script>"), std::string::npos);
  EXPECT_EQ(r.body.find("<script>"), std::string::npos);
  EXPECT_EQ(r.body.find("style="), std::string::npos);
}

TEST_F(Web, ScriptAndStyleSheetAreServedWithTheirTypes) {
  auto js = call("GET", "/" + kTenantA + "/security-info.js");
  ASSERT_EQ(js.status, 200);
  EXPECT_EQ(header(js, "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(header(js, "X-Content-Type-Options"), "nosniff");
  EXPECT_NE(js.body.find("navigator.credentials.create"), std::string::npos);
  EXPECT_NE(js.body.find("navigator.credentials.get"), std::string::npos);
  auto css = call("GET", "/" + kTenantA + "/security-info.css");
  ASSERT_EQ(css.status, 200);
  EXPECT_EQ(header(css, "Content-Type"), "text/css; charset=utf-8");
}

TEST_F(Web, PageOfAnUnknownTenantIsNotFound) {
  auto r = call("GET", "/no-such-tenant/security-info");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(code_of(r), "not_found");
  EXPECT_EQ(call("GET", "/no-such-tenant/security-info.js").status, 404);
}

TEST_F(Web, PageRefusesOtherMethods) {
  auto r = call("POST", "/" + kTenantA + "/security-info", bj::object{});
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(header(r, "Allow"), "GET");
}

// --- Sessions with a temporary access pass.

TEST_F(Web, PassOpensASessionThatListsNoKeysYet) {
  auto r = session_with_pass_raw(kTenantA, kAlice, kTap);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(header(r, "Cache-Control"), "no-store");
  auto o = body_of(r);
  EXPECT_EQ(o.at("token_type").as_string(), "Bearer");
  EXPECT_EQ(o.at("expires_in").as_int64(), 600);
  EXPECT_EQ(o.at("expires_at").as_string(), admin::format_rfc3339(kNow + 600s));
  EXPECT_EQ(o.at("method").as_string(), "access_pass");
  EXPECT_TRUE(o.at("credential_id").is_null());
  EXPECT_EQ(o.at("user").at("upn").as_string(), kAlice);
  const std::string session(o.at("session").as_string());
  auto list = call("GET", "/" + kTenantA + "/me/credentials", std::nullopt, session);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(header(list, "Cache-Control"), "no-store");
  auto l = body_of(list);
  EXPECT_TRUE(l.at("credentials").as_array().empty());
  EXPECT_TRUE(l.at("current").is_null());
  EXPECT_EQ(l.at("user").at("upn").as_string(), kAlice);
}

TEST_F(Web, OneTimePassOpensOneSessionOnly) {
  ASSERT_FALSE(session_with_pass(kTenantA, kAlice, kTap).empty());
  auto again = session_with_pass_raw(kTenantA, kAlice, kTap);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(code_of(again), "invalid_grant");
  // ... and the registration route no longer takes it either: one pass, one use.
  auto reg = post_json("/" + kTenantA + "/webauthn/registration/options",
                       {{"username", kAlice}, {"access_pass", kTap}});
  EXPECT_EQ(code_of(reg), "invalid_grant");
}

TEST_F(Web, MultiUsePassOpensSeveralSessions) {
  add_pass(kTenantA, alice_id_, "MULTIUSEPASS23456789", false, kNow + 1h);
  EXPECT_FALSE(session_with_pass(kTenantA, kAlice, "MULTIUSEPASS23456789").empty());
  EXPECT_FALSE(session_with_pass(kTenantA, kAlice, "multi-use-pass-2345-6789").empty());
}

TEST_F(Web, WrongPassIsRefused) {
  auto r = session_with_pass_raw(kTenantA, kAlice, "NOT-THE-PASS");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(code_of(r), "invalid_grant");
  EXPECT_EQ(r.body.find("NOT-THE-PASS"), std::string::npos);
  // The right one still works afterwards.
  EXPECT_FALSE(session_with_pass(kTenantA, kAlice, kTap).empty());
}

TEST_F(Web, AnotherUsersPassIsRefusedAndStaysUnused) {
  const std::string carol = "carol@contoso.test";
  const std::string carol_id = add_user(kTenantA, carol);
  add_pass(kTenantA, carol_id, "CAROLPASS2345678ABCD", true, kNow + 1h);
  EXPECT_EQ(code_of(session_with_pass_raw(kTenantA, kAlice, "CAROLPASS2345678ABCD")),
            "invalid_grant");
  EXPECT_FALSE(session_with_pass(kTenantA, carol, "CAROLPASS2345678ABCD").empty());
}

TEST_F(Web, ExpiredPassIsRefused) {
  add_pass(kTenantA, alice_id_, "EXPIREDPASS234567ABC", false, kNow - 1s);
  EXPECT_EQ(code_of(session_with_pass_raw(kTenantA, kAlice, "EXPIREDPASS234567ABC")),
            "invalid_grant");
}

TEST_F(Web, UnknownOrDisabledUserIsRefusedAlike) {
  auto unknown = session_with_pass_raw(kTenantA, "nobody@contoso.test", kTap);
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(code_of(unknown), "invalid_grant");
  set_enabled(kTenantA, kAlice, false);
  auto disabled = session_with_pass_raw(kTenantA, kAlice, kTap);
  EXPECT_EQ(disabled.body, unknown.body);
  // The disabled user's pass was not spent.
  set_enabled(kTenantA, kAlice, true);
  EXPECT_FALSE(session_with_pass(kTenantA, kAlice, kTap).empty());
}

TEST_F(Web, PassOfTenantAIsRefusedAtTenantB) {
  EXPECT_EQ(code_of(session_with_pass_raw(kTenantB, kAlice, kTap)), "invalid_grant");
  EXPECT_FALSE(session_with_pass(kTenantA, kAlice, kTap).empty());
}

TEST_F(Web, MalformedSessionRequestsAreBadRequests) {
  const std::string path = "/" + kTenantA + "/me/session";
  for (const bj::value& body :
       {bj::value(bj::object{{"username", kAlice}}), bj::value(bj::object{{"access_pass", kTap}}),
        bj::value(bj::object{{"username", kAlice}, {"access_pass", kTap}, {"challenge_id", "x"}}),
        bj::value(bj::object{{"username", kAlice}, {"access_pass", 12}}),
        bj::value(bj::object{{"username", kAlice}, {"access_pass", ""}}),
        bj::value(bj::object{{"username", kAlice}, {"challenge_id", "x"}, {"assertion", "x"}}),
        bj::value(bj::array{})}) {
    auto r = call("POST", path, body);
    EXPECT_EQ(r.status, 400) << json::serialize(body);
    EXPECT_EQ(code_of(r), "invalid_request") << json::serialize(body);
  }
  http::Request raw;
  raw.method = "POST";
  raw.target = path;
  raw.body = "{not json";
  EXPECT_EQ(code_of(router_.handle(raw)), "invalid_request");
  // None of these spent the pass.
  EXPECT_FALSE(session_with_pass(kTenantA, kAlice, kTap).empty());
}

// --- Adding, listing and deleting keys.

TEST_F(Web, PassSessionRegistersAKeyThenTheKeyOpensSessionsAndIsListed) {
  const std::string pass_session = session_with_pass(kTenantA, kAlice, kTap);
  Key key = new_key("alice");
  auto reg = add_key(key, kTenantA, pass_session, "Blue key");
  ASSERT_EQ(reg.status, 200) << reg.body;
  const std::string id(body_of(reg).at("credential_id").as_string());
  EXPECT_EQ(body_of(reg).at("user_id").as_string(), alice_id_);

  auto keys = keys_of(kTenantA, pass_session);
  ASSERT_EQ(keys.size(), 1u);
  const auto& k = keys[0].as_object();
  EXPECT_EQ(k.at("credential_id").as_string(), id);
  EXPECT_EQ(k.at("name").as_string(), "Blue key");
  EXPECT_EQ(k.at("aaguid").as_string(), webauthn::aaguid_to_string(key.auth.aaguid()));
  EXPECT_EQ(k.at("created").as_string(), admin::format_rfc3339(kNow));
  EXPECT_TRUE(k.at("last_used").is_null());

  clock_.set(kNow + 60s);
  auto r = session_with_key_raw(key, kTenantA, kAlice);
  ASSERT_EQ(r.status, 200) << r.body;
  auto o = body_of(r);
  EXPECT_EQ(o.at("method").as_string(), "security_key");
  EXPECT_EQ(o.at("credential_id").as_string(), id);
  const std::string key_session(o.at("session").as_string());
  auto list = body_of(call("GET", "/" + kTenantA + "/me/credentials", std::nullopt, key_session));
  EXPECT_EQ(list.at("current").as_string(), id);
  EXPECT_EQ(list.at("credentials").as_array()[0].at("last_used").as_string(),
            admin::format_rfc3339(kNow + 60s));
}

TEST_F(Web, KeySessionRegistersASecondKeyAndOptionsExcludeTheFirst) {
  Key first = new_key("first");
  ASSERT_EQ(add_key(first, kTenantA, session_with_pass(kTenantA, kAlice, kTap), "one").status, 200);
  const std::string session = session_with_key(first, kTenantA, kAlice);
  auto opts = call("POST", "/" + kTenantA + "/me/registration/options", std::nullopt, session);
  ASSERT_EQ(opts.status, 200) << opts.body;
  const bj::object options = body_of(opts);
  const auto& exclude = options.at("publicKey").at("excludeCredentials").as_array();
  ASSERT_EQ(exclude.size(), 1u);
  EXPECT_EQ(exclude[0].at("id"), keys_of(kTenantA, session)[0].at("credential_id"));

  Key second = new_key("second");
  ASSERT_EQ(add_key(second, kTenantA, session, "two").status, 200);
  EXPECT_EQ(keys_of(kTenantA, session).size(), 2u);
}

TEST_F(Web, DeletedKeyIsGoneSignsInNoMoreAndItsSessionEnds) {
  Key key = new_key("alice");
  const std::string pass_session = session_with_pass(kTenantA, kAlice, kTap);
  ASSERT_EQ(add_key(key, kTenantA, pass_session, "k").status, 200);
  const std::string key_session = session_with_key(key, kTenantA, kAlice);
  const std::string id(keys_of(kTenantA, key_session)[0].at("credential_id").as_string());

  auto del = call("DELETE", "/" + kTenantA + "/me/credentials/" + id, std::nullopt, key_session);
  EXPECT_EQ(del.status, 204) << del.body;
  EXPECT_EQ(header(del, "Cache-Control"), "no-store");
  // The pass session lists nothing; the store has nothing.
  EXPECT_TRUE(keys_of(kTenantA, pass_session).empty());
  std::vector<store::WebAuthnCredential> creds;
  run([&](store::CloudTxn& t) -> Result<void> {
    creds = KB_TRY(t.credentials_by_user(kTenantA, alice_id_));
    return ok();
  });
  EXPECT_TRUE(creds.empty());
  // The session the key opened ends with it.
  auto after = call("GET", "/" + kTenantA + "/me/credentials", std::nullopt, key_session);
  EXPECT_EQ(after.status, 401);
  // The key signs in no more: not here, not for a device.
  EXPECT_EQ(code_of(session_with_key_raw(key, kTenantA, kAlice)), "invalid_grant");
  DeviceHeld d{
      "", {}, *crypto::PrivateKey::generate_ec_p256(), *crypto::PrivateKey::generate_rsa(2048)};
  EXPECT_EQ(code_of(register_device_raw(key, kTenantA, kAlice, d)), "invalid_grant");
}

TEST_F(Web, AnotherUsersKeyCannotBeDeletedOrUsed) {
  const std::string carol = "carol@contoso.test";
  const std::string carol_id = add_user(kTenantA, carol);
  add_pass(kTenantA, carol_id, "CAROLPASS2345678ABCD", true, kNow + 1h);
  Key carols = new_key("carol");
  const std::string carol_session = session_with_pass(kTenantA, carol, "CAROLPASS2345678ABCD");
  ASSERT_EQ(add_key(carols, kTenantA, carol_session, "c").status, 200);
  const std::string carol_key(keys_of(kTenantA, carol_session)[0].at("credential_id").as_string());

  const std::string alice_session = session_with_pass(kTenantA, kAlice, kTap);
  auto del =
      call("DELETE", "/" + kTenantA + "/me/credentials/" + carol_key, std::nullopt, alice_session);
  EXPECT_EQ(del.status, 404);
  EXPECT_EQ(code_of(del), "not_found");
  EXPECT_EQ(keys_of(kTenantA, carol_session).size(), 1u);
  EXPECT_TRUE(keys_of(kTenantA, alice_session).empty());
  // Carol's key is no way into alice's session.
  EXPECT_EQ(code_of(session_with_key_raw(carols, kTenantA, kAlice)), "invalid_grant");
}

TEST_F(Web, DeleteOfAMalformedOrUnknownIdIsRefused) {
  const std::string session = session_with_pass(kTenantA, kAlice, kTap);
  auto bad = call("DELETE", "/" + kTenantA + "/me/credentials/%21%21", std::nullopt, session);
  EXPECT_EQ(bad.status, 400);
  auto unknown = call("DELETE", "/" + kTenantA + "/me/credentials/AAAA", std::nullopt, session);
  EXPECT_EQ(unknown.status, 404);
}

TEST_F(Web, RegistrationOptionsTakeNoBody) {
  const std::string session = session_with_pass(kTenantA, kAlice, kTap);
  auto r = call("POST", "/" + kTenantA + "/me/registration/options", bj::object{{"username", kBob}},
                session);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(call("POST", "/" + kTenantA + "/me/registration/options", bj::object{}, session).status,
            200);
}

TEST_F(Web, RegistrationChallengeIsSingleUse) {
  const std::string session = session_with_pass(kTenantA, kAlice, kTap);
  auto opts = call("POST", "/" + kTenantA + "/me/registration/options", std::nullopt, session);
  auto o = body_of(opts);
  Key key = new_key("k");
  auto cred = browser(key).create(json::serialize(o.at("publicKey")), &pin_);
  ASSERT_TRUE(cred);
  const bj::object body{{"challenge_id", o.at("challenge_id")},
                        {"credential", *json::parse(*cred)}};
  EXPECT_EQ(call("POST", "/" + kTenantA + "/me/registration", body, session).status, 200);
  EXPECT_EQ(code_of(call("POST", "/" + kTenantA + "/me/registration", body, session)),
            "invalid_grant");
}

TEST_F(Web, AuthenticationChallengeOpensOneSessionOnly) {
  Key key = new_key("alice");
  ASSERT_EQ(add_key(key, kTenantA, session_with_pass(kTenantA, kAlice, kTap), "k").status, 200);
  auto opts =
      post_json("/" + kTenantA + "/webauthn/authentication/options", {{"username", kAlice}});
  auto o = body_of(opts);
  auto a = browser(key).get(json::serialize(o.at("publicKey")), &pin_);
  ASSERT_TRUE(a);
  const bj::object body{{"username", kAlice},
                        {"challenge_id", o.at("challenge_id")},
                        {"assertion", *json::parse(*a)}};
  EXPECT_EQ(call("POST", "/" + kTenantA + "/me/session", body).status, 200);
  EXPECT_EQ(code_of(call("POST", "/" + kTenantA + "/me/session", body)), "invalid_grant");
}

// --- The session's checks at each use.

TEST_F(Web, RoutesWithoutAValidSessionAreUnauthorized) {
  const std::string base = "/" + kTenantA;
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"GET", base + "/me/credentials"},
      {"DELETE", base + "/me/credentials/AAAA"},
      {"POST", base + "/me/registration/options"},
      {"POST", base + "/me/registration"}};
  for (const auto& [method, path] : routes) {
    for (const std::string& token : {std::string(), std::string("garbage"), std::string("a.b.c")}) {
      auto r = call(method, path, std::nullopt, token);
      EXPECT_EQ(r.status, 401) << method << " " << path << " [" << token << "]";
      EXPECT_EQ(code_of(r), "unauthorized");
      EXPECT_EQ(header(r, "WWW-Authenticate"),
                token.empty() ? "Bearer realm=\"keybridge\""
                              : "Bearer realm=\"keybridge\", error=\"invalid_token\"");
    }
  }
}

TEST_F(Web, SessionOfTenantAIsRefusedAtTenantB) {
  const std::string session = session_with_pass(kTenantA, kAlice, kTap);
  EXPECT_EQ(call("GET", "/" + kTenantB + "/me/credentials", std::nullopt, session).status, 401);
}

TEST_F(Web, SessionEndsAfterTenMinutes) {
  const std::string session = session_with_pass(kTenantA, kAlice, kTap);
  clock_.set(kNow + 9min);
  EXPECT_EQ(call("GET", "/" + kTenantA + "/me/credentials", std::nullopt, session).status, 200);
  clock_.set(kNow + 11min);
  EXPECT_EQ(call("GET", "/" + kTenantA + "/me/credentials", std::nullopt, session).status, 401);
}

TEST_F(Web, SessionOfADisabledOrDeletedUserIsRefused) {
  const std::string session = session_with_pass(kTenantA, kAlice, kTap);
  set_enabled(kTenantA, kAlice, false);
  EXPECT_EQ(call("GET", "/" + kTenantA + "/me/credentials", std::nullopt, session).status, 401);
  set_enabled(kTenantA, kAlice, true);
  EXPECT_EQ(call("GET", "/" + kTenantA + "/me/credentials", std::nullopt, session).status, 200);
  run([&](store::CloudTxn& t) { return t.delete_user(kTenantA, alice_id_); });
  EXPECT_EQ(call("GET", "/" + kTenantA + "/me/credentials", std::nullopt, session).status, 401);
}

TEST_F(Web, AdminTokenIsNoSessionAndSessionIsNoAdminToken) {
  auto admin = create_tenant_with_token(*store_, "Admin test", clock_, rng_);
  ASSERT_TRUE(admin) << admin.error().to_string();
  const std::string admin_token(admin->admin_token.reveal());
  EXPECT_EQ(
      call("GET", "/" + admin->tenant_id + "/me/credentials", std::nullopt, admin_token).status,
      401);
  const std::string session = session_with_pass(kTenantA, kAlice, kTap);
  EXPECT_EQ(call("GET", "/api/v1/users/" + kAlice + "/credentials", std::nullopt, session).status,
            401);
}

}  // namespace
}  // namespace kb::cloud::test
