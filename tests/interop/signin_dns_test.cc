// DNS SRV DC location against a real DNS server: dnsmasq (dnsmasq-base) authoritative for
// test zones on a loopback high port, unprivileged of any system resolver configuration:
// the resolver state is pointed at it (res_state nsaddr_list), never /etc/resolv.conf.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>

#include "base/subprocess.h"
#include "client/dc_locator.h"
#include "crypto/crypto.h"
#include "net/dns_resolver.h"

namespace kb {
namespace {

std::uint16_t free_udp_tcp_port() {
  for (int i = 0; i < 50; ++i) {
    int t = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(t, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::getsockname(t, reinterpret_cast<sockaddr*>(&a), &len);
    int u = ::socket(AF_INET, SOCK_DGRAM, 0);
    bool ok = ::bind(u, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(u);
    ::close(t);
    if (ok) return ntohs(a.sin_port);
  }
  return 0;
}

class Dnsmasq : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(find_program("dnsmasq").empty()) << "dnsmasq (dnsmasq-base) is missing";
    port_ = free_udp_tcp_port();
    ASSERT_NE(port_, 0);
    std::vector<std::string> argv = {
        "dnsmasq", "--no-daemon", "--port=" + std::to_string(port_), "--listen-address=127.0.0.1",
        "--bind-interfaces", "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--pid-file=",
        // Authoritative-style: names under these zones that have no record are NXDOMAIN.
        "--local=/contoso.test/", "--local=/plain.test/", "--local=/none.test/",
        // target,port,priority,weight
        "--srv-host=_kerberos._tcp.dc._msdcs.contoso.test,dc1.contoso.test,88,0,60",
        "--srv-host=_kerberos._tcp.dc._msdcs.contoso.test,dc2.contoso.test,88,0,20",
        "--srv-host=_kerberos._tcp.dc._msdcs.contoso.test,dc3.contoso.test,1088,10,0",
        "--srv-host=_kerberos._tcp.contoso.test,other.contoso.test,88,0,0",
        "--srv-host=_kerberos._tcp.plain.test,dcp.plain.test,750,0,0",
        // No target: "the service is decidedly not available" (answered as ".").
        "--srv-host=_kerberos._tcp.dc._msdcs.none.test"};
    std::string err;
    ASSERT_TRUE(server_.start(argv, {}, dir_.path() / "dnsmasq.log", &err)) << err;
    cfg_.nameservers = {"127.0.0.1:" + std::to_string(port_)};
    cfg_.timeout = std::chrono::seconds(1);
    cfg_.attempts = 1;
    for (int i = 0; i < 100; ++i) {
      if (net::lookup_srv("_kerberos._tcp.plain.test", cfg_)) return;
      ::usleep(50000);
    }
    FAIL() << "dnsmasq did not answer on port " << port_;
  }
  void TearDown() override { server_.stop(); }

  client::SrvLookup lookup() {
    return [this](const std::string& q) -> Result<std::vector<client::SrvEntry>> {
      auto r = KB_TRY(net::lookup_srv(q, cfg_));
      std::vector<client::SrvEntry> out;
      for (auto& e : r) out.push_back({e.priority, e.weight, e.port, std::move(e.target)});
      return out;
    };
  }

  TempDir dir_;
  std::uint16_t port_ = 0;
  BackgroundProcess server_;
  net::ResolverConfig cfg_;
  crypto::SystemRng rng_;
};

TEST_F(Dnsmasq, SrvRecordsComeBackWithAllFields) {
  auto r = net::lookup_srv("_kerberos._tcp.dc._msdcs.contoso.test", cfg_);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->size(), 3u);
  std::map<std::string, net::SrvRecord> by;
  for (const auto& e : *r) by[e.target] = e;
  EXPECT_EQ(by["dc1.contoso.test"], (net::SrvRecord{0, 60, 88, "dc1.contoso.test"}));
  EXPECT_EQ(by["dc2.contoso.test"], (net::SrvRecord{0, 20, 88, "dc2.contoso.test"}));
  EXPECT_EQ(by["dc3.contoso.test"], (net::SrvRecord{10, 0, 1088, "dc3.contoso.test"}));
}

TEST_F(Dnsmasq, MissingNamesAreTypedErrors) {
  auto nx = net::lookup_srv("_kerberos._tcp.nosuch.contoso.test", cfg_);
  ASSERT_FALSE(nx);
  EXPECT_TRUE(nx.error().is(net::DnsErrc::kNxDomain)) << nx.error().to_string();
  // Outside its zones (no upstream) dnsmasq refuses: no usable answer.
  auto refused = net::lookup_srv("_kerberos._tcp.example.invalid", cfg_);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().is(net::DnsErrc::kServFail)) << refused.error().to_string();
}

