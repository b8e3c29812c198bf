// Client side of the PRT exchange on arbitrary response bodies (what a hostile or broken
// cloud could send): read_prt_response and read_nonce_response refuse or accept without
// crashing, with and without a session key.
#include <cstdint>
#include <string_view>

#include "client/prt_client.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kb;
  static const SysTime now{std::chrono::seconds(1800000000)};
  static const crypto::PrivateKey transport = *crypto::PrivateKey::generate_rsa(2048);
  static const SecretBytes session(Bytes(32, 0x5a));
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)client::read_prt_response(text, &transport, nullptr, now);
  (void)client::read_prt_response(text, nullptr, &session, now);
  (void)client::read_nonce_response(text);
  return 0;
}
