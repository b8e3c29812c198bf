#include "cloud/service/token_grant.h"

#include <algorithm>

#include "base/base64.h"
#include "cloud/errors.h"
#include "cloud/partial_tgt.h"
#include "cloud/prt.h"
#include "cloud/service/kerberos_servers.h"
#include "crypto/master_key.h"
#include "pac/sid.h"
#include "store/cloud.h"

namespace kb::cloud {

Bytes prt_session_binding(std::string_view tenant_id, ByteView prt_hash) {
  return crypto::key_binding("prt-session:" + std::string(tenant_id) + "/" + hex_encode(prt_hash),
                             1, 0);
}

std::string realm_of(const store::CloudUser& user) {
  std::string r = user.domain;
  std::transform(r.begin(), r.end(), r.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  });
  return r;
}

namespace {

// The on-prem identity of a synced user (digest D.4). DESIGN: the NetBIOS domain name is
// not synced, so it is the first DNS label upper-cased (AD's default when a domain is
// created); it only fills the minimal PAC, which the writable DC rebuilds.
Result<OnPremUser> on_prem_user(const store::CloudUser& user) {
  OnPremUser u;
  u.sam_account_name = user.sam_account_name;
  u.user_principal_name = user.upn;
  u.dns_domain_name = user.domain;
  const std::string realm = realm_of(user);
  u.netbios_domain_name = realm.substr(0, realm.find('.'));
  u.sid = KB_TRY(pac::Sid::parse(user.object_sid));
  return u;
}

Result<TgtOutcome> partial_tgt(ServiceContext& ctx, std::string_view tenant_id,
                               const store::CloudUser& user) {
  TgtOutcome out;
  out.realm = realm_of(user);
  auto key = KB_TRY(load_kerberos_server_key(ctx, tenant_id, user.domain));
  if (!key) {
    out.error = "no Kerberos server object for " + user.domain;
    return out;
  }
  auto onprem = on_prem_user(user);
  if (!onprem) {
    out.error = "the user has no usable on-prem identity";
    return out;
  }
  const KerberosServerKey server{key->branch_id, key->key_version, &key->key};
  auto tgt = mint_partial_tgt(*onprem, server, {}, ctx.clock, ctx.rng);
  if (!tgt) return tgt.error();
  out.tgt = std::move(*tgt);
  return out;
}

}  // namespace

Result<std::string> issue_prt(ServiceContext& ctx, std::string_view tenant_id, GrantSubject subject,
                              bool want_tgt) {
  const SysTime now = ctx.clock.now();
  Bytes raw(32);
  ctx.rng.fill(raw);
  const std::string prt = base64url_encode(raw);
  const Bytes hash = crypto::sha256(as_bytes(prt));
  const Bytes wrapped = KB_TRY(ctx.master_key.wrap(subject.session_key.reveal(),
                                                   prt_session_binding(tenant_id, hash), ctx.rng));
  std::int64_t lifetime_s = 0;
  KB_CHECK(ctx.store.transact([&](store::CloudTxn& t) -> Result<void> {
    lifetime_s = KB_TRY(t.policy(tenant_id)).prt_lifetime_s;
    store::PrimaryRefreshToken row{std::string(tenant_id),
                                   hash,
                                   subject.user.id,
                                   subject.device.id,
                                   wrapped,
                                   now,
                                   now + std::chrono::seconds(lifetime_s),
                                   false};
    KB_CHECK(t.put_prt(row));
    // DESIGN: a refresh rotates the PRT; the one presented is revoked with the new one
    // stored, so a stolen, already-used PRT is worthless.
    if (!subject.replaced_prt.empty()) {
      // A refresh that raced another one on the same PRT: the other revoked it first (the
      // revocation takes only a live PRT), so this one issues nothing.
      auto revoked = t.revoke_prt(tenant_id, subject.replaced_prt);
      if (!revoked && revoked.error().is(store::Errc::kNotFound)) {
        return Error(CloudErrc::kInvalidGrant, "the PRT was already used by another refresh");
      }
      KB_CHECK(revoked);
    }
    return t.touch_device(tenant_id, subject.device.id, now);
  }));

  PrtGrant g;
  g.refresh_token = prt;
  g.refresh_token_expires_in = lifetime_s;
  g.session_key = std::move(subject.session_key);
  g.transport = std::move(subject.transport);
  g.tenant_id = std::string(tenant_id);
  g.user_id = subject.user.id;
  g.upn = subject.user.upn;
  g.credential_id = std::move(subject.credential_id);
  g.credential_public_key = std::move(subject.credential_public_key);
  if (want_tgt) g.tgt_ad = KB_TRY(partial_tgt(ctx, tenant_id, subject.user));
  return build_prt_response(g, now, ctx.rng);
}

}  // namespace kb::cloud
