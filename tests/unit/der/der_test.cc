#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "der/schema.h"
#include "der/walk.h"

namespace kb::der {
namespace {

Bytes hex(std::string_view s) {
  return hex_decode(s).value();
}

// A schema exercising every field kind, declared only here.
struct Inner {
  std::int32_t n = 0;
  static constexpr auto schema() { return sequence("Inner", field(0, "n", &Inner::n)); }
};

struct Sample {
  std::int32_t a = 0;
  std::optional<std::uint32_t> b;
  std::string s;
  std::vector<Inner> list;
  Raw<Inner> raw;
  std::optional<bool> flag;

  static constexpr auto schema() {
    return sequence("Sample", field(0, "a", &Sample::a), field(1, "b", &Sample::b),
                    field(2, "s", &Sample::s), field(3, "list", &Sample::list),
                    field(4, "raw", &Sample::raw), field(5, "flag", &Sample::flag))
        .application(5);
  }
};

TEST(Writer, MinimalLengthsAndNesting) {
  Writer w;
  w.constructed(tag::kSequence, [&] { w.write_tlv(tag::kOctetString, Bytes(200, 0xaa)); });
  const Bytes& b = w.bytes();
  ASSERT_EQ(b.size(), 2u + 1 + 3 + 200);
  EXPECT_EQ(hex_encode(ByteView(b).first(6)), "3081cb0481c8");
  Writer w2;
  w2.write_tlv(tag::kOctetString, Bytes(0x1234, 0));
  EXPECT_EQ(hex_encode(ByteView(w2.bytes()).first(4)), "04821234");
}

// constructed() reserves a one-octet length and widens it only when the content needs
// the long form: the boundary sizes, nested, with content written after a long element.
TEST(Writer, ConstructedLengthsAtFormBoundaries) {
  for (std::size_t n : {0u, 125u, 126u, 127u, 128u, 252u, 253u, 255u, 256u, 65535u, 65536u}) {
    Writer w;
    w.constructed(tag::kSequence, [&] {
      w.constructed(0xa0, [&] { w.write_raw(Bytes(n, 0x5a)); });
      w.write_integer(7);
    });
    const Bytes& b = w.bytes();
    const auto header_len = [](std::size_t len) -> std::size_t {
      return len < 0x80 ? 2 : len < 0x100 ? 3 : len < 0x10000 ? 4 : 5;
    };
    const std::size_t inner = header_len(n) + n;
    const std::size_t outer_content = inner + 3;  // INTEGER 7 is 02 01 07
    ASSERT_EQ(b.size(), header_len(outer_content) + outer_content) << n;
    Reader r(b);
    auto seq = r.read_element();
    ASSERT_TRUE(seq) << n;
    EXPECT_EQ(seq->tag, tag::kSequence);
    EXPECT_EQ(seq->content.size(), outer_content) << n;
    Reader body(seq->content);
    auto a0 = body.read_element();
    ASSERT_TRUE(a0) << n;
    EXPECT_EQ(a0->content.size(), n);
    EXPECT_TRUE(std::all_of(a0->content.begin(), a0->content.end(),
                            [](std::uint8_t x) { return x == 0x5a; }));
    auto i = body.read_element();
    ASSERT_TRUE(i) << n;
    EXPECT_EQ(hex_encode(i->content), "07");
    EXPECT_TRUE(body.empty()) << n;
  }
}

TEST(Writer, IntegersAreMinimalTwosComplement) {
  EXPECT_EQ(hex_encode(integer_content(0)), "00");
  EXPECT_EQ(hex_encode(integer_content(127)), "7f");
  EXPECT_EQ(hex_encode(integer_content(128)), "0080");
  EXPECT_EQ(hex_encode(integer_content(-1)), "ff");
  EXPECT_EQ(hex_encode(integer_content(-128)), "80");
  EXPECT_EQ(hex_encode(integer_content(-129)), "ff7f");
  EXPECT_EQ(hex_encode(integer_content(INT32_MIN)), "80000000");
}

TEST(Reader, ReadsElementsAndBoundsChildren) {
  Bytes in = hex("3006 0201 05 0401 61 0500");
  Reader r(in);
  Reader seq = r.read_constructed(tag::kSequence).value();
  EXPECT_EQ(seq.depth(), 1u);
  EXPECT_EQ(parse_integer(seq.read_primitive(tag::kInteger).value(), 4).value(), 5);
  EXPECT_EQ(as_chars(seq.read_primitive(tag::kOctetString).value()), "a");
  EXPECT_TRUE(seq.empty());
  EXPECT_TRUE(seq.expect_end());
  // The child reader never sees the NULL after the SEQUENCE.
  EXPECT_EQ(r.peek_tag(), tag::kNull);
  EXPECT_TRUE(r.read_primitive(tag::kInteger).error().is(Errc::kWrongTag));
}

TEST(Reader, RejectsNonDerLengths) {
  EXPECT_TRUE(Reader(hex("0480")).read_element().error().is(Errc::kIndefiniteLength));
  EXPECT_TRUE(Reader(hex("04810161")).read_element().error().is(Errc::kNonMinimalLength));
  EXPECT_TRUE(Reader(hex("0482000161")).read_element().error().is(Errc::kNonMinimalLength));
  EXPECT_TRUE(Reader(hex("040261")).read_element().error().is(Errc::kTruncated));
  EXPECT_TRUE(Reader(hex("04ff")).read_element().error().is(Errc::kBadLength));
  EXPECT_TRUE(Reader(hex("0481")).read_element().error().is(Errc::kTruncated));
  EXPECT_TRUE(Reader(hex("048101")).read_element().error().is(Errc::kNonMinimalLength));
}

TEST(Int32, DecodesSignedRangeOnly) {
  auto d = [](std::string_view h) { return decode<std::int32_t>(hex(h)); };
  EXPECT_EQ(*d("020100"), 0);
  EXPECT_EQ(*d("0201ff"), -1);
  EXPECT_TRUE(d("0204ffffffff").error().is(Errc::kNonMinimalInteger));
  EXPECT_EQ(*d("02047fffffff"), INT32_MAX);
  EXPECT_EQ(*d("020480000000"), INT32_MIN);
  EXPECT_TRUE(d("02050080000000").error().is(Errc::kIntegerOverflow));
  EXPECT_TRUE(d("0202007f").error().is(Errc::kNonMinimalInteger));
  EXPECT_EQ(hex_encode(encode(std::int32_t{-1})), "0201ff");
}

TEST(UInt32, AcceptsBothFormsAndEncodesSigned) {
  auto d = [](std::string_view h) { return decode<std::uint32_t>(hex(h)); };
  // The 5-octet positive form (RFC 4120 UInt32) and the 4-octet signed form agree.
  EXPECT_EQ(*d("02050080010001"), 0x80010001u);
  EXPECT_EQ(*d("020480010001"), 0x80010001u);
  EXPECT_EQ(*d("0201ff"), 0xffffffffu);
  EXPECT_EQ(*d("020500ffffffff"), 0xffffffffu);
  EXPECT_TRUE(d("02050100000000").error().is(Errc::kIntegerOverflow));
  EXPECT_TRUE(d("0206000080000000").error().is(Errc::kNonMinimalInteger));
  // An RODC kvno 0x80010001 goes out as 4 octets 80 01 00 01 (MS-KILE 3.1.5.8, digest D.2).
  EXPECT_EQ(hex_encode(encode(std::uint32_t{0x80010001u})), "020480010001");
  EXPECT_EQ(hex_encode(encode(std::uint32_t{0xffffffffu})), "0201ff");
  EXPECT_EQ(hex_encode(encode(std::uint32_t{0x00010002u})), "0203010002");
  EXPECT_EQ(hex_encode(encode(std::uint32_t{42})), "02012a");
}

TEST(Boolean, OnlyDerValues) {
  EXPECT_EQ(*decode<bool>(hex("0101ff")), true);
  EXPECT_EQ(*decode<bool>(hex("010100")), false);
  EXPECT_TRUE(decode<bool>(hex("010101")).error().is(Errc::kBadBoolean));
  EXPECT_EQ(hex_encode(encode(true)), "0101ff");
}

TEST(GeneralizedTime, RoundTripsKerberosTime) {
  auto t = decode<GeneralizedTime>(hex("180f31393934303631303036303331375a"));
  ASSERT_TRUE(t) << t.error().to_string();
  EXPECT_EQ(t->unix_seconds, 771228197);  // 1994-06-10T06:03:17Z
  EXPECT_EQ(format_generalized_time(*t), "19940610060317Z");
  EXPECT_EQ(format_generalized_time(GeneralizedTime{0}), "19700101000000Z");
  EXPECT_EQ(format_generalized_time(GeneralizedTime{4102444799}), "20991231235959Z");
  EXPECT_EQ(parse_generalized_time(as_bytes("20000229000000Z"))->unix_seconds, 951782400);
  EXPECT_TRUE(parse_generalized_time(as_bytes("21000229000000Z")).error().is(Errc::kBadTime));
  EXPECT_EQ(format_generalized_time(GeneralizedTime{INT64_MAX}), "99991231235959Z");
  EXPECT_EQ(GeneralizedTime::from_sys(GeneralizedTime{77}.to_sys()).unix_seconds, 77);
}

TEST(BitString, UnusedBitsRules) {
  auto b = decode<BitString>(hex("030407aabb80"));
  ASSERT_TRUE(b);
  EXPECT_EQ(b->bit_count(), 17u);
  EXPECT_EQ(hex_encode(encode(*b)), "030407aabb80");
  EXPECT_TRUE(decode<BitString>(hex("030407aabb81")).error().is(Errc::kBadBitString));
  EXPECT_TRUE(decode<BitString>(hex("030100")));
}

TEST(Schema, RoundTripWithOptionalVectorAndRaw) {
  Sample s;
  s.a = -5;
  s.b = 0x80000000u;
  s.s = "text";
  s.list = {Inner{1}, Inner{2}};
  s.raw = Raw<Inner>(Inner{300});
  Bytes enc = encode(s);
  auto back = decode<Sample>(enc);
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(back->a, -5);
  EXPECT_EQ(back->b, 0x80000000u);
  EXPECT_EQ(back->list.size(), 2u);
  EXPECT_FALSE(back->flag.has_value());
  EXPECT_EQ(back->raw.value.n, 300);
  EXPECT_EQ(hex_encode(back->raw.encoding), "3006a0040202012c");
  EXPECT_EQ(encode(*back), enc);
}

TEST(Raw, KeepsReceivedBytesEvenIfNonCanonical) {
  // kvno-style UInt32 in the 5-octet form inside Raw: re-encoding reproduces the received
  // bytes, while a fresh encoding of the same value would use the 4-octet form.
  struct Holder {
    Raw<std::uint32_t> v;
    static constexpr auto schema() { return sequence("Holder", field(0, "v", &Holder::v)); }
  };
  Bytes in = hex("3009a00702050080000001");
  auto h = decode<Holder>(in);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->v.value, 0x80000001u);
  EXPECT_EQ(encode(*h), in);
  EXPECT_EQ(encoding_of(h->v), hex("02050080000001"));
  h->v.reset_encoding();
  EXPECT_EQ(hex_encode(encode(*h)), "3008a006020480000001");
}

TEST(Schema, ErrorsCarryFieldPaths) {
  // list[1].n holds the non-minimal INTEGER 00 02.
  Bytes in =
      hex("65283026a003020101a2031b0178a311300f3005a0030201013006a00402020002"
          "a4073005a003020101");
  auto r = decode<Sample>(in);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::kNonMinimalInteger)) << r.error().to_string();
  EXPECT_EQ(r.error().path(), "Sample.list[1].n");
  EXPECT_EQ(r.error().to_string(),
            "der.non_minimal_integer at Sample.list[1].n: redundant leading octet");
}

TEST(Decode, SizeLimit) {
  Bytes big(kMaxMessageSize + 1, 0);
  auto r = decode<Inner>(big);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(Errc::kSizeLimit));
  EXPECT_EQ(r.error().path(), "Inner");
  EXPECT_TRUE(walk(big).error().is(Errc::kSizeLimit));
}

TEST(Walk, VisitsEveryElement) {
  int count = 0;
  unsigned max_depth = 0;
  auto r = walk(hex("3008 3003 020101 0401 61"), [&](const Element&, unsigned d) {
    ++count;
    max_depth = std::max(max_depth, d);
  });
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(count, 4);
  EXPECT_EQ(max_depth, 2u);
  EXPECT_TRUE(walk(hex("3003020101 00")).error().is(Errc::kTrailingBytes));
}

TEST(Errc, NamesRoundTrip) {
  Errc e{};
  ASSERT_TRUE(errc_from_name("unexpected_field", e));
  EXPECT_EQ(e, Errc::kUnexpectedField);
  EXPECT_EQ(Error(Errc::kBadTime, "x").name(), "der.bad_time");
}

}  // namespace
}  // namespace kb::der
