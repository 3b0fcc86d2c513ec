#!/usr/bin/env bash
# Installs the dependencies, builds, and runs the main job on its embedded default configuration.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh
exec ./build/pacserver/pacserver "$@"
