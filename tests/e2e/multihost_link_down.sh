# A host's link set down mid-training (4 hosts x 1 rank over TCP): the job ends within
# --step-timeout plus a few seconds with a message naming the unreachable host, never hangs;
# with the link back, --resume auto finishes with the parameters of an uninterrupted run.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/multihost_lib.sh"
cluster_up 4
run_np 2 120 -- synth --users 3000 --items 2000 --shards 4 --seed 7 --out data > /dev/null
TIMEOUT=5
args=(train --data data --seed 5 --batch-size 64 --max-steps 40 --epochs 3 --hidden 64,32
      --eval-every 10 --progress-seconds 1000 --step-timeout "$TIMEOUT")
run_hosts 4 90 -- "${args[@]}" --out run > cut.log 2>&1 &
job=$!
wait_for_file run/checkpoints/ckpt-00000010.h5 60 "$job" cut.log
bash "$CLUSTER" link 4 down
wait_job "$job" $((TIMEOUT + 20))
echo "link of host 4 down: job ended with rc $rc after $ms ms"
[ "$rc" -ne 0 ] || fail "exit code 0 although host 4 was cut off"
[ "$ms" -lt $(( (TIMEOUT + 5) * 1000 )) ] || fail "the job took $ms ms to end (--step-timeout $TIMEOUT)"
names_host cut.log 4 3
[ ! -e run/checkpoints/ckpt-00000040.h5 ] || fail "the cut-off run reached its last step"

# Host 4's processes lose their job once they notice; end them, restore the link, resume.
bash "$CLUSTER" kill 4
bash "$CLUSTER" link 4 up
run_hosts 4 90 -- "${args[@]}" --out run --resume auto > resume.log 2>&1 \
  || fail "--resume auto over the restored network: $(tail -5 resume.log)"
grep -m1 "resuming from" resume.log || fail "the second run did not resume: $(head -5 resume.log)"
# The reference on one host sums with MPI too, as the hosts do (bitwise comparison).
# One host, summing with MPI as the hosts do (auto would pick shared memory: other last bits).
run_np 4 90 -- "${args[@]}" --reducer mpi --out ref > ref.log 2>&1 || fail "reference run: $(tail -5 ref.log)"
"$PY" "$IMINE_SOURCE_DIR/scripts/compare_checkpoints.py" --exact \
  ref/checkpoints/ckpt-00000040.h5 run/checkpoints/ckpt-00000040.h5 \
  || fail "resumed run differs from an uninterrupted one"
echo "link down: job ended in $ms ms naming host 4; resumed run == uninterrupted run"
