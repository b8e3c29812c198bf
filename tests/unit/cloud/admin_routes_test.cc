// The admin API through the Router, in-process: authentication, tenant isolation for every
// entity, validation negatives and the problem shape.
#include <boost/json.hpp>

#include "admin_fixture.h"
#include "base/base64.h"
#include "base/json.h"
#include "cloud/service/access_pass.h"
#include "cloud/service/kerberos_servers.h"

namespace kb::cloud::test {
namespace {

namespace bj = boost::json;
using namespace std::chrono_literals;

std::string user_doc(const std::string& anchor, const std::string& upn, const std::string& sid,
                     const std::string& extra = "") {
  return R"({"source_anchor":")" + anchor + R"(","upn":")" + upn +
         R"(","domain":"corp.example","sam_account_name":")" + upn.substr(0, upn.find('@')) +
         R"(","object_sid":")" + sid +
         R"(","enabled":true,"password_expires_at":"2027-01-02T03:04:05Z","display_name":"User")" +
         extra + "}";
}

class AdminRoutesTest : public AdminTest {
 protected:
  void SetUp() override {
    AdminTest::SetUp();
    if (HasFatalFailure()) return;
    router_ = make_router(ctx());
  }

  http::Response call(const std::string& method, const std::string& target,
                      const SecretString& token, const std::string& body = "") {
    http::Request r;
    r.method = method;
    r.target = target;
    r.headers.add("Authorization", "Bearer " + std::string(token.reveal()));
    r.body = body;
    return router_.handle(r);
  }
  http::Response a(const std::string& m, const std::string& t, const std::string& b = "") {
    return call(m, t, tenant_a_.admin_token, b);
  }
  http::Response b(const std::string& m, const std::string& t, const std::string& body = "") {
    return call(m, t, tenant_b_.admin_token, body);
  }
  static bj::value body(const http::Response& r) {
    auto v = json::parse(r.body);
    EXPECT_TRUE(v) << r.body;
    return v ? *v : bj::value();
  }
  // A problem document with exactly the documented members and nothing from the request.
  static void expect_problem(const http::Response& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.headers.get("Content-Type").value_or(""), "application/problem+json");
    const bj::value v = body(r);
    ASSERT_TRUE(v.is_object()) << r.body;
    const auto& o = v.as_object();
    EXPECT_EQ(o.size(), 4u) << r.body;
    EXPECT_EQ(o.at("code").as_string(), code) << r.body;
    EXPECT_EQ(o.at("status").as_int64(), status);
    EXPECT_EQ(o.at("type").as_string(), "urn:keybridge:problem:" + code);
  }

  void seed_users() {
    auto r = a("PUT", "/api/v1/users",
               "[" + user_doc("anchor-1", "alice@corp.example", "S-1-5-21-1-2-3-1001") + "," +
                   user_doc("anchor-2", "bob@corp.example", "S-1-5-21-1-2-3-1002") + "]");
    ASSERT_EQ(r.status, 200) << r.body;
    r = b("PUT", "/api/v1/users",
          "[" + user_doc("anchor-9", "carol@corp.example", "S-1-5-21-9-9-9-1001") + "]");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  std::string user_id(const std::string& tenant, const std::string& upn) {
    std::optional<store::CloudUser> u;
    EXPECT_TRUE(store_->read([&](store::CloudTxn& t) -> Result<void> {
      u = KB_TRY(t.user_by_upn(tenant, upn));
      return ok();
    }));
    return u ? u->id : "";
  }
  std::string server_body(int branch, int kvno, std::uint8_t fill) {
    return R"({"branch_id":)" + std::to_string(branch) + R"(,"key_version":)" +
           std::to_string(kvno) + R"(,"enctype":18,"key":")" + base64_encode(Bytes(32, fill)) +
           R"(","key_updated_from":"dc1.corp.example"})";
  }

  http::Router router_;
};

