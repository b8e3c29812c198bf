// Shared body of the Kerberos message fuzz targets: decode; when that succeeds, encode,
// decode again and require the same value and a stable encoding (abort otherwise).
#pragma once

#include <cstdint>
#include <cstdlib>

#include "krb5/messages.h"

namespace kb::krb5::fuzz {

template <typename T>
void round_trip(const std::uint8_t* data, std::size_t size) {
  auto v = der::decode<T>(ByteView(data, size));
  if (!v) return;
  const Bytes first = der::encode(*v);
  auto again = der::decode<T>(first);
  if (!again) std::abort();           // we produced something we cannot read
  if (!(*again == *v)) std::abort();  // the value changed on the way
  if (der::encode(*again) != first) std::abort();
}

}  // namespace kb::krb5::fuzz

#define KB_KRB5_FUZZ_TARGET(...)                                                      \
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { \
    __VA_ARGS__;                                                                      \
    return 0;                                                                         \
  }
