#include "pac/logon_info.h"

#include <limits>

#include "pac/ndr.h"

namespace kb::pac {

namespace {

// RPC_UNICODE_STRING's inline part (MS-DTYP 2.3.10).
struct UnicodeStringHead {
  std::uint16_t length = 0;
  std::uint16_t maximum_length = 0;
  std::uint32_t pointer = 0;
};

FileTime read_filetime(LeReader& r) {
  // MS-PAC 2.2.1 FILETIME is two DWORDs (4-byte aligned), low part first.
  std::uint64_t low = r.u32();
  std::uint64_t high = r.u32();
  return (high << 32) | low;
}

void write_filetime(LeWriter& w, FileTime t) {
  w.u32(static_cast<std::uint32_t>(t));
  w.u32(static_cast<std::uint32_t>(t >> 32));
}

UnicodeStringHead read_string_head(LeReader& r) {
  UnicodeStringHead h;
  h.length = r.u16();
  h.maximum_length = r.u16();
  h.pointer = r.u32();
  return h;
}

// The deferred conformant varying array: [size_is(MaximumLength/2), length_is(Length/2)].
void read_string_body(LeReader& r, const UnicodeStringHead& h, std::string* out) {
  if (!r.ok()) return;
  if (h.length % 2 != 0 || h.maximum_length % 2 != 0 || h.length > h.maximum_length) {
    r.fail(Errc::kBadNdrString, "RPC_UNICODE_STRING lengths inconsistent");
    return;
  }
  if (h.pointer == 0) {
    if (h.length != 0) r.fail(Errc::kBadNdrPointer, "null string buffer with a length");
    return;
  }
  std::uint32_t max_count = r.u32();
  std::uint32_t offset = r.u32();
  std::uint32_t actual = r.count(2);
  if (!r.ok()) return;
  if (offset != 0 || std::uint64_t{max_count} * 2 != h.maximum_length ||
      std::uint64_t{actual} * 2 != h.length) {
    r.fail(Errc::kBadNdrString, "conformant varying string disagrees with its header");
    return;
  }
  ByteView chars = r.bytes(std::size_t{actual} * 2);
  if (!r.ok()) return;
  auto s = utf16le_to_utf8(chars);
  if (!s) {
    r.fail(Errc::kBadUtf16, "string is not valid UTF-16");
    return;
  }
  *out = std::move(*s);
}

void read_groups(LeReader& r, std::uint32_t count, std::uint32_t pointer,
                 std::vector<GroupMembership>* out) {
  if (!r.ok()) return;
  if (pointer == 0) {
    if (count != 0) r.fail(Errc::kBadNdrPointer, "null group array with a count");
    return;
  }
  std::uint32_t n = r.count(8);
  if (r.ok() && n != count) r.fail(Errc::kBadNdrCount, "group array conformance != count");
  if (!r.ok()) return;
  out->reserve(n);
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    GroupMembership g;
    g.relative_id = r.u32();
    g.attributes = r.u32();
    out->push_back(g);
  }
}

void read_extra_sids(LeReader& r, std::uint32_t count, std::uint32_t pointer,
                     std::vector<SidAndAttributes>* out) {
  if (!r.ok()) return;
  if (pointer == 0) {
    if (count != 0) r.fail(Errc::kBadNdrPointer, "null ExtraSids with a SidCount");
    return;
  }
  std::uint32_t n = r.count(8);
  if (r.ok() && n != count) r.fail(Errc::kBadNdrCount, "ExtraSids conformance != SidCount");
  if (!r.ok()) return;
  out->resize(n);  // bounded: n * 8 bytes are known to follow
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    if (r.u32() == 0) r.fail(Errc::kBadNdrPointer, "null SID in ExtraSids");
    (*out)[i].attributes = r.u32();
  }
  // The SIDs are the array elements' deferred referents, in element order.
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) (*out)[i].sid = Sid::read_ndr(r);
}

std::optional<Sid> read_optional_sid(LeReader& r, std::uint32_t pointer) {
  if (pointer == 0 || !r.ok()) return std::nullopt;
  Sid s = Sid::read_ndr(r);
  if (!r.ok()) return std::nullopt;
  return s;
}

}  // namespace

Result<Sid> KerbValidationInfo::user_sid() const {
  if (!logon_domain_id) return Error(Errc::kBadSid, "LOGON_INFO has no LogonDomainId");
  return logon_domain_id->with_rid(user_id);
}

