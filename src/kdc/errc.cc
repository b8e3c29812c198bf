#include "kdc/errc.h"

namespace kb::kdc {

std::string_view error_code_name(Errc e) {
  switch (e) {
    case Errc::kCPrincipalUnknown:
      return "KDC_ERR_C_PRINCIPAL_UNKNOWN";
    case Errc::kSPrincipalUnknown:
      return "KDC_ERR_S_PRINCIPAL_UNKNOWN";
    case Errc::kPrincipalNotUnique:
      return "KDC_ERR_PRINCIPAL_NOT_UNIQUE";
    case Errc::kNullKey:
      return "KDC_ERR_NULL_KEY";
    case Errc::kCannotPostdate:
      return "KDC_ERR_CANNOT_POSTDATE";
    case Errc::kNeverValid:
      return "KDC_ERR_NEVER_VALID";
    case Errc::kPolicy:
      return "KDC_ERR_POLICY";
    case Errc::kBadOption:
      return "KDC_ERR_BADOPTION";
    case Errc::kEtypeNoSupp:
      return "KDC_ERR_ETYPE_NOSUPP";
    case Errc::kSumtypeNoSupp:
      return "KDC_ERR_SUMTYPE_NOSUPP";
    case Errc::kPadataTypeNoSupp:
      return "KDC_ERR_PADATA_TYPE_NOSUPP";
    case Errc::kClientRevoked:
      return "KDC_ERR_CLIENT_REVOKED";
    case Errc::kServiceRevoked:
      return "KDC_ERR_SERVICE_REVOKED";
    case Errc::kTgtRevoked:
      return "KDC_ERR_TGT_REVOKED";
    case Errc::kKeyExpired:
      return "KDC_ERR_KEY_EXPIRED";
    case Errc::kPreauthFailed:
      return "KDC_ERR_PREAUTH_FAILED";
    case Errc::kPreauthRequired:
      return "KDC_ERR_PREAUTH_REQUIRED";
    case Errc::kBadIntegrity:
      return "KRB_AP_ERR_BAD_INTEGRITY";
    case Errc::kTktExpired:
      return "KRB_AP_ERR_TKT_EXPIRED";
    case Errc::kTktNotYetValid:
      return "KRB_AP_ERR_TKT_NYV";
    case Errc::kRepeat:
      return "KRB_AP_ERR_REPEAT";
    case Errc::kBadMatch:
      return "KRB_AP_ERR_BADMATCH";
    case Errc::kSkew:
      return "KRB_AP_ERR_SKEW";
    case Errc::kMsgType:
      return "KRB_AP_ERR_MSG_TYPE";
    case Errc::kModified:
      return "KRB_AP_ERR_MODIFIED";
    case Errc::kBadKeyVer:
      return "KRB_AP_ERR_BADKEYVER";
    case Errc::kNoKey:
      return "KRB_AP_ERR_NOKEY";
    case Errc::kInappCksum:
      return "KRB_AP_ERR_INAPP_CKSUM";
    case Errc::kResponseTooBig:
      return "KRB_ERR_RESPONSE_TOO_BIG";
    case Errc::kGeneric:
      return "KRB_ERR_GENERIC";
    case Errc::kFieldTooLong:
      return "KRB_ERR_FIELD_TOOLONG";
    case Errc::kWrongRealm:
      return "KDC_ERR_WRONG_REALM";
  }
  return "KRB_ERR_UNKNOWN";
}

}  // namespace kb::kdc
