// The members `keybridge signin` added to the device state file (client/device_state.h):
// round trip, older files without them, types, sizes, and the binding of the secret ones.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "base/base64.h"
#include "base/json.h"
#include "client/device_state.h"
#include "crypto/crypto.h"

namespace kb::client {
namespace {

namespace bj = boost::json;

const std::string kTenant = "aaaaaaaa-1111-4111-8111-111111111111";
const std::string kAlice = "alice@contoso.test";

// ---------------------------------------------------------------- the state's new members

TEST(SigninState, SigninMembersRoundTripAndOlderFilesStillRead) {
  crypto::SystemRng rng;
  const auto key = crypto::MasterKey::generate(rng);
  DeviceState s;
  s.device_id = "dev-1";
  s.tenant = kTenant;
  s.cloud_url = "https://localhost";
  s.device_key = *crypto::PrivateKey::generate_ec_p256();
  s.transport_key = *crypto::PrivateKey::generate_ec_p256();
  const Bytes plain = *encode_device_state(s, key, rng);
  // A file without the sign-in members (as older versions wrote) reads, with them empty.
  auto old = decode_device_state(plain, key);
  ASSERT_TRUE(old) << old.error().to_string();
  EXPECT_TRUE(old->user.empty() && old->rp_id.empty() && !old->key_list && !old->full_tgt);
  EXPECT_EQ(as_chars(plain).find("full_tgt"), std::string::npos);
  s.user = kAlice;
  s.realm = "CONTOSO.TEST";
  s.rp_id = "localhost";
  s.origin = "https://localhost";
  s.key_list = true;
  s.full_tgt = SecretBytes(Bytes(100, 0xf1));
  s.partial_tgt = SecretBytes(Bytes(90, 0xa7));
  const Bytes full = *encode_device_state(s, key, rng);
  // The cached tickets are secrets: not in clear.
  EXPECT_EQ(as_chars(full).find(base64_encode(Bytes(100, 0xf1))), std::string::npos);
  auto back = decode_device_state(full, key);
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(back->user, kAlice);
  EXPECT_EQ(back->realm, "CONTOSO.TEST");
  EXPECT_EQ(back->rp_id, "localhost");
  EXPECT_EQ(back->origin, "https://localhost");
  EXPECT_TRUE(back->key_list);
  ASSERT_TRUE(back->full_tgt && back->partial_tgt);
  EXPECT_EQ(*back->full_tgt, SecretBytes(Bytes(100, 0xf1)));
  EXPECT_EQ(*back->partial_tgt, SecretBytes(Bytes(90, 0xa7)));
}

TEST(SigninState, SigninMembersAreCheckedLikeTheOthers) {
  crypto::SystemRng rng;
  const auto key = crypto::MasterKey::generate(rng);
  DeviceState s;
  s.device_id = "dev-1";
  s.device_key = *crypto::PrivateKey::generate_ec_p256();
  s.transport_key = *crypto::PrivateKey::generate_ec_p256();
  s.user = kAlice;
  s.key_list = true;
  s.full_tgt = SecretBytes(Bytes(10, 1));
  auto obj = *json::parse_object(as_chars(*encode_device_state(s, key, rng)));
  auto decode = [&](const bj::object& o) {
    return decode_device_state(as_bytes(json::serialize(o)), key);
  };
  ASSERT_TRUE(decode(obj));
  auto expect = [&](const std::string& member, bj::value v, DeviceStateErrc want) {
    bj::object o = obj;
    o[member] = std::move(v);
    auto r = decode(o);
    ASSERT_FALSE(r) << member;
    EXPECT_TRUE(r.error().is(want)) << member << ": " << r.error().to_string();
  };
  expect("key_list", "yes", DeviceStateErrc::kBadFile);
  expect("user", 7, DeviceStateErrc::kBadFile);
  expect("rp_id", bj::string(std::string(3000, 'a')), DeviceStateErrc::kBadFile);
  // The full TGT's blob does not open as the partial one, nor under the PRT's name.
  expect("partial_tgt", obj.at("full_tgt"), DeviceStateErrc::kIntegrity);
  expect("full_tgt", "!!", DeviceStateErrc::kBadFile);
  // An oversized cached ticket (over 32 KiB) is refused.
  s.full_tgt = SecretBytes(Bytes(40 * 1024, 1));
  auto big = decode_device_state(*encode_device_state(s, key, rng), key);
  ASSERT_FALSE(big);
  EXPECT_TRUE(big.error().is(DeviceStateErrc::kBadFile));
}

}  // namespace
}  // namespace kb::client
