# Decryption and checksum verification of arbitrary bytes under fixed keys of each enctype.
kb_add_fuzz(crypto_decrypt
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/crypto_decrypt_fuzz.cc
  LIBS kb_crypto)
