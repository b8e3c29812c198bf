// `keybridge admin webauthn verify`'s analysis (webauthn/diagnose.h) on arbitrary input, read
// as a registration response and as an assertion response (the key of py_webauthn's EC2
// vector as the stored one), so what it reads out of a refused response is fuzzed too.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/base64.h"
#include "webauthn/diagnose.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const kb::Bytes challenge = *kb::base64url_decode(
      "xi30GPGAFYRxVDpY1sM10DaLzVQG66nv-_7RUazH0vI2YvG8LYgDEnvN5fZZNVuvEDuMi9te3VLqb42N0fkLGA");
  static const kb::Bytes key = *kb::base64url_decode(
      "pQECAyYgASFYIIeDTe-gN8A-zQclHoRnGFWN8ehM1b7yAsa8I8KIvmplIlgg4nFGT5px8o6gpPZZhO01wdy9crDS"
      "A_Ngtkx0vGpvPHI");
  std::string_view json(reinterpret_cast<const char*>(data), size);

  kb::webauthn::RegistrationExpectation re;
  re.challenge = challenge;
  re.rp_id = "localhost";
  re.origins = {"http://localhost:5000"};
  re.require_user_verification = false;
  (void)kb::webauthn::diagnose_registration(re, json, {});

  kb::webauthn::AssertionExpectation ae;
  ae.challenge = challenge;
  ae.rp_id = "localhost";
  ae.origins = {"http://localhost:5000"};
  ae.require_user_verification = false;
  kb::webauthn::StoredCredential stored;
  stored.public_key_cose = key;
  stored.sign_count = 77;
  (void)kb::webauthn::diagnose_assertion(ae, json, stored, false);
  return 0;
}
