# On the synthetic data the model beats HIST on validation micro-AUC and NDCG@3, and its
# new-interest Recall@3 is above HIST's.
source "$(dirname "$0")/lib.sh"
run_np 2 200 -- synth --config "$IMINE_SOURCE_DIR/configs/quickstart.ini" --seed 11 --out data > /dev/null
run_np 2 400 -- train --config "$IMINE_SOURCE_DIR/configs/quickstart.ini" --data data --out run \
  --progress-seconds 1000 > train.txt
"$PY" - <<'PY'
import json
m = [json.loads(l) for l in open("run/metrics.jsonl")][-1]
print({k: round(m[k], 4) for k in m if k.endswith(("micro_auc", "ndcg_at_k", "new_interest_recall_at_k"))})
assert m["model_micro_auc"] > m["hist_micro_auc"], "micro-AUC not above HIST"
assert m["model_ndcg_at_k"] > m["hist_ndcg_at_k"], "NDCG@3 not above HIST"
assert m["model_new_interest_recall_at_k"] > m["hist_new_interest_recall_at_k"], "new-interest recall not above HIST"
PY
