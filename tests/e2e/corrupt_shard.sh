# A corrupt shard read by one rank at np=2 ends the whole job promptly, non-zero, with the
# rank-prefixed message naming the file.
source "$(dirname "$0")/lib.sh"
run_np 2 120 -- synth --users 2000 --items 1000 --shards 2 --seed 2 --out data > /dev/null
# Make the end of the second shard non-monotonic (the last rank reads it).
"$PY" - <<'PY'
import h5py
with h5py.File("data/part-00001.h5", "r+") as f:
    off = f["/events/offsets"]
    v = off[:]
    v[-12] = v[-10] + 5  # near the end: read by the last rank
    off[:] = v
PY
start=$(date +%s)
if run_np 2 60 -- train --data data --out run --epochs 1 > out.txt 2> err.txt; then
  fail "training on a corrupt shard succeeded"
fi
elapsed=$(( $(date +%s) - start ))
grep -q "imine: rank 1: .*part-00001.h5.*/events/offsets" err.txt \
  || fail "message does not name rank, file and dataset: $(cat err.txt)"
[ "$elapsed" -lt 10 ] || fail "took ${elapsed}s to abort"
echo "corrupt shard aborted in ${elapsed}s: $(grep 'imine: rank' err.txt | head -1)"
