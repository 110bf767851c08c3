//! Vector math written once over [`Vector`]: the exponential family the kernels share (this
//! file), `log1p` (`log1p.rs`), the normal tail (`normal.rs`), double-length arithmetic
//! (`pair.rs`), the series at the gradients' zeros (`zero.rs`), and what f32 results need
//! from the f64 math (`accuracy.rs`).
//!
//! The exponentials reduce `x = n ln2 + t` with `n = round(x log2(e))` and `|t| <= ln2/2`
//! (Cody-Waite: `ln2` split in a short high part, so `x - n ln2_hi` is exact, and a low part),
//! evaluate `expm1(t) = t + t^2 (1/2 + t q(t))` with a minimax `q`, and rebuild with an exact
//! power of two. Accuracy (measured by `tests/exhaustive.rs` over every f32): see each function.

mod accuracy;
mod consts;
pub(crate) mod dot;
mod log1p;
pub(crate) mod native;
pub(crate) mod native_log;
pub(crate) mod native_normal;
mod normal;
mod pair;
mod zero;

pub use accuracy::{Accuracy, Full, Single};
pub use consts::MathConsts;
pub(crate) use log1p::{log1p_unit, log1p_unit_pair};
pub(crate) use normal::{normal_tail, normal_tail_pair};
pub(crate) use pair::{div_pair, mul_pair, two_sum};
pub(crate) use zero::GradientZero;

use crate::simd::Vector;
use crate::Float;

/// `2^n` for an integer-valued `n` in the normal exponent range (f32: [-126, 127]; f64:
/// [-1022, 1023]; `n` = max + 1 gives +inf): adds a magic constant that puts `n + bias` in
/// the low mantissa bits, then shifts those bits into the exponent field.
#[inline(always)]
pub(crate) fn pow2<V: Vector>(n: V) -> V {
    n.add(V::splat(V::Elem::POW2_MAGIC)).shift_into_exponent()
}

/// The argument of `exp`/`expm1`, possibly as an unevaluated sum `hi + lo` (a quotient
/// `x / d` carried to about twice the working precision, so that its rounding is not
/// amplified by the exponential: `exp(x / d)` has relative error `|x / d|` times that of
/// the argument).
#[derive(Clone, Copy)]
pub(crate) struct Arg<V> {
    hi: V,
    lo: Option<V>,
}

impl<V: Vector> Arg<V> {
    /// `x`, clamped from below at `lower` (NaN passes through).
    #[inline(always)]
    fn plain(x: V, lower: V::Elem) -> Self {
        Arg {
            hi: x.clamp_min(V::splat(lower)),
            lo: None,
        }
    }

    /// `x / d` for `d > 0` as `q + lo`, with `q = x * (1 / d)` and `lo = (x - q d) / d` (the
    /// remainder is exact by FMA), clamped from below at `lower` (then `lo = 0`). NaN passes
    /// through; the value is meaningful where `x / d <= 0`.
    #[inline(always)]
    fn quotient(x: V, d: V::Elem, lower: V::Elem) -> Self {
        let rcp = V::splat(V::Elem::ONE / d);
        let (d, lower) = (V::splat(d), V::splat(lower));
        let q = x.mul(rcp);
        let hi = q.clamp_min(lower);
        let lo = hi.neg().mul_add(d, x).mul(rcp);
        Arg {
            hi,
            lo: Some(V::select(q.lt(lower), V::zero(), lo)),
        }
    }

    /// `hi + lo` (an unevaluated sum, `|lo| <= ulp(hi)`), clamped from below at `lower`
    /// (then `lo = 0`). NaN passes through.
    #[inline(always)]
    fn pair(hi: V, lo: V, lower: V::Elem) -> Self {
        let lower = V::splat(lower);
        let clamped = hi.lt(lower);
        Arg {
            hi: hi.clamp_min(lower),
            lo: Some(V::select(clamped, V::zero(), lo)),
        }
    }

