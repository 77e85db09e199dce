# Never hang: faults injected with IMINE_FAULT (util/fault.h) into one rank of `imine train` at
# np 2 end the job promptly. A spinning or blocked rank is caught by the watchdog
# (--step-timeout), whose message names every rank's phase and step and marks the stuck one; a
# crashing or exiting rank is ended by mpirun.
source "$(dirname "$0")/lib.sh"
run_np 2 120 -- synth --users 2000 --items 1000 --shards 2 --seed 2 --out data > /dev/null
TIMEOUT=4
train_args=(train --data data --epochs 3 --batch-size 128 --eval-every 1000 --step-timeout "$TIMEOUT")

# with_fault NAME SPEC: runs training with the fault; sets rc and ms.
with_fault() {
  local name="$1" spec="$2" start
  start=$(date +%s%N)
  rc=0
  IMINE_FAULT="$spec" timeout --kill-after=5 60 "$MPIEXEC" -np 2 --oversubscribe -x IMINE_FAULT \
    "$IMINE_BIN" "${train_args[@]}" --out "run-$name" > "out-$name.txt" 2> "err-$name.txt" || rc=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "$name: rc $rc in $ms ms: $(grep -m1 '^imine: rank' "err-$name.txt" || true)"
  [ "$rc" -ne 0 ] || fail "$name: training succeeded despite $spec"
}

# A rank spinning in forward: the other waits in the allreduce of the same step.
with_fault hang "rank=1,step=3,phase=forward,action=hang"
[ "$ms" -lt $(( (TIMEOUT + 10) * 1000 )) ] || fail "hang: took $ms ms (timeout ${TIMEOUT} s)"
line=$(grep -m1 'watchdog:' err-hang.txt) || fail "hang: no watchdog message: $(cat err-hang.txt)"
[[ "$line" == "imine: rank 0: watchdog: no progress for $TIMEOUT.0 s; last seen: rank 0 allreduce step 3 ("*" s), rank 1 forward step 3 ("*" s) <- stuck" ]] \
  || fail "hang: message does not name both ranks' phases and the stuck one: $line"

# Rank 0 blocked in a read() after the allreduce: rank 1 moves on and waits in the next step.
with_fault block "rank=0,step=2,phase=optimizer,action=block"
[ "$ms" -lt $(( (TIMEOUT + 10) * 1000 )) ] || fail "block: took $ms ms (timeout ${TIMEOUT} s)"
line=$(grep -m1 'watchdog:' err-block.txt) || fail "block: no watchdog message: $(cat err-block.txt)"
[[ "$line" == *"last seen: rank 0 optimizer step 2 ("*" s) <- stuck, rank 1 allreduce step 3 ("* ]] \
  || fail "block: message does not name both ranks' phases and the stuck one: $line"

# Crashes and exits need no watchdog: mpirun ends the job.
with_fault segv "rank=1,step=2,phase=backward,action=segv"
[ "$ms" -lt 10000 ] || fail "segv: took $ms ms"
with_fault exit "rank=1,step=2,phase=allreduce,action=exit=5"
[ "$ms" -lt 10000 ] || fail "exit: took $ms ms"
with_fault throw "rank=1,step=2,phase=features,action=throw"
[ "$ms" -lt 10000 ] || fail "throw: took $ms ms"
grep -q "^imine: rank 1: fault injection (IMINE_FAULT 'rank=1,step=2,phase=features,action=throw') at features step 2" err-throw.txt \
  || fail "throw: no rank-prefixed error line: $(cat err-throw.txt)"

# A bad IMINE_FAULT is an error naming the variable, not a silently ignored fault.
with_fault bad-spec "rank=1,action=explode"
grep -q "^imine: rank [01]: IMINE_FAULT fault 'rank=1,action=explode': unknown action 'explode'" err-bad-spec.txt \
  || fail "bad spec: $(cat err-bad-spec.txt)"
echo "watchdog and fault injection: ok"
