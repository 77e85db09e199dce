# jobs/pipeline.sh submits prepare -> train -> label as an afterok chain on a real (private)
# Slurm, from a raw shop-style event log; every job completes and the labels cover every user
# the prepared dataset has.
source "$(dirname "$0")/slurm_lib.sh"
export IMINE_CONFIG="$WORK/small.ini" IMINE_DATA="$WORK/data" IMINE_RUN="$WORK/run"
export IMINE_INPUT="$WORK/log.csv" IMINE_ID_KEY="$WORK/id.key"
"$PY" "$IMINE_SOURCE_DIR/scripts/gen_event_log.py" --lines 60000 --users 3000 --items 2000 \
  --categories 30 --seed 5 --out "$IMINE_INPUT"
cat > "$IMINE_CONFIG" <<'INI'
[prepare]
header = true
user-col = user_id
item-col = item_id
category-col = category_id
type-col = behavior_type
time-col = timestamp
shards = 2
min-events = 3
[train]
epochs = 2
hidden = 32,16
eval-every = 0
INI
out=$(cd "$WORK" && "$IMINE_SOURCE_DIR/jobs/pipeline.sh")
echo "$out"
ids=$(echo "$out" | awk '{print $2}')
wait_jobs 120 $ids
ls "$WORK"/imine-prepare-*.out > /dev/null || fail "the data step was not prepare.sbatch"
for id in $ids; do
  st=$(job_state "$id")
  [ "$st" = COMPLETED ] || { cat "$WORK"/imine-*-"$id".out; fail "job $id is $st"; }
done
"$IMINE_BIN" check-labels --labels "$IMINE_RUN/labels.h5" --data "$IMINE_DATA" \
  || fail "labels do not cover the dataset"
grep -q "status=ok" <("$IMINE_BIN" check-labels --labels "$IMINE_RUN/labels.h5" --data "$IMINE_DATA")
