// PA-PAC-OPTIONS (padata 167; MS-KILE 2.2.10, MS-SFU 2.2.5) on AS-REQ and TGS-REQ: what a
// client tells the KDC it understands (claims, branch-aware, forward-to-full-DC,
// resource-based constrained delegation).
//
// A KDC echoes, in the reply's encrypted-pa-data, only the bits it acts on (MS-KILE 3.2.5.5
// step 2 and MS-SFU 3.1.5.1.1 read the echo; MIT krb5kdc's kdc_add_pa_pac_options keeps
// only RBCD). Keybridge is a writable DC that issues no claims and does no S4U2proxy, so it
// acts on none of them and echoes nothing: docs/kdc.md says why, bit by bit.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "krb5/messages.h"

namespace kb::kdc {

// The request's PA-PAC-OPTIONS (the first, as MIT and Heimdal take it), decoded strictly
// (DER, no trailing bytes). std::nullopt when there is none; KDC_ERR_BADOPTION when one is
// present but does not decode: the client asked for options in a form we cannot read.
Result<std::optional<krb5::PaPacOptions>> read_pac_options(
    const std::optional<std::vector<krb5::PaData>>& padata);

// "claims,branch-aware,forward-to-full-dc,rbcd,bit7" for the log line; "-" for none.
std::string describe_pac_options(const krb5::PaPacOptions& options);

}  // namespace kb::kdc
