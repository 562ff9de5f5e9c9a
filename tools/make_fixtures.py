#!/usr/bin/env python3
"""Generate the scikit-learn reference fixtures used by BlockNMF's tests.

BlockNMF reimplements scikit-learn's NMF (``sklearn.decomposition.NMF``) and
must agree with it numerically.  This script runs scikit-learn (and numpy's
legacy random number generator) on small, fixed inputs and writes the results
to HDF5 files that the Swift test suites read back:

    sklearn_trajectories.h5  solver iterates (mu, cd) from a fixed custom init
                             after 1, 10 and 100 iterations
    sklearn_inits.h5         _initialize_nmf outputs (nndsvd, nndsvda, nndsvdar,
                             random, default) and full NMF fits with each solver
    sklearn_transform.h5     NMF.transform of new rows with H held fixed
    sklearn_beta.h5          the multiplicative update for β-divergences (β = 0, 0.5,
                             1, 1.5, 3): iterates after 1, 10 and 100 iterations from a
                             custom init, fits stopped by tol, and transform
    sklearn_sparse.h5        fits of scipy sparse CSR input (cd, mu with Frobenius and
                             Kullback-Leibler), X stored as AnnData's CSR group
    anndata_counts.h5ad      the same X written by the anndata package (when installed:
                             pip install anndata)
    tenx_counts.h5           the same X as Cell Ranger writes a feature-barcode matrix:
                             /matrix, the CSC of Xᵀ (genes × cells), int32 counts, int64
                             indices, gzip-compressed chunks, barcodes and features
    tenx_v2_counts.h5        the same X as Cell Ranger 2 wrote it: one group per genome
                             (/GRCh38) with barcodes, genes and gene_names beside the arrays
    anndata_layouts.h5ad     the same X written by the anndata package in every place an
                             AnnData file keeps a matrix: X compressed by columns (CSC),
                             layers "counts" (CSR) and "dense", raw.X (CSR), and a 2-D
                             obsm["X_pca"] (needs anndata)
    anndata_old.h5ad         the same X as anndata 0.6 wrote it: /X in h5sparse's CSC
                             encoding (h5sparse_format, h5sparse_shape), /raw.X in its CSR
                             encoding, obs and var as compound datasets
    numpy_random.h5          numpy.random.RandomState streams (MT19937 raw
                             draws, random_sample, standard_normal, normal)
    compressed_FILTER.h5ad   one count matrix written by anndata as dense X and as the
                             CSR layer layers/counts, uncompressed (none) or compressed
                             with lzf (h5py's filter 32000), or with hdf5plugin's blosc
                             (32001), lz4 (32004), bitshuffle (32008) and zstd (32015)
    scipy_nnls.json          scipy.optimize.nnls solutions of small problems min ‖A·x − b‖,
                             x ≥ 0 (random, rank-deficient, duplicated columns, a zero
                             row, a zero column, and one on which plain full-exchange block
                             pivoting cycles); JSON, as the kernel tests read no HDF5
    filter_unknown.h5        /X with filter 511 in its pipeline (an id HDF5 reserves for
                             testing, which no plugin provides), marked optional so h5py
                             can write it without the filter

Every group in the sklearn_* files is one test case; the inputs (``X`` and any
initial factors) are stored next to the expected outputs, so a test never has
to regenerate them.  Cases that share the same input matrix share one copy of
``X`` through an HDF5 hard link, which is transparent to readers.  The root of
every file carries the attributes ``sklearn_version`` and ``numpy_version``.
String attributes are variable-length UTF-8 strings (h5py's default for str);
numeric attributes are 64-bit integers or doubles.  Datasets are contiguous
and keep the case's dtype (float64 or float32).

All randomness comes from fixed seeds, so re-running the script with the same
library versions reproduces the same numbers.

Dependencies:

    pip install scikit-learn h5py        (numpy comes with scikit-learn)
    pip install anndata hdf5plugin       (the .h5ad files and the compressed ones)

or ``pip install -r tools/requirements.txt``.

Usage:

    python3 tools/make_fixtures.py [--out Tests/Fixtures]
"""

import argparse
import json
import os
import warnings

import h5py
import numpy as np
import sklearn
from sklearn.decomposition import NMF, non_negative_factorization
from sklearn.decomposition._nmf import _initialize_nmf
from sklearn.exceptions import ConvergenceWarning

DTYPE_NAMES = {np.dtype(np.float64): "float64", np.dtype(np.float32): "float32"}
DTYPE_TAGS = {np.dtype(np.float64): "f64", np.dtype(np.float32): "f32"}

# Regularization settings: (alpha_W, alpha_H, l1_ratio).  alpha_H is either a
# number or the string "same" (scikit-learn's default, meaning alpha_H = alpha_W).
NO_REG = (0.0, "same", 0.0)
REG = (0.01, 0.02, 0.3)
REG_SAME = (0.01, "same", 0.5)
REG_L1 = (0.01, 0.02, 1.0)
REG_L2 = (0.01, 0.02, 0.0)

PLANTED_RANK = 5


