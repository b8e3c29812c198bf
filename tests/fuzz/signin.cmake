# Sign-in building blocks (docs/signin.md): DNS SRV answers and the device state file.
kb_add_fuzz(dns_srv_response SOURCE ${CMAKE_CURRENT_LIST_DIR}/signin/dns_srv_response_fuzz.cc
  LIBS kb_net_client)
kb_add_fuzz(device_state SOURCE ${CMAKE_CURRENT_LIST_DIR}/signin/device_state_fuzz.cc
  LIBS kb_client_signin)
