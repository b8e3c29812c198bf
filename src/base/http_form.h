// Query strings and application/x-www-form-urlencoded bodies (the PRT request of
// MS-OAPXBC §3.2.5.1 is a form POST; OAuth 2.0, RFC 6749 Appendix B, encodes both the same
// way). Strict: a '%' must start a two-hex-digit escape, decoded names and values must be
// UTF-8, raw bytes must be printable ASCII, and every count and size is bounded.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/http.h"
#include "base/result.h"

namespace kb::http {

struct FormLimits {
  std::size_t max_fields = 64;
  std::size_t max_name_bytes = 128;           // decoded
  std::size_t max_value_bytes = 64 * 1024;    // decoded
  std::size_t max_total_bytes = 1024 * 1024;  // encoded input
};

// Decoded fields in input order; repeated names are kept.
class Fields {
 public:
  Fields() = default;
  explicit Fields(std::vector<std::pair<std::string, std::string>> entries)
      : entries_(std::move(entries)) {}

  [[nodiscard]] std::optional<std::string_view> first(std::string_view name) const;
  [[nodiscard]] std::size_t count(std::string_view name) const;
  // RFC 6749 §3.1: a parameter must not appear more than once. The value of `name` when it
  // appears exactly once; kMissingField or kDuplicateField otherwise.
  [[nodiscard]] Result<std::string_view> unique(std::string_view name) const;
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& entries() const {
    return entries_;
  }
  [[nodiscard]] std::size_t size() const { return entries_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

// `name=value` pairs separated by '&'. '+' decodes to a space (WHATWG URL §5.1, which
// RFC 6749 Appendix B adopts for both). An empty input is zero fields; a pair without '='
// is a name with an empty value; the first '=' splits name from value. Refused: an empty
// name, an empty pair ("a=1&&b=2", a trailing '&'), a bad escape, decoded bytes that are
// not UTF-8 or contain NUL, raw bytes outside printable ASCII, and anything over `limits`.
Result<Fields> parse_form(std::string_view body, const FormLimits& limits = {});
// The query part of a request target (without the '?'); the same grammar as parse_form.
Result<Fields> parse_query(std::string_view query, const FormLimits& limits = {});

// RFC 3986 §2.1 percent-decoding without the '+' rule (path segments). Same strictness.
Result<std::string> percent_decode(std::string_view in, std::size_t max_bytes);
// application/x-www-form-urlencoded serialization (WHATWG URL §5.2): unreserved bytes as
// they are, space as '+', everything else %XX. What our client sends and what tests use.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace kb::http
