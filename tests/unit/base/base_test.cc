#include <gtest/gtest.h>

#include <sstream>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secret.h"

namespace kb {
namespace {

Result<int> parse_digit(char c) {
  if (c < '0' || c > '9') return Error(BaseErrc::kInvalidArgument, "not a digit");
  return c - '0';
}

Result<int> sum_digits(std::string_view s) {
  int total = 0;
  for (char c : s) total += KB_TRY_CTX(parse_digit(c), "digit");
  return total;
}

TEST(Result, PropagatesValueAndErrorWithPath) {
  auto good = sum_digits("123");
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, 6);
  auto bad = sum_digits("1x3");
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().is(BaseErrc::kInvalidArgument));
  EXPECT_EQ(bad.error().path(), "digit");
  EXPECT_EQ(bad.error().to_string(), "base.invalid_argument at digit: not a digit");
}

TEST(Error, ContextBuildsDottedPath) {
  Error e(BaseErrc::kIo, "x");
  e.add_context("till").add_context("req-body").add_context("AS-REQ");
  EXPECT_EQ(e.path(), "AS-REQ.req-body.till");
}

TEST(Hex, RoundTripAndRejectsBadInput) {
  Bytes b = {0x00, 0xab, 0xff};
  EXPECT_EQ(hex_encode(b), "00abff");
  EXPECT_EQ(*hex_decode("00 AB ff"), b);
  EXPECT_TRUE(hex_decode("abc").error().is(BaseErrc::kBadHex));
  EXPECT_TRUE(hex_decode("zz").error().is(BaseErrc::kBadHex));
}

TEST(Secret, NeverPrintsItsBytes) {
  SecretBytes s(as_bytes("hunter2"));
  std::ostringstream os;
  os << s;
  EXPECT_EQ(os.str(), "<secret:7 bytes>");
  SecretString p("correct horse");
  EXPECT_EQ(to_string(p), "<secret:13 bytes>");
}

TEST(Secret, MoveLeavesSourceEmptyAndComparesByContent) {
  SecretBytes a(as_bytes("key"));
  SecretBytes b = std::move(a);
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): the contract under test
  EXPECT_EQ(b.size(), 3u);
  EXPECT_TRUE(b == SecretBytes(as_bytes("key")));
  EXPECT_FALSE(b == SecretBytes(as_bytes("kez")));
  EXPECT_FALSE(b == SecretBytes(as_bytes("keys")));
}

TEST(Secret, AdoptWipesTheSource) {
  Bytes raw = {1, 2, 3};
  SecretBytes s = SecretBytes::adopt(std::move(raw));
  EXPECT_TRUE(raw.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(s.size(), 3u);
  s.truncate(1);
  EXPECT_EQ(s.size(), 1u);
}

TEST(ConstantTimeEqual, DifferentLengthsAreUnequal) {
  EXPECT_TRUE(constant_time_equal(as_bytes("ab"), as_bytes("ab")));
  EXPECT_FALSE(constant_time_equal(as_bytes("ab"), as_bytes("abc")));
}

}  // namespace
}  // namespace kb