TEST_P(AdminRoutesTest, MissingOrWrongTokenIs401) {
  http::Request r;
  r.method = "GET";
  r.target = "/api/v1/users";
  expect_problem(router_.handle(r), 401, "unauthorized");
  r.headers.add("Authorization", "Bearer kbat_notatoken");
  expect_problem(router_.handle(r), 401, "unauthorized");
  r.headers.set("Authorization", "Basic Zm9vOmJhcg==");
  expect_problem(router_.handle(r), 401, "unauthorized");
  // Every route, not just one: a sample of each group.
  for (auto [m, t] : std::vector<std::pair<std::string, std::string>>{
           {"PUT", "/api/v1/users"},
           {"POST", "/api/v1/users/delete"},
           {"GET", "/api/v1/users/alice@corp.example"},
           {"PUT", "/api/v1/kerberos-servers/corp.example"},
           {"GET", "/api/v1/kerberos-servers"},
           {"POST", "/api/v1/kerberos-servers/corp.example/rotate"},
           {"DELETE", "/api/v1/kerberos-servers/corp.example"},
           {"POST", "/api/v1/users/alice@corp.example/access-passes"},
           {"GET", "/api/v1/users/alice@corp.example/credentials"},
           {"DELETE", "/api/v1/users/alice@corp.example/credentials/AAAA"},
           {"GET", "/api/v1/devices?user=alice@corp.example"},
           {"DELETE", "/api/v1/devices/x"},
           {"PUT", "/api/v1/policy"}}) {
    expect_problem(call(m, t, SecretString("kbat_wrong")), 401, "unauthorized");
  }
}

TEST_P(AdminRoutesTest, UsersUpsertGetListAndDelete) {
  seed_users();
  auto r = a("GET", "/api/v1/users/ALICE@corp.example");
  ASSERT_EQ(r.status, 200) << r.body;
  auto u = body(r).as_object();
  EXPECT_EQ(u.at("upn").as_string(), "alice@corp.example");
  EXPECT_EQ(u.at("object_sid").as_string(), "S-1-5-21-1-2-3-1001");
  EXPECT_EQ(u.at("password_expires_at").as_string(), "2027-01-02T03:04:05Z");
  const std::string id = std::string(u.at("id").as_string());

  // Rename keyed by anchor keeps the id.
  r = a("PUT", "/api/v1/users",
        "[" + user_doc("anchor-1", "alice2@corp.example", "S-1-5-21-1-2-3-1001") + "]");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r).at("users").at(0).at("id").as_string(), id);
  expect_problem(a("GET", "/api/v1/users/alice@corp.example"), 404, "not_found");

  // Paging in change order and by domain.
  r = a("GET", "/api/v1/users?limit=1");
  ASSERT_EQ(r.status, 200) << r.body;
  auto page = body(r).as_object();
  ASSERT_EQ(page.at("users").as_array().size(), 1u);
  EXPECT_EQ(page.at("users").at(0).at("upn").as_string(), "bob@corp.example");
  const std::string next(page.at("next").as_string());
  r = a("GET", "/api/v1/users?limit=1&after=" + next);
  page = body(r).as_object();
  ASSERT_EQ(page.at("users").as_array().size(), 1u);
  EXPECT_EQ(page.at("users").at(0).at("upn").as_string(), "alice2@corp.example");
  r = a("GET", "/api/v1/users?domain=corp.example&limit=5");
  page = body(r).as_object();
  ASSERT_EQ(page.at("users").as_array().size(), 2u);
  EXPECT_TRUE(page.at("next").is_null());
  EXPECT_EQ(page.at("users").at(0).at("upn").as_string(), "alice2@corp.example");
  r = a("GET", "/api/v1/users?domain=corp.example&limit=1&after=alice2@corp.example");
  page = body(r).as_object();
  ASSERT_EQ(page.at("users").as_array().size(), 1u);
  EXPECT_EQ(page.at("users").at(0).at("upn").as_string(), "bob@corp.example");

  r = a("POST", "/api/v1/users/delete", R"({"source_anchors":["anchor-2","nope"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r).at("deleted").as_int64(), 1);
  expect_problem(a("GET", "/api/v1/users/bob@corp.example"), 404, "not_found");
}

