#!/usr/bin/env bash
# Requests/s for GET /wpad.dat with keep-alive: pacserver against nginx serving the same bytes as a
# static file, in the same run, in turns (A B A B), each with the same wrk settings. Prints the ratio
# pacserver/nginx (target: at least 0.5). Usage: bench/pacserver_http/run.sh [BUILD_DIR]
# Needs: wrk, nginx-light (scripts/install-deps.sh), a built pacserver.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
pacserver="$build/pacserver/pacserver"
[ -x "$pacserver" ] || { echo "run.sh: $pacserver not built (scripts/build.sh)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "run.sh: wrk missing (apt-get install wrk)" >&2; exit 2; }
command -v nginx >/dev/null || { echo "run.sh: nginx missing (apt-get install nginx-light)" >&2; exit 2; }

threads=${WRK_THREADS:-2}
connections=${WRK_CONNECTIONS:-32}
duration=${WRK_DURATION:-5s}
rounds=${ROUNDS:-2}

dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

# pacserver on the corporate example, access log off (nginx's is off too), keep-alive unlimited.
ps_port=$(free_port)
sed -e 's/^access_log = .*/access_log = "off"/' -e 's/^keep_alive_requests = .*/keep_alive_requests = 100000000/' \
  examples/pacserver.toml > "$dir/pacserver.toml"
"$pacserver" --config "$dir/pacserver.toml" --listen "127.0.0.1:$ps_port" >"$dir/pacserver.out" 2>&1 &
pids+=($!)
wait_port "$ps_port"

# nginx serving the very bytes pacserver serves this client, with the same Content-Type.
mkdir -p "$dir/www"
chmod 755 "$dir"   # nginx workers run unprivileged and must read the file
curl -sf "http://127.0.0.1:$ps_port/wpad.dat" -o "$dir/www/wpad.dat"
ng_port=$(free_port)
cat >"$dir/nginx.conf" <<NGINX
worker_processes auto;
user root;
pid $dir/nginx.pid;
error_log $dir/nginx.err;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  types { application/x-ns-proxy-autoconfig dat; }
  client_body_temp_path $dir; proxy_temp_path $dir; fastcgi_temp_path $dir; uwsgi_temp_path $dir; scgi_temp_path $dir;
  server { listen 127.0.0.1:$ng_port; root $dir/www; etag on; }
}
NGINX
nginx -c "$dir/nginx.conf" -p "$dir"
wait_port "$ng_port"

rate() {  # prints requests/s of one wrk run against $1 (fails on any non-2xx or socket error)
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"$duration" "$1")
  if grep -qE "Non-2xx|Socket errors" <<<"$out"; then echo "run.sh: errors against $1:" >&2; echo "$out" >&2; exit 1; fi
  awk '/^Requests\/sec:/ {print $2}' <<<"$out"
}

echo "bench: GET /wpad.dat ($(stat -c %s "$dir/www/wpad.dat") bytes), wrk -t$threads -c$connections -d$duration, $rounds rounds"
ps_total=0; ng_total=0
for r in $(seq "$rounds"); do
  ps=$(rate "http://127.0.0.1:$ps_port/wpad.dat")
  ng=$(rate "http://127.0.0.1:$ng_port/wpad.dat")
  echo "round $r: pacserver $ps req/s, nginx $ng req/s"
  ps_total=$(echo "$ps_total + $ps" | bc -l); ng_total=$(echo "$ng_total + $ng" | bc -l)
done
ratio=$(echo "scale=2; $ps_total / $ng_total" | bc -l)
echo "pacserver/nginx ratio: $ratio (target >= 0.5)"
