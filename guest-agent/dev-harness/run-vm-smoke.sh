#!/bin/sh
# Development harness (not product code): boots the guest agent in a TCG VM by hand, before the
# vmm module's initramfs builder and QEMU backend take over. Runs VmSmoke#cgroupSpin (nested
# cgroups with cpusets, CpuSpin + PipeIo workers, placement checked before release).
#
# usage: KTSTR_TEST_KERNEL_DIR=<dir with vmlinux and scx/> dev-harness/run-vm-smoke.sh [eevdf|scx_simple|scx_qmap [args...]]
# needs: mvn package of guest-agent with -Dktstr.build.suffix=$SUFFIX, busybox-static, qemu-system-x86, Temurin 25.
set -e
K=${KTSTR_TEST_KERNEL_DIR:?set KTSTR_TEST_KERNEL_DIR to a directory holding vmlinux (and scx/ for schedulers)}
SUFFIX=${SUFFIX:-}
HERE=$(cd "$(dirname "$0")" && pwd)
MOD=$(dirname "$HERE")
T=$MOD/target$SUFFIX
W=$(mktemp -d /tmp/ktstr-vm-smoke.XXXXXX)
trap 'rm -rf "$W"' EXIT
JDK=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
SCHED=${1:-eevdf}; [ $# -gt 0 ] && shift

"$JDK/bin/jlink" --add-modules java.base,java.management,java.logging,jdk.unsupported --strip-debug --no-man-pages \
    --no-header-files --compress=zip-0 --output "$W/root/jre"
"$W/root/jre/bin/java" -Xshare:dump >/dev/null
mkdir -p "$W/classes" "$W/root/bin" "$W/root/lib/x86_64-linux-gnu" "$W/root/lib64" "$W/root/ktstr/lib" "$W/root/ktstr/bin" "$W/root/ktstr/sched"
javac --release 17 -cp "$T/guest-lib/*" -d "$W/classes" "$HERE/VmSmoke.java"
jar cf "$W/root/ktstr/lib/smoke.jar" -C "$W/classes" .
R=$W/root
cp /usr/bin/busybox "$R/bin/busybox"
cp "$MOD/src/main/resources/dev/ktstr/guest/init.sh" "$R/init"; chmod +x "$R/init"
cp "$MOD/src/main/resources/dev/ktstr/guest/agent-start" "$R/ktstr/bin/"; chmod +x "$R/ktstr/bin/agent-start"
for l in libc.so.6 libdl.so.2 libm.so.6 libpthread.so.0 librt.so.1 libelf.so.1 libz.so.1; do cp -L "/lib/x86_64-linux-gnu/$l" "$R/lib/x86_64-linux-gnu/"; done
cp -L /lib64/ld-linux-x86-64.so.2 "$R/lib64/"
cp "$T"/guest-lib/*.jar "$T"/ktstr-guest-agent-*.jar "$R/ktstr/lib/"
if [ "$SCHED" = eevdf ]; then
    SJ=""
else
    cp "$K/scx/$SCHED" "$R/ktstr/sched/"
    ARGS=$(printf '"%s",' "$@" | sed 's/,$//')
    SJ=",\"scheduler\":{\"name\":\"$SCHED\",\"kind\":\"BINARY\",\"binaryPath\":\"/ktstr/sched/$SCHED\",\"args\":[${ARGS}]}"
fi
echo "{\"schemaVersion\":1,\"testClass\":\"smoke.VmSmoke\",\"testMethod\":\"cgroupSpin\",\"topology\":\"1n1l2c1t\",\"durationS\":2,\"workersPerCgroup\":2$SJ}" > "$R/ktstr/job.json"

# Worker AppCDS archive, dumped with the classpath string the guest will use (relative to /ktstr).
cd "$R/ktstr"
CP=$(ls lib/*.jar | tr '\n' ':' | sed 's/:$//'); echo "$CP" > classpath
cat > "$W/launch.json" <<J
{"spec":{"cgroup":"","workerIndex":0,"groupCount":1,"workType":{"type":"CpuSpin"}},"ipcDir":"$W","privateDir":"$W","counterSlot":-1}
J
"$R/jre/bin/java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:ArchiveClassesAtExit=worker.jsa -cp "$CP" \
    dev.ktstr.guest.worker.WorkerMain "$W/launch.json" </dev/null >/dev/null 2>&1 || true
cd "$R" && find . | cpio -o -H newc --quiet > "$W/initrd.cpio"

KHZ=$(awk '/cpu MHz/{printf "%d", $4*1000; exit}' /proc/cpuinfo)
python3 "$HERE/frames.py" "$W/data.sock" &
FP=$!
timeout 400 qemu-system-x86_64 -M microvm,x-option-roms=off,isa-serial=on -accel tcg,thread=multi -cpu max \
  -m 1024 -smp 2 -nodefaults -no-user-config -nographic -no-reboot -serial "file:$W/console.log" \
  -device virtio-serial-device,id=vs0 -chardev "socket,id=data,path=$W/data.sock,server=on,wait=on" \
  -device virtserialport,bus=vs0.0,chardev=data,name=ktstr.data \
  -kernel "$K/vmlinux" -initrd "$W/initrd.cpio" \
  -append "console=ttyS0 quiet panic=-1 reboot=t tsc_early_khz=$KHZ ktstr.mode=test" || true
wait $FP || true
tail -3 "$W/console.log"
