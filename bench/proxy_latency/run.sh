#!/usr/bin/env bash
# Benchmark: latency a proxy adds under light load. One client, one keep-alive connection per peer,
# sequential requests for a 100-byte file from a local nginx origin: directly, through `pactool proxy`
# with the PAC decision cache on, with --no-decision-cache (evaluated on the I/O thread), with
# --no-decision-cache --no-inline-pac ("ours_pool": every call handed to the PAC threads), and through
# Squid (one worker, caching off). Two measures in one run:
#   1. interleaved (the headline): interleave.py sends one request at a time, rotating over the peers
#      request by request, so that all of them see the same moments of a busy machine; p50/p90/p99/p99.9
#      per peer and the added p50/p99 (proxy minus direct).
#   2. wrk -t1 -c1 --latency, one turn per peer in turns (A B C D A B C D ...); median over the rounds.
#      On a quiet machine the two agree; on a shared one the wrk p99s are dominated by whatever else
#      ran during each turn.
#
# BASELINE_BUILD=DIR adds a second `pactool proxy` (decision cache on) from another build as peer
# "ours_base", interleaved and in the same turns: the way to compare a change with its parent.
#
# Usage: [BASELINE_BUILD=DIR] bench/proxy_latency/run.sh [BUILD_DIR] [SECONDS_PER_TURN] [ROUNDS] [INTERLEAVED_COUNT]
# Needs: root (apt-get for the peers, squid drops to `proxy`). Traffic stays on 127.0.0.1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
build=${1:-$here/../../build}
secs=${2:-5}
rounds=${3:-3}
count=${4:-20000}
pactool=$build/pactool/pactool
[ -x "$pactool" ] || { echo "missing: $pactool (build it first)" >&2; exit 2; }

install_peers nginx=nginx-light squid=squid wrk=wrk

tmp=$(mktemp -d)
chmod 755 "$tmp"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # start_ours runs in $(...): its pids come back through files.
  for f in "$tmp"/ours.*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  [ -f "$tmp/squid/pid" ] && kill "$(cat "$tmp/squid/pid")" 2>/dev/null || true
  [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
  sleep 0.5
  rm -rf "$tmp"
}
trap cleanup EXIT


origin=$(free_port); squidp=$(free_port)
mkdir -p "$tmp/www" "$tmp/squid"
head -c 100 /dev/zero | tr '\0' 'x' > "$tmp/www/small.txt"
start_nginx nginx "$tmp" "  keepalive_timeout 120s;
  server { listen 127.0.0.1:$origin; root $tmp/www; }"
start_squid "$squidp" "$tmp/squid" "shutdown_lifetime 1 seconds"

# The PAC of proxy_throughput: a few rules, then DIRECT for the local origin.
write_bench_pac "$tmp/proxy.pac"
start_ours() {  # $1: extra flags, $2: tag, [$3: pactool binary]; prints the port
  "${3:-$pactool}" proxy --pac "$tmp/proxy.pac" --offline --listen 127.0.0.1:0 $1 > "$tmp/ours.$2" 2> "$tmp/ours.$2.err" &
  echo $! > "$tmp/ours.$2.pid"
  for _ in $(seq 1 200); do grep -q listening "$tmp/ours.$2" 2>/dev/null && break; sleep 0.05; done
  sed -n 's/^listening on [^ ]*:\([0-9]*\).*/\1/p' "$tmp/ours.$2" | head -1
}
ours=$(start_ours "" cached)
ours_nc=$(start_ours "--no-decision-cache" nocache)
ours_pool=$(start_ours "--no-decision-cache --no-inline-pac" pool)
[ -n "$ours" ] && [ -n "$ours_nc" ] && [ -n "$ours_pool" ] || { echo "pactool proxy did not start" >&2; cat "$tmp"/ours.*.err >&2; exit 1; }
base_peer=()
if [ -n "${BASELINE_BUILD:-}" ]; then
  [ -x "$BASELINE_BUILD/pactool/pactool" ] || { echo "missing: $BASELINE_BUILD/pactool/pactool" >&2; exit 2; }
  ours_base=$(start_ours "" base "$BASELINE_BUILD/pactool/pactool")
  [ -n "$ours_base" ] || { echo "baseline pactool proxy did not start" >&2; cat "$tmp"/ours.base.err >&2; exit 1; }
  wait_port "$ours_base"
  base_peer=("ours_base=$ours_base")
fi
wait_port "$origin"; wait_port "$squidp"; wait_port "$ours"; wait_port "$ours_nc"; wait_port "$ours_pool"
cat > "$tmp/fwd.lua" <<LUA
request = function() return wrk.format("GET", "http://127.0.0.1:$origin/small.txt", {Host = "127.0.0.1:$origin"}) end
LUA