TEST_P(AdminRoutesTest, UserValidationNegatives) {
  const std::string sid = "S-1-5-21-1-2-3-1001";
  const std::vector<std::string> bad_bodies = {
      "",
      "{}",
      "[]",
      "[1]",
      "[" + user_doc("a", "alice@corp.example", "S-1-5-21-x") + "]",
      "[" + user_doc("a", "alice@corp.example", "S-2-5-21-1") + "]",
      "[" + user_doc("a", "alice@corp.example", "S-1-5-021-1") + "]",
      "[" + user_doc("a", "alice@corp.example", "S-1-5-4294967296") + "]",
      "[" + user_doc("a", "alice", sid) + "]",
      "[" + user_doc("a", "al ice@corp.example", sid) + "]",
      "[" + user_doc("a", "alice@corp", sid) + "]",
      "[" + user_doc("a", "alice@corp.example@x.example", sid) + "]",
      "[" + user_doc("a", std::string(65, 'x') + "@corp.example", sid) + "]",
      "[" + user_doc("", "alice@corp.example", sid) + "]",
      "[" + user_doc(std::string(129, 'a'), "alice@corp.example", sid) + "]",
      "[" + user_doc("a\\u0001", "alice@corp.example", sid) + "]",
      "[" + user_doc("a", "alice@corp.example", sid) + "," +
          user_doc("a", "bob@corp.example", sid) + "]",
      "[" + user_doc("a", "alice@corp.example", sid) + "," +
          user_doc("b", "ALICE@corp.example", sid) + "]",
      R"([{"source_anchor":"a","upn":"alice@corp.example","domain":"corp.example","sam_account_name":"alice","object_sid":"S-1-5-21-1","enabled":"yes"}])",
      R"([{"source_anchor":"a","upn":"alice@corp.example","domain":"corp.example","sam_account_name":"al/ice","object_sid":"S-1-5-21-1","enabled":true}])",
      R"([{"source_anchor":"a","upn":"alice@corp.example","domain":"corp.example","sam_account_name":"alice","object_sid":"S-1-5-21-1","enabled":true,"password_expires_at":"2027-02-30T00:00:00Z"}])",
      R"([{"source_anchor":"a","upn":"alice@corp.example","domain":"corp.example","sam_account_name":"alice","object_sid":"S-1-5-21-1","enabled":true,"password_expires_at":"2027-01-01 00:00:00"}])",
      R"([{"source_anchor":"a","upn":"alice@corp.example","domain":"-corp.example","sam_account_name":"alice","object_sid":"S-1-5-21-1","enabled":true}])",
  };
  for (const auto& bb : bad_bodies) {
    SCOPED_TRACE(bb);
    expect_problem(a("PUT", "/api/v1/users", bb), 400, "invalid_request");
  }
  std::string many = "[";
  for (int i = 0; i < 1001; ++i) {
    if (i) many += ",";
    many += user_doc("a" + std::to_string(i), "u" + std::to_string(i) + "@corp.example", sid);
  }
  expect_problem(a("PUT", "/api/v1/users", many + "]"), 400, "invalid_request");
  // Nothing was stored by any of them.
  auto r = a("GET", "/api/v1/users");
  EXPECT_EQ(body(r).at("users").as_array().size(), 0u);
  // The minimal valid document (null expiry, no display name) is accepted.
  r = a(
      "PUT", "/api/v1/users",
      R"([{"source_anchor":"a","upn":"alice@corp.example","domain":"CORP.example","sam_account_name":"alice","object_sid":"S-1-5-21-1","enabled":true,"password_expires_at":null}])");
  EXPECT_EQ(r.status, 200) << r.body;
  // A UPN owned by another anchor is a conflict.
  r = a("PUT", "/api/v1/users", "[" + user_doc("b", "alice@corp.example", sid) + "]");
  expect_problem(r, 409, "conflict");
  // Query negatives.
  expect_problem(a("GET", "/api/v1/users?limit=0"), 400, "invalid_request");
  expect_problem(a("GET", "/api/v1/users?limit=1001"), 400, "invalid_request");
  expect_problem(a("GET", "/api/v1/users?after=-1"), 400, "invalid_request");
  expect_problem(a("GET", "/api/v1/users?colour=red"), 400, "invalid_request");
  expect_problem(a("GET", "/api/v1/users?domain=nodots"), 400, "invalid_request");
  expect_problem(a("POST", "/api/v1/users/delete", R"({"source_anchors":[]})"), 400,
                 "invalid_request");
  expect_problem(a("POST", "/api/v1/users/delete", R"({"source_anchors":[7]})"), 400,
                 "invalid_request");
}

