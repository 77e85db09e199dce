#!/usr/bin/python3
"""Generate a shop-style event log for `imine prepare`: user,item,category,behaviour,timestamp.

One header line, then one event per line. Users have a few favourite categories (most events
fall into them), items belong to one category, behaviours follow a pv/fav/cart/buy funnel, and
timestamps are unix seconds over --days days. Vectorised with numpy: tens of millions of lines
per minute. The output depends only on the options (--seed).

  /usr/bin/python3 scripts/gen_event_log.py --lines 1000000 --out log.csv [--gzip]
"""
import argparse
import gzip
import sys

import numpy as np


BEHAVIOURS = [b"pv", b"fav", b"cart", b"buy"]


def digit_columns(v):
    """Decimal digits of non-negative ints as a (n, width) byte matrix and a mask that is
    False on leading zeros, so matrix[mask] is the numbers' text without padding."""
    v = np.asarray(v, dtype=np.int64)
    width = max(1, len(str(int(v.max())))) if v.size else 1
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    digits = (v[:, None] // powers) % 10 + 48
    ndig = np.ones(v.shape, dtype=np.int64)
    for k in range(1, width):
        ndig += v >= 10 ** k
    keep = np.arange(width)[None, :] >= (width - ndig)[:, None]
    return digits.astype(np.uint8), keep


def format_lines(cols):
    """'a,b,c,...\\n' lines from int columns (the 4th is a behaviour index), vectorised: one
    byte matrix with a keep-mask whose row-major selection is the file's bytes."""
    n = len(cols[0])
    parts, masks = [], []
    for i, c in enumerate(cols):
        if i == 3:
            table = np.zeros((4, 4), dtype=np.uint8)
            tkeep = np.zeros((4, 4), dtype=bool)
            for k, b in enumerate(BEHAVIOURS):
                table[k, :len(b)] = np.frombuffer(b, dtype=np.uint8)
                tkeep[k, :len(b)] = True
            d, m = table[c], tkeep[c]
        else:
            d, m = digit_columns(c)
        parts.append(d)
        masks.append(m)
        sep = np.full((n, 1), 10 if i == len(cols) - 1 else 44, dtype=np.uint8)
        parts.append(sep)
        masks.append(np.ones((n, 1), dtype=bool))
    mat = np.concatenate(parts, axis=1)
    keep = np.concatenate(masks, axis=1)
    return mat[keep].tobytes()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--lines", type=int, default=1_000_000, help="events (lines after the header)")
    p.add_argument("--users", type=int, default=100_000)
    p.add_argument("--items", type=int, default=50_000)
    p.add_argument("--categories", type=int, default=200)
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--start", type=int, default=1_700_000_000, help="first unix second")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--chunk", type=int, default=2_000_000, help="lines generated per block")
    p.add_argument("--gzip", action="store_true", help="gzip the output (level 1)")
    p.add_argument("--out", required=True, help="output file ('-' for stdout)")
    a = p.parse_args()
    if min(a.users, a.items, a.categories, a.days) < 1 or a.lines < 0:
        p.error("--users, --items, --categories and --days must be >= 1")

    rng = np.random.default_rng(a.seed)
    item_cat = rng.integers(0, a.categories, a.items)  # each item in one category
    # Items of each category, to draw an item given a category.
    order = np.argsort(item_cat, kind="stable")
    cat_start = np.searchsorted(item_cat[order], np.arange(a.categories + 1))
    # Each user: 3 favourite categories; activity is heavy-tailed (Zipf-like weights).
    fav = rng.integers(0, a.categories, (a.users, 3))
    activity = 1.0 / np.arange(1, a.users + 1) ** 0.8
    activity = activity[rng.permutation(a.users)]
    activity /= activity.sum()
    funnel = np.array([0.85, 0.05, 0.06, 0.04])
    span = a.days * 86400

    out = sys.stdout.buffer if a.out == "-" else (
        gzip.open(a.out, "wb", compresslevel=1) if a.gzip else open(a.out, "wb"))
    out.write(b"user_id,item_id,category_id,behavior_type,timestamp\n")
    done = 0
    while done < a.lines:
        n = min(a.chunk, a.lines - done)
        users = rng.choice(a.users, n, p=activity)
        # 80% of events in one of the user's favourite categories, the rest anywhere.
        cats = np.where(rng.random(n) < 0.8, fav[users, rng.integers(0, 3, n)],
                        rng.integers(0, a.categories, n))
        sizes = cat_start[cats + 1] - cat_start[cats]
        empty = sizes == 0
        pick = cat_start[cats] + (rng.random(n) * np.maximum(sizes, 1)).astype(np.int64)
        items = np.where(empty, rng.integers(0, a.items, n), order[np.minimum(pick, a.items - 1)])
        cats = item_cat[items]
        beh = rng.choice(4, n, p=funnel)
        times = a.start + rng.integers(0, span, n)
        out.write(format_lines([users, items, cats, beh, times]))
        done += n
    if out is not sys.stdout.buffer:
        out.close()


if __name__ == "__main__":
    main()
