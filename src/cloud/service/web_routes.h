// The security-info web page and its user API (docs/cloud-web.md), all under /{tenant}/:
//
//   GET    security-info                      the page (HTML; its script and style are
//   GET    security-info.js                   separate resources so the CSP needs no
//   GET    security-info.css                  'unsafe-inline')
//   POST   me/session                         {username, access_pass}
//                                           | {username, challenge_id, assertion}
//                                             -> {session, token_type, expires_in, ...}
//   POST   me/registration/options            (Bearer) -> {challenge_id, publicKey}
//   POST   me/registration                    (Bearer) {challenge_id, credential, name?}
//   GET    me/credentials                     (Bearer) -> {user, current, credentials}
//   DELETE me/credentials/{credential_id}     (Bearer) -> 204
//
// The session is web_session.h's stateless token. A pass that opens a session is
// consumed exactly as at registration/options (one-time passes work once).
#pragma once

#include "base/http_router.h"
#include "cloud/service/context.h"

namespace kb::cloud {

void add_web_routes(http::Router& router, ServiceContext& ctx);

}  // namespace kb::cloud
