#include "VectorKernels.h"

#include <math.h>

#define TYPED_(name, type) name##_##type
#define TYPED_AS(name, type) TYPED_(name, type)
#define TYPED(name) TYPED_AS(name, ELEMENT)

#if defined(__x86_64__)
#include <immintrin.h>

#define FUSED __attribute__((target("avx,fma")))
#define ALWAYS_INLINE static inline __attribute__((always_inline))

// Columns go in passes of five vectors: five sums (or five rows of w) plus the broadcast value
// and the loads fit the sixteen vector registers, and k = 20 in float64 (40 in float32) then
// reads each row's values once. The last pass takes what remains.
#define MOST_VECTORS 5
#define PASS_CASES(pass, v)                                                                   \
    case 4 * v + 0: pass(ARGUMENTS, v, 0, 0, restCount); break;                               \
    case 4 * v + 1: pass(ARGUMENTS, v, 0, 1, restCount); break;                               \
    case 4 * v + 2: pass(ARGUMENTS, v, 1, 0, restCount); break;                               \
    case 4 * v + 3: pass(ARGUMENTS, v, 1, 1, restCount); break;

#define COLUMN_PASSES(pass)                                                                   \
    for (ptrdiff_t column = 0; column < q; column += MOST_VECTORS * LANES) {                  \
        const ptrdiff_t width = q - column < MOST_VECTORS * LANES ? q - column : MOST_VECTORS * LANES; \
        const ptrdiff_t restCount = width % (LANES / 2);                                      \
        switch ((width / LANES) * 4 + ((width % LANES) / (LANES / 2)) * 2 + (restCount > 0)) { \
            PASS_CASES(pass, 0) PASS_CASES(pass, 1) PASS_CASES(pass, 2) PASS_CASES(pass, 3)   \
            PASS_CASES(pass, 4) PASS_CASES(pass, 5)                                           \
        }                                                                                     \
    }

// Masks for the last 1 to LANES / 2 − 1 columns, so that masked loads and stores never touch
// memory past a row's end: a window into ones followed by zeros, starting `count` before them.
static const int32_t floatMaskWindow[8] = {-1, -1, -1, -1, 0, 0, 0, 0};
static const int64_t doubleMaskWindow[4] = {-1, -1, 0, 0};

#define ELEMENT float
#define VECTOR __m256
#define HALF __m128
#define LANES 8
#define ZERO _mm256_setzero_ps
#define SET1 _mm256_set1_ps
#define LOAD _mm256_loadu_ps
#define STORE _mm256_storeu_ps
#define FMADD _mm256_fmadd_ps
#define LOWER _mm256_castps256_ps128
#define HALF_ZERO _mm_setzero_ps
#define HALF_LOAD _mm_loadu_ps
#define HALF_STORE _mm_storeu_ps
#define HALF_FMADD _mm_fmadd_ps
#define UPPER(v) _mm256_extractf128_ps(v, 1)
#define HALF_ADD _mm_add_ps
#define HALF_SUM(x) _mm_cvtss_f32(_mm_add_ss(_mm_add_ps(x, _mm_movehl_ps(x, x)), \
                                              _mm_movehdup_ps(_mm_add_ps(x, _mm_movehl_ps(x, x)))))
#define HALF_MASK(count) _mm_loadu_si128((const __m128i *)(floatMaskWindow + 4 - (count)))
#define HALF_MASKLOAD _mm_maskload_ps
#define HALF_MASKSTORE _mm_maskstore_ps
#define SCALAR_FMA fmaf
#include "SparseProductsOfType.h"
#undef ELEMENT
#undef VECTOR
#undef HALF
#undef LANES
#undef ZERO
#undef SET1
#undef LOAD
#undef STORE
#undef FMADD
#undef LOWER
#undef HALF_ZERO
#undef HALF_LOAD
#undef HALF_STORE
#undef HALF_FMADD
#undef UPPER
#undef HALF_ADD
#undef HALF_SUM
#undef HALF_MASK
#undef HALF_MASKLOAD
#undef HALF_MASKSTORE
#undef SCALAR_FMA

