// clientPIN through libfido2 against the simulated key: wrong PIN with retries counting
// down, three in a row, PIN blocked, PIN required, no PIN set.
#include <fido.h>

#include <algorithm>

#include "fido2_fixture.h"

namespace kb::client::testing {
namespace {

using webauthn::Requirement;
using E = AuthenticatorErrc;

bool has(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

TEST_F(Fido2Fixture, WrongPinSaysHowManyTriesAreLeft) {
  Fido2Authenticator a = start_ok(with_pin());
  auto r = a.make_credential(raw_make(&wrong_));
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(E::kPinInvalid)) << r.error().to_string();
  EXPECT_TRUE(has(r.error().detail(), "wrong PIN, 7 tries left")) << r.error().detail();
  EXPECT_EQ(device_->pin_retries(), 7);
  auto r2 = a.make_credential(raw_make(&wrong_));
  ASSERT_FALSE(r2.has_value());
  EXPECT_TRUE(has(r2.error().detail(), "wrong PIN, 6 tries left")) << r2.error().detail();
  EXPECT_EQ(device_->pin_retries(), 6);
  // The right PIN restores the counter (CTAP 2.1 6.5.5.7.1).
  auto ok = a.make_credential(raw_make(&pin_));
  ASSERT_TRUE(ok.has_value()) << ok.error().to_string();
  EXPECT_EQ(device_->pin_retries(), 8);
}

TEST_F(Fido2Fixture, ThreeWrongPinsInARowAskForReinsertion) {
  Fido2Authenticator a = start_ok(with_pin());
  for (int i = 0; i < 2; ++i) EXPECT_AUTH_ERR(a.make_credential(raw_make(&wrong_)), E::kPinInvalid);
  auto r = a.make_credential(raw_make(&wrong_));
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(E::kPinBlocked)) << r.error().to_string();
  EXPECT_TRUE(has(r.error().detail(), "re-insert")) << r.error().detail();
  // Even the right PIN is refused until the key is re-inserted.
  EXPECT_AUTH_ERR(a.make_credential(raw_make(&pin_)), E::kPinBlocked);
  device_->power_cycle();
  auto ok = a.make_credential(raw_make(&pin_));
  EXPECT_TRUE(ok.has_value()) << ok.error().to_string();
}

TEST_F(Fido2Fixture, LastWrongPinBlocksThePin) {
  Fido2Authenticator a = start_ok(with_pin());
  device_->set_pin_retries(1);
  auto r = a.get_assertion(raw_get(Bytes(32, 1), &wrong_));
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(E::kPinBlocked)) << r.error().to_string();
  EXPECT_TRUE(has(r.error().detail(), "PIN blocked: reset the security key")) << r.error().detail();
  EXPECT_EQ(device_->pin_retries(), 0);
  device_->power_cycle();
  auto again = a.make_credential(raw_make(&pin_));
  ASSERT_FALSE(again.has_value());
  EXPECT_TRUE(again.error().is(E::kPinBlocked)) << again.error().to_string();
}

TEST_F(Fido2Fixture, PinRequiredWhenTheKeyHasOneAndNoneWasGiven) {
  Fido2Authenticator a = start_ok(with_pin());
  // UV preferred: the key itself answers CTAP2_ERR_PIN_REQUIRED to makeCredential.
  auto req = raw_make(nullptr);
  req.user_verification = Requirement::kPreferred;
  auto r = a.make_credential(req);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(E::kPinRequired)) << r.error().to_string();
  EXPECT_TRUE(has(r.error().detail(), "needs its PIN"));
  EXPECT_EQ(std::count(device_->commands().begin(), device_->commands().end(), 0x01), 1);
  // UV required: refused before the key is asked.
  req.user_verification = Requirement::kRequired;
  EXPECT_AUTH_ERR(a.make_credential(req), E::kPinRequired);
  EXPECT_AUTH_ERR(a.get_assertion([&] {
    auto g = raw_get(Bytes(32, 1), nullptr);
    g.user_verification = Requirement::kRequired;
    return g;
  }()),
                  E::kPinRequired);
  EXPECT_EQ(std::count(device_->commands().begin(), device_->commands().end(), 0x01), 1);
  EXPECT_EQ(std::count(device_->commands().begin(), device_->commands().end(), 0x02), 0);
}

