#!/usr/bin/env bash
# Cold and warm initramfs build times (not a timed test; numbers depend on the machine).
#   cold = empty cache dir: jlink + CDS dump of the guest JRE, ELF closure, base archive written
#   warm = runtime and base cached: key computation (hashes busybox/includes/libs), copy of the base,
#          per-run suffix appended -- what every VM launch pays.
# Usage: bench/initramfs-build.sh [-i PATH]... [--jar JAR]... [--warm N]
#   KTSTR_BUILD_SUFFIX  maven build dir suffix (parallel builds), KTSTR_GUEST_JDK  JDK to jlink from.
#   With KTSTR_TEST_KERNEL=<dir with scx/scx_simple> the scheduler is included as in a real run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
suffix=${KTSTR_BUILD_SUFFIX:-}
cd "$root"
mvn -B -q -Dktstr.build.suffix="$suffix" -pl vmm -am -DskipTests test-compile
cpfile=$(mktemp)
cache=$(mktemp -d "${TMPDIR:-/tmp}/ktstr-initramfs-bench.XXXXXX")
trap 'rm -rf "$cache" "$cpfile"' EXIT
mvn -B -q -Dktstr.build.suffix="$suffix" -pl vmm -am dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$cpfile" >/dev/null
# -am runs build-classpath in every module; the vmm one is written last.
cp="vmm/target$suffix/classes:vmm/target$suffix/test-classes:$(cat "$cpfile")"
args=()
if [[ -n "${KTSTR_TEST_KERNEL:-}" && -f "${KTSTR_TEST_KERNEL%/vmlinux}/scx/scx_simple" ]]; then
    args+=(-i "${KTSTR_TEST_KERNEL%/vmlinux}/scx/scx_simple")
fi
echo "cache: $cache (removed on exit); host: $(nproc) cpus, $(uname -r)"
# JVM 1: cold (fills the cache). JVM 2: warm builds, the first of which is what a fresh `ktstr` process pays.
java -cp "$cp" dev.ktstr.vmm.initramfs.InitramfsBuildBench "$cache" "${args[@]}" --warm 1 "$@" | grep -v '^warm'
java -cp "$cp" dev.ktstr.vmm.initramfs.InitramfsBuildBench "$cache" --warm-only "${args[@]}" "$@"
