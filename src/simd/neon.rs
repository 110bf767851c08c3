//! AArch64 Advanced SIMD (NEON): 4 x f32 / 2 x f64 in 128-bit registers. (Being written.)
