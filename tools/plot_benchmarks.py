#!/usr/bin/env python3
"""Error against time for every contender of tools/compare.py: one PNG per data set.

Reads the JSON that `tools/compare.py --json-out FILE` writes and draws, for each contender,
one line with a marker per fit of its ladder (1, 2, 5, 10, ... iterations, each a fresh fit):
seconds on x, the error above the best known one, error / best − 1, on y, both on log
scales, with the target of compare.py (1 % above the best) as a dashed line. The title gives
the data set's shape and type and k. A fit that ended at or below the best known error has
no place on a log scale: it is drawn on the bottom edge with a downward triangle.

Several JSON files of the same data set (same file name, dataset, shape and k: e.g. RcppML
run on its own) are drawn together; a contender's fits are merged, a later file's fit of the
same length replacing an earlier one.
Data sets that differ give one PNG each.

Needs matplotlib (pip install matplotlib); it draws with the Agg backend, no display needed.

    python3 tools/compare.py /tmp/v.h5 --rank 20 --json-out /tmp/v.json
    python3 tools/plot_benchmarks.py /tmp/v.json --output /tmp/v.png

Without --output each PNG is written beside its (first) JSON file, with .png for .json.
"""

import argparse
import json
import os
import sys

# One look per contender, the same in every plot: BlockNMF's solvers in blues, scikit-learn's
# in oranges and reds, RcppML in green.
STYLES = {
    "blocknmf-hals": ("#08519c", "o"),
    "blocknmf-cd": ("#3182bd", "s"),
    "blocknmf-mu": ("#9ecae1", "D"),
    "sklearn-cd": ("#e6550d", "s"),
    "sklearn-mu": ("#fdae6b", "D"),
    "minibatch": ("#a50f15", "^"),
    "rcppml": ("#31a354", "P"),
}
TARGET = 0.01


def load_pyplot():
    try:
        import matplotlib
    except ImportError:
        sys.exit("plot_benchmarks.py needs matplotlib: pip install matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot
    return pyplot


def data_sets(paths):
    """Groups the results files by data set: {key: {"first": path, "results": merged}}."""
    groups = {}
    for path in paths:
        with open(path) as handle:
            results = json.load(handle)
        missing = [key for key in ("shape", "rank", "best", "fits") if key not in results]
        if missing:
            sys.exit(f"{path}: not a results file of tools/compare.py --json-out (no {', '.join(missing)})")
        key = (os.path.basename(results.get("input", "")), results.get("dataset"), tuple(results["shape"]),
               results["rank"])
        if key not in groups:
            groups[key] = {"first": path, "results": dict(results, fits=dict(results["fits"]))}
        else:
            merged = groups[key]["results"]
            for contender, runs in results["fits"].items():
                by_length = {fit["iterations"]: fit for fit in merged["fits"].get(contender, []) + runs}
                merged["fits"][contender] = sorted(by_length.values(), key=lambda fit: fit["iterations"])
            merged["best"] = min(merged["best"], results["best"])
    return list(groups.values())


def title(results):
    shape = " × ".join(f"{size:,}".replace(",", " ") for size in results["shape"])
    name = os.path.basename(results.get("input", "")) or "V"
    dtype = f" {results['dtype']}" if results.get("dtype") else ""
    return f"{name}: {shape}{dtype}, k = {results['rank']}"


def plot(pyplot, results, output):
    best = results["best"]
    curves = {}
    for contender, fits in results["fits"].items():
        if fits:
            fits = sorted(fits, key=lambda fit: fit["iterations"])
            curves[contender] = [(max(fit["seconds"], 1e-3), fit["error"] / best - 1, fit["iterations"])
                                 for fit in fits]
    above = [gap for points in curves.values() for _, gap, _ in points if gap > 0]
    floor = min(min(above, default=TARGET) / 3, TARGET / 10)

    figure, axes = pyplot.subplots(figsize=(9.5, 5.5), dpi=120)
    for contender, points in curves.items():
        color, marker = STYLES.get(contender, (None, "o"))
        seconds = [point[0] for point in points]
        gaps = [max(point[1], floor) for point in points]
        line, = axes.plot(seconds, gaps, marker=marker, color=color, markersize=5, linewidth=1.5,
                          label=contender)
        below = [(s, floor) for s, gap, _ in points if gap <= 0]
        if below:
            axes.plot(*zip(*below), linestyle="none", marker="v", markersize=9, color=line.get_color())
        last_seconds, last_gap, last_iterations = points[-1]
        axes.annotate(f"{last_iterations}", (last_seconds, max(last_gap, floor)), textcoords="offset points",
                      xytext=(4, 3), fontsize=7, color=line.get_color())
    axes.axhline(TARGET, color="black", linestyle="--", linewidth=1, label="target: 1 % above best")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_ylim(bottom=floor / 1.5)
    axes.set_xlabel("seconds (one fresh fit per point)")
    axes.set_ylabel("relative error / best − 1")
    axes.set_title(title(results))
    axes.grid(True, which="major", linewidth=0.5, alpha=0.5)
    axes.grid(True, which="minor", linewidth=0.3, alpha=0.25)
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    note = (f"best known relative error {best:.6g}; each point is a fresh fit of 1, 2, 5, 10, … iterations "
            "(the last one's count beside it)")
    if any(gap <= 0 for points in curves.values() for _, gap, _ in points):
        note += "\n▼: a fit at or below the best known error, drawn on the bottom edge"
    figure.text(0.01, 0.01, note, fontsize=7, color="#555555", verticalalignment="bottom")
    figure.tight_layout(rect=(0, 0.02 + 0.02 * note.count("\n"), 1, 1))
    figure.savefig(output)
    pyplot.close(figure)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="+", help="JSON files written by tools/compare.py --json-out")
    parser.add_argument("--output", "-o", metavar="FILE.png",
                        help="where to write the PNG (only when the files hold one data set)")
    args = parser.parse_args()
    groups = data_sets(args.results)
    if args.output and len(groups) > 1:
        parser.error(f"the files hold {len(groups)} data sets; leave out --output to write one PNG beside each")
    pyplot = load_pyplot()
    for group in groups:
        output = args.output or os.path.splitext(group["first"])[0] + ".png"
        plot(pyplot, group["results"], output)
        print(f"{output}: {title(group['results'])}, {len(group['results']['fits'])} contenders")


if __name__ == "__main__":
    main()
