#include "base/clock.h"

namespace kb {

SysTime SystemClock::now() const {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

}  // namespace kb
