#!/bin/busybox sh
# ktstr guest /init (PID 1). Kernel parameters named ktstr.* are read from /proc/cmdline: the
# kernel does not pass dotted parameters to init's environment.
#   ktstr.mode=exec   run /ktstr/exec_cmd with sh -c; stdout/stderr go to the virtio-serial ports
#                     ktstr.stdout / ktstr.stderr; the exit code is printed as KTSTR_EXIT=<n>
#   ktstr.mode=shell  interactive shell on the console (ttyS0); power off when it exits
#   ktstr.mode=test   run /ktstr/bin/agent-start (the guest agent) and pass its exit code on
# Markers on ttyS0 that the host reads: KTSTR_INIT_STARTED (user space is up; crashes before it
# are boot failures) and KTSTR_EXIT=<n> (last line before power-off).

BB=/bin/busybox
$BB mkdir -p /proc /sys /dev /tmp /run
$BB mount -t proc proc /proc
$BB mount -t sysfs sysfs /sys
$BB grep -q ' /dev ' /proc/mounts || $BB mount -t devtmpfs devtmpfs /dev
# Without /dev/console in the archive the kernel started us with no stdio.
exec 0</dev/console 1>/dev/console 2>&1
[ -x /bin/sh ] || $BB --install -s /bin

export PATH=/include-files:/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/tmp

mnt() { # fstype target [options]
    mkdir -p "$2"
    grep -q " $2 " /proc/mounts && return 0
    mount -t "$1" ${3:+-o "$3"} "$1" "$2" || echo "ktstr-init: cannot mount $1 on $2" >&2
}
mnt tmpfs /tmp mode=1777
mnt tmpfs /run mode=755
mnt tmpfs /dev/shm mode=1777
mnt devpts /dev/pts gid=5,mode=620,ptmxmode=666
mnt cgroup2 /sys/fs/cgroup
mnt debugfs /sys/kernel/debug
mnt tracefs /sys/kernel/tracing
mnt bpf /sys/fs/bpf
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
hostname ktstr

mode=shell term=linux cols= rows= topo=
for w in $(cat /proc/cmdline); do
    case "$w" in
        ktstr.mode=*) mode=${w#*=} ;;
        ktstr.term=*) term=${w#*=} ;;
        ktstr.cols=*) cols=${w#*=} ;;
        ktstr.rows=*) rows=${w#*=} ;;
        ktstr.topo=*) topo=${w#*=} ;;
    esac
done
export TERM="$term"

# /dev node of the virtio-serial port with this name (no udev, so look it up in sysfs).
port_dev() {
    for p in /sys/class/virtio-ports/*; do
        [ "$(cat "$p/name" 2>/dev/null)" = "$1" ] && { echo "/dev/${p##*/}"; return 0; }
    done
    return 1
}

finish() {
    echo "KTSTR_EXIT=$1" >/dev/console
    poweroff -f
    sleep 5 # poweroff -f does not return; never let PID 1 exit (that panics)
}

echo "KTSTR_INIT_STARTED" >/dev/console

case "$mode" in
    exec)
        out=$(port_dev ktstr.stdout) || out=/dev/console
        err=$(port_dev ktstr.stderr) || err=/dev/console
        if [ -f /ktstr/exec_cmd ]; then
            cd /tmp
            sh -c "$(cat /ktstr/exec_cmd)" </dev/null >"$out" 2>"$err"
            rc=$?
        else
            echo "ktstr-init: exec mode but /ktstr/exec_cmd is missing from the initramfs" >"$err"
            rc=127
        fi
        finish "$rc"
        ;;
    test)
        if [ -x /ktstr/bin/agent-start ]; then
            /ktstr/bin/agent-start
            rc=$?
        else
            echo "ktstr-init: test mode but /ktstr/bin/agent-start is missing or not executable" >&2
            rc=127
        fi
        finish "$rc"
        ;;
    shell)
        [ -n "$cols" ] && [ -n "$rows" ] && stty cols "$cols" rows "$rows" 2>/dev/null
        read -r krel </proc/sys/kernel/osrelease
        memkb=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)
        echo "ktstr shell: kernel $krel, topology ${topo:-?} ($(grep -c ^processor /proc/cpuinfo) CPUs), $((memkb / 1024)) MB"
        [ -d /include-files ] && echo "include files: $(ls /include-files | tr '\n' ' ')"
        echo "sched_ext: $(cat /sys/kernel/sched_ext/state 2>/dev/null || echo absent). Exit the shell to power off; Ctrl-A X kills the VM."
        export PS1='ktstr:\w# '
        cd /tmp
        # cttyhack opens the real console tty so the shell gets job control and Ctrl-C.
        setsid cttyhack sh -l
        finish $?
        ;;
    *)
        echo "ktstr-init: unknown ktstr.mode '$mode' (expected exec, shell or test)" >&2
        finish 2
        ;;
esac
