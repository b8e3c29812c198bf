// The libfido2 adapter: a real FIDO2 security key (USB HID through libfido2) behind the
// Authenticator interface. CTAP2 authenticatorMakeCredential / authenticatorGetAssertion go
// through fido_dev_make_cred / fido_dev_get_assert; PIN entry through libfido2's clientPIN
// (pinUvAuthProtocol 1 or 2, whichever the key offers). See docs/fido2.md.
//
// Only this directory includes <fido.h>; the header forward-declares the two hook structs so
// callers (and the sign-in command) need not.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/authenticator.h"

struct fido_dev_io;
struct fido_dev_transport;

namespace kb::client {

struct Fido2DeviceInfo {
  std::string path;  // e.g. /dev/hidraw3
  std::string manufacturer;
  std::string product;
  std::uint16_t vendor_id = 0;
  std::uint16_t product_id = 0;
};

// What authenticatorGetInfo (CTAP 2.1 6.4) reported, as libfido2 parsed it.
struct Fido2KeyInfo {
  std::vector<std::string> versions;                  // "U2F_V2", "FIDO_2_0", "FIDO_2_1", ...
  std::vector<std::string> extensions;                // "credProtect", "hmac-secret", ...
  Bytes aaguid;                                       // 16 bytes
  std::vector<std::pair<std::string, bool>> options;  // "rk", "clientPin", "uv", ...
  std::vector<std::uint8_t> pin_protocols;
  std::vector<int> algorithms;  // COSE algorithm ids, when the key lists them
  std::uint64_t max_msg_size = 0;
};

struct Fido2Options {
  // How long libfido2 waits for the key, per operation (touch included). Negative: forever,
  // which is what an interactive sign-in wants: the key sends keepalives while it waits.
  std::chrono::milliseconds timeout{-1};
};

class Fido2Authenticator final : public Authenticator {
 public:
  // fido_dev_info_manifest: every FIDO HID device the OS shows. An empty list is a value,
  // not an error; kDevice when the enumeration itself fails.
  static Result<std::vector<Fido2DeviceInfo>> list_devices();
  // Opens `path`, or the first device of list_devices() when none is given (kNoDevice when
  // there is none). kDevice when the device cannot be opened or does not speak CTAP2.
  static Result<Fido2Authenticator> open(std::optional<std::string> path,
                                         const Fido2Options& options = {});
  // Opens a device reached through caller-supplied I/O hooks (fido_dev_set_io_functions) and
  // optionally transport hooks (fido_dev_set_transport_functions): tests inject a simulated
  // CTAPHID device this way. `io` must stay valid only for this call; its handles for the
  // lifetime of the returned object.
  static Result<Fido2Authenticator> open_with_io(const std::string& path, const fido_dev_io& io,
                                                 const fido_dev_transport* transport = nullptr,
                                                 const Fido2Options& options = {});

  ~Fido2Authenticator() override;
  Fido2Authenticator(Fido2Authenticator&&) noexcept;
  Fido2Authenticator& operator=(Fido2Authenticator&&) noexcept;

  // authenticatorGetInfo, asked again (libfido2 asked once while opening).
  Result<Fido2KeyInfo> info();

  // The CTAP2 error codes are mapped to AuthenticatorErrc with a message a person can act on
  // (Error::detail): kNoDevice, kPinRequired, kPinInvalid ("wrong PIN, N tries left"),
  // kPinBlocked, kUvUnavailable, kTimeout, kNoCredentials, kCredentialExcluded,
  // kUnsupportedAlgorithm, kUserAction, kDevice.
  Result<MakeCredentialResponse> make_credential(const MakeCredentialRequest& req) override;
  Result<GetAssertionResponse> get_assertion(const GetAssertionRequest& req) override;

  struct Device;

 private:
  explicit Fido2Authenticator(std::unique_ptr<Device> d);
  std::unique_ptr<Device> d_;
};

// For `keybridge signin --authenticator`: "fido2" opens the first security key, "fido2:PATH"
// the one at PATH; anything else is kBadRequest.
Result<std::unique_ptr<Authenticator>> open_fido2_authenticator(std::string_view spec);

}  // namespace kb::client
