// LOGON_INFO (PAC buffer type 1): KERB_VALIDATION_INFO, MS-PAC 2.5, NDR-encoded.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "pac/sid.h"
#include "pac/text.h"

namespace kb::pac {

// MS-PAC 2.2.1 GROUP_MEMBERSHIP.
struct GroupMembership {
  std::uint32_t relative_id = 0;
  std::uint32_t attributes = 0;
  friend bool operator==(const GroupMembership&, const GroupMembership&) = default;
};

// MS-PAC 2.2.1 attributes: SE_GROUP_MANDATORY | SE_GROUP_ENABLED_BY_DEFAULT | SE_GROUP_ENABLED.
inline constexpr std::uint32_t kGroupAttributesDefault = 0x7;

// MS-PAC 2.2.1 KERB_SID_AND_ATTRIBUTES.
struct SidAndAttributes {
  Sid sid;
  std::uint32_t attributes = 0;
  friend bool operator==(const SidAndAttributes&, const SidAndAttributes&) = default;
};

// MS-PAC 2.5 UserFlags bits the builder derives from the data.
inline constexpr std::uint32_t kUserFlagExtraSids = 0x20;
inline constexpr std::uint32_t kUserFlagResourceGroups = 0x200;

// MS-PAC 2.5 KERB_VALIDATION_INFO, fields in wire order. Strings are UTF-8 here; a null
// RPC_UNICODE_STRING buffer reads as "". FILETIMEs are raw ticks (see text.h).
struct KerbValidationInfo {
  FileTime logon_time = kFileTimeUnset;
  FileTime logoff_time = kFileTimeNever;
  FileTime kick_off_time = kFileTimeNever;
  FileTime password_last_set = kFileTimeUnset;
  FileTime password_can_change = kFileTimeUnset;
  FileTime password_must_change = kFileTimeNever;
  std::string effective_name;
  std::string full_name;
  std::string logon_script;
  std::string profile_path;
  std::string home_directory;
  std::string home_directory_drive;
  std::uint16_t logon_count = 0;
  std::uint16_t bad_password_count = 0;
  std::uint32_t user_id = 0;
  std::uint32_t primary_group_id = 0;
  std::vector<GroupMembership> group_ids;  // GroupCount + GroupIds
  // Written as given, with kUserFlagExtraSids / kUserFlagResourceGroups added when
  // extra_sids / resource group data are present.
  std::uint32_t user_flags = 0;
  std::array<std::uint8_t, 16> user_session_key{};
  std::string logon_server;
  std::string logon_domain_name;
  std::optional<Sid> logon_domain_id;
  std::array<std::uint32_t, 2> reserved1{};
  std::uint32_t user_account_control = 0;
  std::uint32_t sub_auth_status = 0;
  FileTime last_successful_i_logon = kFileTimeUnset;
  FileTime last_failed_i_logon = kFileTimeUnset;
  std::uint32_t failed_i_logon_count = 0;
  std::uint32_t reserved3 = 0;
  std::vector<SidAndAttributes> extra_sids;  // SidCount + ExtraSids
  std::optional<Sid> resource_group_domain_sid;
  std::vector<GroupMembership> resource_group_ids;  // ResourceGroupCount + ResourceGroupIds

  // The user's SID: logon_domain_id + user_id (kBadSid without a domain SID).
  [[nodiscard]] Result<Sid> user_sid() const;

  friend bool operator==(const KerbValidationInfo&, const KerbValidationInfo&) = default;
};

// Parses a whole LOGON_INFO buffer (type serialization header included). Rejects
// truncation, inconsistent counts/strings/pointers and trailing bytes beyond the 8-byte
// padding.
Result<KerbValidationInfo> parse_logon_info(ByteView buffer);
// Encodes a LOGON_INFO buffer, padded to a multiple of 8. kInvalidArgument when a string
// is longer than 32767 UTF-16 units or a SID is out of range; kBadUtf8 on invalid UTF-8.
Result<Bytes> build_logon_info(const KerbValidationInfo& info);

}  // namespace kb::pac
