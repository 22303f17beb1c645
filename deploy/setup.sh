#!/usr/bin/env bash
# Sets up a Debian 12 machine for Sirocco and builds it.
#
#   deploy/setup.sh            install missing packages, configure, build
#   deploy/setup.sh --deps     install missing packages only
#
# Idempotent: packages already installed are not touched, and a second run
# only rebuilds what changed. Needs root or sudo for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
    build-essential cmake pkg-config clang clang-format libclang-rt-14-dev
    libzmq3-dev libczmq-dev libmsgpack-dev liblmdb-dev lmdb-utils
    libyaml-dev libsodium-dev libjansson-dev libmicrohttpd-dev
    libcurl4-openssl-dev libcmocka-dev libraft-dev
    python3 python3-zmq python3-msgpack python3-yaml curl
    python3-mistralclient
)

missing=()
for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
            grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || {
            echo "setup: need root or sudo to install: ${missing[*]}" >&2
            exit 1
        }
        sudo="sudo"
    fi
    echo "setup: installing ${missing[*]}"
    $sudo apt-get update -q
    $sudo env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ "${1:-}" = "--deps" ]; then
    exit 0
fi

# The same settings as deploy/test.sh, so that the tests reuse this build.
cmake -S . -B build -DWERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
echo "setup: built into build/bin"
