#include "ctap_device.h"

#include <fido.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "base/error.h"

namespace kb::testing {
namespace {

namespace cbor = webauthn::cbor;
using cbor::Value;
using client::AuthenticatorErrc;

// CTAP 2.1 11.2.4 / 11.2.9: frames and commands.
constexpr std::size_t kReport = 64;
constexpr std::size_t kInitData = kReport - 7;
constexpr std::size_t kContData = kReport - 5;
constexpr std::size_t kMaxPayload = kInitData + 128 * kContData;  // 7609
constexpr std::uint32_t kBroadcast = 0xffffffff;
constexpr std::uint8_t kCmdPing = 0x01;
constexpr std::uint8_t kCmdMsg = 0x03;
constexpr std::uint8_t kCmdInit = 0x06;
constexpr std::uint8_t kCmdWink = 0x08;
constexpr std::uint8_t kCmdCbor = 0x10;
constexpr std::uint8_t kCmdCancel = 0x11;
constexpr std::uint8_t kCmdKeepalive = 0x3b;
constexpr std::uint8_t kCmdError = 0x3f;
constexpr std::uint8_t kErrInvalidCmd = 0x01;
constexpr std::uint8_t kErrInvalidLen = 0x03;
constexpr std::uint8_t kErrInvalidSeq = 0x04;
constexpr std::uint8_t kErrChannelBusy = 0x06;
constexpr std::uint8_t kErrInvalidChannel = 0x0b;
constexpr std::uint8_t kErrOther = 0x7f;
constexpr std::uint8_t kCapWink = 0x01;
constexpr std::uint8_t kCapCbor = 0x04;
constexpr std::uint8_t kKeepaliveUpNeeded = 0x02;

// CTAP 2.1 8.2 status codes.
constexpr std::uint8_t kOk = 0x00;
constexpr std::uint8_t kInvalidCommand = 0x01;
constexpr std::uint8_t kInvalidParameter = 0x02;
constexpr std::uint8_t kInvalidCbor = 0x12;
constexpr std::uint8_t kMissingParameter = 0x14;
constexpr std::uint8_t kCredentialExcluded = 0x19;
constexpr std::uint8_t kUnsupportedAlgorithm = 0x26;
constexpr std::uint8_t kUnsupportedOption = 0x2b;
constexpr std::uint8_t kNoCredentials = 0x2e;
constexpr std::uint8_t kPinInvalid = 0x31;
constexpr std::uint8_t kPinBlocked = 0x32;
constexpr std::uint8_t kPinAuthInvalid = 0x33;
constexpr std::uint8_t kPinAuthBlocked = 0x34;
constexpr std::uint8_t kPinNotSet = 0x35;
constexpr std::uint8_t kPinRequired = 0x36;
constexpr std::uint8_t kActionTimeout = 0x3a;
constexpr std::uint8_t kOther = 0x7f;

constexpr int kMaxRetries = 8;
constexpr const char* kInternalUvPin = "built-in-uv";
constexpr int kMaxSilenceMs = 2000;
constexpr std::size_t kMaxRecorded = 4096;
constexpr std::size_t kMaxChannels = 16;

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}
std::map<std::string, CtapDevice*>& registry() {
  static std::map<std::string, CtapDevice*> r;
  return r;
}

// libfido2's transport hooks get only the fido_dev_t, whose layout is private: they talk to
// the device most recently opened through io_open.
CtapDevice*& last_opened() {
  static CtapDevice* d = nullptr;
  return d;
}

void* io_open(const char* path) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  auto it = registry().find(path);
  if (it == registry().end()) return nullptr;
  last_opened() = it->second;
  return it->second;
}
void io_close(void* h) {
  static_cast<CtapDevice*>(h)->close();
}
int io_read(void* h, unsigned char* buf, size_t len, int ms) {
  return static_cast<CtapDevice*>(h)->read(buf, len, ms);
}
int io_write(void* h, const unsigned char* buf, size_t len) {
  return static_cast<CtapDevice*>(h)->write(buf, len);
}