TEST_P(AdminRoutesTest, ProblemCarriesNoInternalDetail) {
  // A body crafted to show up in an error detail must not be echoed back.
  auto r = a("PUT", "/api/v1/users", R"([{"source_anchor":"SECRET-MARKER","upn":"x"}])");
  expect_problem(r, 400, "invalid_request");
  EXPECT_EQ(r.body.find("SECRET-MARKER"), std::string::npos);
  EXPECT_EQ(r.body.find("upn"), std::string::npos);
  r = a("PUT", "/api/v1/kerberos-servers/corp.example", "{not json");
  expect_problem(r, 400, "invalid_request");
  EXPECT_EQ(r.body.find("json"), std::string::npos);
}

TEST_P(AdminRoutesTest, KerberosServersLifecycle) {
  auto r = a("PUT", "/api/v1/kerberos-servers/CORP.example", server_body(4711, 1, 0x11));
  ASSERT_EQ(r.status, 200) << r.body;
  auto s = body(r).as_object();
  EXPECT_EQ(s.at("Id").as_int64(), 4711);
  EXPECT_EQ(s.at("DomainDnsName").as_string(), "corp.example");
  EXPECT_EQ(s.at("KeyVersion").as_int64(), 1);
  EXPECT_EQ(s.at("KeyUpdatedFrom").as_string(), "dc1.corp.example");
  EXPECT_EQ(s.at("KeyUpdatedOn").as_string(), "2023-11-14T22:13:20Z");
  EXPECT_TRUE(s.at("PreviousKeyVersion").is_null());
  // No key material in any response.
  const std::string key_b64 = base64_encode(Bytes(32, 0x11));
  EXPECT_EQ(r.body.find(key_b64), std::string::npos);
  EXPECT_EQ(r.body.find("key\""), std::string::npos);

  r = a("POST", "/api/v1/kerberos-servers/corp.example/rotate",
        R"({"key_version":2,"key":")" + base64_encode(Bytes(32, 0x22)) +
            R"(","key_updated_from":"dc2"})");
  ASSERT_EQ(r.status, 200) << r.body;
  s = body(r).as_object();
  EXPECT_EQ(s.at("KeyVersion").as_int64(), 2);
  EXPECT_EQ(s.at("PreviousKeyVersion").as_int64(), 1);
  EXPECT_EQ(s.at("KeyUpdatedFrom").as_string(), "dc2");
  // The minting side sees the new key.
  auto k = load_kerberos_server_key(ctx(), tenant_a_.tenant_id, "corp.example");
  ASSERT_TRUE(k && k->has_value());
  EXPECT_EQ((*k)->key_version, 2);
  EXPECT_EQ((*k)->branch_id, 4711);
  // The version must increase.
  expect_problem(a("POST", "/api/v1/kerberos-servers/corp.example/rotate",
                   R"({"key_version":2,"key":")" + base64_encode(Bytes(32, 0x33)) +
                       R"(","key_updated_from":"dc2"})"),
                 409, "conflict");
  expect_problem(a("POST", "/api/v1/kerberos-servers/other.example/rotate",
                   R"({"key_version":9,"key":")" + base64_encode(Bytes(32, 0x33)) +
                       R"(","key_updated_from":"dc2"})"),
                 404, "not_found");

  r = a("GET", "/api/v1/kerberos-servers");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(body(r).at("servers").as_array().size(), 1u);
  EXPECT_EQ(r.body.find(base64_encode(Bytes(32, 0x22))), std::string::npos);
  r = a("GET", "/api/v1/kerberos-servers/corp.example");
  EXPECT_EQ(r.status, 200);

  // Put with a previous key.
  r = a("PUT", "/api/v1/kerberos-servers/two.example",
        R"({"branch_id":5,"key_version":7,"enctype":18,"key":")" + base64_encode(Bytes(32, 1)) +
            R"(","previous_key":")" + base64_encode(Bytes(32, 2)) +
            R"(","previous_key_version":6,"key_updated_from":"dc"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r).at("PreviousKeyVersion").as_int64(), 6);

  r = a("DELETE", "/api/v1/kerberos-servers/corp.example");
  EXPECT_EQ(r.status, 204);
  expect_problem(a("GET", "/api/v1/kerberos-servers/corp.example"), 404, "not_found");
  expect_problem(a("DELETE", "/api/v1/kerberos-servers/corp.example"), 404, "not_found");
}

