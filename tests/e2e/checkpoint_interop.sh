# The checkpoint and labels files are readable by h5py, and a numpy forward pass reproduces
# imine's label scores (scripts/check_checkpoint.py).
source "$(dirname "$0")/lib.sh"
run_np 2 120 -- synth --users 3000 --items 2000 --shards 2 --seed 6 --out data > /dev/null
run_np 2 -- train --data data --out run --epochs 1 --hidden 32,16 --eval-every 0 \
  --write-labels --progress-seconds 1000 > /dev/null
ckpt=$(ls run/checkpoints/ckpt-*.h5 | tail -1)
run_np 1 -- label --checkpoint "$ckpt" --data data --out labels.h5 --k 4 \
  --dump-features features.h5 > /dev/null
"$PY" "$IMINE_SOURCE_DIR/scripts/check_checkpoint.py" --checkpoint "$ckpt" \
  --labels labels.h5 --features features.h5
"$PY" - <<'PY' || fail "labels from train --write-labels and imine label disagree"
import h5py, numpy as np
a, b = h5py.File("run/labels.h5"), h5py.File("labels.h5")
assert a.attrs["schema"] in ("imine.labels", b"imine.labels") and a["/users/id"].shape[0] == 3000
ia, ib = a["/users/id"][:], b["/users/id"][:]
assert (ia == ib).all(), "user order differs"
assert (a["/labels/category"][:, :4] == b["/labels/category"][:]).all()
PY
for f in data/part-00000.h5 "$ckpt" labels.h5; do h5dump -H "$f" > /dev/null || fail "h5dump $f"; done
echo "interop ok"
