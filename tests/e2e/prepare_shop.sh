# imine prepare on a generated shop-style log (user,item,category,behaviour,timestamp) through
# the generic options only: np 1 (in memory) and np 2 (spilling, --memory-limit 1) give the
# same shards (manifest content checksums), every row is accounted for, no raw user id reaches
# the output, and imine train runs on the result.
source "$(dirname "$0")/lib.sh"
"$PY" "$IMINE_SOURCE_DIR/scripts/gen_event_log.py" --lines 60000 --users 3000 --items 2000 \
  --categories 30 --seed 11 --out log.csv
# Users with distinctive raw ids (to grep for), malformed lines, and a gzip-compressed part.
{
  for u in raw-user-alpha-7f3c raw-user-bravo-91d2 raw-user-charlie-0a4e; do
    for i in 1 2 3 4 5 6; do echo "$u,$((i * 7)),3,pv,170000$i$i$i$i"; done
    echo "$u,14,3,buy,2023-11-20T10:00:00Z"
  done
  echo "raw-user-alpha-7f3c,14,3,pv"           # truncated
  echo "raw-user-bravo-91d2,14,3,teleport,1700000000"  # unknown type
  printf 'raw-user-charlie-0a4e,14,3,pv,17000\0000\r\n'  # NUL in the time, CRLF
} > extra.csv
(echo "user_id,item_id,category_id,behavior_type,timestamp"; cat extra.csv) | gzip > extra.csv.gz
args=(prepare --input log.csv,extra.csv.gz --header --user-col user_id --item-col item_id
      --category-col category_id --type-col behavior_type --time-col timestamp
      --id-key-file id.key --shards 3 --min-events 3 --min-item-users 2)
run_np 1 120 -- "${args[@]}" --out d1 > out1.txt
run_np 2 120 -- "${args[@]}" --out d2 --memory-limit 1 > out2.txt  # spills
cat out1.txt
[ "$(stat -c %a id.key)" = 600 ] || fail "key file mode is $(stat -c %a id.key)"
sums() { "$PY" -c "import h5py,sys; f=h5py.File(sys.argv[1]); print(list(f['/shards/checksum'][:]), f.attrs['num_events'])" "$1/manifest.h5"; }
a="$(sums d1)"; b="$(sums d2)"
[ "$a" = "$b" ] || fail "np1 and np2 differ: $a vs $b"
"$PY" - d1/prepare-report.json <<'PYEOF' || fail "report does not account for every row"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["rows_read"] == 60000 + 24, r["rows_read"]
assert r["rows_kept"] + sum(r["dropped"].values()) == r["rows_read"], r
assert r["dropped"]["malformed_field_count"] == 1 and r["dropped"]["malformed_type"] == 1, r
assert r["dropped"]["malformed_time"] == 1, r
assert len(r["first_bad_lines"]) == 3, r["first_bad_lines"]
r2 = json.load(open(sys.argv[1].replace("d1", "d2")))
assert r2["spilled_events"] > 0 and r["spilled_events"] == 0, (r2["spilled_events"], r["spilled_events"])
PYEOF
for u in raw-user-alpha-7f3c raw-user-bravo-91d2 raw-user-charlie-0a4e; do
  if grep -r -a -q -F "$u" d1 d2; then fail "raw id $u appears in the output"; fi
done
run_np 2 200 -- train --data d1 --out run --epochs 1 --batch-size 256 --hidden 16 \
  --eval-every 0 --progress-seconds 1000 > train.txt || fail "train on the prepared data"
ls run/checkpoints/*.h5 > /dev/null || fail "no checkpoint"
echo "prepare np1 == np2: $a; train ran"
