// An AuthenticationResponseJSON verified against a fixed expectation and stored ES256 key
// (the key of py_webauthn's EC2 vector), so inputs that get past parsing reach every check.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/base64.h"
#include "webauthn/assertion.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const kb::webauthn::StoredCredential stored = [] {
    kb::webauthn::StoredCredential s;
    s.id = *kb::base64url_decode(
        "EDx9FfAbp4obx6oll2oC4-CZuDidRVV4gZhxC529ytlnqHyqCStDUwfNdm1SNHAe3X5KvueWQdAX3x9R1a2b9Q");
    s.public_key_cose = *kb::base64url_decode(
        "pQECAyYgASFYIIeDTe-gN8A-zQclHoRnGFWN8ehM1b7yAsa8I8KIvmplIlgg4nFGT5px8o6gpPZZhO01wdy9crDS"
        "A_Ngtkx0vGpvPHI");
    s.sign_count = 77;
    return s;
  }();
  static const kb::webauthn::AssertionExpectation expect = [] {
    kb::webauthn::AssertionExpectation e;
    e.challenge = *kb::base64url_decode(
        "xi30GPGAFYRxVDpY1sM10DaLzVQG66nv-_7RUazH0vI2YvG8LYgDEnvN5fZZNVuvEDuMi9te3VLqb42N0fkLGA");
    e.rp_id = "localhost";
    e.origins = {"http://localhost:5000"};
    e.require_user_verification = false;
    return e;
  }();
  std::string_view json(reinterpret_cast<const char*>(data), size);
  (void)kb::webauthn::verify_assertion(expect, json, stored);
  (void)kb::webauthn::peek_assertion(json);
  return 0;
}
