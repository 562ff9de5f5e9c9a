#!/usr/bin/env python3
"""Kullback-Leibler per iteration: `blocknmf factor --loss kullback-leibler` against scikit-learn.

On a count matrix (Poisson draws around a planted rank-20 product, float32, default
100 000 x 2 000, about 78 % zeros, mean 0.46), k = 20, both with the multiplicative update from a
random initialization and tol = 0:

  blocknmf   `blocknmf factor --solver mu --loss kullback-leibler`, streaming from the
             HDF5 file under --memory (default 1GiB: V does not fit, so every iteration
             reads it); seconds per iteration from the iteration end times it reports
             (the median step, initialization and final error excluded).
  sklearn    sklearn.decomposition.NMF(solver='mu', beta_loss='kullback-leibler') with V
             in memory (loaded before the clock starts); seconds per iteration from two
             fits of different lengths (their difference, so that the initial and final
             divergences scikit-learn computes are not counted).

Each run is a process of its own, so its peak RSS is its own. The flops of an
iteration are those BlockNMF's kernel does per tile of b rows: four products of
2·b·n·k (Wt·H twice, the W numerator, H's numerator) — 8·m·n·k in all — against the
target of at most 10·b·n·k.

Needs scikit-learn and h5py (pip install scikit-learn h5py) and a release build
(swift build -c release --product blocknmf). Data goes to --scratch and is deleted
at the end unless --keep.

    python3 tools/bench_divergence.py [--rows 100000] [--cols 2000] [--rank 20]
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import BLOCKNMF, run_measured  # noqa: E402


def make_counts(path, rows, cols, rank, seed):
    """V ~ Poisson(W*·H*) with sparse gamma-distributed planted factors, written in row blocks."""
    import h5py
    import numpy as np
    rng = np.random.default_rng(seed)
    h_star = rng.gamma(0.5, 1.0, size=(rank, cols)) * (rng.random((rank, cols)) < 0.3)
    with h5py.File(path, "w") as f:
        dataset = f.create_dataset("X", shape=(rows, cols), dtype="float32")
        for start in range(0, rows, 10000):
            count = min(10000, rows - start)
            w_star = rng.gamma(0.5, 1.0, size=(count, rank)) * (rng.random((count, rank)) < 0.3)
            dataset[start:start + count] = rng.poisson(w_star @ h_star).astype(np.float32)


def child_sklearn(args):
    import h5py
    from sklearn.decomposition import NMF
    with h5py.File(args.input, "r") as f:
        v = f["X"][()]
    model = NMF(n_components=args.rank, solver="mu", beta_loss="kullback-leibler", init="random",
                random_state=0, tol=0, max_iter=args.iterations)
    start = time.perf_counter()
    model.fit(v)
    print(json.dumps({"seconds": time.perf_counter() - start, "error": float(model.reconstruction_err_)}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100000)
    parser.add_argument("--cols", type=int, default=2000)
    parser.add_argument("--rank", type=int, default=20)
    parser.add_argument("--memory", default="1GiB")
    parser.add_argument("--iterations", type=int, default=30, help="blocknmf iterations")
    parser.add_argument("--sklearn-iterations", default="2,6", help="the two scikit-learn fit lengths")
    parser.add_argument("--scratch", default="/tmp/blocknmf-divergence")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json-out")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child_sklearn(args)

    os.makedirs(args.scratch, exist_ok=True)
    path = os.path.join(args.scratch, "counts-%dx%d.h5" % (args.rows, args.cols))
    try:
        if not os.path.exists(path):
            make_counts(path, args.rows, args.cols, args.rank, seed=1)
        m, n, k = args.rows, args.cols, args.rank
        flops = 8.0 * m * n * k

        output, peak = run_measured([BLOCKNMF, "factor", path, "--dataset", "/X", "--rank", str(k), "--solver", "mu",
                                     "--loss", "kullback-leibler", "--init", "random", "--tol", "0",
                                     "--max-iter", str(args.iterations), "--memory", args.memory, "--quiet", "--json",
                                     "--output", os.path.join(args.scratch, "blocknmf.h5")])
        summary = json.loads(output)
        ends = summary["report"]["iterationEndSeconds"]
        blocknmf = statistics.median(b - a for a, b in zip(ends, ends[1:]))
        results = {"shape": [m, n], "rank": k, "blocknmf": {
            "secondsPerIteration": blocknmf, "peakBytes": peak, "mode": summary["plan"]["mode"],
            "error": summary["report"]["reconstructionError"], "iterations": args.iterations}}

        short, long = (int(x) for x in args.sklearn_iterations.split(","))
        fits = {}
        for iterations in (short, long):
            output, peak = run_measured([sys.executable, os.path.abspath(__file__), "--child", "--input", path,
                                         "--rank", str(k), "--iterations", str(iterations)])
            fits[iterations] = dict(json.loads(output), peakBytes=peak)
        sklearn = (fits[long]["seconds"] - fits[short]["seconds"]) / (long - short)
        results["sklearn"] = {"secondsPerIteration": sklearn, "peakBytes": max(f["peakBytes"] for f in fits.values()),
                              "fits": fits}

        def mib(value):
            return "%.0f MiB" % (value / 2**20)
        print("\nKullback-Leibler, %d x %d float32 counts, k = %d, mu, 2 threads\n" % (m, n, k))
        print("| | s/iteration | GFLOP/s (8·m·n·k per iteration) | peak RSS | vs blocknmf |")
        print("|---|---|---|---|---|")
        print("| blocknmf (%s, --memory %s) | %.3f | %.1f | %s | 1.0× |"
              % (results["blocknmf"]["mode"], args.memory, blocknmf, flops / blocknmf / 1e9, mib(results["blocknmf"]["peakBytes"])))
        print("| scikit-learn mu (in memory) | %.3f | %.1f | %s | %.1f× |"
              % (sklearn, flops / sklearn / 1e9, mib(results["sklearn"]["peakBytes"]), sklearn / blocknmf))
        if args.json_out:
            with open(args.json_out, "w") as f:
                json.dump(results, f, indent=2)
    finally:
        if not args.keep:
            shutil.rmtree(args.scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
