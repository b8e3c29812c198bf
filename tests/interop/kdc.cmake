# MIT kinit and klist against our KDC's AS exchange, over UDP and TCP on loopback.
kb_add_test(kb_kdc_kinit_test
  LABELS interop
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/kdc_kinit_test.cc
  LIBS kb_kdc kb_cloud kb_client_krb kb_net kb_formats kb_test_support PkgConfig::KRB5
  TIMEOUT 300)
