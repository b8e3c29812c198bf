// DC location: configuration first, SRV names in order, RFC 2782 ordering, "." targets and
// moving on to the next DC.
#include "client/dc_locator.h"

#include <gtest/gtest.h>

#include <map>

namespace kb::client {
namespace {

// Deterministic randomness: a counter run through a mixing step.
class TestRng : public Rng {
 public:
  explicit TestRng(std::uint64_t seed) : s_(seed) {}
  void fill(MutableByteView out) override {
    for (auto& b : out) {
      s_ = s_ * 6364136223846793005ULL + 1442695040888963407ULL;
      b = static_cast<std::uint8_t>(s_ >> 56);
    }
  }

 private:
  std::uint64_t s_;
};

SrvLookup table(std::map<std::string, Result<std::vector<SrvEntry>>>* t,
                std::vector<std::string>* asked) {
  return [t, asked](const std::string& q) -> Result<std::vector<SrvEntry>> {
    asked->push_back(q);
    auto it = t->find(q);
    if (it == t->end()) return Error(LocatorErrc::kNoDc, "nxdomain");
    return it->second;
  };
}

TEST(DcLocator, SrvNamesAreMsdcsThenPlainLowerCased) {
  EXPECT_EQ(srv_names("CONTOSO.TEST"),
            (std::vector<std::string>{"_kerberos._tcp.dc._msdcs.contoso.test",
                                      "_kerberos._tcp.contoso.test"}));
}

TEST(DcLocator, ConfigurationWinsAndGetsDefaultPorts) {
  std::map<std::string, Result<std::vector<SrvEntry>>> t;
  std::vector<std::string> asked;
  LocatorConfig cfg;
  cfg.realm_dcs["CONTOSO.TEST"] = {"dc9.contoso.test", "10.0.0.5:750", "[::1]", "fe80::2"};
  TestRng rng(1);
  auto r = locate_dcs("contoso.test", cfg, table(&t, &asked), rng);
  ASSERT_TRUE(r) << r.error().to_string();
  std::vector<DcCandidate> want = {{"dc9.contoso.test:88", "config"},
                                   {"10.0.0.5:750", "config"},
                                   {"[::1]:88", "config"},
                                   {"[fe80::2]:88", "config"}};
  EXPECT_EQ(*r, want);
  EXPECT_TRUE(asked.empty());
  cfg.realm_dcs["CONTOSO.TEST"] = {"[::1"};
  auto bad = locate_dcs("CONTOSO.TEST", cfg, table(&t, &asked), rng);
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().is(LocatorErrc::kBadConfig));
}

TEST(DcLocator, MsdcsNameFirstThenPlainName) {
  std::map<std::string, Result<std::vector<SrvEntry>>> t;
  t.emplace("_kerberos._tcp.contoso.test", std::vector<SrvEntry>{{0, 0, 88, "dc1.contoso.test"}});
  std::vector<std::string> asked;
  TestRng rng(1);
  auto r = locate_dcs("CONTOSO.TEST", {}, table(&t, &asked), rng);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(asked, srv_names("CONTOSO.TEST"));
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0], (DcCandidate{"dc1.contoso.test:88", "_kerberos._tcp.contoso.test"}));
  // With the _msdcs name present the plain one is not asked.
  t.emplace("_kerberos._tcp.dc._msdcs.contoso.test",
            std::vector<SrvEntry>{{0, 0, 88, "dc2.contoso.test"}});
  asked.clear();
  auto m = locate_dcs("CONTOSO.TEST", {}, table(&t, &asked), rng);
  ASSERT_TRUE(m);
  EXPECT_EQ(asked.size(), 1u);
  EXPECT_EQ((*m)[0].address, "dc2.contoso.test:88");
}

TEST(DcLocator, NothingAnywhereIsNoDc) {
  std::map<std::string, Result<std::vector<SrvEntry>>> t;
  std::vector<std::string> asked;
  TestRng rng(1);
  auto r = locate_dcs("CONTOSO.TEST", {}, table(&t, &asked), rng);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(LocatorErrc::kNoDc));
  LocatorConfig off;
  off.dns_lookup = false;
  asked.clear();
  EXPECT_FALSE(locate_dcs("CONTOSO.TEST", off, table(&t, &asked), rng));
  EXPECT_TRUE(asked.empty());
}

