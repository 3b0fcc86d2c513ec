#!/usr/bin/env bash
# Installs everything wpadkit needs to build, test and benchmark on Debian 12, as root.
# Idempotent: apt-get skips what is already installed. Every package is Debian's own.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps.sh: run as root (it calls apt-get install)" >&2
  exit 2
fi

build_deps=(
  cmake g++ ninja-build pkg-config
  duktape-dev libc-ares-dev libcpp-httplib-dev libcli11-dev catch2
  libboost1.81-dev libtomlplusplus-dev libkainjow-mustache-dev
  libssl-dev zlib1g-dev libbrotli-dev libpsl-dev publicsuffix libidn2-dev
  libcrypt-dev
  nodejs node-buble
)
# Real programs the integration tests drive (curl, browsers, proxies, DNS/DHCP servers).
test_deps=(
  python3 python3-pacparser curl ca-certificates openssl iproute2
  chromium squid microsocks dnsmasq nginx-light procps dante-server
  wrk bc
  apache2-utils stunnel4
)

missing=()
for p in "${build_deps[@]}" "${test_deps[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps.sh: all packages present"
  exit 0
fi
echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
# Debian starts some of the servers we only drive from tests; stop them so they do not hold ports.
for svc in squid nginx dnsmasq danted; do
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now "$svc" >/dev/null 2>&1 || true; fi
  pkill -x "$svc" >/dev/null 2>&1 || true
done
