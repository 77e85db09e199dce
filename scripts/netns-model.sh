#!/usr/bin/env bash
# Predicted vs measured gradient allreduce time for the JSON lines of scripts/netns-bench.sh:
#
#   scripts/netns-model.sh < bench.jsonl
#
# Two predictions per row (docs/multihost.md explains them):
#   ring:      2(p-1)/p x B / rate + 2(p-1) x alpha                    (the textbook model)
#   corrected: ring bytes / (ETA x rate) + unshaped median time at the same p and model
#              + 2(p-1) x alpha. ETA (default 0.93) is the share of a shaped link a plain TCP
#              stream got here (0.88-0.97); the unshaped time is the CPU cost of the reduction,
#              the copies and Open MPI's progress on this machine, which does not overlap the
#              transfer. docs/performance.md (last section) explains both.
# Rows whose rate is "none" (unshaped veth) give the CPU-bound floor; no prediction.
prog=$(cat <<'EOF'
import json
import sys

import os

ALPHA = 50e-6  # s per message step: kernel TCP, assumed (no netem here to emulate latency)
ETA = float(os.environ.get("ETA", "0.93"))
def rate_bps(r):
    units = {"kbit": 1e3, "mbit": 1e6, "gbit": 1e9}
    for u, f in units.items():
        if r.endswith(u):
            return float(r[: -len(u)]) * f
    return None

rows = [json.loads(l) for l in sys.stdin if l.strip()]
floor = {}
for r in rows:
    if r["rate"] == "none":
        floor[(r["model"], r["hosts"])] = r["bench"]["allreduce_probe_ms_median"] / 1e3
print("| model | hosts | rate | MB | ring model ms | measured ms (min / median) | measured / ring | corrected ms | measured / corrected (min / median) | step ms (median) |")
print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    b = r["bench"]
    p, B = r["hosts"], b["gradient_bytes"]
    bw = rate_bps(r["rate"])
    mmin, mmed = b["allreduce_probe_ms_min"], b["allreduce_probe_ms_median"]
    if bw is None:
        ring = corr = None
    else:
        ring = (2 * (p - 1) / p * B * 8 / bw + 2 * (p - 1) * ALPHA) * 1e3
        net = 2 * (p - 1) / p * B * 8 / (ETA * bw)
        corr = (net + floor.get((r["model"], p), 0.0) + 2 * (p - 1) * ALPHA) * 1e3
    f = lambda x: "–" if x is None else f"{x:.1f}"
    q = lambda a, x: "–" if x is None else f"{a / x:.2f}"
    print(f"| {r['model']} | {p} | {r['rate']} | {B / 1e6:.2f} | {f(ring)} | {mmin:.1f} / {mmed:.1f} | "
          f"{q(mmin, ring)} | {f(corr)} | {q(mmin, corr)} / {q(mmed, corr)} | {b['step_ms_median']:.0f} |")
EOF
)
exec /usr/bin/python3 -c "$prog" "$@"
