# Uneven data per rank: 30 users in 3 shards at np 1, 2 and 4; 3 users at np 4 (at least one
# rank holds no user); a 2-shard dataset whose second shard is empty at np 2 and 4. Training
# completes and every epoch's steps together process exactly the training users the start-up
# line counts ("train N"): each training user once per epoch, whatever the split over ranks.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"
run_np 1 60 -- synth --users 30 --items 1000 --shards 3 --seed 3 --out users30 > /dev/null
run_np 1 60 -- synth --users 3 --items 1000 --shards 3 --seed 3 --out users3 > /dev/null
run_np 2 60 -- synth --users 2000 --items 1000 --shards 2 --seed 3 --out even > /dev/null
"$PY" "$IMINE_SOURCE_DIR/scripts/make_corrupt_shards.py" even variants --only empty-shard \
  > /dev/null || fail "make_corrupt_shards.py"

# check DATA NP BATCH: trains 3 epochs and compares each epoch's samples with "train N".
check() {
  local data="$1" np="$2" batch="$3" log="${1//\//-}-np$2.log" n epochs
  run_np "$np" 120 -- train --data "$data" --out "run-${data//\//-}-$np" --epochs 3 --batch-size "$batch" \
    --hidden 8 --eval-every 0 --progress-seconds 1000 > "$log" 2>&1 \
    || fail "$data at np $np: $(grep -m1 'imine: rank' "$log" || tail -3 "$log")"
  n=$(sed -nE 's/.*; train ([0-9]+), validation.*/\1/p' "$log")
  [ -n "$n" ] && [ "$n" -gt 0 ] || fail "$data at np $np: no 'train N' line"
  epochs=$(grep -cE "epoch [0-9]+: $n samples$" "$log" || true)
  echo "$data np $np: train $n; $(grep -E 'epoch [0-9]+: [0-9]+ samples' "$log" \
    | sed -E 's/.*(epoch [0-9]+: [0-9]+) samples.*/\1/' | paste -sd, -)"
  [ "$epochs" -eq 3 ] || fail "$data at np $np: not all 3 epochs processed $n samples"
}
for np in 1 2 4; do check users30 "$np" 8; done
check users3 4 2
check variants/empty-shard 2 64
check variants/empty-shard 4 64
echo "every training user once per epoch at every rank count"
