// One cloud tenant, three domains: two of one forest (contoso.test and its child
// emea.contoso.test) and one of a second forest (fabrikam.test). Each is its own
// directory with its own domain SID, krbtgt and KDC, and no trust between them (what a
// "forest" is for us: docs/admin.md). Each user's partial TGT is minted for their own
// domain with that domain's key and trades at their own DC only.
#include "admin/kerberos_server_admin.h"
#include "admin/sync.h"
#include "admin_fixture.h"

namespace kb::admin::test {
namespace {

struct Member {
  std::string upn;
  std::size_t domain;  // index into domains_
};

class ManyDomains : public ::testing::Test {
 protected:
  ManyDomains() : clock_(kT0), cloud_(rng_) {
    domains_.push_back(std::make_unique<Domain>("contoso.test", "S-1-5-21-100-1-1", clock_, rng_));
    domains_.push_back(
        std::make_unique<Domain>("emea.contoso.test", "S-1-5-21-100-2-2", clock_, rng_));
    domains_.push_back(std::make_unique<Domain>("fabrikam.test", "S-1-5-21-200-1-1", clock_, rng_));
    // The same RID in every domain: only the domain SID tells the users apart.
    domains_[0]->add_user(1105, "alice");
    domains_[1]->add_user(1105, "bert");
    domains_[2]->add_user(1105, "fiona");
    members_ = {
        {"alice@contoso.test", 0}, {"bert@emea.contoso.test", 1}, {"fiona@fabrikam.test", 2}};
    client_ = cloud_.client();
  }

  AdminContext ctx(std::size_t i) { return domains_[i]->admin(*client_); }

  void set_all() {
    for (std::size_t i = 0; i < domains_.size(); ++i) {
      auto c = ctx(i);
      std::vector<std::string> actions;
      auto r = set_kerberos_server(c, actions);
      ASSERT_TRUE(r) << r.error().to_string();
      EXPECT_TRUE(r->consistent());
      auto s = sync_users(domains_[i]->store(), *client_, false, clock_, rng_);
      ASSERT_TRUE(s) << s.error().to_string();
      EXPECT_TRUE(s->plan.deletes.empty());  // another domain's users are not this one's
    }
  }
  KerberosServerReport report(std::size_t i) {
    auto c = ctx(i);
    auto r = get_kerberos_server(c);
    EXPECT_TRUE(r) << r.error().to_string();
    return r ? *r : KerberosServerReport{};
  }

  crypto::SystemRng rng_;
  FixedClock clock_;
  std::vector<std::unique_ptr<Domain>> domains_;
  Cloud cloud_;
  std::unique_ptr<CloudAdminClient> client_;
  std::vector<Member> members_;
};

TEST_F(ManyDomains, EachUsersPartialTgtIsForTheirDomainAndTradesOnlyThere) {
  set_all();
  std::vector<std::uint16_t> branches;
  for (std::size_t i = 0; i < domains_.size(); ++i) branches.push_back(report(i).id);

  for (const auto& m : members_) {
    SCOPED_TRACE(m.upn);
    auto tgt = cloud_.mint(m.upn, clock_);
    ASSERT_TRUE(tgt) << tgt.error().to_string();
    ASSERT_TRUE(*tgt);
    Domain& own = *domains_[m.domain];
    EXPECT_EQ((*tgt)->crealm, own.domain().realm);
    EXPECT_EQ((*tgt)->ticket.enc_part.kvno, cloud::rodc_kvno(branches[m.domain], 1));
    auto full = own.trade(**tgt);
    ASSERT_TRUE(full) << full.error().to_string() << " / " << own.last_log().detail;
    EXPECT_EQ(full->credential.crealm, own.domain().realm);
    for (std::size_t other = 0; other < domains_.size(); ++other) {
      if (other == m.domain) continue;
      EXPECT_FALSE(domains_[other]->trade(**tgt)) << "traded at " << other;
    }
  }
}

TEST_F(ManyDomains, RotatingOrRemovingOneDomainLeavesTheOthersAlone) {
  set_all();
  clock_.advance(std::chrono::hours(25));
  {
    auto c = ctx(1);
    std::vector<std::string> actions;
    ASSERT_OK(rotate_kerberos_server(c, RotateOptions{}, actions));
  }
  EXPECT_EQ(report(0).key_version, 1);
  EXPECT_EQ(report(1).key_version, 2);
  EXPECT_EQ(report(1).cloud->key_version, 2);
  EXPECT_EQ(report(2).key_version, 1);
  for (std::size_t i = 0; i < domains_.size(); ++i) EXPECT_TRUE(report(i).consistent()) << i;

  {
    auto c = ctx(2);
    std::vector<std::string> actions;
    ASSERT_OK(remove_kerberos_server(c, actions));
  }
  EXPECT_FALSE(report(2).in_cloud);
  EXPECT_TRUE(report(0).consistent());
  EXPECT_TRUE(report(1).consistent());
  auto none = cloud_.mint("fiona@fabrikam.test", clock_);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  for (std::size_t i = 0; i < 2; ++i) {
    auto tgt = cloud_.mint(members_[i].upn, clock_);
    ASSERT_TRUE(tgt && *tgt);
    EXPECT_TRUE(domains_[i]->trade(**tgt)) << domains_[i]->last_log().detail;
  }
  // Every domain's users are still in the cloud, each under their own domain.
  for (std::size_t i = 0; i < domains_.size(); ++i) {
    auto users = client_->list(domains_[i]->domain().dns_name);
    ASSERT_TRUE(users);
    EXPECT_FALSE(users->empty());
    for (const auto& u : *users) EXPECT_EQ(u.domain, domains_[i]->domain().dns_name);
  }
}

}  // namespace
}  // namespace kb::admin::test
