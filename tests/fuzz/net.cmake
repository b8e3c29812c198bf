kb_add_fuzz(http_request SOURCE ${CMAKE_CURRENT_LIST_DIR}/net/http_request_fuzz.cc LIBS kb_https)
