# Helpers every CMakeLists in the tree uses, so warnings, sanitizers and labels are set in
# one place.

set(KB_WARNINGS -Wall -Wextra -Wshadow -Wconversion -Werror)
set(KB_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined
    -fno-omit-frame-pointer)
if(KB_FUZZ)
  set(KB_FUZZ_FLAGS -fsanitize=fuzzer-no-link,address,undefined)
endif()

function(kb_apply_flags target)
  target_compile_options(${target} PRIVATE ${KB_WARNINGS})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  if(KB_SANITIZE)
    target_compile_options(${target} PRIVATE ${KB_SANITIZER_FLAGS})
    target_link_options(${target} PUBLIC ${KB_SANITIZER_FLAGS})
  endif()
  if(KB_FUZZ)
    target_compile_options(${target} PRIVATE ${KB_FUZZ_FLAGS})
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  endif()
endfunction()

# kb_add_library(name src...) : a static library of our code.
function(kb_add_library name)
  add_library(${name} STATIC ${ARGN})
  kb_apply_flags(${name})
endfunction()

# kb_add_test(name LABELS l... SOURCES s... LIBS lib... [ARGS a...] [TIMEOUT s])
# A GoogleTest executable registered as one ctest test per executable with labels.
function(kb_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "LABELS;SOURCES;LIBS;ARGS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  kb_apply_flags(${name})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    KB_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    KB_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data")
  add_test(NAME ${name} COMMAND ${name} ${T_ARGS})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
endfunction()

# kb_add_fuzz(name SOURCE file LIBS lib...)
# The target file defines LLVMFuzzerTestOneInput. Under clang with KB_FUZZ=ON it links
# libFuzzer (`build-fuzz/tests/fuzz/fuzz_<name> corpus/`); in every other build it links a
# replay driver and runs tests/fuzz/corpus/<name>/* as an ordinary ctest test.
function(kb_add_fuzz name)
  cmake_parse_arguments(F "" "SOURCE" "LIBS" ${ARGN})
  set(corpus ${PROJECT_SOURCE_DIR}/tests/fuzz/corpus/${name})
  if(KB_FUZZ)
    add_executable(fuzz_${name} ${F_SOURCE})
    kb_apply_flags(fuzz_${name})
    target_link_libraries(fuzz_${name} PRIVATE ${F_LIBS})
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
  else()
    add_executable(fuzz_replay_${name} ${F_SOURCE} ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cc)
    kb_apply_flags(fuzz_replay_${name})
    target_link_libraries(fuzz_replay_${name} PRIVATE ${F_LIBS})
    add_test(NAME fuzz_replay_${name} COMMAND fuzz_replay_${name} ${corpus})
    set_tests_properties(fuzz_replay_${name} PROPERTIES LABELS "fuzz-replay" TIMEOUT 300)
  endif()
endfunction()
