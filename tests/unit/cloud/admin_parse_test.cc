// admin_parse.h: RFC 3339, DNS names, UPNs, SIDs, AAGUIDs.
#include "cloud/service/admin_parse.h"

#include <gtest/gtest.h>

namespace kb::cloud::admin {
namespace {

using namespace std::chrono;

TEST(AdminParse, Rfc3339RoundTripsAndOffsets) {
  auto t = parse_rfc3339("2027-01-02T03:04:05Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->time_since_epoch(), seconds(1798859045));
  EXPECT_EQ(format_rfc3339(*t), "2027-01-02T03:04:05Z");
  auto off = parse_rfc3339("2027-01-02T05:04:05+02:00");
  ASSERT_TRUE(off);
  EXPECT_EQ(*off, *t);
  auto neg = parse_rfc3339("2027-01-01T23:34:05.5-03:30");
  ASSERT_TRUE(neg);
  EXPECT_EQ(*neg, *t + milliseconds(500));
  EXPECT_EQ(format_rfc3339(*neg), "2027-01-02T03:04:05.500000Z");
  auto leap = parse_rfc3339("2024-02-29t00:00:00z");
  ASSERT_TRUE(leap);
  EXPECT_EQ(format_rfc3339(*leap), "2024-02-29T00:00:00Z");
  EXPECT_EQ(format_rfc3339(SysTime{}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("0001-01-01T00:00:00Z")), "0001-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("9999-12-31T23:59:59.999999Z")),
            "9999-12-31T23:59:59.999999Z");
}

TEST(AdminParse, Rfc3339Negatives) {
  for (const char* s :
       {"", "2027-01-02", "2027-01-02T03:04:05", "2027-13-02T03:04:05Z", "2023-02-29T00:00:00Z",
        "2027-01-02T24:00:00Z", "2027-01-02T03:60:00Z", "2027-01-02T03:04:60Z",
        "2027-01-02T03:04:05.Z", "2027-01-02T03:04:05+2:00", "2027-01-02T03:04:05+02:60",
        "2027-01-02T03:04:05Zjunk", "2027/01/02T03:04:05Z", "2027-01-02X03:04:05Z",
        "2027-01-02T03:04:05.1234567890Z", "+027-01-02T03:04:05Z", "0001-01-01T00:00:00+00:01",
        "9999-12-31T23:59:59-00:01"}) {
    EXPECT_FALSE(parse_rfc3339(s)) << s;
  }
}

TEST(AdminParse, Domains) {
  EXPECT_EQ(parse_domain("CORP.Example").value(), "corp.example");
  EXPECT_TRUE(parse_domain("a-b.c1.example"));
  for (const char* s : {"", "corp", "corp.", ".corp.example", "-a.example", "a-.example",
                        "a_b.example", "a..example", "a b.example"}) {
    EXPECT_FALSE(parse_domain(s)) << s;
  }
  EXPECT_FALSE(parse_domain(std::string(64, 'a') + ".example"));
  EXPECT_TRUE(parse_domain(std::string(63, 'a') + ".example"));
}

TEST(AdminParse, Upns) {
  EXPECT_TRUE(parse_upn("Alice.Smith@corp.example"));
  for (const char* s : {"alice", "@corp.example", "alice@", "alice@corp", "a b@corp.example",
                        "a@b@corp.example", "a\x01@corp.example"}) {
    EXPECT_FALSE(parse_upn(s)) << s;
  }
}

TEST(AdminParse, Sids) {
  EXPECT_TRUE(parse_sid("S-1-5-21-3623811015-3361044348-30300820-1013"));
  EXPECT_TRUE(parse_sid("S-1-5-18"));
  EXPECT_TRUE(parse_sid("S-1-281474976710655-0"));
  for (const char* s :
       {"S-1-5", "S-1-5-", "S-1--5-1", "s-1-5-18", "S-2-5-18", "S-1-05-18", "S-1-281474976710656-0",
        "S-1-5-4294967296", "S-1-5-18x", "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16"}) {
    EXPECT_FALSE(parse_sid(s)) << s;
  }
}

TEST(AdminParse, Aaguids) {
  auto a = parse_aaguid("cb69481e-8ff7-4039-93ec-0a2729a154a8");
  ASSERT_TRUE(a);
  EXPECT_EQ(format_aaguid(*a), "cb69481e-8ff7-4039-93ec-0a2729a154a8");
  EXPECT_EQ(parse_aaguid("CB69481E8FF7403993EC0A2729A154A8").value(), *a);
  for (const char* s :
       {"", "cb69481e", "cb69481e-8ff7-4039-93ec-0a2729a154ag",
        "cb69481e8-ff7-4039-93ec-0a2729a154a8", "CB69481E8FF7403993EC0A2729A154A"}) {
    EXPECT_FALSE(parse_aaguid(s)) << s;
  }
}

}  // namespace
}  // namespace kb::cloud::admin
