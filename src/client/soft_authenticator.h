// A software FIDO2 authenticator for tests, the demo and the CLI (`soft:PATH`).
//
// State lives in PATH (JSON, mode 0600): AAGUID, optional PIN verifier and retry counter, and
// one record per credential {id, rp id, user, alg, wrapped private key, signCount,
// discoverable}. Private keys are PKCS#8 wrapped with AES-256-GCM under a MasterKey kept in
// PATH.mk (0600, created with the state), the credential id as associated data. Every change
// is written to a temporary file, fsynced and renamed over PATH. See docs/webauthn.md.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

#include "base/clock.h"
#include "client/authenticator.h"
#include "crypto/attestation_cert.h"
#include "crypto/cose_key.h"
#include "webauthn/auth_data.h"

namespace kb::client {

enum class SoftAttestation {
  kNone,        // fmt "none"
  kPackedSelf,  // fmt "packed", signed by the credential key
  kPackedX5c,   // fmt "packed" with a certificate issued by the configured CA
  kFidoU2f,     // fmt "fido-u2f" with a certificate issued by the configured CA (ES256 only)
};

class SoftAuthenticator final : public Authenticator {
 public:
  // Creates a new state (refusing to overwrite one). With a PIN, UV is available.
  static Result<SoftAuthenticator> create(const std::filesystem::path& path, Rng& rng,
                                          const SecretString* pin = nullptr);
  static Result<SoftAuthenticator> open(const std::filesystem::path& path, Rng& rng);
  // "soft:PATH" -> PATH; anything else is kBadRequest.
  static Result<std::filesystem::path> parse_spec(std::string_view spec);

  ~SoftAuthenticator() override;
  SoftAuthenticator(SoftAuthenticator&&) noexcept;
  SoftAuthenticator& operator=(SoftAuthenticator&&) noexcept;

  // Attestation used by make_credential when the RP asks for it (conveyance != none);
  // otherwise "none" is returned, as a privacy-preserving client would. Default: kPackedSelf.
  // For kPackedX5c / kFidoU2f an attestation key is generated and a certificate issued by
  // `ca_key`/`ca_cert` (valid from `now` for a year); it lives in memory only.
  Result<void> set_attestation(SoftAttestation mode, const crypto::cose::PrivateKey* ca_key,
                               const crypto::attest::Certificate* ca_cert, SysTime now);
  // Sets the BE/BS flags on new credentials and assertions (a "synced" authenticator).
  void set_backup(bool eligible, bool state);
  // Whether the authenticator has the hmac-secret extension (default yes). Without it, like
  // a key whose getInfo lacks the extension, requests for it are ignored (CTAP 2.1 12.5).
  void set_hmac_secret_supported(bool supported);
  // CTAP 2.1 12.5: how the output is encrypted for authData, i.e. the PIN/UV protocol's
  // encrypt(sharedSecret, output) of the platform/authenticator channel. Unset (the
  // default, an in-process platform): protocol-two shape under a fresh random key, so the RP
  // never sees the clear output. A CTAP front end (the simulated key in tests/support) sets
  // the shared secret of the request's key agreement.
  using HmacSecretEncrypt = std::function<Result<Bytes>(ByteView output)>;
  void set_hmac_secret_encrypt(HmacSecretEncrypt encrypt);
  [[nodiscard]] const webauthn::Aaguid& aaguid() const;
  [[nodiscard]] std::size_t credential_count() const;

  Result<MakeCredentialResponse> make_credential(const MakeCredentialRequest& req) override;
  Result<GetAssertionResponse> get_assertion(const GetAssertionRequest& req) override;

  struct State;

 private:
  explicit SoftAuthenticator(std::unique_ptr<State> s);
  Result<Bytes> attestation_statement(SoftAttestation mode, crypto::cose::Alg alg,
                                      const crypto::cose::PrivateKey& key,
                                      const crypto::cose::PublicKey& pub, ByteView client_data_hash,
                                      ByteView credential_id, ByteView auth_data) const;
  std::unique_ptr<State> s_;
};

}  // namespace kb::client
