# MIT klist reads the keytabs and credential caches we write.
kb_add_test(kb_formats_klist_test
  LABELS interop
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/formats_klist_test.cc
  LIBS kb_formats kb_test_support)