int tr_tx(fido_dev_t* /*dev*/, std::uint8_t cmd, const unsigned char* buf, size_t count) {
  CtapDevice* d = nullptr;
  {
    std::lock_guard<std::mutex> lock(registry_mutex());
    d = last_opened();
  }
  return d == nullptr ? -1 : d->transport_tx(cmd, ByteView(buf, count));
}
int tr_rx(fido_dev_t* /*dev*/, std::uint8_t cmd, unsigned char* buf, size_t count, int ms) {
  CtapDevice* d = nullptr;
  {
    std::lock_guard<std::mutex> lock(registry_mutex());
    d = last_opened();
  }
  return d == nullptr ? -1 : d->transport_rx(cmd, buf, count, ms);
}

std::uint32_t get_u32be(ByteView b) {
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

Bytes status_only(std::uint8_t s) {
  return Bytes{s};
}
Bytes reply(const Value& v) {
  Bytes out{kOk};
  append(out, cbor::encode(v));
  return out;
}
Value key(std::int64_t k) {
  return Value::integer(k);
}

const Value* bytes_member(const Value& m, std::int64_t k) {
  const Value* v = m.find(k);
  return v != nullptr && v->kind == Value::Kind::kBytes ? v : nullptr;
}

bool option(const Value& req, int map_key, std::string_view name, bool& out) {
  const Value* opts = req.find(map_key);
  if (opts == nullptr) return false;
  const Value* v = opts->find(name);
  if (v == nullptr || v->kind != Value::Kind::kBool) return false;
  out = v->u != 0;
  return true;
}

std::uint8_t status_for(const Error& e) {
  if (e.is(AuthenticatorErrc::kNoCredentials)) return kNoCredentials;
  if (e.is(AuthenticatorErrc::kCredentialExcluded)) return kCredentialExcluded;
  if (e.is(AuthenticatorErrc::kUnsupportedAlgorithm)) return kUnsupportedAlgorithm;
  if (e.is(AuthenticatorErrc::kPinRequired)) return kPinRequired;
  if (e.is(AuthenticatorErrc::kUvUnavailable)) return kUnsupportedOption;
  if (e.is(AuthenticatorErrc::kBadRequest)) return kInvalidParameter;
  return kOther;
}

// A list of PublicKeyCredentialDescriptor (CTAP 2.1 6.1 excludeList / 6.2 allowList).
std::optional<std::vector<Bytes>> descriptor_ids(const Value* list) {
  std::vector<Bytes> out;
  if (list == nullptr) return out;
  if (list->kind != Value::Kind::kArray) return std::nullopt;
  for (const Value& d : list->items) {
    const Value* id = d.find("id");
    if (id == nullptr || id->kind != Value::Kind::kBytes) return std::nullopt;
    out.push_back(id->bytes);
  }
  return out;
}

std::optional<std::string> text_member(const Value* m, std::string_view k) {
  if (m == nullptr) return std::nullopt;
  const Value* v = m->find(k);
  if (v == nullptr || v->kind != Value::Kind::kText) return std::nullopt;
  return v->text;
}

}  // namespace

Result<std::unique_ptr<CtapDevice>> CtapDevice::create(const std::filesystem::path& dir,
                                                       std::string path, CtapDeviceConfig config) {
  static crypto::SystemRng rng;
  std::optional<SecretString> pin;
  // The SoftAuthenticator sets UV only after checking a PIN; with built-in UV and no client
  // PIN the device uses an internal one it never shows.
  if (config.pin) pin.emplace(*config.pin);
  if (!config.pin && config.builtin_uv) pin.emplace(kInternalUvPin);
  static int counter = 0;
  auto state = dir / ("ctap-device-" + std::to_string(++counter) + ".json");
  auto soft = KB_TRY(client::SoftAuthenticator::create(state, rng, pin ? &*pin : nullptr));
  KB_CHECK(soft.set_attestation(config.attestation, config.ca_key, config.ca_cert,
                                SysTime{std::chrono::seconds(1790000000)}));
  soft.set_hmac_secret_supported(config.hmac_secret);
  std::unique_ptr<CtapDevice> d(
      new CtapDevice(std::move(path), std::move(config), std::move(soft)));
  std::lock_guard<std::mutex> lock(registry_mutex());
  registry()[d->path_] = d.get();
  return d;
}

CtapDevice::CtapDevice(std::string path, CtapDeviceConfig config, client::SoftAuthenticator soft)
    : path_(std::move(path)),
      config_(std::move(config)),
      soft_(std::move(soft)),
      pin_protocol_(config_.pin_protocol) {}

