#!/usr/bin/env bash
# Configures and builds wpadkit.  Usage: scripts/build.sh [--sanitize] [BUILD_DIR]
# BUILD_DIR defaults to build/ (build-asan/ with --sanitize).
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=OFF
if [ "${1:-}" = "--sanitize" ]; then sanitize=ON; shift; fi
dir=${1:-$([ "$sanitize" = ON ] && echo build-asan || echo build)}
type=$([ "$sanitize" = ON ] && echo Debug || echo RelWithDebInfo)

cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" -DWPADKIT_SANITIZE="$sanitize"
cmake --build "$dir" -j "$(nproc)"
