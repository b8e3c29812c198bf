# Captures a real MIT exchange (krb5kdc, kinit, kvno) through a recording proxy and checks
# that every message decodes and re-encodes byte-identically.
kb_add_test(kb_krb5_capture_test
  LABELS interop
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/krb5_capture_test.cc
  LIBS kb_krb5
  TIMEOUT 120)
# With src/crypto present, the test also decrypts the enc-parts and checks the checksum
# over the received KDC-REQ-BODY bytes.
if(TARGET kb_crypto)
  target_link_libraries(kb_krb5_capture_test PRIVATE kb_crypto)
  target_compile_definitions(kb_krb5_capture_test PRIVATE KB_HAVE_CRYPTO=1)
endif()
