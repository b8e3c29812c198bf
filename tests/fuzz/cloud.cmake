kb_add_fuzz(prt_request SOURCE ${CMAKE_CURRENT_LIST_DIR}/cloud/prt_request_fuzz.cc LIBS kb_cloud)
kb_add_fuzz(prt_response SOURCE ${CMAKE_CURRENT_LIST_DIR}/cloud/prt_response_fuzz.cc LIBS kb_client_krb)
# The sign-in routes and the admin API over a SQLite store.
kb_add_fuzz(signin_routes SOURCE ${CMAKE_CURRENT_LIST_DIR}/cloud/signin_routes_fuzz.cc
  LIBS kb_cloud_service kb_store)
kb_add_fuzz(admin_request SOURCE ${CMAKE_CURRENT_LIST_DIR}/cloud/admin_request_fuzz.cc LIBS kb_cloud_service)
