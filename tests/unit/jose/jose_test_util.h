// Helpers for the JOSE and asymmetric-crypto tests: data files under tests/data/jose and the
// openssl command-line tool as an independent peer.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/subprocess.h"

namespace kb::jose::testing {

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << p;
  return std::string((std::istreambuf_iterator<char>(in)), {});
}
inline Bytes read_bytes(const std::filesystem::path& p) {
  return to_bytes(read_text(p));
}
inline std::filesystem::path data(const std::string& name) {
  return std::filesystem::path(KB_TEST_DATA_DIR) / "jose" / name;
}
// A data file's text without its trailing newline.
inline std::string data_line(const std::string& name) {
  std::string s = read_text(data(name));
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}
inline void write_bytes(const std::filesystem::path& p, ByteView b) {
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  ASSERT_TRUE(out.good()) << p;
}

// Runs `openssl args...`; the test fails when it exits non-zero unless `expect_ok` is false.
inline RunResult openssl(const std::vector<std::string>& args, bool expect_ok = true) {
  std::vector<std::string> argv = {"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult r = run_program(argv, {});
  if (expect_ok) {
    EXPECT_EQ(r.exit_code, 0) << r.out;
  }
  return r;
}

}  // namespace kb::jose::testing
