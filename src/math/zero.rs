//! Gradients near their zeros, from Taylor series: where `g(x) = a(x) + b(x)` crosses 0 the
//! two terms cancel, so their rounding errors become large relative errors of `g`; the series
//! in `d = x - x0` keeps the relative accuracy.

use crate::simd::Vector;

/// Half-width of the window around a zero for f32 results: outside it the terms' 2^-31
/// (`Single`) are amplified at most ~60-fold (`|g| >= |g'(x0)| / 32` against terms below
/// 0.5), 2^-25 relative: at most a quarter of an f32 ULP more (measured: 0.52 ULP at worst
/// over every f32 input, against 0.51 with a window of 1/8). A wider window costs more series
/// terms (measured: 1/8 with 8-9 terms made the silu gradient 32% slower than without a
/// series, 1/32 with 5 terms 26%).
pub(crate) const SINGLE_WINDOW: f64 = 0.031_25;

/// Half-width of the window for f64 results: outside it the terms, carried in double length
/// to about 2^-56, are amplified at most ~6-fold (below an f64 ULP).
pub(crate) const FULL_WINDOW: f64 = 0.25;

/// A zero `x0 = hi + lo` of a gradient `g` (in double length: `x - hi` is exact near it) and
/// the Taylor coefficients `c1, c2, ...` of `g(x0 + d) = d (c1 + d (c2 + ...))`, computed in
/// 40- or 50-digit arithmetic, truncated where the omitted terms stay below 2^-29 (f32
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
