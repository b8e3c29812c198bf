# The simulated security key of the libfido2 adapter's tests (docs/fido2.md).
kb_add_fuzz(ctap_device SOURCE ${CMAKE_CURRENT_LIST_DIR}/fido2/ctap_device_fuzz.cc
  LIBS kb_test_ctap_device kb_test_support)
