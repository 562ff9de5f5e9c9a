#include "VectorKernels.h"

#include <math.h>
#include <stdlib.h>

// Each product is rounded before it is added, as in a scalar sweep: never contracted into a
// fused multiply-add, so the vector sweep gives the scalar sweep's bits. (Clang, which SwiftPM
// uses, honours this pragma; GCC ignores it.)
#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__)
#include <immintrin.h>

#define WIDE __attribute__((target("avx")))

// Sixteen rows per step, as two vectors of eight: each vector's gradient is one chain of k
// dependent additions, so two chains keep the adder busy while the other waits.
enum { laneRows = 8, groupRows = 16 };

// Moves rows first..<first + count of a rows × k matrix into vector lanes, component-major:
// lanes[r · 2 + g] holds column r of the group's vector g, negated when `negate` (a sign flip,
// as the scalar sweep's, also for NaN). Missing rows read as 0.
WIDE static void gatherLanes(const float *matrix, ptrdiff_t first, ptrdiff_t count, ptrdiff_t k, int negate,
                             __m256 *lanes) {
    float column[groupRows];
    for (ptrdiff_t r = 0; r < k; r++) {
        for (ptrdiff_t i = 0; i < groupRows; i++) {
            const float value = i < count ? matrix[(first + i) * k + r] : 0;
            column[i] = negate ? -value : value;
        }
        lanes[2 * r] = _mm256_loadu_ps(column);
        lanes[2 * r + 1] = _mm256_loadu_ps(column + laneRows);
    }
}

// Swift's max(value, 0): 0 where value ≤ 0, value otherwise — NaN stays NaN (maxps would
// give 0), so a diverging fit shows the same NaN with or without the vector kernels.
WIDE static __m256 clampedAtZero(__m256 value) {
    const __m256 zero = _mm256_setzero_ps();
    return _mm256_blendv_ps(value, zero, _mm256_cmp_ps(value, zero, _CMP_LE_OQ));
}

WIDE static void storeRows(const __m256 low, const __m256 high, ptrdiff_t count, float *target) {
    float column[groupRows];
    _mm256_storeu_ps(column, low);
    _mm256_storeu_ps(column + laneRows, high);
    for (ptrdiff_t i = 0; i < count; i++) target[i] = column[i];
}

WIDE int coordinate_sweep_float(float *x, const float *cross, const float *hessian, ptrdiff_t rows, ptrdiff_t k,
                                float *magnitudes) {
    __m256 *lanes = aligned_alloc(sizeof(__m256), (size_t)(4 * k) * sizeof(__m256));
    if (lanes == NULL) return -1;
    __m256 *negatedCross = lanes + 2 * k;
    const __m256 zero = _mm256_setzero_ps();
    const __m256 magnitudeMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    for (ptrdiff_t first = 0; first < rows; first += groupRows) {
        const ptrdiff_t count = rows - first < groupRows ? rows - first : groupRows;
        gatherLanes(x, first, count, k, 0, lanes);
        gatherLanes(cross, first, count, k, 1, negatedCross);
        for (ptrdiff_t t = 0; t < k; t++) {
            const float *hessianRow = hessian + t * k;
            __m256 low = negatedCross[2 * t], high = negatedCross[2 * t + 1];
            for (ptrdiff_t r = 0; r < k; r++) {
                const __m256 h = _mm256_set1_ps(hessianRow[r]);
                low = _mm256_add_ps(low, _mm256_mul_ps(h, lanes[2 * r]));
                high = _mm256_add_ps(high, _mm256_mul_ps(h, lanes[2 * r + 1]));
            }
            // At x = 0 only a negative gradient is a direction the bound allows.
            const __m256 xLow = lanes[2 * t], xHigh = lanes[2 * t + 1];
            const __m256 projectedLow = _mm256_blendv_ps(low, _mm256_min_ps(low, zero),
                                                         _mm256_cmp_ps(xLow, zero, _CMP_EQ_OQ));
            const __m256 projectedHigh = _mm256_blendv_ps(high, _mm256_min_ps(high, zero),
                                                          _mm256_cmp_ps(xHigh, zero, _CMP_EQ_OQ));
            if (magnitudes != NULL) {
                storeRows(_mm256_and_ps(projectedLow, magnitudeMask), _mm256_and_ps(projectedHigh, magnitudeMask),
                          count, magnitudes + t * rows + first);
            }
            const float diagonal = hessianRow[t];
            if (diagonal != 0) {
                const __m256 d = _mm256_set1_ps(diagonal);
                lanes[2 * t] = clampedAtZero(_mm256_sub_ps(xLow, _mm256_div_ps(low, d)));
                lanes[2 * t + 1] = clampedAtZero(_mm256_sub_ps(xHigh, _mm256_div_ps(high, d)));
            }
        }
        float column[groupRows];
        for (ptrdiff_t r = 0; r < k; r++) {
            _mm256_storeu_ps(column, lanes[2 * r]);
            _mm256_storeu_ps(column + laneRows, lanes[2 * r + 1]);
            for (ptrdiff_t i = 0; i < count; i++) x[(first + i) * k + r] = column[i];
        }
    }
    free(lanes);
    return 0;
}

#else

int coordinate_sweep_float(float *x, const float *cross, const float *hessian, ptrdiff_t rows, ptrdiff_t k,
                           float *magnitudes) {
    for (ptrdiff_t t = 0; t < k; t++) {
        const float diagonal = hessian[t * k + t];
        for (ptrdiff_t row = 0; row < rows; row++) {
            float gradient = -cross[row * k + t];
            for (ptrdiff_t r = 0; r < k; r++) gradient += hessian[t * k + r] * x[row * k + r];
            const float value = x[row * k + t];
            const float projected = value == 0 ? (gradient < 0 ? gradient : 0) : gradient;
            if (magnitudes != NULL) magnitudes[t * rows + row] = fabsf(projected);
            if (diagonal != 0) {
                const float next = value - gradient / diagonal;
                x[row * k + t] = next <= 0 ? 0 : next;
            }
        }
    }
    return 0;
}

#endif
