# The newest checkpoint damaged after the run: bytes flipped inside the stored first-layer
# weights (only the content checksum can tell), or the file truncated. --resume auto warns,
# naming the file, and resumes from the previous valid checkpoint, then finishes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"
run_np 2 120 -- synth --users 3000 --items 1000 --shards 2 --seed 6 --out data > /dev/null
args=(train --data data --seed 2 --epochs 1 --batch-size 64 --hidden 16 --eval-every 4
      --progress-seconds 1000)
run_np 2 120 -- "${args[@]}" --out base --max-steps 12 > base.log 2>&1 \
  || fail "first run: $(tail -3 base.log)"
ls base/checkpoints/ckpt-00000008.h5 base/checkpoints/ckpt-00000012.h5 > /dev/null \
  || fail "expected checkpoints 8 and 12: $(ls base/checkpoints)"

# flip FILE: inverts 16 bytes in the middle of /model/layers/0/weight's stored bytes.
flip() {
  "$PY" - "$1" <<'PYEOF'
import sys, h5py
path = sys.argv[1]
with h5py.File(path, "r") as f:
    d = f["/model/layers/0/weight"]
    if d.chunks:
        info = d.id.get_chunk_info(0)
        start, size = info.byte_offset, info.size
    else:
        start, size = d.id.get_offset(), d.id.get_storage_size()
at = start + size // 2
with open(path, "r+b") as f:
    f.seek(at)
    b = bytearray(f.read(16))
    f.seek(at)
    f.write(bytes(x ^ 0xFF for x in b))
print(f"{path}: flipped 16 bytes at {at} (dataset bytes {start}..{start + size})")
PYEOF
}

for variant in flipped truncated; do
  cp -r base "$variant"  # a copy: best.h5 may be a hard link to the newest checkpoint
  newest="$variant/checkpoints/ckpt-00000012.h5"
  if [ "$variant" = flipped ]; then
    flip "$newest"
    h5dump -H "$newest" > /dev/null || fail "flipped: the HDF5 structure should still read"
  else
    truncate -s $(( $(stat -c %s "$newest") / 2 )) "$newest"
  fi
  run_np 2 120 -- "${args[@]}" --out "$variant" --resume auto > "$variant.log" 2>&1 \
    || fail "$variant: resume failed: $(tail -3 "$variant.log")"
  echo "$variant: $(grep -m1 'warning: skipping checkpoint' "$variant.log" || true)"
  grep -q "warning: skipping checkpoint $newest" "$variant.log" \
    || fail "$variant: no warning naming $newest: $(grep -m3 'imine' "$variant.log")"
  if [ "$variant" = flipped ]; then
    grep -q "skipping checkpoint $newest: content checksum mismatch" "$variant.log" \
      || fail "flipped: the checksum did not catch the flipped bytes"
  fi
  grep -q "resuming from $variant/checkpoints/ckpt-00000008.h5 (step 8)" "$variant.log" \
    || fail "$variant: did not resume from step 8: $(grep -m2 'resum' "$variant.log")"
  grep -q "done: " "$variant.log" || fail "$variant: did not finish"
done
echo "damaged newest checkpoint skipped; resumed from the previous one"
