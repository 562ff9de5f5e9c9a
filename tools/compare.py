#!/usr/bin/env python3
"""Time to within 1 % of the best known error: BlockNMF beside PLANC, scikit-learn and RcppML.

On one HDF5 file (V at --dataset, rows = samples), every contender runs fresh fits on a
ladder of iteration counts (1, 2, 5, 10, 20, 50, ...) until one reaches 1.01 × the best
known error, or until a fit takes longer than --max-seconds:

  sklearn-mu, sklearn-cd   sklearn.decomposition.NMF(solver=...), V loaded into memory
                           with h5py first (the load is not counted in their time)
  minibatch                sklearn.decomposition.MiniBatchNMF fed by h5py row blocks with
                           partial_fit, one pass over the file per epoch, then W by
                           transform over the blocks (what a Python user does when V
                           does not fit in memory); its iterations are epochs
  rcppml                   RcppML::nmf through Rscript: alternating least squares, each
                           column of each factor an NNLS by coordinate descent; V read with
                           rhdf5 first (not counted), in float64 (R has no float32), one
                           OpenMP thread per core, seed 1 (its seed 0 draws unseeded);
                           its iterations are its alternating updates; its peak RSS
                           includes R and the Matrix package RcppML loads (about 210 MiB
                           before V). Skipped unless R, RcppML and rhdf5 are installed
  planc-bpp, planc-hals     PLANC's dense NMF (ANLS with block principal pivoting; HALS)
                           through ../shared/peers/planc_run.py, float64, its own random
                           start; one run of --planc-iterations iterations, whose error
                           after each iteration is read as the fit of that length and its
                           time as PLANC's own cumulative timer (which leaves out loading
                           V). Skipped unless ../shared/peers holds it
  blocknmf-anls-sample     `blocknmf factor --solver anls --init sample`
  blocknmf-anls, -hals,    `blocknmf factor` with that solver from a random start
  -cd, -mu

Every fit runs in a process of its own, so its peak RSS is its own. No fit may stop early:
tol = 0 for scikit-learn and BlockNMF, tol = -1 for RcppML (its rule, 1 − cor(w, w_prev) <
tol, fires on rounding at tol = 0). All but blocknmf-anls-sample start from random factors
(the ladder would otherwise count NNDSVD's extra SVD passes against the fast contenders;
RcppML has only random). Times: scikit-learn's is fit_transform (which computes its error),
RcppML's the nmf() call alone (the error is computed after it, in blocks of samples),
BlockNMF's the wall time of the whole `blocknmf factor` process, from reading the file to
writing the result. Every contender's error is ‖V − W·H‖/‖V‖ of its own factors. BlockNMF's
passes over V are its bytes read over V's bytes (`bytesRead` in `--json`): the validating
scan, the initialization, the iterations and the final error together.

The best known error is the relative error ‖V − W·H‖/‖V‖ of a long reference fit
(`blocknmf factor --solver hals --max-iter --reference-iterations`), kept beside the data
as FILE.best.json; the target, 1.01 times it, is fixed before the first ladder. A fit that
ends below the reference is reported as such (a negative "final error vs best").

With --json-out FILE every fit (iterations, seconds, relative error, peak RSS) is written
to FILE, which tools/plot_benchmarks.py draws as error against time.

Needs scikit-learn, h5py and numpy (pip install scikit-learn h5py) and a release build of
blocknmf (swift build -c release); for rcppml, R with RcppML and rhdf5 (Debian/Ubuntu:
apt-get install r-cran-rcppml r-bioc-rhdf5). Example:

    .build/release/blocknmf generate /tmp/v.h5 --rows 20000 --cols 2000 --rank 20 --noise 0.5 --seed 1
    python3 tools/compare.py /tmp/v.h5 --rank 20 --json-out /tmp/v.json
    python3 tools/plot_benchmarks.py /tmp/v.json --output /tmp/v.png
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BLOCKNMF = os.path.join(ROOT, ".build", "release", "blocknmf")
CONTENDERS = ["blocknmf-anls-sample", "blocknmf-anls", "blocknmf-hals", "blocknmf-cd", "blocknmf-mu", "planc-bpp",
              "planc-hals", "sklearn-cd", "sklearn-mu", "minibatch", "rcppml"]
PEERS = os.path.join(os.path.dirname(ROOT), "shared", "peers")
LADDER = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]


# One RcppML fit: Rscript -e RCPPML_SCRIPT FILE DATASET RANK ITERATIONS THREADS.
# rhdf5 returns HDF5's row-major m×n dataset as an n×m R matrix, i.e. Vᵀ: features × samples,
# the orientation RcppML::nmf documents for A. It fits A ≈ w·diag(d)·h (w n×k, h k×m), so
# V ≈ hᵀ·diag(d)·wᵀ, and ‖A − w·diag(d)·h‖ = ‖V − W·H‖ with W = hᵀ, H = diag(d)·wᵀ. Only nmf()
# is timed. tol = -1: its stopping rule (1 − cor(w, w_prev) < tol) cannot fire, whereas with
# tol = 0 rounding makes 1 − cor slightly negative and stops the fit early. seed = 1: RcppML
# leaves R's generator unseeded for seed 0, and the ladder's fits must share one start. The
# residual is summed over blocks of 1024 samples, so it needs no m×n temporary (RcppML 0.3.7's
# mse() stops with an error on a dense matrix in R ≥ 4.2: its `if (class(A) == ...)` has a
# condition of length 2).
RCPPML_SCRIPT = """
args <- commandArgs(trailingOnly = TRUE)
suppressPackageStartupMessages({ library(rhdf5); library(RcppML) })
k <- as.integer(args[3]); maxit <- as.integer(args[4])
A <- h5read(args[1], args[2])
storage.mode(A) <- "double"
setRcppMLthreads(as.integer(args[5]))
start <- Sys.time()
m <- RcppML::nmf(A, k, tol = -1, maxit = maxit, seed = 1, verbose = FALSE)
seconds <- as.numeric(difftime(Sys.time(), start, units = "secs"))
wd <- m$w %*% diag(m$d, nrow = k)
squared <- 0
for (first in seq(1, ncol(A), by = 1024)) {
  j <- first:min(first + 1023, ncol(A))
  squared <- squared + sum((A[, j, drop = FALSE] - wd %*% m$h[, j, drop = FALSE])^2)
}
cat(sprintf('{"seconds": %.6f, "error": %.10g, "iterations": %d}\\n', seconds,
            sqrt(squared) / norm(A, "F"), as.integer(m$iter)))