# --------------------------------------------------------------------------
# Helpers


def make_matrix(shape, rank, seed, dtype=np.float64):
    """Return a non-negative test matrix X = W* H* + 0.01 * noise.

    W* (m x rank) and H* (rank x n) are uniform on [0, 1); the noise is
    uniform on [0, 1) too, so X is close to, but not exactly, of rank `rank`.
    The matrix is computed in float64 and then cast to `dtype`.
    """
    m, n = shape
    rng = np.random.default_rng(seed)
    w_star = rng.random((m, rank))
    h_star = rng.random((rank, n))
    noise = rng.random((m, n))
    return (w_star @ h_star + 0.01 * noise).astype(dtype)


def shape_tag(shape):
    return "%dx%d" % shape


def alpha_h_attr(alpha_h):
    """alpha_H as stored in the files: "same" or repr() of the number."""
    return alpha_h if alpha_h == "same" else repr(float(alpha_h))


def set_regularization_attrs(group, reg):
    alpha_w, alpha_h, l1_ratio = reg
    group.attrs["alpha_W"] = float(alpha_w)
    group.attrs["alpha_H"] = alpha_h_attr(alpha_h)
    group.attrs["l1_ratio"] = float(l1_ratio)


def write_array(group, name, array):
    """Store an array as a contiguous (uncompressed) dataset in its own dtype.

    gzip saves only about a tenth on these small, full-precision matrices and
    needs chunked storage, whose index costs more than that; plain contiguous
    datasets keep the files small and trivial to read.
    """
    group.create_dataset(name, data=np.ascontiguousarray(array))


class MatrixStore:
    """Writes each distinct input matrix once per file and hard-links the rest.

    The first case that uses a matrix owns the dataset; later cases get an
    HDF5 hard link with the same name, which readers open like any dataset.
    """

    def __init__(self):
        self._written = {}

    def put(self, group, name, key, array):
        if key in self._written:
            group[name] = self._written[key]
        else:
            write_array(group, name, array)
            self._written[key] = group[name]


def create_case(parent, name):
    """Create the group of one test case.

    Its attributes are kept in the group's object header ("compact" storage)
    instead of the dense storage HDF5 switches to after eight attributes,
    which would cost about a kilobyte per group.  No modification times are
    recorded, so that re-running the script gives byte-identical files.
    """
    gcpl = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
    gcpl.set_attr_phase_change(32, 24)
    gcpl.set_obj_track_times(False)
    return h5py.Group(h5py.h5g.create(parent.id, name.encode(), gcpl=gcpl))


def open_fixture(path):
    # HDF5 1.8 object formats: compact groups, small object headers.
    f = h5py.File(path, "w", libver=("v108", "v110"))
    f.attrs["sklearn_version"] = str(sklearn.__version__)
    f.attrs["numpy_version"] = str(np.__version__)
    return f


def reg_tag(reg):
    if reg == NO_REG:
        return "noreg"
    if reg == REG:
        return "reg"
    if reg == REG_SAME:
        return "regsame"
    if reg == REG_L1:
        return "l1"
    if reg == REG_L2:
        return "l2"
    raise ValueError(reg)


# --------------------------------------------------------------------------
# File A: iterates from a fixed custom initialization


def custom_init(X, k, seed):
    """W0, H0 uniform on [0.1, 1) scaled by sqrt(X.mean() / k), in X's dtype."""
    m, n = X.shape
    rng = np.random.default_rng(seed)
    scale = np.sqrt(X.mean(dtype=np.float64) / k)
    W0 = (rng.uniform(0.1, 1.0, size=(m, k)) * scale).astype(X.dtype)
    H0 = (rng.uniform(0.1, 1.0, size=(k, n)) * scale).astype(X.dtype)
    return W0, H0


def trajectory_cases():
    """(solver, dtype, reg, shape, k) for every case of sklearn_trajectories.h5."""
    cases = []
    for solver in ("mu", "cd"):
        for dtype in (np.float64, np.float32):
            for reg in (NO_REG, REG):
                for shape in ((30, 20), (20, 30)):
                    cases.append((solver, dtype, reg, shape, 5))
        cases.append((solver, np.float64, REG_SAME, (30, 20), 5))
        cases.append((solver, np.float64, REG_L1, (20, 30), 5))
        cases.append((solver, np.float64, REG_L2, (30, 20), 5))
        cases.append((solver, np.float64, NO_REG, (20, 30), 1))
        cases.append((solver, np.float64, REG, (30, 20), 12))
    return cases


def write_iterates(g, X, W0, H0, k, solver, beta_loss, reg):
    """W_i, H_i after i = 1, 10 and 100 iterations from W0, H0 with tol = 0."""
    alpha_w, alpha_h, l1_ratio = reg
    for it in (1, 10, 100):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            W, H, n_iter = non_negative_factorization(
                X, W=W0.copy(), H=H0.copy(), n_components=k, init="custom", solver=solver,
                beta_loss=beta_loss, tol=0, max_iter=it, alpha_W=alpha_w, alpha_H=alpha_h,
                l1_ratio=l1_ratio, shuffle=False)
        assert n_iter == it and W.dtype == X.dtype and H.dtype == X.dtype, (g.name, it, n_iter)
        write_array(g, "W_%d" % it, W)
        write_array(g, "H_%d" % it, H)


