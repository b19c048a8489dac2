#!/usr/bin/env bash
# Guest overhead: in one run, medians of N, the cost of a test VM against a bare boot of the same
# kernel. Prints bare boot, `ktstr shell --exec true`, the 1-vCPU empty test, `steady` (2 vCPUs,
# 2 cgroups x 2 CpuSpin, 2 s) and an 8-vCPU / 16-worker test, each with its ratio to (bare boot +
# workload duration) and the median phase breakdown from the sidecars.
#   bench/overhead.sh [-n N=3] [-k KERNEL] [-t TREE]
# KERNEL: a bootable image (default: KTSTR_TEST_KERNEL, else the kernel cache's newest entry).
# TREE: the ktstr-java checkout to measure (default: this one) — point it at an older clone,
# built with `mvn -DskipTests install`, to measure before/after back to back with the same script.
# Per-variant time is the wall time ktstr prints on each result line (job accepted to result), so
# the host CLI's own JVM start is not counted; the command's wall time is printed beside it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n=3
kernel="${KTSTR_TEST_KERNEL:-}"
tree="$here"
while getopts n:k:t: o; do
  case $o in n) n=$OPTARG ;; k) kernel=$OPTARG ;; t) tree=$(cd "$OPTARG" && pwd) ;; *) exit 2 ;; esac
done
[ -x "$tree/bin/ktstr" ] || { echo "bench/overhead.sh: $tree has no bin/ktstr" >&2; exit 2; }
[ -d "$tree/examples/target/test-classes" ] || { echo "bench/overhead.sh: build $tree first (mvn -DskipTests install)" >&2; exit 2; }
[ -f "$tree/cli/target/ktstr.jar" ] || { echo "bench/overhead.sh: $tree/cli/target/ktstr.jar missing: build $tree first" >&2; exit 2; }
if [ -z "$kernel" ]; then
  kernel="$("$tree/bin/ktstr" kernel resolve 2>/dev/null | awk '/^boot image:/ {print $3}')"
fi
[ -n "$kernel" ] && [ -f "$kernel" ] || { echo "bench/overhead.sh: no kernel: pass -k or set KTSTR_TEST_KERNEL" >&2; exit 2; }
export KTSTR_TEST_KERNEL="$kernel"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT INT TERM
commit="$(git -C "$tree" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "tree: $tree (commit $commit)   kernel: $kernel   runs: $n   load: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== bare boot and shell (bench/boot.sh -n $n) =="
sh "$here/bench/boot.sh" -n "$n" -k "$kernel" -j "$tree/cli/target/ktstr.jar" | tee "$work/boot.txt"
bare="$(sed -n 's/^bare qemu boot.*median \([0-9.]*\) s.*/\1/p' "$work/boot.txt")"
shell="$(sed -n 's/^ktstr shell --exec true: *median \([0-9.]*\) s.*/\1/p' "$work/boot.txt")"

# one warm-up run so the initramfs base and the AOT cache are built before anything is timed
"$tree/bin/ktstr" test "$tree/examples/target/test-classes" -E ktstr/eevdf_empty_run --runs-dir "$work/warm" >/dev/null 2>&1 || true

run_test() { # id label duration_s
  local id=$1 label=$2 dur=$3 i
  mkdir -p "$work/$label"
  for i in $(seq 1 "$n"); do
    local t0 t1
    t0=$(date +%s.%N)
    "$tree/bin/ktstr" test "$tree/examples/target/test-classes" -E "$id" --runs-dir "$work/$label/runs" > "$work/$label/out.$i" 2>&1 || true
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f\n", b - a}' >> "$work/$label/cmd.t"
    awk -v id="$id" '$2 == id && ($1 == "PASS" || $1 == "FAIL" || $1 == "TIMEOUT" || $1 == "INFRA" || $1 == "SKIP") {print $1, $5}' "$work/$label/out.$i" \
      | head -n 1 >> "$work/$label/result.t"
  done
  echo "$label $dur" >> "$work/tests"
}
run_test ktstr/eevdf_empty_run empty-1vcpu 0
run_test ktstr/steady steady-2vcpu 2
run_test ktstr/eevdf_burst_oversubscription burst-8vcpu-16w 2

python3 - "$work" "$bare" "$shell" <<'PY'
import json, pathlib, statistics, sys
work, bare, shell = pathlib.Path(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None
print(f"\n{'what':18} {'median s':>9} {'runs (s)':28} {'ratio':>7}  vs")
print(f"{'bare boot':18} {bare:9.2f} {'':28} {1.0:7.2f}  bare boot")
print(f"{'shell --exec true':18} {shell:9.2f} {'':28} {shell / bare:7.2f}  bare boot")
phase_names = ["host_prepare_ms", "qemu_start_ms", "kernel_to_init_ms", "agent_jvm_ms", "boot_ms", "agent_ready_ms",
               "scheduler_attach_ms", "worker_spawn_ms", "scenario_ms", "collection_ms", "teardown_ms", "total_ms"]
rows = []
for line in (work / "tests").read_text().split("\n"):
    if not line.strip():
        continue
    label, dur = line.split()
    dur = float(dur)
    d = work / label
    res = [l.split() for l in (d / "result.t").read_text().split("\n") if l.strip()] if (d / "result.t").exists() else []
    secs = [float(r[1].rstrip("s")) for r in res if len(r) > 1 and r[1] != "-"]
    verdicts = [r[0] for r in res]
    cmd = [float(x) for x in (d / "cmd.t").read_text().split()]
    m = med(secs)
    base = bare + dur
    ratio = m / base if m else float("nan")
    runs = " ".join(f"{s:.1f}" for s in secs)
    vs = "bare boot" if dur == 0 else f"bare + {dur:.0f} s"
    print(f"{label:18} {m if m else float('nan'):9.2f} {runs:28} {ratio:7.2f}  {vs}   (verdicts {','.join(verdicts)}; command wall median {med(cmd):.1f} s)")
    phases = {}
    for f in sorted((d / "runs").glob("*/*.ktstr.json")):
        ph = json.loads(f.read_text()).get("phases") or {}
        for k in phase_names:
            phases.setdefault(k, []).append(ph.get(k))
    parts = []
    for k in phase_names:
        v = med(phases.get(k, []))
        if v is not None:
            parts.append(f"{k[:-3]} {v / 1000:.2f}")
    print(f"{'':18} phases (median s): {', '.join(parts) if parts else 'none recorded'}")
PY
