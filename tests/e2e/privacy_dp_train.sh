# DP-SGD end to end: with the test-only seeded noise, np 1 and np 2 give the same parameters
# (the Poisson batches and the noise do not depend on the rank count); epsilon is reported in
# metrics.jsonl and stored in the checkpoint and the labels; a fresh-noise (private) run
# differs from the seeded one; inconsistent --dp-* options are errors naming the option.
source "$(dirname "$0")/lib.sh"
run_np 2 120 -- synth --users 3000 --items 2000 --categories 16 --shards 3 --seed 4 --out data > /dev/null
args=(train --data data --seed 5 --batch-size 128 --epochs 2 --hidden 32,16 --dropout 0.1
      --item-buckets 512 --wide-items --eval-every 10 --progress-seconds 1000
      --dp-clip 0.5 --dp-noise-multiplier 1.1 --dp-delta 1e-5)
for np in 1 2; do
  run_np "$np" 200 -- "${args[@]}" --dp-seeded-noise --out "run$np" > "log$np.txt" 2>&1 \
    || fail "DP training at np $np failed: $(tail -5 log$np.txt)"
done
grep -q "TEST-ONLY seeded noise" log1.txt || fail "seeded noise not announced"
last=$(ls run1/checkpoints/ckpt-*.h5 | tail -1)
# ||a - b|| / ||a|| over every float tensor under /model (Linear stack, item table, wide paths).
cat > compare.py <<'PY'
import sys, h5py, numpy as np
def params(path):
    out = []
    with h5py.File(path, "r") as f:
        f["/model"].visititems(lambda n, d: out.append((n, d[...].astype(np.float64).ravel()))
                               if isinstance(d, h5py.Dataset) and d.dtype.kind == "f" else None)
    return sorted(out, key=lambda t: t[0])
a, b = params(sys.argv[1]), params(sys.argv[2])
assert [n for n, _ in a] == [n for n, _ in b] and len(a) >= 4, ([n for n, _ in a], [n for n, _ in b])
va, vb = np.concatenate([v for _, v in a]), np.concatenate([v for _, v in b])
rel = np.linalg.norm(va - vb) / np.linalg.norm(va)
print(f"relative difference {rel:.3g} over {va.size} parameters ({', '.join(n for n, _ in a)})")
sys.exit(0 if rel < float(sys.argv[3]) else 1)
PY
"$PY" compare.py "$last" "run2/checkpoints/$(basename "$last")" 1e-5 \
  || fail "np1 vs np2 DP parameters differ"
"$PY" - "$last" run1/metrics.jsonl <<'PY' || fail "epsilon not reported"
import json, sys, h5py, math
with h5py.File(sys.argv[1], "r") as f:
    a = f["/metrics"].attrs
    eps, delta, sigma = float(a["dp_epsilon"]), float(a["dp_delta"]), float(a["dp_noise_multiplier"])
    assert math.isfinite(eps) and 0 < eps < 50, eps
    assert delta == 1e-5 and abs(sigma - 1.1) < 1e-12, (delta, sigma)
rows = [json.loads(l) for l in open(sys.argv[2])]
assert len(rows) >= 2 and all("dp_epsilon" in r for r in rows), rows
eps_seq = [r["dp_epsilon"] for r in rows]
assert eps_seq == sorted(eps_seq) and eps_seq[0] < eps_seq[-1], eps_seq  # grows with steps
assert abs(eps_seq[-1] - eps) < 1e-4 * eps, (eps_seq[-1], eps)
PY
# At np 2 with frequent checksums: rank 0's fresh key must reach every rank (else the replicas
# diverge and the checksum comparison stops the run).
run_np 2 200 -- "${args[@]}" --out run_fresh --write-labels --checksum-every 5 > log_fresh.txt 2>&1 \
  || fail "private DP run failed"
"$PY" - run_fresh <<'PY' || fail "labels do not carry the checkpoint's epsilon"
import glob, sys, h5py
ck = sorted(glob.glob(sys.argv[1] + "/checkpoints/ckpt-*.h5"))[-1]
with h5py.File(ck, "r") as c, h5py.File(sys.argv[1] + "/labels.h5", "r") as l:
    assert l.attrs["dp_epsilon"] == c["/metrics"].attrs["dp_epsilon"] > 0, dict(l.attrs)
    assert l.attrs["dp_delta"] == 1e-5
PY
if "$PY" compare.py "$last" "run_fresh/checkpoints/$(basename "$last")" 1e-3 > /dev/null; then
  fail "CSPRNG noise equals the seeded noise"
fi
expect_error() {
  if run_np 1 60 -- "${args[@]}" --out bad "$@" > bad.txt 2>&1; then fail "accepted: $*"; fi
  grep -q -- "$1" bad.txt || fail "error for $* does not name $1: $(cat bad.txt)"
}
expect_error --dp-target-epsilon 2        # both noise multiplier and target epsilon
expect_error --dp-delta 0.01              # delta not below 1 / users
echo "DP-SGD rank-invariant, epsilon reported, options checked"
