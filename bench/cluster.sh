#!/usr/bin/env bash
# Cluster throughput with the fake backend: one coordinator JVM and 1, 2, 4 worker JVMs on
# 127.0.0.1. Prints jobs/s and the coordinator's per-job overhead (actor time incl. journal fsync)
# as the coordinator measured them. Usage: bench/cluster.sh [JOBS] [FAKE_MS] [SLOTS]
# Uses cli/target${KTSTR_BUILD_SUFFIX}/ktstr.jar (build: mvn -pl cli -am -Dmaven.test.skip=true package).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${1:-2000}
FAKE_MS=${2:-0}
SLOTS=${3:-4}
# fake jobs are 1-vCPU VMs: on a 2-CPU TCG host, let SLOTS of them run at once
OVERCOMMIT=${OVERCOMMIT:-4}
JAR=cli/target${KTSTR_BUILD_SUFFIX:-}/ktstr.jar
[ -f "$JAR" ] || { echo "bench/cluster.sh: $JAR missing; build it with: mvn -B -pl cli -am -Dmaven.test.skip=true -Dktstr.build.suffix=${KTSTR_BUILD_SUFFIX:-} package" >&2; exit 2; }
JAVA=(java -Xmx256m -XX:+UseSerialGC -jar "$JAR")
WORK=$(mktemp -d /tmp/ktstr-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

printf '%-8s %-6s %-8s %-10s %-14s %-14s\n' workers jobs fake_ms jobs/s coord_us/job journal_us/job
for N in 1 2 4; do
  PORT=$(free_port)
  RUN="bench-$N-$$"
  "${JAVA[@]}" coordinator --bind 127.0.0.1:$PORT --fake-jobs "$JOBS" --run-id "$RUN" --runs-dir "$WORK/runs" \
      --progress-interval 30 --tcg-overcommit "$OVERCOMMIT" > "$WORK/coord-$N.out" 2> "$WORK/coord-$N.err" &
  CPID=$!
  PIDS=("$CPID")
  sleep 2
  for i in $(seq 1 "$N"); do
    "${JAVA[@]}" worker --join 127.0.0.1:$PORT --fake --fake-ms "$FAKE_MS" --slots "$SLOTS" --cache-dir "$WORK/cache" \
        > /dev/null 2> "$WORK/w-$N-$i.err" &
    PIDS+=("$!")
  done
  wait "$CPID" || true
  for p in "${PIDS[@]:1}"; do wait "$p" 2>/dev/null || true; done
  PIDS=()
  LINE=$(grep -E '^run ' "$WORK/coord-$N.out" || { echo "coordinator failed:" >&2; tail -20 "$WORK/coord-$N.err" >&2; exit 1; })
  RATE=$(sed -E 's/.* ([0-9.]+) jobs\/s.*/\1/' <<<"$LINE")
  COORD=$(sed -E 's/.*coordinator ([0-9.]+) us\/job.*/\1/' <<<"$LINE")
  JOUR=$(sed -E 's/.*\(journal ([0-9.]+) us\/job\).*/\1/' <<<"$LINE")
  printf '%-8s %-6s %-8s %-10s %-14s %-14s\n' "$N" "$JOBS" "$FAKE_MS" "$RATE" "$COORD" "$JOUR"
done
