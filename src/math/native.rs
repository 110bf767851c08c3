//! The exponential of the native f32 kernels: `e^a` in f32 lanes, as an unevaluated sum
//! `hi + lo` accurate to about 2^-26 relative, so that the kernels built on it (sigmoid, SiLU,
//! tanh, ...) can round once at the end and stay within their bounds without any f64 step.
//!
//! Reduction: `a = (4n + j) ln2/4 + t` with `m = 4n + j = round(4 a log2 e)` (a magic-constant
//! rounding, whose low bits then hold `m`), `|t| <= ln2/8`, `t` from two FMAs (`ln2/4` split
//! so that `m ln2/4_hi` is exact). `2^(j/4)` comes from a four-entry table by one in-lane
//! permute (`Vector::lookup4`), as its f32 value `T[j]` (with the exponent field pre-adjusted
//! so that adding `m << 21` to the bit pattern multiplies it by `2^n`) and its relative
//! rounding error `rho[j]`, which enters the polynomial as its constant term:
//! `e^a = 2^n T[j] (1 + p)`, `p = t (1 + t (c2 + t (c3 + c4 t))) + rho[j]` (the polynomial's
//! own relative error is 2^-27.3 on the interval; the roundings of `t` and `p`, below 2^-28
//! each, make up the rest). Then `hi = fma(s, p, s)` and `lo` its rounding error, exactly
//! (`s - hi` is exact by Sterbenz).
//!
//! The table has four entries, not eight: on AVX2 cores a full-width `vpermps` occupies both
//! FMA pipes (measured on Zen 3: with an FMA beside it, one of each per two cycles), the
//! in-lane `vpermilps` one. Measured against the eight-entry table (AVX2, Zen 3, 8K, same
//! run): sigmoid 0.58 -> 0.56 ns, SiLU 0.62 -> 0.58 ns per element.
//!
//! Every operation is one IEEE operation in the same order on every ISA, so the results are
//! bit-identical on Scalar, AVX2, AVX-512 and NEON.

use crate::simd::Vector;

/// `1.5 * 2^23`: adding it rounds to an integer and leaves it in the low mantissa bits.
const MAGIC: f32 = 12_582_912.0;
/// `4 log2(e)`, rounded.
const LOG2E_4: f32 = f32::from_bits(0x40b8_aa3b); // 5.770780
/// `ln2 / 4` in two parts; the high part has 12 significant bits (`m ln2/4_hi` is exact for
/// `|m| < 2^12`).
const LN2_4_HI: f32 = f32::from_bits(0x3e31_7000); // 0.17327880859375
const LN2_4_LO: f32 = f32::from_bits(0x3705_fdf4); // 7.9865458e-6
/// `c2 .. c4` of `e^t = 1 + t + c2 t^2 + c3 t^3 + c4 t^4` on `|t| <= 1.03 ln2/8` (relative
/// error 2^-27.3 with the coefficients rounded to f32; fitted by reweighted least squares on
/// Chebyshev nodes against 40-digit values, one coefficient at a time from `c2` up, each
/// rounded before the next was fitted).
const C2: f32 = f32::from_bits(0x3f00_0004); // 0.50000024
const C3: f32 = f32::from_bits(0x3e2a_b9c5); // 0.16672428
const C4: f32 = f32::from_bits(0x3d2a_8d92); // 0.041638918
/// Bit patterns of `2^(j/4)` rounded to f32, less `j << 21` (so that adding the bits of the
/// magic sum shifted by 21, whose low two bits are `j`, leaves `2^n 2^(j/4)`).
const TABLE_BITS: [u32; 4] = [0x3f80_0000, 0x3f78_37f0, 0x3f75_04f3, 0x3f77_44fd];
/// `(2^(j/4) - T[j]) / T[j]`: the relative rounding error of each table entry.
const TABLE_RHO: [f32; 4] = [
    f32::from_bits(0x0000_0000), // 0
    f32::from_bits(0x3309_2801), // 3.1934182e-8
    f32::from_bits(0x3293_02ae), // 1.711427e-8
    f32::from_bits(0xb27c_e182), // -1.4719605e-8
];

/// `e^a = s (1 + p)` for `a` in `[-87, 88]` (where `2^n` stays normal): `s = 2^n T[j]`
/// exactly, `|p| < 0.094`, `s + s p` within about 2^-26 relative of the exact value. NaN gives
/// NaN in `p`. Other lanes: unspecified values.
#[inline(always)]
pub(crate) fn exp_scaled<V: Vector<Elem = f32>>(a: V) -> (V, V) {
    let k = a.mul_add(V::splat(LOG2E_4), V::splat(MAGIC));
    let m = k.sub(V::splat(MAGIC));
    let t = m.mul_add(V::splat(-LN2_4_HI), a);
    let t = m.mul_add(V::splat(-LN2_4_LO), t);
    // Horner, not Estrin: one product fewer (t^2), which measured 3-5% faster on sigmoid,
    // SiLU and tanh (AVX2, Zen 3, 8K, with the eight-entry table).
    let q = t
        .mul_add(V::splat(C4), V::splat(C3))
        .mul_add(t, V::splat(C2))
        .mul_add(t, V::splat(1.0));
    let p = t.mul_add(q, k.lookup4(&TABLE_RHO));
    let table = TABLE_BITS.map(f32::from_bits);
    (k.lookup4(&table).add_shifted_bits(k), p)
}

/// `e^a` for `a` in `[-87, 88]` as `(hi, lo)`, `hi + lo` within about 2^-26 relative of the
/// exact value ([`exp_scaled`]; `hi = fma(s, p, s)`, `lo` its rounding error exactly, as
/// `s - hi` is exact by Sterbenz). NaN gives NaN in `hi`. Other lanes: unspecified values.
#[inline(always)]
pub(crate) fn exp_pair<V: Vector<Elem = f32>>(a: V) -> (V, V) {
    let (s, p) = exp_scaled(a);
    let hi = s.mul_add(p, s);
    let lo = s.mul_add(p, s.sub(hi));
    (hi, lo)
}