def make_trajectories(path):
    matrices = MatrixStore()
    with open_fixture(path) as f:
        for solver, dtype, reg, shape, k in trajectory_cases():
            dtype = np.dtype(dtype)
            matrix_seed = 100 + shape[0]
            X = make_matrix(shape, PLANTED_RANK, matrix_seed, dtype)
            W0, H0 = custom_init(X, k, seed=1000 + k)

            name = "%s_%s_%s_%s_k%d" % (solver, DTYPE_TAGS[dtype], reg_tag(reg),
                                        shape_tag(shape), k)
            g = create_case(f, name)
            g.attrs["solver"] = solver
            g.attrs["dtype"] = DTYPE_NAMES[dtype]
            g.attrs["n_components"] = int(k)
            set_regularization_attrs(g, reg)
            g.attrs["matrix_seed"] = int(matrix_seed)
            g.attrs["planted_rank"] = int(PLANTED_RANK)

            matrices.put(g, "X", (shape, matrix_seed, dtype.str), X)
            write_array(g, "W0", W0)
            write_array(g, "H0", H0)
            write_iterates(g, X, W0, H0, k, solver, "frobenius", reg)


# --------------------------------------------------------------------------
# File B: initializations and full fits


def init_cases():
    """(init, shape, k, seed, dtype, reg) for every case of sklearn_inits.h5."""
    cases = []
    # (shape, values of k) per init, all with k <= min(m, n).  The SVD-based
    # inits get the fuller grid, including k = min(m, n).
    full_grid = (((30, 20), (1, 3, 5, 10, 20)),
                 ((20, 30), (1, 3, 5, 10)),
                 ((40, 40), (1, 5, 10)))
    small_grid = (((30, 20), (1, 5, 10)),
                  ((20, 30), (3, 5)),
                  ((40, 40), (5,)))
    for init, grid in (("nndsvd", full_grid), ("nndsvda", full_grid),
                       ("nndsvdar", small_grid), ("random", small_grid)):
        for shape, ks in grid:
            for k in ks:
                cases.append((init, shape, k, 0, np.float64, NO_REG))
        # The same problem with another seed.
        cases.append((init, (20, 30), 5, 42, np.float64, NO_REG))
    # init=None: 'nndsvda' when k <= min(m, n) ...
    cases.append((None, (30, 20), 5, 0, np.float64, NO_REG))
    cases.append((None, (40, 40), 10, 42, np.float64, NO_REG))
    # ... and 'random' when k > min(m, n), the only init that allows it.
    cases.append(("random", (20, 30), 25, 0, np.float64, NO_REG))
    cases.append((None, (20, 30), 25, 42, np.float64, NO_REG))
    # Single precision.
    cases.append(("nndsvda", (30, 20), 5, 0, np.float32, NO_REG))
    cases.append(("nndsvda", (40, 40), 10, 42, np.float32, NO_REG))
    cases.append(("random", (30, 20), 5, 0, np.float32, NO_REG))
    cases.append(("random", (20, 30), 3, 42, np.float32, NO_REG))
    # Regularized full fits.
    cases.append(("nndsvda", (30, 20), 5, 0, np.float64, REG))
    cases.append(("nndsvda", (40, 40), 10, 0, np.float64, REG_SAME))
    cases.append(("random", (20, 30), 5, 42, np.float64, REG_L1))
    cases.append((None, (30, 20), 3, 0, np.float64, REG_L2))
    return cases


def make_inits(path):
    matrices = MatrixStore()
    with open_fixture(path) as f:
        for init, shape, k, seed, dtype, reg in init_cases():
            dtype = np.dtype(dtype)
            alpha_w, alpha_h, l1_ratio = reg
            init_name = "default" if init is None else init
            matrix_seed = 200 + shape[0]
            X = make_matrix(shape, PLANTED_RANK, matrix_seed, dtype)

            name = "%s_%s_%s_k%d_seed%d" % (init_name, DTYPE_TAGS[dtype],
                                            shape_tag(shape), k, seed)
            if reg != NO_REG:
                name += "_" + reg_tag(reg)
            g = create_case(f, name)
            g.attrs["init"] = init_name
            g.attrs["n_components"] = int(k)
            g.attrs["seed"] = int(seed)
            g.attrs["dtype"] = DTYPE_NAMES[dtype]
            set_regularization_attrs(g, reg)
            g.attrs["matrix_seed"] = int(matrix_seed)
            g.attrs["planted_rank"] = int(PLANTED_RANK)

            matrices.put(g, "X", (shape, matrix_seed, dtype.str), X)
            W_init, H_init = _initialize_nmf(X, k, init=init, random_state=seed)
            assert W_init.dtype == dtype and H_init.dtype == dtype, name
            write_array(g, "W_init", W_init)
            write_array(g, "H_init", H_init)

            for solver in ("cd", "mu"):
                model = NMF(n_components=k, init=init, solver=solver,
                            random_state=seed, max_iter=200, tol=1e-4,
                            alpha_W=alpha_w, alpha_H=alpha_h, l1_ratio=l1_ratio)
                with warnings.catch_warnings():
                    # ConvergenceWarning, and the UserWarning about mu + nndsvd.
                    warnings.simplefilter("ignore")
                    W = model.fit_transform(X)
                assert W.dtype == dtype, name
                write_array(g, "W_fit_" + solver, W)
                write_array(g, "H_fit_" + solver, model.components_)
                g.attrs["n_iter_" + solver] = int(model.n_iter_)
                g.attrs["reconstruction_err_" + solver] = float(
                    model.reconstruction_err_)


