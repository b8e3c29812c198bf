#include "client/device_state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>

#include "base/base64.h"
#include "base/json.h"

namespace kb::client {

std::string_view error_code_name(DeviceStateErrc e) {
  switch (e) {
    case DeviceStateErrc::kBadFile:
      return "device_state_bad_file";
    case DeviceStateErrc::kVersion:
      return "device_state_version";
    case DeviceStateErrc::kPermissions:
      return "device_state_permissions";
    case DeviceStateErrc::kIo:
      return "device_state_io";
    case DeviceStateErrc::kIntegrity:
      return "device_state_integrity";
    case DeviceStateErrc::kMissing:
      return "device_state_missing";
  }
  return "unknown";
}

namespace {

namespace bj = boost::json;

constexpr std::size_t kMaxString = 2048;     // ids, URLs, DC addresses
constexpr std::size_t kMaxBlob = 64 * 1024;  // certificates, keys, PRTs (base64 text)
constexpr std::size_t kMaxDcs = 32;
constexpr std::size_t kMaxTicketCache = 32 * 1024;  // a ccache image with a PAC-heavy ticket

// The complete member set of version 1; anything else is refused.
constexpr std::string_view kMembers[] = {
    "version", "device_id", "tenant", "cloud_url", "device_key", "transport_key",
    "device_certificate", "prt", "session_key", "prt_expiry", "credential_id",
    "credential_public_key", "sign_count", "partial_tgt_expiry", "full_tgt_expiry", "dcs_answered",
    "nt_hash",
    // Optional members added by `keybridge signin`.
    "user", "realm", "rp_id", "origin", "key_list", "full_tgt", "partial_tgt",
    // Optional members of the key binding (docs/signin.md).
    "hmac_salt", "binding_credential_id", "binding_public_key", "binding_private_key",
    "full_tgt_sealed"};

constexpr std::size_t kSaltSize = 32;        // CTAP 2.1 12.5 salt1
constexpr std::size_t kSealPublicSize = 32;  // X25519
// A MasterKey blob of a 32-byte X25519 private key: version, nonce, key, tag.
constexpr std::size_t kWrappedSealKeySize = 1 + 12 + 32 + 16;

Error bad(std::string_view member, std::string_view why) {
  return Error(DeviceStateErrc::kBadFile, std::string(member) + ": " + std::string(why));
}

// Associated data: the member name and the device id, so blobs cannot be swapped.
Bytes binding(std::string_view member, std::string_view device_id) {
  Bytes ad = to_bytes(std::string_view("keybridge-device-state-v1\0", 26));
  put_u32be(ad, static_cast<std::uint32_t>(member.size()));
  append(ad, as_bytes(member));
  put_u32be(ad, static_cast<std::uint32_t>(device_id.size()));
  append(ad, as_bytes(device_id));
  return ad;
}

std::int64_t unix_seconds(SysTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Result<void> put_secret(bj::object& o, std::string_view member, ByteView secret,
                        const DeviceState& s, const crypto::MasterKey& key, Rng& rng) {
  Bytes blob = KB_TRY(key.wrap(secret, binding(member, s.device_id), rng));
  o[member] = base64_encode(blob);
  return ok();
}

Result<std::string> get_str(const bj::object& o, std::string_view member, std::size_t max) {
  auto s = json::get_string(o, member);
  if (!s) return bad(member, "missing or not a string");
  if (s->size() > max) return bad(member, "too long");
  return std::move(*s);
}

Result<Bytes> get_b64(const bj::object& o, std::string_view member) {
  std::string s = KB_TRY(get_str(o, member, kMaxBlob));
  auto b = base64_decode(s);
  if (!b) return bad(member, "not base64");
  return std::move(*b);
}

// An optional member: absent or null means none.
bool present(const bj::object& o, std::string_view member) {
  auto it = o.find(member);
  return it != o.end() && !it->value().is_null();
}

Result<SecretBytes> get_secret(const bj::object& o, std::string_view member,
                               std::string_view device_id, const crypto::MasterKey& key) {
  Bytes blob = KB_TRY(get_b64(o, member));
  auto plain = key.unwrap(blob, binding(member, device_id));
  if (!plain) {
    return Error(DeviceStateErrc::kIntegrity, std::string(member) + " does not decrypt");
  }
  return std::move(*plain);
}

Result<std::optional<SysTime>> get_time(const bj::object& o, std::string_view member) {
  if (!present(o, member)) return std::optional<SysTime>{};
  auto v = json::get_int(o, member);
  // 0 .. year 9999: a timestamp a Kerberos ticket or a PRT can carry.
  if (!v || *v < 0 || *v > 253402300799) return bad(member, "not a time in seconds");
  return std::optional<SysTime>(SysTime(std::chrono::seconds(*v)));
}

Result<crypto::PrivateKey> get_key(const bj::object& o, std::string_view member,
                                   std::string_view device_id, const crypto::MasterKey& key) {
  SecretBytes der = KB_TRY(get_secret(o, member, device_id, key));
  auto k = crypto::PrivateKey::from_pkcs8_der(der.reveal());
  if (!k) return bad(member, "not an RSA or P-256 PKCS#8 key");
  return std::move(*k);
}

Result<void> check_members(const bj::object& o) {
  for (const auto& kv : o) {
    bool known = false;
    for (auto m : kMembers) known = known || kv.key() == m;
    if (!known) return bad(std::string(kv.key()), "unknown member");
  }
  return ok();
}

Result<void> decode_public(const bj::object& o, DeviceState& s) {
  s.device_id = KB_TRY(get_str(o, "device_id", kMaxString));
  if (s.device_id.empty()) return bad("device_id", "empty");
  s.tenant = KB_TRY(get_str(o, "tenant", kMaxString));
  s.cloud_url = KB_TRY(get_str(o, "cloud_url", kMaxString));
  s.device_certificate = KB_TRY(get_b64(o, "device_certificate"));
  s.prt_expiry = KB_TRY(get_time(o, "prt_expiry"));
  s.credential_id = KB_TRY(get_b64(o, "credential_id"));
  s.credential_public_key = KB_TRY(get_b64(o, "credential_public_key"));
  auto count = json::get_int(o, "sign_count");
  if (!count || *count < 0 || *count > 0xffffffffLL) return bad("sign_count", "not a u32");
  s.sign_count = static_cast<std::uint32_t>(*count);
  s.partial_tgt_expiry = KB_TRY(get_time(o, "partial_tgt_expiry"));
  s.full_tgt_expiry = KB_TRY(get_time(o, "full_tgt_expiry"));
  for (auto [member, field] : {std::pair<std::string_view, std::string*>{"user", &s.user},
                               {"realm", &s.realm},
                               {"rp_id", &s.rp_id},
                               {"origin", &s.origin}}) {
    if (present(o, member)) *field = KB_TRY(get_str(o, member, kMaxString));
  }
  if (present(o, "key_list")) {
    auto b = json::get_bool(o, "key_list");
    if (!b) return bad("key_list", "not a boolean");
    s.key_list = *b;
  }
  auto dcs = json::get_array(o, "dcs_answered");
  if (!dcs) return bad("dcs_answered", "missing or not an array");
  if ((*dcs)->size() > kMaxDcs) return bad("dcs_answered", "too many entries");
  for (const auto& v : **dcs) {
    if (!v.is_string() || v.as_string().size() > kMaxString) {
      return bad("dcs_answered", "entry not a short string");
    }
    s.dcs_answered.emplace_back(v.as_string().c_str(), v.as_string().size());
  }
  return ok();
}

// The key binding: all three members or none; sizes fixed by their algorithms.
Result<void> decode_binding(const bj::object& o, DeviceState& s) {
  if (present(o, "hmac_salt")) {
    s.hmac_salt = KB_TRY(get_b64(o, "hmac_salt"));
    if (s.hmac_salt.size() != kSaltSize) return bad("hmac_salt", "not 32 bytes");
  }
  const bool id = present(o, "binding_credential_id");
  const bool pub = present(o, "binding_public_key");
  const bool priv = present(o, "binding_private_key");
  if (!id && !pub && !priv) return ok();
  if (!id || !pub || !priv) return bad("binding_*", "incomplete key binding");
  if (s.hmac_salt.empty()) return bad("hmac_salt", "key binding without a salt");
  KeyBinding b;
  b.credential_id = KB_TRY(get_b64(o, "binding_credential_id"));
  b.seal_public_key = KB_TRY(get_b64(o, "binding_public_key"));
  b.wrapped_private_key = KB_TRY(get_b64(o, "binding_private_key"));
  if (b.credential_id.empty()) return bad("binding_credential_id", "empty");
  if (b.seal_public_key.size() != kSealPublicSize) return bad("binding_public_key", "size");
  if (b.wrapped_private_key.size() != kWrappedSealKeySize) {
    return bad("binding_private_key", "size");
  }
  s.key_binding = std::move(b);
  return ok();
}

Result<void> decode_secrets(const bj::object& o, DeviceState& s, const crypto::MasterKey& key) {
  s.device_key = KB_TRY(get_key(o, "device_key", s.device_id, key));
  s.transport_key = KB_TRY(get_key(o, "transport_key", s.device_id, key));
  if (present(o, "prt")) {
    SecretBytes prt = KB_TRY(get_secret(o, "prt", s.device_id, key));
    s.prt = SecretString(as_chars(prt.reveal()));
  }
  if (present(o, "session_key")) {
    s.session_key = KB_TRY(get_secret(o, "session_key", s.device_id, key));
  }
  if (present(o, "nt_hash")) {
    SecretBytes h = KB_TRY(get_secret(o, "nt_hash", s.device_id, key));
    if (h.size() != 16) return bad("nt_hash", "not 16 bytes");
    s.nt_hash = std::move(h);
  }
  for (auto [member, field] :
       {std::pair<std::string_view, std::optional<SecretBytes>*>{"full_tgt", &s.full_tgt},
        {"partial_tgt", &s.partial_tgt},
        {"full_tgt_sealed", &s.full_tgt_sealed}}) {
    if (!present(o, member)) continue;
    SecretBytes v = KB_TRY(get_secret(o, member, s.device_id, key));
    if (v.size() > kMaxTicketCache) return bad(member, "too large");
    *field = std::move(v);
  }
  if (s.full_tgt_sealed && !s.key_binding) return bad("full_tgt_sealed", "without a binding");
  if (s.full_tgt_sealed && s.full_tgt) return bad("full_tgt", "beside full_tgt_sealed");
  return ok();
}

Result<void> fail_io(const std::string& what) {
  return Error(DeviceStateErrc::kIo, what + ": " + std::strerror(errno));
}

// Refuses a file readable or writable by group/others, or owned by another user.
Result<void> check_private(int fd, const std::filesystem::path& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail_io("fstat " + path.string());
  if ((st.st_mode & 077) != 0 || st.st_uid != ::geteuid() || !S_ISREG(st.st_mode)) {
    return Error(DeviceStateErrc::kPermissions,
                 path.string() + " must be a regular file of this user with mode 0600");
  }
  return ok();
}

Result<Bytes> read_private(const std::filesystem::path& path, std::size_t max) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return Error(DeviceStateErrc::kMissing, path.string());
    KB_CHECK(fail_io("open " + path.string()));
  }
  Bytes out;
  Result<void> status = check_private(fd, path);
  if (status) {
    out.resize(max + 1);
    std::size_t off = 0;
    for (;;) {
      ssize_t n = ::read(fd, out.data() + off, out.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        status = fail_io("read " + path.string());
        break;
      }
      if (n == 0 || (off += static_cast<std::size_t>(n)) == out.size()) break;
    }
    out.resize(off);
    if (status && off > max) status = bad(path.string(), "file larger than allowed");
  }
  ::close(fd);
  if (!status) return std::move(status).error();
  return out;
}

Result<crypto::MasterKey> file_key(const std::filesystem::path& state, Rng* create_with) {
  const auto path = device_key_path(state);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT && create_with) {
      auto mk = crypto::MasterKey::create_stash(path, *create_with);
      if (!mk) return Error(DeviceStateErrc::kIo, mk.error().to_string());
      return mk;
    }
    if (errno == ENOENT) return Error(DeviceStateErrc::kMissing, path.string());
    KB_CHECK(fail_io("open " + path.string()));
  }
  Result<void> priv = check_private(fd, path);
  ::close(fd);
  KB_CHECK(priv);
  auto mk = crypto::MasterKey::load_stash(path);
  if (!mk) return Error(DeviceStateErrc::kBadFile, mk.error().to_string());
  return mk;
}

}  // namespace

