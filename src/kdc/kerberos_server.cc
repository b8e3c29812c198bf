#include "kdc/kerberos_server.h"

#include <algorithm>
#include <charconv>

#include "kdc/accounts.h"

namespace kb::kdc {
namespace {

using store::Account;
using store::DirectoryTxn;
using store::Errc;

std::int64_t unix_now(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
}

std::string first(const Account& a, const char* name) {
  auto it = a.attributes.find(name);
  return it == a.attributes.end() || it->second.empty() ? std::string() : it->second.front();
}

std::vector<std::string> all(const Account& a, const char* name) {
  auto it = a.attributes.find(name);
  return it == a.attributes.end() ? std::vector<std::string>() : it->second;
}

std::string scp_dn(const store::Domain& d) {
  return std::string("CN=") + kKerberosServerScpCn + ",CN=AzureAD,CN=System," + store::domain_dn(d);
}

Result<std::uint16_t> parse_u16(std::string_view s) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v == 0 || v > 0xffff) {
    return Error(Errc::kInvalidArgument, "not a number in 1..65535: " + std::string(s));
  }
  return static_cast<std::uint16_t>(v);
}

// The objects of the domain's Kerberos server object, found from its connection point.
struct Objects {
  store::Domain domain;
  store::DirectoryObject scp;
  Account computer;
  Account krbtgt;
};

Result<std::optional<Objects>> load(DirectoryTxn& t) {
  auto d = KB_TRY(t.domain());
  if (!d) return Error(Errc::kNotFound, "the directory holds no domain");
  auto scp = KB_TRY(t.object_by_dn(scp_dn(*d)));
  if (!scp) return std::optional<Objects>();
  auto find = [&](const char* role) -> Result<Account> {
    auto it = scp->attributes.find(role);
    if (it == scp->attributes.end() || it->second.empty()) {
      return Error(Errc::kNotFound, std::string("the connection point names no ") + role);
    }
    auto found = KB_TRY(t.accounts_by_attribute(attr::kDistinguishedName, it->second.front()));
    if (found.size() != 1) {
      return Error(Errc::kNotFound, std::string("the ") + role + " " + it->second.front() +
                                        " the connection point names is missing");
    }
    return std::move(found.front());
  };
  Account computer = KB_TRY(find("computer"));
  Account krbtgt = KB_TRY(find("krbtgt"));
  return std::optional<Objects>(
      Objects{*d, std::move(*scp), std::move(computer), std::move(krbtgt)});
}

KerberosServerInfo describe(const Objects& o) {
  KerberosServerInfo i;
  if (auto b = parse_u16(first(o.krbtgt, attr::kSecondaryKrbTgtNumber))) i.branch_id = *b;
  i.key_version = static_cast<std::uint16_t>(current_kvno(o.krbtgt) & 0xffff);
  i.computer_dn = first(o.computer, attr::kDistinguishedName);
  i.computer_sam = o.computer.sam_account_name;
  i.computer_rid = o.computer.rid;
  i.computer_uac = o.computer.user_account_control;
  i.krbtgt_dn = first(o.krbtgt, attr::kDistinguishedName);
  i.krbtgt_sam = o.krbtgt.sam_account_name;
  i.krbtgt_rid = o.krbtgt.rid;
  i.key_updated_on = o.krbtgt.pwd_last_set;
  auto from = o.scp.attributes.find(attr::kKeyUpdatedFrom);
  if (from != o.scp.attributes.end() && !from->second.empty()) {
    i.key_updated_from = from->second.front();
  }
  i.reveal_on_demand = all(o.computer, attr::kRevealOnDemandGroup);
  i.never_reveal = all(o.computer, attr::kNeverRevealGroup);
  i.scp_dn = o.scp.dn;
  return i;
}

Result<std::uint16_t> pick_branch(DirectoryTxn& t, const KerberosServerSpec& spec, Rng& rng) {
  auto in_use = [&](std::uint16_t b) -> Result<bool> {
    auto found = KB_TRY(t.accounts_by_attribute(attr::kSecondaryKrbTgtNumber, std::to_string(b)));
    return !found.empty();
  };
  if (spec.branch_id) {
    if (*spec.branch_id == 0) return Error(Errc::kInvalidArgument, "branch id 0 is the domain's");
    if (KB_TRY(in_use(*spec.branch_id))) {
      return Error(Errc::kConflict, "branch id " + std::to_string(*spec.branch_id) + " in use");
    }
    return *spec.branch_id;
  }
  // A random number in 1..65535, as AD and Samba pick an RODC number (digest D.1).
  for (int tries = 0; tries < 256; ++tries) {
    std::uint8_t b[2];
    rng.fill(b);
    const auto v = static_cast<std::uint16_t>((b[0] << 8) | b[1]);
    if (v != 0 && !KB_TRY(in_use(v))) return v;
  }
  return Error(Errc::kConflict, "no free branch id found");
}

