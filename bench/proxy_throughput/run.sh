#!/usr/bin/env bash
# Benchmark: small keep-alive responses through `pactool proxy` (PAC evaluated per request: with the
# decision cache, without it (evaluated on the I/O thread, inline_pac.hpp), and without either (every
# call handed to the PAC threads: the path before inline evaluation)) against Squid (one worker, caching off) and nginx as a reverse proxy, all
# to the same local nginx origin, measured with wrk in turns (A B C A B C ...) in one run. Prints
# requests/s per peer and the ratios the issue asks for (>= 3x Squid, >= 0.8x nginx reverse proxy).
#
# It also prints each proxy's CPU time per request (user + system, its whole process tree, read from
# /proc over each turn). On a machine where wrk, the origin and the proxies share few cores, the
# throughput ratios are capped by the CPU the others leave (bench/README.md); CPU per request is what
# decides throughput once the proxy has cores of its own, so its ratio is printed beside them.
#
# Our proxy runs with one I/O thread, as each peer has one worker (OURS_FLAGS overrides its flags).
# wrk runs WRK_THREADS threads (default 2) with 64 connections; a "direct" turn (wrk straight to the
# origin) shows what the client and origin manage without a proxy, which must exceed every proxy's
# rate for the turns to measure the proxies.
# Usage: [OURS_FLAGS=...] [WRK_THREADS=N] bench/proxy_throughput/run.sh [BUILD_DIR] [SECONDS_PER_TURN] [ROUNDS]
# Needs: root (apt-get for missing peers: wrk, nginx-light, squid; squid drops to `proxy`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
build=${1:-$here/../../build}
secs=${2:-5}
rounds=${3:-2}
pactool=$build/pactool/pactool
[ -x "$pactool" ] || { echo "missing: $pactool (build it first)" >&2; exit 2; }
install_peers wrk=wrk nginx=nginx-light squid=squid
tmp=$(mktemp -d)
chmod 755 "$tmp"  # nginx workers run unprivileged and must read the file (else every answer is a 403)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$tmp/squid/pid" ] && kill "$(cat "$tmp/squid/pid")" 2>/dev/null || true
  [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
  [ -f "$tmp/rp.pid" ] && kill "$(cat "$tmp/rp.pid")" 2>/dev/null || true
  sleep 0.5
  rm -rf "$tmp"
}
trap cleanup EXIT


origin=$(free_port); rproxy=$(free_port); squidp=$(free_port)
mkdir -p "$tmp/www" "$tmp/squid"
head -c 100 /dev/zero | tr '\0' 'x' > "$tmp/www/small.txt"
# The origin and the reverse proxy are separate nginx processes, so that each one's CPU is its own.
start_nginx nginx "$tmp" "  server { listen 127.0.0.1:$origin; root $tmp/www; }"
start_nginx rp "$tmp" "  upstream origin { server 127.0.0.1:$origin; keepalive 64; }
  server { listen 127.0.0.1:$rproxy;
    location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }"
start_squid "$squidp" "$tmp/squid"

write_bench_pac "$tmp/proxy.pac"
start_ours() {  # $1: extra flags, $2: name; sets $port (not in a subshell: the pid must reach cleanup)
  "$pactool" proxy --pac "$tmp/proxy.pac" --offline --listen 127.0.0.1:0 $1 > "$tmp/ours.$2" 2>/dev/null &
  pids+=($!)
  for _ in $(seq 1 200); do grep -q listening "$tmp/ours.$2" 2>/dev/null && break; sleep 0.05; done
  port=$(sed -n 's/^listening on .*:\([0-9]*\) .*/\1/p' "$tmp/ours.$2")
}
# One I/O thread, as every peer here has one worker (Squid `workers 1`, nginx `worker_processes 1`):
# the comparison is per worker. OURS_FLAGS overrides it (e.g. OURS_FLAGS= for one thread per core).
OURS_FLAGS=${OURS_FLAGS---threads 1}
start_ours "${OURS_FLAGS}" cached; ours=$port; ours_pid=${pids[-1]}
start_ours "${OURS_FLAGS} --no-decision-cache" nocache; ours_nc=$port; ours_nc_pid=${pids[-1]}
start_ours "${OURS_FLAGS} --no-decision-cache --no-inline-pac" pool; ours_pool=$port; ours_pool_pid=${pids[-1]}
wait_port "$origin"; wait_port "$rproxy"; wait_port "$squidp"
cat > "$tmp/fwd.lua" <<LUA
request = function() return wrk.format("GET", "http://127.0.0.1:$origin/small.txt", {Host = "127.0.0.1:$origin"}) end
LUA

