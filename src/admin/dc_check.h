// `keybridge admin dc-check`: for each DC of a domain, does it answer the trade of a
// partial TGT (a writable DC holding this Kerberos server object's key) and the key list?
// What `nltest /dsgetdc:<domain> /keylist /kdc` tells a Windows admin (reference 002 FAQ),
// found out by asking: the check mints a partial TGT for a probe account with the Kerberos
// server object's key (the admin has the directory) and sends the trade with
// KERB-KEY-LIST-REQ to each DC.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "crypto/master_key.h"
#include "store/directory.h"

namespace kb::admin {

// Sends one Kerberos request to a DC ("host:port") and returns its reply.
using KdcExchange = std::function<Result<Bytes>(const std::string& dc, ByteView request)>;

enum class Answer { kYes, kNo, kUnknown };
std::string_view answer_name(Answer a);  // "yes", "no", "unknown"

struct DcCheck {
  std::string dc;
  bool reachable = false;
  Answer trade = Answer::kUnknown;  // decrypts partial TGTs of this object and applies the policy
  Answer key_list = Answer::kUnknown;  // returned KERB-KEY-LIST-REP for the probe account
  std::string detail;                  // what the DC answered, for the operator
};

struct DcCheckRequest {
  std::vector<std::string> dcs;
  // The account the probe ticket names: an account the policy allows shows the key list;
  // a denied one (the default, Administrator) still shows whether the DC trades.
  std::string probe_account = "Administrator";
};

// One entry per DC, in order. Fails only when the directory has no Kerberos server object
// or the probe account does not exist.
Result<std::vector<DcCheck>> dc_check(store::DirectoryStore& directory, const crypto::MasterKey& mk,
                                      const DcCheckRequest& request, const KdcExchange& exchange,
                                      const Clock& clock, Rng& rng);

}  // namespace kb::admin
