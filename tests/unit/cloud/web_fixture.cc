#include "web_fixture.h"

namespace kb::cloud::test {

Web::Web() {
  add_web_routes(router_, *ctx_);
  add_admin_routes(router_, *ctx_);
}

http::Response Web::call(const std::string& method, const std::string& path,
                         const std::optional<boost::json::value>& body, const std::string& bearer) {
  http::Request req;
  req.method = method;
  req.target = path;
  if (body) {
    req.headers.add("Content-Type", "application/json");
    req.body = json::serialize(*body);
  }
  if (!bearer.empty()) req.headers.add("Authorization", "Bearer " + bearer);
  return router_.handle(req);
}

client::WebauthnClient& Web::browser(Key& key) {
  if (!key.client) {
    key.client = std::make_unique<client::WebauthnClient>(key.auth, "https://localhost");
  }
  return *key.client;
}

http::Response Web::session_with_pass_raw(const std::string& tenant, const std::string& username,
                                          const std::string& pass) {
  return call("POST", "/" + tenant + "/me/session",
              boost::json::object{{"username", username}, {"access_pass", pass}});
}

std::string Web::session_with_pass(const std::string& tenant, const std::string& username,
                                   const std::string& pass) {
  auto r = session_with_pass_raw(tenant, username, pass);
  EXPECT_EQ(r.status, 200) << r.body;
  if (r.status != 200) return "";
  return std::string(body_of(r).at("session").as_string());
}

http::Response Web::session_with_key_raw(Key& key, const std::string& tenant,
                                         const std::string& username) {
  auto opts =
      post_json("/" + tenant + "/webauthn/authentication/options", {{"username", username}});
  EXPECT_EQ(opts.status, 200) << opts.body;
  auto o = body_of(opts);
  auto a = browser(key).get(json::serialize(o.at("publicKey")), &pin_);
  EXPECT_TRUE(a) << a.error().to_string();
  return call("POST", "/" + tenant + "/me/session",
              boost::json::object{{"username", username},
                                  {"challenge_id", o.at("challenge_id")},
                                  {"assertion", a ? *json::parse(*a) : boost::json::value()}});
}

std::string Web::session_with_key(Key& key, const std::string& tenant,
                                  const std::string& username) {
  auto r = session_with_key_raw(key, tenant, username);
  EXPECT_EQ(r.status, 200) << r.body;
  if (r.status != 200) return "";
  return std::string(body_of(r).at("session").as_string());
}

http::Response Web::add_key(Key& key, const std::string& tenant, const std::string& session,
                            const std::string& name) {
  auto opts = call("POST", "/" + tenant + "/me/registration/options", std::nullopt, session);
  if (opts.status != 200) return opts;
  auto o = body_of(opts);
  auto cred = browser(key).create(json::serialize(o.at("publicKey")), &pin_);
  EXPECT_TRUE(cred) << cred.error().to_string();
  if (!cred) return opts;
  return call("POST", "/" + tenant + "/me/registration",
              boost::json::object{{"challenge_id", o.at("challenge_id")},
                                  {"credential", *json::parse(*cred)},
                                  {"name", name}},
              session);
}

boost::json::array Web::keys_of(const std::string& tenant, const std::string& session) {
  auto r = call("GET", "/" + tenant + "/me/credentials", std::nullopt, session);
  EXPECT_EQ(r.status, 200) << r.body;
  if (r.status != 200) return {};
  return body_of(r).at("credentials").as_array();
}

void Web::set_enabled(const std::string& tenant, const std::string& upn, bool enabled) {
  run([&](store::CloudTxn& t) -> Result<void> {
    auto u = KB_TRY(t.user_by_upn(tenant, upn));
    if (!u) return Error(store::Errc::kNotFound, "no such user");
    u->enabled = enabled;
    std::vector<store::CloudUser> v{*u};
    KB_CHECK(t.upsert_users(tenant, v, kNow));
    return ok();
  });
}

}  // namespace kb::cloud::test
