// Bytes into the device state file reader (client::decode_device_state) under a fixed file
// key: JSON shape, member set, sizes, base64, then AES-GCM and PKCS#8 on the seeds that
// carry real blobs. A file that decodes must encode again.
#include <cstdint>
#include <cstdlib>

#include "client/device_state.h"
#include "crypto/crypto.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const kb::Bytes kKey(32, 0x42);
  static const auto key = kb::crypto::MasterKey::from_bytes(kKey);
  auto s = kb::client::decode_device_state(kb::ByteView(data, size), *key);
  if (s) {
    kb::crypto::SystemRng rng;
    if (!kb::client::encode_device_state(*s, *key, rng)) std::abort();
  }
  return 0;
}