    /// Range reduction: `(k, n, t)` with `arg = n ln2 + t`, `n` integer-valued, `t` rounded
    /// once (twice with a low part), and `k = n + POW2_MAGIC` exactly, whose bits shifted into
    /// the exponent field are `2^n` ([`Vector::shift_into_exponent`]) where `n >= -(bias -
    /// 1)` (for `|arg log2(e)| < 2^22` in f32, `2^51` in f64). `n` comes from the constant
    /// added inside the FMA that forms `arg log2(e)`: the nearest integer to the exact
    /// product, so `|t| <= ln2/2 (1 + 2^-9)`. Two operations fewer than rounding the product
    /// (`vrndscaleps` is two on Intel) and adding the constant again for `2^n` (measured,
    /// Intel Xeon, 8K f32, same-binary A/B: elu 0.192 -> 0.171 ns per element on AVX-512,
    /// elu' 0.205 -> 0.183).
    #[inline(always)]
    fn reduce_biased(self) -> (V, V, V) {
        let magic = V::splat(V::Elem::POW2_MAGIC);
        let k = self.hi.mul_add(V::splat(V::Elem::LOG2E), magic);
        let n = k.sub(magic);
        let t = n.mul_add(V::splat(V::Elem::NEG_LN2_HI), self.hi);
        let t = n.mul_add(V::splat(V::Elem::NEG_LN2_LO), t);
        (k, n, if let Some(lo) = self.lo { t.add(lo) } else { t })
    }
}

/// `expm1(t)` for `|t| <= ln2/2 (1 + 2^-9)`: `t + t^2 (1/2 + t q(t))`, relative error of the
/// polynomial below 2^-29 (f32) / 2^-59 (f64), before rounding.
#[inline(always)]
fn expm1_reduced<V: Vector>(t: V) -> V {
    expm1_poly(t, V::Elem::EXPM1_POLY)
}

/// [`expm1_reduced`] as an unevaluated sum `r + r_lo` (`r` is the same value): the rounding
/// of its last FMA is carried, which leaves that of `t^2` and of the polynomial (relative to
/// the result, below 2^-55 for f64).
#[inline(always)]
fn expm1_reduced_pair<V: Vector>(t: V) -> (V, V) {
    let half = expm1_half(t, V::Elem::EXPM1_POLY);
    let square = t.mul(t);
    let r = square.mul_add(half, t);
    // `t - r` is exact (Sterbenz: r/t is within [0.8, 1.2]), so this is the FMA's rounding
    // error, rounded once.
    (r, square.mul_add(half, t.sub(r)))
}

/// `t + t^2 (1/2 + t q(t))` with the coefficients of `q` in ascending order.
#[inline(always)]
fn expm1_poly<V: Vector>(t: V, coeffs: &[V::Elem]) -> V {
    t.mul(t).mul_add(expm1_half(t, coeffs), t)
}

/// `1/2 + t q(t)` with the coefficients of `q` in ascending order (Horner).
#[inline(always)]
fn expm1_half<V: Vector>(t: V, coeffs: &[V::Elem]) -> V {
    let mut q = V::splat(coeffs[coeffs.len() - 1]);
    for &c in coeffs[..coeffs.len() - 1].iter().rev() {
        q = q.mul_add(t, V::splat(c));
    }
    q.mul_add(t, V::splat(V::Elem::HALF))
}

/// `e^a - 1` for `a <= 0`.
#[inline(always)]
fn expm1_of<V: Vector>(a: Arg<V>) -> V {
    let e = expm1_any_zero(a);
    // Below EXPM1_TINY, expm1(a) rounds to a; returning `hi` also keeps the sign of a zero
    // (the sums above turn -0 into +0).
    V::select(a.hi.abs().lt(V::splat(V::Elem::EXPM1_TINY)), a.hi, e)
}

/// `e^a - 1` for `a <= 0`, but `+0` for `a = -0` (for callers that never use that lane:
/// three operations fewer than [`expm1_of`]; the tiny arguments below `EXPM1_TINY` come out
/// of the polynomial as `a` itself, the square's term rounding away, but for `hi + lo`
/// arguments, which get `expm1(hi + lo)` correctly to within its rounding).
#[inline(always)]
fn expm1_any_zero<V: Vector>(a: Arg<V>) -> V {
    if V::Elem::COMPENSATED_EXPM1 {
        expm1_compensated(a)
    } else {
        let (k, _, t) = a.reduce_biased();
        let r = expm1_reduced(t);
        let s = k.shift_into_exponent();
        // s (1 + r) - 1 = s r + (s - 1); `s - 1` is exact for n >= -(mantissa bits + 1).
        s.mul_add(r, s.sub(V::splat(V::Elem::ONE)))
    }
}

