#!/usr/bin/python3
"""Converts imine files written before format v2 (variable-length strings) to v2 (fixed-length).

    /usr/bin/python3 scripts/convert_strings.py FILE.h5 [FILE.h5 ...]

imine no longer reads variable-length strings from files: HDF5 1.10 keeps them in a global heap
whose reader trusts the sizes in the file and can crash or hang on a forged one. Run this only on
files you trust (it reads those strings through the same library). Every variable-length string
attribute and dataset becomes fixed-length UTF-8, as wide as its longest value and NUL-padded;
schema_version goes from 1 to 2 for imine.users, imine.catalog, imine.manifest and
imine.checkpoint (the only change between those versions). Content checksums cover string
values, not their storage, so they stay valid. Each file is converted in a copy that is renamed
over the original when complete.
"""
import os
import shutil
import sys

import h5py
import numpy as np

BUMPED = {"imine.users", "imine.catalog", "imine.manifest", "imine.checkpoint"}


def is_vlen_string(dtype):
    info = h5py.check_string_dtype(dtype)
    return info is not None and info.length is None


def fixed(values):
    """(array of bytes, dtype) for str/bytes values, fixed width >= 1."""
    raw = [v if isinstance(v, bytes) else str(v).encode("utf-8") for v in values]
    if any(b"\0" in b for b in raw):
        raise ValueError("a string contains NUL")
    width = max([1] + [len(b) for b in raw])
    dtype = h5py.string_dtype("utf-8", width)
    return np.array(raw, dtype=dtype), dtype  # dtype carries the UTF-8 tag for h5py


def convert_attrs(obj):
    n = 0
    for name in list(obj.attrs):
        if not is_vlen_string(obj.attrs.get_id(name).dtype):
            continue
        value = obj.attrs[name]
        scalar = not isinstance(value, np.ndarray)
        data, dtype = fixed([value] if scalar else list(value.ravel()))
        obj.attrs.create(name, data[0] if scalar else data, dtype=dtype)
        n += 1
    return n


def convert_dataset(parent, name):
    ds = parent[name]
    values = list(ds[()].ravel()) if ds.shape else [ds[()]]
    attrs = {k: ds.attrs[k] for k in ds.attrs}
    shape = ds.shape
    del parent[name]
    data, dtype = fixed(values)
    big = data.nbytes > (1 << 16)
    new = parent.create_dataset(name, shape=shape, dtype=dtype, chunks=True if big else None,
                                compression="gzip" if big else None, track_times=False)
    if data.size:
        new[...] = data.reshape(shape)
    for k, v in attrs.items():
        new.attrs[k] = v
    convert_attrs(new)


def convert(path):
    tmp = os.path.join(os.path.dirname(path) or ".",
                       "." + os.path.basename(path) + ".convert.tmp." + str(os.getpid()))
    shutil.copyfile(path, tmp)
    try:
        changed = 0
        with h5py.File(tmp, "r+") as f:
            datasets = []
            f.visititems(lambda n, o: datasets.append(n)
                         if isinstance(o, h5py.Dataset) and is_vlen_string(o.dtype) else None)
            for n in datasets:
                parent, _, leaf = n.rpartition("/")
                convert_dataset(f[parent] if parent else f, leaf)
            changed += len(datasets)
            objects = [f]
            f.visititems(lambda n, o: objects.append(o))
            for o in objects:
                changed += convert_attrs(o)
            schema = f.attrs.get("schema")
            schema = schema.decode() if isinstance(schema, bytes) else schema
            if schema in BUMPED and int(f.attrs.get("schema_version", 0)) == 1:
                f.attrs["schema_version"] = np.int64(2)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    print(f"{path}: {changed} string objects converted, schema {schema}")


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    for path in argv[1:]:
        convert(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
