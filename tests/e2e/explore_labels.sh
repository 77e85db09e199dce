# Explore/exploit labels (docs/explore-exploit.md): the same seed gives identical labels, scores
# and propensities at np=1 and np=2 for every policy, budget calibration included; the file
# records the policy; eval-policy scores labels, estimates another policy off-policy and sweeps.
source "$(dirname "$0")/lib.sh"
run_np 2 120 -- synth --users 4000 --items 2000 --categories 16 --shards 3 --seed 5 \
  --out data > /dev/null
run_np 2 180 -- train --data data --out run --epochs 2 --batch-size 128 --hidden 32,16 \
  --eval-every 0 --progress-seconds 1000 > train.log 2>&1 || fail "train: $(tail -3 train.log)"
grep -q "posterior head" train.log || fail "no posterior head fitted: $(tail -3 train.log)"
ckpt=run/checkpoints/best.h5

for policy in epsilon softmax squarecb thompson ucb; do
  for np in 1 2; do
    run_np "$np" 120 -- label --checkpoint "$ckpt" --data data --out "$policy-np$np.h5" \
      --policy "$policy" --explore-budget 0.2 --seed 3 --window input > "label-$policy-$np.log" 2>&1 \
      || fail "label $policy np=$np: $(tail -3 "label-$policy-$np.log")"
  done
  "$PY" - "$policy-np1.h5" "$policy-np2.h5" <<'PYEOF' || fail "$policy: labels differ between np=1 and np=2"
import sys, h5py, numpy as np
a, b = (h5py.File(p, "r") for p in sys.argv[1:])
assert a.attrs["schema_version"] == 2, a.attrs["schema_version"]
for name in ["/users/id", "/labels/category", "/labels/score", "/labels/slot", "/labels/propensity"]:
    x, y = a[name][...], b[name][...]
    assert x.shape == y.shape and np.array_equal(x, y), name
for attr in ["policy", "policy_params", "policy_seed"]:
    assert a.attrs[attr] == b.attrs[attr], attr
p = a["/labels/propensity"][...]
assert ((p > 0) & (p <= 1)).all()
share = a["/labels/slot"][...].mean()
assert 0.1 < share < 0.3, f"explore share {share} far from the 0.2 budget"
print(sys.argv[1], a.attrs["policy"], a.attrs["policy_params"], "explore share", round(share, 3))
PYEOF
done

# Labels from every event have seen the target window: eval-policy refuses them.
run_np 1 60 -- label --checkpoint "$ckpt" --data data --out all.h5 > /dev/null 2>&1
if run_np 1 60 -- eval-policy --labels all.h5 --data data > refuse.log 2>&1; then
  fail "eval-policy accepted labels scored from every event"
fi
grep -q "window input" refuse.log || fail "refusal does not say why: $(tail -3 refuse.log)"

run_np 2 120 -- eval-policy --labels epsilon-np1.h5 --data data --json --ope --policy softmax \
  --explore-budget 0.2 > eval.json 2> eval.err || fail "eval-policy: $(tail -3 eval.err)"
"$PY" - eval.json <<'PYEOF' || fail "eval-policy JSON: $(cat eval.json)"
import sys, json
d = json.loads(open(sys.argv[1]).read())
for key in ["new_interest_hits", "exploit_precision_at_k", "precision_at_k", "ndcg_at_k",
            "explore_new_interest_rate", "new_interest_recall", "distinct_categories",
            "exposure_gini", "novel_user_share", "truth_surfaced", "ope_ips_hit_rate",
            "ope_snips_hit_rate", "ope_dr_hit_rate", "ope_target_true_hit_rate"]:
    assert key in d, key
assert d["users"] > 0 and d["policy"] == "epsilon"
print({k: d[k] for k in ["precision_at_k", "ope_dr_hit_rate", "ope_target_true_hit_rate"]})
PYEOF

run_np 2 180 -- eval-policy --sweep --checkpoint "$ckpt" --data data --budgets 0.1,0.3 \
  --sweep-out sweep.csv > sweep.log 2>&1 || fail "sweep: $(tail -3 sweep.log)"
rows=$(($(wc -l < sweep.csv) - 1))
[ "$rows" -eq 11 ] || fail "sweep.csv has $rows rows, expected 11 (greedy + 5 policies x 2)"
echo "labels identical at np=1 and np=2 for 5 policies; eval-policy and the sweep ran"
