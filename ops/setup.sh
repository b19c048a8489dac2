#!/usr/bin/env bash
# Installs what ktstr-java needs on a fresh Debian/Ubuntu machine. Idempotent.
# Usage: ops/setup.sh [--with-browser] [--with-payloads]
set -euo pipefail

PKGS=(
  qemu-system-x86 qemu-utils busybox-static cpio
  build-essential flex bison bc libelf-dev libssl-dev dwarves kmod xz-utils zstd lz4 rsync
  clang-19 llvm-19 lld-19 libbpf-dev bpftool pkg-config libzstd-dev zlib1g-dev
  linux-source-6.12
  rt-tests stress-ng
  chromium
)
for a in "$@"; do
  case "$a" in
    --with-browser) ;; # chromium (HTML report tests) is in the default set now
    --with-payloads) ;; # payload tools are in the default set already
    *) echo "ops/setup.sh: unknown option '$a' (known: --with-browser)" >&2; exit 2 ;;
  esac
done

if [ ! -r /etc/os-release ] || ! grep -qiE '^(ID|ID_LIKE)=.*(debian|ubuntu)' /etc/os-release; then
  echo "ops/setup.sh: this script installs with apt on Debian/Ubuntu only." >&2
  echo "On another distribution install: ${PKGS[*]}" >&2
  echo "(names are Debian's; clang-19/llvm-19 may be 'clang'/'llvm' >= 17, linux-source-6.12 any sched_ext-capable kernel tree)" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "ops/setup.sh: needs root or sudo to install: ${PKGS[*]}" >&2; exit 1; fi
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "ops/setup.sh: all packages present"
else
  echo "ops/setup.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Java 17 + Maven are the build toolchain.
for t in java javac mvn; do
  command -v "$t" >/dev/null || { echo "ops/setup.sh: '$t' not found: install openjdk-17-jdk-headless and maven" >&2; exit 1; }
done
echo "ops/setup.sh: ok"
