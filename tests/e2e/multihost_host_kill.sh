# Every process of one host killed mid-training (4 hosts x 1 rank over TCP; its Open MPI daemon
# and its rank, as when a machine dies): the job ends within --step-timeout plus a few seconds
# with a message naming the host, never hangs; --resume auto on the 4 hosts then finishes with
# the parameters of an uninterrupted run.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/multihost_lib.sh"
cluster_up 4
run_np 2 120 -- synth --users 3000 --items 2000 --shards 4 --seed 8 --out data > /dev/null
TIMEOUT=5
args=(train --data data --seed 5 --batch-size 64 --max-steps 40 --epochs 3 --hidden 64,32
      --eval-every 10 --progress-seconds 1000 --step-timeout "$TIMEOUT")
run_hosts 4 90 -- "${args[@]}" --out run > kill.log 2>&1 &
job=$!
wait_for_file run/checkpoints/ckpt-00000010.h5 60 "$job" kill.log
[ -n "$(bash "$CLUSTER" pids 3)" ] || fail "no processes on host 3 to kill"
bash "$CLUSTER" kill 3
wait_job "$job" $((TIMEOUT + 20))
echo "host 3 killed: job ended with rc $rc after $ms ms"
[ "$rc" -ne 0 ] || fail "exit code 0 although host 3 died"
[ "$ms" -lt $(( (TIMEOUT + 5) * 1000 )) ] || fail "the job took $ms ms to end (--step-timeout $TIMEOUT)"
names_host kill.log 3 2
[ ! -e run/checkpoints/ckpt-00000040.h5 ] || fail "the run reached its last step without host 3"
for h in 1 2 4; do
  [ -z "$(bash "$CLUSTER" pids $h)" ] || fail "processes left on host $h after the job ended"
done

run_hosts 4 90 -- "${args[@]}" --out run --resume auto > resume.log 2>&1 \
  || fail "--resume auto on the 4 hosts: $(tail -5 resume.log)"
grep -m1 "resuming from" resume.log || fail "the second run did not resume: $(head -5 resume.log)"
# The reference on one host sums with MPI too, as the hosts do (bitwise comparison).
# One host, summing with MPI as the hosts do (auto would pick shared memory: other last bits).
run_np 4 90 -- "${args[@]}" --reducer mpi --out ref > ref.log 2>&1 || fail "reference run: $(tail -5 ref.log)"
"$PY" "$IMINE_SOURCE_DIR/scripts/compare_checkpoints.py" --exact \
  ref/checkpoints/ckpt-00000040.h5 run/checkpoints/ckpt-00000040.h5 \
  || fail "resumed run differs from an uninterrupted one"
echo "host killed: job ended in $ms ms naming host 3; resumed run == uninterrupted run"
