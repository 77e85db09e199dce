#!/usr/bin/env python3
"""Independent check of `imine label` against a checkpoint, in float64 numpy.

Recomputes the model's scores from the checkpoint's layers (and, when present, the sparse item
table into the first layer and the wide path to the logits) for the users of a features dump
(`imine label --dump-features F`, the exact normalised rows and TF-IDF item rows fed to the
model) and compares them with the labels file:
  (a) the exploit slots (slot 0) hold a top-e set of categories by score, e = number of exploit
      slots (with all slots exploiting this is exactly the top k); swaps are allowed only where
      scores tie within --tie-tol;
  (b) every slot's stored score equals the recomputed score of its category within --score-tol.
Users of the labels file absent from the dump (other ranks' users) are counted, not checked.

Usage: check_checkpoint.py --checkpoint C.h5 --labels L.h5 --features F.h5
Exit status: 0 all checks pass, 1 a mismatch, 2 unusable input (missing file/dataset, shapes).
Needs numpy and h5py (Debian: apt install python3-h5py; then run with /usr/bin/python3).
"""

import argparse
import sys

try:
    import h5py
    import numpy as np
except ImportError as e:  # pragma: no cover - depends on the machine
    print(f"check_checkpoint: error: needs numpy and h5py ({e}); "
          "install python3-h5py or pip install h5py numpy", file=sys.stderr)
    sys.exit(2)

BATCH_USERS = 4096
MAX_REPORTED = 10


class InputError(Exception):
    """The inputs cannot be checked (missing file, dataset or attribute, wrong shape)."""


def text(v):
    if isinstance(v, bytes):
        return v.decode("utf-8")
    if isinstance(v, np.ndarray) and v.shape == ():
        return text(v[()])
    return str(v)


def dataset(f, path, ndim=None):
    if path not in f or not isinstance(f[path], h5py.Dataset):
        raise InputError(f"{f.filename}: dataset {path} missing")
    d = f[path]
    if ndim is not None and d.ndim != ndim:
        raise InputError(f"{f.filename}: {path} is {d.ndim}-D, expected {ndim}-D")
    return d


def attr(f, obj, name):
    if obj not in f or name not in f[obj].attrs:
        raise InputError(f"{f.filename}: attribute {name} of {obj} missing")
    return f[obj].attrs[name]


def strings(f, path):
    return [text(s) for s in dataset(f, path, 1)[()]]


# Versions this script understands: checkpoint v2 differs from v1 only in storing strings
# fixed-length (h5py reads them as bytes; text() decodes both); labels v2 adds datasets this
# script does not need.
VERSIONS = {"imine.checkpoint": (1, 2), "imine.labels": (1, 2)}


def require_schema(f, schema):
    got = text(attr(f, "/", "schema"))
    version = int(attr(f, "/", "schema_version"))
    if got != schema or version not in VERSIONS[schema]:
        raise InputError(f"{f.filename}: schema {got} v{version}, expected {schema} "
                         f"v{' or v'.join(map(str, VERSIONS[schema]))}")


def load_checkpoint(path):
    with h5py.File(path, "r") as f:
        require_schema(f, "imine.checkpoint")
        layers = []
        for i in range(int(attr(f, "/model", "num_layers"))):
            g = f"/model/layers/{i}"
            w = dataset(f, g + "/weight", 2)[()].astype(np.float64)
            b = dataset(f, g + "/bias", 1)[()].astype(np.float64)
            act = text(attr(f, g, "activation"))
            if b.shape[0] != w.shape[0]:
                raise InputError(f"{path}: {g}/bias has {b.shape[0]} values, weight has "
                                 f"{w.shape[0]} rows")
            if layers and layers[-1][0].shape[0] != w.shape[1]:
                raise InputError(f"{path}: {g}/weight takes {w.shape[1]} inputs, previous "
                                 f"layer gives {layers[-1][0].shape[0]}")
            if act not in ("relu", "none"):
                raise InputError(f"{path}: {g} has unknown activation '{act}'")
            layers.append((w, b, act))
        if not layers:
            raise InputError(f"{path}: no layers")
        loss = text(f.attrs["loss"]) if "loss" in f.attrs else "bce"
        if loss not in ("bce", "softmax_ce", "mse"):
            raise InputError(f"{path}: unknown loss '{loss}'")
        extra = {}
        for name in ("sparse", "wide", "wide_sparse"):
            if f"/model/{name}/weight" in f:
                extra[name] = dataset(f, f"/model/{name}/weight", 2)[()].astype(np.float64)
        if "wide" in extra:
            extra["wide_inputs"] = dataset(f, "/model/wide/inputs", 1)[()].astype(np.int64)
            if extra["wide"].shape != (layers[-1][0].shape[0], len(extra["wide_inputs"])):
                raise InputError(f"{path}: /model/wide/weight is {extra['wide'].shape}")
        if "sparse" in extra and extra["sparse"].shape[1] != layers[0][0].shape[0]:
            raise InputError(f"{path}: /model/sparse/weight is {extra['sparse'].shape}, the first "
                             f"layer has {layers[0][0].shape[0]} outputs")
        return layers, loss, strings(f, "/categories/name"), extra


