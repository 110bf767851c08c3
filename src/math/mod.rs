//! Vector math written once over [`Vector`]: the exponential family the kernels share.
//!
//! Both functions reduce `x = n ln2 + t` with `n = round(x log2(e))` and `|t| <= ln2/2`
//! (Cody-Waite: `ln2` split in a short high part, so `x - n ln2_hi` is exact, and a low part),
//! evaluate `expm1(t) = t + t^2 (1/2 + t q(t))` with a minimax `q`, and rebuild with an exact
//! power of two. Accuracy (measured by `tests/exhaustive.rs` over every f32): see each function.

mod consts;

pub use consts::MathConsts;

use crate::simd::Vector;
use crate::Float;

/// `2^n` for an integer-valued `n` in the normal exponent range (f32: [-126, 127]; f64:
/// [-1022, 1023]; `n` = max + 1 gives +inf): adds a magic constant that puts `n + bias` in
/// the low mantissa bits, then shifts those bits into the exponent field.
#[inline(always)]
pub(crate) fn pow2<V: Vector>(n: V) -> V {
    n.add(V::splat(V::Elem::POW2_MAGIC)).shift_into_exponent()
}

/// Range reduction: returns `(n, t)` with `x = n ln2 + t` (t rounded once), `n` integer-valued.
#[inline(always)]
fn reduce<V: Vector>(x: V) -> (V, V) {
    let n = x.mul(V::splat(V::Elem::LOG2E)).round();
    let t = n.mul_add(V::splat(V::Elem::NEG_LN2_HI), x);
    let t = n.mul_add(V::splat(V::Elem::NEG_LN2_LO), t);
    (n, t)
}

/// `expm1(t)` for `|t| <= ln2/2 (1 + 2^-9)`: `t + t^2 (1/2 + t q(t))`, relative error of the
/// polynomial below 2^-29 (f32) / 2^-59 (f64), before rounding.
#[inline(always)]
fn expm1_reduced<V: Vector>(t: V) -> V {
    let coeffs = V::Elem::EXPM1_POLY;
    let mut q = V::splat(coeffs[coeffs.len() - 1]);
    for &c in coeffs[..coeffs.len() - 1].iter().rev() {
        q = q.mul_add(t, V::splat(c));
    }
    let half = q.mul_add(t, V::splat(V::Elem::HALF));
    t.mul(t).mul_add(half, t)
}

/// `e^x - 1` for `x <= 0`; NaN gives NaN, `-inf` gives -1, `-0.0` gives `-0.0`.
/// Lanes with `x > 0` get an unspecified value (callers discard them).
/// Error for x <= 0: at most 0.6 ULP (f32, every input) / 0.6 ULP (f64, sampled).
#[inline(always)]
pub(crate) fn expm1_nonpositive<V: Vector>(x: V) -> V {
    // Below the cutoff the result rounds to -1; clamping keeps n >= -56 (NaN passes through).
    let x = x.clamp_min(V::splat(V::Elem::EXPM1_CUTOFF));
    let (n, t) = reduce(x);
    let r = expm1_reduced(t);
    let s = pow2(n);
    // s * (1 + r) - 1 = s r + (s - 1); `s - 1` is exact for n >= -(mantissa bits + 1).
    s.mul_add(r, s.sub(V::splat(V::Elem::ONE)))
}

/// `e^x` for every `x`: NaN gives NaN, `-inf` gives +0, `+inf` gives +inf, results in the
/// subnormal range are produced (not flushed). Error: at most 0.6 ULP (f32 x <= 0, every input).
#[inline(always)]
pub(crate) fn exp<V: Vector>(x: V) -> V {
    let x = x
        .clamp_min(V::splat(V::Elem::EXP_MIN_ARG))
        .clamp_max(V::splat(V::Elem::EXP_MAX_ARG));
    let (n, t) = reduce(x);
    let r = expm1_reduced(t);
    // 2^n may leave the normal range (subnormal results, or n = max + 1 just below overflow):
    // scale in two exact steps, 2^n1 (normal) then 2^(n - n1), so only the last multiply rounds.
    let n1 = n
        .clamp_min(V::splat(V::Elem::POW2_SPLIT_MIN))
        .clamp_max(V::splat(V::Elem::POW2_SPLIT_MAX));
    let s1 = pow2(n1);
    let s2 = pow2(n.sub(n1));
    s1.mul_add(r, s1).mul(s2)
}

/// Converts an `f64` constant to the element type (for parameters such as SELU's).
#[inline(always)]
pub(crate) fn constant<T: Float>(x: f64) -> T {
    T::from_f64(x)
}
