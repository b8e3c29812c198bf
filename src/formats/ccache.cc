#include "formats/ccache.h"

#include <limits>

#include "formats/byte_reader.h"

namespace kb::formats {
namespace {

constexpr std::uint16_t kTagKdcOffset = 1;

Result<void> put_data(Bytes& out, ByteView b) {
  if (b.size() > std::numeric_limits<std::uint32_t>::max()) {
    return Error(Errc::kInvalidArgument, "field longer than 2^32-1 bytes");
  }
  put_u32be(out, static_cast<std::uint32_t>(b.size()));
  append(out, b);
  return ok();
}

Result<void> put_principal(Bytes& out, const CcachePrincipal& p) {
  if (p.components.size() > kCcacheMaxComponents) {
    return Error(Errc::kInvalidArgument, "principal has too many components");
  }
  put_u32be(out, p.name_type);
  put_u32be(out, static_cast<std::uint32_t>(p.components.size()));
  KB_CHECK(put_data(out, as_bytes(p.realm)));
  for (const auto& c : p.components) KB_CHECK(put_data(out, as_bytes(c)));
  return ok();
}

Result<void> put_credential(Bytes& out, const CcacheCredential& c) {
  KB_CHECK(put_principal(out, c.client));
  KB_CHECK(put_principal(out, c.server));
  put_u16be(out, c.enctype);
  KB_CHECK(put_data(out, c.key.reveal()));
  put_u32be(out, c.authtime);
  put_u32be(out, c.starttime);
  put_u32be(out, c.endtime);
  put_u32be(out, c.renew_till);
  out.push_back(c.is_skey);
  put_u32be(out, c.ticket_flags);
  put_u32be(out, static_cast<std::uint32_t>(c.addresses.size()));
  for (const auto& a : c.addresses) {
    put_u16be(out, a.addrtype);
    KB_CHECK(put_data(out, a.address));
  }
  put_u32be(out, static_cast<std::uint32_t>(c.authdata.size()));
  for (const auto& a : c.authdata) {
    put_u16be(out, a.ad_type);
    KB_CHECK(put_data(out, a.data));
  }
  KB_CHECK(put_data(out, c.ticket));
  KB_CHECK(put_data(out, c.second_ticket));
  return ok();
}

ByteView read_data(ByteReader& r) {
  std::uint32_t n = r.u32();
  return r.bytes(n);  // fails (sticky) when n exceeds what is left: nothing is allocated
}

Result<CcachePrincipal> read_principal(ByteReader& r) {
  CcachePrincipal p;
  p.name_type = r.u32();
  std::uint32_t n = r.u32();
  KB_CHECK(r.status("principal"));
  if (n > kCcacheMaxComponents) {
    return Error(Errc::kTooLarge, "principal with " + std::to_string(n) + " components");
  }
  p.realm = std::string(as_chars(read_data(r)));
  for (std::uint32_t i = 0; i < n && !r.failed(); ++i) {
    p.components.emplace_back(as_chars(read_data(r)));
  }
  KB_CHECK(r.status("principal"));
  return p;
}

Result<std::uint32_t> read_count(ByteReader& r, const char* what) {
  std::uint32_t n = r.u32();
  KB_CHECK(r.status(what));
  if (n > kCcacheMaxCount) return Error(Errc::kTooLarge, std::string(what) + " count too large");
  return n;
}

Result<CcacheCredential> read_credential(ByteReader& r) {
  CcacheCredential c;
  c.client = KB_TRY_CTX(read_principal(r), "client");
  c.server = KB_TRY_CTX(read_principal(r), "server");
  c.enctype = r.u16();
  c.key = SecretBytes(read_data(r));
  c.authtime = r.u32();
  c.starttime = r.u32();
  c.endtime = r.u32();
  c.renew_till = r.u32();
  c.is_skey = r.u8();
  c.ticket_flags = r.u32();
  std::uint32_t naddr = KB_TRY_CTX(read_count(r, "addresses"), "addresses");
  for (std::uint32_t i = 0; i < naddr && !r.failed(); ++i) {
    CcacheAddress a;
    a.addrtype = r.u16();
    a.address = to_bytes(read_data(r));
    c.addresses.push_back(std::move(a));
  }
  std::uint32_t nad = KB_TRY_CTX(read_count(r, "authdata"), "authdata");
  for (std::uint32_t i = 0; i < nad && !r.failed(); ++i) {
    CcacheAuthData a;
    a.ad_type = r.u16();
    a.data = to_bytes(read_data(r));
    c.authdata.push_back(std::move(a));
  }
  c.ticket = to_bytes(read_data(r));
  c.second_ticket = to_bytes(read_data(r));
  KB_CHECK(r.status("credential"));
  return c;
}

}  // namespace

Result<Bytes> encode_ccache(const Ccache& cache) {
  Bytes out = {0x05, 0x04};
  if (cache.kdc_time_offset) {
    put_u16be(out, 12);  // one field: tag, length, 8-byte value
    put_u16be(out, kTagKdcOffset);
    put_u16be(out, 8);
    put_u32be(out, static_cast<std::uint32_t>(cache.kdc_time_offset->first));
    put_u32be(out, static_cast<std::uint32_t>(cache.kdc_time_offset->second));
  } else {
    put_u16be(out, 0);
  }
  KB_CHECK(put_principal(out, cache.default_principal));
  for (std::size_t i = 0; i < cache.credentials.size(); ++i) {
    auto r = put_credential(out, cache.credentials[i]);
    if (!r)
      return std::move(std::move(r).error().add_context("credential[" + std::to_string(i) + "]"));
  }
  return out;
}

Result<Ccache> parse_ccache(ByteView file) {
  ByteReader r(file);
  std::uint8_t v1 = r.u8();
  std::uint8_t v2 = r.u8();
  KB_CHECK(r.status("ccache header"));
  if (v1 != 5 || v2 != 4) {
    return Error(Errc::kBadVersion, "ccache version " + std::to_string(v1) + "." +
                                        std::to_string(v2) + " (only FILE v4 is supported)");
  }
  Ccache cache;
  std::uint16_t hlen = r.u16();
  ByteReader h = r.sub(hlen);
  KB_CHECK(r.status("ccache header"));
  while (h.remaining() > 0) {
    std::uint16_t tag = h.u16();
    std::uint16_t len = h.u16();
    ByteReader v = h.sub(len);
    KB_CHECK(h.status("ccache header field"));
    if (tag == kTagKdcOffset) {
      if (len != 8) return Error(Errc::kBadRecord, "KDC time offset field of wrong length");
      std::int32_t sec = v.i32();
      std::int32_t usec = v.i32();
      cache.kdc_time_offset = std::make_pair(sec, usec);
    }
    // Unknown header tags are skipped, as MIT does.
  }
  cache.default_principal = KB_TRY_CTX(read_principal(r), "default-principal");
  while (r.remaining() > 0) {
    if (cache.credentials.size() >= kCcacheMaxCredentials) {
      return Error(Errc::kTooLarge, "too many credentials");
    }
    auto c = read_credential(r);
    if (!c) {
      return std::move(std::move(c).error().add_context(
          "credential[" + std::to_string(cache.credentials.size()) + "]"));
    }
    cache.credentials.push_back(std::move(*c));
  }
  return cache;
}

}  // namespace kb::formats
