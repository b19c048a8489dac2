#!/bin/sh
# Boot-overhead benchmark: bare QEMU (same kernel, busybox-only initramfs, init = poweroff) against
# `ktstr shell --exec true`, median of N runs each, and their ratio. Both use 1 vCPU and 256 MB.
#   usage: bench/boot.sh [-n N] [-k KERNEL] [-j KTSTR_JAR]
# KERNEL defaults to $KTSTR_TEST_KERNEL; the jar to cli/target${KTSTR_BUILD_SUFFIX}/ktstr.jar.
set -eu
n=5
kernel=${KTSTR_TEST_KERNEL:-}
here=$(cd "$(dirname "$0")/.." && pwd)
jar="$here/cli/target${KTSTR_BUILD_SUFFIX:-}/ktstr.jar"
while getopts n:k:j: o; do
    case $o in n) n=$OPTARG ;; k) kernel=$OPTARG ;; j) jar=$OPTARG ;; *) exit 2 ;; esac
done
[ -n "$kernel" ] && [ -f "$kernel" ] || { echo "bench/boot.sh: give a kernel image with -k or KTSTR_TEST_KERNEL" >&2; exit 2; }
[ -f "$jar" ] || { echo "bench/boot.sh: $jar missing: build with mvn -pl cli -am -DskipTests package" >&2; exit 2; }
bb=$(command -v busybox) || { echo "bench/boot.sh: busybox-static is needed" >&2; exit 2; }
java=${JAVA:-java}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/root/bin" "$work/root/dev" "$work/root/proc"
cp "$bb" "$work/root/bin/busybox"
printf '#!/bin/busybox sh\n/bin/busybox poweroff -f\n' > "$work/root/init"
chmod 755 "$work/root/init"
(cd "$work/root" && find . | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet) > "$work/bare.cpio"

mhz=$(awk -F: '/^cpu MHz/ {print $2; exit}' /proc/cpuinfo)
tsc=$(awk -v m="$mhz" 'BEGIN {printf "%d", m * 1000}')

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2] + a[NR/2+1]) / 2}'; }

bare_once() {
    t0=$(now)
    qemu-system-x86_64 -M microvm,x-option-roms=off,isa-serial=on -accel tcg,thread=multi -cpu max -m 256 \
        -smp 1 -nodefaults -no-user-config -display none -no-reboot -serial file:/dev/null \
        -kernel "$kernel" -initrd "$work/bare.cpio" \
        -append "console=ttyS0 quiet panic=-1 reboot=t tsc_early_khz=$tsc" </dev/null
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b - a}'
}

ktstr_once() {
    t0=$(now)
    "$java" -jar "$jar" shell --kernel "$kernel" --topology 1,1,1,1 --memory-mb 256 --exec true </dev/null >/dev/null 2>"$work/err" \
        || { echo "ktstr shell failed:" >&2; cat "$work/err" >&2; exit 1; }
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b - a}'
}

i=0; : > "$work/bare.t"; : > "$work/ktstr.t"
ktstr_once >/dev/null # warm the initramfs cache and the accelerator cache; not measured
while [ $i -lt "$n" ]; do
    bare_once >> "$work/bare.t"
    ktstr_once >> "$work/ktstr.t"
    i=$((i + 1))
done
b=$(median < "$work/bare.t")
k=$(median < "$work/ktstr.t")
echo "kernel: $kernel   runs: $n (interleaved)"
echo "bare qemu boot to poweroff (busybox-only initramfs): median ${b} s   [$(tr '\n' ' ' < "$work/bare.t")]"
echo "ktstr shell --exec true:                            median ${k} s   [$(tr '\n' ' ' < "$work/ktstr.t")]"
awk -v b="$b" -v k="$k" 'BEGIN {printf "ratio ktstr/bare: %.2f\n", k / b}'
