#include <gtest/gtest.h>

#include "base/base64.h"
#include "base/error.h"
#include "base/json.h"

namespace kb {
namespace {

// RFC 4648 section 10 test vectors.
TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> v[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (auto [plain, enc] : v) {
    EXPECT_EQ(base64_encode(as_bytes(plain)), enc);
    auto d = base64_decode(enc);
    ASSERT_TRUE(d) << enc;
    EXPECT_EQ(as_chars(*d), plain);
  }
}

TEST(Base64, StrictDecodingRejectsNonCanonicalInput) {
  for (const char* bad :
       {"Zg=", "Zg", "Zh==", "Zm9v\n", "Zm 9", "Z===", "Zm9v====", "-_==", "Zg==Zg=="}) {
    auto d = base64_decode(bad);
    ASSERT_FALSE(d) << bad;
    EXPECT_TRUE(d.error().is(BaseErrc::kBadBase64)) << bad;
  }
}

TEST(Base64Url, RoundTripsAllByteValuesWithoutPadding) {
  Bytes all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<std::uint8_t>(i));
  for (std::size_t n = 0; n <= all.size(); n += 7) {
    const ByteView part(all.data(), n);
    const std::string enc = base64url_encode(part);
    EXPECT_EQ(enc.find_first_of("+/="), std::string::npos);
    auto d = base64url_decode(enc);
    ASSERT_TRUE(d);
    EXPECT_EQ(*d, to_bytes(part));
  }
}

TEST(Base64Url, RejectsPaddingStandardAlphabetAndImpossibleLengths) {
  for (const char* bad : {"Zg==", "a+b/", "A", "AAAAA", "Zh"}) {
    EXPECT_FALSE(base64url_decode(bad)) << bad;
  }
  EXPECT_TRUE(base64url_decode("Zg"));
}

TEST(Json, ParsesAnObjectAndReadsTypedMembers) {
  auto o = json::parse_object(R"({"s":"x","i":-5,"b":true,"o":{},"a":[1]})");
  ASSERT_TRUE(o);
  EXPECT_EQ(*json::get_string(*o, "s"), "x");
  EXPECT_EQ(*json::get_int(*o, "i"), -5);
  EXPECT_TRUE(*json::get_bool(*o, "b"));
  EXPECT_TRUE(json::get_object(*o, "o"));
  EXPECT_EQ((*json::get_array(*o, "a"))->size(), 1u);
  EXPECT_FALSE(json::get_string(*o, "i"));
  EXPECT_FALSE(json::get_int(*o, "missing"));
  EXPECT_EQ(json::get_optional_string(*o, "i"), std::nullopt);
}

TEST(Json, RejectsMalformedTrailingDeepAndOversizedText) {
  for (const char* bad : {"{", "{\"a\":1,}", "{} x", "// c\n{}", "\"\xff\"", "[01]", ""}) {
    auto v = json::parse(bad);
    ASSERT_FALSE(v) << bad;
    EXPECT_TRUE(v.error().is(BaseErrc::kBadJson)) << bad;
  }
  EXPECT_FALSE(json::parse(std::string(40, '[') + std::string(40, ']')));
  EXPECT_TRUE(json::parse(std::string(20, '[') + std::string(20, ']')));
  auto big = json::parse("[" + std::string(100, ' ') + "]", {.max_bytes = 50, .max_depth = 4});
  ASSERT_FALSE(big);
  EXPECT_TRUE(big.error().is(BaseErrc::kTooLarge));
  EXPECT_FALSE(json::parse_object("[]"));
}

}  // namespace
}  // namespace kb

namespace kb {
namespace {

TEST(Json, NumbersThatOverflowToInfinityAreRefused) {
  EXPECT_FALSE(json::parse("[1e400]"));
  EXPECT_FALSE(json::parse(R"({"a":{"b":[-1e999]}})"));
  EXPECT_TRUE(json::parse("[1e300]"));
}

}  // namespace
}  // namespace kb