CtapDevice::~CtapDevice() {
  std::lock_guard<std::mutex> lock(registry_mutex());
  auto it = registry().find(path_);
  if (it != registry().end() && it->second == this) registry().erase(it);
  if (last_opened() == this) last_opened() = nullptr;
}

const fido_dev_io& CtapDevice::io() {
  static const fido_dev_io_t hooks = {io_open, io_close, io_read, io_write};
  return hooks;
}

const fido_dev_transport& CtapDevice::transport() {
  static const fido_dev_transport_t hooks = {tr_rx, tr_tx};
  return hooks;
}

int CtapDevice::transport_tx(std::uint8_t cmd, ByteView payload) {
  // INIT goes to the broadcast channel, everything else to the channel it allocated last.
  std::uint32_t cid = cmd == kCmdInit || cids_.empty() ? kBroadcast : cids_.back();
  ++messages_sent_;
  on_message(cid, cmd, Bytes(payload.begin(), payload.end()));
  return static_cast<int>(payload.size());
}

// Reassembles the next reply from the queued reports, skipping keepalives.
int CtapDevice::transport_rx(std::uint8_t cmd, unsigned char* buf, std::size_t count, int ms) {
  while (!out_.empty() && out_.front()[4] == (0x80 | kCmdKeepalive)) out_.pop_front();
  if (out_.empty()) return read(buf, kReport, ms);  // waits like the report-level hook
  Bytes init = std::move(out_.front());
  out_.pop_front();
  if (init[4] != (0x80 | cmd)) return -1;
  std::size_t bcnt = (std::size_t{init[5]} << 8) | init[6];
  if (bcnt > count) return -1;
  Bytes payload(init.begin() + 7,
                init.begin() + 7 + static_cast<std::ptrdiff_t>(std::min(bcnt, kInitData)));
  while (payload.size() < bcnt && !out_.empty()) {
    std::size_t n = std::min(bcnt - payload.size(), kContData);
    payload.insert(payload.end(), out_.front().begin() + 5,
                   out_.front().begin() + 5 + static_cast<std::ptrdiff_t>(n));
    out_.pop_front();
  }
  if (payload.size() != bcnt) return -1;
  std::copy(payload.begin(), payload.end(), buf);
  return static_cast<int>(bcnt);
}

int CtapDevice::read(unsigned char* buf, std::size_t len, int ms) {
  if (len != kReport) return -1;
  if (out_.empty()) {
    // A key that never answers: the read blocks for the time libfido2 allows, then fails.
    if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(std::min(ms, kMaxSilenceMs)));
    return -1;
  }
  std::copy(out_.front().begin(), out_.front().end(), buf);
  out_.pop_front();
  return static_cast<int>(kReport);
}

int CtapDevice::write(const unsigned char* buf, std::size_t len) {
  // libfido2 writes report id 0 followed by one 64-byte report.
  if (len != kReport + 1 || buf[0] != 0) return -1;
  ++reports_written_;
  on_packet(ByteView(buf + 1, kReport));
  return static_cast<int>(len);
}

void CtapDevice::send(std::uint32_t cid, std::uint8_t cmd, ByteView payload) {
  std::size_t off = 0;
  Bytes f;
  put_u32be(f, cid);
  f.push_back(static_cast<std::uint8_t>(0x80 | cmd));
  f.push_back(static_cast<std::uint8_t>(payload.size() >> 8));
  f.push_back(static_cast<std::uint8_t>(payload.size() & 0xff));
  std::size_t n = std::min(payload.size(), kInitData);
  append(f, payload.first(n));
  f.resize(kReport, 0);
  out_.push_back(std::move(f));
  off = n;
  for (std::uint8_t seq = 0; off < payload.size(); ++seq) {
    Bytes c;
    put_u32be(c, cid);
    c.push_back(seq);
    n = std::min(payload.size() - off, kContData);
    append(c, payload.subspan(off, n));
    c.resize(kReport, 0);
    out_.push_back(std::move(c));
    off += n;
  }
}

void CtapDevice::send_error(std::uint32_t cid, std::uint8_t code) {
  send(cid, kCmdError, Bytes{code});
}