Result<void> write_scp(DirectoryTxn& t, const Objects& o, std::int64_t now,
                       const std::string& from) {
  store::DirectoryObject scp;
  scp.dn = scp_dn(o.domain);
  scp.object_class = "serviceConnectionPoint";
  scp.attributes["computer"] = {first(o.computer, attr::kDistinguishedName)};
  scp.attributes["krbtgt"] = {first(o.krbtgt, attr::kDistinguishedName)};
  scp.attributes[attr::kKeywords] = {
      "branch=" + first(o.krbtgt, attr::kSecondaryKrbTgtNumber),
      "keyVersion=" + std::to_string(current_kvno(o.krbtgt) & 0xffff)};
  scp.attributes[attr::kKeyUpdatedOn] = {std::to_string(now)};
  scp.attributes[attr::kKeyUpdatedFrom] = {from};
  return t.put_object(scp);
}

Result<std::string> resolve_principal(DirectoryTxn& t, const store::Domain& d,
                                      std::string_view name) {
  if (name.rfind("S-1-", 0) == 0 || name.rfind("s-1-", 0) == 0) return std::string(name);
  if (auto g = KB_TRY(t.group_by_sam(name))) return g->sid;
  if (auto a = KB_TRY(t.account_by_sam(name))) return store::rid_sid(d, a->rid);
  return Error(Errc::kNotFound, "no group or account named " + std::string(name));
}

}  // namespace

std::vector<std::string> default_reveal_on_demand(const store::Domain& d) {
  return {store::rid_sid(d, store::kRidDomainUsers)};
}

std::vector<std::string> default_never_reveal(const store::Domain& d) {
  return {store::rid_sid(d, store::kRidDeniedRodcPasswordReplicationGroup),
          store::rid_sid(d, store::kRidDomainAdmins),
          store::rid_sid(d, 519),  // Enterprise Admins
          store::rid_sid(d, 518),  // Schema Admins
          "S-1-5-32-544",          // BUILTIN\Administrators
          "S-1-5-32-548",          // Account Operators
          "S-1-5-32-549",          // Server Operators
          "S-1-5-32-551"};         // Backup Operators
}

bool is_privileged_sid(const store::Domain& d, std::string_view sid) {
  for (std::uint32_t rid : {500u, 502u, 512u, 516u, 517u, 518u, 519u, 520u, 521u}) {
    if (sid == store::rid_sid(d, rid)) return true;
  }
  for (const char* b :
       {"S-1-5-32-544", "S-1-5-32-548", "S-1-5-32-549", "S-1-5-32-550", "S-1-5-32-551"}) {
    if (sid == b) return true;
  }
  return false;
}

Result<KerberosServerInfo> create_kerberos_server(store::DirectoryStore& store,
                                                  const KerberosServerSpec& spec,
                                                  const crypto::MasterKey& mk, const Clock& clock,
                                                  Rng& rng) {
  if (spec.computer_name.empty() || spec.krbtgt_name.empty() ||
      spec.computer_name.find_first_of(",=$/\\") != std::string::npos ||
      spec.krbtgt_name.find_first_of(",=$/\\") != std::string::npos) {
    return Error(Errc::kInvalidArgument, "object names must be plain RDN values");
  }
  KerberosServerInfo info;
  KB_CHECK(store.transact([&](DirectoryTxn& t) -> Result<void> {
    if (KB_TRY(load(t))) {
      return Error(Errc::kAlreadyExists, "the domain already has a Kerberos server object");
    }
    const store::Domain d = *KB_TRY(t.domain());
    const std::string base = store::domain_dn(d);
    const std::uint16_t branch = KB_TRY(pick_branch(t, spec, rng));
    const std::int64_t now = unix_now(clock);

    Objects o{d, {}, {}, {}};
    o.krbtgt.rid = KB_TRY(t.allocate_rid());
    o.krbtgt.sam_account_name = spec.krbtgt_name;
    o.krbtgt.display_name = spec.krbtgt_name;
    o.krbtgt.user_account_control =
        store::uac::kNormalAccount | store::uac::kAccountDisable | store::uac::kDontExpirePassword;
    const std::string krbtgt_dn = "CN=" + spec.krbtgt_name + ",CN=Users," + base;
    const std::string computer_dn = "CN=" + spec.computer_name + ",OU=Domain Controllers," + base;
    o.krbtgt.attributes[attr::kDistinguishedName] = {krbtgt_dn};
    o.krbtgt.attributes[attr::kSecondaryKrbTgtNumber] = {std::to_string(branch)};
    o.krbtgt.attributes[attr::kKrbTgtLinkBl] = {computer_dn};
    KB_CHECK(set_random_keys(o.krbtgt, d, mk, clock, rng));
    KB_CHECK(t.put_account(o.krbtgt));

    o.computer.rid = KB_TRY(t.allocate_rid());
    o.computer.object_class = store::ObjectClass::kComputer;
    o.computer.sam_account_name = spec.computer_name + "$";
    o.computer.display_name = spec.computer_name;
    o.computer.user_account_control =
        store::uac::kWorkstationTrustAccount | store::uac::kPartialSecretsAccount;
    o.computer.primary_group_id = store::kRidReadOnlyDomainControllers;
    o.computer.pwd_last_set = now;
    o.computer.attributes[attr::kDistinguishedName] = {computer_dn};
    o.computer.attributes[attr::kKrbTgtLink] = {krbtgt_dn};
    o.computer.attributes[attr::kRevealOnDemandGroup] = default_reveal_on_demand(d);
    o.computer.attributes[attr::kNeverRevealGroup] = default_never_reveal(d);
    KB_CHECK(t.put_account(o.computer));

    KB_CHECK(write_scp(t, o, now, spec.updated_from));
    o.scp = *KB_TRY(t.object_by_dn(scp_dn(d)));
    info = describe(o);
    return ok();
  }));
  return info;
}

