#include "der/types.h"

#include <algorithm>
#include <chrono>

#include "der/errc.h"

namespace kb::der {
namespace {

bool digits(ByteView c, std::size_t from, std::size_t n, int& out) {
  out = 0;
  for (std::size_t i = from; i < from + n; ++i) {
    if (c[i] < '0' || c[i] > '9') return false;
    out = out * 10 + (c[i] - '0');
  }
  return true;
}

}  // namespace

GeneralizedTime GeneralizedTime::from_sys(SysTime t) {
  return {std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count()};
}

SysTime GeneralizedTime::to_sys() const {
  return SysTime(std::chrono::seconds(unix_seconds));
}

Result<GeneralizedTime> parse_generalized_time(ByteView c) {
  // RFC 4120 5.2.3: exactly YYYYMMDDHHMMSSZ; no fraction, no offset, no local time.
  if (c.size() != 15 || c[14] != 'Z') {
    return Error(Errc::kBadTime, "KerberosTime must be YYYYMMDDHHMMSSZ");
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!digits(c, 0, 4, y) || !digits(c, 4, 2, mo) || !digits(c, 6, 2, d) || !digits(c, 8, 2, h) ||
      !digits(c, 10, 2, mi) || !digits(c, 12, 2, s)) {
    return Error(Errc::kBadTime, "non-digit in time");
  }
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) {
    return Error(Errc::kBadTime, "invalid date or time of day");
  }
  const auto days = sys_days(ymd).time_since_epoch().count();
  return GeneralizedTime{static_cast<std::int64_t>(days) * 86400 + h * 3600 + mi * 60 + s};
}

std::string format_generalized_time(GeneralizedTime t) {
  using namespace std::chrono;
  constexpr std::int64_t kMin = -62167219200;  // 0000-01-01T00:00:00Z
  constexpr std::int64_t kMax = 253402300799;  // 9999-12-31T23:59:59Z
  const std::int64_t secs = std::clamp(t.unix_seconds, kMin, kMax);
  const sys_seconds tp{seconds{secs}};
  const auto dp = floor<days>(tp);
  const year_month_day ymd{dp};
  const hh_mm_ss hms{tp - dp};
  auto put = [](std::string& out, long v, int width) {
    std::string digits_str(static_cast<std::size_t>(width), '0');
    for (int i = width - 1; i >= 0; --i) {
      digits_str[static_cast<std::size_t>(i)] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    out += digits_str;
  };
  std::string out;
  put(out, static_cast<int>(ymd.year()), 4);
  put(out, static_cast<long>(static_cast<unsigned>(ymd.month())), 2);
  put(out, static_cast<long>(static_cast<unsigned>(ymd.day())), 2);
  put(out, hms.hours().count(), 2);
  put(out, hms.minutes().count(), 2);
  put(out, static_cast<long>(hms.seconds().count()), 2);
  out += 'Z';
  return out;
}

Result<BitString> parse_bit_string(ByteView c) {
  // X.690 8.6.2 and 11.2: initial octet 0..7, 0 when there are no bits, unused bits zero.
  if (c.empty()) return Error(Errc::kBadBitString, "missing unused-bits octet");
  const std::uint8_t unused = c[0];
  if (unused > 7) return Error(Errc::kBadBitString, "unused-bits octet > 7");
  if (c.size() == 1 && unused != 0)
    return Error(Errc::kBadBitString, "unused bits in empty string");
  if (unused != 0 && (c.back() & ((1u << unused) - 1)) != 0) {
    return Error(Errc::kBadBitString, "unused bits not zero");
  }
  BitString out;
  out.octets.assign(c.begin() + 1, c.end());
  out.unused_bits = unused;
  return out;
}

}  // namespace kb::der
