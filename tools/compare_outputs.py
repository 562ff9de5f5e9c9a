#!/usr/bin/env python3
"""Compare what two builds of blocknmf wrote for the same configurations, byte for byte.

Used by tools/compare_builds.sh, which runs every configuration once with each build, in a
directory of its own per build. Such a directory holds what the configuration's commands left:

  NAME.h5, NAME.h5ad   HDF5 outputs: every group and dataset (shape, dtype, raw bytes of the
                       values, chunks and filters) and every attribute of every object,
                       compared exactly
  NAME.json            a --json summary on stdout, compared key by key, values exactly
  NAME.timed.json      the same, of a run resumed after stops that depend on time
                       (--time-limit): the checkpoint's counts are left out too
  NAME.out             other stdout, compared as text with durations masked
  NAME.err             stderr, compared as text with durations masked
  NAME.status          an exit status
  NAME.log             kept for a reader, not compared (what depends on timing)
  anything else        compared as bytes; files inside subdirectories (checkpoints) by name

Values that legitimately vary between two runs of one build are left out: they were found by
running the same build twice (tools/compare_builds.sh --self does that again).

  compare_outputs.py MANIFEST

MANIFEST has one line per comparison: `MODE<TAB>LABEL<TAB>DIR_A<TAB>DIR_B`, where MODE is
`full` (everything above) or `results` (only the HDF5 outputs, for two runs of one build that
reached the same result by different routes: a resumed run and an uninterrupted one). Prints
one line per comparison, SAME or DIFFERENT with what differs, then a summary line; exits 1 if
any comparison differs.
"""

import json
import os
import re
import sys

import h5py
import numpy

# Wall-clock and resource measurements: attributes of the result files and keys of the JSON
# summaries (anywhere in the tree).
VOLATILE_ATTRIBUTES = {"elapsed_seconds"}
VOLATILE_JSON_KEYS = {
    "elapsedSeconds",        # report: the fit's wall-clock time
    "iterationEndSeconds",   # report: time at the end of each iteration
    "readSeconds",           # time the reader spent in HDF5
    "peakResidentBytes",     # peak resident memory of the process
    "savingSeconds",         # checkpoint: time spent writing checkpoints
    "stateBytes",            # checkpoint: the state file's size, whose text holds elapsed seconds
    "seconds",               # plan.rowOrder: time taken to put a CSC matrix in row order
}
# How often a run stopped at --time-limit was stopped, and where, depends on time.
TIMING_DEPENDENT_JSON_KEYS = {"resumedAtIteration", "saves"}
# "in 0.94 s", "0.0135 s,": wall-clock times in text output.
DURATION = re.compile(r"\b\d+(\.\d+)?(e-?\d+)? ?(s|ms|µs)\b")
PEAK_MEMORY = re.compile(r"peak memory [\d.]+ [KMGT]?i?B")

MAX_DIFFERENCES_SHOWN = 4


def mask(text):
    return PEAK_MEMORY.sub("peak memory …", DURATION.sub("… s", text))


def describe_value(value):
    if isinstance(value, numpy.generic):
        value = value.item()
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def array_difference(a, b):
    """Where two arrays of one dtype and shape differ, in words."""
    flat_a, flat_b = a.reshape(-1), b.reshape(-1)
    if a.dtype.kind in "fc":
        unequal = flat_a.view(numpy.uint8).reshape(len(flat_a), -1) != flat_b.view(numpy.uint8).reshape(len(flat_b), -1)
        unequal = unequal.any(axis=1)
        count = int(unequal.sum())
        with numpy.errstate(invalid="ignore"):
            delta = numpy.abs(flat_a[unequal].astype(numpy.float64) - flat_b[unequal].astype(numpy.float64))
            scale = numpy.nanmax(numpy.abs(flat_a.astype(numpy.float64))) if len(flat_a) else 0.0
        largest = float(numpy.nanmax(delta)) if count and not numpy.all(numpy.isnan(delta)) else float("nan")
        relative = largest / scale if scale > 0 else float("nan")
        return f"{count} of {len(flat_a)} values differ, max |Δ| {largest:.3g} ({relative:.2g} of max |value|)"
    unequal = flat_a != flat_b
    return f"{int(unequal.sum())} of {len(flat_a)} values differ"