/// `expm1` with the roundings of the reduced argument and of the final sum carried along
/// (f64, where the plain form reaches 1.04 ULP): see [`expm1_compensated_parts`].
#[inline(always)]
fn expm1_compensated<V: Vector>(a: Arg<V>) -> V {
    let (hi, correction) = expm1_compensated_parts(a);
    hi.add(correction)
}

/// Range reduction with its rounding carried: `(n, t, t_lo)` with `arg = n ln2 + t + t_lo`
/// exactly (but for `ln2`'s own truncation, 2^-100 relative): the product `n ln2_lo` and
/// the sum are split with FMA and Fast2Sum.
#[inline(always)]
fn reduce_compensated<V: Vector>(a: Arg<V>) -> (V, V, V) {
    let n = a.hi.mul(V::splat(V::Elem::LOG2E)).round();
    let t1 = n.mul_add(V::splat(V::Elem::NEG_LN2_HI), a.hi); // exact
    let neg_lo = V::splat(V::Elem::NEG_LN2_LO);
    let p = n.mul(neg_lo);
    let p_err = n.mul_add(neg_lo, p.neg());
    let t = t1.add(p);
    let t_lo = t1.sub(t).add(p).add(p_err);
    let t_lo = if let Some(lo) = a.lo {
        t_lo.add(lo)
    } else {
        t_lo
    };
    (n, t, t_lo)
}

/// `expm1(a)` as an unevaluated sum `hi + correction`:
/// `expm1(t + t_lo) ~ r + r_lo + t_lo (1 + r)` (`r + r_lo` from [`expm1_reduced_pair`]), and
/// `s r + (s - 1)` is summed exactly (`s r` is exact, `s` a power of two); the correction holds
/// `s t_lo (1 + r)`, that sum's error and the error of `s - 1`.
#[inline(always)]
fn expm1_compensated_parts<V: Vector>(a: Arg<V>) -> (V, V) {
    let (n, t, t_lo) = reduce_compensated(a);
    let (r, r_lo) = expm1_reduced_pair(t);
    let s = pow2(n);
    let one = V::splat(V::Elem::ONE);
    let (sr, m) = (s.mul(r), s.sub(one));
    // `s - 1` is exact down to n = -(mantissa bits); below, its error (Fast2Sum).
    let m_err = s.sub(m.add(one));
    let hi = sr.add(m);
    let err = m.sub(hi).add(sr).add(m_err); // exact: |m| >= |s r| for n <= -1, m = 0 for n = 0
    (hi, s.mul_add(t_lo.mul_add(r, t_lo).add(r_lo), err))
}

/// `e^(x + x_lo)` (an argument carried as an unevaluated sum, `|x_lo| <= ulp(x)`) for `x` in
/// [-708, 0] as an unevaluated sum `hi + lo` accurate to about 2^-56 relative (f64 results
/// that need better than the 0.5 ULP of one rounded exponential, such as `sigmoid`). Below
/// -708 the value is `e^-708`: callers take those lanes from elsewhere. NaN gives NaN.
#[inline(always)]
pub(crate) fn exp_nonpositive_pair<W: Vector<Elem = f64>>(x: W, x_lo: W) -> (W, W) {
    let (n, t, t_lo) = reduce_compensated(Arg::pair(x, x_lo, -708.0));
    let (r, r_lo) = expm1_reduced_pair(t);
    // e^(t + t_lo) = (1 + r + r_lo)(1 + t_lo): 1 + r split exactly (Fast2Sum, |r| < 1).
    let one = W::splat(1.0);
    let one_r = one.add(r);
    let lo = one.sub(one_r).add(r).add(r_lo);
    let lo = t_lo.mul_add(one_r, lo);
    let s = pow2(n);
    (s.mul(one_r), s.mul(lo))
}

