# MovieLens 100K (real data): prepare + train (Wide & Deep with hashed items, fewer epochs than
# configs/movielens-100k.ini) + eval on the TEST users; the model's micro-AUC must beat HIST's
# by at least 0.03. Skipped (exit 77) when the shared data folder is absent.
source "$(dirname "$0")/lib.sh"
ML="$IMINE_SOURCE_DIR/../shared/data/movielens-100k"
if [ ! -f "$ML/u.data" ] || [ ! -f "$ML/u.item" ] || [ ! -f "$ML/u.genre" ]; then
  echo "SKIP: $ML not found"
  exit 77
fi
cut -d'|' -f1 "$ML/u.genre" | grep -v '^$' > genres.txt
# The public benchmark key of docs/model-quality.md: the pseudonyms, hence the user split, are
# those of the documented figures.
printf 'imine-movielens-100k-public-key!' > bench.key
chmod 600 bench.key
run_np 2 60 -- prepare --input "$ML/u.data" --delimiter tab --user-col 0 --item-col 1 \
  --weight-col 2 --time-col 3 --time-format seconds --default-type rate \
  --catalog "$ML/u.item" --catalog-delimiter '|' --catalog-flag-from 5 \
  --category-names genres.txt --min-events 5 --shards 2 --out data --id-key-file bench.key > prepare.txt
run_np 2 90 -- train --config "$IMINE_SOURCE_DIR/configs/movielens-100k.ini" --data data \
  --out run --epochs 12 --progress-seconds 1000 > train.txt
run_np 2 60 -- eval --checkpoint run/checkpoints/best.h5 --data data --split test --json > eval.json
"$PY" - <<'PY'
import json
m = json.loads(open("eval.json").read())
print({k: round(v, 4) for k, v in m.items() if k.endswith(("micro_auc", "macro_auc", "ndcg_at_k"))})
assert m["split"] == "test" and m["users"] > 50, m["users"]
assert m["model_micro_auc"] >= m["hist_micro_auc"] + 0.03, "micro-AUC not 0.03 above HIST"
PY
test -s run/feature-report.json || fail "no feature-report.json"
