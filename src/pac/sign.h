// PAC signatures (MS-PAC 2.8, 2.8.1-2.8.5; protocol-digest C.3 and I).
//
// Generation order: ticket checksum (16) over the caller's EncTicketPart bytes -> full
// checksum (19) over the PAC with server/KDC/full zeroed -> server checksum (6) over the PAC
// with server/KDC zeroed -> KDC checksum (7) over the server signature bytes. "Zeroed"
// means everything after the 4-byte SignatureType, RODCIdentifier slot included. An RODC
// identifier goes on 7, 16 and 19, never on 6; on 16 it is written before step 19, on 19
// right after computing it, on 7 last.
#pragma once

#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/crypto.h"
#include "pac/pac.h"

namespace kb::pac {

struct SignKeys {
  // The key of the ticket's service (for a TGT, the krbtgt key again).
  const crypto::Key& server_key;
  // The (RODC or domain) krbtgt key.
  const crypto::Key& kdc_key;
  // Set when an RODC signs: its number (kvno >> 16).
  std::optional<std::uint16_t> rodc_identifier = std::nullopt;
  // Service tickets only: the DER EncTicketPart in which the PAC's AD-IF-RELEVANT element
  // holds an AD-WIN2K-PAC of the single byte 00. When present, TICKET_CHECKSUM and
  // FULL_CHECKSUM are added. The caller (src/krb5) produces these bytes.
  std::optional<ByteView> ticket_checksum_input = std::nullopt;
};

// Encodes the data buffers of `contents` (its signature fields are ignored) followed by
// freshly computed signature buffers, with checksum types chosen per key (16 for AES256,
// 15 for AES128, -138 for RC4, 19/20 for the SHA-2 enctypes).
// `contents` is taken by value: pass an rvalue to sign without copying the PAC.
Result<Bytes> sign(Pac contents, const SignKeys& keys);

struct VerifyKeys {
  const crypto::Key& server_key;
  // Null: only the server signature is checked (a service without the krbtgt key).
  const crypto::Key* kdc_key = nullptr;
  // If set, TICKET_CHECKSUM must be present and verify over these bytes (see SignKeys).
  std::optional<ByteView> ticket_checksum_input = std::nullopt;
  // If set, the KDC checksum (and ticket/full checksums when present) must carry exactly
  // this RODCIdentifier; if unset, an RODCIdentifier is accepted as it is.
  std::optional<std::uint16_t> expected_rodc_identifier = std::nullopt;
};

// Checks the server signature and, with a KDC key, the KDC, full (when present) and
// ticket (when ticket_checksum_input is given) signatures, over pac.raw. Errors:
// kMissingBuffer (no server/KDC signature, or no ticket checksum when one is asked for),
// kBadSignatureType (type does not match the key's enctype), kBadSignature (mismatch; the
// detail names the signature), kRodcIdentifierMismatch.
Result<void> verify(const ParsedPac& pac, const VerifyKeys& keys);

}  // namespace kb::pac
