# imine bench reduces gradients like the trainer: buckets overlapped with backward
# (--bucket-mb) give bitwise the parameters of one blocking allreduce (--bucket-mb 0), with or
# without dropout; the JSON line reports the buckets it used.
source "$(dirname "$0")/lib.sh"
SMALL=(bench --input-dim 40 --hidden 96,48 --output-dim 12 --batch 64 --steps 12 --warmup 2
       --windows 2)
run_np 2 120 -- "${SMALL[@]}" --bucket-mb 0 > blocking.json
run_np 2 120 -- "${SMALL[@]}" --bucket-mb 0.01 > buckets.json
run_np 2 120 -- "${SMALL[@]}" > default.json
run_np 2 120 -- "${SMALL[@]}" --bucket-mb 0 --dropout 0.3 > drop_blocking.json
run_np 2 120 -- "${SMALL[@]}" --bucket-mb 0.01 --dropout 0.3 > drop_buckets.json
run_np 1 120 -- "${SMALL[@]}" > np1.json
"$PY" - <<'PY'
import json
r = {n: json.loads(open(n + ".json").read()) for n in
     ["blocking", "buckets", "default", "drop_blocking", "drop_buckets", "np1"]}
for n, j in r.items():
    for k in ["samples_per_s", "step_ms_median", "allreduce_ms_median", "params_checksum"]:
        assert k in j, (n, k)
assert r["blocking"]["config"]["gradient_buckets"] == 0, r["blocking"]["config"]
# 96x40, 48x96 and 12x48 weights: 0.01 MiB (2621 floats) splits them into several buckets.
assert r["buckets"]["config"]["gradient_buckets"] >= 4, r["buckets"]["config"]
assert r["default"]["config"]["gradient_buckets"] == 1, r["default"]["config"]
c = {n: j["params_checksum"] for n, j in r.items()}
assert c["blocking"] == c["buckets"] == c["default"], c
assert c["drop_blocking"] == c["drop_buckets"], c
assert c["drop_blocking"] != c["blocking"], "dropout 0.3 did not change the training"
assert r["np1"]["config"]["world_size"] == 1 and r["np1"]["allreduce_ms_median"] == 0.0
print("bucketed == blocking:", c)
PY
