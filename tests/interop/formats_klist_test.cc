// MIT klist (krb5-user) must read the keytab and FILE ccache files we write, with every
// field as we meant it: principal, kvno (including an RODC kvno above 2^31, which MIT
// prints as a signed number), enctype, key, times and flags.
#include <gtest/gtest.h>

#include "formats/ccache.h"
#include "formats/keytab.h"
#include "process.h"

namespace kb::formats {
namespace {

using kb::testing::run;
using kb::testing::TempDir;

std::map<std::string, std::string> mit_env(const TempDir& dir) {
  std::string conf = (dir.path() / "krb5.conf").string();
  if (!std::filesystem::exists(conf)) {
    auto r = write_private_file(conf, as_bytes("[libdefaults]\n default_realm = CONTOSO.TEST\n"));
    EXPECT_TRUE(r);
  }
  return {{"KRB5_CONFIG", conf}, {"TZ", "UTC"}, {"LC_ALL", "C"}};
}

TEST(KlistReads, OurKeytabWithRodcKvno) {
  ASSERT_FALSE(kb::testing::find_program("klist").empty()) << "klist (krb5-user) is missing";
  TempDir dir;
  std::vector<KeytabEntry> entries;
  KeytabEntry e;
  e.components = {"HTTP", "web.contoso.test"};
  e.realm = "CONTOSO.TEST";
  e.name_type = 3;
  e.timestamp = 1700000000;
  e.kvno = 0x80010002u;  // branch 0x8001, version 2
  e.enctype = 18;
  e.key = SecretBytes(Bytes(32, 0xab));
  entries.push_back(std::move(e));
  KeytabEntry a;
  a.components = {"alice"};
  a.realm = "CONTOSO.TEST";
  a.kvno = 7;
  a.enctype = 23;
  a.key = SecretBytes(Bytes(16, 0x01));
  entries.push_back(std::move(a));
  auto path = dir.path() / "test.keytab";
  ASSERT_TRUE(write_private_file(path, *encode_keytab(entries)));
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  auto r = run({"klist", "-k", "-t", "-e", "-K", path.string()}, mit_env(dir));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::string key_hex;
  for (int i = 0; i < 32; ++i) key_hex += "ab";
  EXPECT_NE(r.out.find("-2147418110 11/14/23 22:13:20 HTTP/web.contoso.test@CONTOSO.TEST "
                       "(aes256-cts-hmac-sha1-96)  (0x" +
                       key_hex + ")"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("   7 "), std::string::npos) << r.out;
  EXPECT_NE(
      r.out.find(
          "alice@CONTOSO.TEST (DEPRECATED:arcfour-hmac)  (0x01010101010101010101010101010101)"),
      std::string::npos)
      << r.out;
}

TEST(KlistReads, OurCcacheWithFlagsAndTimes) {
  ASSERT_FALSE(kb::testing::find_program("klist").empty()) << "klist (krb5-user) is missing";
  TempDir dir;
  Ccache c;
  c.default_principal = {1, "CONTOSO.TEST", {"alice"}};
  CcacheCredential cr;
  cr.client = c.default_principal;
  cr.server = {2, "CONTOSO.TEST", {"krbtgt", "CONTOSO.TEST"}};
  cr.enctype = 18;
  cr.key = SecretBytes(Bytes(32, 1));
  cr.authtime = 1700000000;
  cr.starttime = 1700000000;
  cr.endtime = 2000000000;
  cr.renew_till = 2000003600;
  cr.ticket_flags = 0x40e00000;  // forwardable, renewable, initial, pre-authent
  cr.ticket = {0x61, 0x03, 0x02, 0x01, 0x05};
  c.credentials.push_back(std::move(cr));
  auto path = dir.path() / "ccache";
  ASSERT_TRUE(write_private_file(path, *encode_ccache(c)));

  auto r = run({"klist", "-f", "-c", "FILE:" + path.string()}, mit_env(dir));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("Default principal: alice@CONTOSO.TEST"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("11/14/23 22:13:20  05/18/33 03:33:20  krbtgt/CONTOSO.TEST@CONTOSO.TEST"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("renew until 05/18/33 04:33:20, Flags: FRIA"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace kb::formats
