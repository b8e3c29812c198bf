# Sign-in building blocks against real peers (docs/signin.md): the KDC client with MIT
# krb5kdc and our KDC, ccache writing read by MIT klist/kvno, DNS SRV from dnsmasq.
kb_add_test(kb_signin_kdc_test
  LABELS interop
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/signin_kdc_test.cc
  LIBS kb_client_signin kb_client_ccache kb_net_client kb_net kb_kdc kb_cloud kb_client_krb kb_formats
       kb_test_support PkgConfig::KRB5
  TIMEOUT 300)
kb_add_test(kb_signin_dns_test
  LABELS interop
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/signin_dns_test.cc
  LIBS kb_client_signin kb_net_client
  TIMEOUT 120)
