#!/usr/bin/env bash
# Benchmark: resident memory of idle CONNECT tunnels. For each peer — `pactool proxy`, Squid (one
# worker) and tinyproxy — starts a fresh process, reads its RSS, opens N (default 1,000) CONNECT tunnels
# through it to a local listener that accepts and stays silent, waits until every tunnel has its 200,
# reads the RSS again, and prints the growth per tunnel. Target (the proxy issue): N = 1,000 tunnels add
# at most 12 MiB to our proxy; the issue's reference on fresh processes: tinyproxy 17.7 KiB and Squid
# 30 KiB per tunnel.
#
# RSS is VmRSS from /proc/PID/status, summed over the proxy's process tree: pactool proxy and
# tinyproxy 1.11 are one process each (threads share the RSS); Squid is the master (pid file) plus its
# kid `squid-1` (which holds the connections) and the kid's ICMP helper `pinger`; only the kid grows.
#
# Usage: bench/proxy_memory/run.sh [BUILD_DIR] [TUNNELS] [ROUNDS]
# Needs: root (apt-get for the peers, squid drops to `proxy`, ulimit -n raised). Traffic on 127.0.0.1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
build=${1:-$here/../../build}
n=${2:-1000}
rounds=${3:-2}
pactool=$build/pactool/pactool
[ -x "$pactool" ] || { echo "missing: $pactool (build it first)" >&2; exit 2; }

install_peers squid=squid tinyproxy=tinyproxy
# The proxies hold 2 sockets per tunnel: raise the soft limit to the hard one (no higher: containers
# may refuse even root) and check it is enough.
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge $((2 * n + 200)) ] ||
  { echo "ulimit -n $(ulimit -n) is too low for $n tunnels" >&2; exit 2; }

tmp=$(mktemp -d)
chmod 755 "$tmp"
pids=()
cleanup() {
  exec 7>&- 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$tmp/squid/pid" ] && kill "$(cat "$tmp/squid/pid")" 2>/dev/null || true
  sleep 0.5
  rm -rf "$tmp"
}
trap cleanup EXIT

descendants() { local p; for p in $(pgrep -P "$1"); do echo "$p"; descendants "$p"; done; }
rss_kib() {  # $1: root pid; sums VmRSS (kB) over the pid and its descendants
  local total=0 p v
  for p in "$1" $(descendants "$1"); do
    v=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}
wait_line() {  # $1 file, $2 regex, $3 seconds
  for _ in $(seq 1 $(($3 * 20))); do grep -Eq "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  return 1
}

write_bench_pac "$tmp/proxy.pac"

start_peer() {  # $1 peer; sets peer_pid, peer_port
  peer_port=$(free_port)
  case $1 in
    ours)
      # --connect-port any: the silent listener is on a random port (default allows 443/563 only).
      # The tunnel idle limit (600 s) and client head timeout (30 s) are far above the measurement.
      "$pactool" proxy --pac "$tmp/proxy.pac" --offline --listen "127.0.0.1:$peer_port" --connect-port any \
        > "$tmp/ours.out" 2> "$tmp/ours.err" &
      peer_pid=$!
      ;;
    squid)
      rm -rf "$tmp/squid"; mkdir -p "$tmp/squid"
      start_squid "$peer_port" "$tmp/squid" "max_filedescriptors $(( 2 * n + 200 > 16384 ? 2 * n + 200 : 16384 ))" "shutdown_lifetime 1 seconds"
      wait_line "$tmp/squid/pid" '[0-9]' 20 || { echo "squid did not write its pid" >&2; exit 1; }
      peer_pid=$(cat "$tmp/squid/pid")
      ;;
    tinyproxy)
      rm -rf "$tmp/tiny"; mkdir -p "$tmp/tiny"
      # No ConnectPort line = CONNECT to any port. MaxClients above N (one thread per connection).
      cat > "$tmp/tiny/tinyproxy.conf" <<TINY
User nobody
Group nogroup
Port $peer_port
Listen 127.0.0.1
Timeout 600
MaxClients $((n + 100))
LogFile "$tmp/tiny/tinyproxy.log"
LogLevel Warning
Allow 127.0.0.1
TINY
      chown -R nobody "$tmp/tiny"
      tinyproxy -d -c "$tmp/tiny/tinyproxy.conf" 2>"$tmp/tiny/stderr" &
      peer_pid=$!
      ;;
  esac
  pids+=("$peer_pid")
  wait_port "$peer_port" 400
}
stop_peer() {  # $1 peer
  case $1 in
    squid) kill "$(cat "$tmp/squid/pid")" 2>/dev/null || true
           for _ in $(seq 1 100); do kill -0 "$peer_pid" 2>/dev/null || break; sleep 0.1; done ;;
    *) kill "$peer_pid" 2>/dev/null || true; wait "$peer_pid" 2>/dev/null || true ;;
  esac
}

