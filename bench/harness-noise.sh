#!/usr/bin/env bash
# Harness noise: run the example `steady` test (EEVDF, 2 vCPUs, 2 CpuSpin workers) N times and
# print, per run, the worst scheduling gap and spread the harness itself measured, plus the
# per-test wall time next to a bare boot of the same kernel (bench/boot.sh) for comparison.
#   bench/harness-noise.sh [N=10]      (needs a kernel: KTSTR_TEST_KERNEL or the kernel cache)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:-10}"
cd "$here"
# Kept (one run directory per repetition): `bin/ktstr stats list --runs-dir DIR` and `stats compare` read them.
runs="${KTSTR_NOISE_RUNS:-$here/target/harness-noise/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$runs"
echo "runs: $runs"
[ -d examples/target/test-classes ] || mvn -B -q -DskipTests -DskipITs install
for i in $(seq 1 "$n"); do
  bin/ktstr test examples/target/test-classes -E ktstr/steady --runs-dir "$runs" >/dev/null 2>&1 || true
done
# Same run, same kernel: the bare boot the per-test wall time is compared with.
kernel="${KTSTR_TEST_KERNEL:-$(bin/ktstr kernel resolve 2>/dev/null | awk '/^boot image:/ {print $3}')}"
bare="$(KTSTR_TEST_KERNEL="$kernel" sh bench/boot.sh -n 3 | sed -n 's/^bare qemu boot.*median \([0-9.]*\) s.*/\1/p')"
python3 - "$runs" "${bare:-}" <<'PY'
import json, pathlib, statistics, sys
rows = []
for f in sorted(pathlib.Path(sys.argv[1]).glob("*/*.ktstr.json")):
    s = json.loads(f.read_text())
    st = s.get("stats") or {}
    ph = s.get("phases") or {}
    rows.append((s["run_id"], s.get("passed"), st.get("worst_gap_ms"), st.get("worst_spread"),
                 ph.get("boot_ms"), ph.get("scenario_ms"), ph.get("teardown_ms")))
print(f"{'run':48} {'passed':6} {'worst_gap_ms':>12} {'worst_spread%':>13} {'boot_ms':>14} {'scenario_ms':>11} {'teardown_ms':>11}")
for r in rows:
    print(f"{r[0]:48} {str(r[1]):6} {r[2]!s:>12} {r[3]!s:>13} {r[4]!s:>14} {r[5]!s:>11} {r[6]!s:>11}")
gaps = [r[2] for r in rows if r[2] is not None]
spreads = [r[3] for r in rows if r[3] is not None]
if gaps:
    print(f"worst gap over {len(gaps)} runs: max {max(gaps)} ms, median {statistics.median(gaps)} ms")
if spreads:
    print(f"spread over {len(spreads)} runs: max {max(spreads):.1f} %, median {statistics.median(spreads):.1f} %")
walls = [sum(x or 0 for x in r[4:7]) / 1000 for r in rows]
if walls and len(sys.argv) > 2 and sys.argv[2]:
    bare = float(sys.argv[2])
    duration = 2  # the steady test's durationS
    w = statistics.median(walls)
    print(f"per-test wall (boot + scenario + teardown) median {w:.1f} s vs bare boot {bare:.2f} s + duration {duration} s"
          f" = {bare + duration:.2f} s: ratio {w / (bare + duration):.1f}")
PY
