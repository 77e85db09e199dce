# A slow but alive rank: the job completes and rank 0's step-time report names it; --trace
# writes a Chrome trace with spans of every rank, the allreduce among them.
source "$(dirname "$0")/lib.sh"
run_np 2 120 -- synth --users 3000 --items 1000 --shards 2 --seed 2 --out data > /dev/null
IMINE_FAULT="rank=1,step=3,phase=forward,action=sleep=1" run_np 2 120 -- train --data data \
  --out run --epochs 1 --batch-size 64 --hidden 16 --eval-every 0 --straggler-every 10 --trace trace.json \
  --trace-steps 20 --progress-seconds 1000 > log.txt 2>&1 || fail "job failed: $(tail -3 log.txt)"
grep -q "step time over steps 0-9: .*max [0-9.]* (rank 1); slowest: 1" log.txt \
  || fail "straggler not named: $(grep 'step time' log.txt)"
"$PY" - <<'PY'
import json
t = json.load(open("trace.json"))
ev = [e for e in t["traceEvents"] if e["ph"] == "X"]
ranks = {e["pid"] for e in ev}
names = {e["name"] for e in ev}
assert ranks == {0, 1}, ranks
assert {"forward", "backward", "allreduce", "optimizer"} <= names, names
print(len(ev), "spans from ranks", sorted(ranks))
PY
