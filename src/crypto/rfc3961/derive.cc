// RFC 3961 §5.1 DR and DK for the AES enctypes.
#include <algorithm>
#include <array>

#include "crypto/crypto.h"
#include "crypto/internal/ossl.h"
#include "crypto/rfc3961/simplified.h"

namespace kb::crypto::rfc3961 {

Result<SecretBytes> derive_key_aes(ByteView key, ByteView constant, std::size_t out_len) {
  constexpr std::size_t kBlock = 16;
  Bytes folded = nfold(constant, kBlock);
  SecretBytes out(out_len);
  std::array<std::uint8_t, kBlock> block{};
  std::copy(folded.begin(), folded.end(), block.begin());
  std::size_t have = 0;
  while (have < out_len) {
    // E is CBC with a zero IV over a single block, i.e. one AES block encryption.
    std::array<std::uint8_t, kBlock> next{};
    auto r = internal::aes_ecb_encrypt(key, block, next);
    if (!r) {
      secure_wipe(next.data(), next.size());
      secure_wipe(block.data(), block.size());
      return std::move(r).error();
    }
    const std::size_t take = std::min(kBlock, out_len - have);
    std::copy_n(next.begin(), take,
                out.reveal_mutable().begin() + static_cast<std::ptrdiff_t>(have));
    have += take;
    block = next;
    secure_wipe(next.data(), next.size());
  }
  secure_wipe(block.data(), block.size());
  return out;
}

}  // namespace kb::crypto::rfc3961
