#include "client/signin_status.h"

#include <boost/json.hpp>
#include <sstream>

#include "base/json.h"
#include "client/device_state.h"
#include "client/key_binding.h"

namespace kb::client {

namespace bj = boost::json;

namespace {

std::int64_t unix_seconds(SysTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// "2026-11-23 18:00:00 UTC (valid 9h59m)" or "(expired)".
std::string when(const std::optional<SysTime>& t, SysTime now) {
  if (!t) return "-";
  const std::time_t tt = std::chrono::system_clock::to_time_t(*t);
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  std::string out = buf;
  if (*t <= now) return out + " (expired)";
  const auto left = std::chrono::duration_cast<std::chrono::minutes>(*t - now).count();
  return out + " (valid " + std::to_string(left / 60) + "h" + std::to_string(left % 60) + "m)";
}

const char* yes(bool b) {
  return b ? "YES" : "NO";
}

bj::value time_json(const std::optional<SysTime>& t) {
  if (!t) return nullptr;
  return unix_seconds(*t);
}

}  // namespace

Result<SigninStatus> signin_status(const std::filesystem::path& state_path,
                                   const std::optional<std::string>& ccache) {
  SigninStatus s;
  s.state_path = state_path;
  auto st = load_device_state(state_path);
  if (!st && !st.error().is(DeviceStateErrc::kMissing)) return std::move(st).error();
  if (st) {
    s.joined = true;
    s.device_id = st->device_id;
    s.tenant = st->tenant;
    s.cloud_url = st->cloud_url;
    s.user = st->user;
    s.realm = st->realm;
    s.prt_present = st->prt.has_value();
    s.prt_expiry = st->prt_expiry;
    s.partial_tgt_present = st->partial_tgt.has_value();
    s.partial_tgt_expiry = st->partial_tgt_expiry;
    s.full_tgt_present = st->full_tgt.has_value() || st->full_tgt_sealed.has_value();
    s.cached_tgt_bound = cached_tgt_bound(*st);
    s.full_tgt_expiry = st->full_tgt_expiry;
    s.dcs_answered = st->dcs_answered;
    s.key_list = st->key_list;
    s.nt_hash_kept = st->nt_hash.has_value();
    s.cached_key = !st->credential_public_key.empty();
  }
  auto cc = read_ccache(ccache);
  if (cc) {
    s.ccache = std::move(*cc);
  } else {
    s.ccache_error = cc.error().to_string();
  }
  return s;
}

std::string format_status_text(const SigninStatus& s, SysTime now) {
  std::ostringstream o;
  o << "+----------------------------------------------------------------------+\n"
    << "| Device State                                                         |\n"
    << "+----------------------------------------------------------------------+\n"
    << "          KeybridgeJoined : " << yes(s.joined) << "\n"
    << "                 DeviceId : " << (s.joined ? s.device_id : "-") << "\n"
    << "                 TenantId : " << (s.joined ? s.tenant : "-") << "\n"
    << "                 CloudUrl : " << (s.joined ? s.cloud_url : "-") << "\n"
    << "                     User : " << (s.user.empty() ? "-" : s.user) << "\n"
    << "                StateFile : " << s.state_path.string() << "\n"
    << "+----------------------------------------------------------------------+\n"
    << "| SSO State                                                            |\n"
    << "+----------------------------------------------------------------------+\n"
    << "              PrtPresent : " << yes(s.prt_present) << "\n"
    << "               PrtExpiry : " << when(s.prt_expiry, now) << "\n"
    << "       PartialTgtPresent : " << yes(s.partial_tgt_present) << "\n"
    << "        PartialTgtExpiry : " << when(s.partial_tgt_expiry, now) << "\n"
    << "          FullTgtPresent : " << yes(s.full_tgt_present) << "\n"
    << "           FullTgtExpiry : " << when(s.full_tgt_expiry, now) << "\n"
    << "                   Realm : " << (s.realm.empty() ? "-" : s.realm) << "\n"
    << "             DcsAnswered : ";
  for (std::size_t i = 0; i < s.dcs_answered.size(); ++i) {
    o << (i ? ", " : "") << s.dcs_answered[i];
  }
  o << (s.dcs_answered.empty() ? "-" : "") << "\n"
    << "        KeyListObtained : " << yes(s.key_list) << "\n"
    << "            NtHashKept : " << yes(s.nt_hash_kept) << "\n"
    << "   CachedSignInAvailable : " << yes(s.cached_key && s.full_tgt_present) << "\n"
    << "     CachedTgtBoundToKey : " << yes(s.cached_tgt_bound) << "\n"
    << "+----------------------------------------------------------------------+\n"
    << "| Credential Cache                                                     |\n"
    << "+----------------------------------------------------------------------+\n";
  if (!s.ccache) {
    o << "                   Cache : none (" << s.ccache_error << ")\n";
    return o.str();
  }
  o << "                   Cache : " << s.ccache->name << "\n"
    << "        DefaultPrincipal : " << s.ccache->default_principal << "\n";
  for (const auto& c : s.ccache->credentials) {
    o << "                  Ticket : " << c.server << " until " << when(c.endtime, now) << "\n";
  }
  return o.str();
}

std::string format_status_json(const SigninStatus& s, SysTime now) {
  bj::array dcs;
  for (const auto& d : s.dcs_answered) dcs.emplace_back(d);
  bj::object o{{"joined", s.joined},
               {"device_id", s.joined ? bj::value(s.device_id) : bj::value(nullptr)},
               {"tenant", s.joined ? bj::value(s.tenant) : bj::value(nullptr)},
               {"cloud_url", s.joined ? bj::value(s.cloud_url) : bj::value(nullptr)},
               {"user", s.user.empty() ? bj::value(nullptr) : bj::value(s.user)},
               {"realm", s.realm.empty() ? bj::value(nullptr) : bj::value(s.realm)},
               {"state_file", s.state_path.string()},
               {"now", unix_seconds(now)},
               {"prt_present", s.prt_present},
               {"prt_expiry", time_json(s.prt_expiry)},
               {"partial_tgt_present", s.partial_tgt_present},
               {"partial_tgt_expiry", time_json(s.partial_tgt_expiry)},
               {"full_tgt_present", s.full_tgt_present},
               {"full_tgt_expiry", time_json(s.full_tgt_expiry)},
               {"dcs_answered", std::move(dcs)},
               {"key_list_obtained", s.key_list},
               {"nt_hash_kept", s.nt_hash_kept},
               {"cached_sign_in_available", s.cached_key && s.full_tgt_present},
               {"cached_tgt_bound_to_key", s.cached_tgt_bound}};
  if (s.ccache) {
    bj::array creds;
    for (const auto& c : s.ccache->credentials) {
      creds.push_back(bj::object{{"client", c.client},
                                 {"server", c.server},
                                 {"enctype", c.enctype},
                                 {"flags", c.flags},
                                 {"endtime", unix_seconds(c.endtime)},
                                 {"renew_till", time_json(c.renew_till)}});
    }
    o["ccache"] = bj::object{{"name", s.ccache->name},
                             {"default_principal", s.ccache->default_principal},
                             {"credentials", std::move(creds)}};
  } else {
    o["ccache"] = nullptr;
    o["ccache_error"] = s.ccache_error;
  }
  return json::serialize(o);
}

}  // namespace kb::client