Result<KerbValidationInfo> parse_logon_info(ByteView buffer) {
  ByteView object = KB_TRY(open_type_serialization(buffer));
  LeReader r(object, Alignment::kNdr);
  KerbValidationInfo v;
  if (r.u32() == 0 && r.ok()) r.fail(Errc::kBadNdrPointer, "null top-level pointer");
  v.logon_time = read_filetime(r);
  v.logoff_time = read_filetime(r);
  v.kick_off_time = read_filetime(r);
  v.password_last_set = read_filetime(r);
  v.password_can_change = read_filetime(r);
  v.password_must_change = read_filetime(r);
  std::array<UnicodeStringHead, 6> names;
  for (auto& h : names) h = read_string_head(r);
  v.logon_count = r.u16();
  v.bad_password_count = r.u16();
  v.user_id = r.u32();
  v.primary_group_id = r.u32();
  std::uint32_t group_count = r.u32();
  std::uint32_t group_ptr = r.u32();
  v.user_flags = r.u32();
  ByteView key = r.bytes(16);
  if (r.ok()) std::copy(key.begin(), key.end(), v.user_session_key.begin());
  UnicodeStringHead logon_server = read_string_head(r);
  UnicodeStringHead logon_domain_name = read_string_head(r);
  std::uint32_t domain_id_ptr = r.u32();
  v.reserved1[0] = r.u32();
  v.reserved1[1] = r.u32();
  v.user_account_control = r.u32();
  v.sub_auth_status = r.u32();
  v.last_successful_i_logon = read_filetime(r);
  v.last_failed_i_logon = read_filetime(r);
  v.failed_i_logon_count = r.u32();
  v.reserved3 = r.u32();
  std::uint32_t sid_count = r.u32();
  std::uint32_t extra_sids_ptr = r.u32();
  std::uint32_t resource_domain_ptr = r.u32();
  std::uint32_t resource_count = r.u32();
  std::uint32_t resource_ptr = r.u32();

  // Deferred referents, in field order (NDR 14.3.12.3).
  read_string_body(r, names[0], &v.effective_name);
  read_string_body(r, names[1], &v.full_name);
  read_string_body(r, names[2], &v.logon_script);
  read_string_body(r, names[3], &v.profile_path);
  read_string_body(r, names[4], &v.home_directory);
  read_string_body(r, names[5], &v.home_directory_drive);
  read_groups(r, group_count, group_ptr, &v.group_ids);
  read_string_body(r, logon_server, &v.logon_server);
  read_string_body(r, logon_domain_name, &v.logon_domain_name);
  v.logon_domain_id = read_optional_sid(r, domain_id_ptr);
  read_extra_sids(r, sid_count, extra_sids_ptr, &v.extra_sids);
  v.resource_group_domain_sid = read_optional_sid(r, resource_domain_ptr);
  read_groups(r, resource_count, resource_ptr, &v.resource_group_ids);
  KB_CHECK(r.finish(7));
  return v;
}

