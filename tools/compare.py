#!/usr/bin/env python3
"""Time to within 1 % of the best known error: BlockNMF beside scikit-learn (and RcppML).

On one HDF5 file (V at --dataset, rows = samples), every contender runs fresh fits on a
ladder of iteration counts (1, 2, 5, 10, 20, 50, ...) until one reaches 1.01 × the best
known error, or until a fit takes longer than --max-seconds:

  sklearn-mu, sklearn-cd   sklearn.decomposition.NMF(solver=...), V loaded into memory
                           with h5py first (the load is not counted in their time)
  minibatch                sklearn.decomposition.MiniBatchNMF fed by h5py row blocks with
                           partial_fit, one pass over the file per epoch, then W by
                           transform over the blocks (what a Python user does when V
                           does not fit in memory); its iterations are epochs
  rcppml                   RcppML::nmf through Rscript, when R and RcppML are installed
  blocknmf-hals, -cd, -mu  `blocknmf factor` streaming from the file (reading counted)

Every fit runs in a process of its own, so its peak RSS is its own. All use tol = 0 and
the same initialization family where they have one (random for the ladder: NNDSVD's
extra SVD passes would otherwise be counted against the fast contenders).

The best known error is the relative error ‖V − W·H‖/‖V‖ of a long reference fit
(`blocknmf factor --solver hals --max-iter --reference-iterations`), kept beside the data
as FILE.best.json; the target, 1.01 times it, is fixed before the first ladder. A fit that
ends below the reference is reported as such (a negative "final error vs best").

Needs scikit-learn, h5py and numpy (pip install scikit-learn h5py) and a release build of
blocknmf (swift build -c release). Example:

    .build/release/blocknmf generate /tmp/v.h5 --rows 20000 --cols 2000 --rank 20 --noise 0.5 --seed 1
    python3 tools/compare.py /tmp/v.h5 --rank 20
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
LADDER = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]


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
    """Runs `command`, returning its stdout and peak RSS in bytes (its own process)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed with status {process.returncode}")
    return output, usage.ru_maxrss * 1024


def fit(contender, args, iterations, scratch):
    if contender.startswith("blocknmf-"):
        output, peak = run_measured([BLOCKNMF, "factor", args.input, "--dataset", args.dataset, "--rank",
                                     str(args.rank), "--solver", contender.split("-")[1], "--init", "random",
                                     "--max-iter", str(iterations), "--tol", "0", "--quiet", "--json",
                                     "--output", os.path.join(scratch, "blocknmf.h5")])
        summary = json.loads(output)
        return {"seconds": summary["report"]["elapsedSeconds"], "error": summary["relativeError"],
                "iterations": summary["report"]["iterations"], "peak": peak}
    if contender == "rcppml":
        script = (f"library(rhdf5); library(RcppML); v <- t(h5read('{args.input}', '{args.dataset}'));"
                  f"t0 <- Sys.time(); m <- RcppML::nmf(v, {args.rank}, maxit = {iterations}, tol = 0, seed = 0,"
                  " verbose = FALSE); s <- as.numeric(Sys.time() - t0, units = 'secs');"
                  " r <- v - m$w %*% diag(m$d) %*% m$h;"
                  " cat(sprintf('{\"seconds\": %f, \"error\": %.10g, \"iterations\": %d}', s,"
                  f" sqrt(sum(r^2) / sum(v^2)), {iterations}))")
        output, peak = run_measured(["Rscript", "-e", script])
        return dict(json.loads(output.strip().splitlines()[-1]), peak=peak)
    output, peak = run_measured([sys.executable, __file__, "--child", contender, args.input, "--dataset",
                                 args.dataset, "--rank", str(args.rank), "--iterations", str(iterations),
                                 "--block-rows", str(args.block_rows)])
    return dict(json.loads(output), peak=peak)


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
    parser.add_argument("input")
    parser.add_argument("--dataset", default="/X")
    parser.add_argument("--rank", type=int, default=20)
    parser.add_argument("--contenders", default="blocknmf-hals,blocknmf-cd,blocknmf-mu,sklearn-cd,sklearn-mu,"
                                                "minibatch,rcppml")
    parser.add_argument("--max-seconds", type=float, default=120, help="stop a ladder after a fit this long")
    parser.add_argument("--reference-iterations", type=int, default=2000)
    parser.add_argument("--block-rows", type=int, default=2048, help="rows per h5py block for minibatch")
    parser.add_argument("--json-out")
    parser.add_argument("--child", dest="contender", help=argparse.SUPPRESS)
    parser.add_argument("--iterations", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.contender:
        return child(args)

    scratch = os.path.join(os.path.dirname(os.path.abspath(args.input)), ".compare-scratch")
    os.makedirs(scratch, exist_ok=True)
    try:
        best = best_known_error(args, scratch)
        contenders = [c for c in args.contenders.split(",") if c != "rcppml" or rcppml_available()]
        skipped = [c for c in args.contenders.split(",") if c not in contenders]
        fits = {}
        for contender in contenders:
            fits[contender] = []
            for iterations in LADDER:
                result = fit(contender, args, iterations, scratch)
                fits[contender].append(result)
                print(f"{contender} {iterations}: {result}", file=sys.stderr, flush=True)
                if result["error"] <= 1.01 * best or result["seconds"] > args.max_seconds:
                    break
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    target = 1.01 * best
    rows = []
    for contender, results in fits.items():
        reached = next((r for r in results if r["error"] <= target), None)
        last = results[-1]
        rows.append({"contender": contender, "reached": reached, "secondsPerIteration": last["seconds"] / last["iterations"],
                     "finalError": last["error"], "peak": max(r["peak"] for r in results),
                     "iterationsTried": [r["iterations"] for r in results]})
    reference = next((r for r in rows if r["contender"] == "blocknmf-hals" and r["reached"]), None)
    print(f"\nBest known error {best:.6g} (relative, the reference fit); target {target:.6g}.")
    if skipped:
        print(f"Not installed, skipped: {', '.join(skipped)}.")
    print("\n| contender | iterations to target | seconds to target | s/iteration | final error vs best "
          "| peak RSS | time vs blocknmf-hals |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        reached = row["reached"]
        ratio = (f"{reached['seconds'] / reference['reached']['seconds']:.1f}×"
                 if reached and reference else "—")
        print(f"| {row['contender']} | {reached['iterations'] if reached else 'not reached'} "
              f"| {reached['seconds']:.2f} | " if reached else f"| {row['contender']} | not reached "
              f"(tried up to {row['iterationsTried'][-1]}) | — | ", end="")
        print(f"{row['secondsPerIteration']:.4f} | {row['finalError'] / best - 1:+.2%} "
              f"| {row['peak'] / 2**20:.0f} MiB | {ratio} |")
    if args.json_out:
        with open(args.json_out, "w") as handle:
            json.dump({"best": best, "target": target, "fits": fits, "skipped": skipped}, handle, indent=1)


if __name__ == "__main__":
    main()
