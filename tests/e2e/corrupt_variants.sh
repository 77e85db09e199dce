# Hostile inputs: every variant written by scripts/make_corrupt_shards.py (one corruption each,
# in the last shard, read by rank 1 at np 2) makes `imine train` exit non-zero within 10 s with
# a one-line "imine: rank R: ..." message naming the file and the dataset or attribute, and
# never crash (signal, sanitizer report). The empty shard (0 users) is valid and must train.
source "$(dirname "$0")/lib.sh"
run_np 2 120 -- synth --users 2000 --items 1000 --shards 2 --seed 2 --out data > /dev/null
"$PY" "$IMINE_SOURCE_DIR/scripts/make_corrupt_shards.py" data var > /dev/null

# variant -> what the error line must contain after "imine: rank R: var/<variant>/"
declare -A expect=(
  [truncated]="part-00001.h5: cannot open HDF5 file"
  [bytes-flipped]="part-00001.h5: /events/time: read of rows"
  [wrong-schema-version]="part-00001.h5: imine.users version 3 is not supported"
  [wrong-dtype]="part-00001.h5: /events/item: wrong element type"
  [offsets-not-monotonic]="part-00001.h5: /events/offsets: not monotonic at index"
  [offsets-past-end]="part-00001.h5: /events/offsets: ends at"
  [item-beyond-catalog]="part-00001.h5: /events/item: item id"
  [unsorted-times]="part-00001.h5: /events/time: not sorted within user"
  [nan-weight]="part-00001.h5: /events/weight: not finite at index"
  [absurd-attribute]="part-00001.h5: root attribute num_events = 1152921504606846976 is outside"
  [absurd-dataset]="part-00001.h5: /events/item: 1152921504606846976 entries"
  [missing-catalog]="catalog.h5: not a readable HDF5 file"
)
crash='Segmentation|signal [0-9]|Sanitizer|runtime error:|core dumped|terminate called'
failures=0
for v in $("$PY" "$IMINE_SOURCE_DIR/scripts/make_corrupt_shards.py" --list); do
  start=$(date +%s%N)
  rc=0
  run_np 2 30 -- train --data "var/$v" --out "run-$v" --epochs 1 --max-steps 3 \
    > "out-$v.txt" 2> "err-$v.txt" || rc=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  line=$(grep -m1 '^imine: rank [0-9]*: ' "err-$v.txt" || true)
  if grep -qE "$crash" "err-$v.txt"; then
    echo "FAIL $v: crashed: $(grep -m1 -E "$crash" "err-$v.txt")"; failures=$((failures + 1))
  elif [ "$v" = empty-shard ]; then
    if [ "$rc" -ne 0 ] || ! grep -q '^checkpoint: ' "out-$v.txt"; then
      echo "FAIL $v: an empty shard must train (rc $rc): $(tail -3 "err-$v.txt")"
      failures=$((failures + 1))
    else
      echo "ok   $v: trained (${ms} ms)"
    fi
  elif [ "$rc" -eq 0 ]; then
    echo "FAIL $v: training succeeded"; failures=$((failures + 1))
  elif [ "$ms" -ge 10000 ]; then
    echo "FAIL $v: took ${ms} ms to fail (rc $rc)"; failures=$((failures + 1))
  elif [ -z "${expect[$v]:-}" ]; then
    echo "FAIL $v: no expected message in this test: $line"; failures=$((failures + 1))
  elif ! grep -qF -- "var/$v/${expect[$v]}" <<< "$line"; then
    echo "FAIL $v: expected 'var/$v/${expect[$v]}', got: ${line:-$(tail -3 "err-$v.txt")}"
    failures=$((failures + 1))
  else
    echo "ok   $v: rc $rc in ${ms} ms: $line"
  fi
done
[ "$failures" -eq 0 ] || fail "$failures corrupt variant(s) misbehaved"
