# JOSE entry points that see peer input: compact JWS (requests, tokens), compact JWE
# (session_key_jwe, derived-key responses) and JWT claims.
kb_add_fuzz(jws_verify SOURCE ${CMAKE_CURRENT_LIST_DIR}/jose/jws_verify_fuzz.cc LIBS kb_jose)
kb_add_fuzz(jwe_decrypt SOURCE ${CMAKE_CURRENT_LIST_DIR}/jose/jwe_decrypt_fuzz.cc LIBS kb_jose)
kb_add_fuzz(jwt_claims SOURCE ${CMAKE_CURRENT_LIST_DIR}/jose/jwt_claims_fuzz.cc LIBS kb_jose)
