# Training at np 1, 2 and 4 with the same global batch gives the same parameters after 50
# steps (relative difference < 1e-5), dropout included, whichever gradient reducer sums them
# (auto: shared memory on one host; mpi). At np 2 the two reducers agree bitwise.
source "$(dirname "$0")/lib.sh"
run_np 2 120 -- synth --users 4000 --items 3000 --shards 3 --seed 3 --out data > /dev/null
args=(train --data data --seed 5 --batch-size 64 --max-steps 50 --epochs 3 --hidden 32,16
      --dropout 0.2 --eval-every 0 --checksum-every 10 --progress-seconds 1000)
for np in 1 2 4; do
  run_np "$np" 200 -- "${args[@]}" --out "run$np" > "log$np.txt" 2>&1
done
for np in 2 4; do
  run_np "$np" 200 -- "${args[@]}" --reducer mpi --out "mpi$np" > "mpilog$np.txt" 2>&1
  grep -q "gradient reduction: shm" "log$np.txt" || fail "np$np auto did not use shared memory"
  grep -q "gradient reduction: mpi" "mpilog$np.txt" || fail "np$np --reducer mpi not used"
  "$PY" "$IMINE_SOURCE_DIR/scripts/compare_checkpoints.py" --rtol 1e-5 \
    run1/checkpoints/ckpt-00000050.h5 "mpi$np/checkpoints/ckpt-00000050.h5" \
    || fail "np1 vs np$np (--reducer mpi) parameters differ"
  "$PY" "$IMINE_SOURCE_DIR/scripts/compare_checkpoints.py" --rtol 1e-5 \
    run1/checkpoints/ckpt-00000050.h5 "run$np/checkpoints/ckpt-00000050.h5" \
    || fail "np1 vs np$np parameters differ"
done
"$PY" "$IMINE_SOURCE_DIR/scripts/compare_checkpoints.py" --exact \
  run2/checkpoints/ckpt-00000050.h5 mpi2/checkpoints/ckpt-00000050.h5 \
  || fail "np2: shared-memory and MPI reductions differ"
echo "np 1/2/4 equivalent, both reducers"
