#include "pac/pac.h"

#include <algorithm>
#include <limits>
#include <string>

#include "pac/ndr.h"

namespace kb::pac {

namespace {

constexpr std::size_t kHeaderSize = 8;
constexpr std::size_t kInfoBufferSize = 16;

std::uint64_t round8(std::uint64_t n) {
  return (n + 7) & ~std::uint64_t{7};
}

bool is_known_type(std::uint32_t t) {
  switch (static_cast<BufferType>(t)) {
    case BufferType::kLogonInfo:
    case BufferType::kCredentialsInfo:
    case BufferType::kServerChecksum:
    case BufferType::kPrivsvrChecksum:
    case BufferType::kClientInfo:
    case BufferType::kConstrainedDelegation:
    case BufferType::kUpnDnsInfo:
    case BufferType::kClientClaims:
    case BufferType::kDeviceInfo:
    case BufferType::kDeviceClaims:
    case BufferType::kTicketChecksum:
    case BufferType::kAttributesInfo:
    case BufferType::kRequestor:
    case BufferType::kFullChecksum:
    case BufferType::kRequestorGuid:
      return true;
  }
  return false;
}

// Types that Pac holds in typed fields (the rest travel as OpaqueBuffer).
bool is_modelled_type(std::uint32_t t) {
  switch (static_cast<BufferType>(t)) {
    case BufferType::kLogonInfo:
    case BufferType::kClientInfo:
    case BufferType::kUpnDnsInfo:
    case BufferType::kAttributesInfo:
    case BufferType::kRequestor:
    case BufferType::kServerChecksum:
    case BufferType::kPrivsvrChecksum:
    case BufferType::kTicketChecksum:
    case BufferType::kFullChecksum:
      return true;
    default:
      return false;
  }
}

Result<std::vector<InfoBuffer>> parse_directory(ByteView pac) {
  LeReader r(pac);
  std::uint32_t count = r.u32();
  std::uint32_t version = r.u32();
  if (!r.ok()) return Error(Errc::kTruncated, "PACTYPE header truncated");
  if (version != 0) return Error(Errc::kBadVersion, "PACTYPE Version " + std::to_string(version));
  if (count > kMaxPacBuffers || count > r.remaining() / kInfoBufferSize) {
    return Error(Errc::kTooManyBuffers, "cBuffers " + std::to_string(count));
  }
  std::vector<InfoBuffer> dir(count);
  for (auto& b : dir) {
    b.type = r.u32();
    b.size = r.u32();
    b.offset = r.u64();
  }
  KB_CHECK(r.status());
  const std::uint64_t header_end = kHeaderSize + kInfoBufferSize * std::uint64_t{count};
  for (const auto& b : dir) {
    if (b.offset % 8 != 0) return Error(Errc::kBufferMisaligned, "buffer offset not 8-aligned");
    if (b.offset < header_end || b.offset > pac.size() || b.size > pac.size() - b.offset) {
      return Error(Errc::kBufferOutOfRange, "buffer type " + std::to_string(b.type));
    }
  }
  std::vector<InfoBuffer> sorted = dir;
  std::sort(sorted.begin(), sorted.end(),
            [](const InfoBuffer& a, const InfoBuffer& b) { return a.offset < b.offset; });
  std::uint64_t end = header_end;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (i > 0 && sorted[i].offset < sorted[i - 1].offset + sorted[i - 1].size) {
      return Error(Errc::kBufferOverlap, "buffers overlap");
    }
    end = std::max(end, sorted[i].offset + sorted[i].size);
  }
  if (pac.size() > round8(end)) return Error(Errc::kTrailingBytes, "bytes after the last buffer");
  for (std::size_t i = 0; i < dir.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (dir[i].type == dir[j].type && is_known_type(dir[i].type)) {
        return Error(Errc::kDuplicateBuffer, "buffer type " + std::to_string(dir[i].type));
      }
    }
  }
  return dir;
}

