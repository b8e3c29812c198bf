// Errors of the on-disk formats (keytab, ccache).
#pragma once

#include <string_view>

#include "base/error.h"

namespace kb::formats {

enum class Errc {
  kTruncated = 1,    // a length or field runs past the end of the input
  kBadVersion,       // unknown file format version
  kTooLarge,         // a count or length over our limits
  kBadRecord,        // a record whose parts disagree with its declared length
  kTrailingBytes,    // bytes after the last record where none may be
  kInvalidArgument,  // an encoder was given something the format cannot hold
  kIo,               // reading or writing a file failed
};
constexpr ErrorDomain error_domain(Errc) {
  return ErrorDomain::kFormats;
}
std::string_view error_code_name(Errc e);

}  // namespace kb::formats
