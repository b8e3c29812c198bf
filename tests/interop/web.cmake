# The security-info page in Debian's headless Chromium with its virtual authenticator,
# driven through chromedriver (docs/cloud-web.md).
kb_add_test(kb_cloud_web_chromium_test
  LABELS interop
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/cloud_web_chromium_test.cc
  LIBS kb_cloud_service kb_https kb_store kb_test_support)