/// `e^x - 1` for `x <= 0` as an unevaluated sum `hi + lo` (f64; see
/// [`expm1_compensated_parts`]); below -40 the value is `expm1(-40)`, which is -1 to 2^-57.
/// NaN gives NaN; `x` of magnitude below 2^-54 gives `(x, 0)`.
#[inline(always)]
pub(crate) fn expm1_nonpositive_pair<W: Vector<Elem = f64>>(x: W) -> (W, W) {
    let (hi, lo) = expm1_compensated_parts(Arg::plain(x, -40.0));
    let tiny = x.abs().lt(W::splat(f64::EXPM1_TINY));
    (W::select(tiny, x, hi), W::select(tiny, W::zero(), lo))
}

/// `e^x - 1` for `x <= 0`; NaN gives NaN, `-inf` gives -1, `-0.0` gives `-0.0`.
/// Lanes with `x > 0` get an unspecified value (callers discard them).
/// Error for x <= 0: see the README's accuracy table (every f32 input is measured).
#[inline(always)]
pub(crate) fn expm1_nonpositive<V: Vector>(x: V) -> V {
    // Below the cutoff the result rounds to -1; clamping keeps n >= -56 (NaN passes through).
    expm1_of(Arg::plain(x, V::Elem::EXPM1_CUTOFF))
}

/// [`expm1_nonpositive`] for `x < 0`: `x = -0.0` gives `+0.0` (ELU's forward, which takes
/// `x` itself for `x >= 0`). Three operations fewer.
#[inline(always)]
pub(crate) fn expm1_negative<V: Vector>(x: V) -> V {
    expm1_any_zero(Arg::plain(x, V::Elem::EXPM1_CUTOFF))
}

/// [`expm1_nonpositive_quotient`] for `x < 0` (as [`expm1_negative`]).
#[inline(always)]
pub(crate) fn expm1_negative_quotient<V: Vector>(x: V, d: V::Elem) -> V {
    expm1_any_zero(Arg::quotient(x, d, V::Elem::EXPM1_CUTOFF))
}

/// `e^(x / d) - 1` for `d > 0` and `x <= 0`, with `x / d` carried in extended precision;
/// special values as [`expm1_nonpositive`].
#[inline(always)]
pub(crate) fn expm1_nonpositive_quotient<V: Vector>(x: V, d: V::Elem) -> V {
    expm1_of(Arg::quotient(x, d, V::Elem::EXPM1_CUTOFF))
}

/// `e^x` in f64 to the accuracy `A`, for `x <= 0` (the only arguments the kernels need:
/// `exp(-|x|)` and the like): NaN gives NaN, `-inf` gives +0, results in the subnormal range
/// are produced (not flushed) for [`Full`]. Lanes with `x > 0` get an unspecified value.
#[inline(always)]
pub(crate) fn exp_nonpositive<A: Accuracy, W: Vector<Elem = f64>>(x: W) -> W {
    if A::FOR_F32 {
        let (s, r) = reduce_for_f32(x, None);
        s.mul_add(r, s)
    } else {
        exp_scaled(Arg::plain(x, f64::EXP_MIN_ARG), None)
    }
}

/// `e^x - 1` in f64 to the accuracy `A`, for `x <= 0`; special values as
/// [`expm1_nonpositive`].
#[inline(always)]
pub(crate) fn expm1_nonpositive_wide<A: Accuracy, W: Vector<Elem = f64>>(x: W) -> W {
    if A::FOR_F32 {
        let (s, r) = reduce_for_f32(x, None);
        // As in `expm1_of`; the tiny arguments, where this loses `-0.0`, are the caller's.
        s.mul_add(r, s.sub(W::splat(1.0)))
    } else {
        expm1_nonpositive(x)
    }
}