// CTAP 2.1 11.2.4: an initialization packet starts a message, continuation packets follow
// with sequence numbers from 0.
void CtapDevice::on_packet(ByteView pkt) {
  std::uint32_t cid = get_u32be(pkt);
  std::uint8_t b4 = pkt[4];
  if ((b4 & 0x80) != 0) {
    std::uint8_t cmd = b4 & 0x7f;
    std::size_t bcnt = (std::size_t{pkt[5]} << 8) | pkt[6];
    if (cid == kBroadcast && cmd != kCmdInit) return send_error(cid, kErrInvalidChannel);
    if (cid != kBroadcast && std::find(cids_.begin(), cids_.end(), cid) == cids_.end()) {
      return send_error(cid, kErrInvalidChannel);
    }
    // 11.2.9.1.3: INIT resynchronises whatever was pending; others wait their turn.
    if (rx_busy_ && cid != rx_cid_ && cmd != kCmdInit) return send_error(cid, kErrChannelBusy);
    if (bcnt > kMaxPayload) return send_error(cid, kErrInvalidLen);
    rx_cid_ = cid;
    rx_cmd_ = cmd;
    rx_need_ = bcnt;
    rx_seq_ = 0;
    rx_buf_.assign(pkt.begin() + 7,
                   pkt.begin() + 7 + static_cast<std::ptrdiff_t>(std::min(bcnt, kInitData)));
    rx_busy_ = rx_buf_.size() < rx_need_;
  } else {
    if (!rx_busy_ || cid != rx_cid_) return;  // a stray continuation is ignored (11.2.4)
    if (b4 != rx_seq_) {
      rx_busy_ = false;
      return send_error(cid, kErrInvalidSeq);
    }
    ++rx_seq_;
    std::size_t n = std::min(rx_need_ - rx_buf_.size(), kContData);
    append(rx_buf_, pkt.subspan(5, n));
    rx_busy_ = rx_buf_.size() < rx_need_;
  }
  if (!rx_busy_) on_message(rx_cid_, rx_cmd_, rx_buf_);
}

void CtapDevice::on_message(std::uint32_t cid, std::uint8_t cmd, const Bytes& payload) {
  switch (cmd) {
    case kCmdInit: {
      // 11.2.9.1.3: 8-byte nonce; the reply echoes it with a new channel id.
      if (payload.size() != 8) return send_error(cid, kErrInvalidLen);
      if (config_.fault == CtapFault::kSilentInit) return;
      std::uint32_t new_cid = next_cid_++;
      // A real key forgets old channels too; a long fuzzing run must not grow without end.
      if (cids_.size() == kMaxChannels) cids_.erase(cids_.begin());
      cids_.push_back(new_cid);
      Bytes r = payload;
      put_u32be(r, new_cid);
      r.insert(r.end(), {2, 5, 2, 7, static_cast<std::uint8_t>(kCapCbor | kCapWink)});
      open_ = true;
      ++opens_;
      return send(cid, kCmdInit, r);
    }
    case kCmdPing:
      return send(cid, kCmdPing, payload);
    case kCmdWink:
      return send(cid, kCmdWink, {});
    case kCmdCancel:
      return;  // nothing is pending: requests are answered synchronously
    case kCmdMsg:
      // A CTAP1/U2F APDU: this key is CTAP2 only (SW_INS_NOT_SUPPORTED).
      return send(cid, kCmdMsg, Bytes{0x6d, 0x00});
    case kCmdCbor: {
      if (payload.empty()) return send_error(cid, kErrInvalidLen);
      std::uint8_t ctap = payload[0];
      if (commands_.size() < kMaxRecorded) commands_.push_back(ctap);
      bool slow = ctap == 0x01 || ctap == 0x02;
      if (slow) {
        switch (config_.fault) {
          case CtapFault::kSilent:
            return;
          case CtapFault::kHidError:
            return send_error(cid, kErrOther);
          case CtapFault::kActionTimeout:
            return send(cid, kCmdCbor, status_only(kActionTimeout));
          case CtapFault::kNotCbor:
            return send(cid, kCmdCbor, Bytes{kOk, 0xff, 0xff, 0x1c, 0x00});
          case CtapFault::kBadFrame: {
            Bytes f;
            put_u32be(f, cid);
            f.insert(f.end(), {static_cast<std::uint8_t>(0x80 | kCmdCbor), 0xff, 0xff});
            f.resize(kReport, 0xa5);
            out_.push_back(std::move(f));
            return;
          }
          default:
            break;
        }
        // 11.2.9.2.1: while waiting for a touch the key sends keepalives.
        send(cid, kCmdKeepalive, Bytes{kKeepaliveUpNeeded});
      }
      if (ctap == 0x04 && config_.fault == CtapFault::kGetInfoGarbage) {
        return send(cid, kCmdCbor, Bytes{kOk, 0xa3, 0x01, 0x81});
      }
      return send(cid, kCmdCbor, on_cbor(payload));
    }
    default:
      return send_error(cid, kErrInvalidCmd);
  }
}

