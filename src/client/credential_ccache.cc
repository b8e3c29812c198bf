#include "client/credential_ccache.h"

namespace kb::client {
namespace {

std::uint32_t unix32(const krb5::KerberosTime& t) {
  return static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(t.to_sys().time_since_epoch()).count());
}

}  // namespace

formats::Ccache ccache_of(const Credential& c) {
  formats::Ccache cc;
  cc.default_principal = {static_cast<std::uint32_t>(c.cname.name_type), c.crealm,
                          c.cname.name_string};
  formats::CcacheCredential cr;
  cr.client = cc.default_principal;
  cr.server = {static_cast<std::uint32_t>(c.ticket.sname.name_type), c.ticket.realm,
               c.ticket.sname.name_string};
  cr.enctype = static_cast<std::uint16_t>(c.session_key.enctype());
  cr.key = c.session_key.bytes().clone();
  cr.authtime = unix32(c.authtime);
  cr.starttime = unix32(c.starttime.value_or(c.authtime));
  cr.endtime = unix32(c.endtime);
  cr.renew_till = c.renew_till ? unix32(*c.renew_till) : 0;
  cr.ticket_flags = c.flags.bits;
  cr.ticket = der::encode(c.ticket);
  cc.credentials.push_back(std::move(cr));
  return cc;
}

}  // namespace kb::client
