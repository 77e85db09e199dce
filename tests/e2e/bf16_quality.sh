# --precision bf16 (bf16 products, fp32 master weights, optimizer, loss and reduction) trains
# to the same validation quality as fp32 with the same seed: micro-AUC within 0.003, and no
# NaN/Inf anywhere in the run's metrics. (docs/performance.md has the 3-seed figures on the
# quickstart data and MovieLens.)
source "$(dirname "$0")/lib.sh"
run_np 2 120 -- synth --config "$IMINE_SOURCE_DIR/configs/quickstart.ini" --users 20000 \
  --seed 4 --out data > /dev/null
for p in fp32 bf16; do
  run_np 2 200 -- train --config "$IMINE_SOURCE_DIR/configs/quickstart.ini" --data data \
    --out "run-$p" --seed 3 --epochs 4 --eval-every 100 --precision "$p" \
    --progress-seconds 1000 > "train-$p.txt" 2>&1
done
grep -q "(bf16 onednn products)" train-bf16.txt || fail "the bf16 run did not use bf16 products"
grep -q "(fp32 onednn products)" train-fp32.txt || fail "the fp32 run did not use fp32 products"
"$PY" - <<'PY'
import json, math
runs = {p: [json.loads(l) for l in open(f"run-{p}/metrics.jsonl")] for p in ("fp32", "bf16")}
for p, rows in runs.items():
    for r in rows:
        for k, v in r.items():
            if isinstance(v, float):
                assert math.isfinite(v), f"{p}: {k} = {v} at step {r.get('step')}"
a, b = runs["fp32"][-1]["model_micro_auc"], runs["bf16"][-1]["model_micro_auc"]
print(f"validation micro-AUC fp32 {a:.4f} bf16 {b:.4f} difference {b - a:+.4f}")
assert abs(a - b) <= 0.003, "bf16 micro-AUC differs from fp32 by more than 0.003"
PY
