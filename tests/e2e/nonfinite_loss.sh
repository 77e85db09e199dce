# An injected NaN loss on rank 1 at step 5: the job stops naming the step and rank and writes no
# checkpoint for that step; with --skip-nonfinite it skips the step and completes.
source "$(dirname "$0")/lib.sh"
run_np 2 120 -- synth --users 2000 --items 1000 --shards 2 --seed 2 --out data > /dev/null
args=(train --data data --epochs 1 --batch-size 64 --hidden 16 --eval-every 4 --progress-seconds 1000)
if IMINE_FAULT="rank=1,step=5,phase=forward,action=nan" run_np 2 60 -- "${args[@]}" --out a \
    > a.log 2>&1; then
  fail "a NaN loss did not stop the job"
fi
grep -q "imine: rank .*non-finite loss at step 5 on rank 1" a.log || fail "message: $(grep imine: a.log)"
ls a/checkpoints/ckpt-00000004.h5 > /dev/null || fail "the checkpoint before the fault is missing"
[ ! -e a/checkpoints/ckpt-00000005.h5 ] && [ ! -e a/checkpoints/ckpt-00000008.h5 ] \
  || fail "a checkpoint was written after the non-finite step"
IMINE_FAULT="rank=1,step=5,phase=forward,action=nan" run_np 2 60 -- "${args[@]}" --out b \
  --skip-nonfinite > b.log 2>&1 || fail "--skip-nonfinite did not complete: $(tail -3 b.log)"
grep -q "step 5: non-finite loss or gradient, skipped" b.log || fail "no skip message"
echo "nan detected and skipped"
