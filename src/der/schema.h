// Schema combinators: each ASN.1 type is declared once, and one generic encoder and one
// generic decoder walk that declaration (the idea of MIT's asn1_k_encode.c, typed).
//
// A SEQUENCE type is a struct with
//
//   static constexpr auto schema() {
//     return der::sequence("PrincipalName",
//                          der::field(0, "name-type", &PrincipalName::name_type),
//                          der::field(1, "name-string", &PrincipalName::name_string));
//   }
//
// Every field is an EXPLICIT context tag [n] (RFC 4120's module uses EXPLICIT TAGS), listed
// in ascending tag order. Member types map to ASN.1 as follows:
//   std::int32_t / std::uint32_t  INTEGER (Int32 / UInt32, see Codec<std::uint32_t>)
//   bool                          BOOLEAN
//   Bytes, SecretBytes            OCTET STRING
//   std::string                   GeneralString (Kerberos' only character string)
//   GeneralizedTime, BitString    as in types.h
//   std::vector<T>                SEQUENCE OF T (Bytes excepted, see above)
//   std::optional<T>              OPTIONAL (only as a field type)
//   Raw<T>                        T, keeping the received bytes
//   a struct with schema()        SEQUENCE, or [APPLICATION n] SEQUENCE via .application(n)
//
// Decoding is strict: fields in order, required fields present, no unknown fields after
// the known ones (kUnexpectedField), nothing left inside a field (kTrailingBytes). Each
// error's path names the field: "AS-REQ.req-body.etype[3]".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/secret.h"
#include "der/errc.h"
#include "der/reader.h"
#include "der/types.h"
#include "der/writer.h"

namespace kb::der {

template <typename Owner, typename M>
struct Field {
  unsigned tag;
  std::string_view name;  // the ASN.1 field name, used in error paths
  M Owner::*member;
};

template <typename Owner, typename M>
constexpr Field<Owner, M> field(unsigned tag, std::string_view name, M Owner::*member) {
  return {tag, name, member};
}

template <typename... Fs>
struct Sequence {
  std::string_view name;  // the ASN.1 type name, first element of top-level error paths
  int app_tag = -1;       // [APPLICATION n] around the SEQUENCE, or -1
  int alt_app_tag = -1;   // a second application tag also accepted when decoding, or -1
  std::tuple<Fs...> fields;

