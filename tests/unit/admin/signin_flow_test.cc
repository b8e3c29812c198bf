// The full flow before and after a rotation and after remove (issue 6 "Tests", last
// point): security-key sign-in with tgt=true on the cloud's real routes (the sign-in
// test fixture: pass, key, device, PRT), the Kerberos server object managed by the admin
// tool through the admin API on the same Router, users synced from the directory, and the
// partial TGT from the PRT response traded at the domain's KDC.
#include "admin/kerberos_server_admin.h"
#include "admin/sync.h"
#include "admin_fixture.h"
#include "client/prt_client.h"
#include "cloud/service/admin_tenants.h"
#include "signin_fixture.h"

namespace kb::admin::test {
namespace {

using cloud::test::kAlice;
using cloud::test::kTenantA;

class SignInFlow : public cloud::test::SignIn {
 protected:
  SignInFlow() : domain_("contoso.test", "S-1-5-21-1-2-3", clock_, rng_) {
    cloud::add_admin_routes(router_, *ctx_);
    auto token = cloud::add_admin_token(*store_, kTenantA, "admin tool", clock_, rng_);
    EXPECT_TRUE(token) << token.error().to_string();
    client_ = std::make_unique<CloudAdminClient>(
        "https://cloud.test", std::move(*token),
        [this](const net::ClientRequest& r) -> Result<http::Response> {
          auto url = KB_TRY(net::parse_https_url(r.url));
          http::Request req;
          req.method = r.method;
          req.target = url.target;
          req.headers = r.headers;
          req.body = r.body;
          req.tls = true;
          return router_.handle(req);
        });
    // alice as the fixture seeded her in the cloud: the same anchor (objectGUID) and SID.
    domain_.add_user(1118, "alice");
    domain_.edit_user(
        "alice", [](store::Account& acc) { acc.attributes["objectGUID"] = {"anchor-" + kAlice}; });
  }

  AdminContext ctx() { return domain_.admin(*client_); }

  // A refresh with tgt=true: the partial TGT of the response, or its tgt error.
  client::PrtResponse refresh() {
    auto r = refresh_raw(kTenantA, held_, nonce(kTenantA));
    EXPECT_EQ(r.status, 200) << r.body;
    auto prt = client::read_prt_response(r.body, nullptr, &held_.session_key, clock_.now());
    EXPECT_TRUE(prt) << prt.error().to_string();
    held_ = {prt->refresh_token, held_.session_key.clone()};
    return std::move(*prt);
  }

  Domain domain_;
  std::unique_ptr<CloudAdminClient> client_;
  cloud::test::PrtHeld held_;
};

TEST_F(SignInFlow, SignInTradesBeforeAndAfterARotationAndGetsNoTgtAfterRemove) {
  {
    auto c = ctx();
    std::vector<std::string> actions;
    auto set = set_kerberos_server(c, actions);
    ASSERT_TRUE(set) << set.error().to_string();
    EXPECT_TRUE(set->consistent());  // replaced the fixture's object with the directory's
  }
  auto synced = sync_users(domain_.store(), *client_, false, clock_, rng_);
  ASSERT_TRUE(synced) << synced.error().to_string();
  EXPECT_EQ(synced->plan.added, 1u);  // Administrator; alice was known by her anchor

  auto enrolled = enroll_alice();
  held_ = {enrolled.prt.prt, enrolled.prt.session_key.clone()};
  const client::PrtResponse before = refresh();
  ASSERT_TRUE(before.partial_tgt) << before.tgt_error;
  EXPECT_EQ(*before.partial_tgt->ticket.enc_part.kvno & 0xffff, 1u);
  auto traded = domain_.trade(*before.partial_tgt);
  ASSERT_TRUE(traded) << traded.error().to_string() << " / " << domain_.last_log().detail;

  {
    auto c = ctx();
    std::vector<std::string> actions;
    RotateOptions o;
    o.force = true;
    auto rot = rotate_kerberos_server(c, o, actions);
    ASSERT_TRUE(rot) << rot.error().to_string();
    EXPECT_EQ(rot->cloud->key_version, 2);
  }
  const client::PrtResponse after = refresh();
  ASSERT_TRUE(after.partial_tgt) << after.tgt_error;
  EXPECT_EQ(*after.partial_tgt->ticket.enc_part.kvno & 0xffff, 2u);
  ASSERT_TRUE(domain_.trade(*after.partial_tgt)) << domain_.last_log().detail;
  ASSERT_TRUE(domain_.trade(*before.partial_tgt)) << "issued before the rotation";

  {
    auto c = ctx();
    std::vector<std::string> actions;
    ASSERT_OK(remove_kerberos_server(c, actions));
  }
  const client::PrtResponse removed = refresh();  // sign-in still works
  EXPECT_FALSE(removed.partial_tgt);
  EXPECT_EQ(removed.tgt_error, "no Kerberos server object for contoso.test");
  EXPECT_FALSE(domain_.trade(*after.partial_tgt));
}

}  // namespace
}  // namespace kb::admin::test