"""


def load(path, dataset):
    import h5py
    import numpy as np
    with h5py.File(path, "r") as f:
        v = f[dataset][()]
    return v if v.dtype in (np.float32, np.float64) else v.astype(np.float64)


def child(args):
    """One fit in this process; prints {seconds, error, iterations}."""
    import numpy as np
    if args.contender in ("sklearn-mu", "sklearn-cd"):
        from sklearn.decomposition import NMF
        v = load(args.input, args.dataset)
        model = NMF(n_components=args.rank, solver=args.contender.split("-")[1], init="random",
                    max_iter=args.iterations, tol=0, random_state=0)
        start = time.perf_counter()
        model.fit_transform(v)
        seconds = time.perf_counter() - start
        error = model.reconstruction_err_ / np.linalg.norm(v)
        print(json.dumps({"seconds": seconds, "error": float(error), "iterations": int(model.n_iter_)}))
    elif args.contender == "minibatch":
        import h5py
        from sklearn.decomposition import MiniBatchNMF
        start = time.perf_counter()
        model = MiniBatchNMF(n_components=args.rank, init="random", batch_size=args.block_rows, tol=0,
                             max_no_improvement=None, random_state=0)
        with h5py.File(args.input, "r") as f:
            x = f[args.dataset]
            rows = x.shape[0]
            for _ in range(args.iterations):
                for first in range(0, rows, args.block_rows):
                    model.partial_fit(np.asarray(x[first:first + args.block_rows], dtype=np.float32))
            squared_error = squared_norm = 0.0
            for first in range(0, rows, args.block_rows):
                block = np.asarray(x[first:first + args.block_rows], dtype=np.float32)
                w = model.transform(block)
                squared_error += float(np.sum((block - w @ model.components_) ** 2, dtype=np.float64))
                squared_norm += float(np.sum(block.astype(np.float64) ** 2))
        seconds = time.perf_counter() - start
        print(json.dumps({"seconds": seconds, "error": (squared_error / squared_norm) ** 0.5,
                          "iterations": args.iterations}))
    else:
        raise SystemExit(f"unknown contender {args.contender}")


def run_measured(command):
    """Runs `command`, returning its stdout, peak RSS in bytes (its own process) and wall seconds."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed with status {process.returncode}")
    return output, usage.ru_maxrss * 1024, wall


