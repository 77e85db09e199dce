# A complete labels file exists; a second `imine label` to the same --out is SIGKILLed on rank 0
# (held in the labels phase by a sleep fault): the file is byte-identical afterwards and nothing
# but temp names is left beside it; a rerun writes a complete file (check-labels passes).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"
run_np 2 120 -- synth --users 3000 --items 1000 --shards 2 --seed 11 --out data > /dev/null
run_np 2 120 -- train --data data --out run --epochs 1 --batch-size 64 --hidden 16 \
  --eval-every 8 --progress-seconds 1000 > train.log 2>&1 || fail "train: $(tail -3 train.log)"
ckpt=run/checkpoints/best.h5
mkdir labels
out="$WORK/labels/labels.h5"
run_np 2 120 -- label --checkpoint "$ckpt" --data data --out "$out" > first.log 2>&1 \
  || fail "first label run: $(tail -3 first.log)"
before=$(sha256sum < "$out")

IMINE_FAULT="rank=0,phase=labels,action=sleep=20" \
  "$MPIEXEC" -np 2 --oversubscribe -x IMINE_FAULT "$IMINE_BIN" label --checkpoint "$ckpt" \
  --data data --out "$out" > second.log 2>&1 &
job=$!
wait_for second.log "labels step [0-9]+: sleep" 60
kill_rank_and_wait "$out" 0 "$job" 10
echo "label run killed on rank 0: rc $rc after $ms ms"
[ "$rc" -ne 0 ] || fail "exit code 0 after rank 0 was killed"
[ "$(sha256sum < "$out")" = "$before" ] || fail "$out changed although the writer was killed"
extra=$(find labels -type f ! -name labels.h5 ! -name '.labels.h5.tmp.*')
[ -z "$extra" ] || fail "unexpected files beside the labels: $extra"
check_complete labels

run_np 2 120 -- label --checkpoint "$ckpt" --data data --out "$out" > third.log 2>&1 \
  || fail "rerun: $(tail -3 third.log)"
"$IMINE_BIN" check-labels --labels "$out" --data data > check.log 2>&1 \
  || fail "check-labels after the rerun: $(tail -3 check.log)"
echo "previous labels untouched by the killed run; the rerun is complete"
