// Helpers shared by the crypto tests: vector files and a deterministic Rng.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"

namespace kb::crypto::testing {

using Row = std::vector<std::string>;

// Non-comment, non-blank lines of tests/data/crypto/<name>, split on whitespace.
inline std::vector<Row> read_vectors(const std::string& name) {
  std::ifstream in(std::string(KB_TEST_DATA_DIR) + "/crypto/" + name);
  EXPECT_TRUE(in) << "cannot open " << name;
  std::vector<Row> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    Row r;
    for (std::string w; ls >> w;) r.push_back(w);
    if (!r.empty()) rows.push_back(std::move(r));
  }
  return rows;
}

// Hex field; "-" is the empty string.
inline Bytes hex(const std::string& s) {
  if (s == "-") return {};
  auto r = hex_decode(s);
  EXPECT_TRUE(r) << "bad hex in vector file: " << s;
  return r ? *r : Bytes{};
}

inline std::string str(const Bytes& b) {
  return std::string(b.begin(), b.end());
}

// Returns the queued bytes in order (the confounders of known-answer vectors), then
// a counter pattern.
class FixedRng final : public Rng {
 public:
  FixedRng() = default;
  explicit FixedRng(Bytes b) : queue_(std::move(b)) {}
  void fill(MutableByteView out) override {
    for (auto& o : out) {
      o = pos_ < queue_.size() ? queue_[pos_] : static_cast<std::uint8_t>(pos_ * 7 + 1);
      ++pos_;
    }
  }

 private:
  Bytes queue_;
  std::size_t pos_ = 0;
};

}  // namespace kb::crypto::testing