Bytes CtapDevice::on_cbor(ByteView request) {
  std::uint8_t cmd = request[0];
  if (cmd == 0x04) return get_info();
  cbor::Limits limits;
  limits.max_bytes = kMaxPayload;
  limits.max_depth = 8;
  auto params =
      request.size() > 1 ? cbor::decode(request.subspan(1), limits) : Result<Value>(Value::map({}));
  if (!params || params->kind != Value::Kind::kMap) return status_only(kInvalidCbor);
  switch (cmd) {
    case 0x01:
      return make_credential(*params);
    case 0x02:
      return get_assertion(*params);
    case 0x06:
      return client_pin(*params);
    default:
      return status_only(kInvalidCommand);
  }
}

// CTAP 2.1 6.4 authenticatorGetInfo.
Bytes CtapDevice::get_info() const {
  if (config_.recorded_get_info) {
    Bytes out{kOk};
    append(out, *config_.recorded_get_info);
    return out;
  }
  std::vector<Value> versions = {Value::text_string("U2F_V2"), Value::text_string("FIDO_2_0")};
  if (config_.fido_2_1) versions.push_back(Value::text_string("FIDO_2_1"));
  std::vector<std::pair<Value, Value>> options = {
      {Value::text_string("rk"), Value::boolean(true)},
      {Value::text_string("up"), Value::boolean(true)},
      {Value::text_string("plat"), Value::boolean(false)},
      {Value::text_string("clientPin"), Value::boolean(config_.pin.has_value())}};
  if (config_.builtin_uv) options.emplace_back(Value::text_string("uv"), Value::boolean(true));
  if (config_.fido_2_1) {
    options.emplace_back(Value::text_string("pinUvAuthToken"), Value::boolean(true));
  }
  const auto& ag = soft_.aaguid();
  std::vector<std::pair<Value, Value>> info = {
      {key(1), Value::array(std::move(versions))},
      {key(3), Value::byte_string(ByteView(ag.data(), ag.size()))},
      {key(4), Value::map(std::move(options))},
      {key(5), Value::uint(kMaxPayload)},
      {key(6), Value::array({Value::uint(config_.pin_protocol)})}};
  if (config_.hmac_secret) {
    info.emplace_back(key(2), Value::array({Value::text_string("hmac-secret")}));
  }
  if (!config_.algorithms.empty()) {
    std::vector<Value> algs;
    for (int a : config_.algorithms) {
      algs.push_back(Value::map({{Value::text_string("alg"), Value::integer(a)},
                                 {Value::text_string("type"), Value::text_string("public-key")}}));
    }
    info.emplace_back(key(10), Value::array(std::move(algs)));
  }
  return reply(Value::map(std::move(info)));
}

