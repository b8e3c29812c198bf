#include "admin/kerberos_server_report.h"

#include <algorithm>
#include <boost/json.hpp>

#include "base/rfc3339.h"

namespace kb::admin {
namespace {

namespace bj = boost::json;

std::string time_text(std::int64_t unix_s) {
  return format_rfc3339(SysTime(std::chrono::seconds(unix_s)));
}

struct Row {
  std::string name;
  std::string value;
};

std::vector<Row> rows(const KerberosServerReport& r) {
  const std::string none = "(none)";
  const bool d = r.in_directory;
  const bool c = r.cloud.has_value();
  return {
      {"Id", d ? std::to_string(r.id) : none},
      {"DomainDnsName", r.domain_dns_name},
      {"ComputerAccount", d ? r.computer_account : none},
      {"UserAccount", d ? r.user_account : none},
      {"KeyVersion", d ? std::to_string(r.key_version) : none},
      {"KeyUpdatedOn", d ? time_text(r.key_updated_on) : none},
      {"KeyUpdatedFrom", d ? r.key_updated_from : none},
      {"CloudId", c ? std::to_string(r.cloud->id) : none},
      {"CloudDomainDnsName", c ? r.cloud->domain : none},
      {"CloudKeyVersion", c ? std::to_string(r.cloud->key_version) : none},
      {"CloudKeyUpdatedOn", c ? time_text(r.cloud->key_updated_on) : none},
  };
}

bool mismatched(const KerberosServerReport& r, std::string_view directory_name) {
  return std::find(r.mismatches.begin(), r.mismatches.end(), directory_name) != r.mismatches.end();
}

// The other member of a checked pair that `name` belongs to and that mismatches, or "".
std::string differs_from(const KerberosServerReport& r, std::string_view name) {
  for (const auto& p : kCheckedPairs) {
    if (!mismatched(r, p.directory)) continue;
    if (name == p.directory) return p.cloud;
    if (name == p.cloud) return p.directory;
  }
  return "";
}

}  // namespace

std::string format_report_text(const KerberosServerReport& r) {
  const std::vector<Row> rs = rows(r);
  std::size_t width = 0;
  for (const auto& row : rs) width = std::max(width, row.name.size());
  std::string out;
  for (const auto& row : rs) {
    out += row.name + std::string(width - row.name.size(), ' ') + " : " + row.value;
    const std::string other = differs_from(r, row.name);
    if (!other.empty()) out += "  <-- differs from " + other;
    out += "\n";
  }
  if (!r.in_directory && !r.cloud) {
    return out +
           "Neither the directory nor the cloud has a Kerberos server object for this "
           "domain (run `keybridge admin kerberos-server set` to create one).\n";
  }
  if (!r.in_directory) out += "The directory has no Kerberos server object for this domain.\n";
  if (!r.cloud) out += "The cloud has no Kerberos server object for this domain.\n";
  out += r.consistent() ? "Directory and cloud agree.\n"
                        : "Directory and cloud do NOT agree: run `keybridge admin "
                          "kerberos-server set` to make them.\n";
  return out;
}

bj::object report_json(const KerberosServerReport& r) {
  const bool d = r.in_directory;
  const bool c = r.cloud.has_value();
  auto or_null = [](bool present, bj::value v) { return present ? v : bj::value(nullptr); };
  bj::object o;
  o["Id"] = or_null(d, std::int64_t{r.id});
  o["DomainDnsName"] = r.domain_dns_name;
  o["ComputerAccount"] = or_null(d, bj::string(r.computer_account));
  o["UserAccount"] = or_null(d, bj::string(r.user_account));
  o["KeyVersion"] = or_null(d, std::int64_t{r.key_version});
  o["KeyUpdatedOn"] = or_null(d, bj::string(time_text(r.key_updated_on)));
  o["KeyUpdatedFrom"] = or_null(d, bj::string(r.key_updated_from));
  o["CloudId"] = or_null(c, c ? std::int64_t{r.cloud->id} : 0);
  o["CloudDomainDnsName"] = or_null(c, bj::string(c ? r.cloud->domain : ""));
  o["CloudKeyVersion"] = or_null(c, c ? std::int64_t{r.cloud->key_version} : 0);
  o["CloudKeyUpdatedOn"] = or_null(c, bj::string(c ? time_text(r.cloud->key_updated_on) : ""));
  o["InDirectory"] = d;
  o["InCloud"] = c;
  bj::array mism;
  for (const auto& m : r.mismatches) mism.emplace_back(m);
  o["Mismatches"] = std::move(mism);
  o["Consistent"] = r.consistent();
  return o;
}

Result<std::chrono::seconds> parse_age(std::string_view s) {
  if (s.size() < 2 || s.size() > 12) return Error(BaseErrc::kInvalidArgument, "age length");
  std::int64_t n = 0;
  for (char ch : s.substr(0, s.size() - 1)) {
    if (ch < '0' || ch > '9') return Error(BaseErrc::kInvalidArgument, "age is not a number");
    n = n * 10 + (ch - '0');
  }
  if (n <= 0) return Error(BaseErrc::kInvalidArgument, "age must be positive");
  switch (s.back()) {
    case 'd':
      return std::chrono::seconds(n * 86400);
    case 'h':
      return std::chrono::seconds(n * 3600);
    case 'm':
      return std::chrono::seconds(n * 60);
    case 's':
      return std::chrono::seconds(n);
    default:
      return Error(BaseErrc::kInvalidArgument, "age unit is not d, h, m or s");
  }
}

}  // namespace kb::admin