TEST(DcLocator, LoneDotTargetMeansNoService) {
  std::map<std::string, Result<std::vector<SrvEntry>>> t;
  t.emplace("_kerberos._tcp.dc._msdcs.contoso.test", std::vector<SrvEntry>{{0, 0, 0, ""}});
  std::vector<std::string> asked;
  TestRng rng(1);
  auto r = locate_dcs("CONTOSO.TEST", {}, table(&t, &asked), rng);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(LocatorErrc::kNoService));
  // A "." among real targets is just dropped.
  auto o = order_srv({{0, 0, 0, ""}, {1, 0, 88, "dc1"}}, rng);
  ASSERT_TRUE(o);
  ASSERT_EQ(o->size(), 1u);
  EXPECT_EQ((*o)[0].target, "dc1");
}

TEST(DcLocator, PriorityOrderIsStrict) {
  TestRng rng(7);
  for (int i = 0; i < 50; ++i) {
    auto o =
        order_srv({{20, 100, 88, "c"}, {0, 1, 88, "a1"}, {10, 0, 88, "b"}, {0, 50, 88, "a2"}}, rng);
    ASSERT_TRUE(o);
    ASSERT_EQ(o->size(), 4u);
    EXPECT_EQ((*o)[0].priority, 0);
    EXPECT_EQ((*o)[1].priority, 0);
    EXPECT_EQ((*o)[2].target, "b");
    EXPECT_EQ((*o)[3].target, "c");
  }
}

TEST(DcLocator, WeightsShareTheFirstPlaceProportionally) {
  TestRng rng(42);
  std::map<std::string, int> first;
  const int runs = 4000;
  for (int i = 0; i < runs; ++i) {
    auto o = order_srv({{0, 10, 88, "light"}, {0, 30, 88, "heavy"}, {0, 0, 88, "zero"}}, rng);
    ASSERT_TRUE(o);
    ASSERT_EQ(o->size(), 3u);
    first[(*o)[0].target]++;
  }
  // Expected shares 10/41, 30/41, 1/41 (the zero-weight record wins only when the pick is 0).
  EXPECT_NEAR(first["heavy"] / double(runs), 30.0 / 41, 0.04);
  EXPECT_NEAR(first["light"] / double(runs), 10.0 / 41, 0.04);
  EXPECT_NEAR(first["zero"] / double(runs), 1.0 / 41, 0.02);
  EXPECT_GT(first["zero"], 0);
}

TEST(DcLocator, DuplicateTargetsAppearOnce) {
  std::map<std::string, Result<std::vector<SrvEntry>>> t;
  t.emplace("_kerberos._tcp.dc._msdcs.contoso.test",
            std::vector<SrvEntry>{{0, 0, 88, "dc1"}, {5, 0, 88, "dc1"}, {5, 0, 88, "dc2"}});
  std::vector<std::string> asked;
  TestRng rng(3);
  auto r = locate_dcs("CONTOSO.TEST", {}, table(&t, &asked), rng);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].address, "dc1:88");
  EXPECT_EQ((*r)[1].address, "dc2:88");
}

TEST(DcIterator, MovesOnWhenADcFailsAndRemembers) {
  DcIterator it({{"dc1:88", "config"}, {"dc2:88", "config"}, {"dc3:88", "config"}});
  std::vector<std::string> tried;
  auto r = try_each_dc<int>(it, [&](const DcCandidate& dc) -> Result<int> {
    tried.push_back(dc.address);
    if (dc.address != "dc3:88") return Error(LocatorErrc::kNoDc, "down");
    return 7;
  });
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 7);
  EXPECT_EQ(tried, (std::vector<std::string>{"dc1:88", "dc2:88", "dc3:88"}));
  EXPECT_EQ(it.failures().size(), 2u);
  EXPECT_EQ(it.answered_dcs(), (std::vector<std::string>{"dc3:88"}));
  ASSERT_NE(it.current(), nullptr);
  EXPECT_EQ(it.current()->address, "dc3:88");
}

TEST(DcIterator, AllFailingIsNoDcNamingEach) {
  DcIterator it({{"dc1:88", "config"}, {"dc2:88", "config"}});
  auto r = try_each_dc<int>(
      it, [](const DcCandidate&) -> Result<int> { return Error(LocatorErrc::kNoDc, "down"); });
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(LocatorErrc::kNoDc));
  EXPECT_NE(r.error().detail().find("dc1:88"), std::string::npos);
  EXPECT_NE(r.error().detail().find("dc2:88"), std::string::npos);
  EXPECT_EQ(it.current(), nullptr);
}

}  // namespace
}  // namespace kb::client
