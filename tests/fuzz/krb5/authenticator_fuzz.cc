// Fuzz target: der::decode<krb5::Authenticator> (and re-encode).
#include "krb5_fuzz.h"

KB_KRB5_FUZZ_TARGET(kb::krb5::fuzz::round_trip<kb::krb5::Authenticator>(data, size))
