# SIGUSR1 to mpirun mid-training: every rank stops at the same step after a checkpoint, exit
# code 75; --resume auto then finishes with parameters bitwise equal to an uninterrupted run.
source "$(dirname "$0")/lib.sh"
run_np 2 120 -- synth --users 6000 --items 3000 --shards 2 --seed 8 --out data > /dev/null
args=(train --data data --seed 3 --batch-size 64 --epochs 6 --hidden 64,32 --eval-every 0
      --progress-seconds 0.1)
run_np 2 -- "${args[@]}" --out straight > /dev/null 2>&1
# mpirun itself (not a timeout wrapper, which would die of USR1) passes USR1 on to the ranks.
# A 3 s pause at step 20 (timing only) keeps the run alive while the signal is on its way.
IMINE_FAULT="rank=0,step=20,phase=forward,action=sleep=3" \
  "$MPIEXEC" -np 2 --oversubscribe "$IMINE_BIN" "${args[@]}" --out cut > cut.log 2>&1 &
pid=$!
# Signal once the pause has begun (its log line): the whole run can be shorter than the wait
# for a first progress line.
pause="IMINE_FAULT .* at forward step 20: sleep 3 s"
for _ in $(seq 1 400); do grep -q "$pause" cut.log && break; sleep 0.05; done
grep -q "$pause" cut.log || { kill -9 "$pid"; fail "training did not reach the pause: $(tail -3 cut.log)"; }
kill -USR1 "$pid"
rc=0; wait "$pid" || rc=$?
[ "$rc" -eq 75 ] || fail "expected exit code 75 after SIGUSR1, got $rc: $(tail -5 cut.log)"
grep -q "stop requested" cut.log || fail "no stop message: $(tail -5 cut.log)"
ls cut/checkpoints/ckpt-*.h5 > /dev/null || fail "no checkpoint written on stop"
stopped_at=$(ls cut/checkpoints/ckpt-*.h5 | tail -1)
run_np 2 -- "${args[@]}" --out cut --resume auto > resume.log 2>&1
grep -q "resuming from" resume.log || fail "did not resume"
final=$(ls straight/checkpoints/ckpt-*.h5 | tail -1)
"$PY" "$IMINE_SOURCE_DIR/scripts/compare_checkpoints.py" --exact "$final" \
  "cut/checkpoints/$(basename "$final")" || fail "resumed run differs from the straight run"
echo "stopped at $(basename "$stopped_at"), resumed to $(basename "$final"): identical"
