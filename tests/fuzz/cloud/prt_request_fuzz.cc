// Cloud side of the PRT exchange on arbitrary token text: the device request verifier and
// the refresh-token reader must refuse or accept without crashing. (The signature checks
// make acceptance of fuzz input practically impossible; the parsing before them is the
// attack surface.)
#include <cstdint>
#include <string_view>

#include "base/clock.h"
#include "cloud/prt.h"
#include "crypto/crypto.h"
#include "crypto/device_cert.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kb;
  static const SysTime now{std::chrono::seconds(1800000000)};
  static const Bytes ca = [] {
    crypto::SystemRng rng;
    auto key = *crypto::PrivateKey::generate_ec_p256();
    return *crypto::make_ca_certificate(
        key, "fuzz CA", {now - std::chrono::hours(1), now + std::chrono::hours(1)}, rng);
  }();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)cloud::verify_device_prt_request(text, ca, now);
  (void)cloud::peek_refresh_token(text);
  (void)cloud::verify_refresh_prt_request(text, SecretBytes(Bytes(32, 7)), now);
  return 0;
}
