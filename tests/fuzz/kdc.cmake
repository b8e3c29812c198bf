kb_add_fuzz(kdc_request SOURCE ${CMAKE_CURRENT_LIST_DIR}/kdc/kdc_request_fuzz.cc LIBS kb_kdc)
kb_add_fuzz(kdc_rodc_tgs SOURCE ${CMAKE_CURRENT_LIST_DIR}/kdc/kdc_rodc_tgs_fuzz.cc LIBS kb_kdc kb_cloud)
