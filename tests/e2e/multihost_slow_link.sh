# One host's link shaped to a low bandwidth (tbf, 20 Mbit/s both ways) mid-run: the job
# completes, slower, with the parameters of an unshaped run.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/multihost_lib.sh"
cluster_up 4
run_np 2 120 -- synth --users 3000 --items 2000 --shards 4 --seed 9 --out data > /dev/null
args=(train --data data --seed 5 --batch-size 64 --max-steps 40 --epochs 3 --hidden 64,32
      --eval-every 10 --progress-seconds 1000 --step-timeout 20)
run_hosts 4 120 -- "${args[@]}" --out run > slow.log 2>&1 &
job=$!
wait_for_file run/checkpoints/ckpt-00000010.h5 60 "$job" slow.log
bash "$CLUSTER" shape 2 20mbit
wait_job "$job" 100
[ "$rc" -eq 0 ] || fail "the run with a slow link failed (rc $rc): $(tail -5 slow.log)"
# Lower bound for the shaped part: each of the last 30 (or more) steps sends at least host 2's
# own gradients (4 bytes per parameter) through its 20 Mbit/s link.
params=$(sed -n 's/.* \([0-9]\+\) parameters[ ;].*/\1/p' slow.log | head -1)
[ -n "$params" ] || fail "no parameter count in the log"
min_ms=$((30 * params * 4 * 8 / 20000))
echo "shaped part: $ms ms for 30 steps of $params parameters (at least $min_ms ms at 20 Mbit/s)"
[ "$ms" -ge "$min_ms" ] || fail "the shaped run was faster than the link allows: shaping not in effect"
bash "$CLUSTER" unshape 2
# The reference on one host sums with MPI too, as the hosts do (bitwise comparison).
# One host, summing with MPI as the hosts do (auto would pick shared memory: other last bits).
run_np 4 90 -- "${args[@]}" --reducer mpi --out ref > ref.log 2>&1 || fail "reference run: $(tail -5 ref.log)"
"$PY" "$IMINE_SOURCE_DIR/scripts/compare_checkpoints.py" --exact \
  ref/checkpoints/ckpt-00000040.h5 run/checkpoints/ckpt-00000040.h5 \
  || fail "the run with a slow link differs from an unshaped one"
echo "slow link: completed in $ms ms after shaping, identical parameters"
