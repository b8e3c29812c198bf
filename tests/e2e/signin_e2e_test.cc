// `keybridge signin` end to end, out of process, with the real binaries on loopback:
// `dc serve` (directory, KDC, Kerberos server object) and `cloud serve` (HTTPS), a software
// security key, then MIT klist, kvno and gss-client/gss-server on the ticket the sign-in put
// in a FILE cache; the NT hash of --ntlm; refresh; the cached sign-in with the cloud stopped;
// and the errors a person sees: policy refusal for a Domain Admin, no Kerberos server object,
// another key offline.
#include <gtest/gtest.h>

#include "client/device_state.h"
#include "signin_fixture.h"

namespace kb {
namespace {

using SigninE2e = e2e::SigninFixture;
using e2e::slurp;
using kb::testing::run;
namespace fs = std::filesystem;

TEST_F(SigninE2e, SecurityKeyToFullTgtToServiceTicketThenRefreshAndCachedSignIn) {
  set_up_dc();
  set_up_cloud();
  publish();
  enroll("alice@contoso.test", "alice.key", "alice.state");

  // Sign in: PRT, partial TGT, trade at the DC, FILE cache, NT hash via the key list.
  const std::string cc1 = "FILE:" + path("cc1").string();
  auto s = signin("alice@contoso.test", "alice.key", "alice.state", cc1, {"--ntlm"});
  ASSERT_EQ(s.exit_code, 0) << s.out << slurp(path("cloud.log")) << slurp(path("dc.log"));
  EXPECT_NE(s.out.find("signed in: alice@CONTOSO.TEST"), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("domain controller : " + dc()), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("NT hash obtained"), std::string::npos) << s.out;
  expect_klist_and_kvno(cc1);
  gss_round_trip(cc1);
  // The state is 0600 and its NT hash is the directory's.
  EXPECT_EQ(fs::status(path("alice.state")).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  auto st = client::load_device_state(path("alice.state"));
  ASSERT_TRUE(st) << st.error().to_string();
  ASSERT_TRUE(st->nt_hash);
  EXPECT_EQ(*st->nt_hash, crypto::nt_hash(SecretString("Al1ce-pw"))->bytes());

  // Status, as JSON and text.
  auto js =
      kb({"signin", "status", "--state", path("alice.state").string(), "--ccache", cc1, "--json"});
  ASSERT_EQ(js.exit_code, 0) << js.out;
  auto j = json::parse_object(js.out);
  ASSERT_TRUE(j) << js.out;
  EXPECT_TRUE(j->at("joined").as_bool());
  EXPECT_TRUE(j->at("prt_present").as_bool());
  EXPECT_TRUE(j->at("full_tgt_present").as_bool());
  EXPECT_TRUE(j->at("key_list_obtained").as_bool());
  EXPECT_EQ(j->at("tenant").as_string(), tenant_);
  EXPECT_EQ(j->at("dcs_answered").as_array().at(0).as_string(), dc());
  auto text = kb({"signin", "status", "--state", path("alice.state").string(), "--ccache", cc1});
  EXPECT_NE(text.out.find("PrtPresent : YES"), std::string::npos) << text.out;

  // Refresh without the key into another cache.
  const std::string cc2 = "FILE:" + path("cc2").string();
  auto r = kb({"signin", "refresh", "--state", path("alice.state").string(), "--ccache", cc2,
               "--dc", dc(), "--ca-file", (path("cloud") / "tls.crt").string()});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("refreshed: alice@CONTOSO.TEST"), std::string::npos) << r.out;
  expect_klist_and_kvno(cc2);

  // A Domain Admin gets a PRT, and the policy message instead of a TGT.
  enroll("administrator@contoso.test", "admin.key", "admin.state");
  auto adm = signin("administrator@contoso.test", "admin.key", "admin.state",
                    "FILE:" + path("cc-admin").string());
  EXPECT_EQ(adm.exit_code, 17) << adm.out;
  EXPECT_NE(adm.out.find("refused this account by policy"), std::string::npos) << adm.out;
  EXPECT_FALSE(fs::exists(path("cc-admin")));
  auto adm_status = kb({"signin", "status", "--state", path("admin.state").string(), "--json",
                        "--ccache", "FILE:" + path("cc-admin").string()});
  auto aj = json::parse_object(adm_status.out);
  ASSERT_TRUE(aj) << adm_status.out;
  EXPECT_TRUE(aj->at("prt_present").as_bool());
  EXPECT_FALSE(aj->at("full_tgt_present").as_bool());

  // No Kerberos server object for fabrikam.test.
  enroll("dave@fabrikam.test", "dave.key", "dave.state");
  auto dave =
      signin("dave@fabrikam.test", "dave.key", "dave.state", "FILE:" + path("cc-dave").string());
  EXPECT_EQ(dave.exit_code, 15) << dave.out;
  EXPECT_NE(dave.out.find("no Kerberos server object for your domain"), std::string::npos)
      << dave.out;

  // Another key on alice's device, with the cloud up: not registered.
  ASSERT_EQ(kb({"signin", "soft-key", "create", path("other.key").string(), "--pin-file",
                path("pin").string()})
                .exit_code,
            0);
  auto other_online =
      signin("alice@contoso.test", "other.key", "alice.state", "FILE:" + path("cc-other").string());
  EXPECT_EQ(other_online.exit_code, 11) << other_online.out;

  // The cloud goes away: cached sign-in with the same key works, with another key it does not.
  EXPECT_EQ(cloud_.stop(), 0);
  const std::string cc3 = "FILE:" + path("cc3").string();
  auto cached = signin("alice@contoso.test", "alice.key", "alice.state", cc3);
  ASSERT_EQ(cached.exit_code, 0) << cached.out;
  EXPECT_NE(cached.out.find("cached sign-in (offline): alice@CONTOSO.TEST"), std::string::npos)
      << cached.out;
  expect_klist_and_kvno(cc3);
  auto other =
      signin("alice@contoso.test", "other.key", "alice.state", "FILE:" + path("cc4").string());
  EXPECT_EQ(other.exit_code, 22) << other.out;
  EXPECT_FALSE(fs::exists(path("cc4")));
  auto strict = signin("alice@contoso.test", "alice.key", "alice.state",
                       "FILE:" + path("cc5").string(), {"--no-cached"});
  EXPECT_EQ(strict.exit_code, 10) << strict.out;

  // No DC reachable (the cloud back, the DC stopped).
  start_cloud();
  EXPECT_EQ(dc_.stop(), 0);
  auto nodc =
      signin("alice@contoso.test", "alice.key", "alice.state", "FILE:" + path("cc6").string());
  EXPECT_EQ(nodc.exit_code, 16) << nodc.out;
  EXPECT_NE(nodc.out.find("no domain controller"), std::string::npos) << nodc.out;
}

}  // namespace
}  // namespace kb
