#include "https_test_support.h"

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <functional>
#include <thread>

namespace kb::net::testing {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

RawResult raw_tls_exchange(const std::string& host, std::uint16_t port, const std::string& bytes,
                           std::chrono::milliseconds deadline, std::chrono::milliseconds pause) {
  RawResult out;
  asio::io_context ioc;
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_verify_mode(ssl::verify_none);
  ssl::stream<tcp::socket> s(ioc, ctx);
  boost::system::error_code ec;
  s.lowest_layer().connect(tcp::endpoint(asio::ip::make_address(host), port), ec);
  if (ec) return out;
  s.handshake(ssl::stream_base::client, ec);
  if (ec) return out;
  out.handshake_ok = true;
  auto start = Clock::now();
  if (pause.count() > 0) std::this_thread::sleep_for(pause);
  if (!bytes.empty()) {
    asio::write(s, asio::buffer(bytes), ec);
  }
  // Read asynchronously so that the deadline holds.
  std::array<char, 16384> buf{};
  bool done = false;
  std::function<void()> read_more = [&] {
    s.async_read_some(asio::buffer(buf), [&](boost::system::error_code e, std::size_t n) {
      out.received.append(buf.data(), n);
      if (e) {
        out.closed_by_peer = true;
        done = true;
        return;
      }
      read_more();
    });
  };
  read_more();
  ioc.run_for(deadline);
  out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  if (!done) out.closed_by_peer = false;
  return out;
}

bool plain_tcp_is_closed_within(const std::string& host, std::uint16_t port,
                                std::chrono::milliseconds deadline) {
  asio::io_context ioc;
  tcp::socket s(ioc);
  boost::system::error_code ec;
  s.connect(tcp::endpoint(asio::ip::make_address(host), port), ec);
  if (ec) return false;
  std::array<char, 64> buf{};
  bool closed = false;
  s.async_read_some(asio::buffer(buf), [&](boost::system::error_code e, std::size_t) {
    // A TLS server says nothing until the client hello: any completion here is the close.
    closed = static_cast<bool>(e);
  });
  ioc.run_for(deadline);
  return closed;
}

std::size_t thread_count() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

}  // namespace kb::net::testing
