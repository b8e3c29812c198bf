// Helpers shared by the PAC tests.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "base/bytes.h"

namespace kb::pac::testing {

// Reads tests/data/pac/<name>: hex with '#' comment lines (the vector's source).
inline Bytes load_hex(const std::string& name) {
  std::ifstream in(std::string(KB_TEST_DATA_DIR) + "/pac/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::string line, hex;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '#') continue;
    hex += line;
  }
  auto b = hex_decode(hex);
  EXPECT_TRUE(b.has_value()) << name;
  return b ? *b : Bytes{};
}

inline Bytes unhex(std::string_view s) {
  auto b = hex_decode(s);
  EXPECT_TRUE(b.has_value());
  return b ? *b : Bytes{};
}

}  // namespace kb::pac::testing
