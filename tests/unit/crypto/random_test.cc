#include "crypto/random.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <thread>
#include <vector>

namespace kb::crypto {
namespace {

Bytes draw(Rng& rng, std::size_t n) {
  Bytes b(n);
  rng.fill(b);
  return b;
}

TEST(BufferedRng, PiecesAcrossBlockBoundariesAreAllDistinct) {
  BufferedSystemRng rng;
  std::set<Bytes> seen;
  // 37-byte pieces straddle the 1024-byte refills; 16-byte pieces are the confounders.
  for (int i = 0; i < 300; ++i) seen.insert(draw(rng, 37));
  for (int i = 0; i < 300; ++i) seen.insert(draw(rng, 16));
  EXPECT_EQ(seen.size(), 600u);
  EXPECT_NE(draw(rng, 32), Bytes(32, 0));
}

TEST(BufferedRng, LargeRequestsAndEmptyRequests) {
  BufferedSystemRng rng;
  const Bytes a = draw(rng, BufferedSystemRng::kDirectLimit + 1);
  const Bytes b = draw(rng, BufferedSystemRng::kDirectLimit + 1);
  EXPECT_NE(a, b);
  EXPECT_NE(draw(rng, 4096), Bytes(4096, 0));
  Bytes none;
  rng.fill(none);  // no bytes asked: nothing happens
  EXPECT_TRUE(none.empty());
}

TEST(BufferedRng, ThreadsGetDistinctBytes) {
  BufferedSystemRng rng;
  std::vector<std::vector<Bytes>> got(4);
  std::vector<std::thread> threads;
  for (auto& g : got) {
    threads.emplace_back([&rng, &g] {
      for (int i = 0; i < 200; ++i) g.push_back(draw(rng, 16));
    });
  }
  for (auto& t : threads) t.join();
  std::set<Bytes> seen;
  for (const auto& g : got) seen.insert(g.begin(), g.end());
  EXPECT_EQ(seen.size(), 800u);
}

// The parent has a buffer with unconsumed bytes when it forks; the child must not hand
// out the same bytes as the parent's next draw.
TEST(BufferedRng, ForkChildDoesNotRepeatTheParentsBytes) {
  BufferedSystemRng rng;
  (void)draw(rng, 1);  // loads this thread's buffer
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const Bytes c = draw(rng, 64);
    const bool ok = ::write(fds[1], c.data(), c.size()) == static_cast<ssize_t>(c.size());
    ::_exit(ok ? 0 : 1);
  }
  ::close(fds[1]);
  const Bytes p = draw(rng, 64);
  Bytes c(64);
  std::size_t got = 0;
  while (got < c.size()) {
    const ssize_t n = ::read(fds[0], c.data() + got, c.size() - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_EQ(got, c.size());
  EXPECT_NE(p, c);
}

}  // namespace
}  // namespace kb::crypto
