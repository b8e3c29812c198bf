// The PAC a writable DC puts in TGTs and service tickets, built from the directory (never
// copied from a presented ticket): MS-PAC §2.5 LOGON_INFO with every transitive domain
// group, CLIENT_INFO, UPN_DNS_INFO with the SAM name and SID, ATTRIBUTES_INFO, REQUESTOR.
#pragma once

#include <string>
#include <vector>

#include "base/clock.h"
#include "pac/pac.h"
#include "store/directory.h"

namespace kb::kdc {

struct PacInputs {
  const store::Domain* domain = nullptr;
  const store::Account* account = nullptr;
  std::vector<std::string> token_groups;  // transitive group SIDs (KdcDirectory::token_groups)
  SysTime authtime;
  bool pac_requested = true;  // PA-PAC-REQUEST include-pac, or implicit
};

// "Authentication authority asserted identity" (MS-DTYP 2.4.2.4): a KDC vouched for the
// user's credentials. Samba's full TGT PAC carries it in ExtraSids (digest I).
inline constexpr const char* kAuthenticationAuthorityAssertedIdentity = "S-1-18-1";

Result<pac::Pac> build_pac(const PacInputs& in);

// userAccountControl (AD) -> the SAMR USER_* flags KERB_VALIDATION_INFO carries.
std::uint32_t samr_account_control(std::uint32_t uac);

}  // namespace kb::kdc
