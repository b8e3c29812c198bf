#include "base/base64.h"

#include <array>
#include <cstdint>

#include "base/error.h"

namespace kb {
namespace {

constexpr std::string_view kStd =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<std::int8_t, 256> reverse_table(std::string_view alphabet) {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
  }
  return t;
}
constexpr auto kStdRev = reverse_table(kStd);
constexpr auto kUrlRev = reverse_table(kUrl);

std::string encode(ByteView b, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((b.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= b.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{b[i]} << 16) | (std::uint32_t{b[i + 1]} << 8) | b[i + 2];
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  const std::size_t rest = b.size() - i;
  if (rest == 1) {
    const std::uint32_t v = std::uint32_t{b[i]} << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    const std::uint32_t v = (std::uint32_t{b[i]} << 16) | (std::uint32_t{b[i + 1]} << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

Result<Bytes> decode_unpadded(std::string_view s, const std::array<std::int8_t, 256>& rev) {
  if (s.size() % 4 == 1) return Error(BaseErrc::kBadBase64, "impossible length");
  Bytes out;
  out.reserve(s.size() / 4 * 3 + 2);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    const std::int8_t v = rev[static_cast<unsigned char>(c)];
    if (v < 0) return Error(BaseErrc::kBadBase64, "character outside the alphabet");
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
    }
  }
  // RFC 4648 section 3.5: the leftover bits must be zero for a canonical encoding.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return Error(BaseErrc::kBadBase64, "non-zero trailing bits");
  }
  return out;
}

}  // namespace

std::string base64_encode(ByteView b) {
  return encode(b, kStd, true);
}

Result<Bytes> base64_decode(std::string_view s) {
  if (s.size() % 4 != 0) return Error(BaseErrc::kBadBase64, "length is not a multiple of 4");
  std::size_t pad = 0;
  while (pad < 2 && pad < s.size() && s[s.size() - 1 - pad] == '=') ++pad;
  return decode_unpadded(s.substr(0, s.size() - pad), kStdRev);
}

std::string base64url_encode(ByteView b) {
  return encode(b, kUrl, false);
}

Result<Bytes> base64url_decode(std::string_view s) {
  return decode_unpadded(s, kUrlRev);
}

}  // namespace kb
