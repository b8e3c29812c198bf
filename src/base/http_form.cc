#include "base/http_form.h"

#include <algorithm>
#include <cstdint>

namespace kb::http {

std::optional<std::string_view> Fields::first(std::string_view name) const {
  for (const auto& [n, v] : entries_) {
    if (n == name) return std::string_view(v);
  }
  return std::nullopt;
}

std::size_t Fields::count(std::string_view name) const {
  return static_cast<std::size_t>(std::count_if(entries_.begin(), entries_.end(),
                                                [&](const auto& e) { return e.first == name; }));
}

Result<std::string_view> Fields::unique(std::string_view name) const {
  std::size_t n = count(name);
  if (n == 0) return Error(Errc::kMissingField, "missing field " + std::string(name));
  if (n > 1) return Error(Errc::kDuplicateField, "repeated field " + std::string(name));
  return *first(name);
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3629 §4: well-formed UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF).
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<std::uint8_t>(s[i]);
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      cp = c & 0x07u;
    } else {
      return false;
    }
    if (s.size() - i <= extra) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      auto cc = static_cast<std::uint8_t>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if ((extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

Result<std::string> decode(std::string_view in, bool plus_as_space, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(in.size(), max_bytes));
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      bool room = i + 2 < in.size();
      int hi = room ? hex_value(in[i + 1]) : -1;
      int lo = room ? hex_value(in[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return Error(Errc::kBadEncoding, "bad percent escape at offset " + std::to_string(i));
      }
      out.push_back(static_cast<char>((hi << 4) | lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else if (c > 0x20 && c < 0x7F) {
      out.push_back(c);
    } else {
      return Error(Errc::kBadEncoding, "raw byte " + std::to_string(static_cast<std::uint8_t>(c)) +
                                           " at offset " + std::to_string(i));
    }
    if (out.size() > max_bytes) return Error(Errc::kFieldTooLarge, "decoded field over limit");
  }
  if (!valid_utf8(out) || out.find('\0') != std::string::npos) {
    return Error(Errc::kBadEncoding, "decoded bytes are not UTF-8 text");
  }
  return out;
}

Result<Fields> parse_pairs(std::string_view in, const FormLimits& limits) {
  if (in.size() > limits.max_total_bytes) {
    return Error(Errc::kTooLarge, std::to_string(in.size()) + " bytes of form data");
  }
  std::vector<std::pair<std::string, std::string>> out;
  if (in.empty()) return Fields(std::move(out));
  std::size_t start = 0;
  while (true) {
    std::size_t amp = in.find('&', start);
    std::string_view pair =
        in.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    if (pair.empty()) return Error(Errc::kBadForm, "empty pair at offset " + std::to_string(start));
    if (out.size() >= limits.max_fields) {
      return Error(Errc::kTooManyFields, "more than " + std::to_string(limits.max_fields));
    }
    std::size_t eq = pair.find('=');
    std::string_view raw_name = pair.substr(0, eq);
    std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (raw_name.empty())
      return Error(Errc::kBadForm, "empty name at offset " + std::to_string(start));
    auto name = decode(raw_name, true, limits.max_name_bytes);
    if (!name) return std::move(name.error().add_context("name"));
    auto value = decode(raw_value, true, limits.max_value_bytes);
    if (!value) return std::move(value.error().add_context(*name));
    out.emplace_back(std::move(*name), std::move(*value));
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return Fields(std::move(out));
}

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '*';
}

void encode_into(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (unreserved(c)) {
      out.push_back(ch);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    }
  }
}

}  // namespace

Result<Fields> parse_form(std::string_view body, const FormLimits& limits) {
  return parse_pairs(body, limits);
}

Result<Fields> parse_query(std::string_view query, const FormLimits& limits) {
  return parse_pairs(query, limits);
}

Result<std::string> percent_decode(std::string_view in, std::size_t max_bytes) {
  return decode(in, false, max_bytes);
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out.push_back('&');
    encode_into(out, name);
    out.push_back('=');
    encode_into(out, value);
  }
  return out;
}

}  // namespace kb::http
