// libFuzzer target: decrypt and checksum-verify arbitrary bytes under fixed keys of every
// enctype. Input: byte 0 picks the enctype, byte 1 the key usage, the rest is the
// ciphertext (and, split at the checksum length, data + checksum). Nothing may crash or
// read out of bounds; nothing but a genuine ciphertext may decrypt.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "crypto/crypto.h"

namespace {

using kb::crypto::EncType;

constexpr EncType kEnctypes[] = {EncType::kAes128CtsHmacSha196, EncType::kAes256CtsHmacSha196,
                                 EncType::kAes128CtsHmacSha256128, EncType::kAes256CtsHmacSha384192,
                                 EncType::kRc4Hmac};

// Key bytes i * 7 + 1: the seed corpus was made with the same keys.
const kb::crypto::Key& fixed_key(std::size_t i) {
  static kb::crypto::Key keys[5];
  static bool ready = false;
  if (!ready) {
    for (std::size_t k = 0; k < 5; ++k) {
      kb::Bytes b(kb::crypto::key_length(kEnctypes[k]));
      for (std::size_t j = 0; j < b.size(); ++j) b[j] = static_cast<std::uint8_t>(j * 7 + 1);
      keys[k] = std::move(*kb::crypto::Key::from_bytes(kEnctypes[k], b));
    }
    ready = true;
  }
  return keys[i];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t which = data[0] % 5;
  const kb::crypto::KeyUsage usage{data[1]};
  const kb::ByteView rest(data + 2, size - 2);
  const kb::crypto::Key& key = fixed_key(which);

  auto pt = kb::crypto::decrypt(key, usage, rest);
  if (pt && pt->size() + 16 > rest.size()) std::abort();  // output must be shorter

  const auto type = kb::crypto::mandatory_checksum(kEnctypes[which]);
  const std::size_t n = kb::crypto::checksum_length(type);
  if (rest.size() >= n) {
    (void)kb::crypto::verify_checksum(type, key, usage, rest.subspan(n), rest.first(n));
  }
  return 0;
}
