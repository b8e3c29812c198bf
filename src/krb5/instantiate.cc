// Instantiates the codec of every top-level message once in the library, so that
// template errors show up when kb_krb5 builds rather than in the first user.
#include "krb5/messages.h"

namespace kb::der {

template Result<krb5::AsReq> decode<krb5::AsReq>(ByteView, std::string_view);
template Result<krb5::TgsReq> decode<krb5::TgsReq>(ByteView, std::string_view);
template Result<krb5::AsRep> decode<krb5::AsRep>(ByteView, std::string_view);
template Result<krb5::TgsRep> decode<krb5::TgsRep>(ByteView, std::string_view);
template Result<krb5::EncAsRepPart> decode<krb5::EncAsRepPart>(ByteView, std::string_view);
template Result<krb5::EncTgsRepPart> decode<krb5::EncTgsRepPart>(ByteView, std::string_view);
template Result<krb5::ApReq> decode<krb5::ApReq>(ByteView, std::string_view);
template Result<krb5::ApRep> decode<krb5::ApRep>(ByteView, std::string_view);
template Result<krb5::EncApRepPart> decode<krb5::EncApRepPart>(ByteView, std::string_view);
template Result<krb5::Authenticator> decode<krb5::Authenticator>(ByteView, std::string_view);
template Result<krb5::KrbError> decode<krb5::KrbError>(ByteView, std::string_view);
template Result<krb5::KrbCred> decode<krb5::KrbCred>(ByteView, std::string_view);
template Result<krb5::EncKrbCredPart> decode<krb5::EncKrbCredPart>(ByteView, std::string_view);
template Result<krb5::EncTicketPart> decode<krb5::EncTicketPart>(ByteView, std::string_view);
template Bytes encode<krb5::AsReq>(const krb5::AsReq&);
template Bytes encode<krb5::EncKdcRepPart>(const krb5::EncKdcRepPart&);

}  // namespace kb::der
