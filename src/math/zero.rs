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
const SINGLE_WINDOW: f64 = 0.031_25;

/// Terms of the series used within [`SINGLE_WINDOW`]: the omitted ones stay below 2^-29 of `g`
/// there (each series below has at least this many).
const SINGLE_TERMS: usize = 5;

/// Half-width of the window for f64 results: outside it the terms, carried in double length
/// to about 2^-56, are amplified at most ~6-fold (below an f64 ULP). The whole series is used
/// there.
const FULL_WINDOW: f64 = 0.25;

/// A zero `x0 = hi + lo` of a gradient `g` (in double length: `x - hi` is exact near it) and
/// the Taylor coefficients `c1, c2, ...` of `g(x0 + d) = d (c1 + d (c2 + ...))`, computed in
/// 50-digit arithmetic and truncated where the omitted terms stay below 2^-56 of `g` on
/// [`FULL_WINDOW`]. f32 results take the first [`SINGLE_TERMS`] on [`SINGLE_WINDOW`].
pub(crate) struct GradientZero {
    pub hi: f64,
    pub lo: f64,
    pub series: &'static [f64],
}

impl GradientZero {
    /// `g(x)` from the short series near the zero, `g` (the direct form) elsewhere: for f32
    /// results.
    #[inline(always)]
    pub(crate) fn refine_single<W: Vector<Elem = f64>>(&self, x: W, g: W) -> W {
        self.refine(x, W::zero(), g, SINGLE_WINDOW, &self.series[..SINGLE_TERMS])
    }

    /// As [`Self::refine_single`] for an argument given as an unevaluated sum `x + x_lo`
    /// (`k x` in double length, for the scaled forms).
    #[inline(always)]
    pub(crate) fn refine_single_pair<W: Vector<Elem = f64>>(&self, x: W, x_lo: W, g: W) -> W {
        self.refine(x, x_lo, g, SINGLE_WINDOW, &self.series[..SINGLE_TERMS])
    }

    /// `g(x)` from the whole series near the zero, `g` elsewhere: for f64 results.
    #[inline(always)]
    pub(crate) fn refine_full<W: Vector<Elem = f64>>(&self, x: W, g: W) -> W {
        self.refine(x, W::zero(), g, FULL_WINDOW, self.series)
    }

    /// As [`Self::refine_full`] for an argument `x + x_lo`.
    #[inline(always)]
    pub(crate) fn refine_full_pair<W: Vector<Elem = f64>>(&self, x: W, x_lo: W, g: W) -> W {
        self.refine(x, x_lo, g, FULL_WINDOW, self.series)
    }

    /// As [`Self::refine_single`] for native f32 lanes, whose terms carry ~2^-27 relative
    /// errors (not f64's 2^-50), which the cancellation amplifies by `|x - x0|^-1`: the window
    /// is 1/4 and the series its first 10 terms (their truncation error is below 2^-28 of the
    /// value there); `x0` and the leading coefficient `a0` in two f32 parts. The value
    /// `a0 d + d^2 P(d)` (`d = x - x0`) is formed as `a0_hi dh` plus a small term, with
    /// `dh = x - x0_hi` exact (Sterbenz, in the window) and `x0_lo`, `a0_lo` in the small term,
    /// so it rounds about once (`|d P(d)| <= |a0| / 4` in the window).
    #[inline(always)]
    pub(crate) fn refine_native<V: Vector<Elem = f32>>(&self, x: V, g: V) -> V {
        const TERMS: usize = 10;
        let hi = self.hi as f32;
        let lo = ((self.hi - hi as f64) + self.lo) as f32;
        let a0 = self.series[0];
        let (a0h, a0l) = (a0 as f32, (a0 - (a0 as f32) as f64) as f32);
        let dh = x.sub(V::splat(hi));
        let d = dh.sub(V::splat(lo));
        let coeffs = &self.series[1..TERMS];
        let mut p = V::splat(coeffs[coeffs.len() - 1] as f32);
        for &a in coeffs[..coeffs.len() - 1].iter().rev() {
            p = p.mul_add(d, V::splat(a as f32));
        }
        // a0 (dh - lo) + d^2 P = a0h dh + (a0l dh - a0h lo + d (d P)).
        let small =
            V::splat(a0l).mul_add(dh, V::splat(-a0h).mul_add(V::splat(lo), d.mul(d.mul(p))));
        let series = V::splat(a0h).mul_add(dh, small);
        V::select(d.abs().lt(V::splat(0.25)), series, g)
    }

    /// `g(x)` from `coeffs` where `|x - x0| < window`, `g` elsewhere. `x - hi` is exact there
    /// (Sterbenz), `d` rounds once.
    #[inline(always)]
    fn refine<W: Vector<Elem = f64>>(&self, x: W, x_lo: W, g: W, window: f64, coeffs: &[f64]) -> W {
        // (x - hi) + (x_lo - lo); with x_lo = 0 the same bits as x - hi - lo.
        let d = x.sub(W::splat(self.hi)).add(x_lo.sub(W::splat(self.lo)));
        let mut p = W::splat(coeffs[coeffs.len() - 1]);
        for &a in coeffs[..coeffs.len() - 1].iter().rev() {
            p = p.mul_add(d, W::splat(a));
        }
        W::select(d.abs().lt(W::splat(window)), p.mul(d), g)
    }
}
