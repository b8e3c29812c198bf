#include <gtest/gtest.h>

#include "formats/ccache.h"
#include "formats/keytab.h"

namespace kb::formats {
namespace {

KeytabEntry entry(std::vector<std::string> comps, std::uint32_t kvno, std::int32_t enctype,
                  std::size_t keylen) {
  KeytabEntry e;
  e.components = std::move(comps);
  e.realm = "CONTOSO.TEST";
  e.name_type = e.components.size() == 2 ? 2 : 1;
  e.timestamp = 1700000000;
  e.kvno = kvno;
  e.enctype = enctype;
  Bytes k(keylen);
  for (std::size_t i = 0; i < keylen; ++i) k[i] = static_cast<std::uint8_t>(i * 7);
  e.key = SecretBytes(k);
  return e;
}

TEST(Keytab, RoundTripKeepsEveryFieldIncludingRodcKvno) {
  std::vector<KeytabEntry> in;
  in.push_back(entry({"HTTP", "web.contoso.test"}, 3, 18, 32));
  in.push_back(entry({"krbtgt", "CONTOSO.TEST"}, 0x80010002u, 18, 32));  // branch 0x8001
  in.push_back(entry({"alice"}, 300, 23, 16));
  auto bytes = encode_keytab(in);
  ASSERT_TRUE(bytes);
  auto out = parse_keytab(*bytes);
  ASSERT_TRUE(out) << out.error().to_string();
  ASSERT_EQ(out->size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*out)[i].components, in[i].components);
    EXPECT_EQ((*out)[i].realm, in[i].realm);
    EXPECT_EQ((*out)[i].name_type, in[i].name_type);
    EXPECT_EQ((*out)[i].timestamp, in[i].timestamp);
    EXPECT_EQ((*out)[i].kvno, in[i].kvno);
    EXPECT_EQ((*out)[i].enctype, in[i].enctype);
    EXPECT_TRUE((*out)[i].key == in[i].key);
  }
}

TEST(Keytab, ExactLayoutOfOneEntry) {
  std::vector<KeytabEntry> in;
  in.push_back(entry({"a"}, 0x102, 17, 2));
  auto bytes = encode_keytab(in);
  ASSERT_TRUE(bytes);
  // 0502 | len 0x26 (2+2+12+2+1+4+4+1+2+2+2+4) | ncomp 1 | realm | "a" | name_type 1 | ts | kvno8
  // 02 | etype 17 | keylen 2 | key 00 07 | kvno32 0x102
  EXPECT_EQ(hex_encode(*bytes),
            "0502"
            "00000026"
            "0001"
            "000c" +
                hex_encode(as_bytes("CONTOSO.TEST")) +
                "0001"
                "61"
                "00000001"
                "6553f100"
                "02"
                "0011"
                "0002"
                "0007"
                "00000102");
}

TEST(Keytab, HolesAreSkippedAndZeroLengthEnds) {
  std::vector<KeytabEntry> in;
  in.push_back(entry({"a"}, 1, 17, 16));
  Bytes b = *encode_keytab(in);
  Bytes with_hole = {0x05, 0x02, 0xff, 0xff, 0xff, 0xfc, 0, 0, 0, 0};  // hole of 4 bytes
  with_hole.insert(with_hole.end(), b.begin() + 2, b.end());
  with_hole.insert(with_hole.end(), {0, 0, 0, 0, 0xde, 0xad});  // end marker, then junk
  auto out = parse_keytab(with_hole);
  ASSERT_TRUE(out) << out.error().to_string();
  EXPECT_EQ(out->size(), 1u);
}

TEST(Keytab, EightBitKvnoIsUsedWhenKvno32IsAbsentOrZero) {
  std::vector<KeytabEntry> in;
  in.push_back(entry({"a"}, 5, 17, 16));
  Bytes b = *encode_keytab(in);
  Bytes no32(b.begin(), b.end() - 4);
  no32[5] = static_cast<std::uint8_t>(no32[5] - 4);  // record length low byte
  auto out = parse_keytab(no32);
  ASSERT_TRUE(out) << out.error().to_string();
  EXPECT_EQ((*out)[0].kvno, 5u);
  std::fill(b.end() - 4, b.end(), 0);
  EXPECT_EQ((*parse_keytab(b))[0].kvno, 5u);
}

