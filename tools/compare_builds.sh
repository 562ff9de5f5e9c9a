#!/usr/bin/env bash
# compare_builds.sh: the safety net of a refactor that must not change what blocknmf computes.
#
#   tools/compare_builds.sh REV                 # REV: any commit, e.g. main, HEAD~1, 3b9a9bd
#   tools/compare_builds.sh --only REGEX REV    # only the configurations whose name matches
#   tools/compare_builds.sh --self              # the working tree against itself
#
# Builds commit REV (release, from `git archive` into .build-compare/FULL-HASH/, kept for the next
# run: a second comparison with the same REV does not build it again) and the working tree as it
# is, uncommitted changes included (release, in .build), then runs both binaries on about ninety
# configurations, each in a directory of its own, and compares what they wrote byte for byte
# (tools/compare_outputs.py): every group, dataset (shape, dtype, the values' bytes) and
# attribute of every HDF5 output, the --json summary key by key, other stdout and stderr as
# text, and the exit status. Left out are only what differs between two runs of one build:
# elapsed and per-iteration seconds, read and checkpoint-saving seconds, peak memory, durations
# in text (`--self` checks that list: it must give no difference).
#
# The configurations cover every solver (cd, mu, hals, anls), every loss of mu (Frobenius,
# Kullback-Leibler, Itakura-Saito, β 1.5 and 0.5), every initialization (random, nndsvd, nndsvda,
# nndsvdar, custom, sample), dense float32, float64, gzip-compressed and integer input, sparse input
# (AnnData CSR and CSC, 10x Genomics), float32 and float64 working precision, V resident and
# streamed (--memory, --block-rows), W in memory and in a scratch file, regularization, a fixed
# number of iterations (--tol 0) and the default stopping rule, 1 and 2 threads, checkpointed
# runs stopped (SIGTERM at a pass's end, SIGKILL in mid-pass, --time-limit) and resumed, whose
# result is also compared with the uninterrupted run's, transform and inverse-transform (with
# each build's own model and with a shared one), --components-png and the demo.
#
# The inputs are generated once (the working tree's `blocknmf generate` and a few lines of
# Python: h5py, anndata, numpy) in a temporary directory removed at the end. Prints one line per
# configuration, SAME or DIFFERENT with what differs, then "N configurations, N identical,
# M different"; exits 0 when all are identical, 1 when any differs, 2 on a usage error or a
# failed build. Needs no network once the package's dependencies are in SwiftPM's cache.
# A build takes several minutes on two cores; the runs about two minutes.
set -euo pipefail

program=$(basename "$0")
usage() {
    echo "usage: $program [--only REGEX] [--keep-scratch] REV | --self" >&2
    exit 2
}
fail() {
    echo "$program: $*" >&2
    exit 2
}

only=""
keep_scratch=false
self=false
revision=""
while [ $# -gt 0 ]; do
    case "$1" in
        --only) [ $# -ge 2 ] || usage; only=$2; shift 2 ;;
        --keep-scratch) keep_scratch=true; shift ;;
        --self) self=true; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) usage ;;
        *) [ -z "$revision" ] || usage; revision=$1; shift ;;
    esac
done
if $self; then [ -z "$revision" ] || usage; else [ -n "$revision" ] || usage; fi

root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel) || fail "not inside a git repository"
cd "$root"
command -v swift >/dev/null || fail "swift is not on PATH"
python3 -c "import h5py, numpy, anndata" 2>/dev/null || fail "python3 with h5py, numpy and anndata is needed (tools/setup.sh)"