  // [APPLICATION tag] SEQUENCE; `also_accept` is a second tag the decoder takes.
  constexpr Sequence application(int app, int also_accept = -1) const {
    Sequence s = *this;
    s.app_tag = app;
    s.alt_app_tag = also_accept;
    return s;
  }
  constexpr Sequence named(std::string_view n) const {
    Sequence s = *this;
    s.name = n;
    return s;
  }
};

template <typename... Fs>
constexpr Sequence<Fs...> sequence(std::string_view name, Fs... fs) {
  return Sequence<Fs...>{name, -1, -1, std::tuple<Fs...>(fs...)};
}

template <typename T>
concept HasSchema = requires {
  T::schema();
};

// Codec<T>::encode(Writer&, const T&) writes one TLV; Codec<T>::decode(Reader&) reads one.
template <typename T>
struct Codec;

template <typename T>
concept Encodable = requires(Writer& w, const T& v, Reader& r) {
  Codec<T>::encode(w, v);
  { Codec<T>::decode(r) } -> std::same_as<Result<T>>;
};

template <>
struct Codec<bool> {
  static void encode(Writer& w, bool v) { w.write_boolean(v); }
  static Result<bool> decode(Reader& r) {
    ByteView c = KB_TRY(r.read_primitive(tag::kBoolean));
    return parse_boolean(c);
  }
};

// Int32 (RFC 4120 5.2.4): a 1..4 octet INTEGER.
template <>
struct Codec<std::int32_t> {
  static void encode(Writer& w, std::int32_t v) { w.write_integer(v); }
  static Result<std::int32_t> decode(Reader& r) {
    ByteView c = KB_TRY(r.read_primitive(tag::kInteger));
    return static_cast<std::int32_t>(KB_TRY(parse_integer(c, 4)));
  }
};

// UInt32 (RFC 4120 5.2.4: kvno, nonce, seq-number).
// Decoding accepts the 32-bit two's-complement form (a negative value v means v + 2^32)
// and the positive 5-octet form 00 xx xx xx xx. Encoding always uses the 1..4 octet
// two's-complement form, because Windows (MS-KILE 3.1.5.8) and Heimdal/Samba decode these
// fields as signed 32-bit: an RODC kvno 0x80010001 goes out as 02 04 80 01 00 01, which
// MIT also produces (protocol digest D.2, I).
template <>
struct Codec<std::uint32_t> {
  static void encode(Writer& w, std::uint32_t v) { w.write_integer(static_cast<std::int32_t>(v)); }
  static Result<std::uint32_t> decode(Reader& r) {
    ByteView c = KB_TRY(r.read_primitive(tag::kInteger));
    const std::int64_t v = KB_TRY(parse_integer(c, 5));
    if (v < INT32_MIN || v > static_cast<std::int64_t>(UINT32_MAX)) {
      return Error(Errc::kIntegerOverflow, "outside UInt32 and Int32");
    }
    return static_cast<std::uint32_t>(v);
  }
};

template <>
struct Codec<Bytes> {
  static void encode(Writer& w, const Bytes& v) { w.write_tlv(tag::kOctetString, v); }
  static Result<Bytes> decode(Reader& r) {
    ByteView c = KB_TRY(r.read_primitive(tag::kOctetString));
    return to_bytes(c);
  }
};

template <>
struct Codec<SecretBytes> {
  static void encode(Writer& w, const SecretBytes& v) {
    w.write_tlv(tag::kOctetString, v.reveal());
  }
  static Result<SecretBytes> decode(Reader& r) {
    ByteView c = KB_TRY(r.read_primitive(tag::kOctetString));
    return SecretBytes(c);
  }
};

// GeneralString. Any octets are kept as received (RFC 4120 5.2.1 leaves the character set
// to practice); no NUL or charset check here.
template <>
struct Codec<std::string> {
  static void encode(Writer& w, const std::string& v) {
    w.write_tlv(tag::kGeneralString, as_bytes(v));
  }
  static Result<std::string> decode(Reader& r) {
    ByteView c = KB_TRY(r.read_primitive(tag::kGeneralString));
    return std::string(as_chars(c));
  }
};

template <>
struct Codec<GeneralizedTime> {
  static void encode(Writer& w, GeneralizedTime v) {
    w.write_tlv(tag::kGeneralizedTime, as_bytes(format_generalized_time(v)));
  }
  static Result<GeneralizedTime> decode(Reader& r) {
    ByteView c = KB_TRY(r.read_primitive(tag::kGeneralizedTime));
    return parse_generalized_time(c);
  }
};

template <>
struct Codec<BitString> {
  static void encode(Writer& w, const BitString& v) {
    Bytes c;
    c.reserve(v.octets.size() + 1);
    c.push_back(v.unused_bits);
    append(c, v.octets);
    w.write_tlv(tag::kBitString, c);
  }
  static Result<BitString> decode(Reader& r) {
    ByteView c = KB_TRY(r.read_primitive(tag::kBitString));
    return parse_bit_string(c);
  }
};

// SEQUENCE OF T. Elements are appended as they are read: nothing is sized from the input.
template <typename T>
struct Codec<std::vector<T>> {
  static void encode(Writer& w, const std::vector<T>& v) {
    w.constructed(tag::kSequence, [&] {
      for (const T& e : v) Codec<T>::encode(w, e);
    });
  }
  static Result<std::vector<T>> decode(Reader& r) {
    Reader seq = KB_TRY(r.read_constructed(tag::kSequence));
    std::vector<T> out;
    while (!seq.empty()) {
      const std::string index = "[" + std::to_string(out.size()) + "]";
      if (out.size() == kMaxCount) {
        return std::move(Error(Errc::kCountLimit, "too many elements").add_context(index));
      }
      out.push_back(KB_TRY_CTX(Codec<T>::decode(seq), index));
    }
    return out;
  }
};

template <typename T>
struct Codec<Raw<T>> {
  static void encode(Writer& w, const Raw<T>& v) {
    if (!v.encoding.empty()) {
      w.write_raw(v.encoding);
    } else {
      Codec<T>::encode(w, v.value);
    }
  }
  static Result<Raw<T>> decode(Reader& r) {
    Element e = KB_TRY(r.read_element());
    Reader one(e.encoding, r.depth());
    Raw<T> out;
    out.value = KB_TRY(Codec<T>::decode(one));
    out.encoding = to_bytes(e.encoding);
    return out;
  }
};

namespace detail {

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};

inline Error with_context(Error e, std::string_view element) {
  e.add_context(element);
  return e;
}

template <typename U>
Result<U> decode_explicit(Reader& body, std::uint8_t t) {
  Reader inner = KB_TRY(body.read_constructed(t));
  U v = KB_TRY(Codec<U>::decode(inner));
  KB_CHECK(inner.expect_end());
  return v;
}

template <typename T, typename Owner, typename M>
std::optional<Error> decode_field(Reader& body, T& out, const Field<Owner, M>& f) {
  const std::uint8_t t = tag::context(f.tag);
  const bool present = body.peek_tag() == t;
  if constexpr (IsOptional<M>::value) {
    if (!present) {
      (out.*f.member).reset();
      return std::nullopt;
    }
    auto v = decode_explicit<typename M::value_type>(body, t);
    if (!v) return with_context(std::move(v).error(), f.name);
    (out.*f.member).emplace(std::move(v).value());
  } else {
    if (!present) return with_context(Error(Errc::kMissingField, "required field absent"), f.name);
    auto v = decode_explicit<M>(body, t);
    if (!v) return with_context(std::move(v).error(), f.name);
    out.*f.member = std::move(v).value();
  }
  return std::nullopt;
}

template <typename T, typename Owner, typename M>
void encode_field(Writer& w, const T& v, const Field<Owner, M>& f) {
  const M& m = v.*f.member;
  if constexpr (IsOptional<M>::value) {
    if (!m) return;
    w.constructed(tag::context(f.tag), [&] { Codec<typename M::value_type>::encode(w, *m); });
  } else {
    w.constructed(tag::context(f.tag), [&] { Codec<M>::encode(w, m); });
  }
}

// Opens [APPLICATION n] (if any) and the SEQUENCE, returning a reader over the fields;
// `seen_app_tag` gets the application tag number found.
Result<Reader> open_sequence(Reader& r, int app_tag, int alt_app_tag, int& seen_app_tag);

// A struct with an `int app_tag` member records which of its two accepted application
// tags it was decoded from, and is encoded with that tag again.
template <typename T>
concept RecordsAppTag = requires(T& t) {
  t.app_tag = 0;
};
Error unexpected_field(const Reader& body);

}  // namespace detail

