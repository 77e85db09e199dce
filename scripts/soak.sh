#!/usr/bin/env bash
# Soak test (not in CI): np=4 oversubscribed, 20,000 training steps with random injected delays
# on random ranks; must complete without deadlock, with flat memory per rank. Prints each rank's
# RSS near the start and at the end.
# Usage: scripts/soak.sh [steps] [work-dir]
set -euo pipefail
source "$(dirname "$0")/common.sh"
STEPS="${1:-20000}"
WORK="${2:-$(mktemp -d /tmp/imine-soak.XXXXXX)}"
IMINE="${IMINE_BIN:-$IMINE_ROOT/build/release/imine}"
cd "$WORK"
mpirun -np 4 --oversubscribe "$IMINE" synth --users 20000 --items 5000 --shards 4 --seed 3 \
  --out data > /dev/null
# 40 random delays (1 s each) on random ranks at random steps and phases.
faults=""
phases=(features forward backward allreduce optimizer)
for i in $(seq 1 40); do
  faults+="rank=$((RANDOM % 4)),step=$((RANDOM * 32768 % STEPS + RANDOM % 7)),"
  faults+="phase=${phases[$((RANDOM % 5))]},action=sleep=1;"
done
export IMINE_FAULT="${faults%;}"
start=$(date +%s)
mpirun -np 4 --oversubscribe "$IMINE" train --data data --out run --epochs 1000 \
  --max-steps "$STEPS" --batch-size 64 --hidden 64,32 --eval-every 5000 --step-timeout 120 \
  --progress-seconds 30 > train.log 2>&1 &
pid=$!
rss() { for p in $(pgrep -f "imine train --data data --out run" | grep -v "^$pid\$"); do
          awk -v p="$p" '/VmRSS/ {printf "%s:%s kB ", p, $2}' "/proc/$p/status" 2>/dev/null; done; }
sleep 20
echo "RSS after 20 s: $(rss)"
last=""
while kill -0 "$pid" 2>/dev/null; do last="$(rss)"; sleep 5; done
rc=0; wait "$pid" || rc=$?
echo "RSS near the end: $last"
echo "exit $rc after $(( $(date +%s) - start )) s; $(grep -c 'step time over' train.log) straggler reports"
grep "done:" train.log | tail -1
[ "$rc" -eq 0 ]
