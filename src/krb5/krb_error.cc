#include "krb5/krb_error.h"

#include "krb5/errc.h"

namespace kb::krb5 {
namespace {

template <typename T>
Result<T> decode_e_data(const KrbError& e) {
  if (!e.e_data) {
    return std::move(Error(Errc::kNoEData, "KRB-ERROR has no e-data").add_context("KRB-ERROR"));
  }
  auto v = der::decode<T>(*e.e_data, "e-data");
  if (!v) return std::move(Error(std::move(v).error()).add_context("KRB-ERROR"));
  return v;
}

}  // namespace

Result<MethodData> method_data(const KrbError& e) {
  return decode_e_data<MethodData>(e);
}

Result<KerbErrorData> kerb_error_data(const KrbError& e) {
  return decode_e_data<KerbErrorData>(e);
}

}  // namespace kb::krb5
