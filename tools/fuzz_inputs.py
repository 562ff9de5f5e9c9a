#!/usr/bin/env python3
"""Fuzz BlockNMF's readers with damaged HDF5 files.

Each case writes a small valid input in one of the layouts BlockNMF reads, damages it, and runs
``blocknmf info FILE`` and ``blocknmf factor FILE --rank 2 --max-iter 3 ...`` on it with a time
limit. Every run must end within the limit with either a correct result (exit 0: W and H of the
right shapes, finite and non-negative, from a matrix that h5py reads as valid) or one line on
stderr, ``blocknmf: error: ...``, and a sysexits status (64-78 but 70). Anything else is a
failure:

    internal error   status 70 (a bug by the project's conventions)
    crash            ended by a signal in BlockNMF's code
    hang             still running at --timeout, not inside libhdf5
    multi-line       anything but one "blocknmf: error:" line on stderr with a failing status
    wrong result     exit 0 from a matrix h5py reads with NaN, infinite or negative values or
                     out-of-range indices, or W/H of the wrong shape or not finite/non-negative
    valid rejected   an undamaged control case that does not exit 0 (64, an option such as a
                     tiny --memory refused, excepted)

Whose code a crash is in comes from Swift's backtrace on stderr, from gdb running the case
again, or, when glibc reports its heap damaged, from valgrind's first invalid access; a hang's
from gdb attached before the run is killed (or running it again, interrupted as late): the
innermost frame in libhdf5 or in BlockNMF's binary (the C library, Swift's runtime and
compression libraries passed over).
An HDF5 error at status 70 (one line "HDF5 call ... failed: ...": the library noticed damage
that BlockNMF reported without a typed error) is a failure: damage is status 65.
Counted apart, and failures only with --strict:

    crashes and hangs in libhdf5   HDF5's own code on a damaged file (docs/reliability.md
                                   lists them with their seeds)
    allocations over 4 GiB         each run has 4 GiB of address space, so a huge declared
                                   shape that asks for more fails at once ("failed to
                                   allocate") instead of taking the machine's memory

Layouts (60x12-ish, drawn per case): dense contiguous float32/float64/integer, dense chunked
gzip (shuffle, fletcher32), AnnData CSR and CSC groups, h5sparse CSR and CSC groups, 10x v3
/matrix and v2 per-genome groups, and an .h5ad with obs, var, layers and obsm. Files are
written in HDF5's oldest format or in the 1.10 format (object headers v2, checksums).

Damage (one or two per case):
  structured, through h5py: indptr swapped, oversized, decreased, negative, of the wrong
    length or type; indices out of range, negative, of a non-integer type; values NaN,
    infinite, negative; datasets of the wrong rank or type (strings, compounds, enums,
    float16, ...); attributes of the wrong type or value (shape as a string, negative or
    huge, encoding-type garbage); huge declared shapes (unwritten chunks); empty datasets;
    missing members; members replaced by groups or by dangling, looping or external links;
  raw bytes: bit flips and overwritten bytes in the superblock, object headers, B-trees,
    heaps, symbol-table nodes and data; truncation at a random offset.

Every case is reproducible: its id and --seed give its random stream, so
``--seed S --only ID --keep-failures DIR`` writes the same file again (with the same h5py,
HDF5 and numpy versions) and prints the commands that ran on it.

Usage:

    python3 tools/fuzz_inputs.py --cases 2000 --seed 1 [--timeout 20] [--jobs 2]
        [--blocknmf .build/release/blocknmf] [--keep-failures DIR] [--json-out FILE]

Prints a summary table and a reproducer per failure (and per case counted apart); exits 1 if
any run failed, 0 otherwise. Needs h5py and numpy; gdb to attribute hangs, and crashes that
Swift's backtracer did not report.
"""

import argparse
import json
import multiprocessing
import os
import re
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

import h5py
import numpy as np

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLEAN_STATUSES = set(range(64, 79)) - {70}
HDF5_ERROR = re.compile(r"HDF5 call .* failed")

# ---------------------------------------------------------------------------------------------
# Valid inputs


def counts_matrix(rng, rows, columns, density):
    """Non-negative counts with about `density` of the entries non-zero."""
    values = rng.integers(1, 50, size=(rows, columns)).astype(np.float64)
    return np.where(rng.random((rows, columns)) < density, values, 0.0)


def compressed(matrix, by_rows):
    """(data, indices, indptr) of `matrix` compressed by rows (CSR) or by columns (CSC)."""
    major = matrix if by_rows else matrix.T
    rows, columns = np.nonzero(major)
    indptr = np.concatenate([[0], np.cumsum((major != 0).sum(axis=1))])
    return major[rows, columns], columns, indptr


def write_sparse_group(group, matrix, by_rows, value_type, index_type, chunked):
    data, indices, indptr = compressed(matrix, by_rows)
    for name, array in (("data", data.astype(value_type)), ("indices", indices.astype(index_type)),
                        ("indptr", indptr.astype(np.int64))):
        options = dict(compression="gzip", compression_opts=4, shuffle=True,
                       chunks=(min(16, len(array)),)) if chunked and len(array) else {}
        group.create_dataset(name, data=array, **options)


def anndata_group(parent, name, matrix, by_rows, rng):
    group = parent.create_group(name)
    group.attrs["encoding-type"] = "csr_matrix" if by_rows else "csc_matrix"
    group.attrs["encoding-version"] = "0.1.0"
    group.attrs["shape"] = np.array(matrix.shape, dtype=np.int64)
    write_sparse_group(group, matrix, by_rows, rng.choice([np.float32, np.float64]),
                       rng.choice([np.int32, np.int64]), chunked=rng.random() < 0.3)
    return group


def string_index(group, name, labels):
    group.create_dataset(name, data=np.array(labels, dtype=object), dtype=h5py.string_dtype())


def dataframe(parent, name, labels):
    group = parent.create_group(name)
    group.attrs["encoding-type"] = "dataframe"
    group.attrs["encoding-version"] = "0.2.0"
    group.attrs["_index"] = "_index"
    group.attrs["column-order"] = np.array([], dtype=h5py.string_dtype())
    string_index(group, "_index", labels)


def make_dense(f, matrix, rng, chunked):
    dtype = rng.choice(["float32", "float64", "int32", "uint16", "int64"])
    options = {}
    if chunked:
        options = dict(chunks=(int(rng.integers(1, 21)), matrix.shape[1]), compression="gzip",
                       compression_opts=int(rng.integers(1, 10)))
        if rng.random() < 0.5:
            options["shuffle"] = True
        if rng.random() < 0.3:
            options["fletcher32"] = True
        if rng.random() < 0.3:
            options["chunks"] = (int(rng.integers(1, 17)), int(rng.integers(1, matrix.shape[1] + 1)))
    f.create_dataset("X", data=matrix.astype(dtype), **options)
    return dict(kind="dense", matrix="/X", dataset_option="/X")


def make_sparse(f, matrix, rng, convention, by_rows):
    if convention == "AnnData":
        anndata_group(f, "X", matrix, by_rows, rng)
        return dict(kind="sparse", matrix="/X", dataset_option="/X", group="/X")
    if convention == "h5sparse":
        group = f.create_group("X")
        group.attrs["h5sparse_format"] = "csr" if by_rows else "csc"
        group.attrs["h5sparse_shape"] = np.array(matrix.shape, dtype=np.int64)
        write_sparse_group(group, matrix, by_rows, rng.choice([np.float32, np.float64]),
                           rng.choice([np.int32, np.int64]), chunked=rng.random() < 0.3)
        return dict(kind="sparse", matrix="/X", dataset_option="/X", group="/X")
    raise ValueError(convention)


