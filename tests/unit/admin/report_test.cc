// The property table (text and JSON), --rotate-if-older-than ages, the admin token's
// sources, and the client's readers of the cloud's bodies (untrusted input).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "admin/cloud_admin_client.h"
#include "admin/kerberos_server_report.h"
#include "cloud/errors.h"
#include "process.h"

namespace kb::admin {
namespace {

KerberosServerReport sample() {
  KerberosServerReport r;
  r.in_directory = true;
  r.in_cloud = true;
  r.id = 4711;
  r.domain_dns_name = "contoso.test";
  r.computer_account = "CN=AzureADKerberos,OU=Domain Controllers,DC=contoso,DC=test";
  r.user_account = "CN=krbtgt_AzureAD,CN=Users,DC=contoso,DC=test";
  r.key_version = 2;
  r.key_updated_on = 1'800'000'000;
  r.key_updated_from = "admin-host";
  r.cloud = CloudKerberosServer{4711, "contoso.test", 2, 1'800'000'000, "admin-host"};
  return r;
}

TEST(KerberosServerReport, AlignedTableOfTheElevenProperties) {
  const std::string t = format_report_text(sample());
  EXPECT_NE(t.find("Id                 : 4711\n"), std::string::npos) << t;
  EXPECT_NE(t.find("CloudKeyUpdatedOn  : 2027-01-15T08:00:00Z\n"), std::string::npos) << t;
  for (const char* name :
       {"DomainDnsName", "ComputerAccount", "UserAccount", "KeyVersion", "KeyUpdatedOn",
        "KeyUpdatedFrom", "CloudId", "CloudDomainDnsName", "CloudKeyVersion"}) {
    EXPECT_NE(t.find(std::string("\n") + name + " "), std::string::npos) << name;
  }
  EXPECT_EQ(t.find("differs"), std::string::npos);
  EXPECT_NE(t.find("agree."), std::string::npos);
}

TEST(KerberosServerReport, MismatchesAreMarkedOnBothLines) {
  KerberosServerReport r = sample();
  r.cloud->key_version = 1;
  r.mismatches = {"KeyVersion"};
  const std::string t = format_report_text(r);
  EXPECT_NE(t.find("KeyVersion         : 2  <-- differs from CloudKeyVersion"), std::string::npos)
      << t;
  EXPECT_NE(t.find("CloudKeyVersion    : 1  <-- differs from KeyVersion"), std::string::npos) << t;
  EXPECT_NE(t.find("do NOT agree"), std::string::npos);
  const boost::json::object o = report_json(r);
  EXPECT_EQ(o.at("Consistent").as_bool(), false);
  EXPECT_EQ(o.at("Mismatches").as_array().size(), 1u);
  EXPECT_EQ(o.at("CloudKeyVersion").as_int64(), 1);
}

TEST(KerberosServerReport, MissingSideIsNoneAndNull) {
  KerberosServerReport r = sample();
  r.in_cloud = false;
  r.cloud.reset();
  const std::string t = format_report_text(r);
  EXPECT_NE(t.find("CloudId            : (none)"), std::string::npos) << t;
  EXPECT_NE(t.find("The cloud has no Kerberos server object"), std::string::npos);
  const boost::json::object o = report_json(r);
  EXPECT_TRUE(o.at("CloudId").is_null());
  EXPECT_TRUE(o.at("CloudKeyUpdatedOn").is_null());
  EXPECT_EQ(o.at("Id").as_int64(), 4711);
  EXPECT_FALSE(o.at("Consistent").as_bool());
  EXPECT_EQ(o.at("KeyUpdatedOn").as_string(), "2027-01-15T08:00:00Z");
  r.in_directory = false;
  const std::string neither = format_report_text(r);
  EXPECT_NE(neither.find("Neither the directory nor the cloud"), std::string::npos) << neither;
  EXPECT_EQ(neither.find("agree"), std::string::npos) << neither;
}

TEST(KerberosServerReport, Ages) {
  EXPECT_EQ(parse_age("30d").value(), std::chrono::seconds(30 * 86400));
  EXPECT_EQ(parse_age("12h").value(), std::chrono::seconds(12 * 3600));
  EXPECT_EQ(parse_age("90m").value(), std::chrono::seconds(90 * 60));
  EXPECT_EQ(parse_age("5s").value(), std::chrono::seconds(5));
  for (const char* s : {"", "d", "0d", "30", "30w", "-1d", "3 d", "1.5d", "99999999999999d"}) {
    EXPECT_FALSE(parse_age(s)) << s;
  }
}

TEST(AdminToken, FromFileThenEnvironmentNeverEmpty) {
  kb::testing::TempDir dir("kb-admin-token");
  const std::string f = (dir.path() / "token").string();
  std::ofstream(f) << "kbat_abc-DEF_123\n";
  EXPECT_EQ(read_admin_token(f, "kbat_env").value().reveal(), "kbat_abc-DEF_123");
  EXPECT_EQ(read_admin_token("", "kbat_env").value().reveal(), "kbat_env");
  auto none = read_admin_token("", nullptr);
  ASSERT_FALSE(none);
  EXPECT_TRUE(none.error().is(BaseErrc::kNotFound));
  EXPECT_TRUE(
      read_admin_token((dir.path() / "absent").string(), nullptr).error().is(BaseErrc::kIo));
  std::ofstream(f) << "kbat bad\n";
  EXPECT_TRUE(read_admin_token(f, nullptr).error().is(BaseErrc::kInvalidArgument));
  std::ofstream(f) << "\n";
  EXPECT_FALSE(read_admin_token(f, nullptr));
}

TEST(CloudAdminClientReaders, KerberosServerObject) {
  auto s = parse_kerberos_server_json(
      R"({"Id":4711,"DomainDnsName":"contoso.test","KeyVersion":3,)"
      R"("KeyUpdatedOn":"2027-01-15T08:00:00Z","KeyUpdatedFrom":"h","EncryptionType":18,)"
      R"("PreviousKeyVersion":2,"Created":"2027-01-15T08:00:00Z"})");
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s->id, 4711);
  EXPECT_EQ(s->key_version, 3);
  EXPECT_EQ(s->key_updated_on, 1'800'000'000);
  for (
      const char* bad :
      {R"({"Id":0,"DomainDnsName":"a.b","KeyVersion":1,"KeyUpdatedOn":"2027-01-15T08:00:00Z","KeyUpdatedFrom":""})",
       R"({"Id":70000,"DomainDnsName":"a.b","KeyVersion":1,"KeyUpdatedOn":"2027-01-15T08:00:00Z","KeyUpdatedFrom":""})",
       R"({"Id":1,"DomainDnsName":"a.b","KeyVersion":-1,"KeyUpdatedOn":"2027-01-15T08:00:00Z","KeyUpdatedFrom":""})",
       R"({"Id":1,"DomainDnsName":"a.b","KeyVersion":1,"KeyUpdatedOn":"yesterday","KeyUpdatedFrom":""})",
       R"({"Id":1,"DomainDnsName":"a.b","KeyVersion":1,"KeyUpdatedFrom":""})", R"([1,2])", "",
       "{"}) {
    EXPECT_FALSE(parse_kerberos_server_json(bad)) << bad;
  }
}

TEST(CloudAdminClientReaders, UsersPage) {
  auto p = parse_users_page(
      R"({"users":[{"id":"x","source_anchor":"a1","upn":"a@c.test","domain":"c.test",)"
      R"("sam_account_name":"a","object_sid":"S-1-5-21-1-2-3-1105","enabled":false,)"
      R"("password_expires_at":"2027-01-15T08:00:00Z","display_name":"A","updated_at":"x",)"
      R"("change_seq":4}],"next":"a@c.test"})");
  ASSERT_TRUE(p) << p.error().to_string();
  ASSERT_EQ(p->users.size(), 1u);
  EXPECT_FALSE(p->users[0].enabled);
  EXPECT_EQ(p->users[0].password_expires_at, 1'800'000'000);
  EXPECT_EQ(p->next, "a@c.test");
  auto last = parse_users_page(R"({"users":[],"next":null})");
  ASSERT_TRUE(last);
  EXPECT_FALSE(last->next);
  for (const char* bad : {R"({"users":{}})", R"({"users":[1]})", R"({"users":[],"next":5})",
                          R"({"users":[],"next":""})", R"({"users":[{"source_anchor":"a1"}]})"}) {
    EXPECT_FALSE(parse_users_page(bad)) << bad;
  }
}

TEST(CloudAdminClientReaders, ProblemsBecomeCloudErrors) {
  auto problem = [](int status, const std::string& code) {
    http::Response r = http::problem(status, code, "t");
    return error_from_response(r);
  };
  EXPECT_TRUE(problem(404, "not_found").is(cloud::CloudErrc::kNotFound));
  EXPECT_TRUE(problem(409, "conflict").is(cloud::CloudErrc::kConflict));
  EXPECT_TRUE(problem(401, "unauthorized").is(cloud::CloudErrc::kUnauthorized));
  EXPECT_TRUE(problem(400, "invalid_request").is(cloud::CloudErrc::kBadRequest));
  EXPECT_TRUE(problem(403, "policy").is(cloud::CloudErrc::kPolicy));
  // An unknown code falls back on the status; a body that is no problem too.
  EXPECT_TRUE(problem(409, "something_new").is(cloud::CloudErrc::kConflict));
  http::Response html;
  html.status = 502;
  html.body = "<html>bad gateway</html>";
  EXPECT_TRUE(error_from_response(html).is(cloud::CloudErrc::kInternal));
  EXPECT_NE(error_from_response(html).detail().find("502"), std::string::npos);
}

}  // namespace
}  // namespace kb::admin
