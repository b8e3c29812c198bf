#include "cloud/service/admin_parse.h"

#include <chrono>
#include <set>

#include "base/base64.h"
#include "base/json.h"
#include "cloud/errors.h"

namespace kb::cloud::admin {
namespace {

namespace bj = boost::json;

Error bad(std::string detail) {
  return Error(CloudErrc::kBadRequest, std::move(detail));
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> member_text(const bj::object& o, std::string_view key, std::size_t max,
                                bool allow_empty = false) {
  std::string v = KB_TRY(json::get_string(o, key));
  KB_CHECK(check_text(key, v, max, allow_empty));
  return v;
}

Result<store::CloudUser> parse_user(const bj::value& v) {
  if (!v.is_object()) return bad("user entry is not an object");
  const bj::object& o = v.as_object();
  store::CloudUser u;
  u.source_anchor = KB_TRY(member_text(o, "source_anchor", 128));
  u.upn = KB_TRY(parse_upn(KB_TRY(json::get_string(o, "upn"))));
  u.domain = KB_TRY(parse_domain(KB_TRY(json::get_string(o, "domain"))));
  u.sam_account_name = KB_TRY(member_text(o, "sam_account_name", 20));
  // MS-ADTS §3.1.1.3.1.2.4 (sAMAccountName): none of "/\[]:;|=,+*?<>@ and no trailing '.'.
  for (char c : u.sam_account_name) {
    if (std::string_view("\"/\\[]:;|=,+*?<>@").find(c) != std::string_view::npos) {
      return bad("sam_account_name has a forbidden character");
    }
  }
  if (u.sam_account_name.back() == '.') return bad("sam_account_name ends with '.'");
  u.object_sid = KB_TRY(parse_sid(KB_TRY(json::get_string(o, "object_sid"))));
  u.enabled = KB_TRY(json::get_bool(o, "enabled"));
  const bj::value* pe = o.if_contains("password_expires_at");
  if (pe != nullptr && !pe->is_null()) {
    if (!pe->is_string()) return bad("password_expires_at is not a string");
    auto t = parse_rfc3339(std::string_view(pe->as_string()));
    if (!t) return bad("password_expires_at is not an RFC 3339 date-time");
    u.password_expires_at = *t;
  }
  const bj::value* dn = o.if_contains("display_name");
  if (dn != nullptr && !dn->is_null()) {
    u.display_name = KB_TRY(member_text(o, "display_name", 256, true));
  }
  return u;
}

Result<std::vector<Bytes>> aaguid_list(const bj::object& o, std::string_view key) {
  std::vector<Bytes> out;
  if (!o.contains(key)) return out;
  const bj::array* a = KB_TRY(json::get_array(o, key));
  if (a->size() > kMaxAaguidsPerList) return bad("too many AAGUIDs");
  for (const bj::value& v : *a) {
    if (!v.is_string()) return bad("AAGUID is not a string");
    out.push_back(KB_TRY(parse_aaguid(std::string_view(v.as_string()))));
  }
  return out;
}

}  // namespace

Result<void> check_text(std::string_view field, std::string_view s, std::size_t max,
                        bool allow_empty) {
  if ((s.empty() && !allow_empty) || s.size() > max) {
    return bad(std::string(field) + " has a bad length");
  }
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7f) return bad(std::string(field) + " has a control character");
  }
  return ok();  // UTF-8 validity is already enforced by the JSON parser
}

Result<std::string> parse_domain(std::string_view s) {
  if (s.empty() || s.size() > 253) return bad("domain length");
  std::size_t labels = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = s.find('.', start);
    const std::string_view label =
        s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return bad("domain label");
    }
    for (char c : label) {
      if (!is_alpha(c) && !is_digit(c) && c != '-') return bad("domain character");
    }
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (labels < 2) return bad("domain needs two labels");
  return store::ascii_lower(s);
}

Result<std::string> parse_upn(std::string_view s) {
  if (s.size() > 256) return bad("upn length");
  const std::size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return bad("upn local part");
  for (char c : s.substr(0, at)) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b >= 0x7f) return bad("upn character");
  }
  KB_CHECK(parse_domain(s.substr(at + 1)));  // also refuses a second '@'
  return std::string(s);
}

Result<std::string> parse_sid(std::string_view s) {
  if (s.size() > 184 || s.substr(0, 4) != "S-1-") return bad("sid prefix");
  std::size_t pos = 4;
  std::size_t parts = 0;
  while (true) {
    const std::size_t start = pos;
    std::uint64_t v = 0;
    while (pos < s.size() && is_digit(s[pos])) {
      if (pos - start >= 15) return bad("sid number too long");
      v = v * 10 + static_cast<std::uint64_t>(s[pos] - '0');
      ++pos;
    }
    if (pos == start || (s[start] == '0' && pos - start > 1)) return bad("sid number");
    if (parts == 0 ? v >= (std::uint64_t{1} << 48) : v > 0xffffffffULL) return bad("sid range");
    ++parts;
    if (pos == s.size()) break;
    if (s[pos] != '-') return bad("sid separator");
    ++pos;
  }
  if (parts < 2 || parts > 16) return bad("sid sub-authority count");
  return std::string(s);
}

