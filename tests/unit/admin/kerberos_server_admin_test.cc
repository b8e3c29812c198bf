// `admin kerberos-server set|get|rotate|remove` across a directory and the cloud's Router
// in-process, through the real HTTP client (CloudAdminClient): the life cycle, failures
// injected at every step (transport failing at call N, directory writes refused), and the
// tickets: partial TGTs minted before a rotation still trade after it; after remove the
// cloud mints none and the DC refuses the branch.
#include "admin/kerberos_server_admin.h"

#include "admin/sync.h"
#include "admin_fixture.h"
#include "cloud/errors.h"
#include "kdc/kerberos_server.h"

namespace kb::admin::test {
namespace {

using std::chrono::hours;

RotateOptions opts(bool force, std::optional<std::chrono::seconds> older = std::nullopt) {
  RotateOptions o;
  o.force = force;
  o.if_older_than = older;
  return o;
}

class KerberosServerAdmin : public ::testing::Test {
 protected:
  KerberosServerAdmin()
      : clock_(kT0), domain_("contoso.test", "S-1-5-21-10-20-30", clock_, rng_), cloud_(rng_) {
    domain_.add_user(1105, "alice");
    client_ = cloud_.client();
  }

  AdminContext ctx() { return domain_.admin(*client_); }

  KerberosServerReport get() {
    auto c = ctx();
    auto r = get_kerberos_server(c);
    EXPECT_TRUE(r) << r.error().to_string();
    return r ? *r : KerberosServerReport{};
  }
  Result<KerberosServerReport> set() {
    auto c = ctx();
    std::vector<std::string> actions;
    return set_kerberos_server(c, actions);
  }
  Result<KerberosServerReport> rotate(RotateOptions o = {}) {
    auto c = ctx();
    actions_.clear();
    return rotate_kerberos_server(c, o, actions_);
  }
  Result<void> remove() {
    auto c = ctx();
    actions_.clear();
    return remove_kerberos_server(c, actions_);
  }
  // Both sides hold the object and every checked pair matches.
  void expect_consistent(std::uint16_t version) {
    const KerberosServerReport r = get();
    EXPECT_TRUE(r.consistent()) << "mismatches: " << r.mismatches.size();
    EXPECT_EQ(r.key_version, version);
    ASSERT_TRUE(r.cloud);
    EXPECT_EQ(r.cloud->key_version, version);
    EXPECT_EQ(r.cloud->id, r.id);
    EXPECT_EQ(r.cloud->key_updated_on, r.key_updated_on);
    EXPECT_EQ(r.cloud->key_updated_from, r.key_updated_from);
  }
  void sync() {
    auto s = sync_users(domain_.store(), *client_, false, clock_, rng_);
    ASSERT_TRUE(s) << s.error().to_string();
  }
  std::optional<client::Credential> mint() {
    auto m = cloud_.mint("alice@contoso.test", clock_);
    EXPECT_TRUE(m) << m.error().to_string();
    return m ? std::move(*m) : std::nullopt;
  }

  crypto::SystemRng rng_;
  FixedClock clock_;
  Domain domain_;
  Cloud cloud_;
  std::string_view tenant_token() const { return cloud_.token(); }

  std::unique_ptr<CloudAdminClient> client_;
  std::vector<std::string> actions_;
};

TEST_F(KerberosServerAdmin, SetGetRotateGetRemoveSetAgain) {
  // Fresh domain: nothing anywhere.
  KerberosServerReport none = get();
  EXPECT_FALSE(none.in_directory);
  EXPECT_FALSE(none.in_cloud);
  EXPECT_FALSE(none.consistent());

  auto s = set();
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_TRUE(s->consistent());
  expect_consistent(1);
  const std::uint16_t branch = get().id;
  EXPECT_NE(branch, 0);
  // The cloud's clock is an hour off; KeyUpdatedOn is the directory's on both sides.
  EXPECT_EQ(get().cloud->key_updated_on,
            std::chrono::duration_cast<std::chrono::seconds>(kT0.time_since_epoch()).count());
  EXPECT_EQ(get().cloud->key_updated_from, "admin-host");

  // A second set on an existing, consistent object changes nothing.
  std::vector<std::string> actions;
  auto c = ctx();
  auto again = set_kerberos_server(c, actions);
  ASSERT_TRUE(again);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_NE(actions[0].find("nothing to do"), std::string::npos);
  expect_consistent(1);

  clock_.advance(hours(25));
  auto r = rotate();
  ASSERT_TRUE(r) << r.error().to_string();
  expect_consistent(2);
  EXPECT_EQ(get().id, branch);  // rotation keeps the branch

  ASSERT_OK(remove());
  KerberosServerReport gone = get();
  EXPECT_FALSE(gone.in_directory);
  EXPECT_FALSE(gone.in_cloud);
  EXPECT_FALSE(*kdc::read_kerberos_server(domain_.raw()));
  // Removing what is not there is not an error (a re-run after a partial remove).
  ASSERT_OK(remove());

  auto fresh = set();
  ASSERT_TRUE(fresh) << fresh.error().to_string();
  expect_consistent(1);
}

TEST_F(KerberosServerAdmin, RotationWithin24HoursIsRefusedUnlessForced) {
  ASSERT_OK(set());
  clock_.advance(hours(23));
  auto r = rotate();
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::kTooSoon)) << r.error().to_string();
  expect_consistent(1);  // nothing changed
  ASSERT_OK(rotate(opts(true)));
  expect_consistent(2);
  ASSERT_FALSE(rotate());  // the forced one counts: again too soon
  clock_.advance(hours(25));
  ASSERT_OK(rotate());
  expect_consistent(3);
}