Result<Bytes> encode_device_state(const DeviceState& s, const crypto::MasterKey& key, Rng& rng) {
  if (s.device_id.empty()) return bad("device_id", "empty");
  bj::object o;
  o["version"] = kDeviceStateVersion;
  o["device_id"] = s.device_id;
  o["tenant"] = s.tenant;
  o["cloud_url"] = s.cloud_url;
  SecretBytes dk = KB_TRY(s.device_key.to_pkcs8_der());
  KB_CHECK(put_secret(o, "device_key", dk.reveal(), s, key, rng));
  SecretBytes tk = KB_TRY(s.transport_key.to_pkcs8_der());
  KB_CHECK(put_secret(o, "transport_key", tk.reveal(), s, key, rng));
  o["device_certificate"] = base64_encode(s.device_certificate);
  if (s.prt) KB_CHECK(put_secret(o, "prt", as_bytes(s.prt->reveal()), s, key, rng));
  if (s.session_key) KB_CHECK(put_secret(o, "session_key", s.session_key->reveal(), s, key, rng));
  if (s.prt_expiry) o["prt_expiry"] = unix_seconds(*s.prt_expiry);
  o["credential_id"] = base64_encode(s.credential_id);
  o["credential_public_key"] = base64_encode(s.credential_public_key);
  o["sign_count"] = s.sign_count;
  if (s.partial_tgt_expiry) o["partial_tgt_expiry"] = unix_seconds(*s.partial_tgt_expiry);
  if (s.full_tgt_expiry) o["full_tgt_expiry"] = unix_seconds(*s.full_tgt_expiry);
  bj::array dcs;
  for (const auto& d : s.dcs_answered) dcs.emplace_back(d);
  o["dcs_answered"] = std::move(dcs);
  if (s.nt_hash) KB_CHECK(put_secret(o, "nt_hash", s.nt_hash->reveal(), s, key, rng));
  if (!s.user.empty()) o["user"] = s.user;
  if (!s.realm.empty()) o["realm"] = s.realm;
  if (!s.rp_id.empty()) o["rp_id"] = s.rp_id;
  if (!s.origin.empty()) o["origin"] = s.origin;
  if (s.key_list) o["key_list"] = true;
  if (s.full_tgt) KB_CHECK(put_secret(o, "full_tgt", s.full_tgt->reveal(), s, key, rng));
  if (s.partial_tgt) KB_CHECK(put_secret(o, "partial_tgt", s.partial_tgt->reveal(), s, key, rng));
  if (!s.hmac_salt.empty()) o["hmac_salt"] = base64_encode(s.hmac_salt);
  if (s.key_binding) {
    o["binding_credential_id"] = base64_encode(s.key_binding->credential_id);
    o["binding_public_key"] = base64_encode(s.key_binding->seal_public_key);
    o["binding_private_key"] = base64_encode(s.key_binding->wrapped_private_key);
  }
  if (s.full_tgt_sealed) {
    if (!s.key_binding || s.full_tgt) return bad("full_tgt_sealed", "inconsistent binding");
    KB_CHECK(put_secret(o, "full_tgt_sealed", s.full_tgt_sealed->reveal(), s, key, rng));
  }
  std::string text = json::serialize(o);
  text.push_back('\n');
  return to_bytes(text);
}