TEST_P(AdminRoutesTest, KerberosServerValidationNegatives) {
  const std::string k = base64_encode(Bytes(32, 1));
  const std::vector<std::string> bad = {
      R"({"branch_id":0,"key_version":1,"enctype":18,"key":")" + k +
          R"(","key_updated_from":"dc"})",
      R"({"branch_id":65536,"key_version":1,"enctype":18,"key":")" + k +
          R"(","key_updated_from":"dc"})",
      R"({"branch_id":1,"key_version":70000,"enctype":18,"key":")" + k +
          R"(","key_updated_from":"dc"})",
      R"({"branch_id":1,"key_version":1,"enctype":17,"key":")" + k +
          R"(","key_updated_from":"dc"})",
      R"({"branch_id":1,"key_version":1,"enctype":18,"key":")" + base64_encode(Bytes(16, 1)) +
          R"(","key_updated_from":"dc"})",
      R"({"branch_id":1,"key_version":1,"enctype":18,"key":"!!!","key_updated_from":"dc"})",
      R"({"branch_id":1,"key_version":1,"enctype":18,"key":")" + k + R"("})",
      R"({"branch_id":1,"key_version":1,"enctype":18,"key":")" + k + R"(","key_updated_from":""})",
      R"({"branch_id":1,"key_version":2,"enctype":18,"key":")" + k + R"(","previous_key":")" + k +
          R"(","previous_key_version":2,"key_updated_from":"dc"})",
      R"({"branch_id":1,"key_version":2,"enctype":18,"key":")" + k +
          R"(","previous_key_version":1,"key_updated_from":"dc"})",
      R"({"branch_id":"1","key_version":1,"enctype":18,"key":")" + k +
          R"(","key_updated_from":"dc"})",
  };
  for (const auto& bb : bad) {
    SCOPED_TRACE(bb);
    expect_problem(a("PUT", "/api/v1/kerberos-servers/corp.example", bb), 400, "invalid_request");
  }
  expect_problem(a("PUT", "/api/v1/kerberos-servers/nodots", server_body(1, 1, 1)), 400,
                 "invalid_request");
  expect_problem(a("PUT", "/api/v1/kerberos-servers/bad_char.example", server_body(1, 1, 1)), 400,
                 "invalid_request");
  EXPECT_EQ(body(a("GET", "/api/v1/kerberos-servers")).at("servers").as_array().size(), 0u);
}

TEST_P(AdminRoutesTest, AccessPasses) {
  seed_users();
  auto r = a("POST", "/api/v1/users/alice@corp.example/access-passes",
             R"({"lifetime_seconds":600,"one_time":false})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.headers.get("Cache-Control").value_or(""), "no-store");
  auto p = body(r).as_object();
  const std::string pass(p.at("pass").as_string());
  EXPECT_EQ(pass.size(), 20u);
  EXPECT_EQ(pass.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), std::string::npos);
  EXPECT_FALSE(p.at("one_time").as_bool());
  EXPECT_EQ(p.at("expires_at").as_string(), "2023-11-14T22:23:20Z");
  const std::string id(p.at("id").as_string());

  // Stored as SHA-256 of the pass: consuming it (what sign-in does) works.
  std::optional<store::TemporaryAccessPass> used;
  ASSERT_OK(store_->transact([&](store::CloudTxn& t) -> Result<void> {
    used = KB_TRY(t.consume_access_pass(tenant_a_.tenant_id, access_pass_hash(pass), kT0 + 1s));
    return ok();
  }));
  ASSERT_TRUE(used.has_value());
  EXPECT_EQ(used->id, id);

  // Defaults from policy: one-time, 3600 s.
  r = a("POST", "/api/v1/users/alice@corp.example/access-passes", "");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(body(r).at("one_time").as_bool());
  EXPECT_EQ(body(r).at("expires_at").as_string(), "2023-11-14T23:13:20Z");

  r = a("GET", "/api/v1/users/alice@corp.example/access-passes");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(body(r).at("access_passes").as_array().size(), 2u);
  EXPECT_EQ(r.body.find(pass), std::string::npos);
  EXPECT_EQ(r.body.find("\"pass\""), std::string::npos);

  expect_problem(
      a("POST", "/api/v1/users/alice@corp.example/access-passes", R"({"lifetime_seconds":59})"),
      400, "invalid_request");
  expect_problem(a("POST", "/api/v1/users/alice@corp.example/access-passes",
                   R"({"lifetime_seconds":2592001})"),
                 400, "invalid_request");
  expect_problem(a("POST", "/api/v1/users/alice@corp.example/access-passes", R"({"x":1})"), 400,
                 "invalid_request");
  expect_problem(a("POST", "/api/v1/users/nobody@corp.example/access-passes", ""), 404,
                 "not_found");
  // Deleting under another user of the tenant is not found; under the owner it works.
  expect_problem(a("DELETE", "/api/v1/users/bob@corp.example/access-passes/" + id), 404,
                 "not_found");
  EXPECT_EQ(a("DELETE", "/api/v1/users/alice@corp.example/access-passes/" + id).status, 204);
  EXPECT_EQ(body(a("GET", "/api/v1/users/alice@corp.example/access-passes"))
                .at("access_passes")
                .as_array()
                .size(),
            1u);
}