def make_tenx(f, matrix, rng, version):
    """Cells x genes as Cell Ranger stores it: the CSC of the genes x cells transpose."""
    cells, genes = matrix.shape
    name = "matrix" if version == 3 else "GRCh38"
    group = f.create_group(name)
    write_sparse_group(group, matrix, True, np.int32, np.int64, chunked=version == 3)
    group.create_dataset("shape", data=np.array([genes, cells], dtype=np.int32))
    group.create_dataset("barcodes", data=np.array(["CELL%04d-1" % i for i in range(cells)], dtype="S"))
    if version == 3:
        features = group.create_group("features")
        features.create_dataset("id", data=np.array(["GENE%04d" % j for j in range(genes)], dtype="S"))
        features.create_dataset("name", data=np.array(["Gene%d" % j for j in range(genes)], dtype="S"))
        features.create_dataset("feature_type", data=np.array([b"Gene Expression"] * genes))
        features.create_dataset("genome", data=np.array([b"GRCh38"] * genes))
    else:
        group.create_dataset("genes", data=np.array(["GENE%04d" % j for j in range(genes)], dtype="S"))
        group.create_dataset("gene_names", data=np.array(["Gene%d" % j for j in range(genes)], dtype="S"))
    return dict(kind="sparse", matrix="/" + name, dataset_option="/" + name, group="/" + name)


def make_h5ad(f, matrix, rng):
    """An .h5ad as anndata writes it: X (dense, CSR or CSC), obs, var, layers, obsm."""
    rows, columns = matrix.shape
    f.attrs["encoding-type"] = "anndata"
    f.attrs["encoding-version"] = "0.1.0"
    dataframe(f, "obs", ["cell%d" % i for i in range(rows)])
    dataframe(f, "var", ["gene%d" % j for j in range(columns)])
    x_layout = rng.choice(["dense", "csr", "csc"])
    if x_layout == "dense":
        f.create_dataset("X", data=matrix.astype(np.float32))
    else:
        anndata_group(f, "X", matrix, x_layout == "csr", rng)
    layers = f.create_group("layers")
    layers.attrs["encoding-type"] = "dict"
    layers.attrs["encoding-version"] = "0.1.0"
    anndata_group(layers, "counts", matrix, rng.random() < 0.5, rng)
    obsm = f.create_group("obsm")
    obsm.create_dataset("X_pca", data=rng.random((rows, 3)))
    if rng.random() < 0.5:
        return dict(kind="dense" if x_layout == "dense" else "sparse", matrix="/X", dataset_option="/X",
                    **({} if x_layout == "dense" else dict(group="/X")))
    return dict(kind="sparse", matrix="/layers/counts", dataset_option="/layers/counts", group="/layers/counts",
                needs_dataset=True)


LAYOUTS = {
    "dense-contiguous": lambda f, m, rng: make_dense(f, m, rng, chunked=False),
    "dense-chunked-gzip": lambda f, m, rng: make_dense(f, m, rng, chunked=True),
    "anndata-csr": lambda f, m, rng: make_sparse(f, m, rng, "AnnData", True),
    "anndata-csc": lambda f, m, rng: make_sparse(f, m, rng, "AnnData", False),
    "h5sparse-csr": lambda f, m, rng: make_sparse(f, m, rng, "h5sparse", True),
    "h5sparse-csc": lambda f, m, rng: make_sparse(f, m, rng, "h5sparse", False),
    "10x-v3": lambda f, m, rng: make_tenx(f, m, rng, 3),
    "10x-v2": lambda f, m, rng: make_tenx(f, m, rng, 2),
    "h5ad": make_h5ad,
}


def write_input(path, layout, rng):
    rows, columns = int(rng.integers(20, 81)), int(rng.integers(4, 17))
    matrix = counts_matrix(rng, rows, columns, float(rng.uniform(0.1, 0.6)))
    libver = ("earliest", "v110") if rng.random() < 0.3 else None
    with h5py.File(path, "w", libver=libver) as f:
        meta = LAYOUTS[layout](f, matrix, rng)
    meta.update(layout=layout, libver="v110" if libver else "earliest")
    return meta


# ---------------------------------------------------------------------------------------------
# Structured damage, through h5py


class NotApplicable(Exception):
    pass


def pick(rng, options):
    return options[int(rng.integers(len(options)))]


def replace_dataset(parent, name, data=None, **options):
    """Deletes `name` in `parent` and writes it again from `data` (or as `options` say)."""
    if name in parent:
        del parent[name]
    return parent.create_dataset(name, data=data, **options)


def sparse_group(f, meta):
    if meta.get("group") is None or meta["group"] not in f:
        raise NotApplicable
    return f[meta["group"]]


def member(group, name):
    if name not in group or not isinstance(group[name], h5py.Dataset):
        raise NotApplicable
    return group[name]


def indptr_damage(f, meta, rng):
    group = sparse_group(f, meta)
    indptr = member(group, "indptr")[()].astype(np.int64)
    nnz = int(indptr[-1]) if len(indptr) else 0
    kind = pick(rng, ["swap", "oversize", "decrease", "negative", "first", "length", "dtype", "huge-last"])
    position = int(rng.integers(len(indptr))) if len(indptr) else 0
    if kind == "swap" and len(indptr) > 2:
        i = int(rng.integers(len(indptr) - 1))
        indptr[i], indptr[i + 1] = indptr[i + 1], indptr[i]
        if indptr[i] == indptr[i + 1]:
            indptr[i] += 1
    elif kind == "oversize":
        indptr[position] = pick(rng, [nnz + 1, nnz + 1000, 2**31 - 1, 2**31, 2**40, 2**62, 2**63 - 1])
    elif kind == "decrease":
        indptr[position] = max(0, int(indptr[position]) - int(rng.integers(1, 5)))
    elif kind == "negative":
        indptr[position] = pick(rng, [-1, -(2**31), -(2**63)])
    elif kind == "first":
        indptr[0] = pick(rng, [1, nnz, -1])
    elif kind == "huge-last":
        indptr[-1] = pick(rng, [2**31, 2**62])
    elif kind == "length":
        change = pick(rng, ["longer", "shorter", "empty", "one"])
        indptr = {"longer": np.append(indptr, nnz), "shorter": indptr[:-1], "empty": indptr[:0],
                  "one": indptr[:1]}[change]
        kind += "-" + change
    elif kind == "dtype":
        stored = pick(rng, ["float-half", "float-nan", "uint8", "string", "bool", "uint64-max"])
        kind += "-" + stored
        if stored == "float-half":
            replace_dataset(group, "indptr", indptr.astype(np.float64) + 0.5)
        elif stored == "float-nan":
            values = indptr.astype(np.float64)
            values[position] = np.nan
            replace_dataset(group, "indptr", values)
        elif stored == "uint8":
            replace_dataset(group, "indptr", (indptr % 256).astype(np.uint8))
        elif stored == "string":
            replace_dataset(group, "indptr", np.array([str(v) for v in indptr], dtype="S"))
        elif stored == "bool":
            replace_dataset(group, "indptr", indptr > 0)
        else:
            values = indptr.astype(np.uint64)
            values[-1] = np.iinfo(np.uint64).max
            replace_dataset(group, "indptr", values)
        return "indptr " + kind
    replace_dataset(group, "indptr", indptr)
    return "indptr " + kind


