#!/usr/bin/python3
"""Writes hostile variants of a valid imine dataset folder, one folder per corruption.

    make_corrupt_shards.py SRC OUT [--shard part-00001.h5] [--only NAME ...] [--list]

SRC is a folder made by `imine synth` (catalog.h5, manifest.h5, part-*.h5). Every variant is a
full copy of SRC in OUT/<name>/ with exactly one thing broken, in the shard given by --shard
(default: the last one) unless the corruption is about another file. `empty-shard` is the one
variant that is valid: that shard has 0 users (the manifest agrees) and training must accept it.
tests/e2e/corrupt_variants.sh runs `imine train` on each; docs/testing.md lists the messages.
Needs Debian's python3-h5py and python3-numpy.
"""
import argparse
import os
import shutil
import sys

import h5py
import numpy as np

SEED = 20261128


def _rewrite(f, path, data, dtype=None, chunks=True):
    """Replaces a dataset, keeping its attributes, with new data (and optionally dtype)."""
    attrs = dict(f[path].attrs)
    del f[path]
    data = np.asarray(data, dtype=dtype)
    maxshape = None
    if data.shape[0] == 0:  # HDF5 needs an extendible shape for a chunk larger than the data
        maxshape = (None,) + data.shape[1:]
        chunks = (1024,) + data.shape[1:]
    ds = f.create_dataset(path, data=data, chunks=chunks, maxshape=maxshape,
                          compression="gzip", shuffle=True)
    for k, v in attrs.items():
        ds.attrs[k] = v
    return ds