/// `(2^n, expm1(t))` with `hi + lo = n ln2 + t`, for results rounded to f32: `n` by the
/// round-to-nearest of adding a magic constant (whose low bits then hold the biased
/// exponent), `t` with one FMA (the error of `n ln2` in f64, below 2^-45, does not matter
/// there), and the short polynomial `EXP_POLY_F32`. The argument is clamped at -200, which keeps
/// `2^n` normal; below -745.13, where f64's own `e^x` is 0 (the references), `2^n` is 0, so
/// `-inf` gives 0 and `inf * e^x` is NaN exactly where the f64 formula's is.
#[inline(always)]
fn reduce_for_f32<W: Vector<Elem = f64>>(hi: W, lo: Option<W>) -> (W, W) {
    let a = match lo {
        Some(lo) => Arg::pair(hi, lo, accuracy::SINGLE_EXP_MIN_ARG),
        None => Arg::plain(hi, accuracy::SINGLE_EXP_MIN_ARG),
    };
    let magic = W::splat(f64::POW2_MAGIC);
    let k = a.hi.mul_add(W::splat(f64::LOG2E), magic);
    let n = k.sub(magic);
    let t = n.mul_add(W::splat(-core::f64::consts::LN_2), a.hi);
    let t = if let Some(lo) = a.lo { t.add(lo) } else { t };
    let underflow = hi.lt(W::splat(accuracy::F64_EXP_UNDERFLOW));
    let s = W::select(underflow, W::zero(), k.shift_into_exponent());
    (s, expm1_poly(t, &accuracy::EXP_POLY_F32))
}

/// `e^(x / d)` for `d > 0` and `x <= 0`, with `x / d` carried in extended precision. Lanes
/// with `x > 0` get an unspecified value.
#[inline(always)]
pub(crate) fn exp_quotient_nonpositive<V: Vector>(x: V, d: V::Elem) -> V {
    exp_scaled(Arg::quotient(x, d, V::Elem::EXP_MIN_ARG), None)
}

/// `m * e^(hi + lo)` in f64 to the accuracy `A`, for a non-positive argument carried as an
/// unevaluated sum (see `Arg::pair`) and `|m| <= 2^100`: with [`Full`] rounded once at the
/// end even where the result is subnormal (see `exp_scaled`).
#[inline(always)]
pub(crate) fn exp_pair_mul<A: Accuracy, W: Vector<Elem = f64>>(hi: W, lo: W, m: W) -> W {
    if A::FOR_F32 {
        let (s, r) = reduce_for_f32(hi, Some(lo));
        s.mul_add(r, s).mul(m)
    } else {
        exp_scaled(Arg::pair(hi, lo, f64::EXP_MIN_ARG), Some(m))
    }
}

/// `m * e^x` for `x <= 0`, rounded once at the end even where the result is subnormal
/// (computing `e^x` first and multiplying after would round twice there). NaN gives NaN,
/// `-inf` gives `m * 0`; lanes with `x > 0` get an unspecified value.
#[inline(always)]
pub(crate) fn exp_mul_nonpositive<V: Vector>(x: V, m: V) -> V {
    exp_scaled(Arg::plain(x, V::Elem::EXP_MIN_ARG), Some(m))
}

/// `m * e^a` for `a <= 0` (`m = 1` when `None`), rounded once at the end. `2^n` may be
/// subnormal, so it is applied in two exact steps where needed: `2^n1` (normal) inside the
/// product, then `2^(n - n1)`, and only that last multiply rounds. Vectors with no lane below
/// the normal range (nearly all) take a branch without the second step.
/// Every exponential the kernels need has a non-positive argument (`exp(-|x|)`,
/// `exp(-x^2/2)`, ...); lanes with `a > 0` get an unspecified value (callers discard them).
#[inline(always)]
fn exp_scaled<V: Vector>(a: Arg<V>, m: Option<V>) -> V {
    let (k, n, t) = a.reduce_biased();
    let r = expm1_reduced(t);
    let split_min = V::splat(V::Elem::POW2_SPLIT_MIN);
    if V::any(n.lt(split_min)) {
        let n1 = n.clamp_min(split_min);
        let s1 = pow2(n1);
        let head = s1.mul_add(r, s1);
        let head = if let Some(m) = m { head.mul(m) } else { head };
        head.mul(pow2(n.sub(n1)))
    } else {
        let s = k.shift_into_exponent();
        let e = s.mul_add(r, s);
        if let Some(m) = m {
            e.mul(m)
        } else {
            e
        }
    }
}

/// Converts an `f64` constant to the element type (for parameters such as SELU's).
#[inline(always)]
pub(crate) fn constant<T: Float>(x: f64) -> T {
    T::from_f64(x)
}
