import CVectorKernels

/// Whether kernels run in 256-bit vectors (x86-64 with AVX and FMA), decided once per process:
/// the sparse products in float32 and float64 (`fusedMultiply`, rounding once per term, so
/// their bits differ from the portable code's) and the float32 coordinate-descent sweep (the
/// same bits as the portable code). Elsewhere the portable Swift code runs.
public let vectorKernelsAvailable: Bool = vector_kernels_available() != 0
