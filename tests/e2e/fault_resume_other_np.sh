# 20 steps at np 2, then --resume auto at np 4 and, from a copy, at np 1: the final parameters
# match an uninterrupted np 2 run (relative difference < 1e-5; the global batch and the per-user
# keyed randomness do not depend on the number of ranks, only the gradient sums' rounding does).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"
run_np 2 120 -- synth --users 3000 --items 1000 --shards 2 --seed 9 --out data > /dev/null
args=(train --data data --seed 4 --epochs 2 --batch-size 64 --hidden 16 --dropout 0.1
      --eval-every 10 --progress-seconds 1000)
run_np 2 120 -- "${args[@]}" --out straight > straight.log 2>&1 \
  || fail "uninterrupted run: $(tail -3 straight.log)"
run_np 2 120 -- "${args[@]}" --out first --max-steps 20 > first.log 2>&1 \
  || fail "first 20 steps: $(tail -3 first.log)"
final=$(basename "$(ls straight/checkpoints/ckpt-*.h5 | tail -1)")
for np in 4 1; do
  cp -r first "np$np"
  run_np "$np" 180 -- "${args[@]}" --out "np$np" --resume auto > "np$np.log" 2>&1 \
    || fail "resume at np $np: $(tail -3 "np$np.log")"
  grep -q "resuming from np$np/checkpoints/ckpt-00000020.h5 (step 20)" "np$np.log" \
    || fail "np $np did not resume from step 20: $(grep -m2 'resum' "np$np.log")"
  echo -n "np 2 -> $np, $final: "
  "$PY" "$IMINE_SOURCE_DIR/scripts/compare_checkpoints.py" --rtol 1e-5 \
    "straight/checkpoints/$final" "np$np/checkpoints/$final" \
    || fail "resumed at np $np differs from the uninterrupted np 2 run"
done
echo "resume at another rank count matches"
