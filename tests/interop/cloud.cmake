# MIT krb5 accepts the partial TGT the cloud mints: klist and kvno -k on the ticket, and
# libkrb5's own PAC parser and verifier on its RODC-signed PAC.
kb_add_test(kb_partial_tgt_mit_test
  LABELS interop
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/partial_tgt_mit_test.cc
  LIBS kb_cloud kb_formats kb_test_support PkgConfig::KRB5)
