// NDR, SID, text and buffer codecs; PAC container build/parse and its rejection rules.
#include <gtest/gtest.h>

#include "pac/ndr.h"
#include "pac/pac.h"
#include "test_util.h"

namespace kb::pac {
namespace {

using testing::unhex;

Sid sid(std::string_view s) {
  auto r = Sid::parse(s);
  EXPECT_TRUE(r) << s;
  return r ? *r : Sid{};
}

// ---- NDR primitives --------------------------------------------------------------------

TEST(Ndr, ReaderAlignsPrimitivesToTheirSize) {
  Bytes b = unhex("01 000000 02000000 0000000000000000 0300");
  b[8] = 0x05;  // u64 at offset 8
  LeReader r(b, Alignment::kNdr);
  EXPECT_EQ(r.u8(), 1);
  EXPECT_EQ(r.u32(), 2u);  // skips 3 bytes of padding
  EXPECT_EQ(r.u64(), 5u);
  EXPECT_EQ(r.u16(), 3);
  EXPECT_TRUE(r.finish());
}

TEST(Ndr, ReaderErrorsAreSticky) {
  Bytes b = unhex("0102");
  LeReader r(b);
  EXPECT_EQ(r.u32(), 0u);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.u8(), 0);  // nothing is read after the first failure
  EXPECT_EQ(r.offset(), 0u);
  EXPECT_TRUE(r.status().error().is(Errc::kTruncated));
}

TEST(Ndr, CountIsCappedByTheRemainingBytes) {
  Bytes b = unhex("ffffff7f 00000000");
  LeReader r(b, Alignment::kNdr);
  EXPECT_EQ(r.count(8), 0u);
  EXPECT_TRUE(r.status().error().is(Errc::kBadNdrCount));
}

TEST(Ndr, FinishRejectsUnreadOrNonZeroPadding) {
  Bytes b = unhex("01000000 00000000");
  LeReader r(b);
  (void)r.u32();
  EXPECT_TRUE(r.finish(4));  // four zero bytes of padding allowed
  LeReader r2(b);
  EXPECT_TRUE(r2.finish(3).error().is(Errc::kTrailingBytes));
  Bytes c = unhex("01000000 00010000");
  LeReader r3(c);
  (void)r3.u32();
  EXPECT_TRUE(r3.finish(7).error().is(Errc::kTrailingBytes));
}

TEST(Ndr, WriterPointersStartAt0x20000AndStepBy4) {
  LeWriter w(Alignment::kNdr);
  w.u8(9);
  EXPECT_EQ(w.pointer(true), 0x20000u);
  EXPECT_EQ(w.pointer(false), 0u);
  EXPECT_EQ(w.pointer(true), 0x20004u);
  EXPECT_EQ(hex_encode(w.data()), "09000000000002000000000004000200");
}

TEST(Ndr, TypeSerializationHeaderRoundTripAndPadding) {
  auto wrapped = wrap_type_serialization(unhex("00000200 aa"));
  ASSERT_TRUE(wrapped);
  EXPECT_EQ(hex_encode(*wrapped),
            "01100800cccccccc08000000000000000000020"
            "0aa000000");
  auto object = open_type_serialization(*wrapped);
  ASSERT_TRUE(object);
  EXPECT_EQ(object->size(), 8u);
}

TEST(Ndr, TypeSerializationHeaderRejections) {
  const char* bad[] = {
      "01100800cccccccc",                                           // truncated private header
      "02100800cccccccc0800000000000000 0000020000000000",          // version 2
      "01000800cccccccc0800000000000000 0000020000000000",          // big-endian
      "01100800dddddddd0800000000000000 0000020000000000",          // filler
      "01100800cccccccc0400000000000000 00000200",                  // length not 8-aligned
      "01100800cccccccc1000000000000000 0000020000000000",          // length beyond buffer
      "01100800cccccccc0800000000000000 000002000000000000000000",  // bytes after object
  };
  for (const char* h : bad) {
    auto r = open_type_serialization(unhex(h));
    ASSERT_FALSE(r) << h;
    EXPECT_TRUE(r.error().is(Errc::kBadNdrHeader)) << h;
  }
}

// ---- SID ---------------------------------------------------------------------------------

TEST(Sid, StringRoundTripAndRidHelpers) {
  Sid s = sid("S-1-5-21-3048156945-3961193616-3706469200-1005");
  EXPECT_EQ(s.authority, 5u);
  EXPECT_EQ(s.sub_authorities.size(), 5u);
  EXPECT_EQ(s.to_string(), "S-1-5-21-3048156945-3961193616-3706469200-1005");
  EXPECT_EQ(*s.rid(), 1005u);
  Sid domain = *s.domain();
  EXPECT_EQ(domain.to_string(), "S-1-5-21-3048156945-3961193616-3706469200");
  EXPECT_EQ(domain.with_rid(1005), s);
  EXPECT_EQ(sid("S-1-5").to_string(), "S-1-5");
  EXPECT_TRUE(sid("S-1-5").rid().error().is(Errc::kBadSid));
  EXPECT_EQ(sid("S-1-0x123456789ABC-1").to_string(), "S-1-0x123456789ABC-1");
  EXPECT_EQ(sid("S-1-18-1").to_string(), "S-1-18-1");
}

TEST(Sid, StringRejections) {
  for (const char* s :
       {"", "S-1", "S-1-", "S-2-5-21", "X-1-5", "S-1-5-", "S-1--5", "S-1-5-+1", "S-1-5-4294967296",
        "S-1-281474976710656", "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16", "S-1-5-21 ",
        "S-1-5-0x10"}) {
    auto r = Sid::parse(s);
    ASSERT_FALSE(r) << s;
    EXPECT_TRUE(r.error().is(Errc::kBadSid)) << s;
  }
}

TEST(Sid, RawAndNdrForms) {
  Sid s = sid("S-1-5-21-1-2-3-1104");
  Bytes raw = s.to_raw();
  EXPECT_EQ(hex_encode(raw),
            "010500000000000515000000010000000200000003000000"
            "50040000");
  EXPECT_EQ(*Sid::from_raw(raw), s);
  LeWriter w(Alignment::kNdr);
  s.write_ndr(w);
  EXPECT_EQ(hex_encode(w.data()), "05000000" + hex_encode(raw));
  LeReader r(w.data(), Alignment::kNdr);
  EXPECT_EQ(Sid::read_ndr(r), s);
  EXPECT_TRUE(r.finish());
}

TEST(Sid, RawRejections) {
  EXPECT_TRUE(Sid::from_raw(unhex("0201000000000005 15000000")).error().is(Errc::kBadSid));
  EXPECT_TRUE(Sid::from_raw(unhex("0110000000000005")).error().is(Errc::kBadSid));  // 16 subs
  EXPECT_TRUE(Sid::from_raw(unhex("0102000000000005 15000000")).error().is(Errc::kTruncated));
  EXPECT_TRUE(
      Sid::from_raw(unhex("0101000000000005 15000000 00")).error().is(Errc::kTrailingBytes));
  // NDR conformance must equal SubAuthorityCount.
  Bytes ndr = unhex("02000000 0101000000000005 15000000");
  LeReader r(ndr, Alignment::kNdr);
  (void)Sid::read_ndr(r);
  EXPECT_TRUE(r.status().error().is(Errc::kBadNdrCount));
}

// ---- text ----------------------------------------------------------------------------------

TEST(Text, Utf16RoundTripIncludingNonBmp) {
  std::string s = "Jos\xC3\xA9 \xF0\x9F\x94\x91 \xE6\x9D\xB1";
  auto u16 = utf8_to_utf16le(s);
  ASSERT_TRUE(u16);
  EXPECT_EQ(hex_encode(*u16),
            "4a006f007300e9002000"
            "3dd811dd"
            "20007167");
  EXPECT_EQ(*utf16le_to_utf8(*u16), s);
}

TEST(Text, Utf16AndUtf8Rejections) {
  EXPECT_TRUE(utf16le_to_utf8(unhex("4100 42")).error().is(Errc::kBadUtf16));
  EXPECT_TRUE(utf16le_to_utf8(unhex("3dd8 4100")).error().is(Errc::kBadUtf16));
  EXPECT_TRUE(utf16le_to_utf8(unhex("11dd")).error().is(Errc::kBadUtf16));
  EXPECT_TRUE(utf16le_to_utf8(unhex("3dd8")).error().is(Errc::kBadUtf16));
  for (std::string_view bad :
       {"\xC0\xAF", "\xE0\x80\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xC3", "\xFF", "a\x80"}) {
    EXPECT_TRUE(utf8_to_utf16le(bad).error().is(Errc::kBadUtf8)) << hex_encode(as_bytes(bad));
  }
}

TEST(Text, FileTimeConversions) {
  EXPECT_EQ(filetime_from_unix(0), 116444736000000000u);
  EXPECT_EQ(filetime_from_unix(1120440609), 0x01c58037ea286680u);  // t_pac.c authtime
  EXPECT_EQ(unix_from_filetime(0x01c58037ea286680u), 1120440609);
  EXPECT_EQ(unix_from_filetime(filetime_from_unix(-5)), -5);
  EXPECT_EQ(filetime_from_unix(-11644473601), kFileTimeUnset);
  EXPECT_EQ(filetime_from_unix(INT64_MAX), kFileTimeNever);
}

// ---- buffers -----------------------------------------------------------------------------

KerbValidationInfo full_logon_info() {
  KerbValidationInfo v;
  v.logon_time = filetime_from_unix(1700000000);
  v.logoff_time = kFileTimeNever;
  v.kick_off_time = kFileTimeNever;
  v.password_last_set = filetime_from_unix(1690000000);
  v.password_can_change = filetime_from_unix(1690086400);
  v.password_must_change = kFileTimeNever;
  v.effective_name = "alice";
  v.full_name = "Alice Liddell";
  v.logon_script = "logon.cmd";
  v.profile_path = "\\\\fs\\profiles\\alice";
  v.home_directory = "\\\\fs\\home\\alice";
  v.home_directory_drive = "H:";
  v.logon_count = 42;
  v.bad_password_count = 1;
  v.user_id = 1104;
  v.primary_group_id = 513;
  v.group_ids = {{513, 7}, {1105, 7}, {572, 0x20000007}};
  v.user_flags = 0;
  for (std::size_t i = 0; i < 16; ++i) v.user_session_key[i] = static_cast<std::uint8_t>(i);
  v.logon_server = "DC1";
  v.logon_domain_name = "EXAMPLE";
  v.logon_domain_id = sid("S-1-5-21-1-2-3");
  v.reserved1 = {0, 0};
  v.user_account_control = 0x210;
  v.sub_auth_status = 0;
  v.last_successful_i_logon = 0;
  v.last_failed_i_logon = 0;
  v.failed_i_logon_count = 0;
  v.reserved3 = 0;
  v.extra_sids = {{sid("S-1-18-1"), 7}, {sid("S-1-5-21-9-9-9-1000"), 0x20000007}};
  v.resource_group_domain_sid = sid("S-1-5-21-4-5-6");
  v.resource_group_ids = {{2000, 0x20000007}};
  return v;
}

TEST(LogonInfo, BuildParseRoundTripWithEveryField) {
  KerbValidationInfo v = full_logon_info();
  auto b = build_logon_info(v);
  ASSERT_TRUE(b) << b.error().to_string();
  EXPECT_EQ(b->size() % 8, 0u);
  EXPECT_EQ(hex_encode(ByteView(*b).first(20)).substr(0, 16), "01100800cccccccc");
  auto back = parse_logon_info(*b);
  ASSERT_TRUE(back) << back.error().to_string();
  v.user_flags = kUserFlagExtraSids | kUserFlagResourceGroups;  // derived by the builder
  EXPECT_EQ(*back, v);
}

TEST(LogonInfo, MinimalRoundTripUsesNullPointersForEmptyArrays) {
  KerbValidationInfo v;
  v.effective_name = "bob";
  v.user_id = 1200;
  v.primary_group_id = 513;
  auto b = build_logon_info(v);
  ASSERT_TRUE(b);
  auto back = parse_logon_info(*b);
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(*back, v);
  EXPECT_FALSE(back->logon_domain_id);
}

TEST(LogonInfo, BuilderRejectsBadInput) {
  KerbValidationInfo v;
  v.full_name = "\xFF";
  EXPECT_TRUE(build_logon_info(v).error().is(Errc::kBadUtf8));
  v.full_name = std::string(40000, 'a');
  EXPECT_TRUE(build_logon_info(v).error().is(Errc::kInvalidArgument));
  v.full_name.clear();
  v.logon_domain_id = Sid{std::uint64_t{1} << 48, {}};
  EXPECT_TRUE(build_logon_info(v).error().is(Errc::kInvalidArgument));
}

// Builds the minimal LOGON_INFO and applies a patch at a given offset of the NDR object.
Bytes patched_logon_info(std::size_t object_offset, std::string_view hex) {
  KerbValidationInfo v;
  v.effective_name = "bob";
  v.user_id = 1200;
  v.primary_group_id = 513;
  v.group_ids = {{513, 7}};
  v.logon_domain_id = sid("S-1-5-21-1-2-3");
  Bytes b = *build_logon_info(v);
  Bytes p = unhex(hex);
  std::copy(p.begin(), p.end(), b.begin() + static_cast<std::ptrdiff_t>(16 + object_offset));
  return b;
}

// Offsets inside the NDR object of the minimal LOGON_INFO above.
constexpr std::size_t kTopPointer = 0;
constexpr std::size_t kEffectiveNameHead = 4 + 48;  // after six FILETIMEs
constexpr std::size_t kGroupCount = kEffectiveNameHead + 6 * 8 + 12;
constexpr std::size_t kEffectiveNameBody = 220;  // first deferred referent, after the fixed part

TEST(LogonInfo, ParseRejections) {
  struct Case {
    const char* what;
    std::size_t offset;
    const char* patch;
    Errc expect;
  };
  const Case cases[] = {
      {"null top-level pointer", kTopPointer, "00000000", Errc::kBadNdrPointer},
      {"odd string length", kEffectiveNameHead, "0500", Errc::kBadNdrString},
      {"length > maximum", kEffectiveNameHead, "08000600", Errc::kBadNdrString},
      {"null string with length", kEffectiveNameHead + 4, "00000000", Errc::kBadNdrPointer},
      {"GroupCount != conformance", kGroupCount, "02000000", Errc::kBadNdrCount},
      {"huge GroupCount", kGroupCount, "ffffff0f", Errc::kBadNdrCount},
      {"string offset != 0", kEffectiveNameBody + 4, "01000000", Errc::kBadNdrString},
      {"string count != length", kEffectiveNameBody + 8, "02000000", Errc::kBadNdrString},
  };
  for (const auto& c : cases) {
    auto r = parse_logon_info(patched_logon_info(c.offset, c.patch));
    ASSERT_FALSE(r) << c.what;
    EXPECT_TRUE(r.error().is(c.expect)) << c.what << ": " << r.error().to_string();
  }
  // Sanity: the unpatched buffer parses and the offsets point where the cases assume.
  Bytes good = patched_logon_info(kTopPointer, "00000200");
  ASSERT_TRUE(parse_logon_info(good));
  EXPECT_EQ(good[16 + kGroupCount], 1);
  EXPECT_EQ(good[16 + kEffectiveNameBody], 3);
  // Truncation anywhere is an error, never a crash.
  for (std::size_t n = 16; n < good.size(); n += 8) {
    Bytes t(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
    Bytes hdr = *wrap_type_serialization(Bytes(t.begin() + 16, t.end()));
    EXPECT_FALSE(parse_logon_info(hdr)) << n;
  }
  // Eight extra zero bytes after the padded object are rejected.
  Bytes longer(good.begin() + 16, good.end());
  longer.resize(longer.size() + 8);
  EXPECT_TRUE(parse_logon_info(*wrap_type_serialization(longer)).error().is(Errc::kTrailingBytes));
}

TEST(ClientInfo, RoundTripAndRejections) {
  ClientInfo c{filetime_from_unix(1700000000), "alice"};
  auto b = build_client_info(c);
  ASSERT_TRUE(b);
  EXPECT_EQ(hex_encode(*b).substr(16),
            "0a00"
            "61006c00690063006500");
  EXPECT_EQ(*parse_client_info(*b), c);
  Bytes longer = *b;
  longer[8] = 12;  // NameLength beyond the buffer
  EXPECT_TRUE(parse_client_info(longer).error().is(Errc::kTruncated));
  Bytes shorter = *b;
  shorter[8] = 8;  // bytes left over
  EXPECT_TRUE(parse_client_info(shorter).error().is(Errc::kTrailingBytes));
  Bytes odd = *b;
  odd[8] = 9;
  odd.pop_back();
  EXPECT_TRUE(parse_client_info(odd).error().is(Errc::kBadUtf16));
}

TEST(UpnDnsInfo, RoundTripWithSamNameAndSid) {
  UpnDnsInfo u;
  u.upn = "alice@example.com";
  u.dns_domain_name = "EXAMPLE.COM";
  u.flags = kUpnDnsFlagUpnConstructed;
  u.sam_name_and_sid = UpnDnsInfo::SamNameAndSid{"alice", sid("S-1-5-21-1-2-3-1104")};
  auto b = build_upn_dns_info(u);
  ASSERT_TRUE(b);
  auto back = parse_upn_dns_info(*b);
  ASSERT_TRUE(back) << back.error().to_string();
  u.flags |= kUpnDnsFlagSamNameAndSid;
  EXPECT_EQ(*back, u);
  // Header: UPN at 24 (20-byte header rounded to 8), strings 8-aligned.
  LeReader r(*b);
  EXPECT_EQ(r.u16(), 34);
  EXPECT_EQ(r.u16(), 24);
  EXPECT_EQ(r.u16(), 22);
  EXPECT_EQ(r.u16(), 64);
  EXPECT_EQ(r.u32(), 3u);
}

TEST(UpnDnsInfo, RoundTripWithoutExtensionAndRejections) {
  UpnDnsInfo u{"bob@example.com", "EXAMPLE.COM", 0, std::nullopt};
  Bytes b = *build_upn_dns_info(u);
  EXPECT_EQ(*parse_upn_dns_info(b), u);
  Bytes out = b;
  out[0] = 0xff;  // UpnLength past the end
  EXPECT_TRUE(parse_upn_dns_info(out).error().is(Errc::kBadBuffer));
  Bytes flag = b;
  flag[8] = 2;  // S flag without room for the extension's strings
  EXPECT_FALSE(parse_upn_dns_info(flag));
  EXPECT_TRUE(parse_upn_dns_info(unhex("0000")).error().is(Errc::kTruncated));
}

TEST(UpnDnsInfo, EmptyStringsRoundTrip) {
  // Found by fuzzing: an empty last string must not point past the end of the buffer.
  for (const UpnDnsInfo& u :
       {UpnDnsInfo{"bob@example.com", "", 0, std::nullopt}, UpnDnsInfo{"", "", 0, std::nullopt},
        UpnDnsInfo{"", "X", kUpnDnsFlagSamNameAndSid,
                   UpnDnsInfo::SamNameAndSid{"", sid("S-1-5-32-544")}}}) {
    auto back = parse_upn_dns_info(*build_upn_dns_info(u));
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(*back, u);
  }
}

TEST(SmallBuffers, AttributesRequestorSignature) {
  AttributesInfo a{2, kPacWasRequested};
  Bytes ab = *build_attributes_info(a);
  EXPECT_EQ(hex_encode(ab), "0200000001000000");
  EXPECT_EQ(*parse_attributes_info(ab), a);
  EXPECT_TRUE(parse_attributes_info(unhex("2100000001000000")).error().is(Errc::kBadBuffer));
  EXPECT_TRUE(parse_attributes_info(unhex("02000000")).error().is(Errc::kTruncated));

  Sid s = sid("S-1-5-21-1-2-3-1104");
  EXPECT_EQ(*parse_requestor(*build_requestor(s)), s);

  SignatureData sig{16, Bytes(12, 0xab), 0x1234};
  Bytes sb = build_signature_data(sig);
  EXPECT_EQ(sb.size(), 18u);
  EXPECT_EQ(hex_encode(sb).substr(0, 8), "10000000");
  EXPECT_EQ(hex_encode(sb).substr(32), "3412");
  EXPECT_EQ(*parse_signature_data(sb), sig);
  sig.rodc_identifier.reset();
  EXPECT_EQ(*parse_signature_data(build_signature_data(sig)), sig);
  EXPECT_TRUE(parse_signature_data(unhex("10000000 0102")).error().is(Errc::kBadBuffer));
  EXPECT_TRUE(parse_signature_data(unhex("100000")).error().is(Errc::kTruncated));
}

// ---- container -------------------------------------------------------------------------

Pac sample_pac() {
  Pac p;
  p.logon_info = full_logon_info();
  p.logon_info->user_flags = kUserFlagExtraSids | kUserFlagResourceGroups;
  p.client_info = ClientInfo{filetime_from_unix(1700000000), "alice"};
  p.upn_dns_info = UpnDnsInfo{"alice@example.com", "EXAMPLE.COM", kUpnDnsFlagSamNameAndSid,
                              UpnDnsInfo::SamNameAndSid{"alice", sid("S-1-5-21-1-2-3-1104")}};
  p.attributes_info = AttributesInfo{2, kPacWasRequested};
  p.requestor = sid("S-1-5-21-1-2-3-1104");
  p.other = {OpaqueBuffer{14, unhex("0102030405")}, OpaqueBuffer{0x1000, unhex("ff")}};
  p.server_checksum = SignatureData{16, Bytes(12, 1), std::nullopt};
  p.kdc_checksum = SignatureData{16, Bytes(12, 2), 0x1234};
  return p;
}

TEST(Container, EncodeParseRoundTripAndLayout) {
  Pac p = sample_pac();
  auto b = encode(p);
  ASSERT_TRUE(b) << b.error().to_string();
  EXPECT_EQ(b->size() % 8, 0u);
  auto parsed = parse(*b);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_EQ(parsed->pac, p);
  EXPECT_EQ(parsed->raw, *b);
  ASSERT_EQ(parsed->buffers.size(), 9u);
  const std::uint32_t order[] = {1, 10, 12, 17, 18, 14, 0x1000, 6, 7};
  std::uint64_t expect_offset = 8 + 16 * 9;
  for (std::size_t i = 0; i < 9; ++i) {
    const InfoBuffer& ib = parsed->buffers[i];
    EXPECT_EQ(ib.type, order[i]);
    EXPECT_EQ(ib.offset, expect_offset);
    EXPECT_EQ(ib.offset % 8, 0u);
    expect_offset = (ib.offset + ib.size + 7) & ~std::uint64_t{7};
    for (std::uint64_t k = ib.offset + ib.size; k < expect_offset; ++k) EXPECT_EQ((*b)[k], 0);
  }
  EXPECT_EQ(parsed->buffers[5].size, 5u);  // cbBufferSize excludes the padding
  EXPECT_EQ(b->size(), expect_offset);
}

TEST(Container, BuilderWritesOnlyWhatItIsGiven) {
  Pac p;
  p.client_info = ClientInfo{0, "x"};
  auto parsed = parse(*encode(p));
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->buffers.size(), 1u);
  EXPECT_EQ(parsed->buffers[0].type, 10u);
  Pac q;
  q.other = {OpaqueBuffer{1, {}}};  // a modelled type must go through its typed field
  EXPECT_TRUE(encode(q).error().is(Errc::kInvalidArgument));
}

// A PAC with two small buffers, for hand-made corruption.
//   header | [10] size 12 at 40 | [0x1000] size 4 at 56 | data...
Bytes two_buffer_pac() {
  return unhex(
      "02000000 00000000"
      "0a000000 0c000000 2800000000000000"
      "00100000 04000000 3800000000000000"
      "0000000000000000 0200 6100 00000000"
      "aabbccdd 00000000");
}

void patch(Bytes& b, std::size_t at, std::string_view hex) {
  Bytes p = unhex(hex);
  std::copy(p.begin(), p.end(), b.begin() + static_cast<std::ptrdiff_t>(at));
}

TEST(Container, HandMadeSampleParses) {
  auto parsed = parse(two_buffer_pac());
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_EQ(parsed->pac.client_info->name, "a");
  ASSERT_EQ(parsed->pac.other.size(), 1u);
  EXPECT_EQ(parsed->pac.other[0].data, unhex("aabbccdd"));
}

TEST(Container, ParseRejections) {
  struct Case {
    const char* what;
    std::size_t at;
    const char* patch;
    Errc expect;
  };
  const Case cases[] = {
      {"version 1", 4, "01000000", Errc::kBadVersion},
      {"cBuffers larger than the data", 0, "05000000", Errc::kTooManyBuffers},
      {"cBuffers absurd", 0, "ffffffff", Errc::kTooManyBuffers},
      {"offset not 8-aligned", 16, "2c00000000000000", Errc::kBufferMisaligned},
      {"offset inside the directory", 16, "0800000000000000", Errc::kBufferOutOfRange},
      {"offset past the end", 32, "0001000000000000", Errc::kBufferOutOfRange},
      {"size past the end", 28, "0c000000", Errc::kBufferOutOfRange},
      {"offset overflow", 32, "f8ffffffffffffff", Errc::kBufferOutOfRange},
      {"overlapping buffers", 32, "3000000000000000", Errc::kBufferOverlap},
      {"duplicate CLIENT_INFO", 24, "0a000000", Errc::kDuplicateBuffer},
      {"bad CLIENT_INFO content", 48, "0400", Errc::kTruncated},
  };
  for (const auto& c : cases) {
    Bytes b = two_buffer_pac();
    patch(b, c.at, c.patch);
    auto r = parse(b);
    ASSERT_FALSE(r) << c.what;
    EXPECT_TRUE(r.error().is(c.expect)) << c.what << ": " << r.error().to_string();
  }
  // Buffer errors carry the buffer type as context.
  Bytes b = two_buffer_pac();
  patch(b, 48, "0400");
  EXPECT_EQ(parse(b).error().path(), "PAC[10]");

  Bytes trailing = two_buffer_pac();
  trailing.resize(trailing.size() + 8);
  EXPECT_TRUE(parse(trailing).error().is(Errc::kTrailingBytes));
  EXPECT_TRUE(parse(unhex("00000000")).error().is(Errc::kTruncated));
  // Unknown types may repeat: they are kept, in order.
  Bytes dup_unknown = two_buffer_pac();
  patch(dup_unknown, 8, "00100000");
  patch(dup_unknown, 12, "04000000");
  auto two = parse(dup_unknown);
  ASSERT_TRUE(two) << two.error().to_string();
  EXPECT_EQ(two->pac.other.size(), 2u);
}

TEST(Container, EmptyPacRoundTrips) {
  auto b = encode(Pac{});
  ASSERT_TRUE(b);
  EXPECT_EQ(hex_encode(*b), "0000000000000000");
  auto parsed = parse(*b);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->pac, Pac{});
}

}  // namespace
}  // namespace kb::pac
