// Bounded JSON parsing for untrusted input (HTTP bodies, clientDataJSON, JOSE headers):
// Boost.JSON underneath, with limits on size and nesting and typed errors instead of
// exceptions.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace kb::json {

struct Limits {
  std::size_t max_bytes = 1 << 20;
  unsigned max_depth = 32;
};

// Parses one JSON text (RFC 8259): no comments, no trailing commas, no trailing
// non-whitespace, invalid UTF-8 rejected. BaseErrc::kTooLarge past max_bytes,
// BaseErrc::kBadJson otherwise.
Result<boost::json::value> parse(std::string_view text, Limits limits = {});
// parse() that also requires the top level to be an object.
Result<boost::json::object> parse_object(std::string_view text, Limits limits = {});

// Typed member access; a missing member or one of the wrong type is BaseErrc::kBadJson
// with the member name in the detail.
Result<std::string> get_string(const boost::json::object& o, std::string_view key);
std::optional<std::string> get_optional_string(const boost::json::object& o, std::string_view key);
Result<std::int64_t> get_int(const boost::json::object& o, std::string_view key);
Result<bool> get_bool(const boost::json::object& o, std::string_view key);
Result<const boost::json::object*> get_object(const boost::json::object& o, std::string_view key);
Result<const boost::json::array*> get_array(const boost::json::object& o, std::string_view key);

// Serializes compactly.
std::string serialize(const boost::json::value& v);

}  // namespace kb::json
