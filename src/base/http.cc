#include "base/http.h"

#include <algorithm>
#include <boost/json/object.hpp>
#include <cassert>

#include "base/json.h"

namespace kb::http {

std::string_view error_code_name(Errc e) {
  switch (e) {
    case Errc::kBadRequest:
      return "bad_request";
    case Errc::kIncomplete:
      return "incomplete";
    case Errc::kHeadersTooLarge:
      return "headers_too_large";
    case Errc::kBodyTooLarge:
      return "body_too_large";
    case Errc::kBadEncoding:
      return "bad_encoding";
    case Errc::kBadForm:
      return "bad_form";
    case Errc::kTooManyFields:
      return "too_many_fields";
    case Errc::kFieldTooLarge:
      return "field_too_large";
    case Errc::kTooLarge:
      return "too_large";
    case Errc::kMissingField:
      return "missing_field";
    case Errc::kDuplicateField:
      return "duplicate_field";
    case Errc::kMissingCredentials:
      return "missing_credentials";
    case Errc::kBadCredentials:
      return "bad_credentials";
  }
  return "unknown";
}

namespace {
char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

void Headers::add(std::string name, std::string value) {
  entries_.emplace_back(std::move(name), std::move(value));
}

void Headers::set(std::string name, std::string value) {
  remove(name);
  add(std::move(name), std::move(value));
}

void Headers::remove(std::string_view name) {
  std::erase_if(entries_, [&](const auto& e) { return iequals(e.first, name); });
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const auto& [n, v] : entries_) {
    if (iequals(n, name)) return std::string_view(v);
  }
  return std::nullopt;
}

std::vector<std::string_view> Headers::get_all(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [n, v] : entries_) {
    if (iequals(n, name)) out.emplace_back(v);
  }
  return out;
}

std::size_t Headers::count(std::string_view name) const {
  return static_cast<std::size_t>(std::count_if(
      entries_.begin(), entries_.end(), [&](const auto& e) { return iequals(e.first, name); }));
}

std::string_view Request::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string_view Request::query() const {
  std::string_view t = target;
  auto q = t.find('?');
  return q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
}

namespace {
bool valid_code(std::string_view code) {
  return !code.empty() && std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
  });
}
}  // namespace

Response problem(int status, std::string_view code, std::string_view title) {
  // Codes are constants in our source; a malformed one is a programmer error.
  assert(valid_code(code));
  assert(status >= 400 && status <= 599);
  boost::json::object o;
  // RFC 9457 §3.1.1: a URI reference naming the problem type. A URN: it identifies, it is
  // not meant to be dereferenced.
  o["type"] = "urn:keybridge:problem:" + std::string(valid_code(code) ? code : "internal");
  o["title"] = title;
  o["status"] = status;
  o["code"] = code;
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "application/problem+json");
  r.headers.set("Cache-Control", "no-store");
  r.body = json::serialize(o);
  return r;
}

Response json_response(int status, const boost::json::value& value) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "application/json");
  // Bodies may carry tokens (RFC 6749 §5.1): never cached.
  r.headers.set("Cache-Control", "no-store");
  r.body = json::serialize(value);
  return r;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

namespace {
// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
bool valid_b64token(std::string_view t) {
  std::size_t i = 0;
  while (i < t.size()) {
    char c = t[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    if (!ok) break;
    ++i;
  }
  if (i == 0) return false;
  while (i < t.size() && t[i] == '=') ++i;
  return i == t.size();
}
}  // namespace

Result<SecretString> bearer_token(const Request& request) {
  auto all = request.headers.get_all("Authorization");
  if (all.empty()) return Error(Errc::kMissingCredentials, "no Authorization header");
  if (all.size() > 1) return Error(Errc::kBadCredentials, "more than one Authorization header");
  std::string_view v = all.front();
  constexpr std::string_view kScheme = "bearer";
  if (v.size() <= kScheme.size() || !iequals(v.substr(0, kScheme.size()), kScheme) ||
      v[kScheme.size()] != ' ') {
    return Error(Errc::kBadCredentials, "Authorization scheme is not Bearer");
  }
  v.remove_prefix(kScheme.size());
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  if (!valid_b64token(v)) return Error(Errc::kBadCredentials, "malformed bearer token");
  return SecretString(v);
}

}  // namespace kb::http