def indices_damage(f, meta, rng):
    group = sparse_group(f, meta)
    stored = member(group, "indices")
    indices = stored[()].astype(np.int64)
    if len(indices) == 0:
        raise NotApplicable
    position = int(rng.integers(len(indices)))
    kind = pick(rng, ["bound", "huge", "negative", "dtype-float", "dtype-string", "dtype-uint64", "unsorted",
                      "duplicate"])
    if kind in ("bound", "huge", "negative"):
        bound = int(indices.max()) + 1
        value = {"bound": pick(rng, [bound, bound + 1, 1000, 2**31 - 1]),
                 "huge": pick(rng, [2**31, 2**32, 2**40, 2**63 - 1]),
                 "negative": pick(rng, [-1, -(2**31), -(2**40)])}[kind]
        indices[position] = value
        replace_dataset(group, "indices", indices, dtype=np.int64)
    elif kind == "dtype-float":
        replace_dataset(group, "indices", indices.astype(np.float64) + pick(rng, [0.0, 0.5]))
    elif kind == "dtype-string":
        replace_dataset(group, "indices", np.array([str(v) for v in indices], dtype="S"))
    elif kind == "dtype-uint64":
        values = indices.astype(np.uint64)
        values[position] = np.iinfo(np.uint64).max
        replace_dataset(group, "indices", values)
    elif kind == "unsorted":
        replace_dataset(group, "indices", indices[::-1].copy(), dtype=stored.dtype)
    else:
        indices[position] = indices[max(position - 1, 0)]
        replace_dataset(group, "indices", indices, dtype=stored.dtype)
    return "indices " + kind


BAD_VALUES = [np.nan, np.inf, -np.inf, -1.0, -0.0, 1e300, 1e160, 1e30, 1e19, -1e-320, 3.5e38, 5e-324]


def values_damage(f, meta, rng):
    if meta["kind"] == "sparse":
        parent, name = sparse_group(f, meta), "data"
    else:
        parent, name = f, meta["matrix"].lstrip("/")
    stored = member(parent, name)
    values = stored[()].astype(np.float64)
    if values.size == 0:
        raise NotApplicable
    value = pick(rng, BAD_VALUES)
    flat = values.reshape(-1)
    positions = rng.integers(flat.size, size=int(rng.integers(1, 4)))
    flat[positions] = value
    dtype = pick(rng, [np.float32, np.float64, stored.dtype]) if stored.dtype.kind == "f" else np.float64
    with np.errstate(over="ignore", invalid="ignore"):
        options = dict(chunks=stored.chunks, compression=stored.compression) if stored.chunks else {}
        replace_dataset(parent, name, values.astype(dtype), **options)
    return "values %r as %s" % (value, np.dtype(dtype).name)


def strange_array(rng, shape, source):
    """`source`'s values (or something of its shape) in a type BlockNMF cannot, or may not, read."""
    kind = pick(rng, ["string", "vlen-string", "compound", "enum", "bool", "float16", "complex", "int8",
                      "uint64-max", "longdouble", "array", "opaque", "reference"])
    if kind == "string":
        return kind, np.array(source, dtype="S").reshape(shape), None
    if kind == "vlen-string":
        return kind, np.array([str(v) for v in np.ravel(source)], dtype=object).reshape(shape), h5py.string_dtype()
    if kind == "compound":
        data = np.zeros(shape, dtype=[("a", "f8"), ("b", "i4")])
        data["a"] = source
        return kind, data, None
    if kind == "enum":
        return kind, (np.asarray(source) % 3).astype(np.int8), h5py.enum_dtype({"A": 0, "B": 1, "C": 2}, basetype="i1")
    if kind == "bool":
        return kind, np.asarray(source) > 0, None
    if kind == "float16":
        return kind, np.asarray(source).astype(np.float16), None
    if kind == "complex":
        return kind, np.asarray(source).astype(np.complex128), None
    if kind == "int8":
        return kind, (np.asarray(source) - 20).astype(np.int8), None
    if kind == "uint64-max":
        data = np.asarray(source).astype(np.uint64)
        data.reshape(-1)[:1] = np.iinfo(np.uint64).max
        return kind, data, None
    if kind == "longdouble":
        return kind, np.asarray(source).astype(np.longdouble), None
    if kind == "array":
        data = np.zeros(shape, dtype=np.dtype((np.float64, (2,))))
        return kind, data, None
    if kind == "opaque":
        return kind, np.zeros(shape, dtype="V8"), None
    return kind, None, h5py.ref_dtype


def dtype_damage(f, meta, rng):
    if meta["kind"] == "sparse":
        parent, name = sparse_group(f, meta), pick(rng, ["data", "indices", "indptr"])
    else:
        parent, name = f, meta["matrix"].lstrip("/")
    stored = member(parent, name)
    source = stored[()]
    kind, data, dtype = strange_array(rng, source.shape, source)
    if data is None:
        replace_dataset(parent, name, shape=source.shape, dtype=dtype)
    else:
        replace_dataset(parent, name, data, dtype=dtype)
    return "%s stored as %s" % (name, kind)


def rank_damage(f, meta, rng):
    if meta["kind"] == "sparse":
        parent, name = sparse_group(f, meta), pick(rng, ["data", "indices", "indptr"])
    else:
        parent, name = f, meta["matrix"].lstrip("/")
    source = member(parent, name)[()]
    kind = pick(rng, ["1-D", "2-D", "3-D", "scalar", "empty-rows", "empty-columns", "empty", "null"])
    if kind == "1-D":
        data = source.reshape(-1)
    elif kind == "2-D":
        data = source.reshape(-1, 1) if rng.random() < 0.5 else source.reshape(1, -1)
    elif kind == "3-D":
        data = source.reshape(1, *source.shape) if source.ndim < 3 else source
    elif kind == "scalar":
        data = source.reshape(-1)[0] if source.size else np.float64(1)
    elif kind == "empty-rows":
        data = source.reshape(source.shape[0], -1)[:0] if source.ndim else source.reshape(-1)[:0]
    elif kind == "empty-columns":
        data = source.reshape(source.shape[0], -1)[:, :0] if source.ndim else source.reshape(-1)[:0]
    elif kind == "empty":
        data = source.reshape(-1)[:0]
    else:
        replace_dataset(parent, name, data=h5py.Empty("f8"))
        return "%s as a null dataspace" % name
    replace_dataset(parent, name, data)
    return "%s reshaped %s" % (name, kind)


def length_damage(f, meta, rng):
    group = sparse_group(f, meta)
    name = pick(rng, ["data", "indices"])
    stored = member(group, name)
    values = stored[()]
    kind = pick(rng, ["shorter", "longer", "empty-all"])
    if kind == "empty-all":
        replace_dataset(group, "data", values[:0].astype(np.float64))
        replace_dataset(group, "indices", values[:0].astype(np.int32))
        if rng.random() < 0.5:
            indptr = member(group, "indptr")[()]
            replace_dataset(group, "indptr", np.zeros_like(indptr))
        return "data and indices empty"
    if kind == "shorter":
        if len(values) == 0:
            raise NotApplicable
        replace_dataset(group, name, values[:-1])
    else:
        replace_dataset(group, name, np.append(values, values[:1] if len(values) else [0]).astype(values.dtype))
    return "%s one %s" % (name, kind)


def missing_damage(f, meta, rng):
    if meta["kind"] == "sparse":
        group = sparse_group(f, meta)
        targets = [n for n in ("data", "indices", "indptr", "shape") if n in group]
        attributes = [n for n in ("encoding-type", "shape", "h5sparse_format", "h5sparse_shape") if n in group.attrs]
        if attributes and rng.random() < 0.4:
            name = pick(rng, attributes)
            del group.attrs[name]
            return "attribute %s removed" % name
        name = pick(rng, targets)
        kind = pick(rng, ["removed", "group", "dangling-link", "self-link", "external-link", "external-self"])
    else:
        group, name = f, meta["matrix"].lstrip("/")
        kind = pick(rng, ["removed", "group", "dangling-link", "self-link", "external-link", "external-self"])
    del group[name]
    target = group.name.rstrip("/") + "/" + name
    if kind == "group":
        group.create_group(name)
    elif kind == "dangling-link":
        group[name] = h5py.SoftLink("/nowhere/" + name)
    elif kind == "self-link":
        group[name] = h5py.SoftLink(target)
    elif kind == "external-link":
        group[name] = h5py.ExternalLink("missing-file.h5", target)
    elif kind == "external-self":
        group[name] = h5py.ExternalLink(os.path.basename(f.filename), target)
    return "%s %s" % (name, kind)