def read_value(dataset):
    if dataset.shape is None:
        return None
    return dataset[()]


def same_attribute(a, b):
    if isinstance(a, numpy.ndarray) or isinstance(b, numpy.ndarray):
        a, b = numpy.asarray(a), numpy.asarray(b)
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if type(a) is not type(b):
        return False
    if isinstance(a, numpy.generic):
        return a.dtype == b.dtype and a.tobytes() == b.tobytes()
    return a == b


def compare_attributes(name, a, b, differences, volatile):
    for key in sorted(set(a.attrs) | set(b.attrs)):
        if key in volatile:
            continue
        if key not in a.attrs or key not in b.attrs:
            differences.append(f"{name} attribute {key} only in {'A' if key in a.attrs else 'B'}")
            continue
        value_a, value_b = a.attrs[key], b.attrs[key]
        if not same_attribute(value_a, value_b):
            types = "" if type(value_a) is type(value_b) and getattr(value_a, "dtype", None) == getattr(value_b, "dtype", None) \
                else f" ({getattr(value_a, 'dtype', type(value_a).__name__)} vs {getattr(value_b, 'dtype', type(value_b).__name__)})"
            differences.append(f"{name} attribute {key}: {describe_value(value_a)} vs {describe_value(value_b)}{types}")


def compare_hdf5(label, path_a, path_b, differences):
    with h5py.File(path_a, "r") as file_a, h5py.File(path_b, "r") as file_b:
        objects_a, objects_b = {"/": file_a}, {"/": file_b}
        file_a.visititems(lambda name, obj: objects_a.__setitem__("/" + name, obj))
        file_b.visititems(lambda name, obj: objects_b.__setitem__("/" + name, obj))
        for name in sorted(set(objects_a) | set(objects_b)):
            where = f"{label}:{name}"
            if name not in objects_a or name not in objects_b:
                differences.append(f"{where} only in {'A' if name in objects_a else 'B'}")
                continue
            a, b = objects_a[name], objects_b[name]
            if type(a) is not type(b):
                differences.append(f"{where} is a {type(a).__name__} in A, a {type(b).__name__} in B")
                continue
            compare_attributes(where, a, b, differences, VOLATILE_ATTRIBUTES)
            if not isinstance(a, h5py.Dataset):
                continue
            layouts = [(d.chunks, d.compression, d.compression_opts, d.shuffle, d.fletcher32) for d in (a, b)]
            if layouts[0] != layouts[1]:
                differences.append(f"{where} storage (chunks, compression, options, shuffle, fletcher32) "
                                   f"{layouts[0]} vs {layouts[1]}")
            if a.dtype != b.dtype:
                differences.append(f"{where} dtype {a.dtype} vs {b.dtype}")
            elif a.shape != b.shape:
                differences.append(f"{where} shape {a.shape} vs {b.shape}")
            else:
                value_a, value_b = read_value(a), read_value(b)
                if isinstance(value_a, numpy.ndarray) and value_a.dtype.kind != "O":
                    if value_a.tobytes() != value_b.tobytes():
                        differences.append(f"{where} {array_difference(value_a, value_b)}")
                elif not same_attribute(value_a, value_b):
                    differences.append(f"{where}: {describe_value(value_a)} vs {describe_value(value_b)}")


def compare_json_values(where, a, b, differences, volatile):
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key in volatile:
                continue
            if key not in a or key not in b:
                differences.append(f"{where}.{key} only in {'A' if key in a else 'B'}")
            else:
                compare_json_values(f"{where}.{key}", a[key], b[key], differences, volatile)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            differences.append(f"{where}: {len(a)} entries vs {len(b)}")
        else:
            unequal = [i for i, (x, y) in enumerate(zip(a, b)) if not same_json_scalar(x, y)]
            nested = [i for i in unequal if isinstance(a[i], (dict, list))]
            for i in nested:
                compare_json_values(f"{where}[{i}]", a[i], b[i], differences, volatile)
            flat = [i for i in unequal if i not in nested]
            if flat:
                first = flat[0]
                differences.append(f"{where}: {len(flat)} of {len(a)} entries differ, first [{first}] "
                                   f"{describe_value(a[first])} vs {describe_value(b[first])}")
    elif not same_json_scalar(a, b):
        differences.append(f"{where}: {describe_value(a)} vs {describe_value(b)}")