start_seconds=$SECONDS
scratch=$(mktemp -d "${TMPDIR:-/tmp}/compare-builds.XXXXXX")
cleanup() {
    if $keep_scratch; then echo "scratch kept in $scratch" >&2; else rm -rf "$scratch"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- Configurations -----------------------------------------------------------------------------
#
# A configuration is one or more steps run in its own directory, the same for both builds. A step
# is "NAME: [VAR=VALUE ...] COMMAND ARGS...", split at spaces; @IN@ is the inputs' directory.
# Its stdout goes to NAME.json (with --json) or NAME.out, stderr to NAME.err, its exit status to
# NAME.status. A step named "NAME*" is run again while it exits 75 (stopped at --time-limit),
# up to 60 times; where it stopped depends on time, so its stderr and statuses go to NAME.log
# (not compared) and the checkpoint's counts are left out of its summary (NAME.timed.json).
# factor and transform get --json --quiet, inverse-transform --json, demo --quiet.

names=()
declare -A steps=()
equivalences=()

configuration() {
    local name=$1
    shift
    if [ -n "$only" ] && ! [[ "$name" =~ $only ]]; then return; fi
    [ -z "${steps[$name]+set}" ] || fail "configuration $name is defined twice"
    names+=("$name")
    local step joined=""
    for step in "$@"; do joined+="$step"$'\n'; done
    steps[$name]=$joined
}
# The working tree's result of configuration $1 must equal its result of $2 (HDF5 outputs only).
same_result() {
    if [ -n "$only" ] && ! [[ "$1" =~ $only && "$2" =~ $only ]]; then return; fi
    equivalences+=("$1 $2")
}

# Fits of the dense float32 matrix with a fixed number of iterations.
dense="@IN@/dense32.h5 --dataset /X -k 6"
fixed="--tol 0 --max-iter 25"
custom="--init-w @IN@/init-dense.h5:/W0 --init-h @IN@/init-dense.h5:/H0"
for solver in cd mu hals; do
    for init in random nndsvd nndsvda nndsvdar custom; do
        if [ "$init" = custom ]; then init_flags=$custom; else init_flags="--init $init"; fi
        configuration "dense32-$solver-$init" "fit: factor $dense --solver $solver $init_flags $fixed -o fit.h5"
    done
done
# The default stopping rule (tol 1e-4, up to 200 iterations) stops each early.
for solver in cd mu hals; do
    configuration "dense32-$solver-early-stop" "fit: factor $dense --solver $solver -o fit.h5"
done
configuration dense32-hals-sweeps-3 "fit: factor $dense --solver hals --inner-sweeps 3 $fixed -o fit.h5"
# β-divergences of mu: a fixed number of iterations, and the stopping rule, whose verdict comes a
# pass late and undoes that pass.
for loss in kullback-leibler itakura-saito 1.5 0.5; do
    configuration "dense32-mu-$loss" "fit: factor $dense --solver mu --loss $loss --tol 0 --max-iter 20 -o fit.h5"
done
for loss in kullback-leibler itakura-saito 0.5; do
    configuration "dense32-mu-$loss-early-stop" "fit: factor $dense --solver mu --loss $loss -o fit.h5"
done
configuration dense32-mu-3-random "fit: factor $dense --solver mu --loss 3 --init random --tol 0 --max-iter 20 -o fit.h5"
# Streamed: 256-row blocks under 1 MiB, or --block-rows.
for solver in cd mu hals; do
    configuration "dense32-$solver-streamed" "fit: factor $dense --solver $solver --memory 1MiB $fixed -o fit.h5"
done
configuration dense32-mu-kl-streamed "fit: factor $dense --solver mu --loss kullback-leibler --memory 1MiB -o fit.h5"
configuration dense32-mu-is-streamed "fit: factor $dense --solver mu --loss itakura-saito --memory 1MiB --tol 0 --max-iter 15 -o fit.h5"
configuration dense32-hals-block-rows-512 "fit: factor $dense --solver hals --block-rows 512 $fixed -o fit.h5"
configuration dense32-mu-1.5-block-rows-300 "fit: factor $dense --solver mu --loss 1.5 --block-rows 300 --tol 0 --max-iter 15 -o fit.h5"
# W in a scratch file (random or custom initial W).
configuration dense32-hals-w-scratch "fit: factor $dense --solver hals --init random --w-storage scratch $fixed -o fit.h5"
configuration dense32-cd-w-scratch-custom "fit: factor $dense --solver cd $custom --w-storage scratch --memory 1MiB $fixed -o fit.h5"
configuration dense32-mu-w-scratch "fit: factor $dense --solver mu --init random --w-storage scratch -o fit.h5"
configuration dense32-mu-kl-w-scratch "fit: factor $dense --solver mu --loss kullback-leibler --init random --w-storage scratch --memory 1MiB -o fit.h5"
# Regularization.
configuration dense32-cd-elastic-net "fit: factor $dense --solver cd --alpha-w 0.01 --l1-ratio 0.5 $fixed -o fit.h5"
configuration dense32-hals-l1-alpha-h "fit: factor $dense --solver hals --alpha-w 0.1 --alpha-h 0.05 --l1-ratio 1 $fixed -o fit.h5"
configuration dense32-mu-l2 "fit: factor $dense --solver mu --alpha-w 0.01 --l1-ratio 0 $fixed -o fit.h5"
configuration dense32-mu-kl-elastic-net "fit: factor $dense --solver mu --loss kullback-leibler --alpha-w 0.01 --l1-ratio 0.5 --tol 0 --max-iter 20 -o fit.h5"
# Threads.
for threads in 1 2; do
    configuration "dense32-hals-threads-$threads" "fit: factor $dense --solver hals --threads $threads --memory 1MiB $fixed -o fit.h5"
    configuration "dense32-mu-kl-threads-$threads" "fit: factor $dense --solver mu --loss kullback-leibler --threads $threads -o fit.h5"
done
# Precision and stored types.
configuration dense32-cd-as-float64 "fit: factor $dense --solver cd --precision float64 $fixed -o fit.h5"
configuration dense32-mu-as-float64-streamed "fit: factor $dense --solver mu --precision float64 --memory 2MiB $fixed -o fit.h5"
dense64="@IN@/dense64.h5 --dataset /X -k 5"
configuration dense64-cd "fit: factor $dense64 --solver cd $fixed -o fit.h5"
configuration dense64-hals-early-stop "fit: factor $dense64 --solver hals -o fit.h5"
configuration dense64-mu-kl "fit: factor $dense64 --solver mu --loss kullback-leibler -o fit.h5"
configuration dense64-hals-streamed "fit: factor $dense64 --solver hals --block-rows 256 --threads 1 $fixed -o fit.h5"
configuration dense64-hals-as-float32 "fit: factor $dense64 --solver hals --precision float32 --memory 1MiB $fixed -o fit.h5"
counts="@IN@/counts16.h5 --dataset /X -k 5"
configuration counts16-mu-kl "fit: factor $counts --solver mu --loss kullback-leibler --init nndsvdar -o fit.h5"
configuration counts16-hals-streamed "fit: factor $counts --solver hals --init random --memory 1MiB $fixed -o fit.h5"
gzip="@IN@/dense32gz.h5 --dataset /X -k 6"
configuration dense32gz-hals "fit: factor $gzip --solver hals $fixed -o fit.h5"
configuration dense32gz-cd-streamed "fit: factor $gzip --solver cd --init random --memory 1MiB $fixed -o fit.h5"
# Sparse input.
csr="@IN@/csr.h5ad --dataset /X -k 6"
sparse_custom="--init-w @IN@/init-sparse.h5:/W0 --init-h @IN@/init-sparse.h5:/H0"
configuration csr-cd "fit: factor $csr --solver cd $fixed -o fit.h5"
configuration csr-cd-nndsvd-threads-1 "fit: factor $csr --solver cd --init nndsvd --threads 1 $fixed -o fit.h5"
configuration csr-hals-random-early-stop "fit: factor $csr --solver hals --init random --inner-sweeps 4 -o fit.h5"
configuration csr-hals-custom "fit: factor $csr --solver hals $sparse_custom $fixed -o fit.h5"
configuration csr-hals-float64 "fit: factor $csr --solver hals --precision float64 $fixed -o fit.h5"
configuration csr-mu "fit: factor $csr --solver mu $fixed -o fit.h5"
configuration csr-mu-kl "fit: factor $csr --solver mu --loss kullback-leibler -o fit.h5"
configuration csr-mu-1.5 "fit: factor $csr --solver mu --loss 1.5 --tol 0 --max-iter 10 -o fit.h5"
configuration csr-mu-0.5-nndsvdar "fit: factor $csr --solver mu --loss 0.5 --init nndsvdar --tol 0 --max-iter 10 -o fit.h5"
configuration csr-hals-streamed "fit: factor $csr --solver hals --init random --memory 512KiB $fixed -o fit.h5"
configuration csr-cd-block-rows "fit: factor $csr --solver cd --block-rows 512 --alpha-w 0.01 --l1-ratio 0.5 $fixed -o fit.h5"
configuration csr-mu-kl-w-scratch "fit: factor $csr --solver mu --loss kullback-leibler --init random --w-storage scratch --memory 512KiB -o fit.h5"
tenx="@IN@/tenx.h5 --dataset /matrix -k 6"
configuration tenx-hals "fit: factor $tenx --solver hals $fixed -o fit.h5"
configuration tenx-mu-kl-streamed "fit: factor $tenx --solver mu --loss kullback-leibler --block-rows 512 -o fit.h5"
csc="@IN@/csc.h5ad --dataset /X -k 6"
configuration csc-hals "fit: factor $csc --solver hals $fixed -o fit.h5"
configuration csc-hals-streamed "fit: factor $csc --solver hals --init random --memory 512KiB --scratch-dir . $fixed -o fit.h5"
configuration csc-mu-kl "fit: factor $csc --solver mu --loss kullback-leibler --tol 0 --max-iter 15 -o fit.h5"

# anls: every start, streamed, sparse, regularized, early stop.
for init in random nndsvda sample; do
    configuration "dense32-anls-$init" "fit: factor $dense --solver anls --init $init $fixed -o fit.h5"
done
configuration dense32-anls-early-stop "fit: factor $dense --solver anls --init sample -o fit.h5"
configuration dense32-anls-sample-streamed "fit: factor $dense --solver anls --init sample --block-rows 256 --memory 8MiB $fixed -o fit.h5"
configuration dense32-anls-elastic-net "fit: factor $dense --solver anls --alpha-w 0.01 --l1-ratio 0.5 $fixed -o fit.h5"
configuration dense64-anls-sample "fit: factor $dense64 --solver anls --init sample $fixed -o fit.h5"
configuration csr-anls-sample-streamed "fit: factor $csr --solver anls --init sample --block-rows 512 --memory 8MiB $fixed -o fit.h5"
configuration dense32-hals-sample "fit: factor $dense --solver hals --init sample $fixed -o fit.h5"
# The defaults: no --solver, no --init (factor's own choice), dense and sparse, streamed.
configuration dense32-defaults "fit: factor $dense -o fit.h5"
configuration dense64-defaults-streamed "fit: factor $dense64 --memory 8MiB -o fit.h5"
configuration csr-defaults "fit: factor $csr -o fit.h5"

# Checkpoints: stopped or killed, then resumed by the same command; the result must also equal
# the uninterrupted run's.
resumable="$dense --solver hals $fixed --checkpoint ckpt --checkpoint-every 2 -o fit.h5"
configuration checkpoint-uninterrupted "fit: factor $resumable"
configuration checkpoint-term-at-pass-end \
    "stopped: BLOCKNMF_CRASH_AT=pass-end:5:TERM factor $resumable" \
    "resumed: factor $resumable"
same_result checkpoint-term-at-pass-end checkpoint-uninterrupted
streamed_resumable="$dense --solver cd --memory 1MiB $fixed --checkpoint ckpt --checkpoint-every 2 -o fit.h5"
configuration checkpoint-streamed-uninterrupted "fit: factor $streamed_resumable"
configuration checkpoint-streamed-killed-mid-pass \
    "killed: BLOCKNMF_CRASH_AT=mid-pass:30 factor $streamed_resumable" \
    "resumed: factor $streamed_resumable"
same_result checkpoint-streamed-killed-mid-pass checkpoint-streamed-uninterrupted
configuration checkpoint-streamed-term-mid-pass \
    "stopped: BLOCKNMF_CRASH_AT=mid-pass:43:TERM factor $streamed_resumable" \
    "resumed: factor $streamed_resumable"
same_result checkpoint-streamed-term-mid-pass checkpoint-streamed-uninterrupted
divergence_resumable="$dense --solver mu --loss kullback-leibler --checkpoint ckpt --checkpoint-every 2 -o fit.h5"
configuration checkpoint-kl-uninterrupted "fit: factor $divergence_resumable"
configuration checkpoint-kl-time-limit "fit*: factor $divergence_resumable --time-limit 0.15s"
same_result checkpoint-kl-time-limit checkpoint-kl-uninterrupted
configuration checkpoint-kl-term-at-pass-end \
    "stopped: BLOCKNMF_CRASH_AT=pass-end:11:TERM factor $divergence_resumable" \
    "resumed: factor $divergence_resumable"
same_result checkpoint-kl-term-at-pass-end checkpoint-kl-uninterrupted
configuration checkpoint-kept-then-longer \
    "first: factor $dense --solver hals --tol 0 --max-iter 10 --checkpoint ckpt --checkpoint-every 2 --keep-checkpoint -o fit.h5" \
    "fit: factor $resumable"
same_result checkpoint-kept-then-longer checkpoint-uninterrupted
sparse_resumable="$csr --solver mu --loss kullback-leibler --block-rows 512 --checkpoint ckpt --checkpoint-every 2 -o fit.h5"
configuration checkpoint-sparse-kl-uninterrupted "fit: factor $sparse_resumable"
anls_resumable="$dense --solver anls --init sample --block-rows 256 --memory 8MiB $fixed --checkpoint ckpt --checkpoint-every 2 -o fit.h5"
configuration checkpoint-anls-uninterrupted "fit: factor $anls_resumable"
configuration checkpoint-anls-killed-mid-pass \
    "killed: BLOCKNMF_CRASH_AT=mid-pass:30 factor $anls_resumable" \
    "resumed: factor $anls_resumable"
same_result checkpoint-anls-killed-mid-pass checkpoint-anls-uninterrupted
configuration checkpoint-sparse-kl-term-at-pass-end \
    "stopped: BLOCKNMF_CRASH_AT=pass-end:7:TERM factor $sparse_resumable" \
    "resumed: factor $sparse_resumable"
same_result checkpoint-sparse-kl-term-at-pass-end checkpoint-sparse-kl-uninterrupted

# transform and inverse-transform: after each build's own fit, and with shared models.
new="@IN@/dense32-new.h5 --dataset /X"
configuration chain-hals-transform-inverse \
    "fit: factor $dense --solver hals -o model.h5" \
    "transform: transform $new --model model.h5 -o w.h5" \
    "inverse: inverse-transform w.h5 --model model.h5 -o x.h5"
configuration chain-mu-kl-transform-streamed \
    "fit: factor $dense --solver mu --loss kullback-leibler -o model.h5" \
    "transform: transform $new --model model.h5 --block-rows 256 --threads 1 -o w.h5"
for model in hals cd-l1 mu mu-kl mu-is; do
    configuration "transform-$model" "transform: transform $new --model @IN@/model-$model.h5 -o w.h5"
done
configuration transform-hals-streamed "transform: transform $new --model @IN@/model-hals.h5 --memory 1MiB --threads 1 -o w.h5"
configuration transform-hals-as-float64 "transform: transform $new --model @IN@/model-hals.h5 --precision float64 -o w.h5"
configuration transform-sparse "transform: transform @IN@/csr-new.h5ad --dataset /X --model @IN@/model-sparse.h5 -o w.h5"
configuration transform-sparse-streamed "transform: transform @IN@/csr-new.h5ad --dataset /X --model @IN@/model-sparse.h5 --block-rows 512 -o w.h5"
configuration inverse-transform-model-w "inverse: inverse-transform @IN@/model-hals.h5 --model @IN@/model-hals.h5 -o x.h5"
configuration inverse-transform-blocks-float64 \
    "inverse: inverse-transform @IN@/init-dense.h5 --dataset /W0 --model @IN@/model-mu.h5 --memory 64KiB --precision float64 -o x.h5"

# Pictures and the demo.
configuration dense32-cd-components-png \
    "fit: factor $dense --solver cd $fixed --image-shape 10x15 --components-png parts.png -o fit.h5"
configuration demo "demo: demo --directory ."

[ ${#names[@]} -gt 0 ] || fail "no configuration matches --only '$only'"

# --- The two builds -----------------------------------------------------------------------------

# Builds commit $1 in .build-compare/HASH/ unless a finished build is there; prints the binary.
build_revision() {
    local hash=$1
    local place="$root/.build-compare/$hash"
    if [ -x "$place/blocknmf" ]; then
        echo "$place/blocknmf"
        return
    fi
    if [ ! -d "$place/src" ]; then
        rm -rf "$place/src.partial"
        mkdir -p "$place/src.partial"
        git archive "$hash" | tar -x -C "$place/src.partial"
        # Package.resolved is not versioned: the working tree's pins, so both builds use the
        # same dependency versions (and SwiftPM's cache needs no network).
        if [ ! -e "$place/src.partial/Package.resolved" ] && [ -e "$root/Package.resolved" ]; then
            cp "$root/Package.resolved" "$place/src.partial/"
        fi
        mv "$place/src.partial" "$place/src"
    fi
    echo "building $hash (release; a log in $place/build.log)" >&2
    if ! (cd "$place/src" && swift build -c release) >"$place/build.log" 2>&1; then
        tail -n 20 "$place/build.log" >&2
        fail "the build of $hash failed (log: $place/build.log)"
    fi
    cp "$place/src/.build/release/blocknmf" "$place/blocknmf.partial"
    mv "$place/blocknmf.partial" "$place/blocknmf"
    echo "$place/blocknmf"
}

build_working_tree() {
    echo "building the working tree (release; a log in $scratch/build.log)" >&2
    if ! swift build -c release >"$scratch/build.log" 2>&1; then
        tail -n 20 "$scratch/build.log" >&2
        fail "the build of the working tree failed"
    fi
    # A copy, so another build in this tree during the runs does not change the binary under them.
    mkdir -p "$scratch/bin"
    cp "$root/.build/release/blocknmf" "$scratch/bin/blocknmf"
    echo "$scratch/bin/blocknmf"
}

if $self; then
    side_b=$(build_working_tree)
    side_a=$side_b
    echo "A: the working tree, B: the working tree again" >&2
else
    hash=$(git rev-parse --verify --quiet "$revision^{commit}") || fail "no commit $revision in this repository"
    describe=$(git log -1 --format='%h %s' "$hash" | cut -c1-100)
    if [ -x "$root/.build-compare/$hash/blocknmf" ]; then
        echo "A: $describe (built before, in .build-compare/$hash)" >&2
    else
        echo "A: $describe" >&2
    fi
    side_a=$(build_revision "$hash")
    side_b=$(build_working_tree)
    dirty=$(git status --porcelain --untracked-files=no | wc -l)
    echo "B: the working tree at $(git log -1 --format=%h HEAD)$([ "$dirty" -gt 0 ] && echo " with $dirty changed files")" >&2
fi
echo "builds ready after $((SECONDS - start_seconds)) s" >&2

# --- Inputs, generated once ---------------------------------------------------------------------

inputs="$scratch/inputs"
mkdir -p "$inputs"
generate() { "$side_b" generate "$@" --quiet >/dev/null; }
# Dense: 2000×150 float32 in chunks of 100 rows (8 tiles of 256 rows; streamed under --memory 1MiB
# in 256-row blocks), the same values gzip-compressed, float64, and integer counts. Noise keeps
# every value positive, as Itakura-Saito needs.
generate "$inputs/dense32.h5" --rows 2000 --cols 150 --rank 6 --noise 0.1 --chunk-rows 100
generate "$inputs/dense32gz.h5" --rows 2000 --cols 150 --rank 6 --noise 0.1 --chunk-rows 200 --compression gzip:4
generate "$inputs/dense64.h5" --rows 1500 --cols 120 --rank 5 --noise 0.05 --seed 3 --type float64 --chunk-rows 128
generate "$inputs/counts16.h5" --rows 1200 --cols 100 --rank 5 --noise 1 --seed 4 --type uint16 --scale 3 --chunk-rows 300
generate "$inputs/dense32-new.h5" --rows 700 --cols 150 --rank 6 --noise 0.1 --seed 5 --chunk-rows 100
# Sparse: 3000×200 at 10 % (512-row tiles), as AnnData CSR and 10x Genomics; the CSC below.
generate "$inputs/csr.h5ad" --rows 3000 --cols 200 --rank 6 --noise 0.1 --density 0.1 --layout anndata --seed 6
generate "$inputs/tenx.h5" --rows 3000 --cols 200 --rank 6 --noise 0.1 --density 0.1 --layout 10x --seed 6
generate "$inputs/csr-new.h5ad" --rows 800 --cols 200 --rank 6 --noise 0.1 --density 0.1 --layout anndata --seed 7
python3 - "$inputs" <<'PYTHON'
import sys, warnings
import anndata, h5py, numpy, scipy.sparse
inputs = sys.argv[1]
warnings.simplefilter("ignore")
# AnnData's CSC of the same matrix as csr.h5ad: observations stay rows.
with h5py.File(f"{inputs}/csr.h5ad", "r") as f:
    group = f["X"]
    csr = scipy.sparse.csr_matrix((group["data"][()], group["indices"][()], group["indptr"][()]),
                                  shape=tuple(group.attrs["shape"]))
anndata.AnnData(X=csr.tocsc()).write_h5ad(f"{inputs}/csc.h5ad")
# Custom initial factors, float64, for the dense 2000×150 and the sparse 3000×200 matrices.
random = numpy.random.RandomState(42)
for name, (rows, columns) in {"init-dense.h5": (2000, 150), "init-sparse.h5": (3000, 200)}.items():
    with h5py.File(f"{inputs}/{name}", "w") as f:
        f["W0"] = random.random_sample((rows, 6))
        f["H0"] = random.random_sample((6, columns))
PYTHON
# Shared models for transform, fitted once by the working tree's build.
shared_model() {
    local name=$1 input=$2
    shift 2
    "$side_b" factor "$inputs/$input" --dataset "$(dataset_of "$input")" -k 6 -o "$inputs/$name" --quiet "$@" >/dev/null
}
dataset_of() { case "$1" in tenx*) echo /matrix ;; *) echo /X ;; esac; }
shared_model model-hals.h5 dense32.h5 --solver hals
shared_model model-cd-l1.h5 dense32.h5 --solver cd --alpha-w 0.01 --l1-ratio 0.5
shared_model model-mu.h5 dense32.h5 --solver mu
shared_model model-mu-kl.h5 dense32.h5 --solver mu --loss kullback-leibler --max-iter 100
shared_model model-mu-is.h5 dense32.h5 --solver mu --loss itakura-saito --max-iter 50
shared_model model-sparse.h5 csr.h5ad --solver hals --inner-sweeps 4
echo "inputs ready after $((SECONDS - start_seconds)) s" >&2

# --- Running --------------------------------------------------------------------------------------

run_step() {
    local binary=$1 step=$2
    local name=${step%%:*} rest=${step#*:}
    local -a words environment=()
    read -ra words <<<"${rest//@IN@/$inputs}"
    while [[ "${words[0]}" == *=* ]]; do
        environment+=("${words[0]}")
        words=("${words[@]:1}")
    done
    case "${words[0]}" in
        factor|transform) words+=(--json --quiet) ;;
        inverse-transform) words+=(--json) ;;
        demo) words+=(--quiet) ;;
    esac
    local output=$name.out status
    [[ " ${words[*]} " == *" --json "* ]] && output=$name.json
    if [[ "$name" == *"*" ]]; then
        name=${name%"*"}
        local attempt
        for attempt in $(seq 1 60); do
            status=0
            env "${environment[@]}" "$binary" "${words[@]}" >"$name.timed.json" 2>>"$name.log" </dev/null || status=$?
            echo "attempt $attempt: status $status" >>"$name.log"
            [ "$status" -eq 75 ] || break
        done
    else
        status=0
        # The braces take bash's own report of a process it saw killed ("Killed").
        { env "${environment[@]}" "$binary" "${words[@]}" >"$output" 2>"$name.err" </dev/null || status=$?; } 2>/dev/null
    fi
    echo "$status" >"$name.status"
}