SHAPE_VALUES = ["string", "float", "negative", "huge-rows", "huge-columns", "both-31", "three", "scalar", "empty",
                "zeros", "smaller", "larger", "int64-max", "uint64-max", "bool", "int8-wrap", "2-D"]


def shape_value(kind, shape, rng):
    """A `shape` in the form `kind` names, from the true (rows, columns) `shape`."""
    rows, columns = shape
    return {
        "string": "%d,%d" % (rows, columns),
        "float": np.array([rows + 0.5, columns], dtype=np.float64),
        "negative": np.array([-rows, columns], dtype=np.int64),
        "huge-rows": np.array([pick(rng, [2**31 - 1, 2**40, 2**62, 2**63 - 1]), columns], dtype=np.int64),
        "huge-columns": np.array([rows, pick(rng, [2**31 - 1, 2**31, 2**40, 2**62, 2**63 - 1])], dtype=np.int64),
        "both-31": np.array([2**31 - 1, 2**31 - 1], dtype=np.int64),
        "three": np.array([rows, columns, 1], dtype=np.int64),
        "scalar": np.int64(rows),
        "empty": np.array([], dtype=np.int64),
        "zeros": np.array([0, 0], dtype=np.int64),
        "smaller": np.array([rows, columns - 1], dtype=np.int64),
        "larger": np.array([rows, columns + pick(rng, [1, 1000])], dtype=np.int64),
        "int64-max": np.array([np.iinfo(np.int64).max] * 2, dtype=np.int64),
        "uint64-max": np.array([rows, np.iinfo(np.uint64).max], dtype=np.uint64),
        "bool": np.array([True, True]),
        "int8-wrap": np.array([rows, columns], dtype=np.int64).astype(np.int8),
        "2-D": np.array([[rows, columns]], dtype=np.int64),
    }[kind]


def shape_damage(f, meta, rng):
    group = sparse_group(f, meta)
    kind = pick(rng, SHAPE_VALUES)
    if "shape" in group.attrs or "h5sparse_shape" in group.attrs:
        name = "shape" if "shape" in group.attrs else "h5sparse_shape"
        current = tuple(int(v) for v in group.attrs[name])
        group.attrs[name] = shape_value(kind, current, rng)
        return "attribute %s %s" % (name, kind)
    stored = member(group, "shape")
    features, cells = (int(v) for v in stored[()])
    if kind in ("huge-rows", "huge-columns"):
        kind = "huge-features" if kind == "huge-rows" else "huge-cells"
    value = shape_value(kind.replace("features", "rows").replace("cells", "columns"), (features, cells), rng)
    replace_dataset(group, "shape", value)
    return "shape dataset %s" % kind


def encoding_damage(f, meta, rng):
    group = sparse_group(f, meta)
    names = [n for n in ("encoding-type", "h5sparse_format") if n in group.attrs]
    if not names:
        group.attrs["encoding-type"] = pick(rng, ["csr_matrix", "csc_matrix", "dense", "anndata"])
        return "encoding-type added to a 10x group"
    name = pick(rng, names)
    kind = pick(rng, ["garbage", "integer", "array", "fixed-bytes", "not-utf8", "empty", "padded", "other-axis",
                      "float"])
    current = group.attrs[name]
    if isinstance(current, bytes):
        current = current.decode()
    value = {
        "garbage": "".join(chr(int(c)) for c in rng.integers(33, 127, size=int(rng.integers(1, 40)))),
        "integer": np.int64(1),
        "array": np.array([current, current], dtype=h5py.string_dtype()),
        "fixed-bytes": np.bytes_(current.encode()),
        "not-utf8": np.bytes_(b"\xff\xfe" + current.encode()),
        "empty": "",
        "padded": current + " ",
        "other-axis": {"csr_matrix": "csc_matrix", "csc_matrix": "csr_matrix", "csr": "csc", "csc": "csr"}.get(
            current, "csr_matrix"),
        "float": np.float64(0.5),
    }[kind]
    group.attrs[name] = value
    return "attribute %s %s" % (name, kind)


def huge_damage(f, meta, rng):
    """A dense matrix declaring a huge shape whose chunks (or contiguous storage) were never written."""
    if meta["kind"] != "dense":
        raise NotApplicable
    name = meta["matrix"].lstrip("/")
    stored = member(f, name)
    rows, columns = stored.shape if stored.ndim == 2 else (60, 12)
    shape = pick(rng, [(2**40, columns), (rows, 2**40), (2**31, 2**31), (2**62, 2), (2**33, columns),
                       (2**20, 2**20), (rows * 1000, columns)])
    contiguous = rng.random() < 0.3 and shape[0] * shape[1] < 2**55
    del f[name]
    if contiguous:
        f.create_dataset(name, shape=shape, dtype=stored.dtype)
    else:
        fill = pick(rng, [0, 1, np.nan])
        f.create_dataset(name, shape=shape, dtype=np.float64 if fill is np.nan else stored.dtype,
                         chunks=(min(shape[0], 64), min(shape[1], 64)), fillvalue=fill,
                         compression=pick(rng, [None, "gzip"]))
    return "dense shape %dx%d declared, never written (%s)" % (shape[0], shape[1],
                                                              "contiguous" if contiguous else "chunked")


