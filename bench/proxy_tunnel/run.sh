#!/usr/bin/env bash
# Benchmark: CONNECT tunnel throughput. A local nginx serves a 1 GiB file; curl downloads it directly
# and tunnelled through CONNECT (`curl -p -x`) via `pactool proxy` (routing by a PAC that says DIRECT),
# Squid (one worker, caching off) and tinyproxy, in turns (A B C D A B C D ...) in one run. Prints the
# median MB/s per peer and the ratio ours/direct against the issue's target (>= 0.80).
#
# Also prints the CPU time each proxy used per GiB (utime+stime from /proc/PID/stat over its process
# tree, Squid's kid included), which says whether a proxy is CPU-bound on this machine.
# BASELINE_BUILD=DIR adds a second `pactool proxy` from another build as peer "ours_base" (same run,
# same turns): the way to compare a change with its parent on a noisy machine.
#
# Usage: [BASELINE_BUILD=DIR] bench/proxy_tunnel/run.sh [BUILD_DIR] [ROUNDS] [SIZE_MIB]
# Needs: root (apt-get for the peers, squid drops to `proxy`). Traffic stays on 127.0.0.1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
build=${1:-$here/../../build}
rounds=${2:-5}
size_mib=${3:-1024}
pactool=$build/pactool/pactool
[ -x "$pactool" ] || { echo "missing: $pactool (build it first)" >&2; exit 2; }

install_peers nginx=nginx-light squid=squid tinyproxy=tinyproxy curl=curl

tmp=$(mktemp -d)
chmod 755 "$tmp"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$tmp/squid/pid" ] && kill "$(cat "$tmp/squid/pid")" 2>/dev/null || true
  [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
  sleep 0.5
  rm -rf "$tmp"
}
trap cleanup EXIT


origin=$(free_port); squidp=$(free_port); tinyp=$(free_port)
mkdir -p "$tmp/www" "$tmp/squid" "$tmp/tiny"
# A sparse file: nginx sends it with sendfile from zero pages, so the origin is not the bottleneck.
truncate -s "${size_mib}M" "$tmp/www/big"
bytes=$((size_mib * 1024 * 1024))

start_nginx nginx "$tmp" "  sendfile on;
  server { listen 127.0.0.1:$origin; root $tmp/www; }"

start_squid "$squidp" "$tmp/squid"

# tinyproxy: no ConnectPort line = CONNECT to any port; foreground (-d), logs to its own file.
cat > "$tmp/tiny/tinyproxy.conf" <<TINY
User nobody
Group nogroup
Port $tinyp
Listen 127.0.0.1
Timeout 600
MaxClients 100
LogFile "$tmp/tiny/tinyproxy.log"
LogLevel Warning
Allow 127.0.0.1
TINY
chown -R nobody "$tmp/tiny"
tinyproxy -d -c "$tmp/tiny/tinyproxy.conf" 2>"$tmp/tiny/stderr" &
pids+=($!)

write_bench_pac "$tmp/proxy.pac"
start_ours() {  # $1 pactool binary, $2 tag; sets started_pid, started_port
  "$1" proxy --pac "$tmp/proxy.pac" --offline --listen 127.0.0.1:0 --connect-port any \
    > "$tmp/$2.out" 2> "$tmp/$2.err" &
  started_pid=$!
  pids+=($!)
  for _ in $(seq 1 200); do grep -q listening "$tmp/$2.out" 2>/dev/null && break; sleep 0.05; done
  started_port=$(sed -n 's/^listening on [^ ]*:\([0-9]*\).*/\1/p' "$tmp/$2.out" | head -1)
  [ -n "$started_port" ] || { echo "pactool proxy ($1) did not start:" >&2; cat "$tmp/$2.err" >&2; exit 1; }
}
start_ours "$pactool" ours; ours=$started_port; ours_pid=$started_pid
peers=(direct ours squid tinyproxy)
if [ -n "${BASELINE_BUILD:-}" ]; then
  [ -x "$BASELINE_BUILD/pactool/pactool" ] || { echo "missing: $BASELINE_BUILD/pactool/pactool" >&2; exit 2; }
  start_ours "$BASELINE_BUILD/pactool/pactool" ours_base; ours_base=$started_port; ours_base_pid=$started_pid
  peers=(direct ours ours_base squid tinyproxy)
fi
wait_port "$origin"; wait_port "$squidp"; wait_port "$tinyp"; wait_port "$ours"
squid_pid=$(cat "$tmp/squid/pid")
tiny_pid=$(pgrep -P $$ -x tinyproxy | head -1 || true)
[ -n "$tiny_pid" ] || tiny_pid=${pids[0]}
descendants() { local p; for p in $(pgrep -P "$1"); do echo "$p"; descendants "$p"; done; }
cpu_ticks() {  # $1 root pid: utime+stime of it and its descendants, in clock ticks
  local total=0 p v
  for p in "$1" $(descendants "$1"); do
    v=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}
