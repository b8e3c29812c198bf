// `keybridge cloud ...` end to end: init a data directory, `cloud serve` on a free loopback
// port (started and stopped by PID), the admin API driven with real curl --cacert and with
// net::HttpsClient pinned to the generated certificate.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/base64.h"
#include "base/json.h"
#include "net/https_client.h"
#include "postgres.h"
#include "process.h"

namespace kb {
namespace {

using kb::testing::run;
namespace fs = std::filesystem;

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777;
}

// The line of `out` that is an admin token.
std::string token_in(const std::string& out) {
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("kbat_", 0) == 0) return line;
  }
  return "";
}

class CloudCli : public ::testing::Test {
 protected:
  void SetUp() override { data_ = (dir_.path() / "cloud").string(); }
  void TearDown() override { server_.stop(); }

  RunResult kb(std::vector<std::string> args) {
    std::vector<std::string> argv = {KB_KEYBRIDGE_BIN, "cloud", "--data-dir", data_};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, {}, "", 60);
  }
  std::string log() const {
    std::ifstream in(dir_.path() / "serve.log");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  void start_server() {
    std::string error;
    ASSERT_TRUE(server_.start({KB_KEYBRIDGE_BIN, "cloud", "--data-dir", data_, "serve", "--listen",
                               "127.0.0.1:0", "--threads", "2"},
                              {}, dir_.path() / "serve.log", &error))
        << error;
    const std::string marker = "listening on 127.0.0.1:";
    for (int i = 0; i < 200; ++i) {
      const std::string l = log();
      const auto at = l.find(marker);
      if (at != std::string::npos && l.find('\n', at) != std::string::npos) {
        port_ = std::stoi(l.substr(at + marker.size()));
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "cloud serve did not start: " << log();
  }
  std::string url(const std::string& path) const {
    return "https://localhost:" + std::to_string(port_) + path;
  }
  // curl: returns "<status>\n<body>".
  RunResult curl(const std::string& method, const std::string& path, const std::string& token,
                 const std::string& body = "") {
    std::vector<std::string> argv = {"curl", "-sS",  "--cacert", data_ + "/tls.crt",
                                     "-X",   method, "-w",       "\n%{http_code}"};
    if (!token.empty()) {
      argv.push_back("-H");
      argv.push_back("Authorization: Bearer " + token);
    }
    if (!body.empty()) {
      argv.insert(argv.end(), {"-H", "Content-Type: application/json", "--data-binary", body});
    }
    argv.push_back(url(path));
    return run(argv, {}, "", 30);
  }
  static int status_of(const RunResult& r) {
    const auto nl = r.out.rfind('\n');
    return nl == std::string::npos ? -1 : std::atoi(r.out.c_str() + nl + 1);
  }
  static boost::json::value json_of(const RunResult& r) {
    const auto nl = r.out.rfind('\n');
    auto v = json::parse(r.out.substr(0, nl));
    EXPECT_TRUE(v) << r.out;
    return v ? *v : boost::json::value();
  }

  TempDir dir_{"kb-cloud-cli"};
  std::string data_;
  BackgroundProcess server_;
  int port_ = 0;
};

TEST_F(CloudCli, InitServeAndAdminApiOverHttps) {
  ASSERT_FALSE(find_program("curl").empty())
      << "curl is missing (scripts/install-deps.sh installs it)";
  auto init = kb({"init", "--tenant-name", "Contoso", "--rp-id", "localhost", "--origin",
                  "https://localhost:8443"});
  ASSERT_EQ(init.exit_code, 0) << init.out;
  const std::string token = token_in(init.out);
  ASSERT_EQ(token.size(), 5u + 43u) << init.out;  // "kbat_" + 32 bytes base64url

  // Layout and modes.
  EXPECT_EQ(mode_of(data_), 0700u);
  for (const char* f : {"master.stash", "cloud.db", "tls.crt", "tls.key", "cloud.json"}) {
    EXPECT_EQ(mode_of(fs::path(data_) / f), 0600u) << f;
  }
  // The token is nowhere on disk in the clear.
  for (const char* f : {"cloud.db", "cloud.json"}) {
    std::ifstream in(fs::path(data_) / f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str().find(token.substr(5)), std::string::npos) << f;
  }
  // An existing directory is refused and left alone.
  auto again = kb({"init"});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.out.find("exists"), std::string::npos) << again.out;
  EXPECT_TRUE(fs::exists(fs::path(data_) / "cloud.db"));

  start_server();

  // 401 without a token or with a wrong one.
  auto r = curl("GET", "/api/v1/users", "");
  EXPECT_EQ(status_of(r), 401) << r.out;
  r = curl("GET", "/api/v1/users", "kbat_wrong");
  EXPECT_EQ(status_of(r), 401) << r.out;

  // Users and a Kerberos server object through curl.
  r = curl(
      "PUT", "/api/v1/users", token,
      R"([{"source_anchor":"g-1","upn":"alice@contoso.test","domain":"contoso.test","sam_account_name":"alice","object_sid":"S-1-5-21-1-2-3-1105","enabled":true,"password_expires_at":null,"display_name":"Alice"}])");
  ASSERT_EQ(status_of(r), 200) << r.out;
  r = curl("GET", "/api/v1/users/alice@contoso.test", token);
  ASSERT_EQ(status_of(r), 200) << r.out;
  EXPECT_EQ(json_of(r).at("display_name").as_string(), "Alice");
  const std::string key = base64_encode(Bytes(32, 0x5a));
  r = curl("PUT", "/api/v1/kerberos-servers/contoso.test", token,
           R"({"branch_id":31337,"key_version":1,"enctype":18,"key":")" + key +
               R"(","key_updated_from":"dc1.contoso.test"})");
  ASSERT_EQ(status_of(r), 200) << r.out;
  EXPECT_EQ(r.out.find(key), std::string::npos);
  r = curl("GET", "/api/v1/kerberos-servers", token);
  ASSERT_EQ(status_of(r), 200) << r.out;
  EXPECT_EQ(json_of(r).at("servers").at(0).at("Id").as_int64(), 31337);

  // The same API through net::HttpsClient pinned to the certificate.
  net::HttpsClientConfig cc;
  cc.ca_file = fs::path(data_) / "tls.crt";
  auto client = net::HttpsClient::create(cc);
  ASSERT_TRUE(client) << client.error().to_string();
  http::Headers auth;
  auth.add("Authorization", "Bearer " + token);
  auto resp = client->post(url("/api/v1/users/alice@contoso.test/access-passes"),
                           R"({"lifetime_seconds":600})", "application/json", auth);
  ASSERT_TRUE(resp) << resp.error().to_string();
  ASSERT_EQ(resp->status, 201) << resp->body;
  EXPECT_EQ(json::parse(resp->body)->at("pass").as_string().size(), 20u);
  resp = client->get(url("/api/v1/kerberos-servers/contoso.test"), auth);
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(json::parse(resp->body)->at("KeyVersion").as_int64(), 1);
  resp = client->get(url("/api/v1/policy"));
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->status, 401);

  // A second tenant, added while the service runs, sees none of the first one's data.
  auto added = kb({"tenant", "add", "Fabrikam"});
  ASSERT_EQ(added.exit_code, 0) << added.out;
  const std::string token_b = token_in(added.out);
  ASSERT_FALSE(token_b.empty()) << added.out;
  r = curl("GET", "/api/v1/users", token_b);
  ASSERT_EQ(status_of(r), 200) << r.out;
  EXPECT_EQ(json_of(r).at("users").as_array().size(), 0u);
  r = curl("GET", "/api/v1/kerberos-servers/contoso.test", token_b);
  EXPECT_EQ(status_of(r), 404) << r.out;

  // Stopped by PID with SIGTERM: a clean exit, one log line per request, no secrets logged.
  EXPECT_EQ(server_.stop(), 0);
  const std::string l = log();
  EXPECT_NE(l.find("http PUT /api/v1/users status=200"), std::string::npos) << l;
  EXPECT_NE(l.find("http GET /api/v1/users status=401"), std::string::npos) << l;
  EXPECT_NE(l.find("stopped by signal"), std::string::npos) << l;
  EXPECT_EQ(l.find(token.substr(5)), std::string::npos);
  EXPECT_EQ(l.find(key), std::string::npos);
}

