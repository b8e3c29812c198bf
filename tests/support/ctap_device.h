// A simulated FIDO2 security key behind libfido2's I/O hooks (fido_dev_io_t), for tests
// without hardware. It speaks CTAPHID (CTAP 2.1 11.2: INIT with nonce and channel
// allocation, CBOR, MSG, ERROR, KEEPALIVE; fragmentation and reassembly) and answers CTAP2:
//   - authenticatorGetInfo (0x04) from its configuration, or a recorded reply (frames of a
//     real key kept under tests/data/fido2/, see load_recorded_reply());
//   - authenticatorClientPIN (0x06): getPINRetries, getKeyAgreement, getPinToken and
//     getPinUvAuthTokenUsingPinWithPermissions, PIN/UV auth protocol one or two (ctap_pin.h);
//   - authenticatorMakeCredential (0x01) / authenticatorGetAssertion (0x02) by a
//     SoftAuthenticator, so what comes out verifies with the WebAuthn relying party.
// Faults can be injected: a key that never answers, CTAP2_ERR_ACTION_TIMEOUT, CTAPHID errors,
// replies that are not CBOR, malformed frames.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "client/soft_authenticator.h"
#include "crypto/crypto.h"
#include "ctap_pin.h"

struct fido_dev_io;
struct fido_dev_transport;

namespace kb::testing {

enum class CtapFault {
  kNone,
  kSilentInit,      // never answers CTAPHID_INIT
  kSilent,          // never answers makeCredential / getAssertion
  kActionTimeout,   // makeCredential / getAssertion: CTAP2_ERR_ACTION_TIMEOUT
  kHidError,        // makeCredential / getAssertion: CTAPHID_ERROR ERR_OTHER
  kNotCbor,         // makeCredential / getAssertion: status OK then bytes that are not CBOR
  kBadFrame,        // makeCredential / getAssertion: a frame with a length beyond any buffer
  kGetInfoGarbage,  // getInfo: status OK then truncated CBOR
};

struct CtapDeviceConfig {
  std::optional<std::string> pin;  // clientPin set with this PIN
  std::uint8_t pin_protocol = 1;   // advertised and spoken: 1 or 2
  bool fido_2_1 = false;           // FIDO_2_1 with pinUvAuthToken (clientPIN 0x09)
  bool builtin_uv = false;      // "uv": true in getInfo: a fingerprint reader that always matches
  std::vector<int> algorithms;  // getInfo 0x0A; empty: not listed
  std::optional<Bytes> recorded_get_info;  // replay this getInfo reply instead
  // A WebAuthn attestation object {fmt, attStmt, authData} recorded from another
  // authenticator: makeCredential returns it (as the CTAP response map) instead of making a
  // credential, whatever the request.
  std::optional<Bytes> recorded_attestation;
  // An assertion recorded from another authenticator: getAssertion returns it (credential id,
  // authenticator data, signature, user handle) after the usual checks.
  struct RecordedAssertion {
    Bytes credential_id;
    Bytes authenticator_data;
    Bytes signature;
    std::optional<Bytes> user_handle;
  };
  std::optional<RecordedAssertion> recorded_assertion;
  client::SoftAttestation attestation = client::SoftAttestation::kPackedSelf;
  const crypto::cose::PrivateKey* ca_key = nullptr;  // for kPackedX5c / kFidoU2f
  const crypto::attest::Certificate* ca_cert = nullptr;
  CtapFault fault = CtapFault::kNone;
  // CTAP 2.1 12.5 hmac-secret: listed in getInfo (0x02) and implemented; otherwise ignored
  // like a key without it.
  bool hmac_secret = false;
};

class CtapDevice {
 public:
  // The SoftAuthenticator's state lives under `dir`. `path` is the name libfido2 opens.
  static Result<std::unique_ptr<CtapDevice>> create(const std::filesystem::path& dir,
                                                    std::string path, CtapDeviceConfig config);
  ~CtapDevice();
  CtapDevice(const CtapDevice&) = delete;
  CtapDevice& operator=(const CtapDevice&) = delete;

