// Compact JWE parsing and decryption (RSA-OAEP + A256GCM, the MS-OAPXBC session_key_jwe and
// the derived-key dir forms, GCM and CBC) on arbitrary text: typed errors, no crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "jose/oapxbc.h"

namespace {
struct Keys {
  kb::crypto::PrivateKey rsa = std::move(*kb::crypto::PrivateKey::generate_rsa(2048));
  kb::SecretBytes session{kb::Bytes(32, 0x5a)};
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Keys keys;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = kb::jose::parse_jwe(text);
  if (parsed && text.substr(0, parsed->header_b64.size()) != parsed->header_b64) std::abort();
  // A key generated in this process: nothing an input carries can decrypt under it.
  if (kb::jose::decrypt_jwe(text, keys.rsa, kb::jose::JweKeyAlg::kRsaOaep)) std::abort();
  if (kb::jose::oapxbc::unwrap_session_key_jwe(text, keys.rsa)) std::abort();
  (void)kb::jose::oapxbc::decrypt_with_session_key(keys.session, text);
  return 0;
}
