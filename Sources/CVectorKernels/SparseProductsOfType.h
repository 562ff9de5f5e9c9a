// The sparse products for one element type. SparseProducts.c includes this once per type,
// with ELEMENT, its 256-bit VECTOR of LANES elements, its 128-bit HALF vector and their
// operations defined; TYPED(name) gives each function its type's name.

// One pass over the rows for `vectors` vectors of columns, then a half vector (`half`), then
// the last 1 to LANES / 2 − 1 columns (`rest`, masked). The counts are constants at each call:
// the loops over vectors unroll and every sum lives in a register.
ALWAYS_INLINE FUSED void TYPED(gatherColumns)(const ptrdiff_t *offsets, ptrdiff_t rows, const int32_t *indices,
                                              const ELEMENT *values, ELEMENT alpha, const ELEMENT *y, ptrdiff_t q,
                                              ELEMENT *result, const int vectors, const int half, const int rest,
                                              ptrdiff_t restCount) {
    const __m128i mask = HALF_MASK(restCount);
    const ptrdiff_t h = LANES * vectors, r = h + LANES / 2 * half;
    for (ptrdiff_t row = 0; row < rows; row++) {
        ELEMENT *target = result + row * q;
        VECTOR sums[MOST_VECTORS];
        HALF halfSum = HALF_ZERO(), restSum = halfSum;
        for (int v = 0; v < vectors; v++) sums[v] = LOAD(target + v * LANES);
        if (half) halfSum = HALF_LOAD(target + h);
        if (rest) restSum = HALF_MASKLOAD(target + r, mask);
        for (ptrdiff_t p = offsets[row]; p < offsets[row + 1]; p++) {
            const VECTOR f = SET1(alpha * values[p]);
            const ELEMENT *source = y + (ptrdiff_t)indices[p] * q;
            for (int v = 0; v < vectors; v++) sums[v] = FMADD(f, LOAD(source + v * LANES), sums[v]);
            if (half) halfSum = HALF_FMADD(LOWER(f), HALF_LOAD(source + h), halfSum);
            if (rest) restSum = HALF_FMADD(LOWER(f), HALF_MASKLOAD(source + r, mask), restSum);
        }
        for (int v = 0; v < vectors; v++) STORE(target + v * LANES, sums[v]);
        if (half) HALF_STORE(target + h, halfSum);
        if (rest) HALF_MASKSTORE(target + r, mask, restSum);
    }
}

// The row of w stays in registers while its values add multiples of it to rows of result.
ALWAYS_INLINE FUSED void TYPED(scatterColumns)(const ptrdiff_t *offsets, ptrdiff_t rows, const int32_t *indices,
                                               const ELEMENT *values, ELEMENT alpha, const ELEMENT *w, ptrdiff_t q,
                                               ELEMENT *result, const int vectors, const int half, const int rest,
                                               ptrdiff_t restCount) {
    const ptrdiff_t h = LANES * vectors, r = h + LANES / 2 * half;
    for (ptrdiff_t row = 0; row < rows; row++) {
        const ELEMENT *source = w + row * q;
        VECTOR sourceVectors[MOST_VECTORS];
        HALF sourceHalf = HALF_ZERO();
        for (int v = 0; v < vectors; v++) sourceVectors[v] = LOAD(source + v * LANES);
        if (half) sourceHalf = HALF_LOAD(source + h);
        for (ptrdiff_t p = offsets[row]; p < offsets[row + 1]; p++) {
            const ELEMENT factor = alpha * values[p];
            const VECTOR f = SET1(factor);
            ELEMENT *target = result + (ptrdiff_t)indices[p] * q;
            for (int v = 0; v < vectors; v++) {
                STORE(target + v * LANES, FMADD(f, sourceVectors[v], LOAD(target + v * LANES)));
            }
            if (half) HALF_STORE(target + h, HALF_FMADD(LOWER(f), sourceHalf, HALF_LOAD(target + h)));
            if (rest) {
                for (ptrdiff_t c = 0; c < restCount; c++) target[r + c] = SCALAR_FMA(factor, source[r + c], target[r + c]);
            }
        }
    }
}

FUSED void TYPED(sparse_gather)(const ptrdiff_t *offsets, ptrdiff_t rows, const int32_t *indices,
                                const ELEMENT *values, ELEMENT alpha, const ELEMENT *y, ptrdiff_t q, ELEMENT *result) {
#define ARGUMENTS offsets, rows, indices, values, alpha, y + column, q, result + column
    COLUMN_PASSES(TYPED(gatherColumns))
#undef ARGUMENTS
}

FUSED void TYPED(sparse_scatter)(const ptrdiff_t *offsets, ptrdiff_t rows, const int32_t *indices,
                                 const ELEMENT *values, ELEMENT alpha, const ELEMENT *w, ptrdiff_t q, ELEMENT *result) {
#define ARGUMENTS offsets, rows, indices, values, alpha, w + column, q, result + column
    COLUMN_PASSES(TYPED(scatterColumns))
#undef ARGUMENTS
}

FUSED void TYPED(sparse_sampled)(const ptrdiff_t *offsets, ptrdiff_t rows, const int32_t *indices,
                                 const ELEMENT *w, const ELEMENT *ht, ptrdiff_t k, ELEMENT *products) {
    const ptrdiff_t vectors = k / LANES, half = (k % LANES) / (LANES / 2), restCount = k % (LANES / 2);
    const ptrdiff_t h = LANES * vectors, r = h + LANES / 2 * half;
    const __m128i mask = HALF_MASK(restCount);
    const ptrdiff_t first = offsets[0];
    for (ptrdiff_t row = 0; row < rows; row++) {
        const ELEMENT *wRow = w + row * k;
        for (ptrdiff_t p = offsets[row]; p < offsets[row + 1]; p++) {
            const ELEMENT *hRow = ht + (ptrdiff_t)indices[p] * k;
            VECTOR sum = ZERO();
            for (ptrdiff_t v = 0; v < vectors; v++) sum = FMADD(LOAD(wRow + v * LANES), LOAD(hRow + v * LANES), sum);
            HALF tail = HALF_ADD(LOWER(sum), UPPER(sum));
            if (half) tail = HALF_FMADD(HALF_LOAD(wRow + h), HALF_LOAD(hRow + h), tail);
            if (restCount) tail = HALF_FMADD(HALF_MASKLOAD(wRow + r, mask), HALF_MASKLOAD(hRow + r, mask), tail);
            products[p - first] = HALF_SUM(tail);
        }
    }
}
