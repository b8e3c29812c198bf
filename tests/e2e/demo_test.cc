// `keybridge demo` (what `make demo` runs) end to end: it must succeed on this machine, show
// the full TGT through MIT klist, a service ticket through kvno, the GSSAPI service accepting
// alice, the Administrator refused, and leave no process or directory behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "process.h"

namespace {

using kb::testing::run;

TEST(KeybridgeDemo, RunsTheWholeFlowAndCleansUp) {
  const auto r = run({KB_KEYBRIDGE_BIN, "demo"}, {{"LC_ALL", "C"}}, "", 300);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const std::string& o = r.out;
  // MIT klist shows a TGT for alice issued by our DC (the trade's result, not the partial).
  EXPECT_NE(o.find("Default principal: alice@CONTOSO.TEST"), std::string::npos) << o;
  EXPECT_TRUE(std::regex_search(o, std::regex(R"(krbtgt/CONTOSO\.TEST@CONTOSO\.TEST)"))) << o;
  // kvno's answer and gss-server's log.
  EXPECT_NE(o.find("HTTP/web.contoso.test@CONTOSO.TEST: kvno = "), std::string::npos) << o;
  EXPECT_NE(o.find("Signature verified"), std::string::npos) << o;
  // The Administrator's sign-in is refused by the DC's policy.
  EXPECT_NE(o.find("refused, as it should be"), std::string::npos) << o;
  // The temporary directory is gone.
  const auto at = o.find("All steps succeeded. Removing ");
  ASSERT_NE(at, std::string::npos) << o;
  const auto start = at + std::string("All steps succeeded. Removing ").size();
  std::string dir = o.substr(start, o.find('\n', start) - start);
  if (!dir.empty() && dir.back() == '.') dir.pop_back();
  EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
}

}  // namespace