# --------------------------------------------------------------------------
# File C: transform of new rows with H fixed


def transform_cases():
    """(solver, dtype, reg) for every case of sklearn_transform.h5."""
    return [
        ("cd", np.float64, NO_REG),
        ("mu", np.float64, NO_REG),
        ("cd", np.float64, REG),
        ("mu", np.float64, REG),
        ("cd", np.float32, NO_REG),
        ("mu", np.float32, NO_REG),
    ]


def make_transform(path):
    k, tol, max_iter = 5, 1e-4, 200
    n_fit, n_new, n_features = 40, 15, 20
    matrix_seed = 300
    with open_fixture(path) as f:
        for solver, dtype, reg in transform_cases():
            dtype = np.dtype(dtype)
            alpha_w, alpha_h, l1_ratio = reg
            # One draw from the generator, split into fitting and new rows, so
            # that the new rows come from the same planted factor H*.
            X_all = make_matrix((n_fit + n_new, n_features), PLANTED_RANK,
                                matrix_seed, dtype)
            X, X_new = X_all[:n_fit], X_all[n_fit:]

            model = NMF(n_components=k, init="nndsvda", solver=solver,
                        random_state=0, max_iter=max_iter, tol=tol,
                        alpha_W=alpha_w, alpha_H=alpha_h, l1_ratio=l1_ratio)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                W_fit = model.fit_transform(X)
                W_new = model.transform(X_new)
                # Same computation as transform(), to record its iteration count.
                W_check, _, n_iter_transform = model._fit_transform(
                    X_new, H=model.components_, update_H=False)
            assert np.array_equal(W_new, W_check)
            assert W_new.dtype == dtype

            name = "%s_%s_%s_%dx%d_new%d_k%d" % (solver, DTYPE_TAGS[dtype],
                                                 reg_tag(reg), n_fit, n_features,
                                                 n_new, k)
            g = create_case(f, name)
            g.attrs["solver"] = solver
            g.attrs["dtype"] = DTYPE_NAMES[dtype]
            g.attrs["n_components"] = int(k)
            g.attrs["init"] = "nndsvda"
            g.attrs["random_state"] = 0
            g.attrs["tol"] = float(tol)
            g.attrs["max_iter"] = int(max_iter)
            set_regularization_attrs(g, reg)
            g.attrs["n_iter_fit"] = int(model.n_iter_)
            g.attrs["n_iter_transform"] = int(n_iter_transform)
            g.attrs["matrix_seed"] = int(matrix_seed)
            g.attrs["planted_rank"] = int(PLANTED_RANK)
            write_array(g, "X", X)
            write_array(g, "X_new", X_new)
            write_array(g, "W_fit", W_fit)
            write_array(g, "H", model.components_)
            write_array(g, "W_new", W_new)


# --------------------------------------------------------------------------
# File E: β-divergences with the multiplicative update


def beta_tag(beta):
    return "beta" + repr(float(beta)).replace(".", "p")


def with_zeros(X, seed):
    """X with about a fifth of its entries set to 0 (counts often hold zeros)."""
    rng = np.random.default_rng(seed)
    Z = X.copy()
    Z[rng.random(X.shape) < 0.2] = 0
    return Z


def beta_trajectory_cases():
    """(beta, dtype, reg, shape, zeros) for the iterate cases of sklearn_beta.h5."""
    cases = [(beta, np.float64, NO_REG, (30, 20), False) for beta in (0.0, 0.5, 1.0, 1.5, 3.0)]
    cases += [
        (1.0, np.float64, REG, (20, 30), False),
        (0.5, np.float64, REG_L2, (30, 20), False),
        (3.0, np.float64, REG_L1, (20, 30), False),
        (0.0, np.float64, REG_SAME, (20, 30), False),
        (1.0, np.float64, NO_REG, (30, 20), True),
        (1.5, np.float64, NO_REG, (20, 30), True),
        (0.5, np.float64, NO_REG, (30, 20), True),
        (1.0, np.float32, NO_REG, (30, 20), False),
        (0.0, np.float32, NO_REG, (20, 30), False),
    ]
    return cases


