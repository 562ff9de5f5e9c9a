// The sparse products for one element type. SparseProducts.c includes this once per type,
// with ELEMENT, its 256-bit VECTOR of LANES elements, its 128-bit HALF vector and their
// operations defined; TYPED(name) gives each function its type's name.

// One pass over the rows for `vectors` vectors of columns, then a half vector (`half`), then
// the last 1 to LANES / 2 − 1 columns (`rest`, masked): the constants fold at each call, so
// every sum lives in a register.
ALWAYS_INLINE FUSED void TYPED(gatherColumns)(const ptrdiff_t *offsets, ptrdiff_t rows, const int32_t *indices,
                                              const ELEMENT *values, ELEMENT alpha, const ELEMENT *y, ptrdiff_t q,
                                              ELEMENT *result, const int vectors, const int half, const int rest,
                                              ptrdiff_t restCount) {
    const __m128i mask = HALF_MASK(restCount);
    const ptrdiff_t h = LANES * vectors, r = h + LANES / 2 * half;
    for (ptrdiff_t row = 0; row < rows; row++) {
        ELEMENT *target = result + row * q;
        VECTOR a0 = ZERO(), a1 = a0, a2 = a0, a3 = a0, a4 = a0;
        HALF ah = HALF_ZERO(), ar = ah;
        if (vectors > 0) a0 = LOAD(target);
        if (vectors > 1) a1 = LOAD(target + LANES);
        if (vectors > 2) a2 = LOAD(target + 2 * LANES);
        if (vectors > 3) a3 = LOAD(target + 3 * LANES);
        if (vectors > 4) a4 = LOAD(target + 4 * LANES);
        if (half) ah = HALF_LOAD(target + h);
        if (rest) ar = HALF_MASKLOAD(target + r, mask);
        for (ptrdiff_t p = offsets[row]; p < offsets[row + 1]; p++) {
            const VECTOR f = SET1(alpha * values[p]);
            const HALF lower = LOWER(f);
            const ELEMENT *source = y + (ptrdiff_t)indices[p] * q;
            if (vectors > 0) a0 = FMADD(f, LOAD(source), a0);
            if (vectors > 1) a1 = FMADD(f, LOAD(source + LANES), a1);
            if (vectors > 2) a2 = FMADD(f, LOAD(source + 2 * LANES), a2);
            if (vectors > 3) a3 = FMADD(f, LOAD(source + 3 * LANES), a3);
            if (vectors > 4) a4 = FMADD(f, LOAD(source + 4 * LANES), a4);
            if (half) ah = HALF_FMADD(lower, HALF_LOAD(source + h), ah);
            if (rest) ar = HALF_FMADD(lower, HALF_MASKLOAD(source + r, mask), ar);
        }
        if (vectors > 0) STORE(target, a0);
        if (vectors > 1) STORE(target + LANES, a1);
        if (vectors > 2) STORE(target + 2 * LANES, a2);
        if (vectors > 3) STORE(target + 3 * LANES, a3);
        if (vectors > 4) STORE(target + 4 * LANES, a4);
        if (half) HALF_STORE(target + h, ah);
        if (rest) HALF_MASKSTORE(target + r, mask, ar);
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
        VECTOR s0 = ZERO(), s1 = s0, s2 = s0, s3 = s0, s4 = s0;
        HALF sh = HALF_ZERO();
        if (vectors > 0) s0 = LOAD(source);
        if (vectors > 1) s1 = LOAD(source + LANES);
        if (vectors > 2) s2 = LOAD(source + 2 * LANES);
        if (vectors > 3) s3 = LOAD(source + 3 * LANES);
        if (vectors > 4) s4 = LOAD(source + 4 * LANES);
        if (half) sh = HALF_LOAD(source + h);
        for (ptrdiff_t p = offsets[row]; p < offsets[row + 1]; p++) {
            const ELEMENT factor = alpha * values[p];
            const VECTOR f = SET1(factor);
            ELEMENT *target = result + (ptrdiff_t)indices[p] * q;
            if (vectors > 0) STORE(target, FMADD(f, s0, LOAD(target)));
            if (vectors > 1) STORE(target + LANES, FMADD(f, s1, LOAD(target + LANES)));
            if (vectors > 2) STORE(target + 2 * LANES, FMADD(f, s2, LOAD(target + 2 * LANES)));
            if (vectors > 3) STORE(target + 3 * LANES, FMADD(f, s3, LOAD(target + 3 * LANES)));
            if (vectors > 4) STORE(target + 4 * LANES, FMADD(f, s4, LOAD(target + 4 * LANES)));
            if (half) HALF_STORE(target + h, HALF_FMADD(LOWER(f), sh, HALF_LOAD(target + h)));
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