def _user_with_events(f, at_least):
    """Index of a user near the middle of the shard with at least `at_least` events."""
    off = f["/events/offsets"][:].astype(np.int64)  # int: uint64 - int would give floats
    n = len(off) - 1
    for u in list(range(n // 2, n)) + list(range(0, n // 2)):
        if off[u + 1] - off[u] >= at_least:
            return u, off
    sys.exit(f"{f.filename}: no user with {at_least} events to corrupt")


def truncated(d, shard):
    path = os.path.join(d, shard)
    size = os.path.getsize(path)
    with open(path, "r+b") as fh:
        fh.truncate(size // 2)


def bytes_flipped(d, shard):
    # Flips bytes inside the first stored (deflated) chunk of /events/time: the bytes of a real
    # dataset, not unused space, so the damage cannot go unnoticed.
    path = os.path.join(d, shard)
    with h5py.File(path, "r") as f:
        info = f["/events/time"].id.get_chunk_info(0)
    rng = np.random.default_rng(SEED)
    with open(path, "r+b") as fh:
        for pos in rng.integers(info.byte_offset + 8, info.byte_offset + info.size, 32):
            fh.seek(int(pos))
            b = fh.read(1)[0]
            fh.seek(int(pos))
            fh.write(bytes([b ^ 0xFF]))


def wrong_schema_version(d, shard):
    with h5py.File(os.path.join(d, shard), "r+") as f:
        f.attrs["schema_version"] = np.int64(3)  # a future version


def wrong_dtype(d, shard):
    with h5py.File(os.path.join(d, shard), "r+") as f:
        _rewrite(f, "/events/item", f["/events/item"][:], dtype=np.int64)


def offsets_not_monotonic(d, shard):
    with h5py.File(os.path.join(d, shard), "r+") as f:
        u, off = _user_with_events(f, 3)
        off[u + 1] = off[u] - 1 if off[u] > 0 else off[u + 2] + 1
        f["/events/offsets"][:] = off


def offsets_past_end(d, shard):
    with h5py.File(os.path.join(d, shard), "r+") as f:
        u, off = _user_with_events(f, 1)
        # Monotonic, but from user u on (the last offset included) beyond the events.
        off[u + 1 :] = off[-1] + 1000
        f["/events/offsets"][:] = off


def item_beyond_catalog(d, shard):
    with h5py.File(os.path.join(d, "catalog.h5"), "r") as c:
        num_items = int(c.attrs["num_items"])
    with h5py.File(os.path.join(d, shard), "r+") as f:
        u, off = _user_with_events(f, 1)
        items = f["/events/item"][:]
        items[off[u]] = num_items + 7
        f["/events/item"][:] = items


def unsorted_times(d, shard):
    with h5py.File(os.path.join(d, shard), "r+") as f:
        off = f["/events/offsets"][:].astype(np.int64)
        times = f["/events/time"][:]
        for u in range(len(off) // 2, len(off) - 1):
            a, b = off[u], off[u + 1]
            if b - a >= 2 and times[b - 1] > times[a]:
                times[a], times[b - 1] = times[b - 1], times[a]
                f["/events/time"][:] = times
                return
    sys.exit("no user with two distinct event times")


def nan_weight(d, shard):
    with h5py.File(os.path.join(d, shard), "r+") as f:
        u, off = _user_with_events(f, 1)
        w = f["/events/weight"][:]
        w[off[u]] = np.nan
        f["/events/weight"][:] = w


def absurd_attribute(d, shard):
    with h5py.File(os.path.join(d, shard), "r+") as f:
        f.attrs["num_events"] = np.int64(2**60)


def absurd_dataset(d, shard):
    # A chunked dataset declaring 2^60 items: no storage is allocated, the file stays small.
    with h5py.File(os.path.join(d, shard), "r+") as f:
        del f["/events/item"]
        f.create_dataset("/events/item", shape=(2**60,), dtype=np.uint32, chunks=(1 << 16,),
                         compression="gzip")


def empty_shard(d, shard):
    """Valid: the shard keeps its schema but holds 0 users; the manifest agrees."""
    path = os.path.join(d, shard)
    with h5py.File(path, "r+") as f:
        for name in ["/users/id", "/events/item", "/events/type", "/events/time",
                     "/events/weight", "/truth/category", "/truth/weight", "/truth/is_new"]:
            if name in f:
                _rewrite(f, name, f[name][:0], dtype=f[name].dtype)
        for name in ["/events/offsets", "/truth/offsets"]:
            if name in f:
                _rewrite(f, name, np.zeros(1, dtype=np.uint64))
        if "/users/attributes" in f:
            a = f["/users/attributes"]
            _rewrite(f, "/users/attributes", np.zeros((0, a.shape[1]), dtype=a.dtype))
        f.attrs["num_users"] = np.int64(0)
        f.attrs["num_events"] = np.int64(0)
    with h5py.File(os.path.join(d, "manifest.h5"), "r+") as m:
        files = [x.decode() if isinstance(x, bytes) else x for x in m["/shards/file"][:]]
        i = files.index(shard)
        for col in ["num_users", "num_events", "time_min", "time_max"]:
            v = m[f"/shards/{col}"][:]
            v[i] = 0
            m[f"/shards/{col}"][:] = v
        users = m["/shards/num_users"][:]
        events = m["/shards/num_events"][:]
        m.attrs["num_users"] = np.int64(users.sum())
        m.attrs["num_events"] = np.int64(events.sum())
        has = events > 0
        m.attrs["time_min"] = np.int64(m["/shards/time_min"][:][has].min() if has.any() else 0)
        m.attrs["time_max"] = np.int64(m["/shards/time_max"][:][has].max() if has.any() else 0)


def missing_catalog(d, shard):
    os.remove(os.path.join(d, "catalog.h5"))


VARIANTS = {
    "truncated": truncated,
    "bytes-flipped": bytes_flipped,
    "wrong-schema-version": wrong_schema_version,
    "wrong-dtype": wrong_dtype,
    "offsets-not-monotonic": offsets_not_monotonic,
    "offsets-past-end": offsets_past_end,
    "item-beyond-catalog": item_beyond_catalog,
    "unsorted-times": unsorted_times,
    "nan-weight": nan_weight,
    "absurd-attribute": absurd_attribute,
    "absurd-dataset": absurd_dataset,
    "empty-shard": empty_shard,
    "missing-catalog": missing_catalog,
}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("src", nargs="?")
    p.add_argument("out", nargs="?")
    p.add_argument("--shard", help="shard file to corrupt (default: the last part-*.h5)")
    p.add_argument("--only", nargs="*", choices=sorted(VARIANTS), help="variants to write")
    p.add_argument("--list", action="store_true", help="print the variant names and exit")
    a = p.parse_args()
    if a.list:
        print("\n".join(VARIANTS))
        return
    if not a.src or not a.out:
        p.error("SRC and OUT are required")
    shards = sorted(x for x in os.listdir(a.src) if x.startswith("part-") and x.endswith(".h5"))
    if not shards or not os.path.exists(os.path.join(a.src, "manifest.h5")):
        sys.exit(f"{a.src}: not an imine dataset folder (no manifest.h5 or part-*.h5)")
    shard = a.shard or shards[-1]
    os.makedirs(a.out, exist_ok=True)
    for name in a.only or VARIANTS:
        d = os.path.join(a.out, name)
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(a.src, d)
        VARIANTS[name](d, shard)
        print(d)


if __name__ == "__main__":
    main()