// CTAP 2.1 6.5.5 authenticatorClientPIN.
Bytes CtapDevice::client_pin(const Value& req) {
  const Value* proto = req.find(1);
  const Value* sub = req.find(2);
  if (sub == nullptr || !sub->as_int()) return status_only(kMissingParameter);
  auto subcmd = static_cast<std::uint8_t>(*sub->as_int());
  if (pin_subcmds_.size() < kMaxRecorded) pin_subcmds_.push_back(subcmd);
  if (subcmd == 0x01) {  // getPINRetries
    return reply(Value::map({{key(3), Value::uint(static_cast<std::uint64_t>(pin_retries_))}}));
  }
  if (proto == nullptr || proto->as_int() != config_.pin_protocol) {
    return status_only(kInvalidParameter);
  }
  if (subcmd == 0x02) {  // getKeyAgreement
    return reply(Value::map({{key(1), pin_protocol_.public_key()}}));
  }
  const bool with_permissions = subcmd == 0x09;
  if (subcmd != 0x05 && !(with_permissions && config_.fido_2_1)) {
    return status_only(kInvalidParameter);
  }
  // 6.5.5.7.1 / 6.5.5.7.2 getPinToken and getPinUvAuthTokenUsingPinWithPermissions.
  const Value* ka = req.find(3);
  const Value* pin_hash_enc = bytes_member(req, 6);
  if (ka == nullptr || pin_hash_enc == nullptr) return status_only(kMissingParameter);
  if (with_permissions) {
    const Value* perms = req.find(9);
    if (perms == nullptr || !perms->as_int() || *perms->as_int() == 0) {
      return status_only(kMissingParameter);
    }
  }
  if (!config_.pin) return status_only(kPinNotSet);
  if (pin_retries_ == 0) return status_only(kPinBlocked);
  // 6.5.5.7.1 step 3 / 2.0 5.5.8: three mismatches in a row block until a power cycle.
  if (consecutive_mismatches_ >= 3) return status_only(kPinAuthBlocked);
  auto shared = pin_protocol_.decapsulate(*ka);
  if (!shared) return status_only(kInvalidParameter);
  --pin_retries_;  // step 4: decremented before the check, restored on success
  auto pin_hash = pin_protocol_.decrypt(*shared, pin_hash_enc->bytes);
  Bytes want = sha256_bytes(as_bytes(*config_.pin));
  want.resize(16);
  if (!pin_hash || !constant_time_equal(pin_hash->reveal(), want)) {
    pin_protocol_.regenerate();
    ++consecutive_mismatches_;
    if (pin_retries_ == 0) return status_only(kPinBlocked);
    if (consecutive_mismatches_ >= 3) return status_only(kPinAuthBlocked);
    return status_only(kPinInvalid);
  }
  pin_retries_ = kMaxRetries;
  consecutive_mismatches_ = 0;
  pin_token_.assign(32, 0);
  random_bytes(pin_token_);
  return reply(
      Value::map({{key(2), Value::byte_string(pin_protocol_.encrypt(*shared, pin_token_))}}));
}

std::uint8_t CtapDevice::check_pin_auth(const Value& req, int param_key, int proto_key,
                                        ByteView cdh, bool& verified) const {
  verified = false;
  const Value* param = req.find(param_key);
  if (param == nullptr) return kOk;
  if (param->kind != Value::Kind::kBytes) return kInvalidParameter;
  const Value* proto = req.find(proto_key);
  if (proto == nullptr) return kMissingParameter;
  if (proto->as_int() != config_.pin_protocol) return kInvalidParameter;
  if (!config_.pin) return kPinNotSet;
  if (pin_token_.empty() || !pin_protocol_.verify_with_token(pin_token_, cdh, param->bytes)) {
    return kPinAuthInvalid;
  }
  verified = true;
  return kOk;
}