namespace {

// Encodes the inline part and returns the UTF-16 body for the deferred part.
Result<Bytes> write_string_head(LeWriter& w, const std::string& s) {
  Bytes utf16 = KB_TRY(utf8_to_utf16le(s));
  if (utf16.size() > 0xfffe) return Error(Errc::kInvalidArgument, "string too long for NDR");
  auto len = static_cast<std::uint16_t>(utf16.size());
  w.u16(len);
  w.u16(len);
  w.pointer(true);  // Windows and Samba send a buffer even for empty strings
  return utf16;
}

void write_string_body(LeWriter& w, const Bytes& utf16) {
  auto units = static_cast<std::uint32_t>(utf16.size() / 2);
  w.u32(units);
  w.u32(0);
  w.u32(units);
  w.bytes(utf16);
}

Result<std::uint32_t> checked_count(std::size_t n) {
  if (n > (std::size_t{1} << 20)) return Error(Errc::kInvalidArgument, "too many elements");
  return static_cast<std::uint32_t>(n);
}

Result<void> check_sid(const std::optional<Sid>& s) {
  if (s && !s->valid()) return Error(Errc::kInvalidArgument, "SID out of range");
  return kb::ok();
}

void write_groups(LeWriter& w, const std::vector<GroupMembership>& groups) {
  if (groups.empty()) return;
  w.u32(static_cast<std::uint32_t>(groups.size()));
  for (const auto& g : groups) {
    w.u32(g.relative_id);
    w.u32(g.attributes);
  }
}

// Checks what the NDR form cannot carry before anything is written.
Result<void> check_builder_input(const KerbValidationInfo& v) {
  KB_CHECK(check_sid(v.logon_domain_id));
  KB_CHECK(check_sid(v.resource_group_domain_sid));
  for (const auto& s : v.extra_sids) KB_CHECK(check_sid(s.sid));
  KB_CHECK(checked_count(v.group_ids.size()));
  KB_CHECK(checked_count(v.extra_sids.size()));
  KB_CHECK(checked_count(v.resource_group_ids.size()));
  return kb::ok();
}

// MS-PAC 2.5: UserFlags D (0x20) and H (0x200) announce ExtraSids and resource groups.
std::uint32_t derived_user_flags(const KerbValidationInfo& v) {
  std::uint32_t flags = v.user_flags;
  if (!v.extra_sids.empty()) flags |= kUserFlagExtraSids;
  if (v.resource_group_domain_sid || !v.resource_group_ids.empty()) {
    flags |= kUserFlagResourceGroups;
  }
  return flags;
}

// The UTF-16 bodies of the eight strings, kept for the deferred part.
struct StringBodies {
  std::array<Bytes, 6> names;
  Bytes logon_server;
  Bytes logon_domain_name;
};

Result<StringBodies> write_fixed_part(LeWriter& w, const KerbValidationInfo& v) {
  StringBodies bodies;
  w.pointer(true);  // top-level referent of the serialized type
  for (FileTime t : {v.logon_time, v.logoff_time, v.kick_off_time, v.password_last_set,
                     v.password_can_change, v.password_must_change}) {
    write_filetime(w, t);
  }
  const std::string* names[6] = {&v.effective_name, &v.full_name,      &v.logon_script,
                                 &v.profile_path,   &v.home_directory, &v.home_directory_drive};
  for (std::size_t i = 0; i < 6; ++i) bodies.names[i] = KB_TRY(write_string_head(w, *names[i]));
  w.u16(v.logon_count);
  w.u16(v.bad_password_count);
  w.u32(v.user_id);
  w.u32(v.primary_group_id);
  w.u32(static_cast<std::uint32_t>(v.group_ids.size()));
  w.pointer(!v.group_ids.empty());
  w.u32(derived_user_flags(v));
  w.bytes(v.user_session_key);
  bodies.logon_server = KB_TRY(write_string_head(w, v.logon_server));
  bodies.logon_domain_name = KB_TRY(write_string_head(w, v.logon_domain_name));
  w.pointer(v.logon_domain_id.has_value());
  w.u32(v.reserved1[0]);
  w.u32(v.reserved1[1]);
  w.u32(v.user_account_control);
  w.u32(v.sub_auth_status);
  write_filetime(w, v.last_successful_i_logon);
  write_filetime(w, v.last_failed_i_logon);
  w.u32(v.failed_i_logon_count);
  w.u32(v.reserved3);
  w.u32(static_cast<std::uint32_t>(v.extra_sids.size()));
  w.pointer(!v.extra_sids.empty());
  w.pointer(v.resource_group_domain_sid.has_value());
  w.u32(static_cast<std::uint32_t>(v.resource_group_ids.size()));
  w.pointer(!v.resource_group_ids.empty());
  return bodies;
}

// Deferred referents in field order (NDR 14.3.12.3), matching write_fixed_part's pointers.
void write_deferred_part(LeWriter& w, const KerbValidationInfo& v, const StringBodies& bodies) {
  for (const auto& n : bodies.names) write_string_body(w, n);
  write_groups(w, v.group_ids);
  write_string_body(w, bodies.logon_server);
  write_string_body(w, bodies.logon_domain_name);
  if (v.logon_domain_id) v.logon_domain_id->write_ndr(w);
  if (!v.extra_sids.empty()) {
    w.u32(static_cast<std::uint32_t>(v.extra_sids.size()));
    for (const auto& s : v.extra_sids) {
      w.pointer(true);
      w.u32(s.attributes);
    }
    for (const auto& s : v.extra_sids) s.sid.write_ndr(w);
  }
  if (v.resource_group_domain_sid) v.resource_group_domain_sid->write_ndr(w);
  write_groups(w, v.resource_group_ids);
}

}  // namespace

Result<Bytes> build_logon_info(const KerbValidationInfo& v) {
  KB_CHECK(check_builder_input(v));
  LeWriter w(Alignment::kNdr);
  StringBodies bodies = KB_TRY(write_fixed_part(w, v));
  write_deferred_part(w, v, bodies);
  return wrap_type_serialization(w.take());
}

}  // namespace kb::pac
