// Kerberos V5 messages (RFC 4120), each declared once with its DER schema.
// (Not named krb5/krb5.h: that would shadow MIT's <krb5/krb5.h> for code that uses both.)
//
// Decoding and encoding go through one generic path for every type:
//   Result<krb5::AsReq> req = der::decode<krb5::AsReq>(bytes);   // strict DER
//   Bytes out = der::encode(*req);                               // byte-identical for DER input
// Errors are der::Errc / krb5::Errc with a field path such as "AS-REQ.req-body.etype[3]".
#pragma once

#include "der/schema.h"
#include "krb5/ap.h"
#include "krb5/basic.h"
#include "krb5/constants.h"
#include "krb5/cred.h"
#include "krb5/errc.h"
#include "krb5/kdc_rep.h"
#include "krb5/kdc_req.h"
#include "krb5/krb_error.h"
#include "krb5/padata.h"
#include "krb5/ticket.h"

namespace kb::krb5 {
using der::decode;
using der::encode;
}  // namespace kb::krb5