Result<void> decode_buffer(std::uint32_t type, ByteView data, Pac& pac) {
  switch (static_cast<BufferType>(type)) {
    case BufferType::kLogonInfo:
      pac.logon_info = KB_TRY(parse_logon_info(data));
      break;
    case BufferType::kClientInfo:
      pac.client_info = KB_TRY(parse_client_info(data));
      break;
    case BufferType::kUpnDnsInfo:
      pac.upn_dns_info = KB_TRY(parse_upn_dns_info(data));
      break;
    case BufferType::kAttributesInfo:
      pac.attributes_info = KB_TRY(parse_attributes_info(data));
      break;
    case BufferType::kRequestor:
      pac.requestor = KB_TRY(parse_requestor(data));
      break;
    case BufferType::kServerChecksum:
      pac.server_checksum = KB_TRY(parse_signature_data(data));
      break;
    case BufferType::kPrivsvrChecksum:
      pac.kdc_checksum = KB_TRY(parse_signature_data(data));
      break;
    case BufferType::kTicketChecksum:
      pac.ticket_checksum = KB_TRY(parse_signature_data(data));
      break;
    case BufferType::kFullChecksum:
      pac.full_checksum = KB_TRY(parse_signature_data(data));
      break;
    default:
      pac.other.push_back(OpaqueBuffer{type, to_bytes(data)});
      break;
  }
  return kb::ok();
}

}  // namespace

const InfoBuffer* ParsedPac::find(BufferType type) const {
  for (const auto& b : buffers) {
    if (b.type == static_cast<std::uint32_t>(type)) return &b;
  }
  return nullptr;
}

Result<ParsedPac> parse(ByteView bytes) {
  ParsedPac out;
  out.buffers = KB_TRY(parse_directory(bytes));
  for (const auto& b : out.buffers) {
    ByteView data = bytes.subspan(static_cast<std::size_t>(b.offset), b.size);
    auto r = decode_buffer(b.type, data, out.pac);
    if (!r) {
      Error e = std::move(r).error();
      e.add_context("[" + std::to_string(b.type) + "]");
      e.add_context("PAC");
      return e;
    }
  }
  out.raw = to_bytes(bytes);
  return out;
}

Result<Bytes> encode(const Pac& pac) {
  return encode(pac, nullptr);
}

Result<Bytes> encode(const Pac& pac, std::vector<InfoBuffer>* layout) {
  std::vector<std::pair<std::uint32_t, Bytes>> parts;
  parts.reserve(9 + pac.other.size());  // 5 modelled, the opaque ones, 4 signatures
  auto add = [&parts](BufferType t, Bytes b) {
    parts.emplace_back(static_cast<std::uint32_t>(t), std::move(b));
  };
  if (pac.logon_info) add(BufferType::kLogonInfo, KB_TRY(build_logon_info(*pac.logon_info)));
  if (pac.client_info) add(BufferType::kClientInfo, KB_TRY(build_client_info(*pac.client_info)));
  if (pac.upn_dns_info) {
    add(BufferType::kUpnDnsInfo, KB_TRY(build_upn_dns_info(*pac.upn_dns_info)));
  }
  if (pac.attributes_info) {
    add(BufferType::kAttributesInfo, KB_TRY(build_attributes_info(*pac.attributes_info)));
  }
  if (pac.requestor) add(BufferType::kRequestor, KB_TRY(build_requestor(*pac.requestor)));
  for (const auto& o : pac.other) {
    if (is_modelled_type(o.type)) {
      return Error(Errc::kInvalidArgument, "a modelled buffer type passed as opaque");
    }
    parts.emplace_back(o.type, o.data);
  }
  const std::pair<BufferType, const std::optional<SignatureData>*> sigs[] = {
      {BufferType::kServerChecksum, &pac.server_checksum},
      {BufferType::kPrivsvrChecksum, &pac.kdc_checksum},
      {BufferType::kTicketChecksum, &pac.ticket_checksum},
      {BufferType::kFullChecksum, &pac.full_checksum}};
  for (const auto& [type, sig] : sigs) {
    if (*sig) add(type, build_signature_data(**sig));
  }
  if (parts.size() > kMaxPacBuffers) return Error(Errc::kTooManyBuffers, "too many buffers");

  LeWriter w;
  std::uint64_t offset = round8(kHeaderSize + kInfoBufferSize * parts.size());
  std::uint64_t total = offset;
  for (const auto& part : parts) total = round8(total + part.second.size());
  if (total <= std::numeric_limits<std::uint32_t>::max()) w.reserve(total);
  w.u32(static_cast<std::uint32_t>(parts.size()));
  w.u32(0);  // Version
  for (const auto& [type, data] : parts) {
    if (data.size() > std::numeric_limits<std::uint32_t>::max()) {
      return Error(Errc::kInvalidArgument, "buffer too large");
    }
    w.u32(type);
    w.u32(static_cast<std::uint32_t>(data.size()));
    w.u64(offset);
    if (layout)
      layout->push_back(InfoBuffer{type, static_cast<std::uint32_t>(data.size()), offset});
    offset = round8(offset + data.size());
  }
  for (const auto& part : parts) {
    w.align(8);
    w.bytes(part.second);
  }
  w.align(8);
  return w.take();
}

}  // namespace kb::pac