TEST_P(AdminRoutesTest, CredentialsListAndDelete) {
  seed_users();
  store::WebAuthnCredential c;
  c.tenant_id = tenant_a_.tenant_id;
  c.user_id = user_id(tenant_a_.tenant_id, "alice@corp.example");
  c.credential_id = Bytes{1, 2, 3, 4, 5, 6, 7, 8};
  c.public_key_cose = Bytes{0xa1, 1, 2};
  c.aaguid = Bytes{0xcb, 0x69, 0x48, 0x1e, 0x8f, 0xf7, 0x40, 0x39,
                   0x93, 0xec, 0x0a, 0x27, 0x29, 0xa1, 0x54, 0xa8};
  c.attestation_format = "packed";
  c.attestation_type = "basic";
  c.backup_eligible = true;
  c.friendly_name = "YubiKey";
  c.created = kT0;
  c.last_used = kT0 + 60s;
  ASSERT_OK(store_->transact([&](store::CloudTxn& t) { return t.add_credential(c); }));

  auto r = a("GET", "/api/v1/users/alice@corp.example/credentials");
  ASSERT_EQ(r.status, 200) << r.body;
  auto cred = body(r).at("credentials").at(0).as_object();
  EXPECT_EQ(cred.at("name").as_string(), "YubiKey");
  EXPECT_EQ(cred.at("aaguid").as_string(), "cb69481e-8ff7-4039-93ec-0a2729a154a8");
  EXPECT_EQ(cred.at("credential_id").as_string(), "AQIDBAUGBwg");
  EXPECT_EQ(cred.at("last_used").as_string(), "2023-11-14T22:14:20Z");
  EXPECT_TRUE(cred.at("backup_eligible").as_bool());
  EXPECT_FALSE(cred.at("backup_state").as_bool());

  expect_problem(a("DELETE", "/api/v1/users/bob@corp.example/credentials/AQIDBAUGBwg"), 404,
                 "not_found");
  expect_problem(a("DELETE", "/api/v1/users/alice@corp.example/credentials/!!"), 400,
                 "invalid_request");
  EXPECT_EQ(a("DELETE", "/api/v1/users/alice@corp.example/credentials/AQIDBAUGBwg").status, 204);
  std::optional<store::WebAuthnCredential> gone;
  ASSERT_OK(store_->read([&](store::CloudTxn& t) -> Result<void> {
    gone = KB_TRY(t.credential(tenant_a_.tenant_id, c.credential_id));
    return ok();
  }));
  EXPECT_FALSE(gone.has_value());
  expect_problem(a("DELETE", "/api/v1/users/alice@corp.example/credentials/AQIDBAUGBwg"), 404,
                 "not_found");
}

store::Device make_device(const std::string& tenant, const std::string& id,
                          const std::string& user) {
  store::Device d;
  d.tenant_id = tenant;
  d.id = id;
  d.registered_by = user;
  d.display_name = "PC-" + id;
  d.device_key = Bytes{1, 2, 3};
  d.transport_key = Bytes{4, 5, 6};
  d.created = kT0;
  return d;
}