def beta_fit_cases():
    """(beta, init, tol) for the full fits of sklearn_beta.h5 (float64, 30 x 20, k = 5)."""
    return [(0.0, "nndsvda", 1e-4), (1.0, "nndsvda", 1e-4), (1.5, "random", 1e-3), (1.0, "random", 1e-3)]


def make_beta(path):
    k = 5
    matrices = MatrixStore()
    with open_fixture(path) as f:
        for beta, dtype, reg, shape, zeros in beta_trajectory_cases():
            dtype = np.dtype(dtype)
            matrix_seed = 500 + shape[0]
            X = make_matrix(shape, PLANTED_RANK, matrix_seed, dtype)
            if zeros:
                X = with_zeros(X, matrix_seed)
            W0, H0 = custom_init(X, k, seed=2000 + k)
            name = "iterates_%s_%s_%s_%s%s" % (beta_tag(beta), DTYPE_TAGS[dtype], reg_tag(reg),
                                             shape_tag(shape), "_zeros" if zeros else "")
            g = create_case(f, name)
            g.attrs["kind"] = "iterates"
            g.attrs["beta_loss"] = float(beta)
            g.attrs["dtype"] = DTYPE_NAMES[dtype]
            g.attrs["n_components"] = int(k)
            set_regularization_attrs(g, reg)
            matrices.put(g, "X", (shape, matrix_seed, dtype.str, zeros), X)
            write_array(g, "W0", W0)
            write_array(g, "H0", H0)
            write_iterates(g, X, W0, H0, k, "mu", beta, reg)

        for beta, init, tol in beta_fit_cases():
            shape, matrix_seed = (30, 20), 530
            X = make_matrix(shape, PLANTED_RANK, matrix_seed, np.float64)
            model = NMF(n_components=k, solver="mu", beta_loss=beta, init=init, random_state=0,
                        tol=tol, max_iter=1000)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                W = model.fit_transform(X)
            name = "fit_%s_%s_tol%g" % (beta_tag(beta), init, tol)
            g = create_case(f, name)
            g.attrs["kind"] = "fit"
            g.attrs["beta_loss"] = float(beta)
            g.attrs["dtype"] = "float64"
            g.attrs["n_components"] = int(k)
            g.attrs["init"] = init
            g.attrs["random_state"] = 0
            g.attrs["tol"] = float(tol)
            g.attrs["max_iter"] = 1000
            g.attrs["n_iter"] = int(model.n_iter_)
            g.attrs["reconstruction_err"] = float(model.reconstruction_err_)
            set_regularization_attrs(g, NO_REG)
            matrices.put(g, "X", (shape, matrix_seed, "<f8", False), X)
            write_array(g, "W", W)
            write_array(g, "H", model.components_)

        for beta, reg in ((1.0, NO_REG), (1.0, REG_L2), (0.5, NO_REG)):
            alpha_w, alpha_h, l1_ratio = reg
            X_all = make_matrix((55, 20), PLANTED_RANK, 540, np.float64)
            X, X_new = X_all[:40], X_all[40:]
            # tol 1e-3: fit and transform both stop before max_iter, so the rule is checked too.
            model = NMF(n_components=k, solver="mu", beta_loss=beta, init="nndsvda", random_state=0,
                        tol=1e-3, max_iter=200, alpha_W=alpha_w, alpha_H=alpha_h, l1_ratio=l1_ratio)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(X)
                W_new = model.transform(X_new)
                _, _, n_iter_transform = model._fit_transform(X_new, H=model.components_, update_H=False)
            name = "transform_%s_%s" % (beta_tag(beta), reg_tag(reg))
            g = create_case(f, name)
            g.attrs["kind"] = "transform"
            g.attrs["beta_loss"] = float(beta)
            g.attrs["dtype"] = "float64"
            g.attrs["n_components"] = int(k)
            g.attrs["tol"] = 1e-3
            g.attrs["max_iter"] = 200
            g.attrs["n_iter_transform"] = int(n_iter_transform)
            set_regularization_attrs(g, reg)
            write_array(g, "X_new", X_new)
            write_array(g, "H", model.components_)
            write_array(g, "W_new", W_new)


# --------------------------------------------------------------------------
# File F: sparse input


def sparse_counts(shape, seed):
    """A CSR count matrix: Poisson draws around a planted rank-3 product, about 70 % zeros."""
    import scipy.sparse as sp
    rng = np.random.default_rng(seed)
    m, n = shape
    rate = rng.gamma(0.6, 1.0, size=(m, 3)) @ rng.gamma(0.6, 0.4, size=(3, n))
    return sp.csr_matrix(rng.poisson(rate).astype(np.float64))


def write_csr_group(parent, name, X):
    """X as AnnData writes a CSR matrix: data, indices, indptr, encoding attributes, shape."""
    g = parent.create_group(name)
    g.attrs["encoding-type"] = "csr_matrix"
    g.attrs["encoding-version"] = "0.1.0"
    g.attrs["shape"] = np.array(X.shape, dtype=np.int64)
    g.create_dataset("data", data=X.data)
    g.create_dataset("indices", data=X.indices.astype(np.int32))
    g.create_dataset("indptr", data=X.indptr.astype(np.int64))


