#include "admin/domain_policy.h"

#include <charconv>

namespace kb::admin {
namespace {

constexpr std::int64_t kMaxMinutes = 99999;  // AD's limit for duration and window
constexpr std::uint32_t kMaxThreshold = 999;

Error invalid(std::string what) {
  return Error(store::Errc::kInvalidArgument, std::move(what));
}

Result<void> check(const store::Domain& d) {
  if (d.lockout_threshold > kMaxThreshold) return invalid("lockout threshold is at most 999");
  if (d.lockout_duration_s < 0 || d.lockout_duration_s > kMaxMinutes * 60)
    return invalid("lockout duration is 0 (until unlocked) to 99999 minutes");
  if (d.lockout_observation_window_s < 60 || d.lockout_observation_window_s > kMaxMinutes * 60)
    return invalid("observation window is 1 to 99999 minutes");
  if (d.lockout_duration_s != 0 && d.lockout_observation_window_s > d.lockout_duration_s)
    return invalid("the observation window must not be longer than the lockout duration");
  return ok();
}

}  // namespace

Result<std::int64_t> parse_duration(std::string_view text) {
  std::int64_t n = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, n);
  if (ec != std::errc() || p == text.data() || n < 0 || n > 10 * kMaxMinutes * 86400)
    return invalid("not a duration: " + std::string(text) + " (e.g. 30m, 90s, 2h, 1d)");
  const std::string_view unit(p, static_cast<std::size_t>(end - p));
  std::int64_t scale = 0;
  if (unit.empty() || unit == "m") scale = 60;
  if (unit == "s") scale = 1;
  if (unit == "h") scale = 3600;
  if (unit == "d") scale = 86400;
  if (scale == 0) return invalid("unknown duration unit in " + std::string(text));
  return n * scale;
}

std::string format_duration(std::int64_t s) {
  if (s == 0) return "0";
  if (s % 60 != 0) return std::to_string(s) + "s";
  if (s % 86400 == 0) return std::to_string(s / 86400) + "d";
  const std::int64_t h = s / 3600;
  const std::int64_t m = (s % 3600) / 60;
  std::string out;
  if (h != 0) out += std::to_string(h) + "h";
  if (m != 0) out += std::to_string(m) + "m";
  return out;
}

Result<store::Domain> set_lockout_policy(Dc& dc, const LockoutPolicyChange& change) {
  store::Domain out;
  KB_CHECK(dc.store->transact([&](store::DirectoryTxn& t) -> Result<void> {
    auto d = KB_TRY(t.domain());
    if (!d) return Error(store::Errc::kNotFound, "the directory holds no domain");
    if (change.threshold) d->lockout_threshold = *change.threshold;
    if (change.duration_s) d->lockout_duration_s = *change.duration_s;
    if (change.observation_window_s) d->lockout_observation_window_s = *change.observation_window_s;
    KB_CHECK(check(*d));
    KB_CHECK(t.put_domain(*d));
    out = std::move(*d);
    return ok();
  }));
  dc.domain = out;
  return out;
}

std::string describe_policy(const store::Domain& d) {
  std::string out;
  auto line = [&](std::string_view name, const std::string& value) {
    out.append(name).append(": ").append(value).append("\n");
  };
  line("maximum password age",
       d.max_password_age_s == 0 ? "never expires" : format_duration(d.max_password_age_s));
  line("maximum ticket lifetime", format_duration(d.max_ticket_lifetime_s));
  line("maximum renewal lifetime", format_duration(d.max_renew_lifetime_s));
  line("maximum clock skew", format_duration(d.max_clock_skew_s));
  line("lockout threshold", d.lockout_threshold == 0 ? "0 (accounts are never locked out)"
                                                     : std::to_string(d.lockout_threshold));
  line("lockout duration", d.lockout_duration_s == 0 ? "0 (until an administrator unlocks)"
                                                     : format_duration(d.lockout_duration_s));
  line("lockout observation window", format_duration(d.lockout_observation_window_s));
  return out;
}

}  // namespace kb::admin
