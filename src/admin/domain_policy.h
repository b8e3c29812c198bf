// The domain's account lockout policy as `keybridge dc policy` sets and shows it: AD's
// lockoutThreshold, lockoutDuration and lockOutObservationWindow, with AD's limits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "admin/directory_admin.h"

namespace kb::admin {

// A duration as an admin types it: "30m", "90s", "2h", "1d", or a bare number of minutes
// (the unit AD's Group Policy editor uses). kInvalidArgument otherwise.
Result<std::int64_t> parse_duration(std::string_view text);
// "30m", "1h30m", "0" (seconds that are not whole minutes print as "90s").
std::string format_duration(std::int64_t seconds);

struct LockoutPolicyChange {
  std::optional<std::uint32_t> threshold;
  std::optional<std::int64_t> duration_s;  // 0 = until an administrator unlocks
  std::optional<std::int64_t> observation_window_s;
};

// Applies the given fields in one transaction and returns the domain as stored. Refused
// (kInvalidArgument), as AD's Group Policy editor refuses them: a threshold above 999, a
// duration or window above 99999 minutes, a window under one minute, and a window longer
// than a non-zero duration (a count that outlives the lockout would re-lock at once).
Result<store::Domain> set_lockout_policy(Dc& dc, const LockoutPolicyChange& change);

// Multi-line "name: value" text of the domain's password, ticket and lockout policy.
std::string describe_policy(const store::Domain& d);

}  // namespace kb::admin
