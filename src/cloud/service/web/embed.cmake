# Included from src/cloud/CMakeLists.txt: writes ${CMAKE_CURRENT_BINARY_DIR}/web_assets.cc,
# the security-info page's HTML, script and style sheet as C++ raw strings (web_assets.h).
# Editing one of them re-runs CMake (CMAKE_CONFIGURE_DEPENDS).
set(KB_WEB_DIR ${CMAKE_CURRENT_LIST_DIR})
foreach(asset HTML:security-info.html JS:security-info.js CSS:security-info.css)
  string(REPLACE ":" ";" pair ${asset})
  list(GET pair 0 var)
  list(GET pair 1 file)
  file(READ ${KB_WEB_DIR}/${file} KB_WEB_${var})
  string(FIND "${KB_WEB_${var}}" ")kbweb\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${file} contains the raw string delimiter )kbweb\"")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${KB_WEB_DIR}/${file})
endforeach()
configure_file(${CMAKE_CURRENT_LIST_DIR}/web_assets.cc.in ${CMAKE_CURRENT_BINARY_DIR}/web_assets.cc @ONLY)
