#!/usr/bin/python3
"""Projected data-parallel efficiency of imine's training step at p ranks (docs/performance.md).

Model: step time at p ranks = compute + the part of a ring allreduce that backward does not
hide, with the ring allreduce of B bytes taking
    T_ar(p) = 2 (p - 1) / p * B / bandwidth + 2 (p - 1) * latency.
Per-rank batch is fixed (weak scaling), so compute does not change with p. Overlap: buckets
start during backward, which is about 2/3 of a step's compute, so at most that much of T_ar is
hidden. Efficiency = compute / step time.

Compute per step and parameter counts come from `imine bench` JSON lines (one per config, at
np=1; --bench FILE, several files allowed), else from the figures given with --config.

  scripts/scaling_model.py --bench small.json default.json large.json \
      --bandwidth-gbit 100 --latency-us 5 --ranks 2,8,64,512
"""
import argparse
import json


def ring_allreduce_s(nbytes, p, bandwidth_bytes_s, latency_s, bucket_bytes=0.0):
    """Every bucket is its own ring allreduce, so each pays the latency term."""
    if p <= 1:
        return 0.0
    buckets = max(1, -(-int(nbytes) // int(bucket_bytes))) if bucket_bytes > 0 else 1
    return (2.0 * (p - 1) / p * nbytes / bandwidth_bytes_s
            + buckets * 2.0 * (p - 1) * latency_s)


def project(compute_s, nbytes, p, bandwidth_bytes_s, latency_s, backward_share, bucket_bytes):
    t_ar = ring_allreduce_s(nbytes, p, bandwidth_bytes_s, latency_s, bucket_bytes)
    exposed_no_overlap = t_ar
    exposed_overlap = max(0.0, t_ar - backward_share * compute_s)
    return (t_ar, compute_s / (compute_s + exposed_no_overlap),
            compute_s / (compute_s + exposed_overlap))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bench", nargs="*", default=[],
                    help="files of imine bench JSON lines (np=1), one config each")
    ap.add_argument("--config", action="append", default=[],
                    help="name:params:step_ms:batch, e.g. default:1189664:31.0:512")
    ap.add_argument("--bandwidth-gbit", type=float, default=100.0)
    ap.add_argument("--latency-us", type=float, default=5.0)
    ap.add_argument("--backward-share", type=float, default=2.0 / 3.0,
                    help="share of a step's compute that backward takes (overlap window)")
    ap.add_argument("--ranks", default="2,8,64,512")
    ap.add_argument("--bucket-mb", type=float, default=4.0,
                    help="imine train --bucket-mb: each bucket pays the latency term")
    ap.add_argument("--bytes-per-param", type=float, default=4.0, help="4 fp32, 2 bf16")
    a = ap.parse_args()

    configs = []
    for path in a.bench:
        for line in open(path):
            line = line.strip()
            if not line.startswith("{"):
                continue
            r = json.loads(line)
            configs.append((path.rsplit("/", 1)[-1].split(".")[0], int(r["params"]),
                            float(r["step_ms_median"]) / 1e3, int(r["batch"])))
    for c in a.config:
        name, params, step_ms, batch = c.split(":")
        configs.append((name, int(params), float(step_ms) / 1e3, int(batch)))
    if not configs:
        ap.error("give --bench or --config")
    bw = a.bandwidth_gbit * 1e9 / 8
    lat = a.latency_us * 1e-6
    ranks = [int(x) for x in a.ranks.split(",")]
    print(f"bandwidth {a.bandwidth_gbit:g} Gbit/s, latency {a.latency_us:g} us per hop, "
          f"{a.bytes_per_param:g} bytes per gradient value, {a.bucket_mb:g} MiB buckets, "
          f"overlap window "
          f"{a.backward_share:.2f} of compute\n")
    print("| config | params | batch/rank | compute ms | ranks | allreduce ms | "
          "efficiency (no overlap) | efficiency (overlap) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, params, compute_s, batch in configs:
        nbytes = params * a.bytes_per_param
        for p in ranks:
            t_ar, e0, e1 = project(compute_s, nbytes, p, bw, lat, a.backward_share,
                                   a.bucket_mb * (1 << 20))
            print(f"| {name} | {params:,} | {batch} | {compute_s * 1e3:.3f} | {p} | "
                  f"{t_ar * 1e3:.3f} | {100 * e0:.1f}% | {100 * e1:.1f}% |")


if __name__ == "__main__":
    main()
