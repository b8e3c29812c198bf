kb_add_fuzz(keytab_parse SOURCE ${CMAKE_CURRENT_LIST_DIR}/formats/keytab_parse_fuzz.cc LIBS kb_formats)
kb_add_fuzz(ccache_parse SOURCE ${CMAKE_CURRENT_LIST_DIR}/formats/ccache_parse_fuzz.cc LIBS kb_formats)
