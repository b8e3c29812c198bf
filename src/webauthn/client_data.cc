#include "webauthn/client_data.h"

#include "base/base64.h"
#include "base/json.h"
#include "crypto/crypto.h"
#include "webauthn/errc.h"

namespace kb::webauthn {
namespace {

using E = WebauthnErrc;

Error bad(std::string what) {
  return Error(E::kBadClientData, std::move(what));
}

// 5.8.1.1 CCDToString: a JSON string with '"' and '\' escaped and control characters as
// \uXXXX.
void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20) {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
}

}  // namespace

Result<CollectedClientData> parse_client_data(ByteView json) {
  json::Limits limits;
  limits.max_bytes = 16 * 1024;
  limits.max_depth = 8;
  auto obj = json::parse_object(as_chars(json), limits);
  if (!obj) return bad("clientDataJSON: " + obj.error().detail());
  CollectedClientData cd;
  cd.raw = to_bytes(json);
  cd.hash = crypto::sha256(json);
  auto type = json::get_string(*obj, "type");
  auto challenge = json::get_string(*obj, "challenge");
  auto origin = json::get_string(*obj, "origin");
  if (!type || !challenge || !origin) return bad("clientDataJSON lacks type/challenge/origin");
  cd.type = std::move(type).value();
  cd.origin = std::move(origin).value();
  auto ch = base64url_decode(*challenge);
  if (!ch) return bad("challenge is not base64url");
  cd.challenge = std::move(ch).value();
  if (obj->contains("crossOrigin")) {
    auto co = json::get_bool(*obj, "crossOrigin");
    if (!co) return bad("crossOrigin is not a boolean");
    cd.cross_origin = *co;
  }
  if (obj->contains("topOrigin")) {
    auto top = json::get_string(*obj, "topOrigin");
    if (!top) return bad("topOrigin is not a string");
    cd.top_origin = std::move(top).value();
  }
  return cd;
}

std::string build_client_data(std::string_view type, ByteView challenge, std::string_view origin,
                              bool cross_origin, const std::optional<std::string>& top_origin) {
  std::string out = "{\"type\":";
  append_json_string(out, type);
  out += ",\"challenge\":";
  append_json_string(out, base64url_encode(challenge));
  out += ",\"origin\":";
  append_json_string(out, origin);
  out += ",\"crossOrigin\":";
  out += cross_origin ? "true" : "false";
  if (top_origin) {
    out += ",\"topOrigin\":";
    append_json_string(out, *top_origin);
  }
  out += "}";
  return out;
}

}  // namespace kb::webauthn
