#!/usr/bin/env python3
"""Benchmarks of the streaming engine against the machine's own limits.

Runs, in one go and on one machine:

  limits     `machine-limits` (Benchmarks/): the OpenBLAS rate of the two skinny
             products of a tile (Vt·Hᵀ and Wtᵀ·Vt, 256 rows) on one and on all
             cores, and memory bandwidth.
  cache      a 200 000 × 2 000 float32 matrix, k = 20, in the page cache: seconds
             per iteration and GFLOP/s (4·m·n·k per iteration) of `cd` (one sweep:
             the pass itself), streamed under a 1 GiB budget and resident, against
             the skinny-pair rate.
  disk       a float32 matrix larger than RAM (--disk-gb, default 30), streamed
             with --memory 2GiB after dropping it from the page cache: peak RSS,
             seconds per iteration, read GB/s, against the disk's cold sequential
             read bandwidth measured on the same file.
  sweeps     `hals` with 1, 2, 4, 8, 16 inner sweeps beside `cd` and `mu` on a
             20 000 × 2 000 planted rank-20 matrix, k = 20: passes over V and
             seconds to reach within 1 % of the best error found by long fits.
  checkpoint the matrix of `disk` factored with and without --checkpoint (every
             iteration, W in memory and W out of core): seconds and bytes per
             checkpoint, the cost per iteration of writing W's buffers, the
             overhead at the default interval, and how long SIGTERM takes to
             leave a checkpoint and exit.
  scaling    V resident, float32, n = 2000, k = 20, `cd`: seconds per iteration on 1
             and on 2 threads at m = 200 000, and on all threads at m = 50 000,
             100 000, 200 000, 400 000 with a least-squares line through them (R²).
  baseline   the `cache` runs for this build and another blocknmf binary (--baseline,
             e.g. a release build of an earlier commit), alternately, --trials each:
             medians, their ratio, and whether the losses are the same bit for bit.
  checkpoint-cache the same on the matrix of `cache` held in memory, where an
             iteration's time is steady enough to show a small overhead: three
             alternating trials of each setting, medians.

Only the Python standard library is needed. Big files go to --scratch (default
/tmp/blocknmf-bench) and are deleted at the end unless --keep.

    python3 tools/bench_streaming.py [--parts limits,cache,disk,sweeps,checkpoint,checkpoint-cache,scaling]
                                     [--disk-gb 30]

The results are printed as Markdown tables and written as JSON to --json-out.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BLOCKNMF = os.path.join(ROOT, ".build", "release", "blocknmf")


def run(command, **kwargs):
    print("+ " + " ".join(command), file=sys.stderr, flush=True)
    return subprocess.run(command, check=True, text=True, stdout=subprocess.PIPE, **kwargs).stdout


def build():
    run(["swift", "build", "-c", "release", "--product", "blocknmf"], cwd=ROOT)
    run(["swift", "build", "-c", "release", "--package-path", "Benchmarks", "--product", "machine-limits"], cwd=ROOT)


def machine_limits(*arguments):
    binary = os.path.join(ROOT, "Benchmarks", ".build", "release", "machine-limits")
    return json.loads(run([binary, "--json", *arguments]))


def drop_from_page_cache(path):
    with open(path, "rb") as handle:
        os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


def generate(path, rows, cols, rank, noise, seed=0):
    if not os.path.exists(path):
        run([BLOCKNMF, "generate", path, "--rows", str(rows), "--cols", str(cols), "--rank", str(rank),
             "--noise", str(noise), "--seed", str(seed), "--quiet"])


def factor(path, output, rank, *flags, binary=BLOCKNMF):
    summary = json.loads(run([binary, "factor", path, "--dataset", "/X", "--rank", str(rank),
                              "--output", output, "--quiet", "--json", *flags]))
    ends = summary["report"]["iterationEndSeconds"]
    steps = [b - a for a, b in zip(ends, ends[1:])] or ends
    summary["secondsPerIteration"] = statistics.median(steps)
    return summary


def pair_rate(limits, workers):
    for product in limits["products"]:
        if product["product"].startswith("skinny pair") and product["workers"] == workers:
            return product["gflops"]["median"]
    raise KeyError(f"skinny pair rate for {workers} workers not in {[p['product'] for p in limits['products']]}")


def part_limits(results, args):
    limits = machine_limits("--block-rows", "256", "--cols", "2000", "--rank", "20")
    results["limits"] = limits
    cores = limits["machine"]["availableCores"]
    print("\n### Machine limits (256-row tiles, n = 2000, k = 20, float32)\n")
    print("| product | 1 worker GFLOP/s | %d workers GFLOP/s |" % cores)
    print("|---|---|---|")
    names = []
    for product in limits["products"]:
        if product["product"] not in names:
            names.append(product["product"])
    for name in names:
        rates = {p["workers"]: p["gflops"]["median"] for p in limits["products"] if p["product"] == name}
        print(f"| {name} | {rates.get(1, float('nan')):.1f} | {rates.get(cores, float('nan')):.1f} |")


def part_cache(results, args):
    m, n, k = 200_000, 2_000, 20
    path = os.path.join(args.scratch, "cache.h5")
    generate(path, m, n, k, noise=0.1)
    with open(path, "rb") as handle:  # into the page cache
        while handle.read(64 << 20):
            pass
    limits = results.get("limits") or machine_limits("--block-rows", "256", "--cols", str(n), "--rank", str(k),
                                                     "--skip-memory")
    cores = limits["machine"]["availableCores"]
    rate = pair_rate(limits, cores)
    flops = 4 * m * n * k
    rows = []
    for label, flags in [("streamed, --memory 1GiB", ["--memory", "1GiB"]), ("resident", ["--memory", "8GiB"])]:
        summary = factor(path, os.path.join(args.scratch, "cache-out.h5"), k, "--solver", "cd", "--init", "random",
                         "--max-iter", "8", "--tol", "0", *flags)
        gflops = flops / summary["secondsPerIteration"] / 1e9
        rows.append((label, summary["plan"]["mode"], summary["secondsPerIteration"], gflops, gflops / rate,
                     summary["peakResidentBytes"]))
    results["cache"] = {"rows": m, "cols": n, "rank": k, "pairRate": rate, "runs": rows}
    print(f"\n### In page cache: {m} × {n} float32, k = {k}, {cores} threads\n")
    print(f"Skinny-pair OpenBLAS rate on {cores} workers, measured in the same run: {rate:.1f} GFLOP/s.\n")
    print("| run | mode | s/iteration | GFLOP/s | share of pair rate | peak RSS |")
    print("|---|---|---|---|---|---|")
    for label, mode, seconds, gflops, share, peak in rows:
        print(f"| {label} | {mode} | {seconds:.3f} | {gflops:.1f} | {share:.0%} | {peak / 2**30:.2f} GiB |")


def part_baseline(results, args):
    """The page-cache benchmark of `cache` for this build and another (--baseline), run
    alternately in one go: the ratio of seconds per iteration, and the same losses."""
    if not args.baseline:
        sys.exit("--parts baseline needs --baseline PATH, the blocknmf binary to compare with")
    m, n, k = 200_000, 2_000, 20
    path = os.path.join(args.scratch, "cache.h5")
    generate(path, m, n, k, noise=0.1)
    with open(path, "rb") as handle:
        while handle.read(64 << 20):
            pass
    rows = []
    for label, flags in [("resident", ["--memory", "8GiB"]), ("streamed, --memory 1GiB", ["--memory", "1GiB"])]:
        times = {"this build": [], "baseline": []}
        losses = {}
        for trial in range(args.trials):
            for name, binary in [("this build", BLOCKNMF), ("baseline", args.baseline)]:
                summary = factor(path, os.path.join(args.scratch, "cache-out.h5"), k, "--solver", "cd", "--init",
                                 "random", "--max-iter", "8", "--tol", "0", *flags, binary=binary)
                times[name].append(summary["secondsPerIteration"])
                losses[name] = summary["report"]["lossHistory"] + [summary["report"]["reconstructionError"]]
        current, baseline = statistics.median(times["this build"]), statistics.median(times["baseline"])
        rows.append((label, current, baseline, current / baseline, losses["this build"] == losses["baseline"]))
        print(f"{label}: this build {times['this build']}, baseline {times['baseline']}", file=sys.stderr)
    results["baseline"] = {"binary": args.baseline, "trials": args.trials, "runs": rows}
    print(f"\n### This build against {args.baseline}: {m} × {n} float32, k = {k}, in page cache\n")
    print(f"Medians of {args.trials} alternating trials, each the median over 8 iterations of `cd`.\n")
    print("| run | this build s/iteration | baseline s/iteration | ratio | same losses |")
    print("|---|---|---|---|---|")
    for label, current, baseline, ratio, same in rows:
        print(f"| {label} | {current:.3f} | {baseline:.3f} | {ratio:.3f} | {'yes' if same else 'NO'} |")


def disk_matrix(args):
    """The float32 matrix larger than RAM, n = 2000, planted rank 20."""
    n, k = 2_000, 20
    m = int(args.disk_gb * 1e9 / (n * 4))
    path = os.path.join(args.scratch, "disk.h5")
    generate(path, m, n, k, noise=0)
    return path, m, n, k


def part_disk(results, args):
    path, m, n, k = disk_matrix(args)
    drop_from_page_cache(path)
    disk = machine_limits("--file", path, "--skip-products", "--skip-memory", "--trials", "1")
    cold = disk["disk"]["coldGBps"]["median"]
    drop_from_page_cache(path)
    limits = results.get("limits") or machine_limits("--block-rows", "256", "--cols", str(n), "--rank", str(k),
                                                     "--skip-memory")
    rate = pair_rate(limits, limits["machine"]["availableCores"])
    summary = factor(path, os.path.join(args.scratch, "disk-out.h5"), k, "--solver", "cd", "--init", "random",
                     "--max-iter", "3", "--tol", "0", "--memory", "2GiB")
    size = os.path.getsize(path)
    read_seconds = m * n * 4 / (cold * 1e9)
    arithmetic_seconds = 4 * m * n * k / (rate * 1e9)
    bound = max(read_seconds, arithmetic_seconds)
    throughput = summary["bytesRead"] / summary["report"]["elapsedSeconds"] / 1e9
    results["disk"] = {"rows": m, "cols": n, "fileBytes": size, "coldReadGBs": cold, "summary": summary,
                       "readSecondsPerPass": read_seconds, "arithmeticSecondsPerPass": arithmetic_seconds}
    print(f"\n### From disk: {m} × {n} float32 ({size / 1e9:.1f} GB), k = {k}, --memory 2GiB\n")
    print("| figure | value |")
    print("|---|---|")
    print(f"| cold sequential read of the file (machine-limits) | {cold:.2f} GB/s |")
    print(f"| read time per pass at that rate | {read_seconds:.1f} s |")
    print(f"| arithmetic time per pass at the pair rate ({rate:.0f} GFLOP/s) | {arithmetic_seconds:.1f} s |")
    print(f"| seconds per iteration | {summary['secondsPerIteration']:.1f} s "
          f"({summary['secondsPerIteration'] / bound:.2f} × the larger bound) |")
    print(f"| V read over the whole run (all passes) | {throughput:.2f} GB/s |")
    print(f"| peak RSS | {summary['peakResidentBytes'] / 2**30:.2f} GiB |")


def part_sweeps(results, args):
    m, n, k = 20_000, 2_000, 20
    path = os.path.join(args.scratch, "sweeps.h5")
    generate(path, m, n, k, noise=0.5, seed=1)
    output = os.path.join(args.scratch, "sweeps-out.h5")
    reference = factor(path, output, k, "--solver", "hals", "--inner-sweeps", "16", "--max-iter", "1000",
                       "--tol", "0")
    contenders = [("cd", ["--solver", "cd"]), ("mu", ["--solver", "mu"])] + [
        (f"hals, {s} sweep{'s' if s > 1 else ''}", ["--solver", "hals", "--inner-sweeps", str(s)])
        for s in [1, 2, 4, 8, 16, 32]]
    summaries = [(label, factor(path, output, k, *flags, "--max-iter", "300", "--tol", "0"))
                 for label, flags in contenders]
    # The best known error: the lowest any run reached, the long reference fit included.
    best = min(min(s["report"]["lossHistory"]) for s in [reference] + [s for _, s in summaries])
    target = 1.01 * best
    rows = []
    for label, summary in summaries:
        history = summary["report"]["lossHistory"]
        ends = summary["report"]["iterationEndSeconds"]
        reached = next((i for i, loss in enumerate(history) if i > 0 and loss <= target), None)
        seconds = ends[reached - 1] if reached else None
        rows.append((label, reached, seconds, summary["secondsPerIteration"], min(history) / best - 1))
    results["sweeps"] = {"best": best, "runs": rows}
    print(f"\n### Passes to within 1 % of the best error: {m} × {n} planted rank {k} + noise, k = {k}\n")
    print(f"Best known error (lowest of all runs, including 1000 iterations of hals with 16 sweeps): {best:.6g}.\n")
    print("| solver | passes to target | seconds to target | s/iteration | best of 300 iterations vs best |")
    print("|---|---|---|---|---|")
    for label, passes, seconds, per, gap in rows:
        p = str(passes) if passes else "not reached"
        s = f"{seconds:.2f}" if seconds else "—"
        print(f"| {label} | {p} | {s} | {per:.4f} | +{gap:.2%} |")


def part_checkpoint(results, args):
    path, m, n, k = disk_matrix(args)
    output = os.path.join(args.scratch, "checkpoint-out.h5")
    directory = os.path.join(args.scratch, "checkpoint")
    common = ["--solver", "cd", "--init", "random", "--max-iter", "6", "--tol", "0", "--memory", "2GiB"]
    runs = []
    for storage in [[], ["--w-storage", "scratch"]]:
        where = "W out of core" if storage else "W in memory"
        for label, flags in [(f"no checkpoint, {where}", []),
                             (f"checkpoints at the default interval (5 min), {where}", ["--checkpoint", directory]),
                             (f"checkpoint every iteration, {where}", ["--checkpoint", directory,
                                                                       "--checkpoint-every", "1"])]:
            drop_from_page_cache(path)
            runs.append((label, factor(path, output, k, *common, *storage, *flags)))

    # SIGTERM in mid-pass: seconds from the signal to the exit, with the checkpoint saved.
    drop_from_page_cache(path)
    command = [BLOCKNMF, "factor", path, "--dataset", "/X", "--rank", str(k), "--output", output, *common,
               "--max-iter", "1000", "--checkpoint", directory]
    print("+ " + " ".join(command), file=sys.stderr, flush=True)
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    for line in process.stderr:
        if line.startswith("iteration 1/"):
            break
    time.sleep(5)
    sent = time.monotonic()
    process.send_signal(15)
    message = process.stderr.read()
    status = process.wait()
    stop_seconds = time.monotonic() - sent
    states = [name for name in os.listdir(directory) if name.startswith("state-")]
    shutil.rmtree(directory, ignore_errors=True)

    def per_iteration(summary):
        return summary["secondsPerIteration"]

    rows = []
    for index, (label, summary) in enumerate(runs):
        baseline = runs[index - index % 3][1]
        checkpoint = summary.get("checkpoint")
        if checkpoint:
            per_save = checkpoint["savingSeconds"] / checkpoint["saves"]
            extra = per_iteration(summary) / per_iteration(baseline) - 1
            rows.append((label, per_iteration(summary), checkpoint["saves"], per_save, checkpoint["stateBytes"],
                         extra))
        else:
            rows.append((label, per_iteration(summary), None, None, None, None))
    results["checkpoint"] = {"rows": m, "cols": n, "rank": k, "runs": [(l, s) for l, s in runs],
                             "sigterm": {"status": status, "seconds": stop_seconds, "states": states,
                                         "message": message.strip().splitlines()[-1:]}}
    size = os.path.getsize(path)
    print(f"\n### Checkpoints: {m} × {n} float32 ({size / 1e9:.1f} GB), k = {k}, --memory 2GiB, from disk\n")
    print("Six iterations each, V dropped from the page cache before each run; the first checkpoint "
          "(iteration 0) comes right after the initialization, so even the default interval makes one.\n")
    print("| run | s/iteration | checkpoints | s per checkpoint | state file | s/iteration vs no checkpoint |")
    print("|---|---|---|---|---|---|")
    for label, seconds, saves, per_save, state, extra in rows:
        if saves is None:
            print(f"| {label} | {seconds:.2f} | — | — | — | — |")
        else:
            print(f"| {label} | {seconds:.2f} | {saves} | {per_save:.3f} | {state / 1024:.0f} KiB | {extra:+.1%} |")
    print(f"\nSIGTERM 5 s into iteration 2: exit status {status} after {stop_seconds:.2f} s, "
          f"state files left: {len(states)}.")


def part_checkpoint_cache(results, args):
    m, n, k = 200_000, 2_000, 20
    path = os.path.join(args.scratch, "cache.h5")
    generate(path, m, n, k, noise=0.1)
    output = os.path.join(args.scratch, "checkpoint-cache-out.h5")
    directory = os.path.join(args.scratch, "checkpoint-cache")
    common = ["--solver", "cd", "--init", "random", "--max-iter", "12", "--tol", "0", "--memory", "8GiB"]
    settings = [("no checkpoint, W in memory", []),
                ("default interval (5 min), W in memory", ["--checkpoint", directory]),
                ("every iteration, W in memory", ["--checkpoint", directory, "--checkpoint-every", "1"]),
                ("no checkpoint, W out of core", ["--w-storage", "scratch"]),
                ("default interval (5 min), W out of core", ["--w-storage", "scratch", "--checkpoint", directory])]
    trials = {label: [] for label, _ in settings}
    for _ in range(3):
        for label, flags in settings:
            shutil.rmtree(directory, ignore_errors=True)
            trials[label].append(factor(path, output, k, *common, *flags))
    results["checkpointCache"] = trials
    print(f"\n### Checkpoint overhead with V in memory: {m} × {n} float32, k = {k}, 12 iterations\n")
    print("| run | s/iteration (median of 3) | checkpoints | s per checkpoint | vs no checkpoint |")
    print("|---|---|---|---|---|")
    for index, (label, _) in enumerate(settings):
        runs = trials[label]
        seconds = statistics.median(r["secondsPerIteration"] for r in runs)
        baseline = statistics.median(r["secondsPerIteration"] for r in trials[settings[0 if index < 3 else 3][0]])
        checkpoint = runs[0].get("checkpoint")
        if checkpoint:
            per_save = statistics.median(r["checkpoint"]["savingSeconds"] / r["checkpoint"]["saves"] for r in runs)
            print(f"| {label} | {seconds:.4f} | {checkpoint['saves']} | {per_save:.3f} | {seconds / baseline - 1:+.1%} |")
        else:
            print(f"| {label} | {seconds:.4f} | — | — | — |")


def part_scaling(results, args):
    n, k = 2_000, 20
    common = ["--solver", "cd", "--init", "random", "--max-iter", "8", "--tol", "0", "--memory", "16GiB"]
    output = os.path.join(args.scratch, "scaling-out.h5")

    def matrix(m):
        path = os.path.join(args.scratch, f"scaling-{m}.h5")
        generate(path, m, n, k, noise=0.1)
        return path

    threads = {t: factor(matrix(200_000), output, k, *common, "--threads", str(t))["secondsPerIteration"]
               for t in [1, 2]}
    rows = [50_000, 100_000, 200_000, 400_000]
    seconds = [factor(matrix(m), output, k, *common)["secondsPerIteration"] for m in rows]
    mean_x, mean_y = statistics.mean(rows), statistics.mean(seconds)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(rows, seconds)) / sum((x - mean_x) ** 2 for x in rows)
    intercept = mean_y - slope * mean_x
    residual = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(rows, seconds))
    total = sum((y - mean_y) ** 2 for y in seconds)
    r_squared = 1 - residual / total
    results["scaling"] = {"threads": threads, "rows": rows, "seconds": seconds, "slope": slope,
                          "intercept": intercept, "rSquared": r_squared}
    print(f"\n### Scaling: V resident, float32, n = {n}, k = {k}, cd, 8 iterations\n")
    print("| threads | s/iteration at m = 200 000 | speed-up |")
    print("|---|---|---|")
    for t, s in threads.items():
        print(f"| {t} | {s:.3f} | {threads[1] / s:.2f}× |")
    print("\n| m | s/iteration |")
    print("|---|---|")
    for m, s in zip(rows, seconds):
        print(f"| {m} | {s:.3f} |")
    print(f"\nLeast-squares line: {slope * 1e6:.3f} s per million rows + {intercept:.3f} s; R² = {r_squared:.4f}.")
    for m in rows:
        os.remove(os.path.join(args.scratch, f"scaling-{m}.h5"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default="limits,cache,disk,sweeps,checkpoint,checkpoint-cache,scaling")
    parser.add_argument("--disk-gb", type=float, default=30.0)
    parser.add_argument("--scratch", default="/tmp/blocknmf-bench")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--json-out", default=None)
    parser.add_argument("--baseline", default=None, help="another blocknmf binary, for --parts baseline")
    parser.add_argument("--trials", type=int, default=3, help="alternating trials of each build (baseline)")
    args = parser.parse_args()
    os.makedirs(args.scratch, exist_ok=True)
    build()
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S")}
    parts = {"limits": part_limits, "cache": part_cache, "disk": part_disk, "sweeps": part_sweeps,
             "checkpoint": part_checkpoint, "checkpoint-cache": part_checkpoint_cache, "scaling": part_scaling,
             "baseline": part_baseline}
    try:
        for name in args.parts.split(","):
            parts[name](results, args)
    finally:
        if args.json_out:
            with open(args.json_out, "w") as handle:
                json.dump(results, handle, indent=1)
        if not args.keep:
            shutil.rmtree(args.scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
