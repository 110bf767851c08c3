//! Gradients near their zeros, from Taylor series: where `g(x) = a(x) + b(x)` crosses 0 the
//! two terms cancel, so their rounding errors (2^-31 relative with `Single`) become large
//! relative errors of `g`; the series in `d = x - x0` keeps the relative accuracy.

use crate::simd::Vector;

/// Half-width of the window around a zero where the series replaces the direct form. Outside
/// it the terms' 2^-31 are amplified at most ~8-fold (`|g| >= |g'(x0)| / 8` against terms of
/// order 1), far below f32's 2^-24.
const WINDOW: f64 = 0.125;

/// A zero `x0 = hi + lo` of a gradient `g` (in double length: `x - hi` is exact near it) and
/// the Taylor coefficients `c1, c2, ...` of `g(x0 + d) = d (c1 + d (c2 + ...))`, computed in
/// 40-digit arithmetic, truncated where the omitted terms stay below 2^-34 of `g` on the
/// window.
pub(crate) struct GradientZero {
    pub hi: f64,
    pub lo: f64,
    pub coeffs: &'static [f64],
}

impl GradientZero {
    /// `g(x)` from the series where `|x - x0| < 1/8`, `g` (the direct form) elsewhere. For
    /// f32 results (an f32 `x` widened to f64): the series is accurate to about 2^-34.
    #[inline(always)]
    pub(crate) fn refine<W: Vector<Elem = f64>>(&self, x: W, g: W) -> W {
        let d = x.sub(W::splat(self.hi)).sub(W::splat(self.lo));
        let c = self.coeffs;
        let mut p = W::splat(c[c.len() - 1]);
        for &a in c[..c.len() - 1].iter().rev() {
            p = p.mul_add(d, W::splat(a));
        }
        W::select(d.abs().lt(W::splat(WINDOW)), p.mul(d), g)
    }
}
