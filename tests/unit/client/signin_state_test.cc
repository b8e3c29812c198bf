// The members `keybridge signin` added to the device state file (client/device_state.h):
// round trip, older files without them, types, sizes, and the binding of the secret ones.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <iterator>

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

// ---------------------------------------------------------------- the key binding's members

DeviceState bound_state() {
  DeviceState s;
  s.device_id = "dev-1";
  s.device_key = *crypto::PrivateKey::generate_ec_p256();
  s.transport_key = *crypto::PrivateKey::generate_ec_p256();
  s.hmac_salt = Bytes(32, 0x5a);
  s.key_binding = KeyBinding{Bytes(16, 1), Bytes(32, 2), Bytes(1 + 12 + 32 + 16, 3)};
  s.full_tgt_sealed = SecretBytes(Bytes(200, 4));
  return s;
}

TEST(SigninState, KeyBindingRoundTripsAndTheSealedTgtIsASecretMember) {
  crypto::SystemRng rng;
  const auto key = crypto::MasterKey::generate(rng);
  DeviceState s = bound_state();
  const Bytes file = *encode_device_state(s, key, rng);
  EXPECT_EQ(as_chars(file).find(base64_encode(Bytes(200, 4))), std::string::npos);
  auto back = decode_device_state(file, key);
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(back->hmac_salt, s.hmac_salt);
  ASSERT_TRUE(back->key_binding && back->full_tgt_sealed);
  EXPECT_EQ(back->key_binding->credential_id, s.key_binding->credential_id);
  EXPECT_EQ(back->key_binding->seal_public_key, s.key_binding->seal_public_key);
  EXPECT_EQ(back->key_binding->wrapped_private_key, s.key_binding->wrapped_private_key);
  EXPECT_EQ(*back->full_tgt_sealed, *s.full_tgt_sealed);
  EXPECT_FALSE(back->full_tgt);
  // A salt alone (a key without hmac-secret signed in) reads too.
  DeviceState salt_only = bound_state();
  salt_only.key_binding.reset();
  salt_only.full_tgt_sealed.reset();
  auto so = decode_device_state(*encode_device_state(salt_only, key, rng), key);
  ASSERT_TRUE(so) << so.error().to_string();
  EXPECT_FALSE(so->key_binding);
  // The encoder refuses an inconsistent state rather than write it.
  DeviceState both = bound_state();
  both.full_tgt = SecretBytes(Bytes(5, 1));
  EXPECT_FALSE(encode_device_state(both, key, rng));
  DeviceState unbound = bound_state();
  unbound.key_binding.reset();
  EXPECT_FALSE(encode_device_state(unbound, key, rng));
}

TEST(SigninState, KeyBindingMembersAreStrict) {
  crypto::SystemRng rng;
  const auto key = crypto::MasterKey::generate(rng);
  DeviceState s = bound_state();
  auto obj = *json::parse_object(as_chars(*encode_device_state(s, key, rng)));
  auto decode = [&](const bj::object& o) {
    return decode_device_state(as_bytes(json::serialize(o)), key);
  };
  ASSERT_TRUE(decode(obj));
  auto expect_bad = [&](const bj::object& o, const char* what) {
    auto r = decode(o);
    ASSERT_FALSE(r) << what;
    EXPECT_TRUE(r.error().is(DeviceStateErrc::kBadFile)) << what << ": " << r.error().to_string();
  };
  auto with = [&](const std::string& member, bj::value v) {
    bj::object o = obj;
    o[member] = std::move(v);
    return o;
  };
  auto without = [&](std::initializer_list<const char*> members) {
    bj::object o = obj;
    for (const char* m : members) o.erase(m);
    return o;
  };
  expect_bad(with("hmac_salt", bj::string(base64_encode(Bytes(31, 1)))), "short salt");
  expect_bad(with("hmac_salt", 5), "salt not a string");
  expect_bad(with("binding_public_key", bj::string(base64_encode(Bytes(33, 1)))),
             "public key size");
  expect_bad(with("binding_private_key", bj::string(base64_encode(Bytes(60, 1)))),
             "wrapped key size");
  expect_bad(with("binding_credential_id", ""), "empty credential id");
  expect_bad(without({"binding_public_key"}), "incomplete binding");
  expect_bad(without({"hmac_salt"}), "binding without salt");
  expect_bad(without({"binding_credential_id", "binding_public_key", "binding_private_key"}),
             "sealed TGT without binding");
  // A clear full_tgt beside the sealed one (someone downgrading the file) is refused.
  DeviceState clear = bound_state();
  clear.key_binding.reset();
  clear.full_tgt_sealed.reset();
  clear.full_tgt = SecretBytes(Bytes(10, 1));
  auto clear_obj = *json::parse_object(as_chars(*encode_device_state(clear, key, rng)));
  expect_bad(with("full_tgt", clear_obj.at("full_tgt")), "full_tgt beside sealed");
  // The sealed TGT's blob is bound to its member name like the other secrets.
  bj::object swapped = with("partial_tgt", obj.at("full_tgt_sealed"));
  auto r = decode(swapped);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is(DeviceStateErrc::kIntegrity));
}

// The fuzz seeds with the binding members (tests/fuzz/corpus/device_state, file key 32 x 0x42)
// are files the reader accepts, so the fuzzer starts past the member checks.
TEST(SigninState, KeyBindingFuzzSeedsRead) {
  const auto key = crypto::MasterKey::from_bytes(Bytes(32, 0x42));
  ASSERT_TRUE(key);
  for (const char* name : {"key_binding", "salt_only"}) {
    std::ifstream in(std::string(KB_SOURCE_DIR) + "/tests/fuzz/corpus/device_state/" + name,
                     std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    ASSERT_FALSE(text.empty()) << name;
    auto s = decode_device_state(as_bytes(text), *key);
    ASSERT_TRUE(s) << name << ": " << s.error().to_string();
    EXPECT_EQ(s->hmac_salt.size(), 32u);
    EXPECT_EQ(s->key_binding.has_value(), std::string(name) == "key_binding");
    EXPECT_EQ(s->full_tgt_sealed.has_value(), std::string(name) == "key_binding");
  }
}

}  // namespace
}  // namespace kb::client
