#include "webauthn/cbor.h"

#include <cbor.h>

#include <algorithm>
#include <limits>
#include <string>

#include "webauthn/errc.h"

namespace kb::webauthn::cbor {
namespace {

using E = WebauthnErrc;

std::size_t head_len(std::uint64_t v) {
  if (v < 24) return 1;
  if (v <= 0xff) return 2;
  if (v <= 0xffff) return 3;
  if (v <= 0xffffffffULL) return 5;
  return 9;
}

// RFC 3629 UTF-8 without overlongs, surrogates or code points past U+10FFFF.
bool valid_utf8(ByteView s) {
  std::size_t i = 0;
  while (i < s.size()) {
    std::uint8_t c = s[i];
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1fu;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0fu;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07u;
    } else {
      return false;
    }
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size() || (s[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3fu);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

struct Frame {
  Value* v;
  std::uint64_t remaining;  // items still expected (maps count keys and values)
  ByteView last_key;        // encoding of the previous map key (canonical order check)
};

class Builder {
 public:
  Builder(ByteView in, const Limits& l) : in_(in), limits_(l) {}

  Result<Value> run(std::size_t& consumed) {
    if (in_.size() > limits_.max_bytes) return Error(E::kBadCbor, "CBOR input too large");
    while (!done_) {
      if (off_ >= in_.size()) return Error(E::kBadCbor, "truncated CBOR");
      item_start_ = off_;
      // The head size of each item comes from its initial byte, so the minimal-encoding
      // check needs no second parser.
      set_head_from_initial_byte();
      auto r = cbor_stream_decode(in_.data() + off_, in_.size() - off_, &kCallbacks, this);
      if (r.status == CBOR_DECODER_NEDATA) return Error(E::kBadCbor, "truncated CBOR");
      if (r.status != CBOR_DECODER_FINISHED || r.read == 0) {
        return Error(E::kBadCbor, "malformed CBOR");
      }
      read_ = r.read;
      off_ += r.read;
      if (!err_.empty()) return Error(E::kBadCbor, err_);
      if (!pending_) return Error(E::kBadCbor, "unsupported CBOR item");
      pending_ = false;
      if (auto e = place(); !e.empty()) return Error(E::kBadCbor, e);
    }
    consumed = off_;
    return std::move(root_);
  }

 private:
  // Adds the item in `item_` to the tree.
  std::string place() {
    if (++items_ > limits_.max_items) return "too many CBOR items";
    bool container = item_.kind == Value::Kind::kArray || item_.kind == Value::Kind::kMap;
    std::uint64_t count = container ? container_count_ : 0;
    Value* slot = nullptr;
    if (stack_.empty()) {
      root_ = std::move(item_);
      slot = &root_;
    } else {
      Frame& f = stack_.back();
      bool is_key = f.v->kind == Value::Kind::kMap && f.v->items.size() % 2 == 0;
      if (is_key) {
        if (item_.kind != Value::Kind::kUnsigned && item_.kind != Value::Kind::kNegative &&
            item_.kind != Value::Kind::kText) {
          return "map key is not an integer or text";
        }
        ByteView enc = in_.subspan(item_start_, read_);
        for (std::size_t i = 0; i < f.v->items.size(); i += 2) {
          const Value& k = f.v->items[i];
          if (k.kind == item_.kind && k.u == item_.u && k.text == item_.text) {
            return "duplicate map key";
          }
        }
        if (limits_.canonical && !f.last_key.empty()) {
          const ByteView& p = f.last_key;
          bool ordered = p.size() < enc.size() ||
                         (p.size() == enc.size() &&
                          std::lexicographical_compare(p.begin(), p.end(), enc.begin(), enc.end()));
          if (!ordered) return "map keys not in canonical order";
        }
        f.last_key = enc;
      }
      f.v->items.push_back(std::move(item_));
      slot = &f.v->items.back();
      --f.remaining;
    }
    item_ = Value{};
    if (container && count > 0) {
      if (stack_.size() >= limits_.max_depth) return "CBOR nesting too deep";
      stack_.push_back(Frame{slot, count, {}});
      return {};
    }
    while (!stack_.empty() && stack_.back().remaining == 0) stack_.pop_back();
    if (stack_.empty()) done_ = true;
    return {};
  }

  void leaf(Value v, std::uint64_t head_value) {
    if (limits_.canonical && cur_head_ != head_len(head_value)) {
      err_ = "non-minimal CBOR head";
      return;
    }
    item_ = std::move(v);
    pending_ = true;
  }
  static Builder* self(void* ctx) { return static_cast<Builder*>(ctx); }
  static void on_uint(void* ctx, std::uint64_t v) { self(ctx)->leaf(Value::uint(v), v); }
  static void on_neg(void* ctx, std::uint64_t n) {
    Builder* b = self(ctx);
    Value v;
    v.kind = Value::Kind::kNegative;
    v.u = n;
    b->leaf(std::move(v), n);
  }
  static void u8(void* c, std::uint8_t v) { on_uint(c, v); }
  static void u16(void* c, std::uint16_t v) { on_uint(c, v); }
  static void u32(void* c, std::uint32_t v) { on_uint(c, v); }
  static void u64(void* c, std::uint64_t v) { on_uint(c, v); }
  static void n8(void* c, std::uint8_t v) { on_neg(c, v); }
  static void n16(void* c, std::uint16_t v) { on_neg(c, v); }
  static void n32(void* c, std::uint32_t v) { on_neg(c, v); }
  static void n64(void* c, std::uint64_t v) { on_neg(c, v); }
  static void bytes(void* ctx, cbor_data d, std::size_t len) {
    Builder* b = self(ctx);
    Value v;
    v.kind = Value::Kind::kBytes;
    v.bytes.assign(d, d + len);
    b->leaf(std::move(v), len);
  }
  static void text(void* ctx, cbor_data d, std::size_t len) {
    Builder* b = self(ctx);
    if (!valid_utf8(ByteView(d, len))) {
      b->err_ = "text string is not UTF-8";
      return;
    }
    Value v;
    v.kind = Value::Kind::kText;
    v.text.assign(reinterpret_cast<const char*>(d), len);
    b->leaf(std::move(v), len);
  }
  static void container(void* ctx, std::size_t count, Value::Kind kind) {
    Builder* b = self(ctx);
    std::uint64_t per = kind == Value::Kind::kMap ? 2 : 1;
    std::size_t left = b->in_.size() - b->item_start_;
    if (count > b->limits_.max_items || count * per > left) {
      b->err_ = "CBOR container count exceeds the input";
      return;
    }
    Value v;
    v.kind = kind;
    v.items.reserve(static_cast<std::size_t>(count * per));
    b->container_count_ = count * per;
    b->leaf(std::move(v), count);
  }
  static void arr(void* c, std::size_t n) { container(c, n, Value::Kind::kArray); }
  static void map(void* c, std::size_t n) { container(c, n, Value::Kind::kMap); }
  static void boolean(void* ctx, bool v) { self(ctx)->leaf(Value::boolean(v), 0); }
  static void null(void* ctx) {
    Value v;
    v.kind = Value::Kind::kNull;
    self(ctx)->leaf(std::move(v), 0);
  }
  static void reject_simple(void* ctx) { self(ctx)->err_ = "unsupported CBOR item"; }
  static void reject_tag(void* ctx, std::uint64_t) { self(ctx)->err_ = "CBOR tags unsupported"; }
  static void reject_float(void* ctx, float) { self(ctx)->err_ = "CBOR floats unsupported"; }
  static void reject_double(void* ctx, double) { self(ctx)->err_ = "CBOR floats unsupported"; }

  static const cbor_callbacks kCallbacks;

 public:
  // The head length of a string or container item: computed before decoding from the
  // initial byte (additional information 0..23 inline, 24..27 -> 1, 2, 4, 8 bytes).
  void set_head_from_initial_byte() {
    std::uint8_t ib = in_[item_start_];
    std::uint8_t ai = ib & 0x1f;
    cur_head_ = ai < 24 ? 1 : ai == 24 ? 2 : ai == 25 ? 3 : ai == 26 ? 5 : 9;
  }

 private:
  ByteView in_;
  const Limits& limits_;
  std::size_t off_ = 0;
  std::size_t item_start_ = 0;
  std::size_t read_ = 0;
  std::size_t cur_head_ = 0;
  std::size_t items_ = 0;
  std::uint64_t container_count_ = 0;
  bool pending_ = false;
  bool done_ = false;
  std::string err_;
  Value root_;
  Value item_;
  std::vector<Frame> stack_;
};

const cbor_callbacks Builder::kCallbacks = [] {
  cbor_callbacks c = cbor_empty_callbacks;
  c.uint8 = &Builder::u8;
  c.uint16 = &Builder::u16;
  c.uint32 = &Builder::u32;
  c.uint64 = &Builder::u64;
  c.negint8 = &Builder::n8;
  c.negint16 = &Builder::n16;
  c.negint32 = &Builder::n32;
  c.negint64 = &Builder::n64;
  c.byte_string = &Builder::bytes;
  c.string = &Builder::text;
  c.array_start = &Builder::arr;
  c.map_start = &Builder::map;
  c.boolean = &Builder::boolean;
  c.null = &Builder::null;
  c.byte_string_start = &Builder::reject_simple;
  c.string_start = &Builder::reject_simple;
  c.indef_array_start = &Builder::reject_simple;
  c.indef_map_start = &Builder::reject_simple;
  c.indef_break = &Builder::reject_simple;
  c.undefined = &Builder::reject_simple;
  c.tag = &Builder::reject_tag;
  c.float2 = &Builder::reject_float;
  c.float4 = &Builder::reject_float;
  c.float8 = &Builder::reject_double;
  return c;
}();

void encode_head(Bytes& out, std::uint8_t major, std::uint64_t v) {
  std::uint8_t mt = static_cast<std::uint8_t>(major << 5);
  if (v < 24) {
    out.push_back(static_cast<std::uint8_t>(mt | v));
  } else if (v <= 0xff) {
    out.push_back(mt | 24);
    out.push_back(static_cast<std::uint8_t>(v));
  } else if (v <= 0xffff) {
    out.push_back(mt | 25);
    put_u16be(out, static_cast<std::uint16_t>(v));
  } else if (v <= 0xffffffffULL) {
    out.push_back(mt | 26);
    put_u32be(out, static_cast<std::uint32_t>(v));
  } else {
    out.push_back(mt | 27);
    put_u32be(out, static_cast<std::uint32_t>(v >> 32));
    put_u32be(out, static_cast<std::uint32_t>(v));
  }
}

void encode_into(Bytes& out, const Value& v) {
  switch (v.kind) {
    case Value::Kind::kUnsigned:
      encode_head(out, 0, v.u);
      return;
    case Value::Kind::kNegative:
      encode_head(out, 1, v.u);
      return;
    case Value::Kind::kBytes:
      encode_head(out, 2, v.bytes.size());
      append(out, v.bytes);
      return;
    case Value::Kind::kText:
      encode_head(out, 3, v.text.size());
      append(out, as_bytes(v.text));
      return;
    case Value::Kind::kArray:
      encode_head(out, 4, v.items.size());
      for (const auto& i : v.items) encode_into(out, i);
      return;
    case Value::Kind::kMap: {
      std::vector<std::pair<Bytes, Bytes>> entries;
      for (std::size_t i = 0; i + 1 < v.items.size(); i += 2) {
        entries.emplace_back(encode(v.items[i]), encode(v.items[i + 1]));
      }
      std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        if (a.first.size() != b.first.size()) return a.first.size() < b.first.size();
        return a.first < b.first;
      });
      encode_head(out, 5, entries.size());
      for (const auto& [k, val] : entries) {
        append(out, k);
        append(out, val);
      }
      return;
    }
    case Value::Kind::kBool:
      out.push_back(v.u != 0 ? 0xf5 : 0xf4);
      return;
    case Value::Kind::kNull:
      out.push_back(0xf6);
      return;
  }
}

}  // namespace

Value Value::uint(std::uint64_t v) {
  Value r;
  r.kind = Kind::kUnsigned;
  r.u = v;
  return r;
}
Value Value::integer(std::int64_t v) {
  if (v >= 0) return uint(static_cast<std::uint64_t>(v));
  Value r;
  r.kind = Kind::kNegative;
  r.u = static_cast<std::uint64_t>(-(v + 1));
  return r;
}
Value Value::byte_string(ByteView b) {
  Value r;
  r.kind = Kind::kBytes;
  r.bytes = to_bytes(b);
  return r;
}
Value Value::text_string(std::string_view s) {
  Value r;
  r.kind = Kind::kText;
  r.text = std::string(s);
  return r;
}
Value Value::boolean(bool b) {
  Value r;
  r.kind = Kind::kBool;
  r.u = b ? 1 : 0;
  return r;
}
Value Value::array(std::vector<Value> items) {
  Value r;
  r.kind = Kind::kArray;
  r.items = std::move(items);
  return r;
}
Value Value::map(std::vector<std::pair<Value, Value>> entries) {
  Value r;
  r.kind = Kind::kMap;
  for (auto& [k, v] : entries) {
    r.items.push_back(std::move(k));
    r.items.push_back(std::move(v));
  }
  return r;
}

std::optional<std::int64_t> Value::as_int() const {
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (kind == Kind::kUnsigned && u <= kMax) return static_cast<std::int64_t>(u);
  if (kind == Kind::kNegative && u <= kMax) return -1 - static_cast<std::int64_t>(u);
  return std::nullopt;
}

const Value* Value::find(std::int64_t key) const {
  if (kind != Kind::kMap) return nullptr;
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    if (items[i].is_int() && items[i].as_int() == key) return &items[i + 1];
  }
  return nullptr;
}

const Value* Value::find(std::string_view key) const {
  if (kind != Kind::kMap) return nullptr;
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    if (items[i].kind == Kind::kText && items[i].text == key) return &items[i + 1];
  }
  return nullptr;
}

Result<Value> decode_prefix(ByteView in, const Limits& limits, std::size_t& consumed) {
  Builder b(in, limits);
  return b.run(consumed);
}

Result<Value> decode(ByteView in, const Limits& limits) {
  std::size_t consumed = 0;
  Value v = KB_TRY(decode_prefix(in, limits, consumed));
  if (consumed != in.size()) return Error(WebauthnErrc::kBadCbor, "trailing bytes after CBOR");
  return v;
}

Bytes encode(const Value& v) {
  Bytes out;
  encode_into(out, v);
  return out;
}

}  // namespace kb::webauthn::cbor
