kb_add_fuzz(json_parse SOURCE ${CMAKE_CURRENT_LIST_DIR}/base/json_parse_fuzz.cc LIBS kb_json)
kb_add_fuzz(base64_decode SOURCE ${CMAKE_CURRENT_LIST_DIR}/base/base64_decode_fuzz.cc LIBS kb_base)
kb_add_fuzz(http_form SOURCE ${CMAKE_CURRENT_LIST_DIR}/base/http_form_fuzz.cc LIBS kb_http)
