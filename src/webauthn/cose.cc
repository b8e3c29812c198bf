#include "webauthn/cose.h"

#include "webauthn/errc.h"

namespace kb::webauthn {
namespace {

using crypto::cose::Alg;
using crypto::cose::KeyKind;
using crypto::cose::PublicKey;
using E = WebauthnErrc;

// COSE_Key labels (RFC 9052 7.1, RFC 9053 7.1/7.2, RFC 8230 4).
constexpr std::int64_t kLabelKty = 1;
constexpr std::int64_t kLabelAlg = 3;
constexpr std::int64_t kLabelCrv = -1;  // EC2/OKP; RSA n
constexpr std::int64_t kLabelX = -2;    // EC2/OKP; RSA e
constexpr std::int64_t kLabelY = -3;    // EC2; RSA d
constexpr std::int64_t kLabelD = -4;    // EC2/OKP private key
constexpr std::int64_t kCrvP256 = 1;
constexpr std::int64_t kCrvEd25519 = 6;

Result<const Bytes*> bstr(const cbor::Value& m, std::int64_t label, const char* what) {
  const cbor::Value* v = m.find(label);
  if (v == nullptr || v->kind != cbor::Value::Kind::kBytes) {
    return Error(E::kBadCoseKey, std::string("COSE_Key lacks ") + what);
  }
  return &v->bytes;
}

Result<std::int64_t> int_label(const cbor::Value& m, std::int64_t label, const char* what) {
  const cbor::Value* v = m.find(label);
  if (v == nullptr || !v->as_int()) {
    return Error(E::kBadCoseKey, std::string("COSE_Key lacks integer ") + what);
  }
  return *v->as_int();
}

Error key_error(const Error& e) {
  return Error(E::kBadCoseKey, "COSE_Key public key rejected: " + e.detail());
}

Result<PublicKey> ec2_key(const cbor::Value& m, Alg alg) {
  // WebAuthn 5.8.5 / RFC 9053 2.1: ES256 is used with P-256 only.
  if (alg != Alg::kEs256) return Error(E::kUnsupportedAlgorithm, "EC2 key with a non-ES256 alg");
  std::int64_t crv = KB_TRY(int_label(m, kLabelCrv, "crv"));
  if (crv != kCrvP256) return Error(E::kUnsupportedAlgorithm, "EC2 curve is not P-256");
  const Bytes* x = KB_TRY(bstr(m, kLabelX, "x"));
  const cbor::Value* yv = m.find(kLabelY);
  // Compressed points (y as a bool) are legal COSE but WebAuthn keys use uncompressed ones.
  if (yv == nullptr || yv->kind != cbor::Value::Kind::kBytes) {
    return Error(E::kBadCoseKey, "EC2 key without a y coordinate");
  }
  if (m.find(kLabelD) != nullptr) return Error(E::kBadCoseKey, "COSE_Key carries a private key");
  auto k = PublicKey::ec(KeyKind::kP256, *x, yv->bytes);
  if (!k) return key_error(k.error());
  return std::move(k).value();
}

Result<PublicKey> okp_key(const cbor::Value& m, Alg alg) {
  if (alg != Alg::kEdDsa) return Error(E::kUnsupportedAlgorithm, "OKP key with a non-EdDSA alg");
  std::int64_t crv = KB_TRY(int_label(m, kLabelCrv, "crv"));
  if (crv != kCrvEd25519) return Error(E::kUnsupportedAlgorithm, "OKP curve is not Ed25519");
  const Bytes* x = KB_TRY(bstr(m, kLabelX, "x"));
  if (m.find(kLabelD) != nullptr) return Error(E::kBadCoseKey, "COSE_Key carries a private key");
  auto k = PublicKey::ed25519(*x);
  if (!k) return key_error(k.error());
  return std::move(k).value();
}

Result<PublicKey> rsa_key(const cbor::Value& m, Alg alg) {
  if (alg != Alg::kRs256 && alg != Alg::kPs256) {
    return Error(E::kUnsupportedAlgorithm, "RSA key with a non-RS256/PS256 alg");
  }
  const Bytes* n = KB_TRY(bstr(m, kLabelCrv, "n"));
  const Bytes* e = KB_TRY(bstr(m, kLabelX, "e"));
  if (m.find(kLabelY) != nullptr) return Error(E::kBadCoseKey, "COSE_Key carries a private key");
  auto k = PublicKey::rsa(*n, *e);
  if (!k) return key_error(k.error());
  return std::move(k).value();
}

}  // namespace

Result<CoseKey> parse_cose_key(const cbor::Value& v, ByteView encoded) {
  if (v.kind != cbor::Value::Kind::kMap) return Error(E::kBadCoseKey, "COSE_Key is not a map");
  std::int64_t kty = KB_TRY(int_label(v, kLabelKty, "kty"));
  std::int64_t alg_int = KB_TRY(int_label(v, kLabelAlg, "alg"));
  auto alg = crypto::cose::alg_from_int(alg_int);
  if (!alg) return Error(E::kUnsupportedAlgorithm, "COSE alg " + std::to_string(alg_int));
  CoseKey out;
  out.alg = *alg;
  out.encoded = to_bytes(encoded);
  switch (kty) {
    case 2:
      out.kty = CoseKty::kEc2;
      out.key = KB_TRY(ec2_key(v, *alg));
      break;
    case 1:
      out.kty = CoseKty::kOkp;
      out.key = KB_TRY(okp_key(v, *alg));
      break;
    case 3:
      out.kty = CoseKty::kRsa;
      out.key = KB_TRY(rsa_key(v, *alg));
      break;
    default:
      return Error(E::kUnsupportedAlgorithm, "COSE kty " + std::to_string(kty));
  }
  return out;
}

Result<CoseKey> parse_cose_key_prefix(ByteView in, std::size_t& consumed) {
  cbor::Limits limits;
  limits.max_bytes = 4096;
  limits.max_depth = 2;
  limits.max_items = 64;
  limits.canonical = true;  // WebAuthn 6.5.1: CTAP2 canonical CBOR
  auto v = cbor::decode_prefix(in, limits, consumed);
  if (!v) return Error(E::kBadCoseKey, "COSE_Key CBOR: " + v.error().detail());
  return parse_cose_key(*v, in.first(consumed));
}

Result<Bytes> encode_cose_key(Alg alg, const PublicKey& key) {
  auto c = key.components();
  if (!c) return Error(E::kBadCoseKey, "cannot read public key");
  using cbor::Value;
  std::vector<std::pair<Value, Value>> m;
  switch (alg) {
    case Alg::kEs256:
      if (c->kind != KeyKind::kP256) return Error(E::kUnsupportedAlgorithm, "ES256 needs P-256");
      m = {{Value::integer(kLabelKty), Value::integer(2)},
           {Value::integer(kLabelAlg), Value::integer(-7)},
           {Value::integer(kLabelCrv), Value::integer(kCrvP256)},
           {Value::integer(kLabelX), Value::byte_string(c->x)},
           {Value::integer(kLabelY), Value::byte_string(c->y)}};
      break;
    case Alg::kEdDsa:
      if (c->kind != KeyKind::kEd25519) return Error(E::kUnsupportedAlgorithm, "EdDSA key");
      m = {{Value::integer(kLabelKty), Value::integer(1)},
           {Value::integer(kLabelAlg), Value::integer(-8)},
           {Value::integer(kLabelCrv), Value::integer(kCrvEd25519)},
           {Value::integer(kLabelX), Value::byte_string(c->x)}};
      break;
    case Alg::kRs256:
      if (c->kind != KeyKind::kRsa) return Error(E::kUnsupportedAlgorithm, "RS256 needs RSA");
      m = {{Value::integer(kLabelKty), Value::integer(3)},
           {Value::integer(kLabelAlg), Value::integer(-257)},
           {Value::integer(kLabelCrv), Value::byte_string(c->n)},
           {Value::integer(kLabelX), Value::byte_string(c->e)}};
      break;
    default:
      return Error(E::kUnsupportedAlgorithm, "cannot encode this algorithm");
  }
  return cbor::encode(Value::map(std::move(m)));
}

}  // namespace kb::webauthn