def sparse_product(items, table):
    """items: (offsets, bucket, value) CSR rows -> dense rows @ table, [m, table cols]."""
    offsets, bucket, value = items
    out = np.zeros((len(offsets) - 1, table.shape[1]))
    for i in range(len(offsets) - 1):
        lo, hi = offsets[i], offsets[i + 1]
        if hi > lo:
            out[i] = value[lo:hi] @ table[bucket[lo:hi]]
    return out


def scores_of(layers, loss, x, extra=None, items=None):
    """x: [m, d] float64 rows (items: their sparse rows) -> scores [m, C] as Loss::scores
    defines them: the MLP, the sparse table added to the first layer's pre-activation, and the
    wide path added to the logits."""
    extra = extra or {}
    h = x
    for i, (w, b, act) in enumerate(layers):
        h = h @ w.T + b
        if i == 0 and "sparse" in extra:
            h = h + sparse_product(items, extra["sparse"])
        if act == "relu":
            h = np.maximum(h, 0.0)
    if "wide" in extra:
        h = h + x[:, extra["wide_inputs"]] @ extra["wide"].T
    if "wide_sparse" in extra:
        h = h + sparse_product(items, extra["wide_sparse"])
    if loss == "bce":
        return 1.0 / (1.0 + np.exp(-h))
    if loss == "softmax_ce":
        e = np.exp(h - h.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return h


def check(args):
    layers, loss, ckpt_categories, extra = load_checkpoint(args.checkpoint)
    num_cats = layers[-1][0].shape[0]
    if len(ckpt_categories) != num_cats:
        raise InputError(f"{args.checkpoint}: {len(ckpt_categories)} category names for "
                         f"{num_cats} outputs")

    with h5py.File(args.labels, "r") as lf, h5py.File(args.features, "r") as ff:
        require_schema(lf, "imine.labels")
        label_ids = dataset(lf, "/users/id", 1)[()]
        cats_ds = dataset(lf, "/labels/category", 2)
        score_ds = dataset(lf, "/labels/score", 2)
        slot_ds = dataset(lf, "/labels/slot", 2)
        n, k = cats_ds.shape
        for d in (score_ds, slot_ds):
            if d.shape != (n, k) or label_ids.shape[0] != n:
                raise InputError(f"{args.labels}: /users/id {label_ids.shape}, /labels/category "
                                 f"{cats_ds.shape} and {d.name} {d.shape} disagree")
        label_categories = strings(lf, "/categories/name")
        if label_categories != ckpt_categories:
            raise InputError(f"{args.labels}: /categories/name differs from the checkpoint's")
        if len(np.unique(label_ids)) != n:
            raise InputError(f"{args.labels}: /users/id has duplicate users")

        feat_ids = dataset(ff, "/users/id", 1)[()]
        x_ds = dataset(ff, "/features/normalized", 2)
        d_in = layers[0][0].shape[1]
        if x_ds.shape != (feat_ids.shape[0], d_in):
            raise InputError(f"{args.features}: /features/normalized is {x_ds.shape}, expected "
                             f"({feat_ids.shape[0]}, {d_in}) (users x model inputs)")

        items = None
        if "sparse" in extra or "wide_sparse" in extra:
            offsets = dataset(ff, "/items/offsets", 1)[()].astype(np.int64)
            bucket = dataset(ff, "/items/bucket", 1)[()].astype(np.int64)
            value = dataset(ff, "/items/value", 1)[()].astype(np.float64)
            table = extra.get("sparse", extra.get("wide_sparse"))
            if (len(offsets) != len(feat_ids) + 1 or offsets[0] != 0 or offsets[-1] != len(bucket)
                    or len(value) != len(bucket) or np.any(np.diff(offsets) < 0)
                    or (len(bucket) and (bucket.min() < 0 or bucket.max() >= table.shape[0]))):
                raise InputError(f"{args.features}: /items/* do not form {len(feat_ids)} rows of "
                                 f"buckets in [0, {table.shape[0]})")
            items = (offsets, bucket, value)

        if len(feat_ids) == 0:
            raise InputError(f"{args.features}: no users to check")
        if n == 0:
            raise InputError(f"{args.labels}: no users, but the features dump has "
                             f"{len(feat_ids)}")
        order = np.argsort(label_ids, kind="stable")
        pos = np.minimum(np.searchsorted(label_ids[order], feat_ids), n - 1)
        found = label_ids[order][pos] == feat_ids
        if not np.all(found):
            missing = feat_ids[~found][:5].tolist()
            raise InputError(f"{args.labels}: {int((~found).sum())} users of the features dump "
                             f"have no labels (e.g. ids {missing})")
        rows = order[pos]  # labels row of each features user

        problems = []
        num_bad = 0
        max_diff = 0.0
        for b in range(0, len(rows), BATCH_USERS):
            sel = rows[b:b + BATCH_USERS]
            x = x_ds[b:b + BATCH_USERS].astype(np.float64)
            if not np.all(np.isfinite(x)):
                raise InputError(f"{args.features}: non-finite feature values near row {b}")
            batch_items = None
            if items is not None:
                offs = items[0][b:b + len(sel) + 1]
                batch_items = (offs - offs[0], items[1][offs[0]:offs[-1]], items[2][offs[0]:offs[-1]])
            p = scores_of(layers, loss, x, extra, batch_items)
            # h5py wants increasing indices for fancy reads; read the span and pick.
            lo, hi = int(sel.min()), int(sel.max()) + 1
            cats = cats_ds[lo:hi][sel - lo].astype(np.int64)
            got = score_ds[lo:hi][sel - lo].astype(np.float64)
            slots = slot_ds[lo:hi][sel - lo]
            if cats.min() < 0 or cats.max() >= num_cats:
                raise InputError(f"{args.labels}: category index outside [0, {num_cats})")
            want = np.take_along_axis(p, cats, axis=1)
            tol = args.score_tol * (np.maximum(1.0, np.abs(want)) if loss == "mse" else 1.0)
            diff = np.abs(want - got)
            max_diff = max(max_diff, float(diff.max()))
            exploit = np.zeros(p.shape, dtype=bool)
            np.put_along_axis(exploit, cats, slots == 0, axis=1)
            has_exploit = exploit.any(axis=1)
            min_in = np.where(exploit, p, np.inf).min(axis=1)
            max_out = np.where(exploit, -np.inf, p).max(axis=1)
            bad_set = has_exploit & (min_in < max_out - args.tie_tol)
            bad_score = (diff > tol).any(axis=1)
            bad = np.nonzero(bad_set | bad_score)[0]
            num_bad += len(bad)
            for i in bad[:max(0, MAX_REPORTED - len(problems))]:
                uid = int(feat_ids[b + i])
                e = int(has_exploit[i] and exploit[i].sum())
                top = np.argsort(-p[i], kind="stable")[:max(e, 1)]
                msg = f"user {uid}:"
                if bad_set[i]:
                    msg += (f" exploit categories {sorted(cats[i][slots[i] == 0].tolist())} are "
                            f"not a top-{e} set; recomputed top-{e} (category:score) is "
                            + ", ".join(f"{c}:{p[i][c]:.7g}" for c in top))
                if bad_score[i]:
                    j = int(np.argmax(diff[i] - (tol[i] if np.ndim(tol) else tol)))
                    msg += (f" score of category {cats[i][j]} is {got[i][j]:.9g}, recomputed "
                            f"{want[i][j]:.9g}")
                problems.append(msg)

    skipped = n - len(rows)
    if problems:
        print(f"check_checkpoint: MISMATCH in {num_bad} of {len(rows)} users "
              f"(labels {args.labels}, checkpoint {args.checkpoint}):", file=sys.stderr)
        for m in problems:
            print("  " + m, file=sys.stderr)
        return 1
    print(f"check_checkpoint: OK: {len(rows)} users match (k={k}, {num_cats} categories, "
          f"loss {loss}, max |score diff| {max_diff:.3g}; {skipped} labelled users not in the "
          f"features dump)")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checkpoint", required=True, help="imine.checkpoint file (ckpt-*.h5)")
    ap.add_argument("--labels", required=True, help="imine.labels file written from it")
    ap.add_argument("--features", required=True, help="file from imine label --dump-features")
    ap.add_argument("--score-tol", type=float, default=1e-5)
    ap.add_argument("--tie-tol", type=float, default=1e-6)
    args = ap.parse_args()
    try:
        return check(args)
    except InputError as e:
        print(f"check_checkpoint: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"check_checkpoint: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