TEST_F(KerberosServerAdmin, RotateIfOlderThanRotatesOnlyOldKeys) {
  ASSERT_OK(set());
  clock_.advance(hours(24 * 10));
  auto young = rotate(opts(false, hours(24 * 30)));
  ASSERT_TRUE(young) << young.error().to_string();
  ASSERT_EQ(actions_.size(), 1u);
  EXPECT_NE(actions_[0].find("not rotated"), std::string::npos);
  expect_consistent(1);
  clock_.advance(hours(24 * 21));
  ASSERT_OK(rotate(opts(false, hours(24 * 30))));
  expect_consistent(2);
}

TEST_F(KerberosServerAdmin, RotateAndGetNeedAnObject) {
  auto r = rotate(opts(true));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(store::Errc::kNotFound));
  EXPECT_NE(r.error().detail().find("kerberos-server set"), std::string::npos);
}

// set makes at most three cloud calls (get, put, get). A failure at each leaves either
// nothing, or the directory ahead of the cloud; the next set completes it.
TEST_F(KerberosServerAdmin, SetInterruptedAtEachCloudCallIsCompletedByTheNextSet) {
  for (int n = 1; n <= 3; ++n) {
    SCOPED_TRACE("transport fails at call " + std::to_string(n));
    cloud_.arm(n);
    auto s = set();
    ASSERT_FALSE(s);
    if (n < 3) {
      EXPECT_TRUE(s.error().is(Errc::kIncomplete)) << s.error().to_string();
      EXPECT_NE(s.error().detail().find("Re-run `keybridge admin kerberos-server set`"),
                std::string::npos);
      const KerberosServerReport half = get();
      EXPECT_TRUE(half.in_directory);
      EXPECT_FALSE(half.in_cloud);
      EXPECT_FALSE(half.consistent());
    }
    cloud_.arm(0);
    ASSERT_OK(set());
    expect_consistent(1);
    ASSERT_OK(remove());
  }
}

TEST_F(KerberosServerAdmin, SetWithTheDirectoryRefusingChangesNeitherSide) {
  domain_.store().refuse_writes = true;
  auto s = set();
  ASSERT_FALSE(s);
  EXPECT_TRUE(s.error().is(Errc::kUnchanged)) << s.error().to_string();
  domain_.store().refuse_writes = false;
  const KerberosServerReport r = get();
  EXPECT_FALSE(r.in_directory);
  EXPECT_FALSE(r.in_cloud);
  ASSERT_OK(set());
  expect_consistent(1);
}

// rotate makes at most three cloud calls (get, put, get) around one directory write.
TEST_F(KerberosServerAdmin, RotateInterruptedAtEachStepEndsConsistentAfterTheRerun) {
  ASSERT_OK(set());
  std::uint16_t version = 1;
  for (int n = 1; n <= 3; ++n) {
    SCOPED_TRACE("transport fails at call " + std::to_string(n));
    clock_.advance(hours(25));
    cloud_.arm(n);
    auto r = rotate();
    ASSERT_FALSE(r);
    cloud_.arm(0);
    if (n == 1) {  // nothing was changed
      expect_consistent(version);
      ASSERT_OK(rotate());
      ++version;
    } else if (n == 2) {  // directory ahead: kIncomplete, the get check fails
      EXPECT_TRUE(r.error().is(Errc::kIncomplete)) << r.error().to_string();
      KerberosServerReport half = get();
      EXPECT_EQ(half.key_version, version + 1);
      ASSERT_TRUE(half.cloud);
      EXPECT_EQ(half.cloud->key_version, version);
      EXPECT_EQ(half.mismatches, (std::vector<std::string>{"KeyVersion", "KeyUpdatedOn"}));
      // Re-running the rotation completes it instead of rotating again.
      auto done = rotate();
      ASSERT_TRUE(done) << done.error().to_string();
      EXPECT_NE(actions_.front().find("not rotated again"), std::string::npos);
      ++version;
    } else {  // both sides changed; only the read-back failed
      ++version;
    }
    expect_consistent(version);
  }
  // A directory refusing the rotation leaves both sides as they were.
  clock_.advance(hours(25));
  domain_.store().refuse_writes = true;
  ASSERT_FALSE(rotate());
  domain_.store().refuse_writes = false;
  expect_consistent(version);
}

