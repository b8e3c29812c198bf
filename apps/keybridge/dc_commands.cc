#include "dc_commands.h"

#include <iostream>
#include <memory>

#include "admin/dc_server.h"
#include "admin/directory_admin.h"
#include "admin/password_input.h"
#include "crypto/crypto.h"
#include "dc_common.h"

namespace kb::app {

void add_dc_commands(CLI::App& app, int& exit_code) {
  auto c = std::make_shared<DcCommon>();
  auto* dc = app.add_subcommand("dc", "The on-premises domain controller: directory and KDC");
  dc->require_subcommand(1);
  dc->add_option("--data-dir", c->data_dir, "Directory holding directory.db and master.stash")
      ->capture_default_str();

  // dc init
  auto* init =
      dc->add_subcommand("init", "Create a domain: well-known groups, krbtgt, Administrator");
  auto domain = std::make_shared<std::string>();
  auto netbios = std::make_shared<std::string>();
  auto sid = std::make_shared<std::string>();
  init->add_option("--domain", *domain, "DNS name of the domain, e.g. contoso.test")->required();
  init->add_option("--netbios", *netbios, "NetBIOS name (default: first label, upper case)");
  init->add_option("--domain-sid", *sid, "Domain SID S-1-5-21-a-b-c (default: random)");
  add_password_flags(init, *c);
  init->callback([c, domain, netbios, sid, &exit_code] {
    auto pw = admin::read_password(password_source(*c), "Administrator password: ", true);
    if (!pw) {
      exit_code = report(std::move(pw).error(), "");
      return;
    }
    SystemClock clock;
    crypto::SystemRng rng;
    auto r = admin::init_dc({c->data_dir}, *domain, *netbios, *sid, *pw, clock, rng);
    if (!r) {
      exit_code = report(std::move(r).error(), "");
      return;
    }
    std::cout << "domain " << r->domain.dns_name << " (realm " << r->domain.realm << ", SID "
              << r->domain.sid << ") created in " << c->data_dir << "\n";
    exit_code = 0;
  });

  // dc serve
  auto* serve = dc->add_subcommand("serve", "Run the KDC until SIGINT or SIGTERM");
  auto serve_opts = std::make_shared<admin::ServeOptions>();
  serve_opts->listen.clear();
  serve
      ->add_option("--listen", serve_opts->listen,
                   "host:port to listen on (UDP and TCP); repeatable")
      ->default_str("127.0.0.1:88");
  serve->add_option("--threads", serve_opts->threads, "Worker threads (default: one per core)");
  serve->callback([c, serve_opts, &exit_code] {
    if (serve_opts->listen.empty()) serve_opts->listen = {"127.0.0.1:88"};
    exit_code = admin::serve_dc({c->data_dir}, *serve_opts, std::cerr);
  });

  // dc user ...
  auto* user = dc->add_subcommand("user", "Users and computers");
  user->require_subcommand(1);
  auto name = std::make_shared<std::string>();
  auto add = user->add_subcommand("add", "Add a user (or a computer with --computer)");
  auto nu = std::make_shared<admin::NewUser>();
  add->add_option("name", nu->sam_account_name, "sAMAccountName")->required();
  add->add_option("--upn", nu->user_principal_name, "userPrincipalName (default: name@domain)");
  add->add_option("--display-name", nu->display_name, "displayName");
  add->add_flag("--computer", nu->computer, "A computer account (WORKSTATION_TRUST_ACCOUNT)");
  add->add_flag("--random-password", c->random_password, "Random keys instead of a password");
  add_password_flags(add, *c);
  add->callback([c, nu, &exit_code] {
    exit_code = with_dc(*c, [&](admin::Dc& d) {
      std::optional<SecretString> pw;
      if (!c->random_password && !nu->computer) {
        auto p = admin::read_password(password_source(*c),
                                      "Password for " + nu->sam_account_name + ": ", true);
        if (!p) return report(std::move(p).error(), "");
        pw = std::move(*p);
      }
      SystemClock clock;
      crypto::SystemRng rng;
      auto rid = admin::add_user(d, *nu, pw, clock, rng);
      if (!rid) return report(std::move(rid).error(), "");
      std::cout << "added " << nu->sam_account_name << " with RID " << *rid << "\n";
      return 0;
    });
  });

  auto* setpw = user->add_subcommand("set-password", "Set a user's password (new keys, kvno + 1)");
  setpw->add_option("name", *name, "sAMAccountName")->required();
  add_password_flags(setpw, *c);
  setpw->callback([c, name, &exit_code] {
    exit_code = with_dc(*c, [&](admin::Dc& d) {
      auto p = admin::read_password(password_source(*c), "New password for " + *name + ": ", true);
      if (!p) return report(std::move(p).error(), "");
      SystemClock clock;
      crypto::SystemRng rng;
      return report(admin::set_password(d, *name, *p, clock, rng), "password set for " + *name);
    });
  });

  struct Simple {
    const char* cmd;
    const char* help;
    Result<void> (*fn)(admin::Dc&, const std::string&);
    const char* done;
  };
  static const Simple kSimple[] = {
      {"enable", "Enable an account",
       [](admin::Dc& d, const std::string& n) { return admin::set_enabled(d, n, true); },
       "enabled"},
      {"disable", "Disable an account",
       [](admin::Dc& d, const std::string& n) { return admin::set_enabled(d, n, false); },
       "disabled"},
      {"expire", "Require a password change at next logon", admin::expire_password,
       "password expired"},
      {"unlock", "Clear a lockout", admin::unlock, "unlocked"},
  };
  for (const auto& s : kSimple) {
    auto* sub = user->add_subcommand(s.cmd, s.help);
    auto who = std::make_shared<std::string>();
    sub->add_option("name", *who, "sAMAccountName")->required();
    sub->callback([c, who, &s, &exit_code] {
      exit_code = with_dc(*c, [&](admin::Dc& d) {
        return report(s.fn(d, *who), std::string(s.done) + ": " + *who);
      });
    });
  }

  auto* flags = user->add_subcommand(
      "flags", "Show or change userAccountControl flags (--set/--clear; names from --list)");
  auto fwho = std::make_shared<std::string>();
  auto fset = std::make_shared<std::vector<std::string>>();
  auto fclear = std::make_shared<std::vector<std::string>>();
  auto flist = std::make_shared<bool>(false);
  flags->add_option("name", *fwho, "sAMAccountName");
  flags->add_option("--set", *fset, "Flag to set; repeatable");
  flags->add_option("--clear", *fclear, "Flag to clear; repeatable");
  flags->add_flag("--list", *flist, "List the flag names and what they mean");
  flags->callback([c, fwho, fset, fclear, flist, &exit_code] {
    if (*flist) {
      for (const auto& f : admin::account_flags()) {
        std::cout << f.name << "  " << f.meaning << "\n";
      }
      exit_code = 0;
      return;
    }
    if (fwho->empty()) {
      std::cerr << "error: an account name is needed (or --list)\n";
      exit_code = 2;
      return;
    }
    exit_code = with_dc(*c, [&](admin::Dc& d) {
      auto now = admin::change_account_flags(d, *fwho, *fset, *fclear);
      if (!now) return report(std::move(now).error(), "");
      std::cout << *fwho << ":";
      for (const auto& n : *now) std::cout << " " << n;
      std::cout << (now->empty() ? " (no flags)\n" : "\n");
      return 0;
    });
  });

  // dc group ...
  auto* group = dc->add_subcommand("group", "Groups and membership");
  group->require_subcommand(1);
  auto gname = std::make_shared<std::string>();
  auto member = std::make_shared<std::string>();
  auto* gadd = group->add_subcommand("add", "Add a global security group");
  gadd->add_option("name", *gname, "Group name")->required();
  gadd->callback([c, gname, &exit_code] {
    exit_code = with_dc(*c, [&](admin::Dc& d) {
      auto group_sid = admin::add_group(d, *gname);
      if (!group_sid) return report(std::move(group_sid).error(), "");
      std::cout << "added group " << *gname << " " << *group_sid << "\n";
      return 0;
    });
  });
  auto* gmember = group->add_subcommand("member", "Group membership");
  gmember->require_subcommand(1);
  for (bool adding : {true, false}) {
    auto* sub = gmember->add_subcommand(adding ? "add" : "remove",
                                        adding ? "Add a member" : "Remove a member");
    sub->add_option("group", *gname, "Group name")->required();
    sub->add_option("member", *member, "Account, group or SID")->required();
    sub->callback([c, gname, member, adding, &exit_code] {
      exit_code = with_dc(*c, [&](admin::Dc& d) {
        return adding
                   ? report(admin::add_member(d, *gname, *member), *member + " added to " + *gname)
                   : report(admin::remove_member(d, *gname, *member),
                            *member + " removed from " + *gname);
      });
    });
  }

  // dc spn ...
  auto* spn = dc->add_subcommand("spn", "servicePrincipalName of accounts");
  spn->require_subcommand(1);
  auto spn_value = std::make_shared<std::string>();
  for (bool adding : {true, false}) {
    auto* sub =
        spn->add_subcommand(adding ? "add" : "remove", adding ? "Add an SPN" : "Remove an SPN");
    sub->add_option("account", *name, "sAMAccountName")->required();
    sub->add_option("spn", *spn_value, "e.g. HTTP/web.contoso.test")->required();
    sub->callback([c, name, spn_value, adding, &exit_code] {
      exit_code = with_dc(*c, [&](admin::Dc& d) {
        return adding ? report(admin::add_spn(d, *name, *spn_value),
                               "SPN " + *spn_value + " added to " + *name)
                      : report(admin::remove_spn(d, *name, *spn_value),
                               "SPN " + *spn_value + " removed");
      });
    });
  }

  // dc keytab export
  auto* keytab = dc->add_subcommand("keytab", "Keytabs for services");
  keytab->require_subcommand(1);
  auto out = std::make_shared<std::string>();
  auto* exp = keytab->add_subcommand("export",
                                     "Write an MIT keytab (0x502) with a principal's current keys");
  exp->add_option("principal", *name, "SPN (HTTP/web.contoso.test) or account name")->required();
  exp->add_option("--out", *out, "Keytab file to write (mode 0600)")->required();
  exp->callback([c, name, out, &exit_code] {
    exit_code = with_dc(*c, [&](admin::Dc& d) {
      return report(admin::export_keytab(d, *name, *out),
                    "keytab for " + *name + " written to " + *out);
    });
  });

  add_dc_kerberos_server_commands(*dc, c, exit_code);
  add_dc_policy_commands(*dc, c, exit_code);
}

}  // namespace kb::app
