// A raw TLS peer for the HTTPS server tests: sends exactly the bytes a test chooses (garbage,
// half a request, pipelined requests) and collects whatever comes back until the server
// closes or a deadline passes. Asio SSL, no certificate check: the point is the server.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace kb::net::testing {

struct RawResult {
  bool handshake_ok = false;
  bool closed_by_peer = false;  // EOF or reset before the deadline
  std::string received;
  std::chrono::milliseconds elapsed{0};  // from the end of the handshake to close/deadline
};

// Connects to host:port, does a TLS handshake, writes `bytes`, then reads until the peer
// closes or `deadline` passes. When `pause` is non-zero, waits that long after the
// handshake before writing (a client that is slow to start).
RawResult raw_tls_exchange(const std::string& host, std::uint16_t port, const std::string& bytes,
                           std::chrono::milliseconds deadline,
                           std::chrono::milliseconds pause = std::chrono::milliseconds(0));

// A TCP connection that never starts TLS; returns true when the server closed it within
// `deadline`.
bool plain_tcp_is_closed_within(const std::string& host, std::uint16_t port,
                                std::chrono::milliseconds deadline);

// Number of threads of this process (from /proc/self/task).
std::size_t thread_count();

}  // namespace kb::net::testing