TEST_F(KerberosServerAdmin, HalfDoneRotationIsCompletedBySet) {
  ASSERT_OK(set());
  clock_.advance(hours(25));
  cloud_.arm(2);  // the put
  ASSERT_FALSE(rotate());
  cloud_.arm(0);
  EXPECT_FALSE(get().consistent());
  ASSERT_OK(set());
  expect_consistent(2);
}

TEST_F(KerberosServerAdmin, RemoveInterruptedLeavesAStateTheRerunFinishes) {
  ASSERT_OK(set());
  cloud_.arm(1);  // the cloud's delete
  auto r = remove();
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::kUnchanged)) << r.error().to_string();
  cloud_.arm(0);
  expect_consistent(1);

  domain_.store().refuse_writes = true;
  r = remove();
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::kIncomplete)) << r.error().to_string();
  EXPECT_NE(r.error().detail().find("Re-run"), std::string::npos);
  domain_.store().refuse_writes = false;
  KerberosServerReport half = get();
  EXPECT_TRUE(half.in_directory);
  EXPECT_FALSE(half.in_cloud);  // the cloud mints nothing meanwhile

  ASSERT_OK(remove());
  KerberosServerReport gone = get();
  EXPECT_FALSE(gone.in_directory);
  EXPECT_FALSE(gone.in_cloud);
}

TEST_F(KerberosServerAdmin, PartialTgtMintedBeforeARotationStillTradesAfterIt) {
  ASSERT_OK(set());
  sync();
  clock_.advance(hours(24));  // a partial TGT lives 10 hours: mint it just before the rotation
  auto before = mint();
  ASSERT_TRUE(before);
  EXPECT_EQ(before->ticket.enc_part.kvno, cloud::rodc_kvno(get().id, 1));
  auto traded = domain_.trade(*before);
  ASSERT_TRUE(traded) << traded.error().to_string() << " / " << domain_.last_log().detail;

  clock_.advance(hours(1));
  ASSERT_OK(rotate());
  expect_consistent(2);
  auto after = domain_.trade(*before);
  ASSERT_TRUE(after) << after.error().to_string() << " / " << domain_.last_log().detail;

  // The cloud now mints with version 2, which trades too.
  auto fresh = mint();
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->ticket.enc_part.kvno, cloud::rodc_kvno(get().id, 2));
  ASSERT_TRUE(domain_.trade(*fresh)) << domain_.last_log().detail;
}

TEST_F(KerberosServerAdmin, WhileARotationIsHalfDoneTheCloudsTicketsStillTrade) {
  ASSERT_OK(set());
  sync();
  clock_.advance(hours(25));
  cloud_.arm(2);
  ASSERT_FALSE(rotate());
  cloud_.arm(0);
  auto during = mint();  // the cloud still has version 1; the DC keeps it as previous
  ASSERT_TRUE(during);
  EXPECT_EQ(*during->ticket.enc_part.kvno & 0xffff, 1u);
  ASSERT_TRUE(domain_.trade(*during)) << domain_.last_log().detail;
}

TEST_F(KerberosServerAdmin, AfterRemoveTheCloudMintsNothingAndTheDcRefusesTheBranch) {
  ASSERT_OK(set());
  sync();
  auto before = mint();
  ASSERT_TRUE(before);
  ASSERT_OK(remove());
  auto none = cloud_.mint("alice@contoso.test", clock_);
  ASSERT_TRUE(none) << none.error().to_string();
  EXPECT_FALSE(*none);  // no key for the domain: sign-in returns no partial TGT
  auto refused = domain_.trade(*before);
  EXPECT_FALSE(refused);

  // Set again: a new object, whose tickets trade; the old branch's still do not.
  ASSERT_OK(set());
  auto fresh = mint();
  ASSERT_TRUE(fresh);
  ASSERT_TRUE(domain_.trade(*fresh)) << domain_.last_log().detail;
  if (before->ticket.enc_part.kvno != fresh->ticket.enc_part.kvno) {
    EXPECT_FALSE(domain_.trade(*before));
  }
}

