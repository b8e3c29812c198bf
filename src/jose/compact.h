// Shared pieces of the compact serializations (RFC 7515 7.1, RFC 7516 7.1): bounds, segment
// splitting with strict base64url, and the strict JSON reader for headers and claims.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "jose/errors.h"

namespace kb::jose {

struct Limits {
  std::size_t max_compact = 256 * 1024;  // whole token (PRT request with x5c and assertion)
  std::size_t max_header = 16 * 1024;    // decoded protected header (x5c holds a cert chain)
  unsigned max_json_depth = 16;
};

// A JSON object text with no duplicate member names at any depth (RFC 7515 5.2 step 4
// allows rejecting them; we always do), within the limits. kTooLarge, kBadJson or
// kDuplicateMember.
Result<boost::json::object> parse_strict_object(std::string_view text, std::size_t max_bytes,
                                                unsigned max_depth);

// Splits `compact` at '.' into exactly `parts` segments (kMalformed otherwise) after checking
// the total size (kTooLarge).
Result<std::vector<std::string_view>> split_compact(std::string_view compact, std::size_t parts,
                                                    const Limits& limits);

// Strict base64url of one segment; kBadBase64 names `what` in the detail.
Result<Bytes> decode_segment(std::string_view segment, std::string_view what);

// Decodes and parses a protected header segment; kTooLarge past limits.max_header.
Result<boost::json::object> decode_header(std::string_view segment, const Limits& limits);

// A string member of a header; absent or not a string -> kBadJson.
Result<std::string> header_string(const boost::json::object& h, std::string_view name);

// RFC 7515 4.1.11 / RFC 7516 4.1.13: we understand no extension, so any "crit" is refused;
// RFC 7516 4.1.3: no compression ("zip").
Result<void> refuse_extensions(const boost::json::object& h);

}  // namespace kb::jose
