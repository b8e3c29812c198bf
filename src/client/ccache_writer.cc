#include "client/ccache_writer.h"

#include <krb5/krb5.h>

#include <cstring>
#include <utility>

#include "base/bytes.h"
#include "krb5/messages.h"

namespace kb::client {

std::string_view error_code_name(CcacheErrc e) {
  switch (e) {
    case CcacheErrc::kKrb5:
      return "ccache_krb5";
    case CcacheErrc::kBadPrincipal:
      return "ccache_bad_principal";
    case CcacheErrc::kNoCache:
      return "ccache_none";
  }
  return "unknown";
}

namespace {

// Owners of libkrb5 objects, released on every path.
struct Context {
  Context() = default;
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  ~Context() {
    if (ctx) krb5_free_context(ctx);
  }
  krb5_context ctx = nullptr;
};
struct Principal {
  krb5_context ctx;
  krb5_principal p = nullptr;
  ~Principal() {
    if (p) krb5_free_principal(ctx, p);
  }
};
struct Cache {
  krb5_context ctx;
  krb5_ccache cc = nullptr;
  ~Cache() {
    if (cc) krb5_cc_close(ctx, cc);
  }
};

Error krb5_error(krb5_context ctx, krb5_error_code code, std::string_view what) {
  const char* msg = krb5_get_error_message(ctx, code);
  std::string detail = std::string(what) + ": " + (msg ? msg : "?");
  krb5_free_error_message(ctx, msg);
  return Error(CcacheErrc::kKrb5, detail);
}

Result<void> open_context(Context& c) {
  if (krb5_error_code code = krb5_init_context(&c.ctx); code != 0) {
    c.ctx = nullptr;
    return Error(CcacheErrc::kKrb5, "krb5_init_context failed (" + std::to_string(code) + ")");
  }
  return ok();
}

// The components and realm in the string form krb5_parse_name reads back exactly: '/', '@'
// and '\' escaped with '\' (RFC 1964 §2.1.1 name syntax).
Result<std::string> principal_text(const std::vector<krb5::KerberosString>& comps,
                                   std::string_view realm) {
  std::string out;
  auto put = [&out](std::string_view s) -> Result<void> {
    for (char c : s) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        return Error(CcacheErrc::kBadPrincipal, "control character in a principal name");
      }
      if (c == '/' || c == '@' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    return ok();
  };
  if (comps.empty()) return Error(CcacheErrc::kBadPrincipal, "principal with no components");
  for (std::size_t i = 0; i < comps.size(); ++i) {
    if (i) out.push_back('/');
    KB_CHECK(put(comps[i]));
  }
  out.push_back('@');
  KB_CHECK(put(realm));
  return out;
}

Result<void> make_principal(Principal& p, const krb5::PrincipalName& name, std::string_view realm) {
  const std::string text = KB_TRY(principal_text(name.name_string, realm));
  if (krb5_error_code code = krb5_parse_name(p.ctx, text.c_str(), &p.p); code != 0) {
    p.p = nullptr;
    return krb5_error(p.ctx, code, "krb5_parse_name");
  }
  p.p->type = name.name_type;
  return ok();
}

krb5_timestamp ts(const krb5::KerberosTime& t) {
  // krb5_timestamp is 32-bit; libkrb5 treats it as unsigned past 2038 (ts2tt).
  const auto secs =
      std::chrono::duration_cast<std::chrono::seconds>(t.to_sys().time_since_epoch()).count();
  return static_cast<krb5_timestamp>(static_cast<std::uint32_t>(secs));
}

SysTime from_ts(krb5_timestamp t) {
  return SysTime(std::chrono::seconds(static_cast<std::uint32_t>(t)));
}

Result<std::string> unparse(krb5_context ctx, krb5_const_principal p) {
  char* s = nullptr;
  if (krb5_error_code code = krb5_unparse_name(ctx, p, &s); code != 0) {
    return krb5_error(ctx, code, "krb5_unparse_name");
  }
  std::string out(s);
  krb5_free_unparsed_name(ctx, s);
  return out;
}

Result<std::string> full_name(krb5_context ctx, krb5_ccache cc) {
  char* s = nullptr;
  if (krb5_error_code code = krb5_cc_get_full_name(ctx, cc, &s); code != 0) {
    return krb5_error(ctx, code, "krb5_cc_get_full_name");
  }
  std::string out(s);
  krb5_free_string(ctx, s);
  return out;
}

Result<void> open_cache(Cache& c, std::optional<std::string_view> name) {
  krb5_error_code code = 0;
  if (name) {
    const std::string n(*name);
    code = krb5_cc_resolve(c.ctx, n.c_str(), &c.cc);
  } else {
    code = krb5_cc_default(c.ctx, &c.cc);
  }
  if (code != 0) {
    c.cc = nullptr;
    return krb5_error(c.ctx, code, "resolving the credential cache");
  }
  return ok();
}

// The cache to write when the caller named none, chosen as MIT kinit chooses it (kinit.c,
// k5_begin) so that a collection (KCM, DIR, KEYRING) keeps the caches of other principals:
// when the default cache's type supports switching, the collection's cache for `client` if
// it has one; else, when the primary cache already holds another principal, a new cache in
// the collection; else the primary cache itself. `*switch_to` is set when the cache written
// must then become the primary one (krb5_cc_switch), as kinit does.
Result<void> open_default_cache(Cache& out, krb5_principal client, bool* switch_to) {
  *switch_to = false;
  Cache def{out.ctx};
  KB_CHECK(open_cache(def, std::nullopt));
  const char* type = krb5_cc_get_type(out.ctx, def.cc);
  if (!krb5_cc_support_switch(out.ctx, type)) {
    out.cc = std::exchange(def.cc, nullptr);
    return ok();
  }
  krb5_error_code code = krb5_cc_cache_match(out.ctx, client, &out.cc);
  if (code == 0) {
    *switch_to = true;
    return ok();
  }
  out.cc = nullptr;
  if (code != KRB5_CC_NOTFOUND) return krb5_error(out.ctx, code, "krb5_cc_cache_match");
  Principal held{out.ctx};
  if (krb5_cc_get_principal(out.ctx, def.cc, &held.p) != 0) {
    held.p = nullptr;  // the primary cache is empty or absent: it is ours to initialize
    out.cc = std::exchange(def.cc, nullptr);
    return ok();
  }
  if (code = krb5_cc_new_unique(out.ctx, type, nullptr, &out.cc); code != 0) {
    out.cc = nullptr;
    return krb5_error(out.ctx, code, "krb5_cc_new_unique");
  }
  *switch_to = true;
  return ok();
}

}  // namespace

Result<std::string> store_credential(const Credential& cred,
                                     std::optional<std::string_view> ccache_name) {
  Context ctx;
  KB_CHECK(open_context(ctx));
  Principal client{ctx.ctx};
  Principal server{ctx.ctx};
  KB_CHECK(make_principal(client, cred.cname, cred.crealm));
  KB_CHECK(make_principal(server, cred.ticket.sname, cred.ticket.realm));
  Bytes ticket = der::encode(cred.ticket);

  krb5_creds c;
  std::memset(&c, 0, sizeof c);
  c.magic = KV5M_CREDS;
  c.client = client.p;
  c.server = server.p;
  c.keyblock.magic = KV5M_KEYBLOCK;
  c.keyblock.enctype = static_cast<krb5_enctype>(cred.session_key.enctype());
  c.keyblock.length = static_cast<unsigned int>(cred.session_key.bytes().size());
  // A view of the key (no copy): libkrb5 copies what it stores; `c` is never freed by it.
  c.keyblock.contents = const_cast<krb5_octet*>(cred.session_key.bytes().reveal().data());
  c.times.authtime = ts(cred.authtime);
  c.times.starttime = ts(cred.starttime.value_or(cred.authtime));
  c.times.endtime = ts(cred.endtime);
  c.times.renew_till = cred.renew_till ? ts(*cred.renew_till) : 0;
  c.ticket_flags = static_cast<krb5_flags>(cred.flags.bits);
  c.ticket.magic = KV5M_DATA;
  c.ticket.length = static_cast<unsigned int>(ticket.size());
  c.ticket.data = reinterpret_cast<char*>(ticket.data());

  Cache cache{ctx.ctx};
  bool switch_to = false;
  if (ccache_name) {
    KB_CHECK(open_cache(cache, ccache_name));
  } else {
    KB_CHECK(open_default_cache(cache, client.p, &switch_to));
  }
  if (krb5_error_code code = krb5_cc_initialize(ctx.ctx, cache.cc, client.p); code != 0) {
    return krb5_error(ctx.ctx, code, "krb5_cc_initialize");
  }
  if (krb5_error_code code = krb5_cc_store_cred(ctx.ctx, cache.cc, &c); code != 0) {
    return krb5_error(ctx.ctx, code, "krb5_cc_store_cred");
  }
  if (switch_to) {
    if (krb5_error_code code = krb5_cc_switch(ctx.ctx, cache.cc); code != 0) {
      return krb5_error(ctx.ctx, code, "krb5_cc_switch");
    }
  }
  return full_name(ctx.ctx, cache.cc);
}

namespace {

// Copies one credential out of libkrb5's structure, then wipes its key block.
Result<CachedCredential> take(krb5_context ctx, krb5_creds& c) {
  CachedCredential out;
  out.client = KB_TRY(unparse(ctx, c.client));
  out.server = KB_TRY(unparse(ctx, c.server));
  out.enctype = c.keyblock.enctype;
  out.flags = static_cast<std::uint32_t>(c.ticket_flags);
  out.authtime = from_ts(c.times.authtime);
  out.starttime = from_ts(c.times.starttime ? c.times.starttime : c.times.authtime);
  out.endtime = from_ts(c.times.endtime);
  if (c.times.renew_till != 0) out.renew_till = from_ts(c.times.renew_till);
  return out;
}

void wipe_and_free(krb5_context ctx, krb5_creds& c) {
  if (c.keyblock.contents && c.keyblock.length) secure_wipe(c.keyblock.contents, c.keyblock.length);
  krb5_free_cred_contents(ctx, &c);
}

}  // namespace

Result<CcacheContents> read_ccache(std::optional<std::string_view> ccache_name) {
  Context ctx;
  KB_CHECK(open_context(ctx));
  Cache cache{ctx.ctx};
  KB_CHECK(open_cache(cache, ccache_name));
  CcacheContents out;
  out.name = KB_TRY(full_name(ctx.ctx, cache.cc));
  Principal def{ctx.ctx};
  if (krb5_error_code code = krb5_cc_get_principal(ctx.ctx, cache.cc, &def.p); code != 0) {
    def.p = nullptr;
    const char* msg = krb5_get_error_message(ctx.ctx, code);
    Error e(CcacheErrc::kNoCache, out.name + ": " + (msg ? msg : "?"));
    krb5_free_error_message(ctx.ctx, msg);
    return e;
  }
  out.default_principal = KB_TRY(unparse(ctx.ctx, def.p));
  krb5_cc_cursor cursor = nullptr;
  if (krb5_error_code code = krb5_cc_start_seq_get(ctx.ctx, cache.cc, &cursor); code != 0) {
    return krb5_error(ctx.ctx, code, "krb5_cc_start_seq_get");
  }
  Result<void> status = ok();
  for (;;) {
    krb5_creds c;
    std::memset(&c, 0, sizeof c);
    if (krb5_cc_next_cred(ctx.ctx, cache.cc, &cursor, &c) != 0) break;  // KRB5_CC_END
    if (!krb5_is_config_principal(ctx.ctx, c.server)) {
      auto one = take(ctx.ctx, c);
      if (one) {
        out.credentials.push_back(std::move(*one));
      } else {
        status = std::move(one).error();
      }
    }
    wipe_and_free(ctx.ctx, c);
    if (!status) break;
  }
  krb5_cc_end_seq_get(ctx.ctx, cache.cc, &cursor);
  if (!status) return std::move(status).error();
  return out;
}

}  // namespace kb::client
