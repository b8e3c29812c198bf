// Validation of admin API input (bodies synced from on-prem, policy documents, path
// segments) and the RFC 3339 timestamps the API speaks. Every function is bounded and
// returns CloudErrc::kBadRequest (or a kb_json error) instead of throwing; the detail
// names the field for logs and is never sent to the client (problem_for).
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/rfc3339.h"
#include "store/cloud.h"

namespace kb::cloud::admin {

inline constexpr std::size_t kMaxUsersPerRequest = 1000;
inline constexpr std::size_t kMaxAaguidsPerList = 256;
inline constexpr std::int64_t kMinPassLifetimeS = 60;
inline constexpr std::int64_t kMaxPassLifetimeS = 30 * 86400;
inline constexpr std::int64_t kMinPrtLifetimeS = 3600;
inline constexpr std::int64_t kMaxPrtLifetimeS = 90 * 86400;

// RFC 3339 timestamps: the shared helpers of base/rfc3339.h, under the names this
// namespace's callers use.
using kb::format_rfc3339;
using kb::parse_rfc3339;

// A DNS domain name (RFC 1035 §2.3.1 letters, digits, hyphens; labels 1..63, total
// <= 253, at least two labels), returned lower-case.
Result<std::string> parse_domain(std::string_view s);
// userPrincipalName "local@domain": local part 1..64 printable ASCII without spaces or
// '@', domain as parse_domain, total <= 256. Returned as given (the store compares
// case-insensitively).
Result<std::string> parse_upn(std::string_view s);
// A Windows SID in its string form "S-1-<authority>-<sub>..." (MS-DTYP §2.4.2.1): revision
// 1, authority < 2^48, 1..15 sub-authorities each < 2^32, decimal without leading zeros.
Result<std::string> parse_sid(std::string_view s);
// An AAGUID as 32 hex digits or the 8-4-4-4-12 UUID form; 16 bytes.
Result<Bytes> parse_aaguid(std::string_view s);
std::string format_aaguid(ByteView aaguid);

// The body of PUT /api/v1/users: a JSON array of user objects. Ids are left empty (the
// caller assigns them); tenant_id empty. Duplicate anchors or UPNs (case-insensitive) in
// one request are refused.
Result<std::vector<store::CloudUser>> parse_user_upserts(std::string_view body);
// The body of POST /api/v1/users/delete: {"source_anchors": [...]}.
Result<std::vector<std::string>> parse_anchor_list(std::string_view body);
// The body of PUT /api/v1/policy: every field optional, absent ones take the defaults of
// store::TenantPolicy.
Result<store::TenantPolicy> parse_policy(std::string_view body);

// A printable-ASCII (0x20..0x7e) or UTF-8 text without control characters, 1..max bytes
// (0..max when allow_empty).
Result<void> check_text(std::string_view field, std::string_view s, std::size_t max,
                        bool allow_empty = false);

// An integer member in [lo, hi], or `fallback` when absent.
Result<std::int64_t> get_int_in(const boost::json::object& o, std::string_view key, std::int64_t lo,
                                std::int64_t hi,
                                std::optional<std::int64_t> fallback = std::nullopt);
// An RFC 3339 string member as an instant; nullopt when the member is absent or null.
Result<std::optional<SysTime>> get_optional_time(const boost::json::object& o,
                                                 std::string_view key);
// A base64 (RFC 4648 §4) or base64url (§5) string member decoded.
Result<Bytes> get_base64(const boost::json::object& o, std::string_view key);

}  // namespace kb::cloud::admin
