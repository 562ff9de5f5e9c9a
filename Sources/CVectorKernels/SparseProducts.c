#include "VectorKernels.h"

#include <math.h>

#if defined(__x86_64__)
#include <immintrin.h>

#define FUSED __attribute__((target("avx,fma")))
#define ALWAYS_INLINE static inline __attribute__((always_inline))

// Lanes below `count` of a 4-lane mask: a window into four ones followed by four zeros.
static const int32_t maskWindow[8] = {-1, -1, -1, -1, 0, 0, 0, 0};

ALWAYS_INLINE FUSED __m128i leadingLanes(ptrdiff_t count) {
    return _mm_loadu_si128((const __m128i *)(maskWindow + 4 - count));
}

// One pass over the rows for `vectors` groups of eight columns, then four (`half`), then 1–3
// (`rest`, masked): the constants fold at each call, so every sum lives in a register.
ALWAYS_INLINE FUSED void gatherColumns(const ptrdiff_t *offsets, ptrdiff_t rows, const int32_t *indices,
                                       const float *values, float alpha, const float *y, ptrdiff_t q, float *result,
                                       const int vectors, const int half, const int rest, ptrdiff_t restCount) {
    const __m128i mask = leadingLanes(restCount);
    const ptrdiff_t h = 8 * vectors, r = h + 4 * half;
    for (ptrdiff_t row = 0; row < rows; row++) {
        float *target = result + row * q;
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        __m128 ah = _mm_setzero_ps(), ar = ah;
        if (vectors > 0) a0 = _mm256_loadu_ps(target);
        if (vectors > 1) a1 = _mm256_loadu_ps(target + 8);
        if (vectors > 2) a2 = _mm256_loadu_ps(target + 16);
        if (vectors > 3) a3 = _mm256_loadu_ps(target + 24);
        if (half) ah = _mm_loadu_ps(target + h);
        if (rest) ar = _mm_maskload_ps(target + r, mask);
        for (ptrdiff_t p = offsets[row]; p < offsets[row + 1]; p++) {
            const __m256 f = _mm256_set1_ps(alpha * values[p]);
            const __m128 f4 = _mm256_castps256_ps128(f);
            const float *source = y + (ptrdiff_t)indices[p] * q;
            if (vectors > 0) a0 = _mm256_fmadd_ps(f, _mm256_loadu_ps(source), a0);
            if (vectors > 1) a1 = _mm256_fmadd_ps(f, _mm256_loadu_ps(source + 8), a1);
            if (vectors > 2) a2 = _mm256_fmadd_ps(f, _mm256_loadu_ps(source + 16), a2);
            if (vectors > 3) a3 = _mm256_fmadd_ps(f, _mm256_loadu_ps(source + 24), a3);
            if (half) ah = _mm_fmadd_ps(f4, _mm_loadu_ps(source + h), ah);
            if (rest) ar = _mm_fmadd_ps(f4, _mm_maskload_ps(source + r, mask), ar);
        }
        if (vectors > 0) _mm256_storeu_ps(target, a0);
        if (vectors > 1) _mm256_storeu_ps(target + 8, a1);
        if (vectors > 2) _mm256_storeu_ps(target + 16, a2);
        if (vectors > 3) _mm256_storeu_ps(target + 24, a3);
        if (half) _mm_storeu_ps(target + h, ah);
        if (rest) _mm_maskstore_ps(target + r, mask, ar);
    }
}

