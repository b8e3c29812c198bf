#include "base/rfc3339.h"

#include <chrono>
#include <cstdio>
#include <optional>

namespace kb {
namespace {

Error bad(std::string detail) {
  return Error(BaseErrc::kInvalidArgument, std::move(detail));
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads exactly `n` digits at s[pos].
std::optional<int> digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!is_digit(s[pos + i])) return std::nullopt;
    v = v * 10 + (s[pos + i] - '0');
  }
  return v;
}

}  // namespace

Result<SysTime> parse_rfc3339(std::string_view s) {
  using namespace std::chrono;
  if (s.size() < 20 || s.size() > 40) return bad("timestamp length");
  auto Y = digits(s, 0, 4), M = digits(s, 5, 2), D = digits(s, 8, 2);
  auto h = digits(s, 11, 2), m = digits(s, 14, 2), sec = digits(s, 17, 2);
  if (!Y || !M || !D || !h || !m || !sec || s[4] != '-' || s[7] != '-' || s[13] != ':' ||
      s[16] != ':' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')) {
    return bad("timestamp syntax");
  }
  const year_month_day ymd{year{*Y}, month{static_cast<unsigned>(*M)},
                           day{static_cast<unsigned>(*D)}};
  // RFC 3339 §5.7: seconds 60 only for a leap second, which a UTC instant cannot hold.
  if (!ymd.ok() || *h > 23 || *m > 59 || *sec > 59) return bad("timestamp out of range");
  std::size_t pos = 19;
  std::int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t n = 0;
    for (; pos < s.size() && is_digit(s[pos]); ++pos, ++n) {
      if (n < 6) micros = micros * 10 + (s[pos] - '0');
    }
    if (n == 0 || n > 9) return bad("timestamp fraction");
    for (std::size_t i = n; i < 6; ++i) micros *= 10;
  }
  std::int64_t offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    auto oh = digits(s, pos + 1, 2), om = digits(s, pos + 4, 2);
    if (!oh || !om || pos + 3 >= s.size() || s[pos + 3] != ':' || *oh > 23 || *om > 59) {
      return bad("timestamp offset");
    }
    offset_s = (*oh * 3600 + *om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad("timestamp offset missing");
  }
  if (pos != s.size()) return bad("timestamp trailing characters");
  const auto local = sys_days(ymd) + hours(*h) + minutes(*m) + seconds(*sec);
  const SysTime t(duration_cast<microseconds>(local.time_since_epoch()) - seconds(offset_s) +
                  microseconds(micros));
  static const SysTime kMin{sys_days(year{1} / January / 1).time_since_epoch()};
  static const SysTime kEnd{sys_days(year{10000} / January / 1).time_since_epoch()};
  if (t < kMin || t >= kEnd) return bad("timestamp out of range");
  return t;
}

std::string format_rfc3339(SysTime t) {
  using namespace std::chrono;
  const auto days = floor<std::chrono::days>(t);
  const year_month_day ymd{days};
  const hh_mm_ss<microseconds> tod{t - days};
  char buf[40];
  const long us = static_cast<long>(tod.subseconds().count());
  int n = std::snprintf(
      buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld", int(ymd.year()), unsigned(ymd.month()),
      unsigned(ymd.day()), static_cast<long>(tod.hours().count()),
      static_cast<long>(tod.minutes().count()), static_cast<long>(tod.seconds().count()));
  std::string out(buf, static_cast<std::size_t>(n));
  if (us != 0) {
    std::snprintf(buf, sizeof buf, ".%06ld", us);
    out += buf;
  }
  out += 'Z';
  return out;
}

}  // namespace kb
