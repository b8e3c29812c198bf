// CBOR (RFC 8949) for WebAuthn: a bounded decoder over libcbor's streaming parser into a
// small owned tree, and a canonical encoder (CTAP2 2.2 "CTAP2 canonical CBOR encoding form").
//
// The decoder never sizes an allocation from an untrusted count: a container's declared
// count must fit in the bytes that remain (every item takes at least one byte) and in the
// limits. Indefinite lengths, tags, floats and `undefined` are rejected (WebAuthn never uses
// them); map keys must be integers or text strings and must not repeat. With
// `canonical` set, integer and length heads must be minimal and map keys sorted in CTAP2
// canonical order (shorter encoding first, then bytewise).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace kb::webauthn::cbor {

struct Value {
  enum class Kind : std::uint8_t {
    kUnsigned,
    kNegative,
    kBytes,
    kText,
    kArray,
    kMap,
    kBool,
    kNull
  };
  Kind kind = Kind::kNull;
  // kUnsigned: the value; kNegative: n for the value -1-n; kBool: 0 or 1.
  std::uint64_t u = 0;
  Bytes bytes;
  std::string text;
  // Array items, or map entries flattened as key0, value0, key1, value1, ...
  std::vector<Value> items;

  static Value uint(std::uint64_t v);
  static Value integer(std::int64_t v);
  static Value byte_string(ByteView b);
  static Value text_string(std::string_view s);
  static Value boolean(bool b);
  static Value array(std::vector<Value> items);
  static Value map(std::vector<std::pair<Value, Value>> entries);

  [[nodiscard]] bool is_int() const { return kind == Kind::kUnsigned || kind == Kind::kNegative; }
  // The integer value when it fits in int64.
  [[nodiscard]] std::optional<std::int64_t> as_int() const;
  [[nodiscard]] std::size_t map_size() const { return items.size() / 2; }
  // Map lookup by integer or text key; nullptr when absent or not a map.
  [[nodiscard]] const Value* find(std::int64_t key) const;
  [[nodiscard]] const Value* find(std::string_view key) const;
};

struct Limits {
  std::size_t max_bytes = 64 * 1024;
  unsigned max_depth = 16;
  std::size_t max_items = 4096;  // all items in the tree
  bool canonical = false;
};

// Decodes exactly one item that fills `in` (trailing bytes are kBadCbor).
Result<Value> decode(ByteView in, const Limits& limits);
// Decodes one item from the front of `in`; `consumed` receives its length in bytes.
Result<Value> decode_prefix(ByteView in, const Limits& limits, std::size_t& consumed);

// Canonical encoding (minimal heads, map keys sorted length-first then bytewise).
Bytes encode(const Value& v);

}  // namespace kb::webauthn::cbor
