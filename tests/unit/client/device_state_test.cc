// The device state file: round trip, encryption at rest, strict reading, permissions and
// atomic replacement.
#include "client/device_state.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "base/json.h"
#include "base/subprocess.h"
#include "crypto/crypto.h"

namespace kb::client {
namespace {

namespace fs = std::filesystem;

DeviceState sample() {
  DeviceState s;
  s.device_id = "0f3c1c2e-7d1b-4c55-9a1e-2d0c8a6f9b10";
  s.tenant = "contoso";
  s.cloud_url = "https://127.0.0.1:8443";
  s.device_key = std::move(*crypto::PrivateKey::generate_rsa(2048));
  s.transport_key = std::move(*crypto::PrivateKey::generate_ec_p256());
  s.device_certificate = Bytes{0x30, 0x03, 0x02, 0x01, 0x01};
  s.prt = SecretString("prt-opaque-token-value");
  s.session_key = SecretBytes(Bytes(32, 0x5a));
  s.prt_expiry = SysTime(std::chrono::seconds(1800000000));
  s.credential_id = Bytes{1, 2, 3, 4};
  s.credential_public_key = Bytes{0xa5, 0x01, 0x02};
  s.sign_count = 41;
  s.full_tgt_expiry = SysTime(std::chrono::seconds(1800003600));
  s.dcs_answered = {"127.0.0.1:8888"};
  s.nt_hash = SecretBytes(Bytes(16, 0x11));
  return s;
}

class DeviceStateTest : public ::testing::Test {
 protected:
  TempDir dir_;
  fs::path path_ = dir_.path() / "device.json";
  crypto::SystemRng rng_;
};

TEST_F(DeviceStateTest, RoundTripsEveryMember) {
  DeviceState s = sample();
  ASSERT_TRUE(save_device_state(path_, s, rng_));
  auto r = load_device_state(path_);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->device_id, s.device_id);
  EXPECT_EQ(r->tenant, "contoso");
  EXPECT_EQ(r->cloud_url, s.cloud_url);
  EXPECT_EQ(*r->device_key.to_pkcs8_der(), *s.device_key.to_pkcs8_der());
  EXPECT_EQ(*r->transport_key.to_pkcs8_der(), *s.transport_key.to_pkcs8_der());
  EXPECT_EQ(r->device_certificate, s.device_certificate);
  ASSERT_TRUE(r->prt);
  EXPECT_EQ(r->prt->reveal(), "prt-opaque-token-value");
  EXPECT_EQ(*r->session_key, *s.session_key);
  EXPECT_EQ(r->prt_expiry, s.prt_expiry);
  EXPECT_EQ(r->credential_id, s.credential_id);
  EXPECT_EQ(r->credential_public_key, s.credential_public_key);
  EXPECT_EQ(r->sign_count, 41u);
  EXPECT_FALSE(r->partial_tgt_expiry);
  EXPECT_EQ(r->full_tgt_expiry, s.full_tgt_expiry);
  EXPECT_EQ(r->dcs_answered, s.dcs_answered);
  EXPECT_EQ(*r->nt_hash, *s.nt_hash);
}

TEST_F(DeviceStateTest, FilesAreOwnerOnlyAndSecretsNotInClear) {
  ASSERT_TRUE(save_device_state(path_, sample(), rng_));
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(device_key_path(path_).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(path_);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text.find("prt-opaque-token-value"), std::string::npos);
  EXPECT_EQ(text.find(hex_encode(Bytes(16, 0x11))), std::string::npos);
  EXPECT_NE(text.find("\"device_id\""), std::string::npos);
  // No temporary files are left beside it.
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_.path())) ++entries;
  EXPECT_EQ(entries, 2);
}

TEST_F(DeviceStateTest, GroupOrWorldReadableFilesAreRefused) {
  ASSERT_TRUE(save_device_state(path_, sample(), rng_));
  ::chmod(path_.c_str(), 0640);
  auto r = load_device_state(path_);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(DeviceStateErrc::kPermissions)) << r.error().to_string();
  ::chmod(path_.c_str(), 0600);
  ::chmod(device_key_path(path_).c_str(), 0604);
  auto k = load_device_state(path_);
  ASSERT_FALSE(k);
  EXPECT_TRUE(k.error().is(DeviceStateErrc::kPermissions)) << k.error().to_string();
  ::chmod(device_key_path(path_).c_str(), 0600);
  EXPECT_TRUE(load_device_state(path_));
}

TEST_F(DeviceStateTest, MissingFileAndMissingKey) {
  auto r = load_device_state(path_);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(DeviceStateErrc::kMissing));
  ASSERT_TRUE(save_device_state(path_, sample(), rng_));
  fs::remove(device_key_path(path_));
  auto k = load_device_state(path_);
  ASSERT_FALSE(k);
  EXPECT_TRUE(k.error().is(DeviceStateErrc::kMissing));
}