run_configuration() {
    local side=$1 binary=$2 name=$3
    local directory="$scratch/runs/$side/$name" step
    mkdir -p "$directory"
    (
        cd "$directory"
        while IFS= read -r step; do
            if [ -n "$step" ]; then run_step "$binary" "$step"; fi
        done <<<"${steps[$name]}"
    )
}

echo "running ${#names[@]} configurations with each build" >&2
runs_start=$SECONDS
manifest="$scratch/manifest"
: >"$manifest"
for name in "${names[@]}"; do
    run_configuration A "$side_a" "$name"
    run_configuration B "$side_b" "$name"
    printf 'full\t%s\t%s\t%s\n' "$name" "$scratch/runs/A/$name" "$scratch/runs/B/$name" >>"$manifest"
done
for pair in "${equivalences[@]}"; do
    read -r first second <<<"$pair"
    printf 'results\t%s\t%s\t%s\n' "$first = $second (B's results)" "$scratch/runs/B/$first" "$scratch/runs/B/$second" >>"$manifest"
done
echo "ran them in $((SECONDS - runs_start)) s" >&2

status=0
python3 "$root/tools/compare_outputs.py" "$manifest" || status=$?
echo "wall time $((SECONDS - start_seconds)) s" >&2
[ "$status" -le 1 ] || fail "the comparison failed (status $status)"
exit "$status"
