// Test helpers shared by the krb5 tests: data files and a by-name table of decoders.
#pragma once

#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "der/walk.h"
#include "krb5/messages.h"

namespace kb::krb5::testing {

inline std::string read_text(const std::string& rel) {
  std::ifstream in(std::string(KB_TEST_DATA_DIR) + "/" + rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "name = hex" lines; '#' comments.
inline std::vector<std::pair<std::string, Bytes>> load_named_hex(const std::string& rel) {
  std::vector<std::pair<std::string, Bytes>> out;
  std::istringstream in(read_text(rel));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto eq = line.find(" = ");
    if (eq == std::string::npos) continue;
    out.emplace_back(line.substr(0, eq), hex_decode(line.substr(eq + 3)).value());
  }
  return out;
}

// Decodes as T and re-encodes.
template <typename T>
Result<Bytes> reencode(ByteView in, std::string_view name) {
  T v = KB_TRY(der::decode<T>(in, name));
  return der::encode(v);
}

using Reencoder = std::function<Result<Bytes>(ByteView)>;

// Every decodable type by its ASN.1 name; "DER" is the schema-less walker.
inline const std::map<std::string, Reencoder>& codecs() {
  static const std::map<std::string, Reencoder> m = [] {
    std::map<std::string, Reencoder> r;
    auto add = [&r]<typename T>(std::string name, T*) {
      r[name] = [name](ByteView in) { return reencode<T>(in, name); };
    };
    add("AS-REQ", static_cast<AsReq*>(nullptr));
    add("TGS-REQ", static_cast<TgsReq*>(nullptr));
    add("KDC-REQ-BODY", static_cast<KdcReqBody*>(nullptr));
    add("AS-REP", static_cast<AsRep*>(nullptr));
    add("TGS-REP", static_cast<TgsRep*>(nullptr));
    add("EncASRepPart", static_cast<EncAsRepPart*>(nullptr));
    add("EncTGSRepPart", static_cast<EncTgsRepPart*>(nullptr));
    add("AP-REQ", static_cast<ApReq*>(nullptr));
    add("AP-REP", static_cast<ApRep*>(nullptr));
    add("EncAPRepPart", static_cast<EncApRepPart*>(nullptr));
    add("Authenticator", static_cast<Authenticator*>(nullptr));
    add("KRB-ERROR", static_cast<KrbError*>(nullptr));
    add("KERB-ERROR-DATA", static_cast<KerbErrorData*>(nullptr));
    add("KRB-CRED", static_cast<KrbCred*>(nullptr));
    add("EncKrbCredPart", static_cast<EncKrbCredPart*>(nullptr));
    add("Ticket", static_cast<Ticket*>(nullptr));
    add("EncTicketPart", static_cast<EncTicketPart*>(nullptr));
    add("EncryptionKey", static_cast<EncryptionKey*>(nullptr));
    add("EncryptedData", static_cast<EncryptedData*>(nullptr));
    add("Checksum", static_cast<Checksum*>(nullptr));
    add("PrincipalName", static_cast<PrincipalName*>(nullptr));
    add("HostAddress", static_cast<HostAddress*>(nullptr));
    add("PA-ENC-TS-ENC", static_cast<PaEncTsEnc*>(nullptr));
    add("PA-PAC-REQUEST", static_cast<PaPacRequest*>(nullptr));
    add("PA-PAC-OPTIONS", static_cast<PaPacOptions*>(nullptr));
    add("ETYPE-INFO2", static_cast<EtypeInfo2*>(nullptr));
    add("METHOD-DATA", static_cast<MethodData*>(nullptr));
    add("AuthorizationData", static_cast<AuthorizationData*>(nullptr));
    add("KERB-KEY-LIST-REQ", static_cast<KerbKeyListReq*>(nullptr));
    add("KERB-KEY-LIST-REP", static_cast<KerbKeyListRep*>(nullptr));
    r["DER"] = [](ByteView in) -> Result<Bytes> {
      KB_CHECK(der::walk(in));
      return to_bytes(in);
    };
    return r;
  }();
  return m;
}

}  // namespace kb::krb5::testing
