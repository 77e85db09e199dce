# SIGKILL of rank 0 while it is in the checkpoint phase of step 8 (held there by a sleep fault):
# the job ends non-zero, checkpoint 4 is intact and no checkpoint 8 exists under its final name;
# --resume auto continues from step 4 and ends bitwise equal to an uninterrupted run.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"
run_np 2 120 -- synth --users 3000 --items 1000 --shards 2 --seed 5 --out data > /dev/null
args=(train --data data --seed 7 --epochs 1 --batch-size 64 --hidden 16 --eval-every 4
      --progress-seconds 1000)
run_np 2 120 -- "${args[@]}" --out "$WORK/straight" > straight.log 2>&1 \
  || fail "uninterrupted run: $(tail -3 straight.log)"

out="$WORK/cut"
IMINE_FAULT="rank=0,step=8,phase=checkpoint,action=sleep=20" \
  "$MPIEXEC" -np 2 --oversubscribe -x IMINE_FAULT "$IMINE_BIN" "${args[@]}" --out "$out" \
  > cut.log 2>&1 &
job=$!
wait_for cut.log "checkpoint step 8: sleep" 60
kill_rank_and_wait "$out" 0 "$job" 10
echo "rank 0 killed in the checkpoint phase: rc $rc after $ms ms"
[ "$rc" -ne 0 ] || fail "exit code 0 after rank 0 was killed"
[ ! -e "$out/checkpoints/ckpt-00000008.h5" ] || fail "checkpoint 8 exists after the kill"
ls "$out/checkpoints/ckpt-00000004.h5" > /dev/null || fail "checkpoint 4 missing"
check_complete "$out"

run_np 2 120 -- "${args[@]}" --out "$out" --resume auto > resume.log 2>&1 \
  || fail "resume failed: $(tail -3 resume.log)"
grep -q "resuming from $out/checkpoints/ckpt-00000004.h5 (step 4)" resume.log \
  || fail "did not resume from step 4: $(grep -m2 'resum' resume.log)"
final=$(ls "$WORK"/straight/checkpoints/ckpt-*.h5 | tail -1)
"$PY" "$IMINE_SOURCE_DIR/scripts/compare_checkpoints.py" --exact "$final" \
  "$out/checkpoints/$(basename "$final")" || fail "resumed run differs from the uninterrupted one"
echo "resumed from step 4 to $(basename "$final"): identical to the uninterrupted run"
