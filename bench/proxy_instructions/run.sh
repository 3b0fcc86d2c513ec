#!/usr/bin/env bash
# Benchmark: user-space instructions per proxied keep-alive request, counted by callgrind (valgrind),
# so that a change to the request path can be judged on a busy machine, where wall-clock and CPU-time
# figures swing more than the change. `pactool proxy --threads 1` runs under callgrind; a client sends
# 50 warm-up rounds, the counters are zeroed, then ROUNDS rounds of one GET per connection on 8
# keep-alive connections (100-byte file from a local nginx, decision cache on); the dump after them
# divided by the requests is the figure. Kernel time is not counted (see proxy_throughput for CPU
# time). With BASELINE_BUILD=DIR the pactool of that build is measured the same way and the ratio
# printed.
#
# Usage: bench/proxy_instructions/run.sh [BUILD_DIR] [ROUNDS]
# Needs: root (apt-get for missing peers: valgrind, nginx-light).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
build=${1:-$here/../../build}
rounds=${2:-250}
[ -x "$build/pactool/pactool" ] || { echo "missing: $build/pactool/pactool (build it first)" >&2; exit 2; }
install_peers valgrind=valgrind nginx=nginx-light
tmp=$(mktemp -d)
chmod 755 "$tmp"  # nginx workers (www-data) read the file
cleanup() {
  [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
  sleep 0.3
  [ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT

origin=$(free_port)
mkdir -p "$tmp/www"
head -c 100 /dev/zero | tr '\0' 'x' > "$tmp/www/small.txt"
start_nginx nginx "$tmp" "  server { listen 127.0.0.1:$origin; root $tmp/www; }"
wait_port "$origin"
write_bench_pac "$tmp/proxy.pac"
cat > "$tmp/client.py" <<'PY'
import socket, sys
port, origin, rounds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
req = (f"GET http://{origin}/small.txt HTTP/1.1\r\nHost: {origin}\r\n"
       "User-Agent: bench\r\nAccept: */*\r\n\r\n").encode()
socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(8)]
for _ in range(rounds):
    for s in socks:
        s.sendall(req)
    for s in socks:
        buf = b""
        while not buf.endswith(b"x" * 100):
            chunk = s.recv(65536)
            if not chunk:
                sys.exit("the proxy closed a connection")
            buf += chunk
PY

measure() {  # $1 pactool, $2 tag: prints instructions per request
  local port out pid f total
  port=$(free_port)
  out=$tmp/cg.$2
  valgrind --tool=callgrind --callgrind-out-file="$out" "$1" proxy --pac "$tmp/proxy.pac" --offline \
    --listen "127.0.0.1:$port" --threads 1 > "$tmp/$2.log" 2>&1 &
  pid=$!
  wait_port "$port" 400
  python3 "$tmp/client.py" "$port" "127.0.0.1:$origin" 50
  callgrind_control -z "$pid" > /dev/null
  python3 "$tmp/client.py" "$port" "127.0.0.1:$origin" "$rounds"
  callgrind_control -d "$pid" > /dev/null
  kill -INT "$pid"; wait "$pid" 2>/dev/null || true
  f=$(ls "$out".* | head -1)
  total=$(callgrind_annotate "$f" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}')
  echo $((total / (rounds * 8)))
}

ours=$(measure "$build/pactool/pactool" ours)
echo "ours       $ours instructions per request (user space, $((rounds * 8)) requests)"
if [ -n "${BASELINE_BUILD:-}" ]; then
  base=$(measure "$BASELINE_BUILD/pactool/pactool" base)
  echo "baseline   $base instructions per request ($BASELINE_BUILD)"
  python3 -c "print(f'ours/baseline {$ours / $base:.3f}')"
fi