def write_tenx(path, X):
    """X (cells × genes) as Cell Ranger's filtered_feature_bc_matrix.h5: /matrix holds the CSC
    of Xᵀ — the same arrays as X's CSR — with a shape dataset [genes, cells], integer counts,
    gzip-compressed chunked datasets, and the barcode and feature tables beside them."""
    import h5py
    X = X.tocsr()
    m, n = X.shape
    with h5py.File(path, "w") as f:
        g = f.create_group("matrix")
        options = dict(compression="gzip", compression_opts=4, shuffle=True, chunks=True)
        g.create_dataset("data", data=X.data.astype(np.int32), **options)
        g.create_dataset("indices", data=X.indices.astype(np.int64), **options)
        g.create_dataset("indptr", data=X.indptr.astype(np.int64), **options)
        g.create_dataset("shape", data=np.array([n, m], dtype=np.int32))
        g.create_dataset("barcodes", data=np.array(["CELL%04d-1" % i for i in range(m)], dtype="S"))
        features = g.create_group("features")
        features.create_dataset("id", data=np.array(["GENE%04d" % j for j in range(n)], dtype="S"))
        features.create_dataset("name", data=np.array(["Gene%d" % j for j in range(n)], dtype="S"))
        features.create_dataset("feature_type", data=np.array([b"Gene Expression"] * n))
        features.create_dataset("genome", data=np.array([b"GRCh38"] * n))
        features.create_dataset("_all_tag_keys", data=np.array([b"genome"]))


def write_tenx_v2(path, X):
    """X (cells × genes) as Cell Ranger 2 wrote filtered_gene_bc_matrices_h5.h5: a group per
    genome holding the CSC of Xᵀ with a shape dataset [genes, cells], and the barcode and gene
    tables beside them."""
    import h5py
    X = X.tocsr()
    m, n = X.shape
    with h5py.File(path, "w") as f:
        g = f.create_group("GRCh38")
        g.create_dataset("data", data=X.data.astype(np.int32))
        g.create_dataset("indices", data=X.indices.astype(np.int64))
        g.create_dataset("indptr", data=X.indptr.astype(np.int64))
        g.create_dataset("shape", data=np.array([n, m], dtype=np.int32))
        g.create_dataset("barcodes", data=np.array(["CELL%04d-1" % i for i in range(m)], dtype="S"))
        g.create_dataset("genes", data=np.array(["GENE%04d" % j for j in range(n)], dtype="S"))
        g.create_dataset("gene_names", data=np.array(["Gene%d" % j for j in range(n)], dtype="S"))


def write_anndata_layouts(path, X):
    """X in every place anndata keeps a matrix, written by the anndata package itself."""
    import anndata
    import scipy.sparse as sp
    m, n = X.shape
    obs_names = ["cell%d" % i for i in range(m)]
    var_names = ["gene%d" % j for j in range(n)]
    adata = anndata.AnnData(X=sp.csc_matrix(X))
    adata.obs_names, adata.var_names = obs_names, var_names
    adata.layers["counts"] = sp.csr_matrix(X)
    adata.layers["dense"] = X.toarray()
    adata.obsm["X_pca"] = np.random.default_rng(0).random((m, 3))
    adata.raw = anndata.AnnData(X=sp.csr_matrix(X), obs=adata.obs, var=adata.var)
    adata.write_h5ad(path)


def write_old_anndata(path, X):
    """X as anndata 0.6 wrote an .h5ad: sparse matrices in h5sparse's encoding (group
    attributes h5sparse_format and h5sparse_shape), X compressed by columns, raw.X by rows at
    the root, obs and var as compound datasets."""
    import h5py
    X = X.tocsr()
    csc = X.tocsc()
    m, n = X.shape
    with h5py.File(path, "w") as f:
        for name, matrix, encoding in (("X", csc, "csc"), ("raw.X", X, "csr")):
            g = f.create_group(name)
            g.attrs["h5sparse_format"] = encoding
            g.attrs["h5sparse_shape"] = np.array(matrix.shape, dtype=np.int64)
            g.create_dataset("data", data=matrix.data.astype(np.float32))
            g.create_dataset("indices", data=matrix.indices.astype(np.int32))
            g.create_dataset("indptr", data=matrix.indptr.astype(np.int64))
        index = np.dtype([("index", "S16")])
        f.create_dataset("obs", data=np.array([("cell%d" % i,) for i in range(m)], dtype=index))
        f.create_dataset("var", data=np.array([("gene%d" % j,) for j in range(n)], dtype=index))
        f.create_dataset("raw.var", data=np.array([("gene%d" % j,) for j in range(n)], dtype=index))


