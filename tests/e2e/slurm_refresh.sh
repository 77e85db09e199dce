# Two runs of jobs/refresh.sbatch on a real Slurm: each fine-tunes the current model on the
# data (--init-from), writes a checked label version, and only then moves `latest`; after two
# runs there are two versions and latest points at the second.
source "$(dirname "$0")/slurm_lib.sh"
export IMINE_CONFIG="$WORK/small.ini" IMINE_DATA="$WORK/data" IMINE_RUN="$WORK/run"
export IMINE_LABELS_DIR="$WORK/labels" IMINE_REFRESH_ARGS="--epochs 1"
printf '[synth]\nusers = 3000\nitems = 2000\nshards = 2\n[train]\nepochs = 2\nhidden = 32,16\neval-every = 0\n' > "$IMINE_CONFIG"
run_np 2 120 -- synth --config "$IMINE_CONFIG" --out "$IMINE_DATA" > /dev/null
run_np 2 120 -- train --config "$IMINE_CONFIG" --data "$IMINE_DATA" --out "$IMINE_RUN" > /dev/null 2>&1
versions=()
for i in 1 2; do
  id=$(cd "$WORK" && sbatch --parsable "$IMINE_SOURCE_DIR/jobs/refresh.sbatch")
  wait_jobs 200 "$id"
  [ "$(job_state "$id")" = COMPLETED ] || fail "refresh $i: $(tail "$WORK/imine-refresh-$id.out")"
  versions+=("$(readlink "$IMINE_LABELS_DIR/latest")")
  grep -q "status=ok" "$IMINE_LABELS_DIR/${versions[-1]}/MANIFEST" || fail "refresh $i: no check"
  grep -q "fine-tuning from" "$WORK/imine-refresh-$id.out" || fail "refresh $i did not fine-tune"
done
[ "$(ls -d "$IMINE_LABELS_DIR"/2*/ | wc -l)" -eq 2 ] || fail "expected 2 versions: $(ls "$IMINE_LABELS_DIR")"
[ "${versions[0]}" != "${versions[1]}" ] || fail "latest did not move"
[ "$(readlink "$IMINE_LABELS_DIR/latest")" = "${versions[1]}" ] || fail "latest is not the second"
# The second refresh started from the first one's model.
grep -q "refresh/${versions[0]}" <(readlink -f "$IMINE_RUN/current.h5") && fail "current did not move"
"$IMINE_BIN" check-labels --labels "$IMINE_LABELS_DIR/latest/labels.h5" --data "$IMINE_DATA"
echo "versions: ${versions[*]}"