Result<Bytes> parse_aaguid(std::string_view s) {
  std::string hex;
  if (s.size() == 36) {
    for (std::size_t i = 0; i < s.size(); ++i) {
      const bool dash_pos = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash_pos != (s[i] == '-')) return bad("aaguid syntax");
      if (!dash_pos) hex += s[i];
    }
  } else if (s.size() == 32) {
    hex = std::string(s);
  } else {
    return bad("aaguid length");
  }
  Bytes out(16);
  for (std::size_t i = 0; i < 16; ++i) {
    const int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return bad("aaguid hex");
    out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return out;
}

std::string format_aaguid(ByteView a) {
  const std::string h = hex_encode(a);
  if (h.size() != 32) return h;
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

Result<std::vector<store::CloudUser>> parse_user_upserts(std::string_view body) {
  const bj::value v = KB_TRY(json::parse(body, {.max_bytes = 4 << 20, .max_depth = 4}));
  if (!v.is_array()) return bad("users body is not an array");
  const bj::array& a = v.as_array();
  if (a.empty() || a.size() > kMaxUsersPerRequest) return bad("users array size");
  std::vector<store::CloudUser> out;
  out.reserve(a.size());
  std::set<std::string> anchors, upns;
  for (const bj::value& e : a) {
    store::CloudUser u = KB_TRY(parse_user(e));
    if (!anchors.insert(u.source_anchor).second) return bad("duplicate source_anchor");
    if (!upns.insert(store::ascii_lower(u.upn)).second) return bad("duplicate upn");
    out.push_back(std::move(u));
  }
  return out;
}

Result<std::vector<std::string>> parse_anchor_list(std::string_view body) {
  const bj::object o = KB_TRY(json::parse_object(body, {.max_bytes = 1 << 20, .max_depth = 3}));
  const bj::array* a = KB_TRY(json::get_array(o, "source_anchors"));
  if (a->empty() || a->size() > kMaxUsersPerRequest) return bad("source_anchors size");
  std::vector<std::string> out;
  for (const bj::value& v : *a) {
    if (!v.is_string()) return bad("source anchor is not a string");
    const std::string_view s(v.as_string());
    KB_CHECK(check_text("source_anchor", s, 128));
    out.emplace_back(s);
  }
  return out;
}

Result<store::TenantPolicy> parse_policy(std::string_view body) {
  const bj::object o = KB_TRY(json::parse_object(body, {.max_bytes = 64 << 10, .max_depth = 3}));
  static constexpr std::string_view kKnown[] = {
      "require_attestation", "require_user_verification",    "aaguid_allow",
      "aaguid_block",        "tap_default_lifetime_seconds", "tap_default_one_time",
      "prt_lifetime_seconds"};
  for (const auto& kv : o) {
    bool known = false;
    for (auto k : kKnown) known = known || kv.key() == k;
    if (!known) return bad("unknown policy member");
  }
  store::TenantPolicy p;
  if (o.contains("require_attestation")) {
    p.require_attestation = KB_TRY(json::get_bool(o, "require_attestation"));
  }
  if (o.contains("require_user_verification")) {
    p.require_user_verification = KB_TRY(json::get_bool(o, "require_user_verification"));
  }
  p.aaguid_allow = KB_TRY(aaguid_list(o, "aaguid_allow"));
  p.aaguid_block = KB_TRY(aaguid_list(o, "aaguid_block"));
  p.tap_default_lifetime_s = KB_TRY(get_int_in(o, "tap_default_lifetime_seconds", kMinPassLifetimeS,
                                               kMaxPassLifetimeS, p.tap_default_lifetime_s));
  if (o.contains("tap_default_one_time")) {
    p.tap_default_one_time = KB_TRY(json::get_bool(o, "tap_default_one_time"));
  }
  p.prt_lifetime_s = KB_TRY(
      get_int_in(o, "prt_lifetime_seconds", kMinPrtLifetimeS, kMaxPrtLifetimeS, p.prt_lifetime_s));
  return p;
}

Result<std::int64_t> get_int_in(const bj::object& o, std::string_view key, std::int64_t lo,
                                std::int64_t hi, std::optional<std::int64_t> fallback) {
  if (fallback && !o.contains(key)) return *fallback;
  const std::int64_t v = KB_TRY(json::get_int(o, key));
  if (v < lo || v > hi) return bad(std::string(key) + " out of range");
  return v;
}

Result<std::optional<SysTime>> get_optional_time(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<SysTime>();
  if (!v->is_string()) return bad(std::string(key) + " is not a string");
  auto t = parse_rfc3339(std::string_view(v->as_string()));
  if (!t) return bad(std::string(key) + " is not an RFC 3339 date-time");
  return std::optional<SysTime>(*t);
}

Result<Bytes> get_base64(const bj::object& o, std::string_view key) {
  const std::string s = KB_TRY(json::get_string(o, key));
  if (s.size() > 1024) return bad(std::string(key) + " too long");
  if (auto b = base64_decode(s)) return std::move(*b);
  if (auto b = base64url_decode(s)) return std::move(*b);
  return bad(std::string(key) + " is not base64");
}

}  // namespace kb::cloud::admin
