#!/usr/bin/python3
"""Plots an `imine eval-policy --sweep` CSV: precision against discovery, one curve per policy.

usage: plot_policy_sweep.py SWEEP.csv OUT.png [--title TEXT]

Left: Precision@k of the whole list (y) against new-interest hits per user (x); right: the same
precision against the share of true, unexpressed interests surfaced (synthetic data with
/truth; new-interest recall otherwise). Up and to the right is better. Each point is one explore budget,
annotated with it. Needs python3-matplotlib (scripts/install-deps.sh).
"""
import csv
import math
import sys

import matplotlib

matplotlib.use("Agg")  # no display on build machines
import matplotlib.pyplot as plt  # noqa: E402


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    path, out = argv[1], argv[2]
    title = argv[argv.index("--title") + 1] if "--title" in argv else path
    rows = list(csv.DictReader(open(path)))
    if not rows:
        sys.exit(f"{path}: no rows")
    policies = []
    for r in rows:
        if r["policy"] not in policies:
            policies.append(r["policy"])
    has_truth = any(not math.isnan(float(r["truth_surfaced"])) for r in rows)
    right_key = "truth_surfaced" if has_truth else "new_interest_recall"
    fig, axes = plt.subplots(1, 2, figsize=(12, 5))
    panels = [("new_interest_hits_per_user", "precision_at_k",
               "new-interest hits per user", "Precision@k (all slots)"),
              (right_key, "precision_at_k",
               "true unexpressed interests surfaced" if has_truth else "new-interest recall",
               "Precision@k (all slots)")]
    for ax, (xk, yk, xl, yl) in zip(axes, panels):
        for p in policies:
            pts = [(float(r[xk]), float(r[yk]), float(r["budget"])) for r in rows
                   if r["policy"] == p]
            xs, ys, bs = zip(*pts)
            style = "*" if p == "greedy" else "o-"
            ax.plot(xs, ys, style, label=p, markersize=10 if p == "greedy" else 4)
            if p != "greedy":
                for x, y, b in pts[:: max(1, len(pts) // 4)]:
                    ax.annotate(f"{b:g}", (x, y), fontsize=7, alpha=0.6)
        ax.set_xlabel(xl)
        ax.set_ylabel(yl)
        ax.grid(alpha=0.3)
    axes[0].legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    main(sys.argv)
