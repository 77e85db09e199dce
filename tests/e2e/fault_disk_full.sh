# A write error (file size limit: ulimit -f, with SIGXFSZ ignored by imine so write() fails
# with EFBIG) while writing a checkpoint and while writing labels: exit non-zero with one
# `imine: rank 0: ...` line naming the file, no temp file left, earlier outputs byte-identical.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/fault_lib.sh"
# No shared-memory transport: its backing file is larger than the limit, and the limit is
# meant for imine's outputs.
export OMPI_MCA_btl=self,tcp
run_np 2 120 -- synth --users 3000 --items 1000 --shards 2 --seed 12 --out data > /dev/null
args=(train --data data --seed 1 --epochs 1 --batch-size 64 --hidden 16 --eval-every 4
      --progress-seconds 1000 --out run)
run_np 2 120 -- "${args[@]}" --max-steps 8 > first.log 2>&1 || fail "first run: $(tail -3 first.log)"
run_np 2 120 -- label --checkpoint run/checkpoints/ckpt-00000008.h5 --data data \
  --out run/labels.h5 > label.log 2>&1 || fail "label: $(tail -3 label.log)"
sums() { (cd run && find . -type f -name '*.h5' | sort | xargs sha256sum); }
before=$(sums)
size=$(stat -c %s run/checkpoints/ckpt-00000008.h5)
limit_kib=$(( size / 1024 / 4 ))  # a quarter of a checkpoint

# limited NAME imine-args...: runs them with the file size limit on every rank.
limited() {
  local name="$1"; shift
  local start; start=$(date +%s%N)
  rc=0
  timeout --kill-after=5 60 "$MPIEXEC" -np 2 --oversubscribe \
    bash -c "ulimit -f $limit_kib; exec \"\$0\" \"\$@\"" "$IMINE_BIN" "$@" > "$name.log" 2>&1 || rc=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  line=$(grep -m1 '^imine: rank' "$name.log" || true)
  echo "$name: rc $rc in $ms ms: $line"
  [ "$rc" -ne 0 ] || fail "$name: succeeded despite a $limit_kib KiB file size limit"
  ! grep -q "File size limit exceeded\|signal 25" "$name.log" || fail "$name: killed by SIGXFSZ"
}

limited checkpoint "${args[@]}" --resume auto
[[ "$line" == "imine: rank 0: "*"ckpt-00000012.h5"* ]] \
  || fail "checkpoint: the message does not name the checkpoint: $line"
limited labels label --checkpoint run/checkpoints/ckpt-00000008.h5 --data data \
  --out run/labels.h5
[[ "$line" == "imine: rank 0: "*"labels.h5"* ]] || fail "labels: the message does not name the file: $line"
left=$(find run -name '.*.tmp.*')
[ -z "$left" ] || fail "temp files left after a failed write: $left"
[ "$(sums)" = "$before" ] || fail "earlier outputs changed: $(diff <(echo "$before") <(sums))"
[ ! -e run/checkpoints/ckpt-00000012.h5 ] || fail "a checkpoint 12 exists"
echo "write errors reported, earlier outputs intact"
