#!/usr/bin/env python3
"""Sparse input: `blocknmf factor --solver cd` (and hals) against scikit-learn's coordinate descent.

On a sparse V in HDF5 — an AnnData CSR group (/X: data, indices, indptr, attribute shape)
or a 10x Genomics group (/matrix: the CSC of Vᵀ, with a shape dataset [genes, cells]) —
given with --input, or generated with `blocknmf generate --density D --layout anndata`
(default 1 000 000 x 20 000 at density 0.01: 2·10⁸ values, a planted rank-20 product plus
noise 0.5, thinned), both fit k components from the same random start (BlockNMF's random
initialization is scikit-learn's: same seed, same W₀ and H₀) with tol = 0:

  sklearn    sklearn.decomposition.NMF(solver='cd', init='random', random_state=0, tol=0)
             on V as a scipy.sparse CSR matrix in float32, read with h5py before the clock
             starts; its time is fit_transform (random initialization and its own final
             error included), --sklearn-iterations iterations. Its resident memory is also
             read before and after loading V, to show how much of its peak V itself takes;
             its peak is the fit's, read before its error is evaluated (below).
  blocknmf   `blocknmf factor --solver cd --init random --seed 0 --tol 0 --memory 2GiB`,
             --blocknmf-iterations iterations (default ten more than scikit-learn's, so it can
             pass scikit-learn's final error). Its loss history gives ‖V − W·H‖_F after every
             iteration and iterationEndSeconds the time each iteration ended, on BlockNMF's
             own clock. That clock starts once the input is open and, when V is held in
             memory (plan "resident"), once V has been read into it — so reading V is not
             counted, as scikit-learn's load is not — and it includes the validating scan
             of V and the initialization. When V does not fit in half of --memory (the
             default V: 1.6 GB of values and indices against 2GiB) it is streamed from the
             file on every pass, and that reading is inside every iteration. The wall clock
             of the whole blocknmf process (reading V and writing W and H included) is
             reported beside it.

Every fit runs in a process of its own, so its peak RSS is its own.

Both errors are ‖V − W·H‖_F, evaluated in float64; the relative errors divide by ‖V‖_F
(summed in float64). scikit-learn's own reconstruction_err_ cannot be used for this: on
sparse V it takes ‖V‖² + ‖W·H‖² − 2⟨V, W·H⟩ with float32 dot products over all the values,
and at 2·10⁸ values that is off by about 2·10⁻⁴ relative — more than several iterations
improve the error once it has flattened (relative error near 0.994, gaining about 10⁻⁴ an
iteration), so the iteration at which BlockNMF "reaches" it would be decided by rounding.
Instead, after fit_transform and outside its seconds, the child evaluates scikit-learn's
factors W and H in float64: Σ (v − p)² at the stored values, where p is W·H there
(gathered a bounded block of values at a time, never a dense m x n array nor a float64
copy of V), plus ‖W·H‖² − Σ p² for the zeros, with ‖W·H‖² = ⟨WᵀW, H·Hᵀ⟩. That is the
scikit-learn error used everywhere; its reconstruction_err_ is kept (sklearnReportedError
in the JSON) and printed beside it, with the evaluation's seconds. BlockNMF's loss history
is already float64 (the same identity over float32 partial sums, accumulated in float64),
and its final reconstructionError is summed at the values in float64; the history is what
time-to-error uses, and its last entry is printed next to the final error so the two can
be seen to agree.

The headline is the time BlockNMF takes to reach scikit-learn's final error: the end time
of BlockNMF's first iteration whose error is at most scikit-learn's (within
--match-tolerance, relative, for the different float32 rounding of the two runs' updates),
against scikit-learn's fit_transform seconds. Since both run the same updates from the
same start, their errors after equal iteration counts should agree to that rounding
(about 10⁻⁹ relative at 20 000 x 2 000); that check is printed too.

BlockNMF's own solver is run too: `--solver hals --inner-sweeps N` (--hals-sweeps, default 2;
0 skips it) is the same coordinate descent, but sweeps each factor N times per pass over V.
A sweep costs O((m + n)·k²) against the pass's O(nnz·k), so it reaches a given error in fewer
passes; its time to scikit-learn's error is reported beside cd's (its iterates differ from
scikit-learn's, so only the time to the error is compared).

Seconds per iteration: BlockNMF's is the median step between its iteration end times;
scikit-learn's is its fit time over its iterations (initialization and its own final
error included). An iteration does two sparse products, V·Hᵀ and Wᵀ·V, of 2·nnz·k flops each:
GFLOP/s = 4·nnz·k / seconds per iteration (the dense (m + n)·k² work of the Gram
products WᵀW, HHᵀ and of the coordinate descent sweeps is not counted). scikit-learn's
sparse products and its sweeps are single-threaded (scipy, Cython); only its Gram products
go to BLAS, with BLAS's threads unless --sklearn-blas-threads limits them. On a machine
whose cores are busy with other work those threads can cost far more than they bring (at
20 000 x 2 000 with one of two cores busy, 0.4 s per iteration instead of 0.012 s with one
BLAS thread); the load average before the runs is recorded, and a warning printed above
0.5. BlockNMF uses --threads workers (default one per core), each calling BLAS
single-threaded.

Needs scikit-learn, scipy and h5py (pip install scikit-learn h5py) and a release build of
blocknmf (swift build -c release), or another one given with --blocknmf. Generated data goes
to a new directory under --scratch (1.6 GB at the defaults) and is deleted at the end unless
--keep. Examples:

    python3 tools/bench_sparse.py --rows 20000 --cols 2000 --density 0.01 --json-out /tmp/sparse.json
    python3 tools/bench_sparse.py --input cells.h5ad --dataset /X --rank 30
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import BLOCKNMF, run_measured  # noqa: E402


def sparse_group(f, dataset):
    """The group holding V: `dataset`, or the file's /X or /matrix when it is None."""
    if dataset is None:
        dataset = next((name for name in ("/X", "/matrix") if name in f), None)
        if dataset is None:
            raise SystemExit("no /X or /matrix group in the file; give --dataset")
    group = f[dataset]
    if not all(name in group for name in ("data", "indices", "indptr")):
        raise SystemExit(f"{dataset} is not a sparse group (data, indices, indptr)")
    return dataset, group


