#!/usr/bin/env python3
"""Compare the model parameters of two imine checkpoints.

--exact: every weight and bias must be bitwise equal (resume test).
--rtol R: ||a - b|| / ||a|| over all parameters must be below R (np-equivalence test).
"""
import argparse
import sys

import h5py
import numpy as np


def params(path):
    with h5py.File(path, "r") as f:
        # Fixed-length strings (format v2) come back as bytes, variable-length ones as str.
        if f.attrs.get("schema") not in (b"imine.checkpoint", "imine.checkpoint"):
            sys.exit(f"{path}: not an imine checkpoint")
        layers = f["/model/layers"]
        out = []
        for name in sorted(layers, key=int):
            out.append(layers[name]["weight"][...].ravel())
            out.append(layers[name]["bias"][...].ravel())
        return np.concatenate(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("a")
    ap.add_argument("b")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--exact", action="store_true")
    g.add_argument("--rtol", type=float)
    args = ap.parse_args()
    a, b = params(args.a), params(args.b)
    if a.shape != b.shape:
        sys.exit(f"parameter counts differ: {a.size} vs {b.size}")
    diff = a.astype(np.float64) - b.astype(np.float64)
    rel = np.linalg.norm(diff) / max(np.linalg.norm(a.astype(np.float64)), 1e-30)
    print(f"{a.size} parameters: max |diff| {np.abs(diff).max():.3g}, relative {rel:.3g}, "
          f"bitwise equal {bool((a.view(np.uint32) == b.view(np.uint32)).all())}")
    if args.exact:
        ok = bool((a.view(np.uint32) == b.view(np.uint32)).all())
    else:
        ok = rel < args.rtol
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
