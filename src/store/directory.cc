#include "store/directory.h"

namespace kb::store {

std::string_view error_code_name(Errc e) {
  switch (e) {
    case Errc::kNotFound:
      return "not_found";
    case Errc::kAlreadyExists:
      return "already_exists";
    case Errc::kConflict:
      return "conflict";
    case Errc::kInvalidArgument:
      return "invalid_argument";
    case Errc::kSchemaVersion:
      return "schema_version";
    case Errc::kBackend:
      return "backend";
  }
  return "unknown";
}

const std::vector<WellKnownGroup>& well_known_groups() {
  // MS-ADTS 7.1.1.6.x; Samba provision_users.ldif has the same set.
  static const std::vector<WellKnownGroup> kGroups = {
      {512, nullptr, "Domain Admins"},
      {513, nullptr, "Domain Users"},
      {514, nullptr, "Domain Guests"},
      {515, nullptr, "Domain Computers"},
      {516, nullptr, "Domain Controllers"},
      {517, nullptr, "Cert Publishers"},
      {518, nullptr, "Schema Admins"},
      {519, nullptr, "Enterprise Admins"},
      {520, nullptr, "Group Policy Creator Owners"},
      {521, nullptr, "Read-only Domain Controllers"},
      {571, nullptr, "Allowed RODC Password Replication Group"},
      {572, nullptr, "Denied RODC Password Replication Group"},
      {0, "S-1-5-32-544", "Administrators"},
      {0, "S-1-5-32-548", "Account Operators"},
      {0, "S-1-5-32-549", "Server Operators"},
      {0, "S-1-5-32-551", "Backup Operators"},
  };
  return kGroups;
}

std::string rid_sid(const Domain& d, std::uint32_t rid) {
  return d.sid + "-" + std::to_string(rid);
}

std::string domain_dn(const Domain& d) {
  std::string out;
  std::size_t start = 0;
  while (start <= d.dns_name.size()) {
    const auto dot = d.dns_name.find('.', start);
    const auto end = dot == std::string::npos ? d.dns_name.size() : dot;
    if (!out.empty()) out += ',';
    out += "DC=" + d.dns_name.substr(start, end - start);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return out;
}

}  // namespace kb::store
