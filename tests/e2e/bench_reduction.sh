# imine bench reduces gradients like the trainer: buckets overlapped with backward
# (--bucket-mb) give bitwise the parameters of one reduction after backward (--bucket-mb 0),
# with or without dropout, and at two ranks the shared-memory reducer gives bitwise what MPI's
# allreduce gives; the JSON line reports the reducer and the buckets it used.
source "$(dirname "$0")/lib.sh"
SMALL=(bench --input-dim 40 --hidden 96,48 --output-dim 12 --batch 64 --steps 12 --warmup 2
       --windows 2)
for red in mpi shm; do
  run_np 2 120 -- "${SMALL[@]}" --reducer $red --bucket-mb 0 > ${red}_blocking.json
  run_np 2 120 -- "${SMALL[@]}" --reducer $red --bucket-mb 0.01 > ${red}_buckets.json
  run_np 2 120 -- "${SMALL[@]}" --reducer $red > ${red}_default.json
  run_np 2 120 -- "${SMALL[@]}" --reducer $red --bucket-mb 0 --dropout 0.3 > ${red}_drop_blocking.json
  run_np 2 120 -- "${SMALL[@]}" --reducer $red --bucket-mb 0.01 --dropout 0.3 > ${red}_drop_buckets.json
done
run_np 2 120 -- "${SMALL[@]}" > auto.json
run_np 1 120 -- "${SMALL[@]}" > np1.json
"$PY" - <<'PY'
import json
names = [red + "_" + v for red in ["mpi", "shm"]
         for v in ["blocking", "buckets", "default", "drop_blocking", "drop_buckets"]]
r = {n: json.loads(open(n + ".json").read()) for n in names + ["auto", "np1"]}
for n, j in r.items():
    for k in ["samples_per_s", "step_ms_median", "allreduce_ms_median", "params_checksum"]:
        assert k in j, (n, k)
for red in ["mpi", "shm"]:
    for v in ["blocking", "buckets", "default"]:
        assert r[red + "_" + v]["config"]["reducer"] == red, r[red + "_" + v]["config"]
    assert r[red + "_blocking"]["config"]["gradient_buckets"] == 1, r[red + "_blocking"]["config"]
    # 96x40, 48x96 and 12x48 weights: 0.01 MiB (2621 floats) splits them into several buckets.
    assert r[red + "_buckets"]["config"]["gradient_buckets"] >= 4, r[red + "_buckets"]["config"]
    assert r[red + "_default"]["config"]["gradient_buckets"] == 1, r[red + "_default"]["config"]
# Both ranks share this machine: auto takes shared memory.
assert r["auto"]["config"]["reducer"] == "shm", r["auto"]["config"]
c = {n: j["params_checksum"] for n, j in r.items()}
plain = [n for n in names if "drop" not in n] + ["auto"]
drop = [n for n in names if "drop" in n]
assert len({c[n] for n in plain}) == 1, c
assert len({c[n] for n in drop}) == 1, c
assert c["mpi_drop_blocking"] != c["mpi_blocking"], "dropout 0.3 did not change the training"
assert r["np1"]["config"]["world_size"] == 1 and r["np1"]["allreduce_ms_median"] == 0.0
assert r["np1"]["config"]["reducer"] == "none", r["np1"]["config"]
print("every reducer and bucket size gives the same parameters:", c)
PY
