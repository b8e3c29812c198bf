#include "kdc/kdc_env.h"

namespace kb::kdc {

std::int32_t krb_error_code(const Error& e) {
  return e.domain() == ErrorDomain::kKdc ? e.code() : static_cast<std::int32_t>(Errc::kGeneric);
}

Bytes make_krb_error(SysTime now, const Error& error, const krb5::Realm& realm,
                     const krb5::PrincipalName& sname, const std::optional<krb5::Realm>& crealm,
                     const std::optional<krb5::PrincipalName>& cname, std::optional<Bytes> e_data) {
  krb5::KrbError err;
  err.stime = krb5::KerberosTime::from_sys(now);
  err.susec = static_cast<krb5::Microseconds>(now.time_since_epoch().count() % 1000000);
  err.error_code = krb_error_code(error);
  err.crealm = crealm;
  err.cname = cname;
  err.realm = realm;
  err.sname = sname;
  err.e_data = std::move(e_data);
  return der::encode(err);
}

}  // namespace kb::kdc
