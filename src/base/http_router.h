// A small router: (method, path pattern) -> handler. A pattern is "/a/b" (exact) or has
// whole-segment parameters, "/tenants/{tenant}/users/{id}". A path that no pattern matches
// is a 404 problem; a path some pattern matches under another method is a 405 problem
// with an Allow header (RFC 9110 §15.5.6).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/http.h"

namespace kb::http {

// Parameter values are percent-decoded (RFC 3986, '+' stays '+').
using PathParams = std::map<std::string, std::string, std::less<>>;
using RouteHandler = std::function<Response(const Request&, const PathParams&)>;

class Router {
 public:
  // `pattern` starts with '/'; a parameter is a whole segment "{name}". Adding the same
  // (method, pattern) twice, or a malformed pattern, is a programmer error (asserted) and
  // the later route is ignored.
  void add(std::string method, std::string_view pattern, RouteHandler handler);
  void add(std::string method, std::string_view pattern, Handler handler);

  // Dispatches; never throws on its own (a handler may; the server catches that).
  // A target not in origin-form, or a parameter that does not percent-decode, is a 400
  // problem "invalid_path".
  [[nodiscard]] Response handle(const Request& request) const;
  // The router as a Handler (it must outlive the returned function).
  [[nodiscard]] Handler as_handler() const;

 private:
  struct Segment {
    std::string text;  // literal text, or the parameter name
    bool param = false;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    RouteHandler handler;
  };
  static bool parse_pattern(std::string_view pattern, std::vector<Segment>& out);

  std::vector<Route> routes_;
};

}  // namespace kb::http