TEST_F(CloudCli, InitRejectsBadInputAndLeavesNothingBehind) {
  auto r = kb({"init", "--tenant-name", ""});
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_FALSE(fs::exists(data_));
  r = kb({"init", "--cert", "/nonexistent.pem"});
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_FALSE(fs::exists(data_));
  r = kb({"init", "--hostname", "not a host"});
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_FALSE(fs::exists(data_));
  r = kb({"serve"});
  EXPECT_NE(r.exit_code, 0) << r.out;
}

// The same service on PostgreSQL: `init --postgres` writes the store there, `serve` and
// `tenant add` read cloud.json's conninfo (label interop: a throwaway server).
TEST_F(CloudCli, PostgresStore) {
  ASSERT_FALSE(find_program("curl").empty())
      << "curl is missing (scripts/install-deps.sh installs it)";
  std::string error;
  auto* pg = kb::testing::PostgresServer::shared(&error);
  ASSERT_NE(pg, nullptr) << error;
  const std::string schema = pg->fresh_schema_name();
  auto init = kb({"init", "--postgres", pg->tcp_conninfo(), "--postgres-schema", schema});
  ASSERT_EQ(init.exit_code, 0) << init.out;
  EXPECT_FALSE(fs::exists(fs::path(data_) / "cloud.db"));
  const std::string token = token_in(init.out);
  ASSERT_FALSE(token.empty()) << init.out;
  start_server();
  auto r = curl(
      "PUT", "/api/v1/users", token,
      R"([{"source_anchor":"g-1","upn":"alice@contoso.test","domain":"contoso.test","sam_account_name":"alice","object_sid":"S-1-5-21-1-2-3-1105","enabled":true}])");
  ASSERT_EQ(status_of(r), 200) << r.out;
  r = curl("PUT", "/api/v1/kerberos-servers/contoso.test", token,
           R"({"branch_id":7,"key_version":3,"key":")" + base64_encode(Bytes(32, 1)) +
               R"(","key_updated_from":"dc1"})");
  ASSERT_EQ(status_of(r), 200) << r.out;
  // The rows are in PostgreSQL, in the chosen schema.
  auto q = pg->psql("SELECT count(*) FROM " + schema + ".cloud_user");
  ASSERT_EQ(q.exit_code, 0) << q.out;
  EXPECT_NE(q.out.find(" 1\n"), std::string::npos) << q.out;
  auto added = kb({"tenant", "add", "Fabrikam"});
  ASSERT_EQ(added.exit_code, 0) << added.out;
  r = curl("GET", "/api/v1/users", token_in(added.out));
  ASSERT_EQ(status_of(r), 200) << r.out;
  EXPECT_EQ(json_of(r).at("users").as_array().size(), 0u);
  r = curl("GET", "/api/v1/users/alice@contoso.test", token);
  EXPECT_EQ(status_of(r), 200) << r.out;
  EXPECT_EQ(server_.stop(), 0);
}

}  // namespace
}  // namespace kb