Result<std::optional<KerberosServerInfo>> read_kerberos_server(store::DirectoryStore& store) {
  std::optional<KerberosServerInfo> out;
  KB_CHECK(store.read([&](DirectoryTxn& t) -> Result<void> {
    auto o = KB_TRY(load(t));
    if (o) out = describe(*o);
    return ok();
  }));
  return out;
}

Result<KerberosServerInfo> rotate_kerberos_server_key(store::DirectoryStore& store,
                                                      std::string updated_from,
                                                      const crypto::MasterKey& mk,
                                                      const Clock& clock, Rng& rng) {
  KerberosServerInfo info;
  KB_CHECK(store.transact([&](DirectoryTxn& t) -> Result<void> {
    auto o = KB_TRY(load(t));
    if (!o) return Error(Errc::kNotFound, "the domain has no Kerberos server object");
    // MS-KILE §3.1.5.8: the key version is the low 16 bits of an RODC kvno.
    if (current_kvno(o->krbtgt) >= 0xffff) {
      return Error(Errc::kConflict, "the key version would leave 16 bits");
    }
    KB_CHECK(set_random_keys(o->krbtgt, o->domain, mk, clock, rng));
    KB_CHECK(t.put_account(o->krbtgt));
    KB_CHECK(write_scp(t, *o, unix_now(clock), updated_from));
    o->scp = *KB_TRY(t.object_by_dn(scp_dn(o->domain)));
    info = describe(*o);
    return ok();
  }));
  return info;
}

Result<void> remove_kerberos_server(store::DirectoryStore& store) {
  return store.transact([&](DirectoryTxn& t) -> Result<void> {
    auto o = KB_TRY(load(t));
    if (!o) return Error(Errc::kNotFound, "the domain has no Kerberos server object");
    KB_CHECK(t.delete_account(o->computer.rid));
    KB_CHECK(t.delete_account(o->krbtgt.rid));
    return t.delete_object(o->scp.dn);
  });
}

Result<crypto::Key> kerberos_server_key(store::DirectoryStore& store, const crypto::MasterKey& mk,
                                        std::uint16_t key_version) {
  std::optional<Account> krbtgt;
  KB_CHECK(store.read([&](DirectoryTxn& t) -> Result<void> {
    auto o = KB_TRY(load(t));
    if (!o) return Error(Errc::kNotFound, "the domain has no Kerberos server object");
    krbtgt = std::move(o->krbtgt);
    return ok();
  }));
  return account_key(*krbtgt, crypto::EncType::kAes256CtsHmacSha196, key_version, mk);
}

Result<std::vector<std::string>> edit_prp(store::DirectoryStore& store, const PrpEdit& edit) {
  std::vector<std::string> warnings;
  KB_CHECK(store.transact([&](DirectoryTxn& t) -> Result<void> {
    auto o = KB_TRY(load(t));
    if (!o) return Error(Errc::kNotFound, "the domain has no Kerberos server object");
    const std::string sid = KB_TRY(resolve_principal(t, o->domain, edit.principal));
    const char* name = edit.list == PrpList::kRevealOnDemand ? attr::kRevealOnDemandGroup
                                                             : attr::kNeverRevealGroup;
    auto& values = o->computer.attributes[name];
    const bool present = std::find(values.begin(), values.end(), sid) != values.end();
    if (edit.add && !present) values.push_back(sid);
    if (!edit.add && !present) {
      return Error(Errc::kNotFound, sid + " is not in " + std::string(name));
    }
    if (!edit.add) values.erase(std::remove(values.begin(), values.end(), sid), values.end());
    if (edit.add && edit.list == PrpList::kRevealOnDemand) {
      // The group itself, or a privileged group nested in it.
      for (const auto& g : KB_TRY(t.all_groups())) {
        if (!is_privileged_sid(o->domain, g.sid)) continue;
        auto in = KB_TRY(t.groups_containing(g.sid));
        if (g.sid != sid && std::find(in.begin(), in.end(), sid) == in.end()) continue;
        warnings.push_back("allowing " + edit.principal + " lets members of the privileged group " +
                           g.sam_account_name + " (" + g.sid +
                           ") trade cloud-issued tickets for full TGTs, unless " +
                           attr::kNeverRevealGroup + " still denies them");
      }
    }
    return t.put_account(o->computer);
  }));
  return warnings;
}

}  // namespace kb::kdc
