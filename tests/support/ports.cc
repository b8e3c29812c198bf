#include "ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace kb::testing {

int free_port() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    int t = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    const bool bound = ::bind(t, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                       ::getsockname(t, reinterpret_cast<sockaddr*>(&a), &len) == 0;
    int u = ::socket(AF_INET, SOCK_DGRAM, 0);
    const bool udp_free = bound && ::bind(u, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(u);
    ::close(t);
    if (udp_free) return ntohs(a.sin_port);
  }
  return 0;
}

}  // namespace kb::testing
