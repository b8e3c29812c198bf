// HTTP request and response as plain values, so that the cloud's handlers are functions of
// (Request) -> Response with no sockets, no TLS and no Boost.Beast in sight: src/net turns
// bytes on a TLS connection into a Request and a Response back into bytes.
//
// Errors reach a client in exactly one shape: an RFC 9457 problem document built by
// problem(), carrying a stable machine code and a fixed human title, never an Error's detail.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/secret.h"

namespace kb::http {

// Errors of request parsing (forms, queries, credentials, the HTTP/1.1 framing in src/net).
enum class Errc {
  kBadRequest = 1,      // the HTTP message itself is malformed
  kIncomplete,          // the bytes end before the message does
  kHeadersTooLarge,     // the request line and header fields are over the limit
  kBodyTooLarge,        // the body is (or announces itself) over the limit
  kBadEncoding,         // a percent escape that is not %XX, or decoded bytes not UTF-8
  kBadForm,             // a form or query that breaks the grammar (empty name, empty pair)
  kTooManyFields,       // more fields than FormLimits::max_fields
  kFieldTooLarge,       // a name or value over its limit
  kTooLarge,            // a whole body, query or header block over its limit
  kMissingField,        // Fields::unique() of a name that is absent
  kDuplicateField,      // Fields::unique() of a name that appears twice
  kMissingCredentials,  // no Authorization header
  kBadCredentials,      // an Authorization header that is not one well-formed Bearer token
};
constexpr ErrorDomain error_domain(Errc) {
  return ErrorDomain::kHttp;
}
std::string_view error_code_name(Errc e);

// Header fields in arrival order. Names compare case-insensitively (RFC 9110 §5.1);
// repeated names are kept as separate entries.
class Headers {
 public:
  void add(std::string name, std::string value);
  // Removes every field called `name`, then adds one.
  void set(std::string name, std::string value);
  void remove(std::string_view name);
  // The first value of `name`, if any.
  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const;
  [[nodiscard]] std::vector<std::string_view> get_all(std::string_view name) const;
  [[nodiscard]] std::size_t count(std::string_view name) const;
  [[nodiscard]] bool contains(std::string_view name) const { return count(name) != 0; }
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& entries() const {
    return entries_;
  }
  [[nodiscard]] std::size_t size() const { return entries_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

bool iequals(std::string_view a, std::string_view b);

struct Request {
  std::string method;  // as received, e.g. "POST"
  std::string target;  // origin-form: path plus optional "?query"
  Headers headers;
  std::string body;
  std::string remote_address;  // peer IP, for logs and rate limits
  bool tls = false;

  // The target up to '?', and what follows it ("" when there is no query).
  [[nodiscard]] std::string_view path() const;
  [[nodiscard]] std::string_view query() const;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
};

using Handler = std::function<Response(const Request&)>;

// RFC 9457 problem details: Content-Type application/problem+json, body
//   {"type":"urn:keybridge:problem:<code>","title":<title>,"status":<status>,"code":<code>}
// `code` is a stable lower-case machine string ([a-z0-9_.]+, e.g. "invalid_request"),
// `title` a fixed human sentence for that code. Neither may carry request data or an
// Error's detail.
Response problem(int status, std::string_view code, std::string_view title);
// `value` serialized compactly, Content-Type application/json.
Response json_response(int status, const boost::json::value& value);
// The reason phrase for a status code ("Not Found"), "Unknown" for codes we do not use.
std::string_view reason_phrase(int status);

// RFC 6750 §2.1: the one Authorization header must be `Bearer <token68>` (scheme
// case-insensitive, one or more spaces). kMissingCredentials without the header,
// kBadCredentials for anything else (another scheme, two headers, bad characters).
Result<SecretString> bearer_token(const Request& request);

}  // namespace kb::http
