// parse_srv_response on DNS messages built byte by byte and on one recorded from dnsmasq 2.90.
#include "net/dns_srv.h"

#include <gtest/gtest.h>

namespace kb::net {
namespace {

const std::string kName = "_kerberos._tcp.contoso.test";

void put_name(Bytes& out, std::string_view name) {
  while (!name.empty()) {
    auto dot = name.find('.');
    auto label = name.substr(0, dot);
    out.push_back(static_cast<std::uint8_t>(label.size()));
    append(out, as_bytes(label));
    name = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
  }
  out.push_back(0);
}

struct Rr {
  Rr(std::uint16_t t, std::uint16_t p, std::uint16_t w, std::uint16_t po, std::string tg,
     bool own_q = true, std::string own = "")
      : type(t),
        prio(p),
        weight(w),
        port(po),
        target(std::move(tg)),
        owner_is_question(own_q),
        owner(std::move(own)) {}
  std::uint16_t type;
  std::uint16_t prio, weight, port;
  std::string target;
  bool owner_is_question;
  std::string owner;
};

// A response (QR=1, RD, RA) to an IN SRV question for `qname`, with `answers`.
Bytes response(const std::vector<Rr>& answers, std::uint8_t rcode = 0,
               const std::string& qname = kName) {
  Bytes m;
  put_u16be(m, 0x1234);
  put_u16be(m, static_cast<std::uint16_t>(0x8180 | rcode));
  put_u16be(m, 1);
  put_u16be(m, static_cast<std::uint16_t>(answers.size()));
  put_u16be(m, 0);
  put_u16be(m, 0);
  put_name(m, qname);
  put_u16be(m, 33);
  put_u16be(m, 1);
  for (const auto& a : answers) {
    if (a.owner_is_question) {
      put_u16be(m, 0xc00c);  // compression pointer to the question name
    } else {
      put_name(m, a.owner);
    }
    put_u16be(m, a.type);
    put_u16be(m, 1);
    put_u32be(m, 600);
    Bytes rd;
    if (a.type == 33) {
      put_u16be(rd, a.prio);
      put_u16be(rd, a.weight);
      put_u16be(rd, a.port);
    }
    put_name(rd, a.target);
    put_u16be(m, static_cast<std::uint16_t>(rd.size()));
    append(m, rd);
  }
  return m;
}

TEST(DnsSrv, ParsesRecordsInMessageOrder) {
  auto r = parse_srv_response(
      response({{33, 0, 100, 88, "dc1.contoso.test"}, {33, 10, 0, 1088, "dc2.contoso.test"}}),
      kName);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0], (SrvRecord{0, 100, 88, "dc1.contoso.test"}));
  EXPECT_EQ((*r)[1], (SrvRecord{10, 0, 1088, "dc2.contoso.test"}));
}

TEST(DnsSrv, RecordedDnsmasqAnswerParses) {
  // dnsmasq 2.90 --srv-host=_kerberos._tcp.contoso.test,dc1.contoso.test,88,0,100
  //              --srv-host=_kerberos._tcp.contoso.test,dc2.contoso.test,88,10,0
  auto msg = hex_decode(
      "123485800001000200000000095f6b65726265726f73045f74637007636f6e746f736f04746573740000210001"
      "c00c00210001000000000018000a000000580364633207636f6e746f736f047465737400c00c00210001000000"
      "0000180000006400580364633107636f6e746f736f047465737400");
  ASSERT_TRUE(msg);
  auto r = parse_srv_response(*msg, kName);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0], (SrvRecord{10, 0, 88, "dc2.contoso.test"}));
  EXPECT_EQ((*r)[1], (SrvRecord{0, 100, 88, "dc1.contoso.test"}));
  // The owner check is case-insensitive and ignores a trailing dot.
  EXPECT_TRUE(parse_srv_response(*msg, "_KERBEROS._tcp.Contoso.Test."));
}

TEST(DnsSrv, RootTargetIsKeptAsEmpty) {
  auto r = parse_srv_response(response({{33, 0, 0, 0, ""}}), kName);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].target, "");
}

TEST(DnsSrv, OtherTypesAndOtherOwnersAreSkipped) {
  Rr cname{5, 0, 0, 0, "alias.contoso.test"};
  Rr other{33, 0, 0, 88, "evil.example", false, "_kerberos._tcp.other.test"};
  auto r = parse_srv_response(response({cname, other, {33, 0, 0, 88, "dc1.contoso.test"}}), kName);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].target, "dc1.contoso.test");
  auto none = parse_srv_response(response({cname}), kName);
  ASSERT_FALSE(none);
  EXPECT_TRUE(none.error().is(DnsErrc::kNoData));
}

TEST(DnsSrv, RcodesMapToTypedErrors) {
  auto nx = parse_srv_response(response({}, 3), kName);
  ASSERT_FALSE(nx);
  EXPECT_TRUE(nx.error().is(DnsErrc::kNxDomain));
  auto sf = parse_srv_response(response({}, 2), kName);
  ASSERT_FALSE(sf);
  EXPECT_TRUE(sf.error().is(DnsErrc::kServFail));
  auto empty = parse_srv_response(response({}), kName);
  ASSERT_FALSE(empty);
  EXPECT_TRUE(empty.error().is(DnsErrc::kNoData));
}

TEST(DnsSrv, MalformedMessagesAreRefused) {
  Bytes good = response({{33, 0, 0, 88, "dc1.contoso.test"}});
  // A query, not a response.
  Bytes query = good;
  query[2] &= 0x7f;
  EXPECT_TRUE(parse_srv_response(query, kName).error().is(DnsErrc::kMalformed));
  // Every truncation is refused (no record parsed from a partial message).
  for (std::size_t n = 0; n < good.size(); ++n) {
    auto r = parse_srv_response(ByteView(good.data(), n), kName);
    EXPECT_FALSE(r) << n;
    if (!r) {
      EXPECT_TRUE(r.error().is(DnsErrc::kMalformed)) << n << " " << r.error().to_string();
    }
  }
  // Trailing garbage after the counted sections.
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_FALSE(parse_srv_response(trailing, kName));
  // RDATA shorter than 7 bytes.
  Bytes short_rd = response({{33, 0, 0, 88, "x"}});
  short_rd[short_rd.size() - 10] = 0;  // rdlength high byte already 0; set low byte:
  short_rd[short_rd.size() - 9] = 6;
  EXPECT_TRUE(parse_srv_response(short_rd, kName).error().is(DnsErrc::kMalformed));
  // A compression pointer that loops on itself inside the target.
  Bytes loop = response({{33, 0, 0, 88, "x"}});
  loop[loop.size() - 3] = 0xc0;
  loop[loop.size() - 2] = static_cast<std::uint8_t>(loop.size() - 3);
  loop[loop.size() - 1] = 0;
  EXPECT_FALSE(parse_srv_response(loop, kName));
}

TEST(DnsSrv, TooManyAnswersAreRefused) {
  std::vector<Rr> many(kMaxSrvRecords + 1, Rr{33, 0, 0, 88, "dc.contoso.test"});
  auto r = parse_srv_response(response(many), kName);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(DnsErrc::kTooMany));
  many.pop_back();
  EXPECT_TRUE(parse_srv_response(response(many), kName));
}

}  // namespace
}  // namespace kb::net