def fit(contender, args, iterations, scratch):
    if contender.startswith("blocknmf-"):
        memory = ["--memory", args.blocknmf_memory] if args.blocknmf_memory else []
        solver, _, init = contender.removeprefix("blocknmf-").partition("-")
        output, peak, wall = run_measured([BLOCKNMF, "factor", args.input, "--dataset", args.dataset, "--rank",
                                           str(args.rank), "--solver", solver, "--init", init or "random",
                                           "--max-iter", str(iterations), "--tol", "0", "--quiet", "--json",
                                           "--output", os.path.join(scratch, "blocknmf.h5")] + memory)
        summary = json.loads(output)
        bytes_of_v = summary["rows"] * summary["columns"] * (4 if summary["precision"] == "float32" else 8)
        return {"seconds": wall, "error": summary["relativeError"], "iterations": summary["report"]["iterations"],
                "peak": peak, "passes": summary["bytesRead"] / bytes_of_v}
    if contender == "rcppml":
        output, peak, _ = run_measured(["Rscript", "-e", RCPPML_SCRIPT, args.input, args.dataset,
                                        str(args.rank), str(iterations), str(os.cpu_count() or 1)])
        return dict(json.loads(output.strip().splitlines()[-1]), peak=peak)
    output, peak, _ = run_measured([sys.executable, __file__, "--child", contender, args.input, "--dataset",
                                    args.dataset, "--rank", str(args.rank), "--iterations", str(iterations),
                                    "--block-rows", str(args.block_rows)])
    return dict(json.loads(output), peak=peak)


def planc_fits(contender, args, scratch):
    """PLANC runs once for the longest iteration count and reports its error after every
    iteration: each iteration is read as a fit of that length, its seconds PLANC's own
    cumulative time (which leaves out loading V)."""
    algorithm = contender.split("-")[1]
    output, peak, _ = run_measured([sys.executable, os.path.join(PEERS, "planc_run.py"), args.input, "--dataset",
                                    args.dataset, "--rank", str(args.rank), "--algorithm", algorithm,
                                    "--iterations", str(args.planc_iterations), "--threads", str(os.cpu_count() or 1),
                                    "--workdir", os.path.join(scratch, "planc")])
    run = json.loads(output)
    return [{"iterations": index + 1, "seconds": seconds, "error": error, "peak": peak}
            for index, (seconds, error) in enumerate(zip(run["seconds_at_iteration"], run["errors"]))]


def rcppml_available():
    if shutil.which("Rscript") is None:
        return False
    probe = subprocess.run(["Rscript", "-e", "library(RcppML); library(rhdf5)"], capture_output=True)
    return probe.returncode == 0