// The row of w stays in registers while its values add multiples of it to rows of result.
ALWAYS_INLINE FUSED void scatterColumns(const ptrdiff_t *offsets, ptrdiff_t rows, const int32_t *indices,
                                        const float *values, float alpha, const float *w, ptrdiff_t q, float *result,
                                        const int vectors, const int half, const int rest, ptrdiff_t restCount) {
    const ptrdiff_t h = 8 * vectors, r = h + 4 * half;
    for (ptrdiff_t row = 0; row < rows; row++) {
        const float *source = w + row * q;
        __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
        __m128 sh = _mm_setzero_ps();
        if (vectors > 0) s0 = _mm256_loadu_ps(source);
        if (vectors > 1) s1 = _mm256_loadu_ps(source + 8);
        if (vectors > 2) s2 = _mm256_loadu_ps(source + 16);
        if (vectors > 3) s3 = _mm256_loadu_ps(source + 24);
        if (half) sh = _mm_loadu_ps(source + h);
        for (ptrdiff_t p = offsets[row]; p < offsets[row + 1]; p++) {
            const float factor = alpha * values[p];
            const __m256 f = _mm256_set1_ps(factor);
            float *target = result + (ptrdiff_t)indices[p] * q;
            if (vectors > 0) _mm256_storeu_ps(target, _mm256_fmadd_ps(f, s0, _mm256_loadu_ps(target)));
            if (vectors > 1) _mm256_storeu_ps(target + 8, _mm256_fmadd_ps(f, s1, _mm256_loadu_ps(target + 8)));
            if (vectors > 2) _mm256_storeu_ps(target + 16, _mm256_fmadd_ps(f, s2, _mm256_loadu_ps(target + 16)));
            if (vectors > 3) _mm256_storeu_ps(target + 24, _mm256_fmadd_ps(f, s3, _mm256_loadu_ps(target + 24)));
            if (half) _mm_storeu_ps(target + h, _mm_fmadd_ps(_mm256_castps256_ps128(f), sh, _mm_loadu_ps(target + h)));
            if (rest) {
                for (ptrdiff_t c = 0; c < restCount; c++) target[r + c] = fmaf(factor, source[r + c], target[r + c]);
            }
        }
    }
}

// Columns go in passes of 32 (four registers of eight); the last pass takes what remains.
#define PASS_CASES(pass, v)                                                                   \
    case 4 * v + 0: pass(ARGUMENTS, v, 0, 0, restCount); break;                               \
    case 4 * v + 1: pass(ARGUMENTS, v, 0, 1, restCount); break;                               \
    case 4 * v + 2: pass(ARGUMENTS, v, 1, 0, restCount); break;                               \
    case 4 * v + 3: pass(ARGUMENTS, v, 1, 1, restCount); break;

#define COLUMN_PASSES(pass)                                                                   \
    for (ptrdiff_t column = 0; column < q; column += 32) {                                    \
        const ptrdiff_t width = q - column < 32 ? q - column : 32;                            \
        const ptrdiff_t restCount = width % 4;                                                \
        switch ((width / 8) * 4 + ((width % 8) / 4) * 2 + (restCount > 0)) {                  \
            PASS_CASES(pass, 0) PASS_CASES(pass, 1) PASS_CASES(pass, 2) PASS_CASES(pass, 3)   \
            PASS_CASES(pass, 4)                                                               \
        }                                                                                     \
    }

FUSED void sparse_gather_float(const ptrdiff_t *offsets, ptrdiff_t rows, const int32_t *indices, const float *values,
                               float alpha, const float *y, ptrdiff_t q, float *result) {
#define ARGUMENTS offsets, rows, indices, values, alpha, y + column, q, result + column
    COLUMN_PASSES(gatherColumns)
#undef ARGUMENTS
}

FUSED void sparse_scatter_float(const ptrdiff_t *offsets, ptrdiff_t rows, const int32_t *indices, const float *values,
                                float alpha, const float *w, ptrdiff_t q, float *result) {
#define ARGUMENTS offsets, rows, indices, values, alpha, w + column, q, result + column
    COLUMN_PASSES(scatterColumns)
#undef ARGUMENTS
}

#else

// Elsewhere the callers keep their own code; these stay correct for any caller that does not.

void sparse_gather_float(const ptrdiff_t *offsets, ptrdiff_t rows, const int32_t *indices, const float *values,
                         float alpha, const float *y, ptrdiff_t q, float *result) {
    for (ptrdiff_t row = 0; row < rows; row++) {
        for (ptrdiff_t p = offsets[row]; p < offsets[row + 1]; p++) {
            const float factor = alpha * values[p];
            const float *source = y + (ptrdiff_t)indices[p] * q;
            for (ptrdiff_t c = 0; c < q; c++) result[row * q + c] = fmaf(factor, source[c], result[row * q + c]);
        }
    }
}

void sparse_scatter_float(const ptrdiff_t *offsets, ptrdiff_t rows, const int32_t *indices, const float *values,
                          float alpha, const float *w, ptrdiff_t q, float *result) {
    for (ptrdiff_t row = 0; row < rows; row++) {
        for (ptrdiff_t p = offsets[row]; p < offsets[row + 1]; p++) {
            const float factor = alpha * values[p];
            float *target = result + (ptrdiff_t)indices[p] * q;
            for (ptrdiff_t c = 0; c < q; c++) target[c] = fmaf(factor, w[row * q + c], target[c]);
        }
    }
}

#endif
