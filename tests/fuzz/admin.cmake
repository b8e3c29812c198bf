# What the admin tool reads from the cloud's admin API (src/admin/cloud_admin_client.h).
kb_add_fuzz(cloud_admin_response SOURCE ${CMAKE_CURRENT_LIST_DIR}/admin/cloud_admin_response_fuzz.cc
  LIBS kb_admin)