def partial_damage(f, meta, rng):
    """A chunked dense matrix whose unwritten chunks read as a fill value, possibly NaN or negative."""
    if meta["kind"] != "dense":
        raise NotApplicable
    name = meta["matrix"].lstrip("/")
    source = member(f, name)[()]
    if source.ndim != 2:
        raise NotApplicable
    fill = pick(rng, [0.0, np.nan, -1.0, np.inf])
    del f[name]
    dataset = f.create_dataset(name, shape=source.shape, dtype=np.float64, chunks=(8, source.shape[1]),
                               fillvalue=fill)
    dataset[: source.shape[0] // 2] = source[: source.shape[0] // 2]
    return "dense half written, fill value %r" % fill


def chunk_damage(f, meta, rng):
    if meta["kind"] == "sparse":
        parent, name = sparse_group(f, meta), pick(rng, ["data", "indices", "indptr"])
    else:
        parent, name = f, meta["matrix"].lstrip("/")
    source = member(parent, name)[()]
    if source.ndim == 0 or source.size == 0:
        raise NotApplicable
    kind = pick(rng, ["tiny-chunks", "fletcher32", "scaleoffset", "unlimited", "big-chunks"])
    options = {
        "tiny-chunks": dict(chunks=(1,) * source.ndim),
        "fletcher32": dict(chunks=True, fletcher32=True),
        "scaleoffset": dict(chunks=True, scaleoffset=0 if source.dtype.kind in "iu" else 2),
        "unlimited": dict(chunks=True, maxshape=(None,) * source.ndim),
        "big-chunks": dict(chunks=tuple(max(1, s) for s in source.shape), compression="gzip",
                           compression_opts=9),
    }[kind]
    replace_dataset(parent, name, source, **options)
    return "%s rewritten with %s" % (name, kind)


def layout_damage(f, meta, rng):
    """Changes to the file around the matrix: what the default --dataset finds."""
    kind = pick(rng, ["root-encoding", "obs-dataset", "second-matrix", "members-at-root", "deep-groups",
                      "many-attributes", "long-name"])
    if kind == "root-encoding":
        f.attrs["encoding-type"] = pick(rng, [np.int64(3), np.array(["anndata", "x"], dtype=h5py.string_dtype()),
                                              "anndata", np.float64(1.0)])
    elif kind == "obs-dataset":
        for name in ("obs", "var"):
            if name in f:
                del f[name]
            f.create_dataset(name, data=np.arange(3))
    elif kind == "second-matrix":
        f.create_dataset("Y", data=np.ones((3, 3)))
    elif kind == "members-at-root":
        group = sparse_group(f, meta)
        for name in ("data", "indices", "indptr"):
            if name in group and name not in f:
                f.copy(group[name], name)
        for name, value in group.attrs.items():
            f.attrs[name] = value
    elif kind == "deep-groups":
        path = "/".join("g%d" % i for i in range(int(rng.integers(50, 300))))
        f.create_dataset(path + "/M", data=np.ones((2, 2)))
    elif kind == "many-attributes":
        target = f[meta["matrix"]] if meta["matrix"] in f else f
        for i in range(int(rng.integers(20, 200))):
            target.attrs["a%d" % i] = np.arange(i)
    else:
        f.create_dataset("n" * int(rng.integers(200, 2000)), data=np.ones((2, 2)))
    return "file " + kind


STRUCTURED = {
    "indptr": (indptr_damage, {"sparse"}),
    "indices": (indices_damage, {"sparse"}),
    "values": (values_damage, {"sparse", "dense"}),
    "dtype": (dtype_damage, {"sparse", "dense"}),
    "rank": (rank_damage, {"sparse", "dense"}),
    "length": (length_damage, {"sparse"}),
    "missing": (missing_damage, {"sparse", "dense"}),
    "shape": (shape_damage, {"sparse"}),
    "encoding": (encoding_damage, {"sparse"}),
    "huge": (huge_damage, {"dense"}),
    "partial": (partial_damage, {"dense"}),
    "chunks": (chunk_damage, {"sparse", "dense"}),
    "layout": (layout_damage, {"sparse", "dense"}),
}


def damage_structure(path, meta, rng):
    """One structured damage that applies to the layout (None when ten draws found none)."""
    names = [name for name, (_, kinds) in STRUCTURED.items() if meta["kind"] in kinds]
    for _ in range(10):
        name = pick(rng, names)
        try:
            with h5py.File(path, "r+") as f:
                return STRUCTURED[name][0](f, meta, rng)
        except NotApplicable:
            continue
    return None


# ---------------------------------------------------------------------------------------------
# Raw damage, to the file's bytes

SIGNATURES = {b"TREE": "btree", b"BTHD": "btree", b"BTIN": "btree", b"BTLF": "btree", b"HEAP": "heap",
              b"GCOL": "heap", b"FRHP": "heap", b"FHDB": "heap", b"FHIB": "heap", b"SNOD": "symbol-node",
              b"OHDR": "object-header", b"OCHK": "object-header", b"FSHD": "free-space", b"FSSE": "free-space"}


def file_regions(path):
    """Byte ranges of the file by what they hold: superblock, object headers, B-trees, heaps,
    symbol-table nodes (found by their signatures) and raw data (each dataset's storage)."""
    content = open(path, "rb").read()
    size = len(content)
    regions = {"superblock": [(0, min(size, 96 if content[8] < 2 else 48))], "anywhere": [(0, size)]}

    def add(kind, start, length):
        if 0 <= start < size and length > 0:
            regions.setdefault(kind, []).append((start, min(size, start + length)))

    for signature, kind in SIGNATURES.items():
        for match in re.finditer(re.escape(signature), content):
            add(kind, match.start(), 64)
    with h5py.File(path, "r") as f:
        objects = [f]
        f.visititems(lambda name, obj: objects.append(obj) if not isinstance(obj, h5py.Datatype) else None)
        for obj in objects:
            try:
                info = h5py.h5o.get_info(obj.id)
                add("object-header", info.addr, max(16, info.hdr.space.total))
            except Exception:
                pass
            if isinstance(obj, h5py.Dataset):
                dataset = obj.id
                try:
                    if obj.chunks:
                        for index in range(dataset.get_num_chunks()):
                            chunk = dataset.get_chunk_info(index)
                            add("data", chunk.byte_offset, chunk.size)
                    else:
                        offset = dataset.get_offset()
                        if offset is not None:
                            add("data", offset, dataset.get_storage_size())
                except Exception:
                    pass
    return regions, size


def damage_bytes(path, rng):
    regions, size = file_regions(path)
    kind = pick(rng, ["flip", "flip", "flip", "overwrite", "truncate", "zero-block"])
    content = bytearray(open(path, "rb").read())
    if kind == "truncate":
        where = pick(rng, ["anywhere", "end", "data", "superblock"])
        if where == "end":
            offset = max(0, size - int(rng.integers(1, 200)))
        else:
            start, end = pick(rng, regions.get(where, regions["anywhere"]))
            offset = int(rng.integers(start, max(start + 1, end)))
        with open(path, "r+b") as f:
            f.truncate(offset)
        return "truncated at byte %d of %d (%s)" % (offset, size, where)
    region = pick(rng, sorted(regions))
    start, end = pick(rng, regions[region])
    if kind == "zero-block":
        offset = int(rng.integers(start, end))
        content[offset:offset + 512] = bytes(len(content[offset:offset + 512]))
        description = "512 bytes zeroed at %d (%s)" % (offset, region)
    elif kind == "overwrite":
        offset = int(rng.integers(start, end))
        length = int(rng.integers(1, 9))
        fill = pick(rng, ["zeros", "ones", "random"])
        data = {"zeros": bytes(length), "ones": b"\xff" * length,
                "random": bytes(int(b) for b in rng.integers(0, 256, size=length))}[fill]
        content[offset:offset + length] = data[: len(content[offset:offset + length])]
        description = "%d bytes set to %s at %d (%s)" % (length, fill, offset, region)
    else:
        flips = int(rng.integers(1, 5))
        offsets = [int(rng.integers(start, end)) for _ in range(flips)]
        for offset in offsets:
            content[offset] ^= 1 << int(rng.integers(8))
        description = "%d bit%s flipped at %s (%s)" % (flips, "" if flips == 1 else "s",
                                                      ",".join(map(str, offsets)), region)
    with open(path, "wb") as f:
        f.write(content)
    return description


# ---------------------------------------------------------------------------------------------
# One case


def case_stream(seed, case):
    return np.random.default_rng([seed, case])


def build_case(seed, case, directory):
    """Writes case `case`'s file into `directory`; returns what was done and the commands to run."""
    rng = case_stream(seed, case)
    layout = pick(rng, sorted(LAYOUTS))
    path = os.path.join(directory, "case-%d.h5" % case)
    meta = write_input(path, layout, rng)
    damages = []
    plan = rng.random()
    if plan >= 0.04:  # below: an undamaged control
        if plan < 0.58 or plan >= 0.92:
            damages.append(damage_structure(path, meta, rng))
        if plan >= 0.58:
            damages.append(damage_bytes(path, rng))
    damages = [damage for damage in damages if damage]
    raw = plan >= 0.58
    factor = ["factor", path, "--rank", "2", "--max-iter", "3", "--quiet", "-o",
              os.path.join(directory, "case-%d-out.h5" % case)]
    if meta.get("needs_dataset") or rng.random() < 0.5:
        factor += ["--dataset", meta["dataset_option"]]
    reading = pick(rng, ["default", "default", "block-rows", "small-memory", "tiny-memory"])
    factor += {"default": [], "block-rows": ["--block-rows", str(pick(rng, [1, 16, 64]))],
               "small-memory": ["--memory", pick(rng, ["64KiB", "16KiB"])],
               "tiny-memory": ["--memory", pick(rng, ["2KiB", "1KiB", "512"]), "--init", "random"]}[reading]
    solver = pick(rng, ["hals", "hals", "cd", "mu", "mu-kl"])
    factor += ["--solver", "mu", "--loss", "kullback-leibler"] if solver == "mu-kl" else ["--solver", solver]
    factor += ["--precision", pick(rng, ["auto", "auto", "float32", "float64"]), "--threads", "1"]
    if rng.random() < 0.6 and "--init" not in factor:  # NNDSVD's passes cost as much as a case's reading
        factor += ["--init", "random"]
    info = ["info", path] + (["--json"] if rng.random() < 0.3 else []) + (
        ["--memory", "4KiB"] if rng.random() < 0.3 else [])
    return dict(case=case, layout=layout, libver=meta["libver"], damages=damages, control=not damages,
                raw=raw, meta=meta, path=path, commands=[info, factor])


# ---------------------------------------------------------------------------------------------
# Running and judging


def backtrace(arguments, attach_pid=None, timeout=120):
    """gdb's backtrace of the crashing thread (the command run again under gdb), or of every
    thread of a running process (attached); None without gdb."""
    if shutil.which("gdb") is None:
        return None
    if attach_pid is not None:
        command = ["gdb", "-q", "-nx", "-batch", "-p", str(attach_pid), "-ex", "thread apply all bt 40"]
    else:
        command = ["gdb", "-q", "-nx", "-batch", "-ex", "set pagination off", "-ex", "set startup-with-shell off",
                   "-ex", "run", "-ex", "bt 40", "--args"] + arguments
    # Swift's own backtracer would catch the signal before gdb sees it.
    environment = dict(os.environ, SWIFT_BACKTRACE="enable=no")
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, errors="replace",
                                env=environment)
    except subprocess.TimeoutExpired:
        return "(gdb timed out)"
    return "\n".join(line for line in result.stdout.splitlines() if line.startswith(("#", "Thread ")))