TEST_F(Dnsmasq, LocatorOrdersByPriorityThenWeight) {
  std::map<std::string, int> first;
  for (int i = 0; i < 200; ++i) {
    auto dcs = client::locate_dcs("CONTOSO.TEST", {}, lookup(), rng_);
    ASSERT_TRUE(dcs) << dcs.error().to_string();
    ASSERT_EQ(dcs->size(), 3u);
    EXPECT_EQ((*dcs)[2].address, "dc3.contoso.test:1088");  // priority 10: always last
    EXPECT_EQ((*dcs)[0].source, "_kerberos._tcp.dc._msdcs.contoso.test");
    first[(*dcs)[0].address]++;
  }
  // Weights 60:20 -> dc1 first about 3 times in 4 (expected 150 of 200).
  EXPECT_GT(first["dc1.contoso.test:88"], first["dc2.contoso.test:88"]);
  EXPECT_GT(first["dc2.contoso.test:88"], 0);
  EXPECT_EQ(first["dc1.contoso.test:88"] + first["dc2.contoso.test:88"], 200);
}

TEST_F(Dnsmasq, PlainNameIsUsedWhenMsdcsHasNone) {
  auto dcs = client::locate_dcs("PLAIN.TEST", {}, lookup(), rng_);
  ASSERT_TRUE(dcs) << dcs.error().to_string();
  ASSERT_EQ(dcs->size(), 1u);
  EXPECT_EQ((*dcs)[0], (client::DcCandidate{"dcp.plain.test:750", "_kerberos._tcp.plain.test"}));
}

TEST_F(Dnsmasq, DotTargetMeansNoService) {
  auto dcs = client::locate_dcs("NONE.TEST", {}, lookup(), rng_);
  ASSERT_FALSE(dcs);
  EXPECT_TRUE(dcs.error().is(client::LocatorErrc::kNoService)) << dcs.error().to_string();
}

TEST_F(Dnsmasq, SilentServerIsServFailNotAHang) {
  server_.stop();
  const auto t0 = std::chrono::steady_clock::now();
  auto r = net::lookup_srv("_kerberos._tcp.plain.test", cfg_);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(net::DnsErrc::kServFail)) << r.error().to_string();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  auto dcs = client::locate_dcs("CONTOSO.TEST", {}, lookup(), rng_);
  ASSERT_FALSE(dcs);
  EXPECT_TRUE(dcs.error().is(client::LocatorErrc::kNoDc));
}

TEST(Resolver, BadNameserverConfigIsRefused) {
  net::ResolverConfig cfg;
  cfg.nameservers = {"::1"};
  EXPECT_TRUE(net::lookup_srv("_kerberos._tcp.x.test", cfg).error().is(net::DnsErrc::kResolver));
  cfg.nameservers = {"127.0.0.1:99999"};
  EXPECT_TRUE(net::lookup_srv("_kerberos._tcp.x.test", cfg).error().is(net::DnsErrc::kResolver));
  cfg.nameservers = {"127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"};
  EXPECT_TRUE(net::lookup_srv("_kerberos._tcp.x.test", cfg).error().is(net::DnsErrc::kResolver));
}

}  // namespace
}  // namespace kb