// CTAP 2.1 6.1.2 authenticatorMakeCredential, the credential made by the SoftAuthenticator.
Bytes CtapDevice::make_credential(const Value& req) {
  const Value* cdh = bytes_member(req, 1);
  const Value* rp = req.find(2);
  const Value* user = req.find(3);
  const Value* params = req.find(4);
  if (cdh == nullptr || rp == nullptr || user == nullptr || params == nullptr) {
    return status_only(kMissingParameter);
  }
  auto rp_id = text_member(rp, "id");
  const Value* user_id = user->find("id");
  if (!rp_id || user_id == nullptr || user_id->kind != Value::Kind::kBytes ||
      params->kind != Value::Kind::kArray || cdh->bytes.size() != 32) {
    return status_only(kInvalidParameter);
  }
  auto exclude = descriptor_ids(req.find(5));
  if (!exclude) return status_only(kInvalidParameter);
  bool rk = false;
  bool uv_opt = false;
  option(req, 7, "rk", rk);
  bool verified = false;
  if (std::uint8_t s = check_pin_auth(req, 8, 9, cdh->bytes, verified); s != kOk) {
    return status_only(s);
  }
  if (option(req, 7, "uv", uv_opt) && uv_opt) {
    // CTAP 2.0 5.1 step 5: "uv" true asks for built-in user verification.
    if (!config_.builtin_uv) return status_only(kUnsupportedOption);
    verified = true;
  }
  // CTAP 2.0 5.1 step 6 (and 2.1 without makeCredUvNotRqd): with a PIN set, no
  // pinUvAuthParam means PIN_REQUIRED.
  if (config_.pin && !verified) return status_only(kPinRequired);
  client::MakeCredentialRequest mc;
  mc.rp_id = *rp_id;
  mc.rp_name = text_member(rp, "name").value_or("");
  mc.client_data_hash = cdh->bytes;
  mc.user.id = user_id->bytes;
  mc.user.name = text_member(user, "name").value_or("");
  mc.user.display_name = text_member(user, "displayName").value_or("");
  for (const Value& p : params->items) {
    const Value* alg = p.find("alg");
    if (alg != nullptr && alg->as_int()) {
      mc.algs.push_back(static_cast<crypto::cose::Alg>(*alg->as_int()));
    }
  }
  mc.resident_key = rk;
  mc.exclude = std::move(*exclude);
  mc.attestation_requested = true;
  bool hmac = false;
  // CTAP 2.1 12.5: extensions (0x06) {"hmac-secret": true}.
  mc.hmac_secret = option(req, 6, "hmac-secret", hmac) && hmac;
  SecretString pin(config_.pin.value_or(kInternalUvPin));
  mc.user_verification =
      verified ? webauthn::Requirement::kRequired : webauthn::Requirement::kDiscouraged;
  mc.pin = verified ? &pin : nullptr;
  Bytes att_obj;
  if (config_.recorded_attestation) {
    att_obj = *config_.recorded_attestation;
  } else {
    auto r = soft_.make_credential(mc);
    if (!r) return status_only(status_for(r.error()));
    att_obj = std::move(r->attestation_object);
  }
  // WebAuthn 6.5 {fmt, attStmt, authData} -> CTAP 2.1 6.1 response {1: fmt, 2: authData,
  // 3: attStmt}.
  auto att = cbor::decode(att_obj, cbor::Limits{});
  if (!att) return status_only(kOther);
  const Value* fmt = att->find("fmt");
  const Value* stmt = att->find("attStmt");
  const Value* auth = att->find("authData");
  if (fmt == nullptr || stmt == nullptr || auth == nullptr) return status_only(kOther);
  return reply(Value::map({{key(1), *fmt}, {key(2), *auth}, {key(3), *stmt}}));
}

// CTAP 2.1 6.2.2 authenticatorGetAssertion.
Bytes CtapDevice::get_assertion(const Value& req) {
  auto rp_id = req.find(1) != nullptr && req.find(1)->kind == Value::Kind::kText
                   ? std::optional<std::string>(req.find(1)->text)
                   : std::nullopt;
  const Value* cdh = bytes_member(req, 2);
  if (!rp_id || cdh == nullptr) return status_only(kMissingParameter);
  if (cdh->bytes.size() != 32) return status_only(kInvalidParameter);
  auto allow = descriptor_ids(req.find(3));
  if (!allow) return status_only(kInvalidParameter);
  bool uv_opt = false;
  bool verified = false;
  if (std::uint8_t s = check_pin_auth(req, 6, 7, cdh->bytes, verified); s != kOk) {
    return status_only(s);
  }
  if (option(req, 5, "uv", uv_opt) && uv_opt) {
    if (!config_.builtin_uv) return status_only(kUnsupportedOption);
    verified = true;
  }
  Bytes salt;
  std::optional<SecretBytes> shared;
  if (std::uint8_t s = hmac_secret_input(req, salt, shared); s != kOk) return status_only(s);
  client::GetAssertionRequest ga;
  if (!salt.empty()) {
    ga.hmac_salt = salt;
    // The output goes into authData encrypted under this request's shared secret.
    soft_.set_hmac_secret_encrypt([this, &shared](ByteView output) -> Result<Bytes> {
      return pin_protocol_.encrypt(*shared, output);
    });
  }
  ga.rp_id = *rp_id;
  ga.client_data_hash = cdh->bytes;
  ga.allow = std::move(*allow);
  SecretString pin(config_.pin.value_or(kInternalUvPin));
  ga.user_verification =
      verified ? webauthn::Requirement::kRequired : webauthn::Requirement::kDiscouraged;
  ga.pin = verified ? &pin : nullptr;
  client::GetAssertionResponse recorded;
  if (const auto& rec = config_.recorded_assertion) {
    recorded = {rec->credential_id, rec->authenticator_data, rec->signature, rec->user_handle,
                std::nullopt};
  }
  auto r = config_.recorded_assertion ? Result<client::GetAssertionResponse>(std::move(recorded))
                                      : soft_.get_assertion(ga);
  soft_.set_hmac_secret_encrypt(nullptr);
  if (!r) return status_only(status_for(r.error()));
  std::vector<std::pair<Value, Value>> m = {
      {key(1), Value::map({{Value::text_string("id"), Value::byte_string(r->credential_id)},
                           {Value::text_string("type"), Value::text_string("public-key")}})},
      {key(2), Value::byte_string(r->authenticator_data)},
      {key(3), Value::byte_string(r->signature)}};
  if (r->user_handle) {
    m.emplace_back(key(4),
                   Value::map({{Value::text_string("id"), Value::byte_string(*r->user_handle)}}));
  }
  return reply(Value::map(std::move(m)));
}