TEST_F(Fido2Fixture, UvRequiredOnKeyWithoutPinIsUnavailable) {
  Fido2Authenticator a = start_ok(CtapDeviceConfig{});
  auto req = raw_make(nullptr);
  req.user_verification = Requirement::kRequired;
  auto r = a.make_credential(req);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(E::kUvUnavailable)) << r.error().to_string();
  EXPECT_TRUE(has(r.error().detail(), "has no PIN"));
  // A PIN typed for a key that has none does not make UV possible.
  req.pin = &pin_;
  EXPECT_AUTH_ERR(a.make_credential(req), E::kUvUnavailable);
  // Without UV required the same key registers, and no PIN protocol is run.
  req.user_verification = Requirement::kPreferred;
  auto ok = a.make_credential(req);
  EXPECT_TRUE(ok.has_value()) << ok.error().to_string();
  EXPECT_TRUE(device_->pin_subcommands().empty());
}

TEST_F(Fido2Fixture, BuiltInUvIsUsedWhenNoPinIsGiven) {
  CtapDeviceConfig c;
  c.builtin_uv = true;
  Fido2Authenticator a = start_ok(c);
  auto p = creation();
  auto r = register_with(a, p, nullptr);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_TRUE(r->user_verified);
  auto g = sign_in_with(a, stored(*r, p), nullptr);
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  EXPECT_TRUE(g->user_verified);
  EXPECT_TRUE(device_->pin_subcommands().empty());
}

TEST_F(Fido2Fixture, KeyWithoutBuiltInUvRefusesTheUvOption) {
  // The adapter never sends "uv": true to such a key; libfido2's own request, sent directly,
  // shows the simulated key enforcing it (CTAP2_ERR_UNSUPPORTED_OPTION).
  Fido2Authenticator a = start_ok(CtapDeviceConfig{});
  EXPECT_FALSE(a.info()->options.empty());
  fido_dev_t* dev = fido_dev_new();
  ASSERT_NE(dev, nullptr);
  ASSERT_EQ(fido_dev_set_io_functions(dev, &CtapDevice::io()), FIDO_OK);
  ASSERT_EQ(fido_dev_open(dev, device_->path().c_str()), FIDO_OK);
  fido_assert_t* as = fido_assert_new();
  Bytes cdh(32, 3);
  ASSERT_EQ(fido_assert_set_rp(as, kRpId), FIDO_OK);
  ASSERT_EQ(fido_assert_set_clientdata_hash(as, cdh.data(), cdh.size()), FIDO_OK);
  ASSERT_EQ(fido_assert_set_uv(as, FIDO_OPT_TRUE), FIDO_OK);
  EXPECT_EQ(fido_dev_get_assert(dev, as, nullptr), FIDO_ERR_UNSUPPORTED_OPTION);
  fido_assert_free(&as);
  fido_dev_close(dev);
  fido_dev_free(&dev);
}

TEST_F(Fido2Fixture, SignInWithWrongPinThroughTheClientIsTyped) {
  Fido2Authenticator a = start_ok(with_pin());
  auto p = creation();
  auto r = register_with(a, p, &pin_);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  auto g = sign_in_with(a, stored(*r, p), &wrong_);
  ASSERT_FALSE(g.has_value());
  EXPECT_TRUE(g.error().is(E::kPinInvalid)) << g.error().to_string();
  EXPECT_EQ(device_->pin_retries(), 7);
}

}  // namespace
}  // namespace kb::client::testing