GDB_FRAME = re.compile(r"^#\d+\s+(?:0x[0-9a-f]+ in )?(\S+)(.*)$")
SWIFT_FRAME = re.compile(r"^\s*\d+ (?:\[[a-z]+\] )*\s*0x[0-9a-f]+ (.*?) in (\S+)(?: at (.*))?$")
NEUTRAL_LIBRARIES = ("libc.so", "libc-", "ld-linux", "libpthread", "libswiftCore", "libFoundation", "libdispatch",
                     "libgcc", "libstdc++", "libm.so", "libz.so", "libsz", "libaec", "libopenblas", "libgfortran",
                     "vgpreload")
# What glibc prints when it finds its heap damaged: by then the code that damaged it has returned.
HEAP_DAMAGE = ("double free", "corrupted size", "corrupted double-linked", "malloc(): ", "free(): ",
               "malloc_consolidate")
VALGRIND_FRAME = re.compile(r"^==\d+==\s+(?:at|by) 0x[0-9A-Fa-f]+: (.*?) \((?:in )?(.*)\)$")


def first_invalid_access(arguments, directory, timeout=900):
    """The stack (innermost first) of the first invalid write, else read, valgrind finds in the
    run, for a crash glibc reports as heap damage; None without valgrind or when it finds
    none. Valgrind cannot read the debug information Swift writes, so it runs a copy without."""
    if shutil.which("valgrind") is None or shutil.which("strip") is None:
        return None
    copy = os.path.join(directory, "blocknmf-without-debug-information")
    if subprocess.run(["strip", "--strip-debug", "-o", copy, arguments[0]], capture_output=True).returncode != 0:
        return None
    try:
        result = subprocess.run(["valgrind", "-q", "--error-limit=no", copy] + arguments[1:], capture_output=True,
                                text=True, errors="replace", timeout=timeout,
                                env=dict(RUN_ENVIRONMENT, SWIFT_BACKTRACE="enable=no"))
    except subprocess.TimeoutExpired:
        return None
    for kind in ("Invalid write", "Invalid read"):
        lines = result.stderr.splitlines()
        for index, line in enumerate(lines):
            if kind in line:
                stack = []
                for frame in lines[index + 1:]:
                    match = VALGRIND_FRAME.match(frame)
                    if not match:
                        break
                    stack.append((match.group(1), match.group(2)))
                return stack
    return None


def frames(trace):
    """(function, library) of each frame of the faulting thread, innermost first: from Swift's
    backtracer (the "crashed:" thread of its report on stderr) or from gdb; of the first
    thread that is inside libhdf5, or the first thread, for gdb's report on every thread."""
    lines = trace.splitlines()
    if any(line.endswith("crashed:") for line in lines):
        start = next(i for i, line in enumerate(lines) if line.endswith("crashed:"))
        found = []
        for line in lines[start + 1:]:
            if line.startswith("Thread "):
                break
            match = SWIFT_FRAME.match(line)
            if match:
                found.append((match.group(1), match.group(2)))
        return found
    threads, current = [], None
    for line in lines:
        if line.startswith("Thread ") or current is None:
            current = []
            threads.append(current)
        match = GDB_FRAME.match(line.strip())
        if match:
            function, rest = match.groups()
            if " from " in rest:
                library = rest.split(" from ")[-1]
            elif function.startswith("$s") or "Sources/" in rest or "<compiler-generated>" in rest:
                library = "blocknmf"
            else:
                library = "(source of another library)"  # e.g. the C library's, with its debug information
            current.append((function, library))
    threads = [thread for thread in threads if thread]
    for thread in threads:
        if any("libhdf5" in library for _, library in thread):
            return thread
    return threads[0] if threads else []


def attribute(trace, stack=None):
    """Whose code a backtrace's innermost meaningful frame is: "libhdf5", "BlockNMF" or
    "unknown". Frames in the C library, Swift's runtime, the thread library and compression
    libraries are passed over: the first frame in libhdf5 or in BlockNMF's binary decides.
    `stack`: (function, library) frames, innermost first, instead of a backtrace's text."""
    for function, library in stack if stack is not None else frames(trace or ""):
        if "libhdf5" in library or re.match(r"H5[A-Z_]", function):
            return "libhdf5"
        if any(name in library for name in NEUTRAL_LIBRARIES) or library.startswith("(source"):
            continue
        if function.startswith(("__", "raise", "abort", "swift_", "start_thread", "clone")):
            continue
        if "blocknmf" in library:
            return "BlockNMF"
    return "unknown"


ADDRESS_SPACE = 4 << 30


def limited():
    """A run's limits: no core files, and an address space of ADDRESS_SPACE, so that a run
    asking for an absurd allocation fails at once instead of taking the machine's memory."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


# The engine calls OpenBLAS from one thread at a time; the pool OpenBLAS would otherwise start
# when loaded spins, which costs as much as a small case's work.
RUN_ENVIRONMENT = dict(os.environ, OPENBLAS_NUM_THREADS="1")


def run(arguments, timeout):
    """Runs blocknmf; on a hang, takes every thread's backtrace before killing it."""
    process = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=limited,
                               env=RUN_ENVIRONMENT)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
        return dict(status=process.returncode, stdout=stdout.decode(errors="replace"),
                    stderr=stderr.decode(errors="replace"))
    except subprocess.TimeoutExpired:
        trace = backtrace(arguments, attach_pid=process.pid, timeout=60)
        process.kill()
        stdout, stderr = process.communicate()
        if trace is not None and not frames(trace):
            # gdb may not attach to a process it did not start (a container without
            # CAP_SYS_PTRACE): run the command again under it, and interrupt it as late.
            trace = interrupted_backtrace(arguments, after=timeout)
        return dict(status=None, stdout=stdout.decode(errors="replace"), stderr=stderr.decode(errors="replace"),
                    trace=trace)


