// Fuzz target: EncASRepPart / EncTGSRepPart (and PA-DATA values that travel inside them).
#include "krb5_fuzz.h"

KB_KRB5_FUZZ_TARGET(kb::krb5::fuzz::round_trip<kb::krb5::EncAsRepPart>(data, size);
                    kb::krb5::fuzz::round_trip<kb::krb5::EncTgsRepPart>(data, size);
                    kb::krb5::fuzz::round_trip<kb::krb5::MethodData>(data, size);
                    kb::krb5::fuzz::round_trip<kb::krb5::EtypeInfo2>(data, size);
                    kb::krb5::fuzz::round_trip<kb::krb5::KerbKeyListRep>(data, size))
