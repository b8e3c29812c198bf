// WebAuthn 8.3 TPM attestation: TPMS_ATTEST (certInfo) and TPMT_PUBLIC (pubArea) per TPM 2.0
// Part 2 "Structures" (10.12.8, 12.2.4), and the AIK certificate requirements of 8.3.1.
#include <algorithm>

#include "crypto/attestation_cert.h"
#include "webauthn/attestation_formats.h"
#include "webauthn/errc.h"

namespace kb::webauthn::internal {
namespace {

using crypto::attest::Certificate;
using crypto::cose::Alg;
using crypto::cose::HashAlg;

constexpr std::uint32_t kTpmGeneratedValue = 0xff544347;  // TPM_GENERATED_VALUE
constexpr std::uint16_t kTpmStAttestCertify = 0x8017;     // TPM_ST_ATTEST_CERTIFY
constexpr std::uint16_t kAlgRsa = 0x0001;
constexpr std::uint16_t kAlgEcc = 0x0023;
constexpr std::uint16_t kAlgNull = 0x0010;
constexpr std::uint16_t kEccNistP256 = 0x0003;
constexpr const char* kOidTcgKpAikCertificate = "2.23.133.8.3";
constexpr const char* kOidTpmManufacturer = "2.23.133.2.1";
constexpr const char* kOidTpmModel = "2.23.133.2.2";
constexpr const char* kOidTpmVersion = "2.23.133.2.3";

// A bounded big-endian reader with a sticky failure flag.
class Reader {
 public:
  explicit Reader(ByteView b) : b_(b) {}
  std::uint16_t u16() { return static_cast<std::uint16_t>(uint(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(uint(4)); }
  std::uint64_t u64() { return uint(8); }
  ByteView bytes(std::size_t n) {
    if (failed_ || b_.size() - off_ < n) {
      failed_ = true;
      return {};
    }
    ByteView r = b_.subspan(off_, n);
    off_ += n;
    return r;
  }
  ByteView tpm2b() { return bytes(u16()); }  // TPM2B_*: u16 size, then the bytes
  [[nodiscard]] bool ok_and_done() const { return !failed_ && off_ == b_.size(); }

 private:
  std::uint64_t uint(std::size_t n) {
    ByteView v = bytes(n);
    std::uint64_t r = 0;
    for (auto c : v) r = (r << 8) | c;
    return r;
  }
  ByteView b_;
  std::size_t off_ = 0;
  bool failed_ = false;
};

struct PubArea {
  std::uint16_t type = 0;
  std::uint16_t name_alg = 0;
  // RSA
  std::uint32_t exponent = 0;
  Bytes n;
  // ECC
  std::uint16_t curve = 0;
  Bytes x;
  Bytes y;
};

// TPMT_PUBLIC (TPM 2.0 Part 2 12.2.4) for RSA and ECC keys.
Result<PubArea> parse_pub_area(ByteView in) {
  Reader r(in);
  PubArea p;
  p.type = r.u16();
  p.name_alg = r.u16();
  r.u32();    // objectAttributes
  r.tpm2b();  // authPolicy
  // TPMT_SYM_DEF_OBJECT: algorithm, then keyBits and mode unless TPM_ALG_NULL.
  if (r.u16() != kAlgNull) {
    r.u16();
    r.u16();
  }
  // Signing scheme: TPMT_RSA_SCHEME / TPMT_ECC_SCHEME, a hashAlg unless TPM_ALG_NULL.
  if (r.u16() != kAlgNull) r.u16();
  if (p.type == kAlgRsa) {
    r.u16();  // keyBits
    p.exponent = r.u32();
    p.n = to_bytes(r.tpm2b());
  } else if (p.type == kAlgEcc) {
    p.curve = r.u16();
    if (r.u16() != kAlgNull) r.u16();  // TPMT_KDF_SCHEME
    p.x = to_bytes(r.tpm2b());
    p.y = to_bytes(r.tpm2b());
  } else {
    return bad_attestation("tpm: pubArea type is neither RSA nor ECC");
  }
  if (!r.ok_and_done()) return bad_attestation("tpm: malformed pubArea");
  return p;
}

struct CertInfo {
  std::uint32_t magic = 0;
  std::uint16_t type = 0;
  Bytes extra_data;
  Bytes attested_name;
};

// TPMS_ATTEST (TPM 2.0 Part 2 10.12.8) with TPMS_CERTIFY_INFO as attested.
Result<CertInfo> parse_cert_info(ByteView in) {
  Reader r(in);
  CertInfo c;
  c.magic = r.u32();
  c.type = r.u16();
  r.tpm2b();  // qualifiedSigner
  c.extra_data = to_bytes(r.tpm2b());
  r.bytes(17);  // clockInfo: clock u64, resetCount u32, restartCount u32, safe u8
  r.u64();      // firmwareVersion
  c.attested_name = to_bytes(r.tpm2b());
  r.tpm2b();  // qualifiedName
  if (!r.ok_and_done()) return bad_attestation("tpm: malformed certInfo");
  return c;
}

std::optional<HashAlg> tpm_hash(std::uint16_t alg) {
  switch (alg) {
    case 0x0004:
      return HashAlg::kSha1;
    case 0x000b:
      return HashAlg::kSha256;
    case 0x000c:
      return HashAlg::kSha384;
    case 0x000d:
      return HashAlg::kSha512;
    default:
      return std::nullopt;
  }
}

Bytes strip_leading_zeros(const Bytes& b) {
  auto it = std::find_if(b.begin(), b.end(), [](std::uint8_t c) { return c != 0; });
  return Bytes(it, b.end());
}

// 8.3.2: the key in pubArea (parameters and unique) is the credential public key.
Result<void> check_pub_area_key(const PubArea& p, const CoseKey& cred) {
  auto c = cred.key.components();
  if (!c) return bad_attestation("tpm: cannot read credential key");
  if (p.type == kAlgRsa) {
    if (c->kind != crypto::cose::KeyKind::kRsa) return bad_attestation("tpm: key type differs");
    std::uint32_t e = p.exponent == 0 ? 65537 : p.exponent;  // 0 means the default 2^16+1
    Bytes e_bytes;
    put_u32be(e_bytes, e);
    if (strip_leading_zeros(p.n) != c->n || strip_leading_zeros(e_bytes) != c->e) {
      return bad_attestation("tpm: pubArea RSA key differs from the credential key");
    }
    return ok();
  }
  if (c->kind != crypto::cose::KeyKind::kP256 || p.curve != kEccNistP256) {
    return bad_attestation("tpm: pubArea curve differs from the credential key");
  }
  if (p.x != c->x || p.y != c->y) {
    return bad_attestation("tpm: pubArea ECC point differs from the credential key");
  }
  return ok();
}

// 8.3.1 "TPM Attestation Statement Certificate Requirements".
Result<void> check_aik_cert(const Certificate& cert, const Aaguid& aaguid) {
  if (cert.version() != 3) return bad_attestation("tpm 8.3.1: aikCert is not v3");
  if (!cert.subject_empty()) return bad_attestation("tpm 8.3.1: aikCert subject not empty");
  auto san = cert.san_directory_attributes();
  auto has = [&](const char* oid) {
    return std::any_of(san.begin(), san.end(), [&](const auto& a) { return a.first == oid; });
  };
  if (!has(kOidTpmManufacturer) || !has(kOidTpmModel) || !has(kOidTpmVersion)) {
    return bad_attestation("tpm 8.3.1: SAN lacks TPM manufacturer/model/version");
  }
  auto eku = cert.extended_key_usage();
  if (std::find(eku.begin(), eku.end(), kOidTcgKpAikCertificate) == eku.end()) {
    return bad_attestation("tpm 8.3.1: EKU lacks tcg-kp-AIKCertificate");
  }
  auto ca = cert.basic_constraints_ca();
  if (!ca.has_value() || *ca) return bad_attestation("tpm 8.3.1: basic constraints CA");
  KB_CHECK(check_aaguid_extension(cert.der(), aaguid));
  return ok();
}

Result<const Bytes*> stmt_bytes(const cbor::Value& stmt, const char* key) {
  const cbor::Value* v = stmt.find(key);
  if (v == nullptr || v->kind != cbor::Value::Kind::kBytes) {
    return bad_attestation(std::string("tpm: attStmt.") + key + " missing");
  }
  return &v->bytes;
}

}  // namespace

// WebAuthn 8.3 "Verification procedure".
Result<AttestationOutcome> verify_tpm(const AttestationObject& obj, ByteView client_data_hash) {
  const cbor::Value& stmt = obj.att_stmt;
  // Step 1: syntax.
  const cbor::Value* ver = stmt.find("ver");
  if (ver == nullptr || ver->kind != cbor::Value::Kind::kText || ver->text != "2.0") {
    return bad_attestation("tpm step 1: ver is not \"2.0\"");
  }
  const cbor::Value* alg_v = stmt.find("alg");
  auto alg = alg_v != nullptr && alg_v->as_int() ? crypto::cose::alg_from_int(*alg_v->as_int())
                                                 : std::nullopt;
  if (!alg) return bad_attestation("tpm step 1: alg missing or unsupported");
  const Bytes* sig = KB_TRY(stmt_bytes(stmt, "sig"));
  const Bytes* cert_info_raw = KB_TRY(stmt_bytes(stmt, "certInfo"));
  const Bytes* pub_area_raw = KB_TRY(stmt_bytes(stmt, "pubArea"));
  std::vector<Bytes> x5c = KB_TRY(x5c_of(stmt, true));
  const auto& acd = obj.auth_data.attested;
  if (!acd) return bad_attestation("tpm: no attested credential data");
  // Step 2: pubArea's key is the credential public key.
  PubArea pub = KB_TRY(parse_pub_area(*pub_area_raw));
  KB_CHECK(check_pub_area_key(pub, acd->public_key));
  // Step 3: attToBeSigned = authenticatorData || clientDataHash.
  Bytes att_to_be_signed = obj.auth_data.raw;
  append(att_to_be_signed, client_data_hash);
  // Step 4: certInfo is valid.
  CertInfo info = KB_TRY(parse_cert_info(*cert_info_raw));
  if (info.magic != kTpmGeneratedValue) return bad_attestation("tpm step 4: magic");
  if (info.type != kTpmStAttestCertify) return bad_attestation("tpm step 4: type");
  if (info.extra_data != crypto::cose::digest(crypto::cose::alg_hash(*alg), att_to_be_signed)) {
    return bad_attestation("tpm step 4: extraData is not the hash of attToBeSigned");
  }
  // attested.name = nameAlg || H_nameAlg(pubArea) (TPM 2.0 Part 1 16 "Names").
  auto name_hash = tpm_hash(pub.name_alg);
  if (!name_hash) return bad_attestation("tpm step 4: unsupported nameAlg");
  Bytes name;
  put_u16be(name, pub.name_alg);
  append(name, crypto::cose::digest(*name_hash, *pub_area_raw));
  if (info.attested_name != name) return bad_attestation("tpm step 4: attested name mismatch");
  // Step 5: sig over certInfo with the AIK certificate's key, and the 8.3.1 requirements.
  auto aik = Certificate::from_der(x5c[0]);
  if (!aik) return bad_attestation("tpm step 5: aikCert does not parse");
  auto aik_key = aik->public_key();
  if (!aik_key || !aik_key->verify(*alg, *cert_info_raw, *sig)) {
    return bad_attestation("tpm step 5: sig does not verify with aikCert");
  }
  KB_CHECK(check_aik_cert(*aik, acd->aaguid));
  AttestationOutcome out;
  out.type = AttestationType::kAttCa;
  out.x5c = std::move(x5c);
  return out;
}

}  // namespace kb::webauthn::internal