def best_known_error(args, scratch):
    sidecar = args.input + ".best.json"
    if os.path.exists(sidecar):
        with open(sidecar) as handle:
            saved = json.load(handle)
        if saved.get("rank") == args.rank and saved.get("dataset") == args.dataset:
            return saved["error"]
    print(f"reference fit: hals, {args.reference_iterations} iterations", file=sys.stderr, flush=True)
    reference = fit("blocknmf-hals", args, args.reference_iterations, scratch)
    with open(sidecar, "w") as handle:
        json.dump({"rank": args.rank, "dataset": args.dataset, "error": reference["error"],
                   "fit": f"blocknmf factor --solver hals --init random --max-iter {args.reference_iterations}"
                          " --tol 0"}, handle)
    return reference["error"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", nargs="?")
    parser.add_argument("--dataset", default="/X")
    parser.add_argument("--rank", type=int, default=20)
    parser.add_argument("--contenders", default=",".join(CONTENDERS), help="comma-separated, run in the order given")
    parser.add_argument("--max-seconds", type=float, default=120, help="stop a ladder after a fit this long")
    parser.add_argument("--reference-iterations", type=int, default=2000)
    parser.add_argument("--planc-iterations", type=int, default=300,
                        help="iterations of PLANC's one run (its error after each is its ladder)")
    parser.add_argument("--block-rows", type=int, default=2048, help="rows per h5py block for minibatch")
    parser.add_argument("--ladder", type=lambda text: [int(value) for value in text.split(",")], default=LADDER,
                        help="iteration counts to try, in order (default %s)" % ",".join(map(str, LADDER)))
    parser.add_argument("--blocknmf-memory", metavar="SIZE",
                        help="--memory for blocknmf (e.g. 64MiB: below twice V's size V is streamed from the file "
                             "on every pass instead of held in memory)")
    parser.add_argument("--summarize", nargs="+", metavar="FILE",
                        help="print the tables from results files of --json-out of one data set (their fits "
                             "merged; a later file's fit of the same length replaces an earlier one), without "
                             "running anything")
    parser.add_argument("--json-out", metavar="FILE", help="write every fit (iterations, seconds, relative error, "
                        "peak RSS) and the table as JSON, for tools/plot_benchmarks.py; rewritten after each fit")
    parser.add_argument("--child", dest="contender", help=argparse.SUPPRESS)
    parser.add_argument("--iterations", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.summarize:
        merged = None
        for path in args.summarize:
            with open(path) as handle:
                loaded = json.load(handle)
            if merged is None:
                merged = loaded
                continue
            for contender, runs in loaded["fits"].items():
                # A later file's fit of the same length replaces the earlier one.
                by_length = {fit["iterations"]: fit for fit in merged["fits"].get(contender, []) + runs}
                merged["fits"][contender] = sorted(by_length.values(), key=lambda fit: fit["iterations"])
        summarize(merged)
        return
    if args.input is None:
        parser.error("the HDF5 file to compare on is required (or --summarize FILE.json)")
    if args.contender:
        return child(args)

    requested = args.contenders.split(",")
    unknown = [c for c in requested if c not in CONTENDERS]
    if unknown:
        parser.error(f"unknown contender {', '.join(unknown)}; known: {', '.join(CONTENDERS)}")
    import h5py
    with h5py.File(args.input, "r") as f:
        shape, dtype = list(f[args.dataset].shape), str(f[args.dataset].dtype)

    scratch = os.path.join(os.path.dirname(os.path.abspath(args.input)), ".compare-scratch")
    os.makedirs(scratch, exist_ok=True)
    try:
        best = best_known_error(args, scratch)
        contenders = [c for c in requested if (c != "rcppml" or rcppml_available())
                      and (not c.startswith("planc-") or os.path.exists(os.path.join(PEERS, "planc_run.py")))]
        skipped = [c for c in requested if c not in contenders]
        fits = {}
        results = {"input": args.input, "dataset": args.dataset, "shape": shape, "dtype": dtype, "rank": args.rank,
                   "cpus": os.cpu_count(), "maxSeconds": args.max_seconds, "ladder": args.ladder, "best": best,
                   "target": 1.01 * best, "skipped": skipped, "fits": fits}
        for contender in contenders:
            fits[contender] = []
            if contender.startswith("planc-"):
                runs = planc_fits(contender, args, scratch)
                reached = next((i for i, r in enumerate(runs) if r["error"] <= 1.01 * best), len(runs) - 1)
                fits[contender] = runs[:reached + 1]
                print(f"{contender}: {fits[contender][-1]}", file=sys.stderr, flush=True)
                if args.json_out:
                    write_json(args.json_out, results)
                continue
            for iterations in args.ladder:
                result = fit(contender, args, iterations, scratch)
                fits[contender].append(result)
                print(f"{contender} {iterations}: {result}", file=sys.stderr, flush=True)
                if args.json_out:
                    write_json(args.json_out, results)
                if result["error"] <= 1.01 * best or result["seconds"] > args.max_seconds:
                    break
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    if args.json_out:
        results["summary"] = summarize(results)
        write_json(args.json_out, results)
    else:
        summarize(results)


def summarize(results):
    """Prints the tables for one data set's fits and returns the rows of the first.

    Time to target: each contender's first fit within 1 % of the best known error. A contender
    that did not get there within --max-seconds is at least as slow as its longest fit, so its
    ratio is given as a lower bound. Time to each contender's final error: how long BlockNMF
    takes to reach the best error a contender reached, against the time that contender took.
    """
    best, fits = results["best"], results["fits"]
    target = 1.01 * best
    rows = []
    for contender, runs in fits.items():
        reached = next((r for r in runs if r["error"] <= target), None)
        last = runs[-1]
        rows.append({"contender": contender, "reached": reached, "secondsPerIteration": last["seconds"] / last["iterations"],
                     "finalError": last["error"], "peak": max(r["peak"] for r in runs),
                     "iterationsTried": [r["iterations"] for r in runs], "longestSeconds": last["seconds"]})
    ours_name = next((name for name in ("blocknmf-anls-sample", "blocknmf-hals") if name in fits), "blocknmf-hals")
    reference = next((r for r in rows if r["contender"] == ours_name and r["reached"]), None)
    print(f"\nBest known error {best:.6g} (relative, the reference fit); target {target:.6g}.")
    if results.get("skipped"):
        print(f"Not installed, skipped: {', '.join(results['skipped'])} (apt-get install r-cran-rcppml r-bioc-rhdf5; "
              "PLANC: ../shared/peers).")
    print("\n| contender | iterations to target | passes over V to target | seconds to target | s/iteration "
          f"| final error vs best | peak RSS | time vs {ours_name} |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        reached = row["reached"]
        if reference and reached:
            ratio = f"{reached['seconds'] / reference['reached']['seconds']:.1f}×"
        elif reference:
            ratio = f"> {row['longestSeconds'] / reference['reached']['seconds']:.1f}×"
        else:
            ratio = "—"
        passes = f"{reached['passes']:.2f}" if reached and "passes" in reached else "—"
        head = (f"| {row['contender']} | {reached['iterations']} | {passes} | {reached['seconds']:.2f} | " if reached
                else f"| {row['contender']} | not reached (tried up to {row['iterationsTried'][-1]}) | — | — | ")
        print(f"{head}{row['secondsPerIteration']:.4f} | {row['finalError'] / best - 1:+.2%} "
              f"| {row['peak'] / 2**20:.0f} MiB | {ratio} |")

    ours = sorted(fits.get(ours_name, []), key=lambda fit: fit["iterations"])
    if ours:
        print(f"\nTime for {ours_name} to reach each contender's best error (its first fit at or below it):\n")
        print(f"| contender | its best error vs best | its seconds | {ours_name} seconds | ratio |")
        print("|---|---|---|---|---|")
        for contender, runs in fits.items():
            if contender == ours_name:
                continue
            theirs = min(runs, key=lambda fit: fit["error"])
            match = next((fit for fit in ours if fit["error"] <= theirs["error"]), None)
            seconds = f"{match['seconds']:.2f}" if match else "not reached"
            ratio = f"{theirs['seconds'] / match['seconds']:.1f}×" if match else "—"
            print(f"| {contender} | {theirs['error'] / best - 1:+.2%} | {theirs['seconds']:.2f} | {seconds} | {ratio} |")
    return rows


def write_json(path, results):
    """Writes under a temporary name and renames, so a reader never sees half a file."""
    temporary = f"{path}.partial-{os.getpid()}"
    with open(temporary, "w") as handle:
        json.dump(results, handle, indent=1)
    os.replace(temporary, path)


if __name__ == "__main__":
    main()