#define ELEMENT double
#define VECTOR __m256d
#define HALF __m128d
#define LANES 4
#define ZERO _mm256_setzero_pd
#define SET1 _mm256_set1_pd
#define LOAD _mm256_loadu_pd
#define STORE _mm256_storeu_pd
#define FMADD _mm256_fmadd_pd
#define LOWER _mm256_castpd256_pd128
#define HALF_ZERO _mm_setzero_pd
#define HALF_LOAD _mm_loadu_pd
#define HALF_STORE _mm_storeu_pd
#define HALF_FMADD _mm_fmadd_pd
#define UPPER(v) _mm256_extractf128_pd(v, 1)
#define HALF_ADD _mm_add_pd
#define HALF_SUM(x) _mm_cvtsd_f64(_mm_add_sd(x, _mm_unpackhi_pd(x, x)))
#define HALF_MASK(count) _mm_loadu_si128((const __m128i *)(doubleMaskWindow + 2 - (count)))
#define HALF_MASKLOAD _mm_maskload_pd
#define HALF_MASKSTORE _mm_maskstore_pd
#define SCALAR_FMA fma
#include "SparseProductsOfType.h"

#else

// Elsewhere the callers keep their own code; these stay correct for any caller that does not.
#define PORTABLE_PRODUCTS(ELEMENT, SCALAR_FMA)                                                                      \
    void TYPED_(sparse_gather, ELEMENT)(const ptrdiff_t *offsets, ptrdiff_t rows, const int32_t *indices,                     \
                              const ELEMENT *values, ELEMENT alpha, const ELEMENT *y, ptrdiff_t q, ELEMENT *result) { \
        for (ptrdiff_t row = 0; row < rows; row++) {                                                                \
            for (ptrdiff_t p = offsets[row]; p < offsets[row + 1]; p++) {                                           \
                const ELEMENT factor = alpha * values[p];                                                           \
                const ELEMENT *source = y + (ptrdiff_t)indices[p] * q;                                              \
                for (ptrdiff_t c = 0; c < q; c++)                                                                   \
                    result[row * q + c] = SCALAR_FMA(factor, source[c], result[row * q + c]);                       \
            }                                                                                                       \
        }                                                                                                           \
    }                                                                                                               \
    void TYPED_(sparse_scatter, ELEMENT)(const ptrdiff_t *offsets, ptrdiff_t rows, const int32_t *indices,                    \
                               const ELEMENT *values, ELEMENT alpha, const ELEMENT *w, ptrdiff_t q, ELEMENT *result) { \
        for (ptrdiff_t row = 0; row < rows; row++) {                                                                \
            for (ptrdiff_t p = offsets[row]; p < offsets[row + 1]; p++) {                                           \
                const ELEMENT factor = alpha * values[p];                                                           \
                ELEMENT *target = result + (ptrdiff_t)indices[p] * q;                                               \
                for (ptrdiff_t c = 0; c < q; c++) target[c] = SCALAR_FMA(factor, w[row * q + c], target[c]);        \
            }                                                                                                       \
        }                                                                                                           \
    }                                                                                                               \
    void TYPED_(sparse_sampled, ELEMENT)(const ptrdiff_t *offsets, ptrdiff_t rows, const int32_t *indices,          \
                                         const ELEMENT *w, const ELEMENT *ht, ptrdiff_t k, ELEMENT *products) {     \
        for (ptrdiff_t row = 0; row < rows; row++) {                                                                \
            for (ptrdiff_t p = offsets[row]; p < offsets[row + 1]; p++) {                                           \
                ELEMENT sum = 0;                                                                                    \
                for (ptrdiff_t c = 0; c < k; c++) sum = SCALAR_FMA(w[row * k + c], ht[(ptrdiff_t)indices[p] * k + c], sum); \
                products[p - offsets[0]] = sum;                                                                     \
            }                                                                                                       \
        }                                                                                                           \
    }

PORTABLE_PRODUCTS(float, fmaf)
PORTABLE_PRODUCTS(double, fma)

#endif
