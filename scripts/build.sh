#!/usr/bin/env bash
# Configures and builds wpadkit, warnings as errors (WPADKIT_WERROR=ON: the project's own builds).
# Usage: scripts/build.sh [--sanitize | --type TYPE] [BUILD_DIR] [-DOPTION=VALUE ...]
#   (default)     RelWithDebInfo in build/
#   --sanitize    AddressSanitizer + UBSan, Debug, in build-asan/
#   --type TYPE   CMAKE_BUILD_TYPE TYPE (Debug, Release, ...) in build-<type>/ (lower case)
# Further -D options go to cmake (CI builds Release and Debug with -DWPADKIT_BUILD_TESTS=OFF).
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=OFF
type=RelWithDebInfo
dir=build
if [ "${1:-}" = "--sanitize" ]; then
  sanitize=ON type=Debug dir=build-asan
  shift
elif [ "${1:-}" = "--type" ]; then
  type=${2:?--type needs a build type}
  dir=build-$(echo "$type" | tr '[:upper:]' '[:lower:]')
  shift 2
fi
if [ $# -gt 0 ] && [ "${1#-D}" = "$1" ]; then dir=$1; shift; fi

cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" -DWPADKIT_SANITIZE="$sanitize" -DWPADKIT_WERROR=ON "$@"
cmake --build "$dir" -j "$(nproc)"
