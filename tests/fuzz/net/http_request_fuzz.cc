// The HTTP/1.1 request framing the HTTPS server applies (Beast's parser with our limits and
// checks), fed from bytes without a socket. Whatever is accepted must respect the limits
// and be origin-form; every refusal must be one of the typed framing errors.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "net/http_wire.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const kb::net::HttpLimits limits{.max_header_bytes = 2048, .max_body_bytes = 4096};
  auto r = kb::net::parse_http_request(bytes, limits);
  if (!r) {
    const auto& e = r.error();
    if (!e.is(kb::http::Errc::kBadRequest) && !e.is(kb::http::Errc::kIncomplete) &&
        !e.is(kb::http::Errc::kHeadersTooLarge) && !e.is(kb::http::Errc::kBodyTooLarge)) {
      std::abort();
    }
    auto reply = kb::net::parse_error_reply(e);
    if (reply.status != 400 && reply.status != 413 && reply.status != 431) std::abort();
    return 0;
  }
  if (r->consumed == 0 || r->consumed > size) std::abort();
  if (r->request.body.size() > limits.max_body_bytes) std::abort();
  if (r->request.target.empty() || r->request.target.front() != '/') std::abort();
  if (r->request.method.empty()) std::abort();
  // The rest of the input is the next pipelined request: parse it the same way.
  auto next = kb::net::parse_http_request(bytes.substr(r->consumed), limits);
  (void)next;
  return 0;
}