def same_json_scalar(a, b):
    # Numbers are compared as written: the encoder writes the shortest text that reads back to the
    # same double, so equal text is equal bits (and 1 vs 1.0 is a change of type).
    return type(a) is type(b) and a == b


def compare_json(label, path_a, path_b, differences):
    texts = [open(path, encoding="utf-8").read() for path in (path_a, path_b)]
    values = []
    for text in texts:
        try:
            values.append(json.loads(text) if text.strip() else None)
        except json.JSONDecodeError as error:
            values.append(f"not JSON ({error.msg})")
    volatile = VOLATILE_JSON_KEYS | (TIMING_DEPENDENT_JSON_KEYS if label.endswith(".timed.json") else set())
    compare_json_values(label, values[0], values[1], differences, volatile)


def compare_text(label, path_a, path_b, differences):
    lines = [mask(open(path, encoding="utf-8", errors="replace").read()).splitlines() for path in (path_a, path_b)]
    if lines[0] != lines[1]:
        for index, (a, b) in enumerate(zip(lines[0] + [""] * len(lines[1]), lines[1] + [""] * len(lines[0]))):
            if a != b:
                # From a little before the first character that differs, so the difference shows.
                start = max(0, len(os.path.commonprefix([a, b])) - 10)
                prefix = "…" if start else ""
                differences.append(f"{label} line {index + 1}: {describe_value(prefix + a[start:])} "
                                   f"vs {describe_value(prefix + b[start:])}")
                break


def relative_files(root):
    found = set()
    for directory, subdirectories, files in os.walk(root):
        for name in files + [d + "/" for d in subdirectories]:
            found.add(os.path.relpath(os.path.join(directory, name), root) + ("/" if name.endswith("/") else ""))
    return found


def compare_case(mode, dir_a, dir_b):
    differences = []
    files_a, files_b = relative_files(dir_a), relative_files(dir_b)
    if mode == "results":
        files_a = {f for f in files_a if f.endswith((".h5", ".h5ad")) and "/" not in f}
        files_b = {f for f in files_b if f.endswith((".h5", ".h5ad")) and "/" not in f}
    for name in sorted(files_a ^ files_b):
        differences.append(f"{name} only in {'A' if name in files_a else 'B'}")
    for name in sorted(files_a & files_b):
        path_a, path_b = os.path.join(dir_a, name), os.path.join(dir_b, name)
        if "/" in name.rstrip("/") or name.endswith("/") or name.endswith(".log"):
            continue
        try:
            if name.endswith((".h5", ".h5ad")):
                compare_hdf5(name, path_a, path_b, differences)
            elif name.endswith(".json"):
                compare_json(name, path_a, path_b, differences)
            elif name.endswith(".status"):
                statuses = [open(path).read().strip() for path in (path_a, path_b)]
                if statuses[0] != statuses[1]:
                    differences.append(f"{name[:-len('.status')]} exit status {statuses[0]} vs {statuses[1]}")
            elif name.endswith((".out", ".err")):
                compare_text(name, path_a, path_b, differences)
            elif open(path_a, "rb").read() != open(path_b, "rb").read():
                differences.append(f"{name} bytes differ")
        except OSError as error:
            differences.append(f"{name} could not be read: {error}")
    return differences


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: compare_outputs.py MANIFEST")
    identical = different = 0
    with open(sys.argv[1], encoding="utf-8") as manifest:
        comparisons = [line.rstrip("\n").split("\t") for line in manifest if line.strip()]
    width = max((len(label) for mode, label, _, _ in comparisons if mode == "full"), default=0)
    for mode, label, dir_a, dir_b in comparisons:
        differences = compare_case(mode, dir_a, dir_b)
        if differences:
            different += 1
            shown = "; ".join(differences[:MAX_DIFFERENCES_SHOWN])
            more = f"; and {len(differences) - MAX_DIFFERENCES_SHOWN} more" if len(differences) > MAX_DIFFERENCES_SHOWN else ""
            print(f"{label:<{width}}  DIFFERENT: {shown}{more}", flush=True)
        else:
            identical += 1
            print(f"{label:<{width}}  SAME", flush=True)
    print(f"{identical + different} configurations, {identical} identical, {different} different")
    sys.exit(1 if different else 0)


if __name__ == "__main__":
    main()
