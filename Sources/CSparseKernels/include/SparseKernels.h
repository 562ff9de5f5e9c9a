#ifndef SPARSE_KERNELS_H
#define SPARSE_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Nonzero when this processor and its operating system run the 256-bit fused
/// multiply-add kernels below; zero means callers keep their portable code.
int sparse_kernels_fused(void);

/// result[r·q + c] += Σ (alpha·values[p])·y[indices[p]·q + c] over p from offsets[r] to
/// offsets[r + 1], in order, for r < rows and c < q: one fused multiply-add per term.
void sparse_gather_float(const ptrdiff_t *offsets, ptrdiff_t rows, const int32_t *indices, const float *values,
                         float alpha, const float *y, ptrdiff_t q, float *result);

/// result[indices[p]·q + c] += (alpha·values[p])·w[r·q + c] for p from offsets[r] to
/// offsets[r + 1], rows r < rows in order, c < q: one fused multiply-add per term.
void sparse_scatter_float(const ptrdiff_t *offsets, ptrdiff_t rows, const int32_t *indices, const float *values,
                          float alpha, const float *w, ptrdiff_t q, float *result);

#endif
