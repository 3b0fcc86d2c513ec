# The native PAC helpers (pure functions, no Duktape), built as their own library so that the engine
# (the rest of this folder) links them. Included from CMakeLists.txt in this folder.
add_library(proxycore_pac_natives STATIC ${CMAKE_CURRENT_LIST_DIR}/natives.cpp)
target_link_libraries(proxycore_pac_natives PUBLIC proxycore_base proxycore_dns proxycore_model)
wpadkit_target_defaults(proxycore_pac_natives)

wpadkit_unit_test(pac_natives_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/natives_test.cpp
                  LIBS proxycore_pac_natives)