def make_sparse(path, anndata_path):
    X = sparse_counts((300, 40), seed=600)
    k = 4
    with open_fixture(path) as f:
        write_csr_group(f, "X", X)
        f.attrs["nnz"] = int(X.nnz)
        for solver, beta in (("cd", "frobenius"), ("mu", "frobenius"), ("mu", "kullback-leibler")):
            model = NMF(n_components=k, solver=solver, beta_loss=beta, init="nndsvda", random_state=0,
                        tol=1e-4, max_iter=400)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                W = model.fit_transform(X)
            g = create_case(f, "%s_%s" % (solver, beta))
            g.attrs["solver"] = solver
            g.attrs["beta_loss"] = beta
            g.attrs["n_components"] = int(k)
            g.attrs["init"] = "nndsvda"
            g.attrs["tol"] = 1e-4
            g.attrs["max_iter"] = 400
            g.attrs["n_iter"] = int(model.n_iter_)
            g.attrs["reconstruction_err"] = float(model.reconstruction_err_)
            write_array(g, "W", W)
            write_array(g, "H", model.components_)
    directory = os.path.dirname(anndata_path)
    for name, writer in (("tenx_counts.h5", write_tenx), ("tenx_v2_counts.h5", write_tenx_v2),
                         ("anndata_old.h5ad", write_old_anndata)):
        written = os.path.join(directory, name)
        writer(written, X)
        print("wrote %s (%d bytes)" % (written, os.path.getsize(written)))
    try:
        import anndata
    except ImportError:
        print("anndata is not installed (pip install anndata): %s and anndata_layouts.h5ad not written"
              % anndata_path)
        return
    anndata.AnnData(X=X).write_h5ad(anndata_path)
    layouts = os.path.join(directory, "anndata_layouts.h5ad")
    write_anndata_layouts(layouts, X)
    print("wrote %s (%d bytes)" % (layouts, os.path.getsize(layouts)))


# --------------------------------------------------------------------------
# Files G: compressed AnnData files


# The filters of compressed_FILTER.h5ad: h5py's own lzf, and hdf5plugin's filters by name.
COMPRESSION_FILTERS = ("lzf", "blosc", "lz4", "bitshuffle", "zstd")


def compression_options(name):
    """create_dataset's keywords for a filter (h5py marks each one optional, as h5py does)."""
    if name == "none":
        return {}
    if name == "lzf":
        return dict(compression="lzf")
    import hdf5plugin
    factory = {"blosc": hdf5plugin.Blosc, "lz4": hdf5plugin.LZ4,
               "bitshuffle": hdf5plugin.Bitshuffle, "zstd": hdf5plugin.Zstd}[name]
    return dict(factory())


def make_compressed(out):
    """One count matrix (200 × 30, float32, planted rank 3), written by anndata with each
    filter: dense X in chunks of 64 rows, and the same matrix as the CSR layer layers/counts
    (data, indices and indptr each compressed). "none" is the uncompressed reference."""
    try:
        import anndata
        import hdf5plugin  # noqa: F401  (registers the filters with h5py)
    except ImportError:
        print("anndata or hdf5plugin is not installed (pip install anndata hdf5plugin): "
              "compressed_*.h5ad not written")
        return
    import h5py
    X = sparse_counts((200, 30), seed=700).astype(np.float32)
    for name in ("none",) + COMPRESSION_FILTERS:
        path = os.path.join(out, "compressed_%s.h5ad" % name)
        frame = anndata.AnnData(obs=dict(cell=np.arange(X.shape[0])), var=dict(gene=np.arange(X.shape[1])))
        frame.obs_names = ["cell%d" % i for i in range(X.shape[0])]
        frame.var_names = ["gene%d" % j for j in range(X.shape[1])]
        frame.write_h5ad(path)
        options = compression_options(name)
        with h5py.File(path, "a") as f:
            dense = dict(options, chunks=(64, X.shape[1])) if options else {}
            anndata.io.write_elem(f, "X", X.toarray(), dataset_kwargs=dense)
            anndata.io.write_elem(f["layers"], "counts", X, dataset_kwargs=options)
        back = anndata.read_h5ad(path)
        assert (back.X == X.toarray()).all() and (back.layers["counts"] != X).nnz == 0, path
        print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


def make_unknown_filter(path):
    """/X (the compressed files' matrix, dense) with filter 511 in its pipeline. No plugin
    provides it, so h5py (the filter being optional) stores the chunks unfiltered."""
    import h5py
    X = sparse_counts((200, 30), seed=700).astype(np.float32).toarray()
    with h5py.File(path, "w") as f:
        creation = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        creation.set_chunk((64, X.shape[1]))
        creation.set_filter(511, h5py.h5z.FLAG_OPTIONAL, ())
        dataset = h5py.h5d.create(f.id, b"X", h5py.h5t.IEEE_F32LE, h5py.h5s.create_simple(X.shape),
                                  dcpl=creation)
        dataset.write(h5py.h5s.ALL, h5py.h5s.ALL, X)


# --------------------------------------------------------------------------
# File D: numpy's legacy RandomState stream