template <HasSchema T>
struct Codec<T> {
  static void encode(Writer& w, const T& v) {
    constexpr auto s = T::schema();
    auto fields = [&] {
      w.constructed(tag::kSequence, [&] {
        std::apply([&](const auto&... f) { (detail::encode_field(w, v, f), ...); }, s.fields);
      });
    };
    if constexpr (s.app_tag >= 0) {
      int app = s.app_tag;
      if constexpr (detail::RecordsAppTag<T>) {
        if (s.alt_app_tag >= 0 && v.app_tag == s.alt_app_tag) app = s.alt_app_tag;
      }
      w.constructed(tag::application(static_cast<unsigned>(app)), fields);
    } else {
      fields();
    }
  }

  static Result<T> decode(Reader& r) {
    constexpr auto s = T::schema();
    int seen_app_tag = -1;
    Reader body = KB_TRY(detail::open_sequence(r, s.app_tag, s.alt_app_tag, seen_app_tag));
    T out{};
    if constexpr (detail::RecordsAppTag<T>) out.app_tag = seen_app_tag;
    std::optional<Error> err;
    std::apply(
        [&](const auto&... f) {
          (void)((err = detail::decode_field(body, out, f), !err.has_value()) && ...);
        },
        s.fields);
    if (err) return std::move(*err);
    if (!body.empty()) return detail::unexpected_field(body);
    return out;
  }
};

// The ASN.1 name a top-level decode puts first in error paths ("" for unnamed types).
template <typename T>
constexpr std::string_view type_name() {
  if constexpr (HasSchema<T>) {
    return T::schema().name;
  } else {
    return {};
  }
}

// Decodes exactly one T from `in`: the whole input must be that one element (kTrailingBytes
// otherwise) and at most kMaxMessageSize bytes. Error paths start with `name`.
template <typename T>
Result<T> decode(ByteView in, std::string_view name = type_name<T>()) {
  auto fail = [&](Error e) {
    if (!name.empty()) e.add_context(name);
    return e;
  };
  if (in.size() > kMaxMessageSize) return fail(Error(Errc::kSizeLimit, "message too large"));
  Reader r(in);
  auto v = Codec<T>::decode(r);
  if (!v) return fail(std::move(v).error());
  auto end = r.expect_end();
  if (!end) return fail(std::move(end).error());
  return v;
}

// Encodes one T to DER.
template <typename T>
Bytes encode(const T& v) {
  Writer w;
  Codec<T>::encode(w, v);
  return std::move(w).take();
}

// The bytes a Raw<T> stands for: the received encoding, or a fresh one if built locally.
template <typename T>
Bytes encoding_of(const Raw<T>& v) {
  return v.encoding.empty() ? encode(v.value) : v.encoding;
}

}  // namespace kb::der
