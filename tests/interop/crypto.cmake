# Differential test: our crypto against MIT libkrb5's public API on random inputs.
kb_add_test(kb_crypto_mit_diff_test
  LABELS interop
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/crypto_mit_diff_test.cc
  LIBS kb_crypto kb_test_support PkgConfig::KRB5)