std::uint8_t CtapDevice::hmac_secret_input(const Value& req, Bytes& salt,
                                           std::optional<SecretBytes>& shared) const {
  const Value* ext = req.find(4);
  if (ext == nullptr || !config_.hmac_secret) return kOk;
  const Value* hs = ext->find("hmac-secret");
  if (hs == nullptr) return kOk;
  const Value* ka = hs->find(1);
  const Value* salt_enc = bytes_member(*hs, 2);
  const Value* salt_auth = bytes_member(*hs, 3);
  if (ka == nullptr || salt_enc == nullptr || salt_auth == nullptr) return kMissingParameter;
  // Protocol one when absent (CTAP 2.1 12.5); otherwise it must be the one spoken.
  const Value* proto = hs->find(4);
  if (proto != nullptr ? proto->as_int() != config_.pin_protocol : config_.pin_protocol != 1) {
    return kInvalidParameter;
  }
  shared = pin_protocol_.decapsulate(*ka);
  if (!shared) return kInvalidParameter;
  // verify(sharedSecret, saltEnc, saltAuth): protocol two keys HMAC with the first 32 bytes.
  ByteView mac_key = config_.pin_protocol == 2 ? shared->reveal().first(32) : shared->reveal();
  if (!pin_protocol_.verify_with_token(mac_key, salt_enc->bytes, salt_auth->bytes)) {
    return kPinAuthInvalid;  // CTAP 2.1 12.5: CTAP2_ERR_PIN_AUTH_INVALID
  }
  auto plain = pin_protocol_.decrypt(*shared, salt_enc->bytes);
  // One salt only: the simulated key does not implement salt2 (64 bytes).
  if (!plain || plain->size() != 32) return kInvalidParameter;
  salt = to_bytes(plain->reveal());
  return kOk;
}

Result<Bytes> load_recorded_reply(const std::filesystem::path& file) {
  auto bad = [&](const std::string& why) {
    return Error(BaseErrc::kInvalidArgument, file.string() + ": " + why);
  };
  std::ifstream in(file);
  if (!in) return bad("cannot read");
  std::vector<Bytes> frames;
  std::string line;
  while (std::getline(in, line)) {
    auto hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    std::string hex;
    for (char c : line) {
      if (c != ' ' && c != '\t' && c != '\r') hex.push_back(c);
    }
    if (hex.empty()) continue;
    if (frames.size() == 129) return bad("more than 129 frames");
    auto f = hex_decode(hex);
    if (!f || f->size() != kReport) return bad("a frame is not 64 bytes of hex");
    frames.push_back(std::move(f).value());
  }
  if (frames.empty()) return bad("no frames");
  const Bytes& init = frames[0];
  std::uint32_t cid = get_u32be(init);
  if (init[4] != (0x80 | kCmdCbor)) return bad("the first frame is not a CBOR reply");
  std::size_t bcnt = (std::size_t{init[5]} << 8) | init[6];
  if (bcnt == 0 || bcnt > kMaxPayload) return bad("declared length out of range");
  Bytes payload(init.begin() + 7,
                init.begin() + 7 + static_cast<std::ptrdiff_t>(std::min(bcnt, kInitData)));
  for (std::size_t i = 1; i < frames.size() && payload.size() < bcnt; ++i) {
    const Bytes& c = frames[i];
    if (get_u32be(c) != cid || c[4] != i - 1) return bad("continuation out of sequence");
    std::size_t n = std::min(bcnt - payload.size(), kContData);
    payload.insert(payload.end(), c.begin() + 5, c.begin() + 5 + static_cast<std::ptrdiff_t>(n));
  }
  if (payload.size() != bcnt) return bad("frames end before the declared length");
  if (payload[0] != kOk) return bad("the recorded reply is an error status");
  return Bytes(payload.begin() + 1, payload.end());
}

}  // namespace kb::testing
