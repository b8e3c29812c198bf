// `keybridge dc serve`: the KDC of a DC data directory on the given addresses, until
// SIGINT or SIGTERM. One structured line per request on the log stream.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "admin/directory_admin.h"

namespace kb::admin {

struct ServeOptions {
  std::vector<std::string> listen = {"127.0.0.1:88"};
  unsigned threads = 0;  // 0 = one per core
};

// The request log of `dc serve`, written off the request path. `write` appends a line to
// an in-memory buffer under a short lock; a writer thread writes and flushes the buffer.
// Sparse lines go out at once: the first `burst` writes of each `interval` happen as soon
// as a line is pending, so an operator (or a test) reading the log after a request sees
// its line. Past that budget, lines wait for the end of the interval and go out together
// (or earlier once `high_water` bytes are pending): under load that is at most
// `burst` + 1 writes per interval instead of one per request. With `max_bytes` pending a
// line is dropped and counted; the next write puts "keybridge dc serve: dropped N log
// lines" after the lines buffered before the drops. `stop` writes the rest. Lines are
// written in the order `write` was called.
class BufferedLog {
 public:
  struct Limits {
    std::chrono::milliseconds interval{100};
    unsigned burst = 10;
    std::size_t high_water = 64 * 1024;
    std::size_t max_bytes = 4 * 1024 * 1024;
  };
  explicit BufferedLog(std::ostream& out) : BufferedLog(out, Limits{}) {}
  BufferedLog(std::ostream& out, Limits limits);
  ~BufferedLog();
  BufferedLog(const BufferedLog&) = delete;
  BufferedLog& operator=(const BufferedLog&) = delete;

  void write(std::string_view line);  // appends line + "\n"
  void flush();                       // writes what is pending now, from the caller's thread
  void stop();                        // final flush; joins the writer. Idempotent.

 private:
  void run();
  bool write_pending();  // false when there was nothing to write

  std::ostream& out_;
  Limits limits_;
  std::mutex mu_;  // pending_, dropped_, stopping_, woken_
  std::condition_variable wake_;
  std::string pending_;
  std::size_t dropped_ = 0;
  bool stopping_ = false;
  bool woken_ = false;  // the writer has been told that lines are pending
  std::mutex out_mu_;   // out_ and spare_
  std::string spare_;   // swapped with pending_: keeps both capacities across writes
  std::thread writer_;
};

// Returns when a stop signal arrives (exit code 0) or the server cannot start (non-zero,
// with the reason on `log`). Prints "listening on host:port" lines once bound.
int serve_dc(const DcPaths& paths, const ServeOptions& opts, std::ostream& log);

}  // namespace kb::admin
