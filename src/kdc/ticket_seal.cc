#include "kdc/ticket_seal.h"

namespace kb::kdc {
namespace {

krb5::EncTicketPart with_pac_first(const krb5::EncTicketPart& part, ByteView pac_bytes) {
  krb5::EncTicketPart out{part.flags,      part.key.clone(), part.crealm,    part.cname,
                          part.transited,  part.authtime,    part.starttime, part.endtime,
                          part.renew_till, part.caddr,       std::nullopt};
  krb5::AuthorizationData ad;
  ad.push_back(pac_authorization_data(pac_bytes));
  if (part.authorization_data) {
    for (const auto& e : *part.authorization_data) ad.push_back(e);
  }
  out.authorization_data = std::move(ad);
  return out;
}

}  // namespace

krb5::AuthorizationDataEntry pac_authorization_data(ByteView pac_bytes) {
  krb5::AuthorizationData inner;
  inner.push_back({krb5::ad_type::kWin2kPac, to_bytes(pac_bytes)});
  return {krb5::ad_type::kIfRelevant, der::encode(inner)};
}

Result<std::optional<Bytes>> find_pac(const krb5::EncTicketPart& part) {
  if (!part.authorization_data) return std::optional<Bytes>();
  for (const auto& e : *part.authorization_data) {
    if (e.ad_type != krb5::ad_type::kIfRelevant) continue;
    auto inner = KB_TRY_CTX(der::decode<krb5::AuthorizationData>(e.ad_data), "AD-IF-RELEVANT");
    for (auto& i : inner) {
      if (i.ad_type == krb5::ad_type::kWin2kPac) return std::optional<Bytes>(std::move(i.ad_data));
    }
  }
  return std::optional<Bytes>();
}

Result<Bytes> ticket_checksum_input(const krb5::EncTicketPart& part_without_pac) {
  static const std::uint8_t kDummyPac[] = {0x00};
  return der::encode(with_pac_first(part_without_pac, kDummyPac));
}

Result<krb5::Ticket> seal_ticket(SealRequest req, Rng& rng) {
  if (req.server_key == nullptr || (req.pac && req.kdc_key == nullptr)) {
    return Error(BaseErrc::kInvalidArgument,
                 "seal_ticket needs a server key (and a KDC key to sign a PAC)");
  }
  Bytes plain;
  if (req.pac) {
    // The PAC element goes first; while the ticket checksum is computed it holds the
    // one-byte dummy PAC (MS-PAC §2.8.2), then the signed PAC. The request is ours, so
    // its EncTicketPart is edited in place rather than copied.
    static const std::uint8_t kDummyPac[] = {0x00};
    auto& ad = req.part.authorization_data;
    if (!ad) ad.emplace();
    ad->insert(ad->begin(), pac_authorization_data(kDummyPac));
    std::optional<Bytes> cksum_input;
    if (req.service_ticket) cksum_input = der::encode(req.part);
    pac::SignKeys keys{*req.server_key, *req.kdc_key, req.rodc_identifier, std::nullopt};
    if (cksum_input) keys.ticket_checksum_input = ByteView(*cksum_input);
    Bytes pac_bytes = KB_TRY(pac::sign(std::move(*req.pac), keys));
    (*ad)[0] = pac_authorization_data(pac_bytes);
    plain = der::encode(req.part);
    if (cksum_input) secure_wipe(cksum_input->data(), cksum_input->size());  // session key
  } else {
    plain = der::encode(req.part);
  }
  Bytes cipher =
      KB_TRY(crypto::encrypt(*req.server_key, crypto::KeyUsage::kKdcRepTicket, plain, rng));
  secure_wipe(plain.data(), plain.size());  // it held the session key
  krb5::Ticket t;
  t.realm = std::move(req.realm);
  t.sname = std::move(req.sname);
  t.enc_part.etype = static_cast<krb5::Int32>(req.server_key->enctype());
  t.enc_part.kvno = req.server_kvno;
  t.enc_part.cipher = std::move(cipher);
  return t;
}

}  // namespace kb::kdc
