// Kerberos protocol numbers (RFC 4120 7.5, RFC 3961/3962/8009, RFC 6113, RFC 6806, MS-KILE).
#pragma once

#include <cstdint>

namespace kb::krb5 {

inline constexpr std::int32_t kPvno = 5;

// RFC 4120 7.5.7: msg-type values (equal to the application tags).
namespace msg_type {
inline constexpr std::int32_t kAsReq = 10;
inline constexpr std::int32_t kAsRep = 11;
inline constexpr std::int32_t kTgsReq = 12;
inline constexpr std::int32_t kTgsRep = 13;
inline constexpr std::int32_t kApReq = 14;
inline constexpr std::int32_t kApRep = 15;
inline constexpr std::int32_t kKrbSafe = 20;
inline constexpr std::int32_t kKrbPriv = 21;
inline constexpr std::int32_t kKrbCred = 22;
inline constexpr std::int32_t kKrbError = 30;
}  // namespace msg_type

// RFC 4120 7.5.8 (and RFC 6806 for NT-ENTERPRISE).
namespace name_type {
inline constexpr std::int32_t kUnknown = 0;
inline constexpr std::int32_t kPrincipal = 1;
inline constexpr std::int32_t kSrvInst = 2;
inline constexpr std::int32_t kSrvHst = 3;
inline constexpr std::int32_t kSrvXhst = 4;
inline constexpr std::int32_t kUid = 5;
inline constexpr std::int32_t kX500Principal = 6;
inline constexpr std::int32_t kSmtpName = 7;
inline constexpr std::int32_t kEnterprise = 10;
inline constexpr std::int32_t kWellknown = 11;
}  // namespace name_type

// RFC 4120 7.5.2, RFC 6113, RFC 6806, MS-KILE 3.1.5.1 / 2.2.
namespace padata_type {
inline constexpr std::int32_t kTgsReq = 1;
inline constexpr std::int32_t kEncTimestamp = 2;
inline constexpr std::int32_t kPwSalt = 3;
inline constexpr std::int32_t kEtypeInfo = 11;
inline constexpr std::int32_t kEtypeInfo2 = 19;
inline constexpr std::int32_t kPacRequest = 128;
inline constexpr std::int32_t kForUser = 129;
inline constexpr std::int32_t kFxCookie = 133;
inline constexpr std::int32_t kFxFast = 136;
inline constexpr std::int32_t kFxError = 137;
inline constexpr std::int32_t kEncryptedChallenge = 138;
inline constexpr std::int32_t kReqEncPaRep = 149;
inline constexpr std::int32_t kKerbKeyListReq = 161;
inline constexpr std::int32_t kKerbKeyListRep = 162;
inline constexpr std::int32_t kSupportedEnctypes = 165;
inline constexpr std::int32_t kPacOptions = 167;
}  // namespace padata_type

// RFC 4120 7.5.4.
namespace ad_type {
inline constexpr std::int32_t kIfRelevant = 1;
inline constexpr std::int32_t kWin2kPac = 128;
}  // namespace ad_type

// RFC 3961 8, RFC 3962, RFC 8009, RFC 4757.
namespace etype {
inline constexpr std::int32_t kNull = 0;
inline constexpr std::int32_t kAes128CtsHmacSha196 = 17;
inline constexpr std::int32_t kAes256CtsHmacSha196 = 18;
inline constexpr std::int32_t kAes128CtsHmacSha256128 = 19;
inline constexpr std::int32_t kAes256CtsHmacSha384192 = 20;
inline constexpr std::int32_t kRc4Hmac = 23;
}  // namespace etype

namespace cksumtype {
inline constexpr std::int32_t kHmacSha196Aes128 = 15;
inline constexpr std::int32_t kHmacSha196Aes256 = 16;
inline constexpr std::int32_t kHmacSha256128Aes128 = 19;
inline constexpr std::int32_t kHmacSha384192Aes256 = 20;
inline constexpr std::int32_t kHmacMd5 = -138;
}  // namespace cksumtype

// RFC 4120 7.5.10: last-req lr-type values have no constants we need yet.

// RFC 4120 7.5.9.
namespace error_code {
inline constexpr std::int32_t kNone = 0;
inline constexpr std::int32_t kKdcErrNameExp = 1;
inline constexpr std::int32_t kKdcErrServiceExp = 2;
inline constexpr std::int32_t kKdcErrBadPvno = 3;
inline constexpr std::int32_t kKdcErrCOldMastKvno = 4;
inline constexpr std::int32_t kKdcErrSOldMastKvno = 5;
inline constexpr std::int32_t kKdcErrCPrincipalUnknown = 6;
inline constexpr std::int32_t kKdcErrSPrincipalUnknown = 7;
inline constexpr std::int32_t kKdcErrPrincipalNotUnique = 8;
inline constexpr std::int32_t kKdcErrNullKey = 9;
inline constexpr std::int32_t kKdcErrCannotPostdate = 10;
inline constexpr std::int32_t kKdcErrNeverValid = 11;
inline constexpr std::int32_t kKdcErrPolicy = 12;
inline constexpr std::int32_t kKdcErrBadoption = 13;
inline constexpr std::int32_t kKdcErrEtypeNosupp = 14;
inline constexpr std::int32_t kKdcErrSumtypeNosupp = 15;
inline constexpr std::int32_t kKdcErrPadataTypeNosupp = 16;
inline constexpr std::int32_t kKdcErrTrtypeNosupp = 17;
inline constexpr std::int32_t kKdcErrClientRevoked = 18;
inline constexpr std::int32_t kKdcErrServiceRevoked = 19;
inline constexpr std::int32_t kKdcErrTgtRevoked = 20;
inline constexpr std::int32_t kKdcErrClientNotyet = 21;
inline constexpr std::int32_t kKdcErrServiceNotyet = 22;
inline constexpr std::int32_t kKdcErrKeyExpired = 23;
inline constexpr std::int32_t kKdcErrPreauthFailed = 24;
inline constexpr std::int32_t kKdcErrPreauthRequired = 25;
inline constexpr std::int32_t kKdcErrServerNomatch = 26;
inline constexpr std::int32_t kKdcErrMustUseUser2user = 27;
inline constexpr std::int32_t kKdcErrPathNotAccepted = 28;
inline constexpr std::int32_t kKdcErrSvcUnavailable = 29;
inline constexpr std::int32_t kKrbApErrBadIntegrity = 31;
inline constexpr std::int32_t kKrbApErrTktExpired = 32;
inline constexpr std::int32_t kKrbApErrTktNyv = 33;
inline constexpr std::int32_t kKrbApErrRepeat = 34;
inline constexpr std::int32_t kKrbApErrNotUs = 35;
inline constexpr std::int32_t kKrbApErrBadmatch = 36;
inline constexpr std::int32_t kKrbApErrSkew = 37;
inline constexpr std::int32_t kKrbApErrBadaddr = 38;
inline constexpr std::int32_t kKrbApErrBadversion = 39;
inline constexpr std::int32_t kKrbApErrMsgType = 40;
inline constexpr std::int32_t kKrbApErrModified = 41;
inline constexpr std::int32_t kKrbApErrBadorder = 42;
inline constexpr std::int32_t kKrbApErrBadkeyver = 44;
inline constexpr std::int32_t kKrbApErrNokey = 45;
inline constexpr std::int32_t kKrbApErrMutFail = 46;
inline constexpr std::int32_t kKrbApErrBaddirection = 47;
inline constexpr std::int32_t kKrbApErrMethod = 48;
inline constexpr std::int32_t kKrbApErrBadseq = 49;
inline constexpr std::int32_t kKrbApErrInappCksum = 50;
inline constexpr std::int32_t kKrbApPathNotAccepted = 51;
inline constexpr std::int32_t kKrbErrResponseTooBig = 52;
inline constexpr std::int32_t kKrbErrGeneric = 60;
inline constexpr std::int32_t kKrbErrFieldToolong = 61;
inline constexpr std::int32_t kKdcErrClientNotTrusted = 62;
inline constexpr std::int32_t kKdcErrKdcNotTrusted = 63;
inline constexpr std::int32_t kKdcErrInvalidSig = 64;
inline constexpr std::int32_t kKdcErrKeyTooWeak = 65;
inline constexpr std::int32_t kKdcErrCertificateMismatch = 66;
inline constexpr std::int32_t kKrbApErrNoTgt = 67;
inline constexpr std::int32_t kKdcErrWrongRealm = 68;
inline constexpr std::int32_t kKrbApErrUserToUserRequired = 69;
}  // namespace error_code

// MS-KILE 2.2.1: KERB-ERROR-DATA data-type values.
namespace kerb_error_data_type {
inline constexpr std::int32_t kKerbApErrTypeSkewRecovery = 2;
inline constexpr std::int32_t kKerbErrTypeExtendedError = 3;
}  // namespace kerb_error_data_type

}  // namespace kb::krb5
