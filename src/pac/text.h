// UTF-16LE names and FILETIME values as MS-PAC carries them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace kb::pac {

// UTF-8 (our structs) -> UTF-16LE (the wire). Invalid UTF-8 (overlong forms, surrogates,
// values above U+10FFFF, truncated sequences) -> kBadUtf8.
Result<Bytes> utf8_to_utf16le(std::string_view utf8);
// UTF-16LE -> UTF-8. Odd length or an unpaired surrogate -> kBadUtf16.
Result<std::string> utf16le_to_utf8(ByteView utf16);

// FILETIME (MS-DTYP 2.3.3): 100-ns ticks since 1601-01-01 UTC.
using FileTime = std::uint64_t;
inline constexpr FileTime kFileTimeUnset = 0;
inline constexpr FileTime kFileTimeNever = 0x7FFFFFFFFFFFFFFFull;  // MS-PAC 2.5
inline constexpr std::uint64_t kFileTimeUnixEpoch = 116444736000000000ull;

// Seconds since 1970 -> FILETIME. Times before 1601 give kFileTimeUnset; times beyond the
// representable range give kFileTimeNever.
FileTime filetime_from_unix(std::int64_t unix_seconds);
// FILETIME -> seconds since 1970, rounded down.
std::int64_t unix_from_filetime(FileTime ft);

}  // namespace kb::pac
