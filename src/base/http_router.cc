#include "base/http_router.h"

#include <algorithm>
#include <cassert>
#include <set>

#include "base/http_form.h"

namespace kb::http {

namespace {

constexpr std::size_t kMaxSegments = 32;
constexpr std::size_t kMaxParamBytes = 1024;

// Splits "/a/b/c" into {"a","b","c"}; "/" is zero segments. False when the path does not
// start with '/', has an empty segment ("/a//b", "/a/") or too many segments.
bool split_path(std::string_view path, std::vector<std::string_view>& out) {
  if (path.empty() || path.front() != '/') return false;
  if (path.size() == 1) return true;
  std::size_t start = 1;
  while (true) {
    std::size_t slash = path.find('/', start);
    std::string_view seg = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty() || out.size() >= kMaxSegments) return false;
    out.push_back(seg);
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

}  // namespace

bool Router::parse_pattern(std::string_view pattern, std::vector<Segment>& out) {
  std::vector<std::string_view> segs;
  if (!split_path(pattern, segs)) return false;
  for (auto s : segs) {
    if (s.size() >= 3 && s.front() == '{' && s.back() == '}') {
      out.push_back({std::string(s.substr(1, s.size() - 2)), true});
    } else if (s.find_first_of("{}") != std::string_view::npos) {
      return false;
    } else {
      out.push_back({std::string(s), false});
    }
  }
  return true;
}

void Router::add(std::string method, std::string_view pattern, RouteHandler handler) {
  Route r{std::move(method), std::string(pattern), {}, std::move(handler)};
  bool ok = parse_pattern(pattern, r.segments);
  bool dup = std::any_of(routes_.begin(), routes_.end(), [&](const Route& o) {
    return o.method == r.method && o.pattern == r.pattern;
  });
  assert(ok && !dup);
  if (!ok || dup) return;
  routes_.push_back(std::move(r));
}

void Router::add(std::string method, std::string_view pattern, Handler handler) {
  add(std::move(method), pattern,
      RouteHandler(
          [h = std::move(handler)](const Request& req, const PathParams&) { return h(req); }));
}

Response Router::handle(const Request& request) const {
  std::vector<std::string_view> segs;
  if (!split_path(request.path(), segs)) {
    // An empty segment may still be a valid path, just not one of ours.
    if (!request.path().empty() && request.path().front() == '/') {
      return problem(404, "not_found", "No such resource");
    }
    return problem(400, "invalid_path", "The request target is not a valid path");
  }
  std::set<std::string> allowed;
  for (const auto& route : routes_) {
    if (route.segments.size() != segs.size()) continue;
    bool match = true;
    for (std::size_t i = 0; i < segs.size() && match; ++i) {
      match = route.segments[i].param || route.segments[i].text == segs[i];
    }
    if (!match) continue;
    if (route.method != request.method) {
      allowed.insert(route.method);
      continue;
    }
    PathParams params;
    for (std::size_t i = 0; i < segs.size(); ++i) {
      if (!route.segments[i].param) continue;
      auto v = percent_decode(segs[i], kMaxParamBytes);
      if (!v || v->empty() || v->find('/') != std::string::npos) {
        return problem(400, "invalid_path", "The request target is not a valid path");
      }
      params.emplace(route.segments[i].text, std::move(*v));
    }
    return route.handler(request, params);
  }
  if (allowed.empty()) return problem(404, "not_found", "No such resource");
  Response r = problem(405, "method_not_allowed", "Method not allowed for this resource");
  std::string allow;
  for (const auto& m : allowed) {
    if (!allow.empty()) allow += ", ";
    allow += m;
  }
  r.headers.set("Allow", allow);
  return r;
}

Handler Router::as_handler() const {
  return [this](const Request& r) { return handle(r); };
}

}  // namespace kb::http
