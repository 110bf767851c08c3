//! `log1p` on [0, 1], in f64: what `softplus` needs (`log1p(exp(-|z|))`).

use super::Accuracy;
use crate::simd::Vector;

/// `2 / (2k + 1)` for k = 1..=9: the series `2 atanh(s) = 2s + s R(s^2)`, `R(z) = sum z^k 2/(2k+1)`,
/// truncated where the next term is below 2^-54 relative for `|s| <= 3 - 2 sqrt(2)`.
const ATANH_SERIES: [f64; 9] = [
    2.0 / 3.0,
    2.0 / 5.0,
    2.0 / 7.0,
    2.0 / 9.0,
    2.0 / 11.0,
    2.0 / 13.0,
    2.0 / 15.0,
    2.0 / 17.0,
    2.0 / 19.0,
];
const LN2_HI: f64 = 0.693_147_180_369_123_8; // 0x3fe62e42fee00000
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;

/// Coefficients of `P` in `ln(1 + u) = 2s + 2s z P(z)`, `s = u / (2 + u)`, `z = s^2` in
/// [0, 1/9] (Chebyshev interpolation at 6 nodes of `(atanh(s)/s - 1)/z`): within 2^-36.5
/// relative for every `u` in [0, 1] (measured in 40-digit arithmetic), for f32 results.
const ATANH_F32: [f64; 6] = [
    0.333_333_333_250_118_05,
    0.200_000_053_849_748_3,
    0.142_851_528_609_418_3,
    0.111_323_556_045_006_63,
    0.087_323_512_327_203_87,
    0.103_938_084_278_733_76,
];

/// `ln(1 + u)` for `u` in [0, 1] (NaN passes through): to about 1 ULP of f64 with
/// [`super::Full`]; with [`super::Single`] directly as `2 atanh(u / (2 + u))` by the
/// polynomial [`ATANH_F32`] (one division instead of two, no reduction).
///
/// `w = 1 + u` is rounded, its error `c = u - (w - 1)` is exact, and
/// `ln(1 + u) = ln(w) + c / w`. With `w = 2^k m`, `m` in [sqrt(1/2), sqrt(2)], `f = m - 1`
/// (exact) and `s = f / (2 + f)`: `ln(m) = f - f^2/2 + s (f^2/2 + R(s^2))`, all small terms
/// gathered before the one rounding that counts.
#[inline(always)]
pub(crate) fn log1p_unit<A: Accuracy, W: Vector<Elem = f64>>(u: W) -> W {
    if A::FOR_F32 {
        let s = u.div(W::splat(2.0).add(u));
        let z = s.mul(s);
        let mut p = W::splat(ATANH_F32[ATANH_F32.len() - 1]);
        for &a in ATANH_F32[..ATANH_F32.len() - 1].iter().rev() {
            p = p.mul_add(z, W::splat(a));
        }
        let two_s = s.add(s);
        return two_s.mul_add(z.mul(p), two_s);
    }
    log1p_unit_pair(u, W::zero())
}

/// `ln(1 + u + u_lo)` for `u` in [0, 1] and a small `u_lo` (an unevaluated sum, such as
/// `math::exp_nonpositive_pair`'s), in f64 as the [`super::Full`] form of [`log1p_unit`]:
/// `u_lo` joins the exact error `c` of `w = 1 + u`.
#[inline(always)]
pub(crate) fn log1p_unit_pair<W: Vector<Elem = f64>>(u: W, u_lo: W) -> W {
    let one = W::splat(1.0);
    let w = one.add(u);
    let c = u.sub(w.sub(one)).add(u_lo);
    let above = W::splat(core::f64::consts::SQRT_2).lt(w);
    let k = W::select(above, one, W::zero());
    let m = W::select(above, w.mul(W::splat(0.5)), w);
    let f = m.sub(one);
    let s = f.div(W::splat(2.0).add(f));
    let z = s.mul(s);
    let mut r = W::splat(ATANH_SERIES[ATANH_SERIES.len() - 1]);
    for &a in ATANH_SERIES[..ATANH_SERIES.len() - 1].iter().rev() {
        r = r.mul_add(z, W::splat(a));
    }
    let r = r.mul(z);
    let hfsq = W::splat(0.5).mul(f).mul(f);
    // ln(1 + c/w) = c/w - (c/w)^2/2 + ..: c/w is at most about 2^-52, but it is all of the
    // result where u < 2^-53 (w = 1), so the square term counts.
    let cw = c.div(w);
    let low = k.mul_add(W::splat(LN2_LO), W::splat(-0.5).mul(cw).mul_add(cw, cw));
    // ln(1 + u) = k ln2_hi + f - inner; the large part `k ln2_hi + f` is summed exactly
    // (Fast2Sum: |ln2_hi| > |f| where k = 1; f alone where k = 0), so the result rounds once.
    let inner = hfsq.sub(s.mul_add(hfsq.add(r), low));
    let kl = k.mul(W::splat(LN2_HI));
    let big = kl.add(f);
    let big_err = kl.sub(big).add(f);
    let general = big.add(big_err.sub(inner));
    // Below 2^-30 the reduction's parts (c is then as large as the result) round too coarsely:
    // u + u_lo - u^2/2 there (the next term is 2^-60 relative).
    let series = u.add(W::splat(-0.5).mul(u).mul_add(u, u_lo));
    W::select(u.lt(W::splat(TINY)), series, general)
}

/// Where [`log1p_unit_pair`] switches to its two-term series.
const TINY: f64 = 9.313_225_746_154_785e-10; // 2^-30
