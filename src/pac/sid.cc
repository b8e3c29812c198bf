#include "pac/sid.h"

#include <charconv>
#include <cstdio>

namespace kb::pac {

namespace {

constexpr std::uint8_t kSidRevision = 1;

// Parses one decimal (or 0x-hex when allow_hex) component in full; no sign, no empties.
bool parse_number(std::string_view s, bool allow_hex, std::uint64_t max, std::uint64_t* out) {
  int base = 10;
  if (allow_hex && s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    base = 16;
  }
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    bool digit = (c >= '0' && c <= '9') ||
                 (base == 16 && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
    if (!digit) return false;
  }
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size() || v > max) return false;
  *out = v;
  return true;
}

}  // namespace

bool Sid::valid() const {
  return authority <= kMaxAuthority && sub_authorities.size() <= kMaxSubAuthorities;
}

Result<Sid> Sid::parse(std::string_view text) {
  if (text.size() < 4 || (text[0] != 'S' && text[0] != 's') || text[1] != '-') {
    return Error(Errc::kBadSid, "SID string must start with S-");
  }
  text.remove_prefix(2);
  std::vector<std::string_view> parts;
  while (true) {
    auto dash = text.find('-');
    parts.push_back(text.substr(0, dash));
    if (dash == std::string_view::npos) break;
    text.remove_prefix(dash + 1);
  }
  if (parts.size() < 2 || parts.size() - 2 > kMaxSubAuthorities) {
    return Error(Errc::kBadSid, "SID string needs a revision, an authority and <= 15 RIDs");
  }
  std::uint64_t v = 0;
  if (!parse_number(parts[0], false, 0xff, &v) || v != kSidRevision) {
    return Error(Errc::kBadSid, "SID revision must be 1");
  }
  Sid sid;
  if (!parse_number(parts[1], true, kMaxAuthority, &sid.authority)) {
    return Error(Errc::kBadSid, "bad SID identifier authority");
  }
  for (std::size_t i = 2; i < parts.size(); ++i) {
    if (!parse_number(parts[i], false, 0xffffffffu, &v)) {
      return Error(Errc::kBadSid, "bad SID sub-authority");
    }
    sid.sub_authorities.push_back(static_cast<std::uint32_t>(v));
  }
  return sid;
}

std::string Sid::to_string() const {
  std::string out = "S-1-";
  if (authority >= (std::uint64_t{1} << 32)) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%012llX", static_cast<unsigned long long>(authority));
    out += buf;
  } else {
    out += std::to_string(authority);
  }
  for (std::uint32_t s : sub_authorities) {
    out += '-';
    out += std::to_string(s);
  }
  return out;
}

Sid Sid::read_raw(LeReader& r) {
  Sid sid;
  std::uint8_t revision = r.u8();
  std::uint8_t n = r.u8();
  ByteView auth = r.bytes(6);
  if (!r.ok()) return sid;
  if (revision != kSidRevision) {
    r.fail(Errc::kBadSid, "SID revision must be 1");
    return sid;
  }
  if (n > kMaxSubAuthorities) {
    r.fail(Errc::kBadSid, "more than 15 sub-authorities");
    return sid;
  }
  for (std::uint8_t b : auth) sid.authority = (sid.authority << 8) | b;
  sid.sub_authorities.reserve(n);
  for (std::uint8_t i = 0; i < n && r.ok(); ++i) {
    // Raw SIDs have no alignment: read bytes, not an aligned u32.
    ByteView b = r.bytes(4);
    if (!r.ok()) break;
    sid.sub_authorities.push_back(static_cast<std::uint32_t>(b[0] | (b[1] << 8) | (b[2] << 16)) |
                                  (static_cast<std::uint32_t>(b[3]) << 24));
  }
  return sid;
}

Result<Sid> Sid::from_raw(ByteView raw) {
  LeReader r(raw);
  Sid sid = read_raw(r);
  KB_CHECK(r.finish());
  return sid;
}

Sid Sid::read_ndr(LeReader& r) {
  std::uint32_t conformance = r.u32();
  Sid sid = read_raw(r);
  if (r.ok() && conformance != sid.sub_authorities.size()) {
    r.fail(Errc::kBadNdrCount, "RPC_SID conformance disagrees with SubAuthorityCount");
  }
  return sid;
}

Bytes Sid::to_raw() const {
  LeWriter w;
  write_raw(w);
  return w.take();
}

void Sid::write_raw(LeWriter& w) const {
  w.u8(kSidRevision);
  w.u8(static_cast<std::uint8_t>(sub_authorities.size()));
  for (int s = 40; s >= 0; s -= 8) w.u8(static_cast<std::uint8_t>(authority >> s));
  // Little-endian and unaligned, as the raw SID layout has them (MS-DTYP 2.4.2.2).
  for (std::uint32_t v : sub_authorities) {
    const std::uint8_t le[4] = {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
                                static_cast<std::uint8_t>(v >> 16),
                                static_cast<std::uint8_t>(v >> 24)};
    w.bytes(le);
  }
}

void Sid::write_ndr(LeWriter& w) const {
  w.u32(static_cast<std::uint32_t>(sub_authorities.size()));
  write_raw(w);
}

Sid Sid::with_rid(std::uint32_t rid) const {
  Sid out = *this;
  out.sub_authorities.push_back(rid);
  return out;
}

Result<std::uint32_t> Sid::rid() const {
  if (sub_authorities.empty()) return Error(Errc::kBadSid, "SID has no RID");
  return sub_authorities.back();
}

Result<Sid> Sid::domain() const {
  if (sub_authorities.empty()) return Error(Errc::kBadSid, "SID has no RID");
  Sid out = *this;
  out.sub_authorities.pop_back();
  return out;
}

}  // namespace kb::pac