TEST_P(AdminRoutesTest, DevicesDisableAndDeleteRevokePrts) {
  seed_users();
  const std::string alice = user_id(tenant_a_.tenant_id, "alice@corp.example");
  const Bytes prt_id(32, 7);
  ASSERT_OK(store_->transact([&](store::CloudTxn& t) -> Result<void> {
    KB_CHECK(t.register_device(make_device(tenant_a_.tenant_id, "dev-1", alice)));
    return t.put_prt(
        {tenant_a_.tenant_id, prt_id, alice, "dev-1", Bytes{9}, kT0, kT0 + 3600s, false});
  }));
  auto r = a("GET", "/api/v1/devices?user=alice@corp.example");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = body(r).at("devices").at(0).as_object();
  EXPECT_EQ(d.at("id").as_string(), "dev-1");
  EXPECT_TRUE(d.at("enabled").as_bool());
  EXPECT_EQ(d.at("join_type").as_string(), "cloud");

  EXPECT_EQ(a("POST", "/api/v1/devices/dev-1/disable").status, 204);
  std::optional<store::PrimaryRefreshToken> prt;
  std::optional<store::Device> dev;
  ASSERT_OK(store_->read([&](store::CloudTxn& t) -> Result<void> {
    prt = KB_TRY(t.prt(tenant_a_.tenant_id, prt_id));
    dev = KB_TRY(t.device(tenant_a_.tenant_id, "dev-1"));
    return ok();
  }));
  ASSERT_TRUE(prt && dev);
  EXPECT_TRUE(prt->revoked);
  EXPECT_FALSE(dev->enabled);

  EXPECT_EQ(a("DELETE", "/api/v1/devices/dev-1").status, 204);
  ASSERT_OK(store_->read([&](store::CloudTxn& t) -> Result<void> {
    prt = KB_TRY(t.prt(tenant_a_.tenant_id, prt_id));
    dev = KB_TRY(t.device(tenant_a_.tenant_id, "dev-1"));
    return ok();
  }));
  EXPECT_FALSE(prt.has_value());
  EXPECT_FALSE(dev.has_value());
  expect_problem(a("DELETE", "/api/v1/devices/dev-1"), 404, "not_found");
  expect_problem(a("GET", "/api/v1/devices"), 400, "invalid_request");
  expect_problem(a("GET", "/api/v1/devices?user=a@corp.example&user=b@corp.example"), 400,
                 "invalid_request");
}