  // The hooks to pass to fido_dev_set_io_functions: open() finds the device by path among
  // the live CtapDevice objects.
  static const fido_dev_io& io();
  // Message-level hooks for fido_dev_set_transport_functions (used with io() for open and
  // close): whole CTAPHID messages instead of 64-byte reports. They reach the device last
  // opened through io() (the hooks are not told which).
  static const fido_dev_transport& transport();

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] int pin_retries() const { return pin_retries_; }
  [[nodiscard]] client::SoftAuthenticator& soft() { return soft_; }
  void set_fault(CtapFault f) { config_.fault = f; }
  void set_pin_retries(int n) { pin_retries_ = n; }
  // Re-insertion: clears the consecutive-mismatch block and the PIN token.
  void power_cycle() {
    consecutive_mismatches_ = 0;
    pin_token_.clear();
  }
  // CTAP2 command bytes received, in order (0x04 getInfo, 0x06 clientPIN, ...).
  [[nodiscard]] const std::vector<std::uint8_t>& commands() const { return commands_; }
  // clientPIN subcommands received, in order.
  [[nodiscard]] const std::vector<std::uint8_t>& pin_subcommands() const { return pin_subcmds_; }
  [[nodiscard]] std::size_t opens() const { return opens_; }
  [[nodiscard]] std::size_t reports_written() const { return reports_written_; }
  [[nodiscard]] std::size_t messages_sent() const { return messages_sent_; }

  // Hook bodies (public for the C trampolines).
  int read(unsigned char* buf, std::size_t len, int ms);
  int write(const unsigned char* buf, std::size_t len);
  void close() { open_ = false; }
  int transport_tx(std::uint8_t cmd, ByteView payload);
  int transport_rx(std::uint8_t cmd, unsigned char* buf, std::size_t count, int ms);

 private:
  CtapDevice(std::string path, CtapDeviceConfig config, client::SoftAuthenticator soft);
  void on_packet(ByteView pkt);
  void on_message(std::uint32_t cid, std::uint8_t cmd, const Bytes& payload);
  void send(std::uint32_t cid, std::uint8_t cmd, ByteView payload);
  void send_error(std::uint32_t cid, std::uint8_t code);
  Bytes on_cbor(ByteView request);
  Bytes get_info() const;
  Bytes client_pin(const webauthn::cbor::Value& req);
  Bytes make_credential(const webauthn::cbor::Value& req);
  Bytes get_assertion(const webauthn::cbor::Value& req);
  // CTAP 2.1 12.5 getAssertion input {1: keyAgreement, 2: saltEnc, 3: saltAuth, 4: protocol}:
  // 0 and `salt` set (or left empty when not asked for), or a CTAP2 status.
  std::uint8_t hmac_secret_input(const webauthn::cbor::Value& req, Bytes& salt,
                                 std::optional<SecretBytes>& shared) const;
  // CTAP 2.1 6.1.2 step 11 / 6.2.2 step 5: 0 when pinUvAuthParam verifies, a CTAP2 status
  // otherwise; `verified` set accordingly.
  std::uint8_t check_pin_auth(const webauthn::cbor::Value& req, int param_key, int proto_key,
                              ByteView cdh, bool& verified) const;

  std::string path_;
  CtapDeviceConfig config_;
  client::SoftAuthenticator soft_;
  PinProtocol pin_protocol_;
  int pin_retries_ = 8;
  int consecutive_mismatches_ = 0;
  Bytes pin_token_;  // empty until getPinToken succeeded
  bool open_ = false;
  std::size_t opens_ = 0;
  std::size_t reports_written_ = 0;
  std::size_t messages_sent_ = 0;
  std::uint32_t next_cid_ = 0x01020304;
  std::vector<std::uint32_t> cids_;
  // Reassembly of one request.
  std::uint32_t rx_cid_ = 0;
  std::uint8_t rx_cmd_ = 0;
  std::size_t rx_need_ = 0;
  std::uint8_t rx_seq_ = 0;
  Bytes rx_buf_;
  bool rx_busy_ = false;
  std::deque<Bytes> out_;  // 64-byte reports to be read
  std::vector<std::uint8_t> commands_;
  std::vector<std::uint8_t> pin_subcmds_;
};

// Reassembles the CTAPHID reply carried by recorded 64-byte frames (one hex frame per line,
// '#' comments): the payload of a CBOR reply without its status byte. Bounded: at most 128
// frames, a declared length within CTAPHID's 7609 bytes, sequence numbers in order.
Result<Bytes> load_recorded_reply(const std::filesystem::path& file);

}  // namespace kb::testing
