#include "formats/keytab.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>

#include "formats/byte_reader.h"

namespace kb::formats {
namespace {

Result<void> put_data16(Bytes& out, std::string_view s, const char* what) {
  if (s.size() > std::numeric_limits<std::uint16_t>::max()) {
    return Error(Errc::kInvalidArgument, std::string(what) + " longer than 65535 bytes");
  }
  put_u16be(out, static_cast<std::uint16_t>(s.size()));
  append(out, as_bytes(s));
  return ok();
}

Result<Bytes> encode_entry(const KeytabEntry& e) {
  if (e.components.empty() || e.components.size() > kKeytabMaxComponents) {
    return Error(Errc::kInvalidArgument, "principal needs 1..64 components");
  }
  if (e.enctype < 0 || e.enctype > 0xffff || e.key.size() > 0xffff) {
    return Error(Errc::kInvalidArgument, "enctype or key length does not fit in 16 bits");
  }
  Bytes out;
  put_u16be(out, static_cast<std::uint16_t>(e.components.size()));
  KB_CHECK(put_data16(out, e.realm, "realm"));
  for (const auto& c : e.components) KB_CHECK(put_data16(out, c, "component"));
  put_u32be(out, e.name_type);
  put_u32be(out, e.timestamp);
  out.push_back(static_cast<std::uint8_t>(e.kvno & 0xff));
  put_u16be(out, static_cast<std::uint16_t>(e.enctype));
  put_u16be(out, static_cast<std::uint16_t>(e.key.size()));
  append(out, e.key.reveal());
  put_u32be(out, e.kvno);
  return out;
}

std::string read_data16(ByteReader& r) {
  std::uint16_t n = r.u16();
  return std::string(as_chars(r.bytes(n)));
}

Result<KeytabEntry> parse_entry(ByteReader r) {
  KeytabEntry e;
  std::uint16_t n = r.u16();
  if (n == 0 || n > kKeytabMaxComponents) {
    return Error(Errc::kBadRecord, "principal with " + std::to_string(n) + " components");
  }
  e.realm = read_data16(r);
  for (std::uint16_t i = 0; i < n && !r.failed(); ++i) e.components.push_back(read_data16(r));
  e.name_type = r.u32();
  e.timestamp = r.u32();
  e.kvno = r.u8();
  e.enctype = r.u16();
  std::uint16_t keylen = r.u16();
  ByteView key = r.bytes(keylen);
  KB_CHECK(r.status("keytab entry"));
  e.key = SecretBytes(key);
  // The 32-bit kvno is optional: MIT reads it when at least four bytes remain in the
  // record and uses it when non-zero; anything after it is ignored padding.
  if (r.remaining() >= 4) {
    std::uint32_t kvno32 = r.u32();
    if (kvno32 != 0) e.kvno = kvno32;
  }
  return e;
}

}  // namespace

Result<Bytes> encode_keytab(const std::vector<KeytabEntry>& entries) {
  Bytes out = {0x05, 0x02};
  for (const auto& e : entries) {
    Bytes rec = KB_TRY(encode_entry(e));
    put_u32be(out, static_cast<std::uint32_t>(rec.size()));
    append(out, rec);
  }
  return out;
}

Result<std::vector<KeytabEntry>> parse_keytab(ByteView file) {
  ByteReader r(file);
  std::uint8_t v1 = r.u8();
  std::uint8_t v2 = r.u8();
  KB_CHECK(r.status("keytab header"));
  if (v1 != 5 || v2 != 2) {
    return Error(Errc::kBadVersion, "keytab version " + std::to_string(v1) + "." +
                                        std::to_string(v2) + " (only 0x502 is supported)");
  }
  std::vector<KeytabEntry> out;
  std::size_t index = 0;
  while (r.remaining() > 0) {
    std::int32_t len = r.i32();
    KB_CHECK(r.status("keytab record length"));
    if (len == 0) break;  // MIT: a zero length ends the file
    // A negative length is a hole (a deleted entry) of -len bytes. -INT32_MIN overflows.
    std::size_t size = len < 0 ? static_cast<std::size_t>(-static_cast<std::int64_t>(len))
                               : static_cast<std::size_t>(len);
    ByteReader rec = r.sub(size);
    if (r.failed()) {
      return Error(Errc::kTruncated, "record " + std::to_string(index) + " of " +
                                         std::to_string(size) + " bytes runs past the end");
    }
    ++index;
    if (len < 0) continue;
    if (out.size() >= kKeytabMaxEntries) return Error(Errc::kTooLarge, "too many keytab entries");
    auto e = parse_entry(rec);
    if (!e) return std::move(e.error().add_context("entry[" + std::to_string(index - 1) + "]"));
    out.push_back(std::move(*e));
  }
  return out;
}

Result<void> write_private_file(const std::filesystem::path& path, ByteView bytes) {
  std::filesystem::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Error(Errc::kIo, "open " + tmp.string() + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Error(Errc::kIo, "write " + tmp.string() + ": " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return Error(Errc::kIo, "sync " + tmp.string() + ": " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Error(Errc::kIo, "rename to " + path.string() + ": " + std::strerror(err));
  }
  return ok();
}

Result<Bytes> read_file(const std::filesystem::path& path, std::size_t max_size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(Errc::kIo, "cannot open " + path.string());
  Bytes out;
  char buf[65536];
  while (in) {
    in.read(buf, sizeof buf);
    auto n = static_cast<std::size_t>(in.gcount());
    if (out.size() + n > max_size) {
      return Error(Errc::kTooLarge, path.string() + " is larger than " + std::to_string(max_size));
    }
    out.insert(out.end(), buf, buf + n);
  }
  if (in.bad()) return Error(Errc::kIo, "read error on " + path.string());
  return out;
}

}  // namespace kb::formats
