#include "signin_fixture.h"

#include "base/http_form.h"
#include "cloud/service/access_pass.h"
#include "crypto/master_key.h"

namespace kb::cloud::test {

SignIn::SignIn() {
  auto s = store::sqlite::SqliteCloudStore::open((dir_.path() / "cloud.db").string());
  EXPECT_TRUE(s) << s.error().to_string();
  store_ = std::move(*s);
  ctx_ = std::make_unique<ServiceContext>(ServiceContext{*store_, master_, clock_, rng_, {}});
  add_signin_routes(router_, *ctx_);
  run([](store::CloudTxn& t) -> Result<void> {
    KB_CHECK(t.create_tenant({kTenantA, "Contoso", kNow}));
    return t.create_tenant({kTenantB, "Fabrikam", kNow});
  });
  alice_id_ = add_user(kTenantA, kAlice);
  bob_id_ = add_user(kTenantB, kBob);
  add_pass(kTenantA, alice_id_, kTap, true, kNow + 1h);
  add_kerberos_server(kTenantA, "contoso.test");
}

void SignIn::run(const std::function<Result<void>(store::CloudTxn&)>& fn) {
  auto r = store_->transact(fn);
  ASSERT_TRUE(r) << r.error().to_string();
}

std::string SignIn::add_user(const std::string& tenant, const std::string& upn, bool enabled) {
  store::CloudUser u;
  u.id = store::new_uuid(rng_);
  u.source_anchor = "anchor-" + upn;
  u.upn = upn;
  u.domain = upn.substr(upn.find('@') + 1);
  u.sam_account_name = upn.substr(0, upn.find('@'));
  u.object_sid = "S-1-5-21-1-2-3-" + std::to_string(1100 + upn.size());
  u.enabled = enabled;
  u.display_name = "User " + u.sam_account_name;
  std::vector<store::CloudUser> v{u};
  std::string id;
  run([&](store::CloudTxn& t) -> Result<void> {
    id = KB_TRY(t.upsert_users(tenant, v, kNow)).at(0);
    return ok();
  });
  return id;
}

void SignIn::add_pass(const std::string& tenant, const std::string& user_id,
                      const std::string& secret, bool one_time, SysTime expires) {
  store::TemporaryAccessPass p;
  p.tenant_id = tenant;
  p.user_id = user_id;
  p.id = store::new_uuid(rng_);
  p.secret_hash = access_pass_hash(secret);  // as the admin API stores an issued pass
  p.one_time = one_time;
  p.starts_at = kNow - 1h;
  p.expires_at = expires;
  p.created = kNow - 1h;
  run([&](store::CloudTxn& t) { return t.create_access_pass(p); });
}

void SignIn::add_kerberos_server(const std::string& tenant, const std::string& domain) {
  kerberos_key_ = Bytes(32);
  rng_.fill(kerberos_key_);
  store::KerberosServerRecord r;
  r.domain = domain;
  r.branch_id = kBranch;
  auto wrapped = master_.wrap(
      kerberos_key_,
      crypto::key_binding("kerberos-server:" + tenant + "/" + domain, kKeyVersion, 18), rng_);
  ASSERT_TRUE(wrapped);
  r.current = {18, kKeyVersion, *wrapped};
  r.key_updated_on = kNow;
  r.key_updated_from = "dc1.contoso.test";
  run([&](store::CloudTxn& t) { return t.put_kerberos_server(tenant, r, kNow); });
}

http::Response SignIn::post_json(const std::string& path, const boost::json::value& body) {
  http::Request req;
  req.method = "POST";
  req.target = path;
  req.headers.add("Content-Type", "application/json");
  req.body = json::serialize(body);
  return router_.handle(req);
}

http::Response SignIn::post_form(const std::string& path, const std::string& body) {
  http::Request req;
  req.method = "POST";
  req.target = path;
  req.headers.add("Content-Type", "application/x-www-form-urlencoded");
  req.body = body;
  return router_.handle(req);
}

boost::json::object SignIn::body_of(const http::Response& r) {
  auto o = json::parse_object(r.body);
  EXPECT_TRUE(o) << r.body;
  return o ? *o : boost::json::object{};
}

std::string SignIn::code_of(const http::Response& r) {
  auto o = json::parse_object(r.body);
  if (!o || !o->contains("code")) return "";
  return std::string(o->at("code").as_string());
}

Key SignIn::new_key(const std::string& name) {
  auto a = client::SoftAuthenticator::create(dir_.path() / (name + ".json"), rng_, &pin_);
  EXPECT_TRUE(a) << a.error().to_string();
  Key k{std::move(*a), nullptr};
  return k;
}

namespace {
client::WebauthnClient& browser(Key& key) {
  if (!key.client)
    key.client = std::make_unique<client::WebauthnClient>(key.auth, "https://localhost");
  return *key.client;
}
}  // namespace

http::Response SignIn::register_key_with_pass(Key& key, const std::string& tenant,
                                              const std::string& username,
                                              const std::string& pass) {
  auto opts = post_json("/" + tenant + "/webauthn/registration/options",
                        {{"username", username}, {"access_pass", pass}});
  if (opts.status != 200) return opts;
  auto o = body_of(opts);
  auto cred = browser(key).create(json::serialize(o.at("publicKey")), &pin_);
  EXPECT_TRUE(cred) << cred.error().to_string();
  if (!cred) return opts;
  return post_json("/" + tenant + "/webauthn/registration",
                   {{"challenge_id", o.at("challenge_id")},
                    {"credential", *json::parse(*cred)},
                    {"name", "key " + std::to_string(++key_count_)}});
}

std::pair<std::string, std::string> SignIn::assert_for(Key& key, const std::string& tenant,
                                                       const std::string& username) {
  auto opts =
      post_json("/" + tenant + "/webauthn/authentication/options", {{"username", username}});
  EXPECT_EQ(opts.status, 200) << opts.body;
  auto o = body_of(opts);
  auto a = browser(key).get(json::serialize(o.at("publicKey")), &pin_);
  EXPECT_TRUE(a) << a.error().to_string();
  return {std::string(o.at("challenge_id").as_string()), a ? *a : std::string()};
}

std::string SignIn::assert_over_nonce(Key& key, const std::string& nonce) {
  boost::json::object opts{{"challenge", nonce},
                           {"rpId", "localhost"},
                           {"allowCredentials", boost::json::array{}},
                           {"userVerification", "required"},
                           {"timeout", 300000}};
  auto a = browser(key).get(json::serialize(opts), &pin_);
  EXPECT_TRUE(a) << a.error().to_string();
  return a ? *a : std::string();
}

http::Response SignIn::register_device_raw(Key& key, const std::string& tenant,
                                           const std::string& username, DeviceHeld& d) {
  auto [challenge_id, assertion] = assert_for(key, tenant, username);
  const auto dk = *d.device_key.public_key();
  const auto tk = *d.transport_key.public_key();
  return post_json("/" + tenant + "/devices",
                   {{"username", username},
                    {"challenge_id", challenge_id},
                    {"assertion", *json::parse(assertion)},
                    {"device_key", base64url_encode(*dk.to_spki_der())},
                    {"transport_key", base64url_encode(*tk.to_spki_der())},
                    {"display_name", "laptop"}});
}

DeviceHeld SignIn::register_device(Key& key, const std::string& tenant,
                                   const std::string& username) {
  DeviceHeld d{
      "", {}, *crypto::PrivateKey::generate_rsa(2048), *crypto::PrivateKey::generate_rsa(2048)};
  auto r = register_device_raw(key, tenant, username, d);
  EXPECT_EQ(r.status, 200) << r.body;
  if (r.status != 200) return d;
  auto o = body_of(r);
  d.id = std::string(o.at("device_id").as_string());
  d.certificate = *base64_decode(o.at("certificate").as_string());
  return d;
}

std::string SignIn::nonce(const std::string& tenant) {
  auto r = post_form("/" + tenant + "/oauth2/token", "grant_type=srv_challenge");
  EXPECT_EQ(r.status, 200) << r.body;
  auto n = client::read_nonce_response(r.body);
  EXPECT_TRUE(n);
  return n ? *n : std::string();
}

http::Response SignIn::first_sign_in_raw(const std::string& tenant, const DeviceHeld& d,
                                         const std::string& username, const std::string& n,
                                         const std::string& assertion) {
  auto body = client::make_device_prt_request(d.device_key, d.certificate, username, n, assertion,
                                              true, clock_, rng_);
  EXPECT_TRUE(body) << body.error().to_string();
  return post_form("/" + tenant + "/oauth2/token", body ? *body : "");
}

http::Response SignIn::refresh_raw(const std::string& tenant, const PrtHeld& p,
                                   const std::string& n) {
  auto body = client::make_refresh_prt_request(p.prt, p.session_key, n, true, clock_, rng_);
  EXPECT_TRUE(body) << body.error().to_string();
  return post_form("/" + tenant + "/oauth2/token", body ? *body : "");
}

SignIn::Enrolled SignIn::enroll_alice() {
  Enrolled e{new_key("alice"), {}, {}};
  auto reg = register_key_with_pass(e.key, kTenantA, kAlice, kTap);
  EXPECT_EQ(reg.status, 200) << reg.body;
  e.device = register_device(e.key, kTenantA, kAlice);
  const std::string n = nonce(kTenantA);
  auto r = first_sign_in_raw(kTenantA, e.device, kAlice, n, assert_over_nonce(e.key, n));
  EXPECT_EQ(r.status, 200) << r.body;
  auto prt = client::read_prt_response(r.body, &e.device.transport_key, nullptr, kNow);
  EXPECT_TRUE(prt) << prt.error().to_string();
  if (prt && prt->session_key) e.prt = {prt->refresh_token, prt->session_key->clone()};
  return e;
}

}  // namespace kb::cloud::test