TEST_F(KerberosServerAdmin, CloudErrorsKeepTheProblemCode) {
  // A wrong token: the cloud answers 401 with code "unauthorized".
  CloudAdminClient wrong("https://cloud.test", SecretString("kbat_wrong"), cloud_.transport());
  auto r = wrong.get("contoso.test");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(cloud::CloudErrc::kUnauthorized)) << r.error().to_string();
  // A transport error comes back as it is.
  cloud_.arm(1);
  auto t = client_->get("contoso.test");
  ASSERT_FALSE(t);
  EXPECT_TRUE(t.error().is(net::Errc::kConnectionRefused));
  cloud_.arm(0);
  // An absent object is not an error for get and remove.
  auto absent = client_->get("contoso.test");
  ASSERT_TRUE(absent);
  EXPECT_FALSE(*absent);
  ASSERT_OK(client_->remove("contoso.test"));
  // A put the cloud refuses (bad domain syntax): 400 invalid_request -> kBadRequest.
  crypto::Key k = crypto::Key::random(crypto::EncType::kAes256CtsHmacSha196, rng_);
  auto bad = client_->put("not_a_domain", 7, {1, &k}, std::nullopt, 0, "h");
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().is(cloud::CloudErrc::kBadRequest)) << bad.error().to_string();
}

// The cloud side of the fix: PUT and rotate take key_updated_on (RFC 3339) and keep the
// cloud's own time only when it is absent; anything else is 400.
TEST_F(KerberosServerAdmin, CloudTakesKeyUpdatedOnFromTheBodyOrItsOwnClock) {
  auto transport = cloud_.transport();
  auto call = [&](const std::string& method, const std::string& path, const std::string& body) {
    net::ClientRequest r;
    r.method = method;
    r.url = "https://cloud.test" + path;
    r.headers.add("Authorization", "Bearer " + std::string(tenant_token()));
    r.headers.add("Content-Type", "application/json");
    r.body = body;
    auto resp = transport(r);
    EXPECT_TRUE(resp);
    return resp ? *resp : http::Response{};
  };
  const std::string key = "\"" + std::string(43, 'A') + "=\"";
  auto put = call("PUT", "/api/v1/kerberos-servers/contoso.test",
                  R"({"branch_id":9,"key_version":1,"key":)" + key +
                      R"(,"key_updated_on":"2027-01-01T00:00:00+01:00","key_updated_from":"h"})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(parse_kerberos_server_json(put.body)->key_updated_on, 1798758000);
  auto rot = call("POST", "/api/v1/kerberos-servers/contoso.test/rotate",
                  R"({"key_version":2,"key":)" + key +
                      R"(,"key_updated_on":"2027-01-02T00:00:00Z","key_updated_from":"h"})");
  ASSERT_EQ(rot.status, 200) << rot.body;
  EXPECT_EQ(parse_kerberos_server_json(rot.body)->key_updated_on, 1798848000);
  for (const char* bad : {R"("yesterday")", "12345", R"("2027-01-02T00:00:00")"}) {
    auto r = call("POST", "/api/v1/kerberos-servers/contoso.test/rotate",
                  R"({"key_version":3,"key":)" + key + R"(,"key_updated_on":)" + bad +
                      R"(,"key_updated_from":"h"})");
    EXPECT_EQ(r.status, 400) << bad << " " << r.body;
    EXPECT_TRUE(error_from_response(r).is(cloud::CloudErrc::kBadRequest));
  }
  auto own = call("POST", "/api/v1/kerberos-servers/contoso.test/rotate",
                  R"({"key_version":3,"key":)" + key + R"(,"key_updated_from":"h"})");
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(
      parse_kerberos_server_json(own.body)->key_updated_on,
      std::chrono::duration_cast<std::chrono::seconds>(cloud_.clock().now().time_since_epoch())
          .count());
  auto own_put =
      call("PUT", "/api/v1/kerberos-servers/contoso.test",
           R"({"branch_id":9,"key_version":4,"key":)" + key + R"(,"key_updated_from":"h"})");
  ASSERT_EQ(own_put.status, 200) << own_put.body;
  EXPECT_EQ(parse_kerberos_server_json(own_put.body)->key_updated_on,
            parse_kerberos_server_json(own.body)->key_updated_on);
}

}  // namespace
}  // namespace kb::admin::test
