kb_add_fuzz(prt_request SOURCE ${CMAKE_CURRENT_LIST_DIR}/cloud/prt_request_fuzz.cc LIBS kb_cloud)
kb_add_fuzz(prt_response SOURCE ${CMAKE_CURRENT_LIST_DIR}/cloud/prt_response_fuzz.cc LIBS kb_client_krb)
# The sign-in routes over a SQLite store. signin_test_kerberos_servers.cc is the test-only
# load_kerberos_server_key, needed only while service/kerberos_servers.cc is absent.
kb_add_fuzz(signin_routes SOURCE ${CMAKE_CURRENT_LIST_DIR}/cloud/signin_routes_fuzz.cc
  LIBS kb_cloud_service kb_store)
foreach(t fuzz_signin_routes fuzz_replay_signin_routes)
  if(TARGET ${t} AND NOT EXISTS ${PROJECT_SOURCE_DIR}/src/cloud/service/kerberos_servers.cc)
    target_sources(${t} PRIVATE
      ${PROJECT_SOURCE_DIR}/tests/unit/cloud/signin_test_kerberos_servers.cc)
  endif()
endforeach()