def raw_draws_are_uint32(seed):
    """True if randint(0, 2**32, dtype=uint64) returns raw MT19937 outputs.

    Checked two ways: random_sample() builds its double from two raw 32-bit
    outputs (a >> 5, b >> 6), and seed 5489 must reproduce the first output
    of the MT19937 reference implementation.
    """
    a, b = np.random.RandomState(seed).randint(0, 2**32, size=2, dtype=np.uint64)
    double = ((int(a) >> 5) * 67108864.0 + (int(b) >> 6)) / 9007199254740992.0
    same_double = double == np.random.RandomState(seed).random_sample()
    reference = np.random.RandomState(5489).randint(0, 2**32, size=1,
                                                     dtype=np.uint64)[0]
    return bool(same_double and reference == 3499211612)


def make_numpy_random(path):
    seeds = (0, 1, 42, 2**32 - 1)
    normal_loc, normal_scale = 0.5, 2.0
    with open_fixture(path) as f:
        for seed in seeds:
            write_array(f, "standard_normal_%d" % seed,
                        np.random.RandomState(seed).standard_normal(1001))
            write_array(f, "random_sample_%d" % seed,
                        np.random.RandomState(seed).random_sample(10))
            normal = np.random.RandomState(seed).normal(normal_loc, normal_scale, 11)
            write_array(f, "normal_%d" % seed, normal)
            f["normal_%d" % seed].attrs["loc"] = normal_loc
            f["normal_%d" % seed].attrs["scale"] = normal_scale
            if raw_draws_are_uint32(seed):
                draws = np.random.RandomState(seed).randint(0, 2**32, size=10,
                                                            dtype=np.uint64)
                write_array(f, "uint32_%d" % seed, draws.astype(np.uint32))


# --------------------------------------------------------------------------
# scipy_nnls.json


# A 4×3 problem on which block principal pivoting with the full exchange rule alone,
# started from the empty passive set, returns to it after three exchanges and cycles
# (found by a search over random problems of numpy.random.default_rng(0)).
CYCLING_A = [[-0.08323856266250133, 0.32383092512750855, -0.11801599779978267],
             [-0.3737480312981491, 2.0819277388479875, -0.9218455056389854],
             [-0.3362859671738324, -0.8363578751795318, -0.23247609235397101],
             [0.16445823715791796, -0.34164136508624265, 0.3242363872163948]]
CYCLING_B = [0.13777736960185064, -0.8409434252083458, 0.9892968508336145,
             0.8485510173658035]


def nnls_cases():
    rng = np.random.RandomState(7)
    random_small = rng.standard_normal((12, 5)), rng.standard_normal(12)
    random_wide_k = rng.standard_normal((40, 20)), rng.standard_normal(40)
    low = rng.standard_normal((15, 3)) @ rng.standard_normal((3, 7))
    rank_deficient = low, rng.standard_normal(15)
    base = rng.standard_normal((10, 4))
    duplicated = np.hstack([base, base[:, 1:2]]), rng.standard_normal(10)
    zero_row = rng.standard_normal((9, 5)), rng.standard_normal(9)
    zero_row[0][3, :] = 0.0
    zero_column = rng.standard_normal((9, 5)), rng.standard_normal(9)
    zero_column[0][:, 2] = 0.0
    return [
        ("random_12x5", random_small, True),
        ("random_40x20", random_wide_k, True),
        ("rank_deficient_15x7_rank3", rank_deficient, False),
        ("duplicated_column_10x5", duplicated, False),
        ("zero_row_9x5", zero_row, True),
        ("zero_column_9x5", zero_column, False),
        ("full_exchange_cycles_4x3", (np.array(CYCLING_A), np.array(CYCLING_B)), True),
    ]


def make_scipy_nnls(path):
    import scipy
    from scipy.optimize import nnls
    cases = []
    for name, (A, b), full_rank in nnls_cases():
        x, residual = nnls(A, b)
        cases.append({
            "name": name, "A": A.tolist(), "b": b.tolist(), "x": x.tolist(),
            "objective": float(residual) ** 2, "full_column_rank": full_rank,
        })
    with open(path, "w") as f:
        json.dump({"scipy_version": scipy.__version__, "numpy_version": np.__version__,
                   "cases": cases}, f, indent=1)
        f.write("\n")


# --------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.join("Tests", "Fixtures"),
                        help="output directory (default: Tests/Fixtures)")
    parser.add_argument("--only", help="write only this file (e.g. sklearn_beta.h5)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    writers = (
        ("sklearn_trajectories.h5", make_trajectories),
        ("sklearn_inits.h5", make_inits),
        ("sklearn_transform.h5", make_transform),
        ("sklearn_beta.h5", make_beta),
        ("numpy_random.h5", make_numpy_random),
        ("sklearn_sparse.h5", lambda path: make_sparse(path, os.path.join(args.out, "anndata_counts.h5ad"))),
        ("filter_unknown.h5", make_unknown_filter),
        ("scipy_nnls.json", make_scipy_nnls),
    )
    for filename, writer in writers:
        if args.only and filename != args.only:
            continue
        path = os.path.join(args.out, filename)
        writer(path)
        print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))
    if not args.only or args.only.startswith("compressed_"):
        make_compressed(args.out)


if __name__ == "__main__":
    main()
