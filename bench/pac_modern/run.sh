#!/usr/bin/env bash
# Load time of ES2015+ PAC files (down-levelled by Bublé in Duktape) against the same PACs in ES5, in
# the same process: a ~10 KB corporate PAC and a ~100 KB gfwlist-style one (bench/README.md,
# "pac_modern"). Targets (issue 14): 10 KB ≤ 50 ms, 100 KB ≤ 300 ms.
#   bench/pac_modern/run.sh [BUILD_DIR]      ROUNDS (default 10)
set -euo pipefail
build="${1:-build}"
here="$(cd "$(dirname "$0")" && pwd)"
cmake --build "$build" --target pac_modern_load_bench >/dev/null
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
python3 "$here/gen_pac.py" "$dir"
bench="$(cd "$build" && pwd)/bench/pac_modern/pac_modern_load_bench"
# Each pair in a fresh process, so that "first load" includes what a process pays once.
(cd "$dir" && "$bench" "${ROUNDS:-10}" modern-10k.pac es5-10k.pac)
(cd "$dir" && "$bench" "${ROUNDS:-10}" modern-100k.pac es5-100k.pac)
