// HTTP/1.1 request framing (RFC 9112) without a socket: the same Beast parser settings and
// the same checks the HTTPS server applies to what it reads, exposed for the fuzzer and
// tests. Beast itself stays inside https_server.cc.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/http.h"
#include "base/result.h"

namespace kb::net {

struct HttpLimits {
  std::size_t max_header_bytes = 16 * 1024;  // request line + header fields
  std::size_t max_body_bytes = 1024 * 1024;  // after chunked decoding
};

struct ParsedRequest {
  http::Request request;     // remote_address and tls are left for the caller
  bool keep_alive = false;   // HTTP/1.1 default, or Connection: keep-alive on 1.0
  std::size_t consumed = 0;  // bytes of the input this request took
};

// Parses one request from the start of `bytes`. Errors (http::Errc):
//   kIncomplete       the input ends before the message does
//   kHeadersTooLarge  over max_header_bytes              (the server answers 431)
//   kBodyTooLarge     Content-Length or chunks over max_body_bytes (413)
//   kBadRequest       anything else: bad syntax, conflicting or repeated framing headers,
//                     a target that is not origin-form, HTTP/1.1 without exactly one Host (400)
Result<ParsedRequest> parse_http_request(std::string_view bytes, const HttpLimits& limits);

// The status and problem code the server answers a parse error with.
struct ParseErrorReply {
  int status;
  std::string_view code;
  std::string_view title;
};
ParseErrorReply parse_error_reply(const Error& e);

}  // namespace kb::net
