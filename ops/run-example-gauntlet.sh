#!/usr/bin/env bash
# The main job on a fresh machine: install prerequisites, build the project, build (or reuse) the
# sched_ext kernel, then run the example suite as a gauntlet in local mode and summarise it.
#   KTSTR_BUDGET_SECS   time budget for the gauntlet (default 900 s; 0 = run every variant)
#   KTSTR_OVERCOMMIT    vCPUs allowed per host CPU when picking presets (default 4: TCG hosts are small)
#   KTSTR_BUDGET_FILL   1 (default here): after full configuration coverage, spend the rest of the budget
#                       on further variants in suite order (0: stop at coverage, the spec's selection)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
log() { printf '[run-example-gauntlet %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

log "1/4 prerequisites"
ops/setup.sh
log "2/4 building ktstr and the example suite (mvn -DskipTests install)"
mvn -B -ntp -q -DskipTests -DskipITs install
log "3/4 kernel: a cached sched_ext kernel if there is one, else build it (16 min on 2 idle cores, with progress)"
if kernel="$(bin/ktstr kernel resolve 2>/dev/null | awk '/^boot image:/ {print $3}')" && [ -n "$kernel" ]; then
  log "using $kernel"
else
  bin/ktstr kernel build
fi
budget="${KTSTR_BUDGET_SECS:-900}"
export KTSTR_BUDGET_FILL="${KTSTR_BUDGET_FILL:-1}"
args=(--gauntlet --overcommit "${KTSTR_OVERCOMMIT:-4}")
[ "$budget" != 0 ] && args+=(--budget-secs "$budget")
log "4/4 gauntlet of examples/target/test-classes (${args[*]})"
status=0
bin/ktstr test "${args[@]}" examples/target/test-classes || status=$?
bin/ktstr stats || true
exit $status
