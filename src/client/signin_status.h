// `keybridge signin status`: what the device state and the credential cache say, in the
// manner of `dsregcmd /status` (device id, tenant, joined state, PRT, partial and full TGT,
// DCs that answered, key list), as aligned text or JSON. Reads only; never prints a secret.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "client/ccache_writer.h"

namespace kb::client {

struct SigninStatus {
  std::filesystem::path state_path;
  bool joined = false;  // a device state with a registered device exists
  std::string device_id;
  std::string tenant;
  std::string cloud_url;
  std::string user;
  std::string realm;
  bool prt_present = false;
  std::optional<SysTime> prt_expiry;
  bool partial_tgt_present = false;
  std::optional<SysTime> partial_tgt_expiry;
  bool full_tgt_present = false;
  std::optional<SysTime> full_tgt_expiry;
  std::vector<std::string> dcs_answered;
  bool key_list = false;  // the last trade obtained the NT hash through the key list
  bool nt_hash_kept = false;
  bool cached_key = false;  // a credential public key for cached sign-in is kept
  // The cached full TGT is sealed to the security key (hmac-secret, key_binding.h): it
  // cannot be used without the key. NO with a cached TGT: a key without hmac-secret.
  bool cached_tgt_bound = false;
  std::optional<CcacheContents> ccache;
  std::string ccache_error;  // why the cache could not be read ("" when it was)
};

// The status of the state at `state_path` (an absent state is "not joined", not an error;
// a state that does not load is) and of the cache `ccache` (default cache when none).
Result<SigninStatus> signin_status(const std::filesystem::path& state_path,
                                   const std::optional<std::string>& ccache);

// "YES"/"NO" lines with expiries relative to `now`.
std::string format_status_text(const SigninStatus& s, SysTime now);
// One JSON object; times as Unix seconds, absent ones null.
std::string format_status_json(const SigninStatus& s, SysTime now);

}  // namespace kb::client
