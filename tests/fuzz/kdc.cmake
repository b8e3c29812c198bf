kb_add_fuzz(kdc_request SOURCE ${CMAKE_CURRENT_LIST_DIR}/kdc/kdc_request_fuzz.cc LIBS kb_kdc)