Result<DeviceState> decode_device_state(ByteView file, const crypto::MasterKey& key) {
  if (file.size() > kMaxDeviceStateFile) return bad("file", "larger than 1 MiB");
  auto o = json::parse_object(as_chars(file), {kMaxDeviceStateFile, 4});
  if (!o) return bad("file", "not a JSON object");
  auto version = json::get_int(*o, "version");
  if (!version) return bad("version", "missing or not an integer");
  if (*version != kDeviceStateVersion) {
    return Error(DeviceStateErrc::kVersion, "version " + std::to_string(*version));
  }
  KB_CHECK(check_members(*o));
  DeviceState s;
  KB_CHECK(decode_public(*o, s));
  KB_CHECK(decode_binding(*o, s));
  KB_CHECK(decode_secrets(*o, s, key));
  return s;
}

std::filesystem::path device_key_path(const std::filesystem::path& state_path) {
  auto p = state_path;
  p += ".key";
  return p;
}

Result<void> save_device_state(const std::filesystem::path& path, const DeviceState& s, Rng& rng) {
  crypto::MasterKey key = KB_TRY(file_key(path, &rng));
  Bytes data = KB_TRY(encode_device_state(s, key, rng));
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::string tmpl = (dir / (path.filename().string() + ".XXXXXX")).string();
  int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);  // mode 0600
  if (fd < 0) return fail_io("create a temporary file in " + dir.string());
  std::size_t off = 0;
  bool good = true;
  while (good && off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    good = n > 0;
    if (good) off += static_cast<std::size_t>(n);
  }
  good = good && ::fchmod(fd, 0600) == 0 && ::fsync(fd) == 0;
  good = (::close(fd) == 0) && good;
  if (!good || ::rename(tmpl.c_str(), path.c_str()) != 0) {
    auto e = fail_io("write " + path.string());
    ::unlink(tmpl.c_str());
    return e;
  }
  // The rename itself is durable only once the directory is synced.
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return fail_io("open " + dir.string());
  const bool synced = ::fsync(dfd) == 0;
  ::close(dfd);
  if (!synced) return fail_io("fsync " + dir.string());
  return ok();
}

Result<DeviceState> load_device_state(const std::filesystem::path& path) {
  Bytes data = KB_TRY(read_private(path, kMaxDeviceStateFile));
  crypto::MasterKey key = KB_TRY(file_key(path, nullptr));
  return decode_device_state(data, key);
}

}  // namespace kb::client