def describe(path, dataset):
    """(dataset, layout, rows, cols, nnz) of V without reading its values."""
    import h5py
    with h5py.File(path, "r") as f:
        dataset, group = sparse_group(f, dataset)
        if "shape" in group:  # 10x: the CSC of Vᵀ, shape [genes, cells]
            genes, cells = (int(x) for x in group["shape"][()])
            return dataset, "10x", cells, genes, int(group["data"].shape[0])
        encoding = group.attrs.get("encoding-type", "csr_matrix")
        encoding = encoding.decode() if isinstance(encoding, bytes) else str(encoding)
        rows, cols = (int(x) for x in group.attrs["shape"])
        return dataset, "anndata-" + encoding.split("_")[0], rows, cols, int(group["data"].shape[0])


def load_csr(path, dataset):
    """V as a scipy.sparse.csr_matrix, rows × cols, values in their stored type (float32 stays)."""
    import h5py
    import scipy.sparse as sparse
    with h5py.File(path, "r") as f:
        dataset, group = sparse_group(f, dataset)
        parts = (group["data"][()], group["indices"][()], group["indptr"][()])
        if "shape" in group:  # 10x: transposing the CSC of Vᵀ gives V's CSR without a copy
            genes, cells = (int(x) for x in group["shape"][()])
            return sparse.csc_matrix(parts, shape=(genes, cells)).T.tocsr()
        shape = tuple(int(x) for x in group.attrs["shape"])
        encoding = group.attrs.get("encoding-type", "csr_matrix")
        encoding = encoding.decode() if isinstance(encoding, bytes) else str(encoding)
        if encoding == "csc_matrix":
            return sparse.csc_matrix(parts, shape=shape).tocsr()
        return sparse.csr_matrix(parts, shape=shape)