TEST(Keytab, RejectsBadInput) {
  EXPECT_TRUE(parse_keytab(Bytes{}).error().is(Errc::kTruncated));
  EXPECT_TRUE(parse_keytab(Bytes{0x05, 0x01}).error().is(Errc::kBadVersion));
  // Record length beyond the file.
  EXPECT_TRUE(parse_keytab(Bytes{0x05, 0x02, 0, 0, 0, 50, 0, 1}).error().is(Errc::kTruncated));
  // The most negative length must not overflow.
  EXPECT_TRUE(parse_keytab(Bytes{0x05, 0x02, 0x80, 0, 0, 0}).error().is(Errc::kTruncated));
  // Zero components.
  auto r = parse_keytab(Bytes{0x05, 0x02, 0, 0, 0, 2, 0, 0});
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::kBadRecord));
  EXPECT_EQ(r.error().path(), "entry[0]");
  // A component length that runs past its record.
  Bytes b = *encode_keytab({});
  Bytes bad = {0x05, 0x02, 0, 0, 0, 6, 0, 1, 0, 9, 'A', 'B'};
  EXPECT_TRUE(parse_keytab(bad).error().is(Errc::kTruncated));
}

CcacheCredential credential() {
  CcacheCredential c;
  c.client = {1, "CONTOSO.TEST", {"alice"}};
  c.server = {2, "CONTOSO.TEST", {"krbtgt", "CONTOSO.TEST"}};
  c.enctype = 18;
  c.key = SecretBytes(Bytes(32, 0x42));
  c.authtime = 1700000000;
  c.starttime = 1700000000;
  c.endtime = 1700036000;
  c.renew_till = 1700604800;
  c.ticket_flags = 0x40e10000;
  c.addresses.push_back({2, {127, 0, 0, 1}});
  c.authdata.push_back({1, {1, 2, 3}});
  c.ticket = {0x61, 0x03, 0x02, 0x01, 0x05};
  return c;
}

TEST(Ccache, RoundTripKeepsEveryField) {
  Ccache in;
  in.default_principal = {1, "CONTOSO.TEST", {"alice"}};
  in.kdc_time_offset = std::make_pair(-5, 250);
  in.credentials.push_back(credential());
  in.credentials.push_back(credential());
  in.credentials[1].second_ticket = {9, 9};
  auto bytes = encode_ccache(in);
  ASSERT_TRUE(bytes);
  auto out = parse_ccache(*bytes);
  ASSERT_TRUE(out) << out.error().to_string();
  EXPECT_EQ(out->default_principal, in.default_principal);
  EXPECT_EQ(out->kdc_time_offset, in.kdc_time_offset);
  ASSERT_EQ(out->credentials.size(), 2u);
  const auto& a = out->credentials[1];
  const auto& b = in.credentials[1];
  EXPECT_EQ(a.client, b.client);
  EXPECT_EQ(a.server, b.server);
  EXPECT_EQ(a.enctype, b.enctype);
  EXPECT_TRUE(a.key == b.key);
  EXPECT_EQ(a.authtime, b.authtime);
  EXPECT_EQ(a.starttime, b.starttime);
  EXPECT_EQ(a.endtime, b.endtime);
  EXPECT_EQ(a.renew_till, b.renew_till);
  EXPECT_EQ(a.ticket_flags, b.ticket_flags);
  EXPECT_EQ(a.addresses, b.addresses);
  EXPECT_EQ(a.authdata, b.authdata);
  EXPECT_EQ(a.ticket, b.ticket);
  EXPECT_EQ(a.second_ticket, b.second_ticket);
  EXPECT_EQ(*encode_ccache(*out), *bytes);
}

TEST(Ccache, RejectsBadInput) {
  Ccache in;
  in.default_principal = {1, "R", {"u"}};
  in.credentials.push_back(credential());
  Bytes good = *encode_ccache(in);
  EXPECT_TRUE(parse_ccache(Bytes{0x05, 0x03, 0, 0}).error().is(Errc::kBadVersion));
  // Every truncation of a valid cache fails with a typed error, never a crash.
  for (std::size_t n = 0; n < good.size(); ++n) {
    auto r = parse_ccache(ByteView(good).first(n));
    if (r) {
      // Only a cut exactly after the default principal (no credentials) is valid.
      EXPECT_EQ(r->credentials.size(), 0u);
      continue;
    }
    EXPECT_TRUE(r.error().is(Errc::kTruncated) || r.error().is(Errc::kTooLarge))
        << n << ": " << r.error().to_string();
  }
  // A component count of 2^32-1 is refused before anything is allocated.
  Bytes huge = {0x05, 0x04, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff};
  EXPECT_TRUE(parse_ccache(huge).error().is(Errc::kTooLarge));
  // Header field longer than the header.
  Bytes hdr = {0x05, 0x04, 0, 4, 0, 1, 0, 8};
  EXPECT_TRUE(parse_ccache(hdr).error().is(Errc::kTruncated));
}

}  // namespace
}  // namespace kb::formats
