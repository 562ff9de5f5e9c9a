import CVectorKernels

/// Whether float32 kernels run in 256-bit vectors (x86-64 with AVX and FMA), decided once per
/// process: the sparse products (`fusedMultiply`, rounding once per term, so their bits differ
/// from the portable code's) and the coordinate-descent sweep (the same bits as the portable
/// code). Elsewhere the portable Swift code runs.
public let vectorKernelsAvailable: Bool = vector_kernels_available() != 0