def resident_bytes(field="VmRSS"):
    """This process's resident memory now (VmRSS) or at its peak so far (VmHWM), or None off Linux."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def exact_error(v, w, h, values_per_block=2**16):
    """‖V − W·H‖_F in float64 for a CSR V: Σ (v − p)² at the stored values, plus ‖W·H‖² − Σ p² for
    the rest, where p is W·H at the stored values and ‖W·H‖² = ⟨WᵀW, H·Hᵀ⟩.

    p is gathered a block of rows at a time, the blocks cut by their count of values rather than
    of rows, so the float64 gathers stay about 10 MiB each whatever the density (at 1 % of
    20 000 columns, 50 000 rows hold 10⁷ values: 1.6 GB per gather at k = 20).
    """
    import numpy as np
    w64 = np.asarray(w, dtype=np.float64)
    h64t = np.ascontiguousarray(np.asarray(h, dtype=np.float64).T)  # n × k: a column's row is contiguous
    product = float(np.sum((w64.T @ w64) * (h64t.T @ h64t)))
    residual = at_values = 0.0
    indptr, rows = v.indptr, v.shape[0]
    start = 0
    while start < rows:
        stop = int(np.searchsorted(indptr, indptr[start] + values_per_block, side="right")) - 1
        stop = min(max(stop, start + 1), rows)
        lo, hi = int(indptr[start]), int(indptr[stop])
        if hi > lo:
            which = np.repeat(np.arange(start, stop), np.diff(indptr[start:stop + 1]))
            p = np.einsum("ij,ij->i", w64[which], h64t[v.indices[lo:hi]])
            difference = v.data[lo:hi].astype(np.float64) - p
            residual += float(np.dot(difference, difference))
            at_values += float(np.dot(p, p))
        start = stop
    return max(residual + product - at_values, 0.0) ** 0.5


def child_sklearn(args):
    """One scikit-learn fit in this process; prints its JSON summary."""
    import warnings
    import numpy as np
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    warnings.simplefilter("ignore", ConvergenceWarning)  # tol = 0 never converges
    if args.blas_threads:
        from threadpoolctl import threadpool_limits
        threadpool_limits(args.blas_threads)
    before = resident_bytes()
    v = load_csr(args.input, args.dataset)
    loaded = resident_bytes()
    # ‖V‖ in float64, a slice at a time (no float64 copy of the values).
    squared = sum(float(np.dot(part, part)) for part in
                  (v.data[i:i + 2**20].astype(np.float64) for i in range(0, v.data.size, 2**20)))
    model = NMF(n_components=args.rank, solver="cd", init="random", random_state=0, tol=0,
                max_iter=args.iterations)
    start = time.perf_counter()
    w = model.fit_transform(v)
    seconds = time.perf_counter() - start
    # The fit's own peak, before the evaluation below can add its gathers to it.
    peak = resident_bytes("VmHWM")
    start = time.perf_counter()
    error = exact_error(v, w, model.components_)
    evaluation = time.perf_counter() - start
    # The rate of scipy's two products alone (one core), a reference for sparse products on
    # this machine: 2·nnz·k flops each.
    ht = np.ascontiguousarray(model.components_.T)
    start = time.perf_counter()
    v @ ht
    v.T @ w
    product_seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "iterations": int(model.n_iter_), "error": error,
                      "sklearnReportedError": float(model.reconstruction_err_), "evaluationSeconds": evaluation,
                      "norm": squared ** 0.5, "dtype": str(v.dtype), "residentBeforeLoad": before,
                      "residentAfterLoad": loaded, "peakBeforeEvaluation": peak,
                      "scipyProductGflops": 4 * v.nnz * args.rank / product_seconds / 1e9}))


def run_sklearn(args, path, dataset):
    command = [sys.executable, os.path.abspath(__file__), "--child", "--input", path, "--dataset", dataset,
               "--rank", str(args.rank), "--iterations", str(args.sklearn_iterations)]
    if args.sklearn_blas_threads:
        command += ["--blas-threads", str(args.sklearn_blas_threads)]
    start = time.perf_counter()
    output, peak = run_measured(command)
    wall = time.perf_counter() - start
    result = json.loads(output)
    result.update(processSeconds=wall, processPeakBytes=peak, peakBytes=result["peakBeforeEvaluation"] or peak,
                  relativeError=result["error"] / result["norm"],
                  secondsPerIteration=result["seconds"] / result["iterations"])
    return result


def run_blocknmf(args, path, dataset, work, sweeps=None):
    """A blocknmf fit: cd, or hals with `sweeps` sweeps per pass."""
    solver = ["--solver", "cd"] if sweeps is None else ["--solver", "hals", "--inner-sweeps", str(sweeps)]
    command = [args.blocknmf, "factor", path, "--dataset", dataset, "--rank", str(args.rank), *solver,
               "--init", "random", "--seed", "0", "--tol", "0", "--max-iter", str(args.blocknmf_iterations),
               "--memory", args.memory, "--threads", str(args.threads), "--output", os.path.join(work, "factors.h5"),
               "--json", "--quiet"]
    start = time.perf_counter()
    output, peak = run_measured(command)
    wall = time.perf_counter() - start
    os.remove(os.path.join(work, "factors.h5"))
    summary = json.loads(output)
    report = summary["report"]
    ends, history = report["iterationEndSeconds"], report["lossHistory"]
    steps = [b - a for a, b in zip(ends, ends[1:])]
    norm = report["reconstructionError"] / summary["relativeError"] if summary["relativeError"] else 0.0
    return {"iterations": report["iterations"], "seconds": ends[-1] if ends else report["elapsedSeconds"],
            "elapsedSeconds": report["elapsedSeconds"], "processSeconds": wall, "peakBytes": peak,
            "secondsPerIteration": statistics.median(steps) if steps else (ends[0] if ends else float("nan")),
            "error": report["reconstructionError"], "relativeError": summary["relativeError"], "norm": norm,
            "lossHistory": history, "iterationEndSeconds": ends, "mode": summary["plan"]["mode"],
            "precision": summary["precision"], "threads": summary["threads"], "memory": args.memory,
            "solver": "cd" if sweeps is None else f"hals, {sweeps} sweeps"}


def match(ours, theirs, tolerance):
    """When BlockNMF's fit `ours` first reaches scikit-learn's final error, and their errors after
    the same number of iterations."""
    history, ends = ours["lossHistory"], ours["iterationEndSeconds"]
    same = theirs["iterations"]
    at_same = history[same] if same < len(history) else None
    reached = next((i for i in range(1, len(history)) if history[i] <= theirs["error"] * (1 + tolerance)), None)
    return {"sklearnIterations": same, "sklearnError": theirs["error"],
            "sklearnReportedError": theirs["sklearnReportedError"],
            "blocknmfErrorAtSameIterations": at_same,
            "relativeDifferenceAtSameIterations": at_same / theirs["error"] - 1 if at_same is not None else None,
            "tolerance": tolerance, "blocknmfIterations": reached,
            "blocknmfSeconds": ends[reached - 1] if reached else None,
            "ratio": theirs["seconds"] / ends[reached - 1] if reached else None}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", help="an HDF5 file with a sparse group (default: generate one)")
    parser.add_argument("--dataset", help="the sparse group (default: /X or /matrix, whichever the file has)")
    parser.add_argument("--rows", type=int, default=1000000, help="generated V's rows (samples)")
    parser.add_argument("--cols", type=int, default=20000, help="generated V's columns (features)")
    parser.add_argument("--density", type=float, default=0.01, help="generated V's share of non-zeros")
    parser.add_argument("--noise", type=float, default=0.5, help="generated V's noise level")
    parser.add_argument("--layout", choices=["anndata", "10x"], default="anndata", help="generated V's layout")
    parser.add_argument("--rank", type=int, default=20, help="k, the factorization rank (and the planted rank)")
    parser.add_argument("--sklearn-iterations", type=int, default=20)
    parser.add_argument("--blocknmf-iterations", type=int, help="default: scikit-learn's + 10")
    parser.add_argument("--skip-sklearn", action="store_true")
    parser.add_argument("--hals-sweeps", type=int, default=2, metavar="N",
                        help="also run blocknmf --solver hals --inner-sweeps N (0: do not; default 2)")
    parser.add_argument("--sklearn-blas-threads", type=int, metavar="N",
                        help="limit scikit-learn's BLAS and OpenMP threads (threadpoolctl; default: as installed)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="blocknmf --threads")
    parser.add_argument("--memory", default="2GiB", help="blocknmf --memory")
    parser.add_argument("--match-tolerance", type=float, default=1e-6,
                        help="BlockNMF matches scikit-learn's error when at most (1 + this) times it (default 1e-6)")
    parser.add_argument("--machine-rate", type=float, metavar="GFLOPS",
                        help="the machine's rate, to print each contender's share of it")
    parser.add_argument("--blocknmf", default=BLOCKNMF, metavar="PATH",
                        help="the blocknmf binary (default: %(default)s)")
    parser.add_argument("--scratch", default="/tmp", help="where generated data and results go")
    parser.add_argument("--keep", action="store_true", help="keep the generated data")
    parser.add_argument("--json-out", metavar="FILE", help="write all results as JSON")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--iterations", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--blas-threads", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child_sklearn(args)
    if args.blocknmf_iterations is None:
        args.blocknmf_iterations = args.sklearn_iterations + 10

    load = os.getloadavg()[0]  # before any work of ours: other processes' share of the cores
    os.makedirs(args.scratch, exist_ok=True)
    work = tempfile.mkdtemp(prefix="bench-sparse-", dir=args.scratch)
    try:
        path = args.input
        if path is None:
            path = os.path.join(work, "v-%dx%d-%g-%s.h5" % (args.rows, args.cols, args.density, args.layout))
            print(f"generating {path}", file=sys.stderr, flush=True)
            run_measured([args.blocknmf, "generate", path, "--rows", str(args.rows), "--cols", str(args.cols),
                          "--rank", str(args.rank), "--noise", str(args.noise), "--seed", "1",
                          "--density", str(args.density), "--layout", args.layout, "--quiet"])
        dataset, layout, m, n, nnz = describe(path, args.dataset)
        k = args.rank
        flops = 4.0 * nnz * k
        results = {"input": args.input or "generated", "dataset": dataset, "layout": layout, "shape": [m, n],
                   "nnz": nnz, "density": nnz / (m * n), "rank": k, "cpus": os.cpu_count(),
                   "loadAverageBefore": load, "sklearnBlasThreads": args.sklearn_blas_threads,
                   "flopsPerIteration": flops, "machineRateGflops": args.machine_rate}
        if args.input is None:
            results["generated"] = {"rows": m, "cols": n, "density": args.density, "noise": args.noise,
                                    "rank": k, "seed": 1, "layout": args.layout}

        if not args.skip_sklearn:
            print(f"scikit-learn cd, {args.sklearn_iterations} iterations", file=sys.stderr, flush=True)
            results["sklearn"] = run_sklearn(args, path, dataset)
        print(f"blocknmf cd, {args.blocknmf_iterations} iterations", file=sys.stderr, flush=True)
        results["blocknmf"] = run_blocknmf(args, path, dataset, work)
        if args.hals_sweeps > 0:
            print(f"blocknmf hals, {args.hals_sweeps} sweeps, {args.blocknmf_iterations} iterations",
                  file=sys.stderr, flush=True)
            results["blocknmfHals"] = run_blocknmf(args, path, dataset, work, sweeps=args.hals_sweeps)

        theirs = results.get("sklearn")
        if theirs:
            results["match"] = match(results["blocknmf"], theirs, args.match_tolerance)
            if "blocknmfHals" in results:
                results["matchHals"] = match(results["blocknmfHals"], theirs, args.match_tolerance)
        report(results)
        if args.json_out:
            with open(args.json_out, "w") as handle:
                json.dump(results, handle, indent=1)
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def report(results):
    m, n = results["shape"]
    k, nnz, flops = results["rank"], results["nnz"], results["flopsPerIteration"]
    ours, theirs, rate = results["blocknmf"], results.get("sklearn"), results["machineRateGflops"]

    def mib(value):
        return "%.0f" % (value / 2**20)

    print(f"\nSparse V {m} x {n} ({results['layout']} {results['dataset']}), {nnz} non-zeros "
          f"(density {results['density']:.3g}), k = {k}, from the same random start, tol = 0\n")
    share = " | share of machine" if rate else ""
    print("| contender | iterations | seconds | process seconds | s/iteration | GFLOP/s (4·nnz·k) "
          f"| relative error | peak RSS MiB{share} |")
    print("|---|---|---|---|---|---|---|---|" + ("---|" if rate else ""))
    rows = []
    if theirs:
        rows.append(("scikit-learn cd (in memory, fit_transform)", theirs))
    for fit in (ours, results.get("blocknmfHals")):
        if fit:
            threads = f"{fit['threads']} thread" + ("s" if fit["threads"] > 1 else "")
            rows.append((f"blocknmf {fit['solver']} ({fit['mode']}, --memory {fit['memory']}, {threads})", fit))
    for name, fit in rows:
        gflops = flops / fit["secondsPerIteration"] / 1e9
        extra = f" | {gflops / rate:.1%}" if rate else ""
        print(f"| {name} | {fit['iterations']} | {fit['seconds']:.2f} | {fit['processSeconds']:.2f} "
              f"| {fit['secondsPerIteration']:.4f} | {gflops:.2f} | {fit['relativeError']:.6f} "
              f"| {mib(fit['peakBytes'])}{extra} |")
    print("\nseconds: scikit-learn's fit_transform; BlockNMF's last iteration end on its own clock (from once V "
          "is open, after V is read when resident). process seconds: the whole process, reading V included "
          "(and for scikit-learn the float64 evaluation of its error). relative error: ‖V − W·H‖_F / ‖V‖_F "
          "in float64 for both.")
    history = ours["lossHistory"]
    if history:
        print(f"BlockNMF's final error (summed at the values) {ours['error']:.10g}, its last loss-history entry "
              f"{history[-1]:.10g} (relative difference {history[-1] / ours['error'] - 1:+.2e}).")
    if results["loadAverageBefore"] > 0.5:
        print(f"The load average was {results['loadAverageBefore']:.2f} before the runs; if other processes "
              "shared the cores, threaded BLAS in scikit-learn suffers most from that "
              "(--sklearn-blas-threads 1 shows how much).")
    if not theirs:
        return
    if theirs.get("residentBeforeLoad") and theirs.get("residentAfterLoad"):
        print(f"scikit-learn's resident memory: {mib(theirs['residentBeforeLoad'])} MiB before loading V, "
              f"{mib(theirs['residentAfterLoad'])} MiB with V loaded "
              f"(V: {mib(theirs['residentAfterLoad'] - theirs['residentBeforeLoad'])} MiB), "
              f"peak {mib(theirs['peakBytes'])} MiB in the fit "
              f"({mib(theirs['processPeakBytes'])} MiB with the evaluation of its error).")
    if theirs.get("scipyProductGflops"):
        ours_rate = flops / ours["secondsPerIteration"] / 1e9
        print(f"scipy's two sparse products alone, one core: {theirs['scipyProductGflops']:.2f} GFLOP/s; "
              f"BlockNMF's iterations: {ours_rate:.2f} GFLOP/s "
              f"({ours_rate / theirs['scipyProductGflops']:.2f}× it on {ours['threads']} threads).")
    match = results["match"]
    print(f"scikit-learn's error, of its factors in float64: {match['sklearnError']:.10g} "
          f"(evaluated in {theirs['evaluationSeconds']:.2f} s, outside its seconds); its own reconstruction_err_, "
          f"in float32: {match['sklearnReportedError']:.10g} "
          f"(relative difference {match['sklearnReportedError'] / match['sklearnError'] - 1:+.2e}).")
    if match["blocknmfErrorAtSameIterations"] is not None:
        print(f"After {match['sklearnIterations']} iterations: scikit-learn's error {match['sklearnError']:.10g}, "
              f"BlockNMF's {match['blocknmfErrorAtSameIterations']:.10g} "
              f"(relative difference {match['relativeDifferenceAtSameIterations']:+.2e}).")
    for fit, found in ((ours, match), (results.get("blocknmfHals"), results.get("matchHals"))):
        if not fit:
            continue
        if found["blocknmfIterations"]:
            print(f"BlockNMF {fit['solver']} reaches scikit-learn's error {found['sklearnError']:.10g} "
                  f"({theirs['relativeError']:.6f} relative) after {found['blocknmfIterations']} iterations at "
                  f"{found['blocknmfSeconds']:.2f} s: "
                  + (f"{found['ratio']:.1f}× sooner" if found["ratio"] >= 1 else
                     f"{1 / found['ratio']:.1f}× later")
                  + f" (scikit-learn {theirs['seconds']:.2f} s).")
        else:
            print(f"BlockNMF {fit['solver']} does not reach scikit-learn's error {found['sklearnError']:.10g} in "
                  f"{fit['iterations']} iterations (its last: {fit['lossHistory'][-1]:.10g}).")

if __name__ == "__main__":
    main()