measure() {  # $1 peer, $2 round; appends "peer kib_per_tunnel" to $tmp/results
  local peer=$1 r=$2 before after closed_rss lport state
  start_peer "$peer"
  sleep 1
  before=$(rss_kib "$peer_pid")
  rm -f "$tmp/lport" "$tmp/listen.out" "$tmp/open.out" "$tmp/ctl"
  python3 "$here/tunnels.py" listen "$tmp/lport" > "$tmp/listen.out" &
  local lpid=$!; pids+=("$lpid")
  wait_line "$tmp/lport" '[0-9]' 10 || { echo "listener did not start" >&2; exit 1; }
  lport=$(cat "$tmp/lport")
  mkfifo "$tmp/ctl"
  python3 "$here/tunnels.py" open "$peer_port" "$lport" "$n" < "$tmp/ctl" > "$tmp/open.out" 2>&1 &
  local opid=$!; pids+=("$opid")
  exec 7> "$tmp/ctl"
  local t0=$SECONDS
  wait_line "$tmp/open.out" '^established' 300 || { echo "$peer: tunnels not established in 300 s" >&2; cat "$tmp/open.out" >&2; exit 1; }
  local took=$((SECONDS - t0))
  sleep 2  # let the proxy settle (freed handshake buffers, lazy allocations)
  after=$(rss_kib "$peer_pid")
  local held; held=$(tail -1 "$tmp/listen.out" 2>/dev/null || echo 0)
  echo check >&7
  wait_line "$tmp/open.out" '^open ' 60 || true
  state=$(grep -E '^(established|open )|failure' "$tmp/open.out" | tr '\n' ' ')
  echo close >&7
  exec 7>&-
  wait "$opid" 2>/dev/null || true
  sleep 2
  closed_rss=$(rss_kib "$peer_pid")
  local left; left=$(tail -1 "$tmp/listen.out" 2>/dev/null || echo 0)
  kill "$lpid" 2>/dev/null || true; wait "$lpid" 2>/dev/null || true
  local nprocs=$((1 + $(descendants "$peer_pid" | wc -l)))
  stop_peer "$peer"
  local est; est=$(sed -n 's/^established \([0-9]*\).*/\1/p' "$tmp/open.out")
  python3 - "$peer" "$r" "$before" "$after" "$closed_rss" "$n" "${est:-0}" "$held" "$took" "$nprocs" "$state" "$left" <<'PY' | tee -a "$tmp/report"
import sys
peer, r, before, after, closed, n, est, held, took, nprocs, state, left = sys.argv[1:]
before, after, closed, n, est = int(before), int(after), int(closed), int(n), int(est)
per = (after - before) / est if est else float("nan")
print(f"round {r} {peer:10s} processes {nprocs}  RSS fresh {before:7d} KiB  with {est} tunnels {after:7d} KiB"
      f"  (+{after - before} KiB = {per:.1f} KiB/tunnel)  after closing {closed:7d} KiB"
      f"  [listener held {held}, opened in {took} s; {state.strip()}; 2 s after the clients closed,"
      f" {left} upstream sides still open]")
PY
  echo "$peer $(python3 -c "print(($after - $before) / max(${est:-0}, 1))") ${est:-0}" >> "$tmp/results"
}

echo "idle CONNECT tunnels: $n per peer, fresh process each time, $rounds rounds in turns"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$rounds"); do
  for peer in ours squid tinyproxy; do measure "$peer" "$r"; done
done
if [ -s "$tmp/ours.err" ]; then echo "pactool proxy stderr (last run):"; sed 's/^/  /' "$tmp/ours.err" | tail -20; fi

python3 - "$n" "$tmp/results" <<'PY'
import statistics, sys
n = int(sys.argv[1])
per, short = {}, []
for line in open(sys.argv[2]):
    peer, kib, est = line.split()
    per.setdefault(peer, []).append(float(kib))
    if int(est) != n:
        short.append(f"{peer}: only {est} of {n} tunnels established")
ref = {"squid": 30.0, "tinyproxy": 17.7}
for peer in ("ours", "squid", "tinyproxy"):
    if peer in per:
        m = statistics.median(per[peer])
        extra = f"  (issue's reference {ref[peer]} KiB)" if peer in ref else ""
        print(f"median {peer:10s} {m:6.1f} KiB per tunnel{extra}")
if "ours" in per:
    m = statistics.median(per["ours"])
    total_mib = m * n / 1024
    print(f"ours, {n} tunnels: +{total_mib:.1f} MiB (target <= 12 MiB for 1000: "
          + ("meets" if m * 1000 / 1024 <= 12 else "MISSES") + ")")
    for peer in ("squid", "tinyproxy"):
        if peer in per:
            print(f"ours/{peer} per tunnel {m / statistics.median(per[peer]):.2f}")
for s in short:
    print("WARNING", s)
PY
