// Opening keys, faults on the wire (silence, CTAP2_ERR_ACTION_TIMEOUT, CTAPHID errors,
// garbage), a recorded getInfo, the error mapping and the spec parser.
#include <fido.h>

#include <chrono>
#include <fstream>

#include "client/fido2/fido2_errors.h"
#include "fido2_fixture.h"

namespace kb::client::testing {
namespace {

using E = AuthenticatorErrc;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

bool has(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

std::filesystem::path recorded() {
  return std::filesystem::path(KB_TEST_DATA_DIR) / "fido2" / "getinfo_fido21pre.frames";
}

TEST(Fido2Open, WithoutAnyKeyIsNoDevice) {
  auto list = Fido2Authenticator::list_devices();
  ASSERT_TRUE(list.has_value()) << list.error().to_string();
  if (!list->empty()) GTEST_SKIP() << "a security key is attached to this machine";
  auto a = Fido2Authenticator::open(std::nullopt);
  ASSERT_FALSE(a.has_value());
  EXPECT_TRUE(a.error().is(E::kNoDevice));
  EXPECT_EQ(a.error().detail(), "no security key found: insert one");
  auto b = open_fido2_authenticator("fido2");
  ASSERT_FALSE(b.has_value());
  EXPECT_TRUE(b.error().is(E::kNoDevice));
}

TEST(Fido2Open, MissingPathIsDeviceError) {
  auto a = Fido2Authenticator::open(std::string("/nonexistent/hidraw99"));
  ASSERT_FALSE(a.has_value());
  EXPECT_TRUE(a.error().is(E::kDevice)) << a.error().to_string();
  EXPECT_TRUE(has(a.error().detail(), "/nonexistent/hidraw99"));
  auto b = open_fido2_authenticator("fido2:/nonexistent/hidraw99");
  ASSERT_FALSE(b.has_value());
  EXPECT_TRUE(b.error().is(E::kDevice));
}

TEST(Fido2Open, SpecMustBeFido2OrFido2Path) {
  for (const char* bad : {"soft:/tmp/x", "fido2:", "fido2x", "fido", ""}) {
    auto r = open_fido2_authenticator(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_TRUE(r.error().is(E::kBadRequest)) << bad;
  }
}

TEST_F(Fido2Fixture, KeyThatNeverAnswersInitTimesOut) {
  CtapDeviceConfig c;
  c.fault = CtapFault::kSilentInit;
  auto t0 = Clock::now();
  auto a = start(c, Fido2Options{200ms});
  ASSERT_FALSE(a.has_value());
  EXPECT_TRUE(a.error().is(E::kTimeout)) << a.error().to_string();
  EXPECT_TRUE(has(a.error().detail(), "did not answer in time"));
  EXPECT_GE(Clock::now() - t0, 190ms);
}

TEST_F(Fido2Fixture, KeyThatNeverAnswersARequestTimesOut) {
  Fido2Authenticator a = start_ok(CtapDeviceConfig{}, Fido2Options{300ms});
  device_->set_fault(CtapFault::kSilent);
  auto r = a.make_credential(raw_make(nullptr));
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(E::kTimeout)) << r.error().to_string();
  auto g = a.get_assertion(raw_get(Bytes(32, 1), nullptr));
  ASSERT_FALSE(g.has_value());
  EXPECT_TRUE(g.error().is(E::kTimeout)) << g.error().to_string();
}

TEST_F(Fido2Fixture, SilenceWithoutATimeoutIsADeviceFailure) {
  // With no timeout the read hook is told to wait forever; the simulated key gives up at
  // once, which libfido2 reports like a broken link, not as a timeout.
  Fido2Authenticator a = start_ok(CtapDeviceConfig{});
  device_->set_fault(CtapFault::kSilent);
  EXPECT_AUTH_ERR(a.make_credential(raw_make(nullptr)), E::kDevice);
}

TEST_F(Fido2Fixture, ActionTimeoutFromTheKeyIsTimeout) {
  Fido2Authenticator a = start_ok(CtapDeviceConfig{});
  device_->set_fault(CtapFault::kActionTimeout);
  auto r = a.make_credential(raw_make(nullptr));
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is(E::kTimeout)) << r.error().to_string();
  EXPECT_TRUE(has(r.error().detail(), "timed out waiting for a touch"));
  EXPECT_AUTH_ERR(a.get_assertion(raw_get(Bytes(32, 1), nullptr)), E::kTimeout);
}

TEST_F(Fido2Fixture, GarbageRepliesAreDeviceErrors) {
  for (CtapFault f : {CtapFault::kHidError, CtapFault::kNotCbor, CtapFault::kBadFrame}) {
    Fido2Authenticator a = start_ok(CtapDeviceConfig{});
    device_->set_fault(f);
    auto r = a.make_credential(raw_make(nullptr));
    ASSERT_FALSE(r.has_value()) << static_cast<int>(f);
    EXPECT_TRUE(r.error().is(E::kDevice)) << r.error().to_string();
    auto g = a.get_assertion(raw_get(Bytes(32, 1), nullptr));
    ASSERT_FALSE(g.has_value());
    EXPECT_TRUE(g.error().is(E::kDevice)) << g.error().to_string();
    // The key still answers what it answers well.
    EXPECT_TRUE(a.info().has_value());
  }
}

TEST_F(Fido2Fixture, KeyWhoseGetInfoIsGarbageIsRefused) {
  CtapDeviceConfig c;
  c.fault = CtapFault::kGetInfoGarbage;
  auto a = start(c);
  ASSERT_FALSE(a.has_value());
  EXPECT_TRUE(a.error().is(E::kDevice)) << a.error().to_string();
  EXPECT_TRUE(has(a.error().detail(), "FIDO2"));
}

TEST_F(Fido2Fixture, InfoReportsTheKeysProperties) {
  CtapDeviceConfig c = with_pin();
  c.algorithms = {-7, -8};
  Fido2Authenticator a = start_ok(c);
  auto info = a.info();
  ASSERT_TRUE(info.has_value()) << info.error().to_string();
  EXPECT_EQ(info->versions, (std::vector<std::string>{"U2F_V2", "FIDO_2_0"}));
  const auto& ag = device_->soft().aaguid();
  EXPECT_EQ(info->aaguid, Bytes(ag.begin(), ag.end()));
  EXPECT_EQ(info->pin_protocols, std::vector<std::uint8_t>{1});
  EXPECT_EQ(info->algorithms, (std::vector<int>{-7, -8}));
  bool client_pin = false;
  for (const auto& [name, value] : info->options) {
    if (name == "clientPin") client_pin = value;
  }
  EXPECT_TRUE(client_pin);
}

TEST(Fido2Recorded, GetInfoFramesReassemble) {
  auto payload = kb::testing::load_recorded_reply(recorded());
  ASSERT_TRUE(payload.has_value()) << payload.error().to_string();
  EXPECT_EQ(payload->size(), 184u);
  EXPECT_EQ(payload->front(), 0xa9);  // a map of nine members
}

TEST_F(Fido2Fixture, RecordedGetInfoIsParsedAndDrivesTheAdapter) {
  auto payload = kb::testing::load_recorded_reply(recorded());
  ASSERT_TRUE(payload.has_value()) << payload.error().to_string();
  CtapDeviceConfig c;
  c.recorded_get_info = *payload;
  Fido2Authenticator a = start_ok(c);
  auto info = a.info();
  ASSERT_TRUE(info.has_value()) << info.error().to_string();
  EXPECT_EQ(info->versions, (std::vector<std::string>{"U2F_V2", "FIDO_2_0", "FIDO_2_1_PRE"}));
  EXPECT_EQ(info->extensions, (std::vector<std::string>{"credProtect", "hmac-secret"}));
  EXPECT_EQ(hex_encode(info->aaguid), "1956e5bda37445f1a814356403fdbc18");
  EXPECT_EQ(info->max_msg_size, 1200u);
  EXPECT_EQ(info->pin_protocols, std::vector<std::uint8_t>{1});
  EXPECT_EQ(info->algorithms, (std::vector<int>{-7, -8}));
  // The recorded key lists ES256 and EdDSA only: RS256 is skipped, EdDSA used.
  auto p = creation();
  p.algs = {crypto::cose::Alg::kRs256, crypto::cose::Alg::kEdDsa};
  p.user_verification = webauthn::Requirement::kPreferred;
  auto r = register_with(a, p, nullptr);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->alg, crypto::cose::Alg::kEdDsa);
  // clientPin false: a PIN is supported but not set, so UV cannot be had.
  p.user_verification = webauthn::Requirement::kRequired;
  auto uv = register_with(a, p, &pin_);
  ASSERT_FALSE(uv.has_value());
  EXPECT_TRUE(uv.error().is(E::kUvUnavailable)) << uv.error().to_string();
}

class Fido2RecordedNegative : public ::testing::Test {
 protected:
  Result<Bytes> load(const std::string& text) {
    auto path = dir_.path() / "frames";
    std::ofstream(path) << text;
    return kb::testing::load_recorded_reply(path);
  }
  static std::string frame(const std::string& head, std::size_t fill = 0) {
    std::string f = head;
    f.resize(128, '0');
    if (fill != 0) f.replace(head.size(), fill * 2, std::string(fill * 2, 'a'));
    return f + "\n";
  }
  TempDir dir_;
};

TEST_F(Fido2RecordedNegative, RefusesMalformedRecordings) {
  EXPECT_FALSE(load("").has_value());
  EXPECT_FALSE(load("# only a comment\n").has_value());
  EXPECT_FALSE(load("0011\n").has_value());                   // short frame
  EXPECT_FALSE(load(frame("0022000290ffff00")).has_value());  // length > 7609
  EXPECT_FALSE(load(frame("0022000286000400")).has_value());  // not a CBOR reply
  EXPECT_FALSE(load(frame("0022000290000131")).has_value());  // error status
  EXPECT_FALSE(load(frame("0022000290004000")).has_value());  // frames end early
  EXPECT_FALSE(load(frame("0022000290004000") + frame("0022000201")).has_value());  // bad seq
  EXPECT_FALSE(load(frame("0022000290004000") + frame("0022000300")).has_value());  // bad cid
  EXPECT_FALSE(load(frame("zz22000290000100")).has_value());                        // not hex
  auto ok = load(frame("0022000290000200a0"));
  ASSERT_TRUE(ok.has_value()) << ok.error().to_string();
  EXPECT_EQ(*ok, Bytes{0xa0});
}

struct MapCase {
  int code;
  E errc;
  const char* message_part;
};

TEST(Fido2Errors, EachLibfido2CodeHasATypedActionableError) {
  const MapCase cases[] = {
      {FIDO_ERR_PIN_INVALID, E::kPinInvalid, "wrong PIN"},
      {FIDO_ERR_PIN_BLOCKED, E::kPinBlocked, "PIN blocked: reset the security key"},
      {FIDO_ERR_PIN_AUTH_BLOCKED, E::kPinBlocked, "re-insert"},
      {FIDO_ERR_PIN_REQUIRED, E::kPinRequired, "needs its PIN"},
      {FIDO_ERR_PIN_NOT_SET, E::kUvUnavailable, "has no PIN"},
      {FIDO_ERR_UV_BLOCKED, E::kPinBlocked, "enter the PIN"},
      {FIDO_ERR_NO_CREDENTIALS, E::kNoCredentials, "not registered"},
      {FIDO_ERR_CREDENTIAL_EXCLUDED, E::kCredentialExcluded, "already registered"},
      {FIDO_ERR_UNSUPPORTED_ALGORITHM, E::kUnsupportedAlgorithm, "algorithms"},
      {FIDO_ERR_UNSUPPORTED_OPTION, E::kUvUnavailable, "cannot do"},
      {FIDO_ERR_ACTION_TIMEOUT, E::kTimeout, "timed out waiting for a touch"},
      {FIDO_ERR_USER_ACTION_TIMEOUT, E::kTimeout, "timed out waiting for a touch"},
      {FIDO_ERR_OPERATION_DENIED, E::kUserAction, "touch the key"},
      {FIDO_ERR_KEEPALIVE_CANCEL, E::kUserAction, "cancelled"},
      {FIDO_ERR_RX, E::kDevice, "re-insert it"},
      {FIDO_ERR_TX, E::kDevice, "re-insert it"},
      {FIDO_ERR_RX_INVALID_CBOR, E::kDevice, "malformed reply"},
      {FIDO_ERR_INVALID_ARGUMENT, E::kBadRequest, "malformed"},
      {FIDO_ERR_INTERNAL, E::kDevice, "reported an error"},
  };
  for (const auto& c : cases) {
    Error e =
        fido2::map_fido_error(c.code, nullptr, {"testing", std::chrono::milliseconds(-1), {}});
    EXPECT_TRUE(e.is(c.errc)) << c.code << " -> " << e.to_string();
    EXPECT_TRUE(has(e.detail(), c.message_part)) << c.code << " -> " << e.detail();
  }
  // A receive error once the time allowed has passed is a timeout.
  Error t = fido2::map_fido_error(FIDO_ERR_RX, nullptr, {"signing in", 100ms, 100ms});
  EXPECT_TRUE(t.is(E::kTimeout)) << t.to_string();
  Error early = fido2::map_fido_error(FIDO_ERR_RX, nullptr, {"signing in", 100ms, 10ms});
  EXPECT_TRUE(early.is(E::kDevice)) << early.to_string();
}

TEST(Fido2Errors, NewCodesHaveStableNames) {
  EXPECT_EQ(Error(E::kNoDevice, "").name(), "client.no_device");
  EXPECT_EQ(Error(E::kTimeout, "").name(), "client.timeout");
  EXPECT_EQ(Error(E::kUserAction, "").name(), "client.user_action");
  EXPECT_EQ(Error(E::kDevice, "").name(), "client.device");
  EXPECT_EQ(static_cast<int>(E::kNoDevice), 12);
  EXPECT_EQ(static_cast<int>(E::kDevice), 15);
}

}  // namespace
}  // namespace kb::client::testing
