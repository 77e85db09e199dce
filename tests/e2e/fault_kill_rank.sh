# One rank SIGKILLed mid-training (at np 2 rank 1, at np 4 rank 0, the writer): mpirun ends the
# job with a non-zero exit within 10 s, and every checkpoint, best.h5 and labels.h5 under its
# final name is complete (temp names only for anything half-written).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"
run_np 2 120 -- synth --users 3000 --items 1000 --shards 2 --seed 4 --out data > /dev/null

for case in "2 1" "4 0"; do
  read -r np rank <<< "$case"
  out="$WORK/kill-np$np"
  # The rank to be killed sleeps 20 s in forward at step 6, after the checkpoints of steps 2, 4
  # and 6; the others wait for it in the allreduce. --write-labels: labels.h5 must not appear.
  IMINE_FAULT="rank=$rank,step=6,phase=forward,action=sleep=20" \
    "$MPIEXEC" -np "$np" --oversubscribe -x IMINE_FAULT "$IMINE_BIN" train --data data \
    --out "$out" --epochs 2 --batch-size 64 --hidden 16 --eval-every 2 --write-labels \
    --progress-seconds 1000 > "np$np.log" 2>&1 &
  job=$!
  wait_for "np$np.log" "forward step 6: sleep" 60
  kill_rank_and_wait "$out" "$rank" "$job" 10
  echo "np $np: rank $rank killed: job ended with rc $rc after $ms ms"
  [ "$rc" -ne 0 ] || fail "np $np: exit code 0 after a rank was killed"
  [ "$ms" -lt 10000 ] || fail "np $np: the job took $ms ms to end"
  [ ! -e "$out/labels.h5" ] || fail "np $np: labels.h5 written by a killed job"
  ls "$out"/checkpoints/ckpt-00000006.h5 > /dev/null || fail "np $np: checkpoint 6 missing"
  check_complete "$out"
done
echo "killed ranks end the job; outputs complete"
