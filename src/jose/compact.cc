#include "jose/compact.h"

#include <boost/json/value.hpp>
#include <cmath>

#include "base/base64.h"
#include "base/json.h"

namespace kb::jose {

namespace {

// Members in the parsed tree. Boost.JSON keeps only the last of duplicate names, so a
// text with duplicates has more name/value separators than the tree has members.
// Also flags numbers Boost.JSON turned into infinities (1e400): they have no JSON form.
std::size_t count_members(const boost::json::value& v, bool& non_finite) {
  std::size_t n = 0;
  if (v.is_object()) {
    for (const auto& kv : v.get_object()) n += 1 + count_members(kv.value(), non_finite);
  } else if (v.is_array()) {
    for (const auto& e : v.get_array()) n += count_members(e, non_finite);
  } else if (v.is_double() && !std::isfinite(v.get_double())) {
    non_finite = true;
  }
  return n;
}

// ':' outside strings: in valid JSON each one separates exactly one member's name and value.
std::size_t count_separators(std::string_view text) {
  std::size_t n = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == ':') {
      ++n;
    }
  }
  return n;
}

}  // namespace

Result<boost::json::object> parse_strict_object(std::string_view text, std::size_t max_bytes,
                                                unsigned max_depth) {
  if (text.size() > max_bytes) return Error(JoseErrc::kTooLarge, "JSON text past its bound");
  auto v = json::parse(text, json::Limits{max_bytes, max_depth});
  if (!v) return Error(JoseErrc::kBadJson, v.error().detail());
  if (!v->is_object()) return Error(JoseErrc::kBadJson, "not a JSON object");
  bool non_finite = false;
  if (count_members(*v, non_finite) != count_separators(text)) {
    return Error(JoseErrc::kDuplicateMember, "duplicate member name");
  }
  if (non_finite) return Error(JoseErrc::kBadJson, "number out of double range");
  return std::move(v->as_object());
}

Result<std::vector<std::string_view>> split_compact(std::string_view compact, std::size_t parts,
                                                    const Limits& limits) {
  if (compact.size() > limits.max_compact) {
    return Error(JoseErrc::kTooLarge, "compact serialization past its bound");
  }
  std::vector<std::string_view> out;
  out.reserve(parts);
  std::size_t start = 0;
  while (true) {
    std::size_t dot = compact.find('.', start);
    if (out.size() + 1 > parts) return Error(JoseErrc::kMalformed, "too many segments");
    if (dot == std::string_view::npos) {
      out.push_back(compact.substr(start));
      break;
    }
    out.push_back(compact.substr(start, dot - start));
    start = dot + 1;
  }
  if (out.size() != parts) return Error(JoseErrc::kMalformed, "too few segments");
  return out;
}

Result<Bytes> decode_segment(std::string_view segment, std::string_view what) {
  auto b = base64url_decode(segment);
  if (!b) return Error(JoseErrc::kBadBase64, std::string(what) + " is not base64url");
  return std::move(*b);
}

Result<boost::json::object> decode_header(std::string_view segment, const Limits& limits) {
  // base64url expands by 4/3: bound the encoded form before decoding.
  if (segment.size() > limits.max_header / 3 * 4 + 4) {
    return Error(JoseErrc::kTooLarge, "protected header past its bound");
  }
  if (segment.empty()) return Error(JoseErrc::kMalformed, "empty protected header");
  Bytes raw = KB_TRY(decode_segment(segment, "protected header"));
  return parse_strict_object(as_chars(raw), limits.max_header, limits.max_json_depth);
}

Result<std::string> header_string(const boost::json::object& h, std::string_view name) {
  const auto* v = h.if_contains(name);
  if (v == nullptr) return Error(JoseErrc::kBadJson, "header lacks " + std::string(name));
  if (!v->is_string()) return Error(JoseErrc::kBadJson, std::string(name) + " is not a string");
  return std::string(v->get_string());
}

Result<void> refuse_extensions(const boost::json::object& h) {
  if (h.contains("crit")) return Error(JoseErrc::kUnsupportedHeader, "crit is not supported");
  if (h.contains("zip")) return Error(JoseErrc::kUnsupportedHeader, "zip is not supported");
  if (h.contains("b64")) return Error(JoseErrc::kUnsupportedHeader, "b64 is not supported");
  return kb::ok();
}

}  // namespace kb::jose
