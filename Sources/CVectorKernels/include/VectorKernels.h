#ifndef VECTOR_KERNELS_H
#define VECTOR_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Nonzero when this processor and its operating system run the 256-bit AVX and FMA kernels
/// below; zero means callers keep their portable code.
int vector_kernels_available(void);

/// result[r·q + c] += Σ (alpha·values[p])·y[indices[p]·q + c] over p from offsets[r] to
/// offsets[r + 1], in order, for r < rows and c < q: one fused multiply-add per term.
void sparse_gather_float(const ptrdiff_t *offsets, ptrdiff_t rows, const int32_t *indices, const float *values,
                         float alpha, const float *y, ptrdiff_t q, float *result);
void sparse_gather_double(const ptrdiff_t *offsets, ptrdiff_t rows, const int32_t *indices, const double *values,
                          double alpha, const double *y, ptrdiff_t q, double *result);

/// result[indices[p]·q + c] += (alpha·values[p])·w[r·q + c] for p from offsets[r] to
/// offsets[r + 1], rows r < rows in order, c < q: one fused multiply-add per term.
void sparse_scatter_float(const ptrdiff_t *offsets, ptrdiff_t rows, const int32_t *indices, const float *values,
                          float alpha, const float *w, ptrdiff_t q, float *result);
void sparse_scatter_double(const ptrdiff_t *offsets, ptrdiff_t rows, const int32_t *indices, const double *values,
                           double alpha, const double *w, ptrdiff_t q, double *result);

/// products[p − offsets[0]] = Σ_c w[r·k + c]·ht[indices[p]·k + c] for p from offsets[r] to
/// offsets[r + 1], r < rows: W·H at the values, with fused multiply-adds.
void sparse_sampled_float(const ptrdiff_t *offsets, ptrdiff_t rows, const int32_t *indices, const float *w,
                          const float *ht, ptrdiff_t k, float *products);
void sparse_sampled_double(const ptrdiff_t *offsets, ptrdiff_t rows, const int32_t *indices, const double *w,
                           const double *ht, ptrdiff_t k, double *products);

/// One coordinate-descent sweep over x (rows × k, row-major) given cross (rows × k) and
/// hessian (k × k): for each component t, for each row, the gradient
/// g = −cross[row, t] + Σ_r hessian[t, r]·x[row, r] (each product rounded, then added, in r
/// order), |g projected onto the feasible directions| written to magnitudes[t·rows + row]
/// (unless magnitudes is NULL), and, when hessian[t, t] ≠ 0,
/// x[row, t] ← max(x[row, t] − g / hessian[t, t], 0). Rows are independent, so sixteen go side
/// by side in two vectors; each row's arithmetic is a scalar sweep's, bit for bit, NaN included.
/// Returns 0, or −1 with x untouched when its scratch could not be had.
int coordinate_sweep_float(float *x, const float *cross, const float *hessian, ptrdiff_t rows, ptrdiff_t k,
                           float *magnitudes);

#endif
