# jobs/pipeline.sh submits data -> train -> label as an afterok chain on a real (private)
# Slurm; every job completes and the labels cover every user.
source "$(dirname "$0")/slurm_lib.sh"
export IMINE_CONFIG="$WORK/small.ini" IMINE_DATA="$WORK/data" IMINE_RUN="$WORK/run"
printf '[synth]\nusers = 3000\nitems = 2000\nshards = 2\n[train]\nepochs = 2\nhidden = 32,16\neval-every = 0\n' > "$IMINE_CONFIG"
out=$(cd "$WORK" && "$IMINE_SOURCE_DIR/jobs/pipeline.sh")
echo "$out"
ids=$(echo "$out" | awk '{print $2}')
wait_jobs 120 $ids
for id in $ids; do
  st=$(job_state "$id")
  [ "$st" = COMPLETED ] || { cat "$WORK"/imine-*-"$id".out; fail "job $id is $st"; }
done
"$PY" - "$IMINE_RUN/labels.h5" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1])
n = f["/users/id"].shape[0]
assert n == 3000, n
print("labels for", n, "users")
PY
