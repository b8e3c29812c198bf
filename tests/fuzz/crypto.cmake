# Decryption and checksum verification of arbitrary bytes under fixed keys of each enctype.
kb_add_fuzz(crypto_decrypt
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/crypto_decrypt_fuzz.cc
  LIBS kb_crypto)
# crypto::Certificate and CertificateCache on arbitrary bytes (a device's x5c[0]).
kb_add_fuzz(device_certificate SOURCE ${CMAKE_CURRENT_LIST_DIR}/crypto/device_certificate_fuzz.cc
  LIBS kb_crypto)
