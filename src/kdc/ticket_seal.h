// Putting a PAC into a ticket and sealing it: shared by the KDC (TGTs, service tickets)
// and the cloud (partial TGTs).
//
// The PAC travels as the first element of the EncTicketPart's authorization-data: an
// AD-IF-RELEVANT whose content is one AD-WIN2K-PAC holding the PAC bytes (RFC 4120
// §7.5.4; MS-PAC §2; MIT puts it first, and so do we).
#pragma once

#include <cstdint>
#include <optional>

#include "base/clock.h"
#include "base/result.h"
#include "crypto/crypto.h"
#include "krb5/messages.h"
#include "pac/pac.h"
#include "pac/sign.h"

namespace kb::kdc {

// AD-IF-RELEVANT { AD-WIN2K-PAC { pac_bytes } }.
krb5::AuthorizationDataEntry pac_authorization_data(ByteView pac_bytes);

// The PAC bytes of a ticket: the AD-WIN2K-PAC inside the first AD-IF-RELEVANT that holds
// one. nullopt when the ticket has no PAC; an error when the authorization data that should
// contain it does not decode.
Result<std::optional<Bytes>> find_pac(const krb5::EncTicketPart& part);

struct SealRequest {
  krb5::Realm realm;  // Ticket.realm: the service's realm
  krb5::PrincipalName sname;
  // Everything but the PAC; any authorization-data in it follows the PAC.
  krb5::EncTicketPart part;
  // The PAC's data buffers (signature fields are ignored); nullopt = a ticket without PAC.
  std::optional<pac::Pac> pac;
  const crypto::Key* server_key = nullptr;  // encrypts the ticket; signs the server checksum
  std::uint32_t server_kvno = 0;            // written in EncryptedData.kvno
  const crypto::Key* kdc_key = nullptr;     // the (RODC or domain) krbtgt key
  std::optional<std::uint16_t> rodc_identifier;
  // Service tickets carry the ticket and full-PAC checksums (MS-PAC §2.8.2, §2.8.3); TGTs
  // do not (MIT k5_pac_should_have_ticket_signature).
  bool service_ticket = false;
};

// Signs the PAC, inserts it, encrypts the EncTicketPart under the server key with key
// usage 2, and returns the Ticket.
Result<krb5::Ticket> seal_ticket(SealRequest req, Rng& rng);

// The EncTicketPart encoding over which the ticket checksum is computed: the PAC element
// replaced by an AD-IF-RELEVANT holding an AD-WIN2K-PAC of the single byte 00
// (MS-PAC §2.8.2; MIT krb5_kdc_sign_ticket).
Result<Bytes> ticket_checksum_input(const krb5::EncTicketPart& part_without_pac);

}  // namespace kb::kdc
