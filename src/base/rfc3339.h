// RFC 3339 timestamps, as the cloud's admin API speaks them and the admin tool sends them
// (KeyUpdatedOn, password expiry). Shared by both sides so that an instant printed by one
// parses to the same instant on the other.
#pragma once

#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"

namespace kb {

// RFC 3339 §5.6 date-time: "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)", 't'/'z' and a
// space separator accepted, leap second 60 refused, fraction kept to microseconds (at
// most 9 digits read). Instants outside years 0001..9999 in UTC are refused, so every
// accepted value prints back (format_rfc3339) and parses to itself.
// BaseErrc::kInvalidArgument on anything else; bounded (at most 40 characters read).
Result<SysTime> parse_rfc3339(std::string_view s);

// UTC with 'Z', microseconds only when non-zero: "2026-11-23T16:25:44Z".
std::string format_rfc3339(SysTime t);

}  // namespace kb
