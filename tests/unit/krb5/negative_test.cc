// Data-driven rejection tests: tests/data/der/negative.txt lists one input per DER or
// schema rule with the error it must produce and the field path that error must name.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "test_support.h"

namespace kb::krb5 {
namespace {

struct NegativeVector {
  int line = 0;
  std::string comment;
  std::string type;
  Bytes input;
  std::string error;
  std::string path;
};

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// Expands "(hex)*N" into N copies of hex.
std::string expand(const std::string& h) {
  static const std::regex rep(R"(\(([0-9a-fA-F]*)\)\*([0-9]+))");
  std::string out;
  auto begin = std::sregex_iterator(h.begin(), h.end(), rep);
  std::size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    out += h.substr(last, static_cast<std::size_t>(it->position()) - last);
    for (int i = 0; i < std::stoi((*it)[2]); ++i) out += (*it)[1];
    last = static_cast<std::size_t>(it->position() + it->length());
  }
  return out + h.substr(last);
}

std::vector<NegativeVector> load() {
  std::vector<NegativeVector> out;
  std::istringstream in(testing::read_text("der/negative.txt"));
  std::string line, comment;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    if (line[0] == '#') {
      comment = trim(line.substr(1));
      continue;
    }
    std::vector<std::string> parts;
    std::stringstream ss(line);
    std::string part;
    while (std::getline(ss, part, ':')) parts.push_back(trim(part));
    if (line.back() == ':') parts.emplace_back();
    EXPECT_EQ(parts.size(), 4u) << "negative.txt:" << n;
    if (parts.size() != 4) continue;
    auto bytes = hex_decode(expand(parts[1]));
    EXPECT_TRUE(bytes) << "negative.txt:" << n;
    out.push_back({n, comment, parts[0], bytes ? *bytes : Bytes{}, parts[2], parts[3]});
  }
  return out;
}

TEST(DerNegative, EveryVectorIsRejectedWithItsCodeAndFieldPath) {
  const auto vectors = load();
  ASSERT_GE(vectors.size(), 60u);
  for (const auto& v : vectors) {
    SCOPED_TRACE("negative.txt:" + std::to_string(v.line) + " (" + v.comment + ")");
    auto it = testing::codecs().find(v.type);
    ASSERT_NE(it, testing::codecs().end()) << "unknown type " << v.type;
    auto r = it->second(v.input);
    ASSERT_FALSE(r) << "accepted";
    der::Errc expected{};
    ASSERT_TRUE(der::errc_from_name(v.error, expected)) << v.error;
    EXPECT_TRUE(r.error().is(expected)) << r.error().to_string();
    EXPECT_EQ(r.error().path(), v.path == "-" ? "" : v.path) << r.error().to_string();
  }
}

TEST(DerNegative, CoversEveryDecoderErrorCode) {
  std::set<std::string> seen;
  for (const auto& v : load()) seen.insert(v.error);
  for (int c = 1; c <= static_cast<int>(der::Errc::kUnexpectedField); ++c) {
    const auto name = std::string(der::error_code_name(static_cast<der::Errc>(c)));
    if (name == "size_limit") continue;  // 1 MiB input: tested in der_test.cc
    EXPECT_TRUE(seen.count(name)) << "no negative vector for " << name;
  }
}

}  // namespace
}  // namespace kb::krb5
