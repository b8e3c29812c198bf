// `keybridge dc kerberos-server ...` (the directory side of a Kerberos server object) and
// `keybridge dc prp ...` (its password replication policy: reference 002 FAQ "FIDO2
// security key sign-in isn't working for my Domain Admin").
#include <unistd.h>

#include <boost/json.hpp>
#include <ctime>

#include "crypto/crypto.h"
#include "dc_common.h"
#include "kdc/kerberos_server.h"

namespace kb::app {
namespace {

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

std::string utc(std::int64_t unix_s) {
  const std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// SID -> "Name (SID)" for the operator.
std::string named(admin::Dc& dc, const std::string& sid) {
  std::string name;
  (void)dc.store->read([&](store::DirectoryTxn& t) -> Result<void> {
    if (auto g = KB_TRY(t.group_by_sid(sid))) name = g->sam_account_name;
    return ok();
  });
  return name.empty() ? sid : name + " (" + sid + ")";
}

void print(admin::Dc& dc, const kdc::KerberosServerInfo& i, bool json) {
  if (json) {
    boost::json::object o{{"Id", i.branch_id},
                          {"DomainDnsName", dc.domain.dns_name},
                          {"ComputerAccount", i.computer_dn},
                          {"UserAccount", i.krbtgt_dn},
                          {"KeyVersion", i.key_version},
                          {"KeyUpdatedOn", utc(i.key_updated_on)},
                          {"KeyUpdatedFrom", i.key_updated_from},
                          {"ServiceConnectionPoint", i.scp_dn}};
    boost::json::array allow, deny;
    for (const auto& s : i.reveal_on_demand) allow.emplace_back(s);
    for (const auto& s : i.never_reveal) deny.emplace_back(s);
    o["msDS-RevealOnDemandGroup"] = std::move(allow);
    o["msDS-NeverRevealGroup"] = std::move(deny);
    std::cout << boost::json::serialize(o) << "\n";
    return;
  }
  std::cout << "Id                     : " << i.branch_id << "\n"
            << "DomainDnsName          : " << dc.domain.dns_name << "\n"
            << "ComputerAccount        : " << i.computer_dn << "\n"
            << "UserAccount            : " << i.krbtgt_dn << "\n"
            << "KeyVersion             : " << i.key_version << "\n"
            << "KeyUpdatedOn           : " << utc(i.key_updated_on) << "\n"
            << "KeyUpdatedFrom         : " << i.key_updated_from << "\n"
            << "ServiceConnectionPoint : " << i.scp_dn << "\n";
  std::cout << "msDS-RevealOnDemandGroup (allowed):\n";
  for (const auto& s : i.reveal_on_demand) std::cout << "  " << named(dc, s) << "\n";
  std::cout << "msDS-NeverRevealGroup (denied, wins over allowed):\n";
  for (const auto& s : i.never_reveal) std::cout << "  " << named(dc, s) << "\n";
}

int show(admin::Dc& d, bool json) {
  auto info = kdc::read_kerberos_server(*d.store);
  if (!info) return report(std::move(info).error(), "");
  if (!*info) {
    std::cerr << "keybridge: domain " << d.domain.dns_name
              << " has no Kerberos server object (run: keybridge dc kerberos-server create)\n";
    return 2;
  }
  print(d, **info, json);
  return 0;
}

}  // namespace

void add_dc_kerberos_server_commands(CLI::App& dc, const std::shared_ptr<DcCommon>& c,
                                     int& exit_code) {
  auto* ks = dc.add_subcommand(
      "kerberos-server",
      "The directory objects that let a writable DC trade cloud-issued partial TGTs");
  ks->require_subcommand(1);
  auto spec = std::make_shared<kdc::KerberosServerSpec>();
  auto branch = std::make_shared<unsigned>(0);
  auto json = std::make_shared<bool>(false);
  auto from = std::make_shared<std::string>();

  auto* create = ks->add_subcommand(
      "create", "Create the RODC-style computer, krbtgt_AzureAD (random key) and the SCP");
  create->add_option("--name", spec->computer_name, "Computer object name")->capture_default_str();
  create->add_option("--krbtgt-name", spec->krbtgt_name, "Key-holding user")->capture_default_str();
  create->add_option("--branch", *branch, "Branch id 1..65535 (default: random unused)")
      ->check(CLI::Range(1, 65535));
  create->add_option("--from", *from, "Recorded as KeyUpdatedFrom (default: this host)");
  create->callback([c, spec, branch, from, &exit_code] {
    exit_code = with_dc(*c, [&](admin::Dc& d) {
      if (*branch != 0) spec->branch_id = static_cast<std::uint16_t>(*branch);
      spec->updated_from = from->empty() ? host_name() : *from;
      SystemClock clock;
      crypto::SystemRng rng;
      auto info = kdc::create_kerberos_server(*d.store, *spec, *d.master_key, clock, rng);
      if (!info) return report(std::move(info).error(), "");
      print(d, *info, false);
      return 0;
    });
  });

  auto* get = ks->add_subcommand("show", "Show the Kerberos server object and its policy");
  get->add_flag("--json", *json, "JSON instead of aligned text");
  get->callback([c, json, &exit_code] {
    exit_code = with_dc(*c, [&](admin::Dc& d) { return show(d, *json); });
  });

  auto* rotate = ks->add_subcommand(
      "rotate", "New random key at key version + 1; the previous version stays valid");
  rotate->add_option("--from", *from, "Recorded as KeyUpdatedFrom (default: this host)");
  rotate->callback([c, from, &exit_code] {
    exit_code = with_dc(*c, [&](admin::Dc& d) {
      SystemClock clock;
      crypto::SystemRng rng;
      auto info = kdc::rotate_kerberos_server_key(*d.store, from->empty() ? host_name() : *from,
                                                  *d.master_key, clock, rng);
      if (!info) return report(std::move(info).error(), "");
      print(d, *info, false);
      return 0;
    });
  });

  auto* remove = ks->add_subcommand(
      "remove", "Delete the objects; the DC then refuses tickets of that branch");
  remove->callback([c, &exit_code] {
    exit_code = with_dc(*c, [&](admin::Dc& d) {
      return report(kdc::remove_kerberos_server(*d.store),
                    "Kerberos server object of " + d.domain.dns_name + " removed");
    });
  });

  // dc prp ...
  auto* prp = dc.add_subcommand(
      "prp", "Password replication policy of the Kerberos server object (who may trade)");
  prp->require_subcommand(1);
  auto* prp_show = prp->add_subcommand("show", "List the allowed and denied groups");
  prp_show->add_flag("--json", *json, "JSON instead of aligned text");
  prp_show->callback([c, json, &exit_code] {
    exit_code = with_dc(*c, [&](admin::Dc& d) { return show(d, *json); });
  });
  struct Edit {
    const char* cmd;
    const char* help;
    kdc::PrpList list;
    bool add;
  };
  static const Edit kEdits[] = {
      {"allow", "Add to msDS-RevealOnDemandGroup", kdc::PrpList::kRevealOnDemand, true},
      {"deny", "Add to msDS-NeverRevealGroup (deny wins)", kdc::PrpList::kNeverReveal, true},
      {"remove-allow", "Remove from msDS-RevealOnDemandGroup", kdc::PrpList::kRevealOnDemand,
       false},
      {"remove-deny", "Remove from msDS-NeverRevealGroup", kdc::PrpList::kNeverReveal, false},
  };
  for (const auto& e : kEdits) {
    auto* sub = prp->add_subcommand(e.cmd, e.help);
    auto who = std::make_shared<std::string>();
    sub->add_option("principal", *who, "Group or account name, or a SID")->required();
    sub->callback([c, who, &e, &exit_code] {
      exit_code = with_dc(*c, [&](admin::Dc& d) {
        auto warnings = kdc::edit_prp(*d.store, {e.list, e.add, *who});
        if (!warnings) return report(std::move(warnings).error(), "");
        for (const auto& w : *warnings) std::cerr << "warning: " << w << "\n";
        std::cout << e.help << ": " << *who << "\n";
        return 0;
      });
    });
  }
}

}  // namespace kb::app
