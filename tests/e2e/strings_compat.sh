# Files from imine before format v2 (variable-length strings) are refused with a message naming
# the file and the converter; scripts/convert_strings.py makes them readable again, checksums
# intact. The "old" files are made from new ones by turning every string variable-length and
# setting schema_version back to 1, which is what earlier imine wrote.
source "$(dirname "$0")/lib.sh"
run_np 1 120 -- synth --users 600 --items 300 --categories 8 --shards 2 --seed 5 --out data \
  > /dev/null
run_np 1 120 -- train --data data --out run --epochs 1 --hidden 16 --eval-every 0 > /dev/null
ckpt=$(ls run/checkpoints/ckpt-*.h5 | tail -1)
mkdir old && cp data/*.h5 old/ && cp "$ckpt" old/ckpt.h5

"$PY" - old/*.h5 <<'PY'
import sys, h5py, numpy as np
vlen = h5py.string_dtype("utf-8")
def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)
def to_vlen(obj):
    for k in list(obj.attrs):
        v = obj.attrs[k]
        if h5py.check_string_dtype(obj.attrs.get_id(k).dtype) is None:
            continue
        obj.attrs.create(k, [text(x) for x in v] if isinstance(v, np.ndarray) else text(v),
                         dtype=vlen)
for path in sys.argv[1:]:
    with h5py.File(path, "r+") as f:
        names = []
        f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset)
                     and h5py.check_string_dtype(o.dtype) is not None else None)
        for n in names:
            values = [text(x) for x in f[n][()]]
            del f[n]
            f.create_dataset(n, data=np.array(values, dtype=object), dtype=vlen)
        objs = [f]
        f.visititems(lambda n, o: objs.append(o))
        for o in objs:
            to_vlen(o)
        f.attrs["schema_version"] = np.int64(1)
PY
h5dump -A -a /schema old/part-00000.h5 | grep -q "H5T_VARIABLE" || fail "downgrade did not work"

if run_np 1 60 -- train --data old --out run-old --epochs 1 > out.txt 2> err.txt; then
  fail "train read a dataset with variable-length strings"
fi
grep -q "old/.*\.h5: an imine file of format version 1 with variable-length strings.*scripts/convert_strings.py" \
  err.txt || fail "message does not name the file and the converter: $(cat err.txt)"
if run_np 1 60 -- eval --checkpoint old/ckpt.h5 --data data --split test > out.txt 2> err.txt; then
  fail "eval read a checkpoint with variable-length strings"
fi
grep -q "old/ckpt.h5: an imine file of format version 1" err.txt \
  || fail "checkpoint message: $(cat err.txt)"
if "$IMINE_BIN" inspect old/part-00000.h5 > inspect.txt 2>&1; then fail "inspect read it"; fi
grep -q "old/part-00000.h5: /: attribute schema is a variable-length string" inspect.txt \
  || fail "inspect: $(cat inspect.txt)"

"$PY" "$IMINE_SOURCE_DIR/scripts/convert_strings.py" old/*.h5 > /dev/null
[ -z "$(find old -name '.*.tmp.*')" ] || fail "converter left temp files"
run_np 1 120 -- train --data old --out run-old --epochs 1 --hidden 16 --eval-every 0 > /dev/null \
  || fail "converted dataset not readable"
run_np 1 60 -- eval --checkpoint old/ckpt.h5 --data data --split test > eval.txt \
  || fail "converted checkpoint not readable"
"$IMINE_BIN" inspect old/catalog.h5 | grep -q "imine.catalog" || fail "inspect converted catalog"
echo "strings compat ok"
