//! Double-length arithmetic on f64 vectors: values carried as unevaluated sums `hi + lo`,
//! for the f64 results of the smooth activations (see `math::Full`).

use crate::simd::Vector;

/// `(s, err)` with `s = a + b` rounded and `err` its exact error (2Sum: any magnitudes).
#[inline(always)]
pub(crate) fn two_sum<W: Vector>(a: W, b: W) -> (W, W) {
    let s = a.add(b);
    let bb = s.sub(a);
    (s, a.sub(s.sub(bb)).add(b.sub(bb)))
}

/// `(a_hi + a_lo)(b_hi + b_lo)` as an unevaluated sum (the product of the high parts exact
/// by FMA, the cross terms rounded: about 2^-104 relative).
#[inline(always)]
pub(crate) fn mul_pair<W: Vector<Elem = f64>>(a_hi: W, a_lo: W, b_hi: W, b_lo: W) -> (W, W) {
    let p = a_hi.mul(b_hi);
    let err = a_hi.mul_add(b_hi, p.neg());
    (p, err.add(a_hi.mul_add(b_lo, a_lo.mul(b_hi))))
}

/// `(n_hi + n_lo) / (d_hi + d_lo)` as an unevaluated sum `q + q_lo`, for `d > 0` and `|n_lo|`,
/// `|d_lo|` at most a few ULP of their high parts: one division for `1 / d_hi`, the quotient's
/// residual exact by FMA, and one correction step (accurate to about 2^-100 relative).
#[inline(always)]
pub(crate) fn div_pair<W: Vector<Elem = f64>>(n_hi: W, n_lo: W, d_hi: W, d_lo: W) -> (W, W) {
    let rcp = W::splat(1.0).div(d_hi);
    let q = n_hi.mul(rcp);
    let residual = q.neg().mul_add(d_hi, n_hi).add(q.neg().mul_add(d_lo, n_lo));
    (q, residual.mul(rcp))
}