TEST_P(AdminRoutesTest, Policy) {
  auto r = a("GET", "/api/v1/policy");
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(body(r).at("require_attestation").as_bool());
  r = a(
      "PUT", "/api/v1/policy",
      R"({"require_attestation":true,"aaguid_allow":["CB69481E8FF7403993EC0A2729A154A8"],"aaguid_block":["00000000-0000-0000-0000-000000000001"],"tap_default_lifetime_seconds":900,"tap_default_one_time":false,"prt_lifetime_seconds":86400})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto p = body(a("GET", "/api/v1/policy")).as_object();
  EXPECT_TRUE(p.at("require_attestation").as_bool());
  EXPECT_EQ(p.at("aaguid_allow").at(0).as_string(), "cb69481e-8ff7-4039-93ec-0a2729a154a8");
  EXPECT_EQ(p.at("aaguid_block").at(0).as_string(), "00000000-0000-0000-0000-000000000001");
  EXPECT_EQ(p.at("tap_default_lifetime_seconds").as_int64(), 900);
  EXPECT_EQ(p.at("prt_lifetime_seconds").as_int64(), 86400);
  // B's policy is untouched.
  EXPECT_FALSE(body(b("GET", "/api/v1/policy")).at("require_attestation").as_bool());
  for (const char* bad : {R"({"aaguid_allow":["xyz"]})",
                          R"({"aaguid_allow":["cb69481e-8ff7-4039-93ec0a2729a154a8x"]})",
                          R"({"tap_default_lifetime_seconds":10})", R"({"prt_lifetime_seconds":0})",
                          R"({"require_attestation":1})", R"({"surprise":true})", "[]"}) {
    SCOPED_TRACE(bad);
    expect_problem(a("PUT", "/api/v1/policy", bad), 400, "invalid_request");
  }
}

// Two tenants never see each other's users, servers, passes, credentials or devices.
TEST_P(AdminRoutesTest, TenantsAreIsolated) {
  seed_users();
  const std::string alice = user_id(tenant_a_.tenant_id, "alice@corp.example");
  // Users: B neither lists nor reads nor deletes A's.
  auto r = b("GET", "/api/v1/users");
  ASSERT_EQ(body(r).at("users").as_array().size(), 1u);
  EXPECT_EQ(body(r).at("users").at(0).at("upn").as_string(), "carol@corp.example");
  expect_problem(b("GET", "/api/v1/users/alice@corp.example"), 404, "not_found");
  EXPECT_EQ(body(b("POST", "/api/v1/users/delete", R"({"source_anchors":["anchor-1"]})"))
                .at("deleted")
                .as_int64(),
            0);
  EXPECT_EQ(a("GET", "/api/v1/users/alice@corp.example").status, 200);
  // B can sync the same UPN/anchor independently.
  EXPECT_EQ(b("PUT", "/api/v1/users",
              "[" + user_doc("anchor-1", "alice@corp.example", "S-1-5-21-7-7-7-1") + "]")
                .status,
            200);
  EXPECT_NE(user_id(tenant_b_.tenant_id, "alice@corp.example"), alice);

  // Kerberos servers.
  ASSERT_EQ(a("PUT", "/api/v1/kerberos-servers/corp.example", server_body(1, 1, 1)).status, 200);
  EXPECT_EQ(body(b("GET", "/api/v1/kerberos-servers")).at("servers").as_array().size(), 0u);
  expect_problem(b("GET", "/api/v1/kerberos-servers/corp.example"), 404, "not_found");
  expect_problem(b("DELETE", "/api/v1/kerberos-servers/corp.example"), 404, "not_found");
  expect_problem(b("POST", "/api/v1/kerberos-servers/corp.example/rotate",
                   R"({"key_version":5,"key":")" + base64_encode(Bytes(32, 5)) +
                       R"(","key_updated_from":"x"})"),
                 404, "not_found");
  EXPECT_EQ(body(a("GET", "/api/v1/kerberos-servers/corp.example")).at("KeyVersion").as_int64(), 1);

  // Access passes: B's alice is another user; A's pass id is unknown to B.
  r = a("POST", "/api/v1/users/alice@corp.example/access-passes", "");
  ASSERT_EQ(r.status, 201);
  const std::string pass_id(body(r).at("id").as_string());
  EXPECT_EQ(body(b("GET", "/api/v1/users/alice@corp.example/access-passes"))
                .at("access_passes")
                .as_array()
                .size(),
            0u);
  expect_problem(b("DELETE", "/api/v1/users/alice@corp.example/access-passes/" + pass_id), 404,
                 "not_found");
  EXPECT_EQ(body(a("GET", "/api/v1/users/alice@corp.example/access-passes"))
                .at("access_passes")
                .as_array()
                .size(),
            1u);

  // Credentials.
  store::WebAuthnCredential c;
  c.tenant_id = tenant_a_.tenant_id;
  c.user_id = alice;
  c.credential_id = Bytes{9, 9, 9};
  c.public_key_cose = Bytes{1};
  c.aaguid = Bytes(16, 0);
  c.created = kT0;
  ASSERT_OK(store_->transact([&](store::CloudTxn& t) { return t.add_credential(c); }));
  EXPECT_EQ(body(b("GET", "/api/v1/users/alice@corp.example/credentials"))
                .at("credentials")
                .as_array()
                .size(),
            0u);
  expect_problem(b("DELETE", "/api/v1/users/alice@corp.example/credentials/CQkJ"), 404,
                 "not_found");
  EXPECT_EQ(body(a("GET", "/api/v1/users/alice@corp.example/credentials"))
                .at("credentials")
                .as_array()
                .size(),
            1u);

  // Devices.
  ASSERT_OK(store_->transact([&](store::CloudTxn& t) {
    return t.register_device(make_device(tenant_a_.tenant_id, "dev-a", alice));
  }));
  EXPECT_EQ(
      body(b("GET", "/api/v1/devices?user=alice@corp.example")).at("devices").as_array().size(),
      0u);
  expect_problem(b("POST", "/api/v1/devices/dev-a/disable"), 404, "not_found");
  expect_problem(b("DELETE", "/api/v1/devices/dev-a"), 404, "not_found");
  r = a("GET", "/api/v1/devices?user=alice@corp.example");
  ASSERT_EQ(body(r).at("devices").as_array().size(), 1u);
  EXPECT_TRUE(body(r).at("devices").at(0).at("enabled").as_bool());
}

INSTANTIATE_TEST_SUITE_P(Sqlite, AdminRoutesTest, ::testing::Values(Backend::kSqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, AdminRoutesTest, ::testing::Values(Backend::kPostgres));

}  // namespace
}  // namespace kb::cloud::test
