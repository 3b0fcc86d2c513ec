# Compiler settings shared by every wpadkit target.

# Sanitizers apply to everything (Duktape included) so that a report in any frame fails the run.
if(WPADKIT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
  # GCC 12's -Wmaybe-uninitialized reports false positives in instrumented code (std::function in
  # Catch2's std::regex, variant2 inside boost::system::result); GCC's manual warns of this.
  add_compile_options(-Wno-maybe-uninitialized)
endif()

# wpadkit_target_defaults(<target>): our warning policy. Third-party sources (Duktape) do not use it.
function(wpadkit_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
endfunction()

# wpadkit_unit_test(<name> SOURCES ... LIBS ...): a Catch2 test binary registered with CTest under
# the label "unit"; each TEST_CASE becomes its own CTest test.
function(wpadkit_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  if(NOT WPADKIT_BUILD_TESTS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES} ${PROJECT_SOURCE_DIR}/tests/support/catch_main.cpp)
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} Catch2::Catch2)
  wpadkit_target_defaults(${name})
  catch_discover_tests(${name} TEST_PREFIX "${name}: " PROPERTIES LABELS unit
                       DISCOVERY_MODE PRE_TEST)
endfunction()
