#include "cloud/service/access_pass.h"

#include <string>

#include "crypto/crypto.h"

namespace kb::cloud {

SecretString new_access_pass(Rng& rng) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  // Each byte's low 5 bits pick a character: exactly uniform, 5 bits per character.
  SecretBytes raw(kAccessPassChars);
  rng.fill(raw.reveal_mutable());
  std::string s(kAccessPassChars, 'A');
  for (std::size_t i = 0; i < kAccessPassChars; ++i) s[i] = kAlphabet[raw.reveal()[i] & 0x1f];
  return SecretString::adopt(std::move(s));
}

Bytes access_pass_hash(std::string_view typed) {
  std::string canon;
  canon.reserve(typed.size());
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    canon += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  Bytes h = crypto::sha256(as_bytes(canon));
  std::fill(canon.begin(), canon.end(), '\0');
  return h;
}

}  // namespace kb::cloud