TEST_F(DeviceStateTest, SaveReplacesTheWholeFile) {
  DeviceState s = sample();
  ASSERT_TRUE(save_device_state(path_, s, rng_));
  s.sign_count = 42;
  s.nt_hash.reset();
  ASSERT_TRUE(save_device_state(path_, s, rng_));
  auto r = load_device_state(path_);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->sign_count, 42u);
  EXPECT_FALSE(r->nt_hash);
}

class DeviceStateCodec : public ::testing::Test {
 protected:
  crypto::SystemRng rng_;
  crypto::MasterKey key_ = crypto::MasterKey::generate(rng_);
  std::string encoded() {
    auto b = encode_device_state(sample(), key_, rng_);
    EXPECT_TRUE(b);
    return std::string(as_chars(*b));
  }
  Result<DeviceState> decode(const std::string& text) {
    return decode_device_state(as_bytes(text), key_);
  }
  // Replaces the first occurrence of `from` (which must exist).
  static std::string edit(std::string text, const std::string& from, const std::string& to) {
    auto pos = text.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    if (pos != std::string::npos) text.replace(pos, from.size(), to);
    return text;
  }
};

TEST_F(DeviceStateCodec, AnotherFileKeyDoesNotOpenIt) {
  std::string text = encoded();
  auto other = crypto::MasterKey::generate(rng_);
  auto r = decode_device_state(as_bytes(text), other);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(DeviceStateErrc::kIntegrity));
}

TEST_F(DeviceStateCodec, SecretsAreBoundToMemberAndDevice) {
  std::string text = encoded();
  // Changing the device id invalidates every secret's binding.
  auto r = decode(edit(text, "0f3c1c2e", "0f3c1c2f"));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(DeviceStateErrc::kIntegrity));
  // Moving the session-key blob into nt_hash's place does not open.
  auto obj = json::parse_object(text);
  ASSERT_TRUE(obj);
  (*obj)["nt_hash"] = (*obj)["session_key"];
  auto swapped = decode(json::serialize(*obj));
  ASSERT_FALSE(swapped);
  EXPECT_TRUE(swapped.error().is(DeviceStateErrc::kIntegrity));
}

TEST_F(DeviceStateCodec, StrictShapeIsEnforced) {
  std::string text = encoded();
  ASSERT_TRUE(decode(text));
  auto expect = [&](const std::string& t, DeviceStateErrc want) {
    auto r = decode(t);
    ASSERT_FALSE(r) << t.substr(0, 80);
    EXPECT_TRUE(r.error().is(want)) << r.error().to_string();
  };
  expect(edit(text, "\"version\":1", "\"version\":2"), DeviceStateErrc::kVersion);
  expect(edit(text, "\"version\":1", "\"version\":\"1\""), DeviceStateErrc::kBadFile);
  expect(edit(text, "{", "{\"extra\":1,"), DeviceStateErrc::kBadFile);
  expect(edit(text, "\"sign_count\":41", "\"sign_count\":-1"), DeviceStateErrc::kBadFile);
  expect(edit(text, "\"sign_count\":41", "\"sign_count\":4294967296"), DeviceStateErrc::kBadFile);
  expect(edit(text, "\"prt_expiry\":1800000000", "\"prt_expiry\":-5"), DeviceStateErrc::kBadFile);
  expect(edit(text, "\"tenant\":\"contoso\"", "\"tenant\":7"), DeviceStateErrc::kBadFile);
  expect(edit(text, "\"credential_id\":\"", "\"credential_id\":\"!"), DeviceStateErrc::kBadFile);
  expect(edit(text, "\"dcs_answered\":[", "\"dcs_answered\":[1,"), DeviceStateErrc::kBadFile);
  expect("[]", DeviceStateErrc::kBadFile);
  expect("{\"version\":1}", DeviceStateErrc::kBadFile);
  expect(std::string(kMaxDeviceStateFile + 1, ' '), DeviceStateErrc::kBadFile);
  // Nesting beyond the file's shape.
  expect(edit(text, "\"dcs_answered\":[", "\"dcs_answered\":[[[[["), DeviceStateErrc::kBadFile);
}

TEST_F(DeviceStateCodec, EmptyDeviceIdIsRefusedBothWays) {
  DeviceState s = sample();
  s.device_id.clear();
  EXPECT_FALSE(encode_device_state(s, key_, rng_));
  auto r = decode(edit(encoded(), "\"device_id\":\"0f3c1c2e-7d1b-4c55-9a1e-2d0c8a6f9b10\"",
                       "\"device_id\":\"\""));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(DeviceStateErrc::kBadFile));
}

}  // namespace
}  // namespace kb::client
