// How `keybridge admin kerberos-server get|set` shows a Kerberos server object: reference
// 000's property table (Get-AzureADKerberosServer's columns), aligned text or JSON, with the
// pairs that must match marked when they do not.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "admin/kerberos_server_admin.h"
#include "base/result.h"

namespace kb::admin {

// The pairs checked, as reference 000 "View and verify" names them.
struct CheckedPair {
  const char* directory;
  const char* cloud;
};
inline constexpr CheckedPair kCheckedPairs[] = {{"Id", "CloudId"},
                                                {"DomainDnsName", "CloudDomainDnsName"},
                                                {"KeyVersion", "CloudKeyVersion"},
                                                {"KeyUpdatedOn", "CloudKeyUpdatedOn"}};

// One "Name : value" line per property, names padded to one width; a property of a
// mismatching pair ends with "  <-- differs from <other>"; a side that has no object
// shows "(none)" and a closing line says which side is missing.
std::string format_report_text(const KerberosServerReport& r);

// {"Id", "DomainDnsName", "ComputerAccount", "UserAccount", "KeyVersion", "KeyUpdatedOn",
//  "KeyUpdatedFrom", "CloudId", "CloudDomainDnsName", "CloudKeyVersion",
//  "CloudKeyUpdatedOn", "InDirectory", "InCloud", "Mismatches": [...], "Consistent"};
// a missing side's values are null. Times are RFC 3339.
boost::json::object report_json(const KerberosServerReport& r);

// "30d", "12h", "90m", "3600s" (a positive whole number and one unit). For
// --rotate-if-older-than. BaseErrc::kInvalidArgument otherwise.
Result<std::chrono::seconds> parse_age(std::string_view s);

}  // namespace kb::admin
