kb_add_fuzz(pac_parse SOURCE ${CMAKE_CURRENT_LIST_DIR}/pac/pac_parse_fuzz.cc LIBS kb_pac)
