# The security-info page's user routes and its session token (docs/cloud-web.md).
kb_add_fuzz(web_routes SOURCE ${CMAKE_CURRENT_LIST_DIR}/cloud/web_routes_fuzz.cc
  LIBS kb_cloud_service kb_store)
