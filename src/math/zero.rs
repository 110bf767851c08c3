//! Gradients near their zeros, from Taylor series: where `g(x) = a(x) + b(x)` crosses 0 the
//! two terms cancel, so their rounding errors become large relative errors of `g`; the series
//! in `d = x - x0` keeps the relative accuracy.

use crate::simd::Vector;

/// Half-width of the window around a zero for f32 results: outside it the terms' 2^-31
/// (`Single`) are amplified at most ~8-fold (`|g| >= |g'(x0)| / 8` against terms of order 1),
/// far below f32's 2^-24.
pub(crate) const SINGLE_WINDOW: f64 = 0.125;

/// Half-width of the window for f64 results: outside it the terms, carried in double length
/// to about 2^-56, are amplified at most ~6-fold (below an f64 ULP).
pub(crate) const FULL_WINDOW: f64 = 0.25;

/// A zero `x0 = hi + lo` of a gradient `g` (in double length: `x - hi` is exact near it) and
/// the Taylor coefficients `c1, c2, ...` of `g(x0 + d) = d (c1 + d (c2 + ...))`, computed in
/// 40- or 50-digit arithmetic, truncated where the omitted terms stay below 2^-34 (f32
/// results) or 2^-56 (f64 results) of `g` on the window.
pub(crate) struct GradientZero {
    pub hi: f64,
    pub lo: f64,
    pub window: f64,
    pub coeffs: &'static [f64],
}

impl GradientZero {
    /// `g(x)` from the series where `|x - x0| < window`, `g` (the direct form) elsewhere.
    /// `x - hi` is exact there (Sterbenz), `d` rounds once.
    #[inline(always)]
    pub(crate) fn refine<W: Vector<Elem = f64>>(&self, x: W, g: W) -> W {
        let d = x.sub(W::splat(self.hi)).sub(W::splat(self.lo));
        let c = self.coeffs;
        let mut p = W::splat(c[c.len() - 1]);
        for &a in c[..c.len() - 1].iter().rev() {
            p = p.mul_add(d, W::splat(a));
        }
        W::select(d.abs().lt(W::splat(self.window)), p.mul(d), g)
    }
}
