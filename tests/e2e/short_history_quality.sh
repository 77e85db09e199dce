# Short histories (2 to 6 events per user), where the user's own history (HIST) is strong: the
# wide path lets the model fall back on it, so its TEST micro-AUC is at least HIST's.
source "$(dirname "$0")/lib.sh"
run_np 2 120 -- synth --users 20000 --items 5000 --categories 24 --shards 2 --seed 5 \
  --min-events 2 --max-events 6 --mean-events 4 --out data > /dev/null
run_np 2 300 -- train --data data --out run --seed 1 --epochs 12 --hidden 64,32 \
  --batch-size 256 --warmup-steps 20 --eval-every 0 --progress-seconds 1000 > train.txt
run_np 2 60 -- eval --checkpoint run/checkpoints/best.h5 --data data --split test --json > eval.json
# The same table through the text output, from one rank.
run_np 1 60 -- eval --checkpoint run/checkpoints/best.h5 --data data --split test > eval.txt
grep -q "^hist " eval.txt || fail "eval table lacks the HIST row"
"$PY" - <<'PY'
import json
m = json.loads(open("eval.json").read())
print({k: round(v, 4) for k, v in m.items() if k.endswith(("micro_auc", "ndcg_at_k"))})
assert m["model_micro_auc"] >= m["hist_micro_auc"], "micro-AUC below HIST on short histories"
text = open("eval.txt").read().split("\n")
row = [l for l in text if l.startswith("model ")][0].split()
assert abs(float(row[1]) - m["model_micro_auc"]) < 1e-4, "np 1 and np 2 evals disagree"
PY