# Runs one wrk turn; prints "p50_us p99_us req_per_s errors".
turn() {  # $1 url, $2 lua script or ""
  local out
  if [ -n "$2" ]; then out=$(wrk -t1 -c1 -d"${secs}s" --latency -s "$2" "$1"); else out=$(wrk -t1 -c1 -d"${secs}s" --latency "$1"); fi
  echo "$out" > "$tmp/last.wrk"
  echo "$out" | python3 -c '
import re, sys
text = sys.stdin.read()
unit = {"us": 1, "ms": 1e3, "s": 1e6}
def pct(p):
    m = re.search(r"^\s*" + p + r"%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    return float(m.group(1)) * unit[m.group(2)] if m else float("nan")
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
errs = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
errs += int(non2xx.group(1)) if non2xx else 0
p50, p99 = pct("50"), pct("99")
print(f"{p50:.1f} {p99:.1f} {float(rps.group(1)) if rps else 0:.0f} {errs}")
'
}

echo "interleaved: $count sequential requests per peer, one keep-alive connection each, rotating peers"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$here/interleave.py" "$origin" "$count" direct=0 "ours=$ours" "ours_nocache=$ours_nc" "ours_pool=$ours_pool" \
  "squid=$squidp" \
  "${base_peer[@]}" > "$tmp/interleaved"
python3 - "$tmp/interleaved" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    name, p50, p90, p99, p999, n, rec = line.split()
    rows[name] = (float(p50), float(p90), float(p99), float(p999))
    print(f"  {name:13s} p50 {rows[name][0]:7.1f} us  p90 {rows[name][1]:7.1f}  p99 {rows[name][2]:7.1f}"
          f"  p99.9 {rows[name][3]:8.1f} us  ({n} requests, {rec} reconnects)")
d = rows["direct"]
print("  added by the proxy (proxy minus direct, interleaved):")
for name in ("ours", "ours_nocache", "ours_pool", "squid", "ours_base"):
    if name not in rows:
        continue
    r = rows[name]
    print(f"  {name:13s} p50 +{r[0] - d[0]:6.1f} us  p99 +{r[2] - d[2]:7.1f} us")
for name in ("ours", "ours_nocache", "ours_pool"):
    a, q = rows[name][2] - d[2], rows["squid"][2] - d[2]
    if q > 0:
        print(f"  added p99 {name}/squid = {a / q:.2f}")
PY
echo

peers=(direct ours ours_nocache ours_pool squid)
[ -n "${BASELINE_BUILD:-}" ] && peers+=(ours_base)
echo "added latency: one client, one keep-alive connection, sequential GETs of 100 bytes (wrk -t1 -c1 --latency)"
echo "$rounds rounds of ${secs}s in turns (${peers[*]})"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
# Warm-up: open the upstream keep-alive connections and fill the decision cache.
for u in "$ours" "$ours_nc" "$ours_pool" "$squidp" ${ours_base:-}; do wrk -t1 -c1 -d1s -s "$tmp/fwd.lua" "http://127.0.0.1:$u" >/dev/null; done
: > "$tmp/results"
for r in $(seq 1 "$rounds"); do
  for peer in "${peers[@]}"; do
    case $peer in
      direct) v=$(turn "http://127.0.0.1:$origin/small.txt" "") ;;
      ours) v=$(turn "http://127.0.0.1:$ours" "$tmp/fwd.lua") ;;
      ours_nocache) v=$(turn "http://127.0.0.1:$ours_nc" "$tmp/fwd.lua") ;;
      ours_pool) v=$(turn "http://127.0.0.1:$ours_pool" "$tmp/fwd.lua") ;;
      squid) v=$(turn "http://127.0.0.1:$squidp" "$tmp/fwd.lua") ;;
      ours_base) v=$(turn "http://127.0.0.1:$ours_base" "$tmp/fwd.lua") ;;
    esac
    set -- $v
    printf 'round %d %-13s p50 %7.1f us  p99 %7.1f us  %6.0f req/s  errors %s\n' "$r" "$peer" "$1" "$2" "$3" "$4"
    echo "$peer $v" >> "$tmp/results"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for f in "$tmp"/ours.*.err; do [ -s "$f" ] && { echo "pactool proxy stderr ($f):"; tail -20 "$f" | sed 's/^/  /'; }; done

python3 - "$tmp/results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    peer, p50, p99, rps, errs = line.split()
    rows.setdefault(peer, []).append((float(p50), float(p99), float(rps), int(errs)))
med = {p: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v),
           statistics.median(r[2] for r in v), sum(r[3] for r in v)) for p, v in rows.items()}
print("wrk, median over rounds:")
for p in ("direct", "ours", "ours_nocache", "ours_pool", "squid", "ours_base"):
    if p in med:
        p50, p99, rps, errs = med[p]
        print(f"  {p:13s} p50 {p50:7.1f} us  p99 {p99:7.1f} us  {rps:6.0f} req/s  errors {errs}")
d50, d99 = med["direct"][0], med["direct"][1]
print("added by the proxy (proxy minus direct, wrk):")
for p in ("ours", "ours_nocache", "ours_pool", "squid", "ours_base"):
    if p in med:
        print(f"  {p:13s} p50 +{med[p][0] - d50:6.1f} us  p99 +{med[p][1] - d99:6.1f} us")
if "squid" in med:
    for p in ("ours", "ours_nocache", "ours_pool"):
        a, s = med[p][1] - d99, med["squid"][1] - d99
        if s > 0:
            print(f"  added p99 {p}/squid = {a / s:.2f}")
PY
