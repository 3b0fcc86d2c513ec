# Shared by the bench scripts (source it): free ports, waiting for a listener, and Squid configured the
# way every benchmark runs it (one worker, no cache, no access log, loopback clients only).

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# $1 port; $2 tries of 50 ms (default 200). Exits the script when the port never opens.
wait_port() {
  for _ in $(seq 1 "${2:-200}"); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done
  echo "port $1 never opened" >&2
  exit 1
}

# Starts nginx the way the proxy benchmarks run it: one worker, no access log, keep-alive without a
# request limit. $1 name (DIR/NAME.conf, .pid, .err), $2 directory, $3 what goes inside http { }
# (the server blocks, plus any directive a benchmark needs). The directory must be readable by the
# unprivileged nginx worker where a server block serves files from it.
start_nginx() {
  local name=$1 dir=$2
  cat > "$dir/$name.conf" <<NGINX
worker_processes 1;
pid $dir/$name.pid;
error_log $dir/$name.err;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
$3
}
NGINX
  nginx -c "$dir/$name.conf" -p "$dir"
}

# $1 port, $2 directory (created; holds config, pid, cache.log), then extra squid.conf lines.
start_squid() {
  local port=$1 dir=$2
  shift 2
  mkdir -p "$dir"
  {
    echo "http_port 127.0.0.1:$port"
    echo "pid_filename $dir/pid"
    echo "cache deny all"
    echo "access_log none"
    echo "cache_log $dir/cache.log"
    echo "coredump_dir $dir"
    echo "http_access allow localhost"
    echo "http_access deny all"
    echo "visible_hostname bench-squid"
    echo "workers 1"
    for line in "$@"; do echo "$line"; done
  } > "$dir/squid.conf"
  chown -R proxy "$dir"
  squid -f "$dir/squid.conf"
}

# Installs (apt-get, as root) the peers a benchmark compares against, when missing. Arguments are
# COMMAND=PACKAGE pairs, e.g. `install_peers nginx=nginx-light squid=squid wrk=wrk`.
install_peers() {
  local need=() pair
  for pair in "$@"; do
    command -v "${pair%%=*}" >/dev/null 2>&1 || need+=("${pair#*=}")
  done
  [ ${#need[@]} -eq 0 ] && return 0
  echo "installing peers: ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >/dev/null
}

# CPU time (user + system, in clock ticks) used so far by the processes $@ and all their descendants
# (threads are counted in their process). Benchmarks take the difference over a turn to report the
# proxy's CPU per request, which does not depend on how many cores the machine leaves it.
cpu_ticks() {
  local total=0 pid kids stat
  local todo=("$@")
  while [ ${#todo[@]} -gt 0 ]; do
    pid=${todo[0]}
    todo=("${todo[@]:1}")
    if stat=$(cut -d' ' -f14,15 "/proc/$pid/stat" 2>/dev/null); then
      total=$((total + ${stat% *} + ${stat#* }))
    fi
    kids=$(cat /proc/"$pid"/task/*/children 2>/dev/null || true)
    for k in $kids; do todo+=("$k"); done
  done
  echo "$total"
}

# $1 file: the PAC every proxy benchmark gives our proxy. It runs a few helpers per request (so the
# PAC is really evaluated) and ends in DIRECT for the local origins: plain HTTP to 127.0.0.1 by URL,
# CONNECT to 127.0.0.1 by host.
write_bench_pac() {
  cat > "$1" <<'PAC'
function FindProxyForURL(url, host) {
  if (isPlainHostName(host) || dnsDomainIs(host, ".corp.example")) return "DIRECT";
  if (shExpMatch(url, "http://127.0.0.1:*") || host == "127.0.0.1") return "DIRECT";
  return "PROXY 192.0.2.1:3128; DIRECT";
}
PAC
}
