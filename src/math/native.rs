//! The exponential of the native f32 kernels: `e^a` for `a <= 0` in f32 lanes, as an
//! unevaluated sum `hi + lo` accurate to about 2^-27 relative, so that the kernels built on it
//! (sigmoid, SiLU, ...) can round once at the end and stay within 1 ULP without any f64 step.
//!
//! Reduction: `a = (8n + j) ln2/8 + t` with `m = 8n + j = round(8 a log2 e)` (a magic-constant
//! rounding, whose low bits then hold `m`), `|t| <= ln2/16`, `t` from two FMAs (`ln2/8` split
//! so that `m ln2/8_hi` is exact). `2^(j/8)` comes from an eight-entry table by one permute
//! (`Vector::lookup8`), as its f32 value `T[j]` (with the exponent field pre-adjusted so
//! that adding `m << 20` to the bit pattern multiplies it by `2^n`) and its relative rounding
//! error `rho[j]`, which enters the polynomial as its constant term:
//! `e^a = 2^n T[j] (1 + p)`, `p = t (1 + t (c2 + t (c3 + c4 t))) + rho[j]` (the polynomial's
//! own relative error is 2^-32 on the interval). Then `hi = fma(s, p, s)` and `lo` its
//! rounding error, exactly (`s - hi` is exact by Sterbenz).
//!
//! Every operation is one IEEE operation in the same order on every ISA, so the results are
//! bit-identical on Scalar, AVX2, AVX-512 and NEON.

use crate::simd::Vector;

/// `8 log2(e)`, rounded.
const LOG2E_8: f32 = 11.541_56;
/// `1.5 * 2^23`: adding it rounds to an integer and leaves it in the low mantissa bits.
const MAGIC: f32 = 12_582_912.0;
/// `ln2 / 8` in two parts; the high part has 12 significant bits (`m ln2/8_hi` is exact for
/// `|m| < 2^12`).
const LN2_8_HI: f32 = f32::from_bits(0x3db1_7000); // 0.086639404296875
const LN2_8_LO: f32 = f32::from_bits(0x3685_fdf4); // 3.9932729e-6
/// `c2 .. c4` of `e^t = 1 + t + c2 t^2 + c3 t^3 + c4 t^4` on `|t| <= 1.02 ln2/16` (relative
/// error 2^-32; fitted in 50-digit arithmetic, coefficients rounded to f32 before measuring).
const C2: f32 = 0.5;
const C3: f32 = 0.166_680_81;
const C4: f32 = 0.041_660_182;

/// Bit patterns of `2^(j/8)` rounded to f32, less `j << 20` (so that adding the bits of the
/// magic sum shifted by 20, whose low three bits are `j`, leaves `2^n 2^(j/8)`).
const TABLE_BITS: [u32; 8] = [
    0x3f80_0000,
    0x3f7b_95c2,
    0x3f78_37f0,
    0x3f75_fed7,
    0x3f75_04f3,
    0x3f75_672a,
    0x3f77_44fd,
    0x3f7a_c0c7,
];
/// `(2^(j/8) - T[j]) / T[j]`: the relative rounding error of each table entry.
const TABLE_RHO: [f32; 8] = [
    f32::from_bits(0x0000_0000), // 0
    f32::from_bits(0xb24e_0611), // -1.1992157e-8
    f32::from_bits(0x3309_2801), // 3.1934182e-8
    f32::from_bits(0xb305_1aa8), // -3.099072e-8
    f32::from_bits(0x3293_02ae), // 1.711427e-8
    f32::from_bits(0x31b3_d0e5), // 5.2333342e-9
    f32::from_bits(0xb27c_e182), // -1.4719605e-8
    f32::from_bits(0xb1d2_90be), // -6.1282597e-9
];

/// `e^a` for `a` in `[-87, 0]` (where `2^n` stays normal) as `(hi, lo)`, `hi + lo` within about 2^-27
/// relative of the exact value. NaN gives NaN in `hi`. Other lanes: unspecified values.
#[inline(always)]
pub(crate) fn exp_pair<V: Vector<Elem = f32>>(a: V) -> (V, V) {
    let k = a.mul_add(V::splat(LOG2E_8), V::splat(MAGIC));
    let m = k.sub(V::splat(MAGIC));
    let t = m.mul_add(V::splat(-LN2_8_HI), a);
    let t = m.mul_add(V::splat(-LN2_8_LO), t);
    // Horner, not Estrin: one product fewer (t^2), which measured 3-5% faster on sigmoid,
    // SiLU and tanh (AVX2, Zen 3, 8K; the lockstep bodies are bound by the FMA pipes, not by
    // latency).
    let q = t
        .mul_add(V::splat(C4), V::splat(C3))
        .mul_add(t, V::splat(C2))
        .mul_add(t, V::splat(1.0));
    let p = t.mul_add(q, k.lookup8(&TABLE_RHO));
    let table = TABLE_BITS.map(f32::from_bits);
    let s = k.lookup8(&table).add_shifted_bits(k);
    let hi = s.mul_add(p, s);
    let lo = s.mul_add(p, s.sub(hi));
    (hi, lo)
}
