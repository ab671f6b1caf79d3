#!/usr/bin/env bash
# Installs every Debian package the build, the tests and the demo need.
# Idempotent and quick when everything is present: apt runs only for what is missing.
set -euo pipefail
PKGS=(
  build-essential pkg-config make gcc clang
  libxml2-dev libyaml-dev libjansson-dev libmariadb-dev librdkafka-dev libpcre2-dev libzstd-dev
  libqpid-proton11-dev libmicrohttpd-dev libsystemd-dev libssl-dev
  libcriterion-dev libclang-rt-14-dev
  mariadb-server mariadb-client
  default-jdk-headless maven
  graphviz valgrind curl python3 python3-yaml socat openssl procps
  prometheus chromium
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
