// Compact JWS parsing and verification (RS256, ES256, and the MS-OAPXBC HS256 form under a
// session key) on arbitrary text: never a crash, never an acceptance of something we did
// not sign, and a parsed JWS is consistent with its input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "jose/oapxbc.h"

namespace {
struct Keys {
  kb::crypto::PublicKey rsa = *kb::crypto::PrivateKey::generate_rsa(2048)->public_key();
  kb::crypto::PublicKey ec = *kb::crypto::PrivateKey::generate_ec_p256()->public_key();
  kb::SecretBytes session{kb::Bytes(32, 0x5a)};
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Keys keys;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = kb::jose::parse_jws(text);
  if (parsed && text.substr(0, parsed->signing_input.size()) != parsed->signing_input) {
    std::abort();
  }
  // Fresh keys nobody else holds: a verification that succeeds is a forgery.
  if (kb::jose::verify_jws(text, kb::jose::JwsAlg::kRs256, keys.rsa)) std::abort();
  if (kb::jose::verify_jws(text, kb::jose::JwsAlg::kEs256, keys.ec)) std::abort();
  (void)kb::jose::oapxbc::verify_with_session_key(keys.session, text);
  return 0;
}