proxy_pid() {
  case $1 in
    ours) echo "$ours_pid" ;; ours_base) echo "$ours_base_pid" ;;
    squid) echo "$squid_pid" ;; tinyproxy) echo "$tiny_pid" ;; *) echo "" ;;
  esac
}

url="http://127.0.0.1:$origin/big"
fetch() {  # $1: peer; prints "MB/s" (decimal MB, 10^6 bytes) or "ERR ..." for a short/failed transfer
  local out rc=0
  case $1 in
    direct) out=$(curl -s -o /dev/null -w '%{size_download} %{speed_download} %{http_code}' "$url") || rc=$? ;;
    ours) out=$(curl -s -p -x "http://127.0.0.1:$ours" -o /dev/null -w '%{size_download} %{speed_download} %{http_code}' "$url") || rc=$? ;;
    squid) out=$(curl -s -p -x "http://127.0.0.1:$squidp" -o /dev/null -w '%{size_download} %{speed_download} %{http_code}' "$url") || rc=$? ;;
    tinyproxy) out=$(curl -s -p -x "http://127.0.0.1:$tinyp" -o /dev/null -w '%{size_download} %{speed_download} %{http_code}' "$url") || rc=$? ;;
    ours_base) out=$(curl -s -p -x "http://127.0.0.1:$ours_base" -o /dev/null -w '%{size_download} %{speed_download} %{http_code}' "$url") || rc=$? ;;
  esac
  set -- $out
  if [ "$rc" != 0 ] || [ "${1:-0}" != "$bytes" ] || [ "${3:-}" != 200 ]; then
    echo "ERR curl=$rc size=${1:-?} code=${3:-?}"
  else
    python3 -c "print(f'{$2 / 1e6:.1f}')"
  fi
}

echo "CONNECT tunnel throughput: ${size_mib} MiB from a local nginx, $rounds rounds in turns (${peers[*]})"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A samples cpu
hz=$(getconf CLK_TCK)
# One untimed warm-up per peer (page cache, first connection).
for peer in "${peers[@]}"; do fetch "$peer" >/dev/null; done
for r in $(seq 1 "$rounds"); do
  line="round $r:"
  for peer in "${peers[@]}"; do
    pp=$(proxy_pid "$peer"); c0=0
    [ -n "$pp" ] && c0=$(cpu_ticks "$pp")
    v=$(fetch "$peer")
    line+="  $peer $v"
    case $v in
      ERR*) echo "$peer: $v" >&2 ;;
      *) samples[$peer]+="$v "
         [ -n "$pp" ] && cpu[$peer]+="$(( $(cpu_ticks "$pp") - c0 )) " ;;
    esac
  done
  echo "$line"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -s "$tmp/ours.err" ]; then echo "pactool proxy stderr:"; sed 's/^/  /' "$tmp/ours.err" | tail -20; fi
kill -0 "$ours_pid" 2>/dev/null || echo "pactool proxy DIED during the run" >&2

python3 - "$hz" "$size_mib" "${samples[direct]:-}" "${samples[ours]:-}" "${samples[squid]:-}" "${samples[tinyproxy]:-}" \
  "${samples[ours_base]:-}" "${cpu[ours]:-}" "${cpu[squid]:-}" "${cpu[tinyproxy]:-}" "${cpu[ours_base]:-}" <<'PY'
import statistics, sys
hz, size_gib = float(sys.argv[1]), int(sys.argv[2]) / 1024
names = ["direct", "ours", "squid", "tinyproxy", "ours_base"]
med = {}
for name, text in zip(names, sys.argv[3:8]):
    if name == "ours_base" and not text:
        continue
    vals = [float(x) for x in text.split()]
    med[name] = statistics.median(vals) if vals else None
    shown = f"{med[name]:8.1f} MB/s" if vals else "   (no successful transfer)"
    print(f"median {name:10s}{shown}  ({len(vals)} transfers, min {min(vals) if vals else 0:.1f}, max {max(vals) if vals else 0:.1f})")
d = med["direct"]
if d:
    for name in ("ours", "squid", "tinyproxy"):
        if med[name]:
            print(f"{name}/direct{'':<{12 - len(name)}}{med[name] / d:.2f}" +
                  ("  (target >= 0.80: " + ("meets" if med[name] / d >= 0.80 else "MISSES") + ")" if name == "ours" else ""))
    if med["ours"] and med["squid"]:
        print(f"ours/squid         {med['ours'] / med['squid']:.2f}")
    if med["ours"] and med["tinyproxy"]:
        print(f"ours/tinyproxy     {med['ours'] / med['tinyproxy']:.2f}")
    if med.get("ours_base"):
        print(f"ours/ours_base     {med['ours'] / med['ours_base']:.2f}  (same run, BASELINE_BUILD)")
print("proxy CPU time per GiB moved (user+system, median over the rounds):")
for name, text in zip(["ours", "squid", "tinyproxy", "ours_base"], sys.argv[8:12]):
    ticks = [int(x) for x in text.split()]
    if ticks:
        print(f"  {name:10s} {statistics.median(ticks) / hz / size_gib:.2f} CPU-s per GiB")
PY
