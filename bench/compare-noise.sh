#!/usr/bin/env bash
# Noise-aware compare, end to end on real VMs: the example `steady` test N times per side (two runs of
# the same build, `ktstr test --replicas N`), then `ktstr stats compare` of A against B (same code:
# expect no regression) and of A against a copy of B doctored x4 for the worse: worst gaps and p99
# wake latencies x4, iteration counts /4 (expect flagged regressions, exit 1; a gap x4 that stays
# under the gap's 500 ms absolute gate is significant by the noise test but still within the gates).
# Prints the two reports and exit statuses.
#   bench/compare-noise.sh [N=5]       (needs a kernel: KTSTR_TEST_KERNEL or the kernel cache)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:-5}"
cd "$here"
runs="${KTSTR_NOISE_RUNS:-$here/target/compare-noise/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$runs"
echo "runs: $runs"
[ -d examples/target/test-classes ] || mvn -B -q -DskipTests -DskipITs install
for side in A B; do
  t0=$(date +%s)
  bin/ktstr test examples/target/test-classes -E ktstr/steady --replicas "$n" --runs-dir "$runs" >"$runs/side-$side.log" 2>&1 || true
  echo "side $side: $(grep -c '^PASS' "$runs/side-$side.log" || true) of $n replicas passed in $(( $(date +%s) - t0 )) s"
done
mapfile -t ids < <(ls -1 "$runs" | grep -v '\.log$' | sort)
[ "${#ids[@]}" -eq 2 ] || { echo "expected 2 run dirs under $runs, found ${#ids[@]}" >&2; exit 2; }
a="${ids[0]}"; b="${ids[1]}"
# The doctored copy: B's sidecars with gaps and p99 wake latencies x4 and iterations /4 (a run of its own).
d="${b}-x4"
mkdir -p "$runs/$d"
for f in "$runs/$b"/*.ktstr.json; do
  jq --arg id "$d" '.run_id = $id
      | .stats.worst_gap_ms *= 4 | .stats.worst_p99_wake_latency_us *= 4
      | .stats.total_iterations = (.stats.total_iterations / 4 | floor) | .stats.worst_iterations_per_worker = (.stats.worst_iterations_per_worker / 4 | floor)
      | .stats.cgroups |= map(.max_gap_ms *= 4 | .p99_wake_latency_us *= 4 | .total_iterations = (.total_iterations / 4 | floor) | .wake_latency_hdr = null)' \
      "$f" > "$runs/$d/$(basename "$f")"
done
[ -f "$runs/$b/run.json" ] && jq --arg id "$d" '.run_id = $id' "$runs/$b/run.json" > "$runs/$d/run.json" || true
# A 2-s test's gaps stay far under the registry's 500 ms absolute gate; this policy says 20 ms matters.
echo '{"absolute": {"worst_gap_ms": 20}}' > "$runs/gap-policy.json"
for pair in "$a $b same-code" "$a $d doctored-x4" "$a $d doctored-x4-gap-gate-20ms"; do
  set -- $pair
  extra=()
  [ "$3" = doctored-x4-gap-gate-20ms ] && extra=(--policy "$runs/gap-policy.json")
  echo
  echo "=== stats compare --runs $1 $2 ${extra[*]} ($3)"
  rc=0
  bin/ktstr stats compare --runs "$1" "$2" --runs-dir "$runs" --no-color --all "${extra[@]}" || rc=$?
  bin/ktstr stats compare --runs "$1" "$2" --runs-dir "$runs" --format html -o "$runs/compare-$3.html" "${extra[@]}" >/dev/null 2>&1 || true
  echo "exit status ($3): $rc; HTML report: $runs/compare-$3.html"
done