# Every peer must answer the 100-byte file itself, or the turns would measure error pages.
for url in "http://127.0.0.1:$ours" "http://127.0.0.1:$ours_nc" "http://127.0.0.1:$ours_pool" "http://127.0.0.1:$squidp"; do
  got=$(curl -s -x "$url" -w ' %{http_code}' "http://127.0.0.1:$origin/small.txt")
  [ "$got" = "$(head -c 100 /dev/zero | tr '\0' 'x') 200" ] || { echo "proxy $url answered: $got" >&2; exit 1; }
done
got=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$rproxy/small.txt")
[ "${got##* }" = 200 ] || { echo "nginx reverse proxy answered: $got" >&2; exit 1; }
hz=$(getconf CLK_TCK)
wrk_threads=${WRK_THREADS:-2}
echo "wrk: $wrk_threads threads, 64 connections, ${secs}s turns; machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
# $1 url, $2 script or "", then the pids whose CPU is the proxy's. Prints "req/s requests cpu_ticks".
rate() {
  local url=$1 script=$2 out before after
  shift 2
  before=$(cpu_ticks "$@")
  if [ -n "$script" ]; then out=$(wrk -t"$wrk_threads" -c64 -d"${secs}s" -s "$script" "$url")
  else out=$(wrk -t"$wrk_threads" -c64 -d"${secs}s" "$url"); fi
  after=$(cpu_ticks "$@")
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '/requests in/ {print $1}') $((after - before))"
}
declare -A total reqs ticks
for r in $(seq 1 "$rounds"); do
  for peer in direct ours ours_nocache ours_pool squid nginx_rp; do
    case $peer in
      direct) v=$(rate "http://127.0.0.1:$origin/small.txt" "" "$(cat "$tmp/nginx.pid")") ;;
      ours) v=$(rate "http://127.0.0.1:$ours" "$tmp/fwd.lua" "$ours_pid") ;;
      ours_nocache) v=$(rate "http://127.0.0.1:$ours_nc" "$tmp/fwd.lua" "$ours_nc_pid") ;;
      ours_pool) v=$(rate "http://127.0.0.1:$ours_pool" "$tmp/fwd.lua" "$ours_pool_pid") ;;
      squid) v=$(rate "http://127.0.0.1:$squidp" "$tmp/fwd.lua" "$(cat "$tmp/squid/pid")") ;;
      nginx_rp) v=$(rate "http://127.0.0.1:$rproxy/small.txt" "" "$(cat "$tmp/rp.pid")") ;;
    esac
    read -r rps n t <<< "$v"
    echo "round $r $peer ${rps:-0} req/s, $(python3 -c "print(f'{${t:-0} / $hz * 1e6 / max(${n:-1}, 1):.1f}')") us CPU per request"
    total[$peer]=$(python3 -c "print(${total[$peer]:-0} + ${rps:-0})")
    reqs[$peer]=$(( ${reqs[$peer]:-0} + ${n:-0} ))
    ticks[$peer]=$(( ${ticks[$peer]:-0} + ${t:-0} ))
  done
done
python3 - "$hz" "${total[direct]}" "${total[ours]}" "${total[ours_nocache]}" "${total[ours_pool]}" "${total[squid]}" \
  "${total[nginx_rp]}" "${reqs[ours]}" "${ticks[ours]}" "${reqs[ours_nocache]}" "${ticks[ours_nocache]}" \
  "${reqs[ours_pool]}" "${ticks[ours_pool]}" "${reqs[squid]}" "${ticks[squid]}" \
  "${reqs[nginx_rp]}" "${ticks[nginx_rp]}" <<'PY'
import sys
hz = float(sys.argv[1])
direct, ours, nocache, pool, squid, nginx = (float(x) for x in sys.argv[2:8])
n = [float(x) for x in sys.argv[8:]]
us = [n[i + 1] / hz * 1e6 / max(n[i], 1) for i in range(0, 10, 2)]  # CPU us per request
print("throughput (shared cores):")
print(f"  direct (no proxy)     {direct / max(1, ours):.2f}x ours  (the client and origin alone)")
print(f"  ours/squid            {ours / squid:.2f}  (target >= 3)")
print(f"  ours/nginx-reverse    {ours / nginx:.2f}  (target >= 0.8)")
print(f"  no-cache/squid        {nocache / squid:.2f}  (no-cache: evaluated on the I/O thread)")
print(f"  no-cache/cache        {nocache / ours:.2f}")
print(f"  pool-only/no-cache    {pool / nocache:.2f}  (every call on the PAC threads)")
print("CPU per request (us): ours %.1f, no cache %.1f, pool only %.1f, squid %.1f, nginx reverse proxy %.1f"
      % tuple(us))
print(f"  squid/ours            {us[3] / us[0]:.2f}  (requests per CPU-second, ours over squid's)")
print(f"  squid/no-cache        {us[3] / us[1]:.2f}")
print(f"  nginx-reverse/ours    {us[4] / us[0]:.2f}")
PY
