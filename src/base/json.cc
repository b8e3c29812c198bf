#include "base/json.h"

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <system_error>

#include "base/error.h"

namespace kb::json {

namespace {
bool all_finite(const boost::json::value& v, unsigned depth) {
  if (v.is_double()) return std::isfinite(v.as_double());
  if (depth > 64) return true;  // parse_options.max_depth already bounds this
  if (v.is_array()) {
    for (const auto& e : v.as_array()) {
      if (!all_finite(e, depth + 1)) return false;
    }
  } else if (v.is_object()) {
    for (const auto& kv : v.as_object()) {
      if (!all_finite(kv.value(), depth + 1)) return false;
    }
  }
  return true;
}
}  // namespace

Result<boost::json::value> parse(std::string_view text, Limits limits) {
  if (text.size() > limits.max_bytes) {
    return Error(BaseErrc::kTooLarge, "JSON text of " + std::to_string(text.size()) + " bytes");
  }
  boost::json::parse_options opt;
  opt.max_depth = limits.max_depth;
  opt.allow_comments = false;
  opt.allow_trailing_commas = false;
  opt.allow_invalid_utf8 = false;
  boost::json::error_code ec;
  // The non-throwing overload; Boost.JSON may still throw std::bad_alloc, which is not an
  // input-triggered condition once the size is bounded.
  boost::json::value v = boost::json::parse(text, ec, {}, opt);
  if (ec) return Error(BaseErrc::kBadJson, ec.message());
  // Boost.JSON reads an out-of-range number such as 1e400 as infinity, which no JSON text
  // can carry back out: refuse it here.
  if (!all_finite(v, 0)) return Error(BaseErrc::kBadJson, "number out of range");
  return v;
}

Result<boost::json::object> parse_object(std::string_view text, Limits limits) {
  boost::json::value v = KB_TRY(parse(text, limits));
  if (!v.is_object()) return Error(BaseErrc::kBadJson, "top level is not an object");
  return std::move(v.as_object());
}

namespace {
Result<const boost::json::value*> member(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return Error(BaseErrc::kBadJson, "missing member " + std::string(key));
  return v;
}
Error wrong_type(std::string_view key, std::string_view want) {
  return Error(BaseErrc::kBadJson, "member " + std::string(key) + " is not " + std::string(want));
}
}  // namespace

Result<std::string> get_string(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = KB_TRY(member(o, key));
  if (!v->is_string()) return wrong_type(key, "a string");
  return std::string(v->as_string());
}

std::optional<std::string> get_optional_string(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

Result<std::int64_t> get_int(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = KB_TRY(member(o, key));
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v->as_uint64());
  }
  return wrong_type(key, "an integer");
}

Result<bool> get_bool(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = KB_TRY(member(o, key));
  if (!v->is_bool()) return wrong_type(key, "a boolean");
  return v->as_bool();
}

Result<const boost::json::object*> get_object(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = KB_TRY(member(o, key));
  if (!v->is_object()) return wrong_type(key, "an object");
  return &v->as_object();
}

Result<const boost::json::array*> get_array(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = KB_TRY(member(o, key));
  if (!v->is_array()) return wrong_type(key, "an array");
  return &v->as_array();
}

std::string serialize(const boost::json::value& v) {
  return boost::json::serialize(v);
}

}  // namespace kb::json
