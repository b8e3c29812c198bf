#include "cloud/partial_tgt.h"

#include <algorithm>
#include <cctype>

#include "kdc/ticket_seal.h"
#include "pac/pac.h"
#include "pac/text.h"

namespace kb::cloud {
namespace {

// SAMR USER_NORMAL_ACCOUNT, as KERB_VALIDATION_INFO.UserAccountControl carries it.
constexpr std::uint32_t kSamrUserNormalAccount = 0x00000010;
constexpr std::uint32_t kRidDomainUsers = 513;

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// LOGON_INFO with the user's SID and Domain Users only, CLIENT_INFO, UPN_DNS_INFO with the
// SAM name and SID, REQUESTOR, ATTRIBUTES_INFO: the minimal PAC of ARCHITECTURE.md, which
// Samba requires of an RODC ticket (digest I).
Result<pac::Pac> minimal_pac(const OnPremUser& user, SysTime authtime) {
  const std::int64_t auth_s =
      std::chrono::duration_cast<std::chrono::seconds>(authtime.time_since_epoch()).count();
  const pac::FileTime auth_ft = pac::filetime_from_unix(auth_s);
  pac::Pac p;
  pac::KerbValidationInfo li;
  li.logon_time = auth_ft;
  li.effective_name = user.sam_account_name;
  li.user_id = KB_TRY(user.sid.rid());
  li.logon_domain_id = KB_TRY(user.sid.domain());
  li.primary_group_id = kRidDomainUsers;
  li.group_ids = {{kRidDomainUsers, pac::kGroupAttributesDefault}};
  li.logon_domain_name = user.netbios_domain_name;
  li.user_account_control = kSamrUserNormalAccount;
  p.logon_info = std::move(li);
  p.client_info = pac::ClientInfo{auth_ft, user.sam_account_name};
  pac::UpnDnsInfo upn;
  upn.upn = user.user_principal_name;
  upn.dns_domain_name = upper(user.dns_domain_name);
  upn.sam_name_and_sid = pac::UpnDnsInfo::SamNameAndSid{user.sam_account_name, user.sid};
  p.upn_dns_info = std::move(upn);
  p.attributes_info = pac::AttributesInfo{2, pac::kPacWasRequested};
  p.requestor = user.sid;
  return p;
}

}  // namespace

Result<PartialTgt> mint_partial_tgt(const OnPremUser& user, const KerberosServerKey& server,
                                    const PartialTgtPolicy& policy, const Clock& clock, Rng& rng) {
  if (server.key == nullptr || server.branch_id == 0) {
    return Error(BaseErrc::kInvalidArgument,
                 "a Kerberos server object needs a key and a branch id");
  }
  if (user.sam_account_name.empty() || user.dns_domain_name.empty()) {
    return Error(BaseErrc::kInvalidArgument, "the user has no on-prem sAMAccountName or domain");
  }
  const krb5::Realm realm = upper(user.dns_domain_name);
  const krb5::PrincipalName cname{krb5::name_type::kPrincipal, {user.sam_account_name}};
  const krb5::PrincipalName sname{krb5::name_type::kSrvInst, {"krbtgt", realm}};

  const auto now = krb5::KerberosTime::from_sys(clock.now());
  const auto endtime = krb5::KerberosTime::from_sys(now.to_sys() + policy.lifetime);
  const auto renew_till = krb5::KerberosTime::from_sys(now.to_sys() + policy.renew_lifetime);

  crypto::Key session = crypto::Key::random(policy.session_key_type, rng);
  crypto::Key client_key = crypto::Key::random(policy.session_key_type, rng);
  const auto session_etype = static_cast<krb5::Int32>(policy.session_key_type);

  // forwardable | renewable | initial | pre-authent (digest D.4, DESIGN). Not enc-pa-rep:
  // there is no AS-REQ whose checksum we could return (digest A.6).
  krb5::KerberosFlags flags;
  flags.set(krb5::ticket_flag::kForwardable)
      .set(krb5::ticket_flag::kRenewable)
      .set(krb5::ticket_flag::kInitial)
      .set(krb5::ticket_flag::kPreAuthent);

  kdc::SealRequest seal;
  seal.realm = realm;
  seal.sname = sname;
  seal.part.flags = flags;
  seal.part.key = krb5::EncryptionKey{session_etype, session.bytes().clone()};
  seal.part.crealm = realm;
  seal.part.cname = cname;
  seal.part.authtime = now;
  seal.part.starttime = now;
  seal.part.endtime = endtime;
  seal.part.renew_till = renew_till;
  seal.pac = KB_TRY(minimal_pac(user, now.to_sys()));
  seal.server_key = server.key;
  seal.server_kvno = rodc_kvno(server.branch_id, server.key_version);
  seal.kdc_key = server.key;
  seal.rodc_identifier = server.branch_id;
  krb5::Ticket ticket = KB_TRY(kdc::seal_ticket(std::move(seal), rng));

  krb5::EncAsRepPart rep_part;
  rep_part.key = krb5::EncryptionKey{session_etype, session.bytes().clone()};
  rep_part.last_req = {krb5::LastReqEntry{0, now}};
  Bytes nonce(4);
  rng.fill(nonce);
  rep_part.nonce = (std::uint32_t{nonce[0]} << 24) | (std::uint32_t{nonce[1]} << 16) |
                   (std::uint32_t{nonce[2]} << 8) | nonce[3];
  rep_part.flags = flags;
  rep_part.authtime = now;
  rep_part.starttime = now;
  rep_part.endtime = endtime;
  rep_part.renew_till = renew_till;
  rep_part.srealm = realm;
  rep_part.sname = sname;
  Bytes rep_plain = der::encode(rep_part);
  auto rep_cipher = crypto::encrypt(client_key, crypto::KeyUsage::kAsRepEncPart, rep_plain, rng);
  secure_wipe(rep_plain.data(), rep_plain.size());
  if (!rep_cipher) return std::move(rep_cipher).error();

  krb5::AsRep rep;
  rep.crealm = realm;
  rep.cname = cname;
  rep.ticket = std::move(ticket);
  rep.enc_part.etype = session_etype;
  rep.enc_part.cipher = std::move(*rep_cipher);

  PartialTgt out;
  out.as_rep = der::encode(rep);
  out.client_key = std::move(client_key);
  out.realm = realm;
  out.cname = cname;
  out.endtime = endtime.to_sys();
  return out;
}

}  // namespace kb::cloud
