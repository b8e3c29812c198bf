#include "pac/text.h"

#include "pac/errc.h"

namespace kb::pac {

namespace {

void put_unit(Bytes& out, std::uint32_t u) {
  out.push_back(static_cast<std::uint8_t>(u));
  out.push_back(static_cast<std::uint8_t>(u >> 8));
}

void put_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

Result<Bytes> utf8_to_utf16le(std::string_view utf8) {
  Bytes out;
  out.reserve(utf8.size() * 2);
  std::size_t i = 0;
  while (i < utf8.size()) {
    std::uint32_t c = static_cast<std::uint8_t>(utf8[i]);
    std::size_t len = 0;
    std::uint32_t min = 0;
    if (c < 0x80) {
      len = 1;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2, c &= 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, c &= 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, c &= 0x07, min = 0x10000;
    } else {
      return Error(Errc::kBadUtf8, "invalid UTF-8 lead byte");
    }
    if (len > utf8.size() - i) return Error(Errc::kBadUtf8, "truncated UTF-8 sequence");
    for (std::size_t k = 1; k < len; ++k) {
      std::uint32_t cc = static_cast<std::uint8_t>(utf8[i + k]);
      if ((cc & 0xC0) != 0x80) return Error(Errc::kBadUtf8, "invalid UTF-8 continuation");
      c = (c << 6) | (cc & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
      return Error(Errc::kBadUtf8, "overlong, surrogate or out-of-range code point");
    }
    if (c >= 0x10000) {
      c -= 0x10000;
      put_unit(out, 0xD800 | (c >> 10));
      put_unit(out, 0xDC00 | (c & 0x3FF));
    } else {
      put_unit(out, c);
    }
    i += len;
  }
  return out;
}

Result<std::string> utf16le_to_utf8(ByteView utf16) {
  if (utf16.size() % 2 != 0) return Error(Errc::kBadUtf16, "odd UTF-16 byte length");
  std::string out;
  out.reserve(utf16.size());
  for (std::size_t i = 0; i < utf16.size(); i += 2) {
    std::uint32_t u = static_cast<std::uint32_t>(utf16[i] | (utf16[i + 1] << 8));
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (i + 3 >= utf16.size()) return Error(Errc::kBadUtf16, "unpaired high surrogate");
      std::uint32_t lo = static_cast<std::uint32_t>(utf16[i + 2] | (utf16[i + 3] << 8));
      if (lo < 0xDC00 || lo > 0xDFFF) return Error(Errc::kBadUtf16, "unpaired high surrogate");
      u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
      i += 2;
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      return Error(Errc::kBadUtf16, "unpaired low surrogate");
    }
    put_utf8(out, u);
  }
  return out;
}

FileTime filetime_from_unix(std::int64_t unix_seconds) {
  constexpr std::int64_t kEpochSeconds = static_cast<std::int64_t>(kFileTimeUnixEpoch / 10000000);
  constexpr std::int64_t kMaxSeconds =
      static_cast<std::int64_t>(kFileTimeNever / 10000000) - kEpochSeconds;
  if (unix_seconds < -kEpochSeconds) return kFileTimeUnset;
  if (unix_seconds >= kMaxSeconds) return kFileTimeNever;
  return static_cast<FileTime>(unix_seconds + kEpochSeconds) * 10000000ull;
}

std::int64_t unix_from_filetime(FileTime ft) {
  return static_cast<std::int64_t>(ft / 10000000ull) -
         static_cast<std::int64_t>(kFileTimeUnixEpoch / 10000000ull);
}

}  // namespace kb::pac
