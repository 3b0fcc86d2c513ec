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
# Warnings are errors in the project's own scripts and CI (scripts/build.sh passes WPADKIT_WERROR=ON),
# not by default: a packager's or user's build with another compiler or build type must not fail on a
# warning we have not seen (GCC's -O3 diagnostics change between releases).
function(wpadkit_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra $<$<BOOL:${WPADKIT_WERROR}>:-Werror>)
  # GCC 12 at -O3 (Release) reports -Wrestrict inside libstdc++ for `"literal" + std::string(...)`
  # (GCC bug 105651, fixed in GCC 13): a false positive in the library's code, not ours, that fires
  # in several of our files. Off for GCC 12's Release builds only (-O2 does not trigger it).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
     AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE $<$<CONFIG:Release>:-Wno-restrict>)
  endif()
endfunction()

# wpadkit_unit_test(<name> SOURCES ... LIBS ...): a Catch2 test binary registered with CTest under
# the label "unit"; each TEST_CASE becomes its own CTest test.
function(wpadkit_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  if(NOT WPADKIT_BUILD_TESTS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} wpadkit_catch_main)
  wpadkit_target_defaults(${name})
  catch_discover_tests(${name} TEST_PREFIX "${name}: " PROPERTIES LABELS unit
                       DISCOVERY_MODE PRE_TEST)
endfunction()
