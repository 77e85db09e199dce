# An exception on one rank (IMINE_FAULT action=throw) in the read, forward, allreduce,
# checkpoint and labels phases of `imine train --write-labels` and in `imine label`, at np 2:
# the job exits non-zero within 10 s and the first error line is `imine: rank R: ...` naming
# the fault, its phase and step. (watchdog.sh covers throw in the features phase.)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"
run_np 2 120 -- synth --users 2000 --items 1000 --shards 2 --seed 2 --out data > /dev/null
train=(train --data data --epochs 1 --batch-size 128 --hidden 16 --eval-every 4 --write-labels
       --progress-seconds 1000)
run_np 2 120 -- "${train[@]}" --out base > base.log 2>&1 || fail "base run: $(tail -3 base.log)"

# throw_in SPEC PHASE STEP imine-args...
throw_in() {
  local spec="$1" phase="$2" step="$3" rank start; shift 3
  rank=${spec#rank=}; rank=${rank%%,*}
  start=$(date +%s%N)
  rc=0
  IMINE_FAULT="$spec" timeout --kill-after=5 60 "$MPIEXEC" -np 2 --oversubscribe -x IMINE_FAULT \
    "$IMINE_BIN" "$@" > "$phase.out" 2> "$phase.err" || rc=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  line=$(grep -m1 '^imine: rank' "$phase.err" || true)
  echo "$phase: rc $rc in $ms ms: $line"
  [ "$rc" -ne 0 ] || fail "$phase: succeeded despite $spec"
  [ "$ms" -lt 10000 ] || fail "$phase: took $ms ms"
  [[ "$line" == "imine: rank $rank: fault injection (IMINE_FAULT '$spec') at $phase step $step"* ]] \
    || fail "$phase: expected the rank-$rank fault message first: $(head -5 "$phase.err")"
}
throw_in "rank=1,phase=read,action=throw" read 0 "${train[@]}" --out r1
throw_in "rank=1,step=3,phase=forward,action=throw" forward 3 "${train[@]}" --out r2
throw_in "rank=0,step=2,phase=allreduce,action=throw" allreduce 2 "${train[@]}" --out r3
throw_in "rank=0,step=8,phase=checkpoint,action=throw" checkpoint 8 "${train[@]}" --out r4
last=$(ls base/checkpoints/ckpt-*.h5 | tail -1); last=${last##*ckpt-}; last=$((10#${last%.h5}))
throw_in "rank=1,phase=labels,action=throw" labels "$last" "${train[@]}" --out r5
throw_in "rank=1,phase=labels,action=throw" labels "$last" label \
  --checkpoint "$(ls base/checkpoints/ckpt-*.h5 | tail -1)" --data data --out r6-labels.h5
echo "a throw in any phase ends the job promptly with a rank-prefixed message"
