// The request log of `dc serve` (BufferedLog): order, timer, drop count, threads.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "admin/dc_server.h"
#include "base/subprocess.h"

namespace kb::admin {
namespace {

using namespace std::chrono_literals;

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

BufferedLog::Limits never_on_its_own(std::size_t max_bytes = 4 * 1024 * 1024) {
  return {.interval = std::chrono::hours(1),
          .burst = 0,
          .high_water = max_bytes + 1,
          .max_bytes = max_bytes};
}

TEST(BufferedLog, NothingIsWrittenUntilFlushedThenLinesInOrder) {
  std::ostringstream out;
  BufferedLog log(out, never_on_its_own());
  log.write("kdc AS client=a");
  log.write("kdc TGS client=b");
  log.flush();  // the writer thread waits an hour: only this flush writes
  log.write("kdc TGS client=c");
  log.stop();  // also writes
  EXPECT_EQ(out.str(), "kdc AS client=a\nkdc TGS client=b\nkdc TGS client=c\n");
}

TEST(BufferedLog, StopWritesWhatIsPendingAndLaterLinesGoStraightOut) {
  std::ostringstream out;
  BufferedLog log(out, never_on_its_own());
  log.write("one");
  log.stop();
  EXPECT_EQ(out.str(), "one\n");
  log.write("after stop");
  EXPECT_EQ(out.str(), "one\nafter stop\n");
  log.stop();  // idempotent
  EXPECT_EQ(out.str(), "one\nafter stop\n");
}

TEST(BufferedLog, FullBufferDropsLinesAndSaysHowMany) {
  std::ostringstream out;
  BufferedLog log(out, never_on_its_own(/*max_bytes=*/40));
  for (int i = 0; i < 10; ++i) log.write("line " + std::to_string(i) + " ........");  // 15+1
  log.flush();
  log.write("next");
  log.stop();
  EXPECT_EQ(out.str(),
            "line 0 ........\nline 1 ........\n"
            "keybridge dc serve: dropped 8 log lines\n"
            "next\n");
}

TEST(BufferedLog, TheTimerWritesWithoutFlushOrStop) {
  TempDir dir("kb-buffered-log");
  const auto path = dir.path() / "log";
  std::ofstream file(path);
  BufferedLog log(file, {.interval = 20ms, .burst = 0});  // every line waits for the timer
  log.write("first");
  log.write("second");
  std::string seen;
  for (int i = 0; i < 500 && seen != "first\nsecond\n"; ++i) {
    std::this_thread::sleep_for(10ms);
    seen = read_all(path);
  }
  EXPECT_EQ(seen, "first\nsecond\n");
  log.stop();
}

// Within the burst budget a line is written as soon as it is pending, without a timer:
// the interval here is an hour.
TEST(BufferedLog, SparseLinesAreWrittenAtOnce) {
  TempDir dir("kb-buffered-log");
  const auto path = dir.path() / "log";
  std::ofstream file(path);
  BufferedLog log(file, {.interval = std::chrono::hours(1), .burst = 10});
  std::string expected;
  for (int i = 0; i < 3; ++i) {
    const std::string line = "kdc AS n" + std::to_string(i);
    log.write(line);
    expected += line + "\n";
    std::string seen;
    for (int k = 0; k < 500 && seen != expected; ++k) {
      std::this_thread::sleep_for(10ms);
      seen = read_all(path);
    }
    ASSERT_EQ(seen, expected);
  }
  log.stop();
}

TEST(BufferedLog, HighWaterWakesTheWriterBeforeTheTimer) {
  TempDir dir("kb-buffered-log");
  const auto path = dir.path() / "log";
  std::ofstream file(path);
  BufferedLog log(
      file, {.interval = std::chrono::hours(1), .burst = 0, .high_water = 64, .max_bytes = 4096});
  const std::string line(70, 'x');
  log.write(line);
  std::string seen;
  for (int i = 0; i < 500 && seen.empty(); ++i) {
    std::this_thread::sleep_for(10ms);
    seen = read_all(path);
  }
  EXPECT_EQ(seen, line + "\n");
  log.stop();
}

TEST(BufferedLog, ConcurrentWritersLoseAndTearNoLine) {
  std::ostringstream out;
  {
    BufferedLog log(out, {.interval = 1ms, .high_water = 512, .max_bytes = 1024 * 1024});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&log, t] {
        for (int i = 0; i < 2000; ++i) {
          log.write("t" + std::to_string(t) + " n" + std::to_string(i));
        }
      });
    }
    for (auto& th : threads) th.join();
  }  // the destructor stops and writes the rest
  std::istringstream in(out.str());
  std::string l;
  int next[4] = {0, 0, 0, 0};
  int lines = 0;
  while (std::getline(in, l)) {
    ++lines;
    ASSERT_EQ(l[0], 't') << l;
    const int t = l[1] - '0';
    ASSERT_TRUE(t >= 0 && t < 4) << l;
    ASSERT_EQ(l.substr(2), " n" + std::to_string(next[t])) << l;  // each thread's order kept
    ++next[t];
  }
  EXPECT_EQ(lines, 8000);
}

}  // namespace
}  // namespace kb::admin
