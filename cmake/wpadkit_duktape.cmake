# Builds Duktape from the source that Debian's duktape-dev ships, as a static library with our own
# duk_config.h. Debian's shared libduktape is built without DUK_USE_EXEC_TIMEOUT_CHECK, so it cannot
# interrupt a runaway PAC script; we need that hook (see proxycore/pac/).
set(WPADKIT_DUKTAPE_SOURCE_DIR "/usr/share/duktape" CACHE PATH "Directory holding duktape.c")
if(NOT EXISTS "${WPADKIT_DUKTAPE_SOURCE_DIR}/duktape.c"
   OR NOT EXISTS "${WPADKIT_DUKTAPE_SOURCE_DIR}/duk_config.h")
  wpadkit_missing("Duktape source (duktape.c, duk_config.h)" "duktape-dev")
endif()

set(_duk_out "${CMAKE_BINARY_DIR}/duktape")
set(_duk_overrides "${PROJECT_SOURCE_DIR}/cmake/duk_config_overrides.h")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             "${_duk_overrides}" "${WPADKIT_DUKTAPE_SOURCE_DIR}/duk_config.h"
             "${WPADKIT_DUKTAPE_SOURCE_DIR}/duktape.c")

# The shipped duk_config.h has one override point, a comment marked __OVERRIDE_DEFINES__, placed after
# the defaults and before the sanity checks: our defines go there.
file(READ "${WPADKIT_DUKTAPE_SOURCE_DIR}/duk_config.h" _duk_config)
file(READ "${_duk_overrides}" _duk_override_text)
string(FIND "${_duk_config}" "/* __OVERRIDE_DEFINES__ */" _duk_marker)
if(_duk_marker EQUAL -1)
  message(FATAL_ERROR "wpadkit: duk_config.h in ${WPADKIT_DUKTAPE_SOURCE_DIR} has no "
                      "__OVERRIDE_DEFINES__ marker; this Duktape version is not supported.")
endif()
string(REPLACE "/* __OVERRIDE_DEFINES__ */" "${_duk_override_text}" _duk_config "${_duk_config}")
# Written through a temporary so that an unchanged config does not rebuild Duktape.
file(WRITE "${_duk_out}/duk_config.h.tmp" "${_duk_config}")
configure_file("${_duk_out}/duk_config.h.tmp" "${_duk_out}/duk_config.h" COPYONLY)
# duktape.h includes "duk_config.h" from its own directory, so both live side by side in the build tree.
configure_file("${WPADKIT_DUKTAPE_SOURCE_DIR}/duktape.h" "${_duk_out}/duktape.h" COPYONLY)
# Duktape's compiler consults neither the exec-timeout check (the bytecode executor's alone) nor the
# native stack check, so nothing bounded a compile: 40,000 nested `(` compiled for 8.7 s despite the
# 5 s load limit. One line added at the compiler's recursion counter (every nesting level, `||` term
# and `else if` passes there) calls the native stack check, which consults the deadline of the heap
# active on this thread (cmake/duk_config_overrides.h, DUK_USE_NATIVE_STACK_CHECK): past it, the
# compile throws a RangeError that the PAC engine reports as a timeout.
set(_duk_reclimit_fn "DUK_LOCAL void duk__comp_recursion_increase(duk_compiler_ctx *comp_ctx) {\n")
file(READ "${WPADKIT_DUKTAPE_SOURCE_DIR}/duktape.c" _duk_source)
string(FIND "${_duk_source}" "${_duk_reclimit_fn}" _duk_reclimit_at)
if(_duk_reclimit_at EQUAL -1)
  message(FATAL_ERROR "wpadkit: duktape.c in ${WPADKIT_DUKTAPE_SOURCE_DIR} has no "
                      "duk__comp_recursion_increase(); this Duktape version is not supported.")
endif()
string(REPLACE "${_duk_reclimit_fn}"
               "${_duk_reclimit_fn}\tduk_native_stack_check(comp_ctx->thr); /* wpadkit: bounded compile */\n"
               _duk_source "${_duk_source}")
file(WRITE "${_duk_out}/duktape.c.tmp" "${_duk_source}")
configure_file("${_duk_out}/duktape.c.tmp" "${_duk_out}/duktape.c" COPYONLY)

add_library(wpadkit_duktape STATIC "${_duk_out}/duktape.c" "${PROJECT_SOURCE_DIR}/cmake/duk_exec_timeout.c")
target_include_directories(wpadkit_duktape SYSTEM PUBLIC "${_duk_out}")
# Duktape is third-party C: always optimised (the PAC engine's speed is Duktape's speed), never -Werror.
target_compile_options(wpadkit_duktape PRIVATE -O2 -w)
set_target_properties(wpadkit_duktape PROPERTIES POSITION_INDEPENDENT_CODE ON)
target_link_libraries(wpadkit_duktape PUBLIC m)
