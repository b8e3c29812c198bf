#include "pac/buffers.h"

#include "pac/ndr.h"

namespace kb::pac {

namespace {

Result<std::uint16_t> utf16_length(const Bytes& utf16) {
  if (utf16.size() > 0xfffe) return Error(Errc::kInvalidArgument, "name too long");
  return static_cast<std::uint16_t>(utf16.size());
}

// A (length, offset) string of UPN_DNS_INFO: bounds-checked against the whole buffer.
Result<ByteView> slice(ByteView buffer, std::uint16_t length, std::uint16_t offset) {
  if (std::size_t{offset} + length > buffer.size()) {
    return Error(Errc::kBadBuffer, "UPN_DNS_INFO string outside the buffer");
  }
  return buffer.subspan(offset, length);
}

Result<std::string> utf16_slice(ByteView buffer, std::uint16_t length, std::uint16_t offset) {
  ByteView b = KB_TRY(slice(buffer, length, offset));
  return utf16le_to_utf8(b);
}

}  // namespace

Result<ClientInfo> parse_client_info(ByteView buffer) {
  LeReader r(buffer);
  ClientInfo info;
  info.client_id = r.u64();
  std::uint16_t name_length = r.u16();
  ByteView name = r.bytes(name_length);
  KB_CHECK(r.finish());
  info.name = KB_TRY(utf16le_to_utf8(name));
  return info;
}

Result<Bytes> build_client_info(const ClientInfo& info) {
  Bytes name = KB_TRY(utf8_to_utf16le(info.name));
  LeWriter w;
  w.u64(info.client_id);
  w.u16(KB_TRY(utf16_length(name)));
  w.bytes(name);
  return w.take();
}

Result<UpnDnsInfo> parse_upn_dns_info(ByteView buffer) {
  LeReader r(buffer);
  std::uint16_t upn_length = r.u16();
  std::uint16_t upn_offset = r.u16();
  std::uint16_t dns_length = r.u16();
  std::uint16_t dns_offset = r.u16();
  UpnDnsInfo info;
  info.flags = r.u32();
  std::uint16_t sam_length = 0, sam_offset = 0, sid_length = 0, sid_offset = 0;
  if (info.flags & kUpnDnsFlagSamNameAndSid) {
    sam_length = r.u16();
    sam_offset = r.u16();
    sid_length = r.u16();
    sid_offset = r.u16();
  }
  if (!r.ok()) return Error(Errc::kTruncated, "UPN_DNS_INFO header truncated");
  info.upn = KB_TRY(utf16_slice(buffer, upn_length, upn_offset));
  info.dns_domain_name = KB_TRY(utf16_slice(buffer, dns_length, dns_offset));
  if (info.flags & kUpnDnsFlagSamNameAndSid) {
    UpnDnsInfo::SamNameAndSid ext;
    ext.sam_name = KB_TRY(utf16_slice(buffer, sam_length, sam_offset));
    ByteView raw_sid = KB_TRY(slice(buffer, sid_length, sid_offset));
    ext.sid = KB_TRY(Sid::from_raw(raw_sid));
    info.sam_name_and_sid = std::move(ext);
  }
  return info;
}

Result<Bytes> build_upn_dns_info(const UpnDnsInfo& info) {
  std::uint32_t flags = info.flags & ~kUpnDnsFlagSamNameAndSid;
  if (info.sam_name_and_sid) flags |= kUpnDnsFlagSamNameAndSid;
  Bytes upn = KB_TRY(utf8_to_utf16le(info.upn));
  Bytes dns = KB_TRY(utf8_to_utf16le(info.dns_domain_name));
  Bytes sam, sid;
  if (info.sam_name_and_sid) {
    if (!info.sam_name_and_sid->sid.valid()) return Error(Errc::kInvalidArgument, "bad SID");
    sam = KB_TRY(utf8_to_utf16le(info.sam_name_and_sid->sam_name));
    sid = info.sam_name_and_sid->sid.to_raw();
  }
  std::size_t header = info.sam_name_and_sid ? 20 : 12;
  // Lay the strings out after the header, each on an 8-byte boundary.
  std::size_t at = header;
  auto place = [&at](const Bytes& s) -> Result<std::pair<std::uint16_t, std::uint16_t>> {
    if (s.empty()) return std::pair<std::uint16_t, std::uint16_t>{0, 0};  // nothing to point at
    at = (at + 7) & ~std::size_t{7};
    std::size_t offset = at;
    at += s.size();
    if (at > 0xffff) return Error(Errc::kInvalidArgument, "UPN_DNS_INFO too large");
    return std::pair{static_cast<std::uint16_t>(s.size()), static_cast<std::uint16_t>(offset)};
  };
  auto [upn_len, upn_off] = KB_TRY(place(upn));
  auto [dns_len, dns_off] = KB_TRY(place(dns));
  LeWriter w;
  w.u16(upn_len);
  w.u16(upn_off);
  w.u16(dns_len);
  w.u16(dns_off);
  w.u32(flags);
  std::pair<std::uint16_t, std::uint16_t> sam_pos{}, sid_pos{};
  if (info.sam_name_and_sid) {
    sam_pos = KB_TRY(place(sam));
    sid_pos = KB_TRY(place(sid));
    w.u16(sam_pos.first);
    w.u16(sam_pos.second);
    w.u16(sid_pos.first);
    w.u16(sid_pos.second);
  }
  const std::pair<const Bytes*, std::uint16_t> parts[] = {
      {&upn, upn_off}, {&dns, dns_off}, {&sam, sam_pos.second}, {&sid, sid_pos.second}};
  for (const auto& [bytes, offset] : parts) {
    if (bytes->empty()) continue;
    while (w.size() < offset) w.u8(0);
    w.bytes(*bytes);
  }
  return w.take();
}

Result<AttributesInfo> parse_attributes_info(ByteView buffer) {
  LeReader r(buffer);
  AttributesInfo info;
  info.flags_length = r.u32();
  info.flags = r.u32();
  KB_CHECK(r.finish());
  if (info.flags_length > 32) return Error(Errc::kBadBuffer, "ATTRIBUTES_INFO FlagsLength > 32");
  return info;
}

Result<Bytes> build_attributes_info(const AttributesInfo& info) {
  if (info.flags_length > 32) return Error(Errc::kInvalidArgument, "FlagsLength > 32");
  LeWriter w;
  w.u32(info.flags_length);
  w.u32(info.flags);
  return w.take();
}

Result<Sid> parse_requestor(ByteView buffer) {
  return Sid::from_raw(buffer);
}

Result<Bytes> build_requestor(const Sid& sid) {
  if (!sid.valid()) return Error(Errc::kInvalidArgument, "SID out of range");
  return sid.to_raw();
}

std::optional<std::size_t> pac_signature_length(std::int32_t signature_type) {
  switch (signature_type) {
    case 15:  // hmac-sha1-96-aes128
    case 16:  // hmac-sha1-96-aes256
      return 12;
    case 19:    // hmac-sha256-128-aes128
    case -138:  // hmac-md5 (rc4-hmac)
      return 16;
    case 20:  // hmac-sha384-192-aes256
      return 24;
    default:
      return std::nullopt;
  }
}

Result<SignatureData> parse_signature_data(ByteView buffer) {
  LeReader r(buffer);
  SignatureData sig;
  sig.signature_type = static_cast<std::int32_t>(r.u32());
  if (!r.ok()) return Error(Errc::kTruncated, "PAC_SIGNATURE_DATA truncated");
  std::size_t rest = r.remaining();
  auto len = pac_signature_length(sig.signature_type);
  if (!len) {
    sig.signature = to_bytes(r.bytes(rest));
    return sig;
  }
  if (rest != *len && rest != *len + 2) {
    return Error(Errc::kBadBuffer, "PAC_SIGNATURE_DATA length does not fit its type");
  }
  sig.signature = to_bytes(r.bytes(*len));
  if (rest == *len + 2) sig.rodc_identifier = r.u16();
  KB_CHECK(r.finish());
  return sig;
}

Bytes build_signature_data(const SignatureData& sig) {
  LeWriter w;
  w.u32(static_cast<std::uint32_t>(sig.signature_type));
  w.bytes(sig.signature);
  if (sig.rodc_identifier) w.u16(*sig.rodc_identifier);
  return w.take();
}

}  // namespace kb::pac
