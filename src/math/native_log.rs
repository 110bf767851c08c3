//! `ln(1 + e)` for the native f32 kernels (softplus): for `e` in `[0, 1]` given as an
//! unevaluated sum `eh + el` (from `native::exp_pair`), as an unevaluated sum accurate to
//! about 2^-28 relative, so that softplus can round once within 1 ULP without any f64 step.
//!
//! `1 + e = c_j (1 + r)` with `c_j = 1 / inv_j` for `j = round(7 eh)` (from the rounded
//! `1 + eh`), `inv_j` the reciprocal of `1 + j/7` rounded to 9 bits: `r = eh inv_j + (inv_j -
//! 1)` with the product exact in double length (24 + 9 bits, by FMA) and the sum exact by
//! Sterbenz, `|r| <= 0.0715`; `el inv_j` and the product's error form `r`'s low part.
//! `ln(u) = -ln(inv_j) + ln(1 + r)`, the first from an eight-entry table (one permute each for
//! its two f32 parts and for `inv_j`), the second `r + r^2 Q(r)` with `Q` the Taylor series to
//! `r^7` (truncation 2^-29.6 relative) and `r`'s low part to first order. For `j = 0`,
//! `inv_j = 1` and `(r, r_lo) = (eh, el)`, so tiny `e` keep their relative accuracy.

use crate::simd::Vector;

/// `1.5 * 2^23`: adding it rounds to an integer and leaves it in the low mantissa bits.
const MAGIC: f32 = 12_582_912.0;

/// `inv_j`: `1 / (1 + j/7)` rounded to 9 significant bits.
const INV: [u32; 8] = [
    0x3f80_0000,
    0x3f60_0000,
    0x3f47_0000,
    0x3f33_0000,
    0x3f23_0000,
    0x3f15_8000,
    0x3f0a_0000,
    0x3f00_0000,
];
/// `-ln(inv_j)` rounded to f32, and its rounding error.
const LN_HI: [u32; 8] = [
    0x0000_0000,
    0x3e08_bc74,
    0x3e80_f573,
    0x3eb7_3077,
    0x3ee7_2179,
    0x3f09_b293,
    0x3f1e_3040,
    0x3f31_7218,
];
const LN_LO: [u32; 8] = [
    0x0000_0000,
    0x3089_f91f,
    0xb21d_9397,
    0x31d5_e32e,
    0xb1ff_3718,
    0xb2d4_0f7a,
    0x32c3_6bfb,
    0xb102_e308,
];
/// `-1/2, 1/3, -1/4, 1/5, -1/6, 1/7`: `ln(1 + r) = r + r^2 (Q0 + Q1 r + ...)`.
const Q: [f32; 6] = [
    -0.5,
    f32::from_bits(0x3eaa_aaab),
    -0.25,
    f32::from_bits(0x3e4c_cccd),
    f32::from_bits(0xbe2a_aaab),
    f32::from_bits(0x3e12_4925),
];

/// `ln(1 + eh + el)` for `eh` in `[0, 1]` (and `|el| <= ulp(eh)`) as `(hi, lo)`. Other lanes:
/// unspecified values.
#[inline(always)]
pub(crate) fn log1p_pair<V: Vector<Elem = f32>>(eh: V, el: V) -> (V, V) {
    let one = V::splat(1.0);
    // j from the rounded 1 + eh (only the index).
    let k = one.add(eh).mul_add(V::splat(7.0), V::splat(MAGIC - 7.0));
    let inv = k.lookup8(&INV.map(f32::from_bits));
    // r = (1 + e) inv - 1 = e inv + (inv - 1): e inv exact in double length (24 + 9 bits),
    // inv - 1 exact, and their sum exact by Sterbenz (|r| <= 0.0715 against |inv - 1| >=
    // 1/8 for j >= 1; for j = 0 inv = 1 and r = eh).
    let p = eh.mul(inv);
    let p_err = eh.mul_add(inv, p.neg());
    let r = p.add(inv.sub(one));
    let r_lo = el.mul_add(inv, p_err);
    let mut q = V::splat(Q[5]);
    for &c in Q[..5].iter().rev() {
        q = q.mul_add(r, V::splat(c));
    }
    // ln(1 + r + r_lo) = r + r^2 q + r_lo (1 - r) to first order in r_lo (|r_lo| <= 2^-23 r
    // for j = 0, <= 2^-23 for j >= 1, where the result is >= 0.069).
    let ln_hi = k.lookup8(&LN_HI.map(f32::from_bits));
    let s = ln_hi.add(r);
    // Fast2Sum: |ln_hi| >= |r| for j >= 1 (ln_hi >= 0.133, |r| <= 0.0625); exact for j = 0.
    let s_lo = ln_hi.sub(s).add(r);
    let tail = r.mul(r).mul_add(q, r_lo.neg().mul_add(r, r_lo));
    (s, s_lo.add(tail).add(k.lookup8(&LN_LO.map(f32::from_bits))))
}
