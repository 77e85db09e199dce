# 2N steps straight and N steps + resume + N steps give bitwise identical parameters (np=2).
source "$(dirname "$0")/lib.sh"
run_np 2 120 -- synth --users 3000 --items 2000 --shards 2 --seed 4 --out data > /dev/null
args=(train --data data --seed 9 --batch-size 128 --epochs 3 --hidden 32,16 --dropout 0.1
      --eval-every 20 --progress-seconds 1000)
run_np 2 -- "${args[@]}" --out straight --max-steps 40 > /dev/null
run_np 2 -- "${args[@]}" --out resumed --max-steps 20 > /dev/null
[ -f resumed/checkpoints/ckpt-00000020.h5 ] || fail "no checkpoint at step 20"
run_np 2 -- "${args[@]}" --out resumed --max-steps 40 --resume auto > resumed.log 2>&1
grep -q "resuming from" resumed.log || fail "did not resume: $(cat resumed.log)"
"$PY" "$IMINE_SOURCE_DIR/scripts/compare_checkpoints.py" --exact \
  straight/checkpoints/ckpt-00000040.h5 resumed/checkpoints/ckpt-00000040.h5 \
  || fail "resumed parameters differ"
echo "resume bitwise identical"
