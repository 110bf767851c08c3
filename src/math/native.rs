//! The exponential of the native f32 kernels: `e^a` in f32 lanes, as an unevaluated sum
//! `hi + lo` accurate to about 2^-26 relative, so that the kernels built on it (sigmoid, SiLU,
//! tanh, ...) can round once at the end and stay within their bounds without any f64 step.
//!
//! Reduction: `a = (4n + j) ln2/4 + t` with `m = 4n + j = round(4 a log2 e)` (a magic-constant
//! rounding to a multiple of 1/4, whose low bits then hold `m`), `|t| <= ln2/8`, `t` from two
//! FMAs by `m / 4` (`ln2` split so that `(m / 4) ln2_hi` is exact). `2^(j/4)` comes from a
//! four-entry table by one in-lane permute (`Vector::lookup4`), scaled by `2^n` with
//! `Vector::exp2_from_table4` (adding `m << 21` to a bit pattern pre-adjusted by `-(j << 21)`,
//! or one `vscalefps` on AVX-512: the same bits), as its f32 value `T[j]` and its relative
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

/// `1.5 * 2^21`: adding it rounds to a multiple of 1/4 and leaves four times that, `m`, in
/// the low mantissa bits (the sum is `1.5 * 2^21 + m / 4`).
const MAGIC_QUARTERS: f32 = 3_145_728.0;
/// `log2(e)`, rounded (four times it is `4 log2(e)` rounded: the sum above rounds `m` as
/// `round(4 a log2 e)` would).
const LOG2E: f32 = f32::from_bits(0x3fb8_aa3b); // 1.442695
/// `ln2` in two parts; the high part has 12 significant bits (`(m / 4) ln2_hi` is exact for
/// `|m| < 2^12`).
const LN2_HI: f32 = f32::from_bits(0x3f31_7000); // 0.693115234375
const LN2_LO: f32 = f32::from_bits(0x3805_fdf4); // 3.1946183e-5
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
/// `2^(j/4)` rounded to f32 (`TABLE_BITS` plus `j << 21`).
const TABLE: [f32; 4] = [
    f32::from_bits(TABLE_BITS[0]),
    f32::from_bits(TABLE_BITS[1] + (1 << 21)),
    f32::from_bits(TABLE_BITS[2] + (2 << 21)),
    f32::from_bits(TABLE_BITS[3] + (3 << 21)),
];
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
    exp_scaled_with::<V, false>(a, &TABLE, &TABLE_BITS.map(f32::from_bits))
}

/// `2^64 e^a = s (1 + p)` for `a` in `[-131, 43]` (where `2^(n + 64)` stays normal), as
/// [`exp_scaled`] with the table scaled by `2^64`: for the tails whose `e^a` is subnormal or
/// nearly so, scaled back by one product by `2^-64` at the end. Other lanes: unspecified.
#[inline(always)]
pub(crate) fn exp_scaled_up64<V: Vector<Elem = f32>>(a: V) -> (V, V) {
    const UP: u32 = 64 << 23;
    let table = TABLE.map(|t| f32::from_bits(t.to_bits() + UP));
    exp_scaled_with::<V, false>(a, &table, &TABLE_BITS.map(|b| f32::from_bits(b + UP)))
}

/// `v 2^-64` rounded once, for a `v >= 0` (or `+inf`) formed at 2^64 times its size (see
/// [`exp_scaled_up64`]), with the sign bit of `sign` or-ed in. Where the result is subnormal
/// (`v < 2^-62`) it is made without a floating-point operation that has a subnormal result
/// (each one a microcode assist on Intel cores, about 150 cycles): `v 2^85` (below 2^23) is
/// rounded to an integer by adding 2^23, and the integer, which is the subnormal's bit
/// pattern, is taken from the sum's bits by an integer add of `-0x4b00_0000`
/// ([`Vector::add_shifted_bits`] of the pattern `0x5a8`, shifted by 21); 2^23 itself gives
/// the least normal number, 2^-126, as it should. Elsewhere one product by 2^-64 (exact).
#[inline(always)]
pub(crate) fn scale_down64<V: Vector<Elem = f32>>(v: V, sign: V) -> V {
    let tiny = v.lt(V::splat(f32::from_bits((127 - 62) << 23)));
    let two23 = V::splat(8_388_608.0);
    let rounded = v.mul(V::splat(f32::from_bits((127 + 85) << 23))).add(two23);
    let subnormal = rounded.add_shifted_bits(V::splat(f32::from_bits(0x5a8)));
    let normal = V::select(tiny, V::splat(1.0), v).mul(V::splat(f32::from_bits((127 - 64) << 23)));
    V::select(tiny, subnormal, normal).or_sign(sign)
}

/// The body of [`exp_scaled`] for a table `table` (`2^(j/4)` times a power of two) and its
/// bit patterns less `j << 21`; the `2^n` scaling by [`Vector::exp2_from_table4`]
/// (`vscalefps` on AVX-512) where `SCALEF`, else by the bit-pattern sum on every ISA. The two
/// give the same bits; which one a kernel takes is a measured choice of code generation
/// (AVX-512, Intel Xeon, 8K, the two builds alternated, best of three: with `vscalefps`
/// sigmoid 2-4% and SiLU 1-3% faster, GELU and Mish 4% slower).
#[inline(always)]
fn exp_scaled_with<V: Vector<Elem = f32>, const SCALEF: bool>(
    a: V,
    table: &[f32; 4],
    table_bits: &[f32; 4],
) -> (V, V) {
    let k = a.mul_add(V::splat(LOG2E), V::splat(MAGIC_QUARTERS));
    let quarter = k.sub(V::splat(MAGIC_QUARTERS));
    let t = quarter.mul_add(V::splat(-LN2_HI), a);
    let t = quarter.mul_add(V::splat(-LN2_LO), t);
    // Horner, not Estrin: one product fewer (t^2), which measured 3-5% faster on sigmoid,
    // SiLU and tanh (AVX2, Zen 3, 8K, with the eight-entry table).
    let q = t
        .mul_add(V::splat(C4), V::splat(C3))
        .mul_add(t, V::splat(C2))
        .mul_add(t, V::splat(1.0));
    let p = t.mul_add(q, k.lookup4(&TABLE_RHO));
    let s = if SCALEF {
        k.exp2_from_table4(quarter, table, table_bits)
    } else {
        k.lookup4(table_bits).add_shifted_bits(k)
    };
    (s, p)
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

/// [`exp_pair`] with the `2^n` scaling by `vscalefps` on AVX-512 (the same bits; see
/// `exp_scaled_with`): for the logistic kernels, where it measured faster.
#[inline(always)]
pub(crate) fn exp_pair_scalef<V: Vector<Elem = f32>>(a: V) -> (V, V) {
    let (s, p) = exp_scaled_with::<V, true>(a, &TABLE, &TABLE_BITS.map(f32::from_bits));
    let hi = s.mul_add(p, s);
    let lo = s.mul_add(p, s.sub(hi));
    (hi, lo)
}