def interrupted_backtrace(arguments, after):
    """Every thread's backtrace of the command run under gdb and interrupted (SIGINT, which
    gdb takes for itself) after `after` seconds; gdb's output if the command ends before."""
    command = ["gdb", "-q", "-nx", "-batch", "-ex", "set pagination off", "-ex", "set startup-with-shell off",
               "-ex", "set disable-randomization off", "-ex", "run", "-ex", "thread apply all bt 40", "-ex", "kill",
               "--args"] + arguments
    gdb = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, errors="replace",
                           preexec_fn=limited, env=dict(RUN_ENVIRONMENT, SWIFT_BACKTRACE="enable=no"))
    try:
        stdout, _ = gdb.communicate(timeout=after)
    except subprocess.TimeoutExpired:
        try:
            with open("/proc/%d/task/%d/children" % (gdb.pid, gdb.pid)) as children:
                for child in children.read().split():
                    os.kill(int(child), signal.SIGINT)
            stdout, _ = gdb.communicate(timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            gdb.kill()
            stdout, _ = gdb.communicate()
    return "\n".join(line for line in stdout.splitlines() if line.startswith(("#", "Thread ")))


def read_matrix_check(path, dataset, precision):
    """What h5py finds in the matrix `dataset` of `path`, its values converted to `precision`
    as BlockNMF converts them (-1e-320 is -0.0 in float32): (shape of the matrix read, problem
    or None), or None when h5py cannot read it. A problem is a value BlockNMF must refuse."""
    with h5py.File(path, "r") as f:
        obj = f[dataset]
        if isinstance(obj, h5py.Dataset):
            values = obj[()]
            if values.ndim != 2 or values.dtype.kind not in "iuf":
                return None
            with np.errstate(over="ignore"):
                values = values.astype(precision)
            if not np.all(np.isfinite(values)):
                return values.shape, "non-finite values"
            if np.any(values < 0):
                return values.shape, "negative values"
            return values.shape, None
        attributes = dict(obj.attrs)
        if "encoding-type" in attributes or "h5sparse_format" in attributes:
            name = "shape" if "encoding-type" in attributes else "h5sparse_shape"
            declared = np.asarray(attributes[name])
            form = attributes.get("encoding-type", attributes.get("h5sparse_format"))
            form = form.decode() if isinstance(form, bytes) else str(form)
            by_rows = form in ("csr_matrix", "csr")
            transposed = False
        else:
            declared = obj["shape"][()]
            by_rows, transposed = False, True
        if declared.shape != (2,) or declared.dtype.kind not in "iu":
            return None
        shape = (int(declared[0]), int(declared[1]))
        with np.errstate(over="ignore"):
            data = obj["data"][()].astype(precision)
        indices = obj["indices"][()]
        indptr = obj["indptr"][()]
        matrix_shape = (shape[1], shape[0]) if transposed else shape
        uncompressed = shape[1] if by_rows else shape[0]
        if not np.all(np.isfinite(data)):
            return matrix_shape, "non-finite values"
        if np.any(data < 0):
            return matrix_shape, "negative values"
        if indices.dtype.kind in "iu" and len(indices) and (indices.min() < 0 or indices.max() >= uncompressed):
            return matrix_shape, "indices out of range"
        if indptr.dtype.kind in "iu" and len(indptr) and (indptr[0] != 0 or indptr[-1] != len(data)
                                                          or np.any(np.diff(indptr.astype(np.int64)) < 0)):
            return matrix_shape, "indptr inconsistent"
        return matrix_shape, None


def isolated(function, *arguments, timeout=60):
    """`function(*arguments)` in a forked child, so that a crash of h5py's HDF5 on a damaged
    file cannot take this process with it; None when the child fails in any way."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            result = json.dumps(function(*arguments))
        except BaseException:
            result = "null"
        os.write(write_end, result.encode())
        os._exit(0)
    os.close(write_end)
    chunks, deadline = [], time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            os.kill(pid, signal.SIGKILL)
            break
        ready, _, _ = select.select([read_end], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(read_end, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    try:
        return json.loads(b"".join(chunks).decode() or "null")
    except ValueError:
        return None


def in_process(function, *arguments):
    """`function(*arguments)` as `isolated` returns it, for files h5py itself wrote."""
    try:
        return json.loads(json.dumps(function(*arguments)))
    except Exception:
        return None


def check_result(case, output):
    """For factor's exit 0: the problem with its result, or None when it is correct."""
    try:
        with h5py.File(output, "r") as f:
            w, h = f["W"][()], f["H"][()]
            dataset, precision = (value.decode() if isinstance(value, bytes) else str(value)
                                  for value in (f.attrs["input_dataset"], f.attrs["precision"]))
    except Exception as error:  # the result file must be readable
        return "result unreadable: %s" % error
    if w.ndim != 2 or h.ndim != 2 or w.shape[1] != 2 or h.shape[0] != 2:
        return "W %s, H %s for rank 2" % (w.shape, h.shape)
    for name, factor in (("W", w), ("H", h)):
        if not np.all(np.isfinite(factor)) or np.any(factor < 0):
            return "%s not finite and non-negative" % name
    checked = isolated(read_matrix_check, case["path"], dataset, precision) if case["raw"] else \
        in_process(read_matrix_check, case["path"], dataset, precision)
    if checked is None:
        case["unverified"] = True
        return None
    shape, problem = checked
    if problem:
        return "accepted a matrix with %s (as h5py reads %s)" % (problem, dataset)
    if (w.shape[0], h.shape[1]) != tuple(shape):
        return "W %s, H %s for a %dx%d matrix" % (w.shape, h.shape, shape[0], shape[1])
    return None


def judge(case, command, result):
    """The class of one run: ok, error-<status>, or a failure class."""
    if result["status"] is None:
        return "hang"
    status = result["status"]
    lines = result["stderr"].rstrip("\n").split("\n") if result["stderr"] else []
    if status < 0:
        return "out-of-memory" if "failed to allocate" in result["stderr"] else "crash"
    if status == 0:
        if command[0] == "factor":
            problem = check_result(case, command[command.index("-o") + 1])
            if problem:
                result["problem"] = problem
                return "wrong-result"
        elif not result["stdout"].strip():
            result["problem"] = "info printed nothing"
            return "wrong-result"
        return "ok"
    if case["control"] and status != 64:  # 64: an option (a tiny --memory) refused, not the data
        return "valid-rejected"
    if len(lines) != 1 or not lines[0].startswith("blocknmf: error: "):
        return "multi-line"
    if status == 70:
        return "hdf5-error-70" if HDF5_ERROR.search(lines[0]) else "internal-error"
    if status in CLEAN_STATUSES:
        return "error-%d" % status
    return "unexpected-status"


def run_case(arguments):
    seed, case_id, binary, timeout, keep = arguments
    directory = tempfile.mkdtemp(prefix="blocknmf-fuzz-")
    try:
        try:
            case = build_case(seed, case_id, directory)
        except Exception:  # a bug of this tool: reported as a failure, the campaign goes on
            return dict(case=case_id, layout="?", libver="?", damages=["(not built)"], runs=[
                dict(command="build", arguments=[], verdict="tool-error", status=None,
                     stderr=traceback.format_exc(), problem=None, frames=[])])
        case["runs"] = []
        for command in case["commands"]:
            started = time.monotonic()
            result = run([binary] + command, timeout)
            seconds = time.monotonic() - started
            verdict = judge(case, command, result)
            if verdict == "crash":
                # Swift's backtracer cannot unwind through some C frames (memcpy's): gdb then.
                if attribute(result["stderr"]) == "unknown":
                    result["trace"] = backtrace([binary] + command)
                trace = result.get("trace") or result["stderr"]
                culprit = attribute(trace)
                if any(message in result["stderr"] for message in HEAP_DAMAGE):
                    result["invalid_access"] = first_invalid_access([binary] + command, directory)
                    if result["invalid_access"]:
                        culprit = attribute(None, stack=result["invalid_access"])
                verdict = "crash-libhdf5" if culprit == "libhdf5" else "crash-blocknmf"
            shown = []
            if verdict == "hang":
                shown = frames(result.get("trace") or "")
                if attribute(result.get("trace")) == "libhdf5":
                    verdict = "hang-libhdf5"
            elif verdict.startswith("crash"):
                shown = result.get("invalid_access") or frames(result.get("trace") or result["stderr"])
            case["runs"].append(dict(command=command[0], arguments=command[1:], verdict=verdict, seconds=seconds,
                                     status=result["status"], stderr=result["stderr"][:4000],
                                     problem=result.get("problem"), frames=shown[:12]))
        if keep and any(run["verdict"] in FAILURES | TOLERATED for run in case["runs"]):
            os.makedirs(keep, exist_ok=True)
            shutil.copy(case["path"], os.path.join(keep, os.path.basename(case["path"])))
        return case
    finally:
        shutil.rmtree(directory, ignore_errors=True)


FAILURES = {"internal-error", "hdf5-error-70", "crash-blocknmf", "hang", "multi-line", "wrong-result",
            "valid-rejected", "unexpected-status", "tool-error"}
TOLERATED = {"crash-libhdf5", "hang-libhdf5", "out-of-memory"}
ROWS = [("ok", "ok (exit 0, result checked)"), ("error", "clean errors"), ("internal-error", "internal errors (70)"),
        ("hdf5-error-70", "HDF5 errors at 70 (unmapped stack)"), ("crash-blocknmf", "crashes in BlockNMF"),
        ("crash-libhdf5", "crashes in libhdf5"), ("out-of-memory", "allocations over 4 GiB"), ("hang", "hangs"),
        ("hang-libhdf5", "hangs in libhdf5"),
        ("multi-line", "multi-line stderr"), ("wrong-result", "wrong results"),
        ("valid-rejected", "valid inputs rejected"), ("unexpected-status", "unexpected statuses"),
        ("tool-error", "cases this tool failed to build")]


def reproducer(seed, case, run, binary):
    arguments = [a if not a.startswith(tempfile.gettempdir()) else os.path.join("fuzz-cases", os.path.basename(a))
                 for a in run["arguments"]]
    return ("python3 tools/fuzz_inputs.py --seed %d --only %d --keep-failures fuzz-cases && %s %s %s"
            % (seed, case["case"], binary, run["command"], " ".join(arguments)))


def summarize(cases, seed, binary, strict, elapsed):
    runs = [run for case in cases for run in case["runs"]]
    counts = {}
    for run in runs:
        counts[run["verdict"]] = counts.get(run["verdict"], 0) + 1
    errors = {int(v.split("-")[1]): n for v, n in counts.items() if re.fullmatch(r"error-\d+", v)}
    print("fuzz: %d cases (seed %d), %d runs, %.0f s" % (len(cases), seed, len(runs), elapsed))
    width = max(len(label) for _, label in ROWS) + 2
    for key, label in ROWS:
        if key == "error":
            detail = ", ".join("%d: %d" % (status, n) for status, n in sorted(errors.items()))
            print("  %-*s %6d  (%s)" % (width, label, sum(errors.values()), detail or "none"))
        else:
            print("  %-*s %6d" % (width, label, counts.get(key, 0)))
    unverified = sum(1 for case in cases if case.get("unverified"))
    print("  %-*s %6d" % (width, "ok results h5py cannot read", unverified))
    by_layout = {}
    for case in cases:
        by_layout[case["layout"]] = by_layout.get(case["layout"], 0) + 1
    print("  layouts: " + ", ".join("%s %d" % item for item in sorted(by_layout.items())))
    failing = FAILURES | (TOLERATED if strict else set())
    reported = 0
    for case in cases:
        for run in case["runs"]:
            if run["verdict"] in FAILURES or run["verdict"] in TOLERATED:
                reported += 1
                if reported > 200:
                    continue
                print("\n%s: case %d (%s, %s): %s" % (run["verdict"], case["case"], case["layout"],
                                                      case["libver"], "; ".join(case["damages"]) or "undamaged"))
                lines = run["stderr"].strip().split("\n")
                detail = run.get("problem") or (lines[-1] if run["verdict"] == "tool-error" else lines[0])[:400]
                if detail:
                    print("  " + detail)
                if run["frames"]:
                    print("  " + "\n  ".join("%s (%s)" % tuple(frame) for frame in run["frames"][:8]))
                print("  reproduce: " + reproducer(seed, case, run, binary))
    if reported > 200:
        print("\n(%d more not shown; see --json-out)" % (reported - 200))
    if shutil.which("gdb") is None and any(key in counts for key in ("hang", "crash-blocknmf")):
        print("\ngdb is not installed: crashes without Swift's backtrace and hangs cannot be attributed to libhdf5")
    return sum(n for v, n in counts.items() if v in failing)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=200, help="number of cases (default 200)")
    parser.add_argument("--seed", type=int, default=1, help="seed of every case's random stream (default 1)")
    parser.add_argument("--first", type=int, default=0, help="id of the first case (default 0)")
    parser.add_argument("--only", type=int, action="append", help="run only this case (repeatable)")
    parser.add_argument("--timeout", type=float, default=20, help="seconds each run may take (default 20)")
    parser.add_argument("--blocknmf", help="the binary (default: .build/release/blocknmf, else blocknmf on PATH)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="cases run at once")
    parser.add_argument("--keep-failures", metavar="DIR",
                        help="copy the file of every failing case (every case with --only) into DIR")
    parser.add_argument("--json-out", metavar="FILE", help="write every case and run as JSON")
    parser.add_argument("--strict", action="store_true",
                        help="count crashes and hangs in libhdf5 and allocations over 4 GiB as failures")
    options = parser.parse_args()

    binary = options.blocknmf or os.path.join(REPOSITORY, ".build", "release", "blocknmf")
    if not os.path.exists(binary):
        binary = shutil.which("blocknmf") or binary
    if not os.access(binary, os.X_OK):
        parser.error("no blocknmf binary at %s (build it: swift build -c release --product blocknmf)" % binary)
    binary = os.path.abspath(binary)
    ids = options.only or list(range(options.first, options.first + options.cases))
    keep = options.keep_failures and os.path.abspath(options.keep_failures)
    if options.only and keep:
        os.makedirs(keep, exist_ok=True)
        for case_id in ids:
            case = build_case(options.seed, case_id, keep)
            print("case %d (%s, %s): %s -> %s" % (case_id, case["layout"], case["libver"],
                                                  "; ".join(case["damages"]) or "undamaged", case["path"]))
            for command in case["commands"]:
                print("  %s %s" % (binary, " ".join(command)))
    work = [(options.seed, case_id, binary, options.timeout, keep) for case_id in ids]
    started = time.monotonic()
    cases = []
    with multiprocessing.get_context("fork").Pool(max(1, options.jobs)) as pool:
        for case in pool.imap_unordered(run_case, work, chunksize=4):
            cases.append(case)
            if len(cases) % max(1, len(work) // 10) == 0 and len(cases) < len(work):
                print("fuzz: %d of %d cases, %.0f s" % (len(cases), len(work), time.monotonic() - started),
                      file=sys.stderr, flush=True)
    cases.sort(key=lambda case: case["case"])
    failures = summarize(cases, options.seed, binary, options.strict, time.monotonic() - started)
    if options.json_out:
        for case in cases:
            case.pop("meta", None)
        with open(options.json_out, "w") as f:
            json.dump(dict(seed=options.seed, binary=binary, cases=cases), f, indent=1, default=str)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
