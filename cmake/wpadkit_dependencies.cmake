# Finds every dependency. Each comes from a Debian 12 package; when one is missing, configuration
# stops with a message naming the package (scripts/install-deps.sh installs them all).
find_package(PkgConfig)

function(wpadkit_missing what package)
  message(FATAL_ERROR
    "wpadkit: ${what} not found. Install the Debian package '${package}' "
    "(apt-get install ${package}), or run scripts/install-deps.sh as root.")
endfunction()

if(NOT PkgConfig_FOUND)
  wpadkit_missing("pkg-config" "pkg-config")
endif()

find_package(Threads REQUIRED)

pkg_check_modules(CARES QUIET IMPORTED_TARGET libcares)
if(NOT CARES_FOUND)
  wpadkit_missing("c-ares" "libc-ares-dev")
endif()

pkg_check_modules(HTTPLIB QUIET IMPORTED_TARGET cpp-httplib)
if(NOT HTTPLIB_FOUND)
  wpadkit_missing("cpp-httplib" "libcpp-httplib-dev")
endif()

pkg_check_modules(PSL QUIET IMPORTED_TARGET libpsl)
if(NOT PSL_FOUND)
  wpadkit_missing("libpsl (Public Suffix List)" "libpsl-dev")
endif()

find_package(CLI11 CONFIG QUIET)
if(NOT CLI11_FOUND)
  wpadkit_missing("CLI11" "libcli11-dev")
endif()

find_package(tomlplusplus CONFIG QUIET)
if(NOT tomlplusplus_FOUND)
  wpadkit_missing("toml++" "libtomlplusplus-dev")
endif()

find_package(Boost 1.81 CONFIG QUIET)
if(NOT Boost_FOUND)
  wpadkit_missing("Boost 1.81 (Asio, Beast)" "libboost1.81-dev")
endif()

# Boost.URL (the one URL parser: proxycore/pac/pac_request.hpp) is a compiled library in Boost 1.81,
# which Debian ships apart (libboost-url1.81-dev). Its sources come with the headers of
# libboost1.81-dev, so it is built here once, from <boost/url/src.hpp>, and linked as wpadkit_boost_url:
# no extra package, and the same Boost version as the headers.
add_library(wpadkit_boost_url STATIC ${CMAKE_CURRENT_LIST_DIR}/boost_url.cpp)
target_link_libraries(wpadkit_boost_url PUBLIC Boost::headers)

find_package(OpenSSL QUIET)
if(NOT OpenSSL_FOUND)
  wpadkit_missing("OpenSSL" "libssl-dev")
endif()

# crypt(3) from libxcrypt verifies the proxy users' password hashes (bcrypt, SHA-crypt, yescrypt);
# crypt_checksalt needs libxcrypt 4.3 or later.
pkg_check_modules(LIBCRYPT QUIET IMPORTED_TARGET libcrypt>=4.3)
if(NOT LIBCRYPT_FOUND)
  wpadkit_missing("libcrypt (libxcrypt 4.3 or later)" "libcrypt-dev")
endif()

find_package(ZLIB QUIET)
if(NOT ZLIB_FOUND)
  wpadkit_missing("zlib" "zlib1g-dev")
endif()

find_path(KAINJOW_MUSTACHE_INCLUDE_DIR kainjow/mustache.hpp)
if(NOT KAINJOW_MUSTACHE_INCLUDE_DIR)
  wpadkit_missing("kainjow mustache" "libkainjow-mustache-dev")
endif()
add_library(wpadkit_mustache INTERFACE)
target_include_directories(wpadkit_mustache SYSTEM INTERFACE ${KAINJOW_MUSTACHE_INCLUDE_DIR})

if(WPADKIT_BUILD_TESTS)
  find_package(Catch2 2 CONFIG QUIET)
  if(NOT Catch2_FOUND)
    wpadkit_missing("Catch2 v2" "catch2")
  endif()
endif()
