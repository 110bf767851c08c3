//! The exponential-linear family, all of the form
//! `y = x > 0 ? scale * x : neg_coef * expm1(x / input_div)`:
//! ELU (`scale = 1, neg_coef = alpha, input_div = 1`), SELU (PyTorch's fixed `scale` and
//! `alpha`, `neg_coef = scale * alpha`) and CELU (`neg_coef = alpha = input_div`).
//! `expm1`, not `exp - 1`, so small negative inputs keep full relative accuracy.

use crate::api::isa_fn;
use crate::checks;
use crate::dispatch::dispatch;
use crate::kernel_use::{RunBinary, RunInPlace, RunUnary, UseKernel};
use crate::driver::{Binary, Kernel, Unary, UnaryInPlace};
use crate::math;
use crate::simd::Vector;
use crate::Float;

/// SELU's `alpha` (Klambauer et al. 2017, as PyTorch).
pub const SELU_ALPHA: f64 = 1.673_263_242_354_377_284_817_042_991_671_7;
/// SELU's `scale` (as PyTorch).
pub const SELU_SCALE: f64 = 1.050_700_987_355_480_493_419_334_985_294_6;
/// `SELU_SCALE * SELU_ALPHA`, rounded once: `selu(-inf) = -SELU_NEG_COEF` and `selu'(0)`.
pub const SELU_NEG_COEF: f64 = 1.758_099_340_847_376_859_940_217_520_812_3;

/// The scalar specification: evaluated in f64 (for f32, then rounded once; for f64 with the
/// platform's `exp_m1`/`exp`).
pub mod reference {
    use crate::float::nan_rule;
    use super::{Elu, SELU_NEG_COEF, SELU_SCALE};
    use crate::Float;

    /// `x / d` as `q + lo` (the remainder `x - q d` is exact by FMA), so that the argument of
    /// `exp` is not off by the rounding of `q` (which `exp` would amplify by `|x / d|`).
    fn quotient(x: f64, d: f64) -> (f64, f64) {
        let q = x / d;
        // Beyond |q| = 2^11 exp(q) is 0 or inf in f64 anyway.
        (q, if q.abs() < 2048.0 { (-q).mul_add(d, x) / d } else { 0.0 })
    }

    fn forward<T: Float>(p: Elu<f64>, x: T) -> T {
        let x = x.to_f64();
        if x > 0.0 {
            return T::from_f64(p.scale * x);
        }
        let (q, lo) = quotient(x, p.input_div);
        let e = q.exp_m1(); // expm1(q + lo) = expm1(q) + e^q lo + O(lo^2)
        T::from_f64(p.neg_coef * if lo == 0.0 { e } else { e + (1.0 + e) * lo })
    }

    fn derivative<T: Float>(p: Elu<f64>, x: T) -> f64 {
        let x = x.to_f64();
        if x > 0.0 {
            return p.scale;
        }
        let (q, lo) = quotient(x, p.input_div);
        p.neg_coef / p.input_div * (q.exp() * (1.0 + lo))
    }

    /// `x > 0 ? x : alpha * expm1(x)`.
    pub fn elu<T: Float>(x: T, alpha: T) -> T {
        nan_rule([x], || {
            forward(Elu::plain(alpha.to_f64()), x)
        })
    }
    /// `scale * (x > 0 ? x : alpha * expm1(x))` with SELU's constants.
    pub fn selu<T: Float>(x: T) -> T {
        nan_rule([x], || {
            forward(Elu { scale: SELU_SCALE, pos_hi: SELU_SCALE, pos_lo: 0.0, neg_coef: SELU_NEG_COEF, input_div: 1.0 }, x)
        })
    }
    /// `x > 0 ? x : alpha * expm1(x / alpha)`.
    pub fn celu<T: Float>(x: T, alpha: T) -> T {
        nan_rule([x], || {
            forward(Elu::celu(alpha.to_f64()), x)
        })
    }
    /// `dy * elu'(x)`, with `elu'(x) = x > 0 ? 1 : alpha * exp(x)` (left branch at 0)
    /// rounded to `T` before the multiply.
    pub fn elu_backward<T: Float>(x: T, dy: T, alpha: T) -> T {
        nan_rule([x, dy], || {
            dy * T::from_f64(derivative(Elu::plain(alpha.to_f64()), x))
        })
    }
    /// `dy * selu'(x)`, with `selu'(x) = x > 0 ? scale : scale * alpha * exp(x)` rounded to
    /// `T` before the multiply.
    pub fn selu_backward<T: Float>(x: T, dy: T) -> T {
        nan_rule([x, dy], || {
            let p = Elu { scale: SELU_SCALE, pos_hi: SELU_SCALE, pos_lo: 0.0, neg_coef: SELU_NEG_COEF, input_div: 1.0 };
            dy * T::from_f64(derivative(p, x))
        })
    }
    /// `dy * celu'(x)`, with `celu'(x) = x > 0 ? 1 : exp(x / alpha)` rounded to `T` before
    /// the multiply.
    pub fn celu_backward<T: Float>(x: T, dy: T, alpha: T) -> T {
        nan_rule([x, dy], || {
            dy * T::from_f64(derivative(Elu::celu(alpha.to_f64()), x))
        })
    }
}

/// The parameters of one member of the family.
#[derive(Clone, Copy)]
pub(crate) struct Elu<T> {
    /// Slope of the positive branch.
    scale: T,
    /// The positive branch's slope as `pos_hi + pos_lo` (SELU's scale is not
    /// representable): `pos_hi` is `scale` rounded toward zero, so `pos_lo >= +0` and the
    /// branch `x * pos_hi + x * pos_lo` (correctly rounded but for rare ties) gives `-0` at
    /// `x = -0` (a negative `pos_lo` would make it `-0 + +0 = +0`).
    pos_hi: T,
    pos_lo: T,
    /// `y(-inf) = -neg_coef`.
    neg_coef: T,
    /// The negative branch's input is divided by this (1 except for CELU).
    input_div: T,
}

impl<T: Float> Elu<T> {
    fn plain(alpha: T) -> Self {
        Elu { scale: T::ONE, pos_hi: T::ONE, pos_lo: T::ZERO, neg_coef: alpha, input_div: T::ONE }
    }
    fn selu() -> Self {
        let scale: T = math::constant(SELU_SCALE);
        // Rounded toward zero: one ulp below the nearest where that lies above.
        // (`scale` lies in [1, 2), where one ulp is the type's epsilon.)
        let eps = if core::mem::size_of::<T>() == 4 { f32::EPSILON as f64 } else { f64::EPSILON };
        let pos_hi = if scale.to_f64() > SELU_SCALE { T::from_f64(scale.to_f64() - eps) } else { scale };
        Elu {
            scale,
            pos_hi,
            pos_lo: math::constant(SELU_SCALE - pos_hi.to_f64()),
            neg_coef: math::constant(SELU_NEG_COEF),
            input_div: T::ONE,
        }
    }
    fn celu(alpha: T) -> Self {
        Elu { scale: T::ONE, pos_hi: T::ONE, pos_lo: T::ZERO, neg_coef: alpha, input_div: alpha }
    }

}

/// Forward; `DIV` is true for CELU (compile-time, so ELU/SELU have no division), `SPLIT` for
/// SELU (whose scale needs the low part; ELU/CELU's is 1).
#[derive(Clone, Copy)]
struct EluForward<T, const DIV: bool, const SPLIT: bool>(Elu<T>);

impl<T: Float, const DIV: bool, const SPLIT: bool> Kernel<T, 1> for EluForward<T, DIV, SPLIT> {
    // f32 (measured ~10% on AVX2): its exponential is a long chain.
    const LOCKSTEP: bool = core::mem::size_of::<T>() == 4;

    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x]: [V; 1]) -> V {
        let p = self.0;
        if SPLIT {
            // SELU: x * pos_lo on x clamped to the finite range, so +inf gives +inf, not
            // inf - inf. pos_lo >= +0 makes the positive branch give -0 at x = -0, so x = -0
            // takes it, and the exponential (x < 0 only) need not keep the sign of a zero: ELU's
            // shorter form (three operations fewer than one that keeps it).
            let neg = math::expm1_negative(x).mul(V::splat(p.neg_coef));
            let low = x.clamp_max(V::splat(V::Elem::MAX)).mul(V::splat(p.pos_lo));
            let pos = x.mul_add(V::splat(p.pos_hi), low);
            return V::select(V::zero().le(x), pos, neg);
        }
        // ELU and CELU (scale 1): the exponential only for x < 0 (x = -0.0 is returned as
        // is), so it need not keep the sign of a zero (three operations fewer).
        if DIV {
            // CELU: alpha expm1(x / alpha) = x (1 + u/2 + ..), u = x / alpha, rounds to x itself
            // where expm1(u) rounds to u (|u| < EXPM1_TINY); there the quotient may be
            // subnormal, and its rounding would cost up to 1 ULP after the product by alpha.
            let tiny = p.input_div * T::EXPM1_TINY;
            let neg = math::expm1_negative_quotient(x, p.input_div).mul(V::splat(p.neg_coef));
            let linear = x.abs().lt(V::splat(tiny));
            return V::select(V::mask_or(V::zero().le(x), linear), x, neg);
        }
        V::select(V::zero().le(x), x, math::expm1_negative(x).mul(V::splat(p.neg_coef)))
    }
}

/// CELU where `1 / alpha` overflows (a subnormal `alpha`, or nearly): the quotient `x / alpha`
/// is taken as `(x s) / (alpha s)` with `s = 2^64` (f32) or `2^512` (f64), exact scalings that
/// make the divisor's reciprocal finite. `x s` overflows only where `x / alpha < -2^60`,
/// and then gives `-inf`, for which `expm1` is `-1` as it is for `x / alpha`.
#[derive(Clone, Copy)]
struct CeluTinyAlpha<T> {
    alpha: T,
    scale: T,
}

impl<T: Float> CeluTinyAlpha<T> {
    /// `Some` exactly when `1 / alpha` overflows (for `alpha > 0`).
    fn new(alpha: T) -> Option<Self> {
        if (T::ONE / alpha).to_f64().is_finite() {
            return None;
        }
        let scale = if core::mem::size_of::<T>() == 4 { 64 } else { 512 };
        Some(CeluTinyAlpha { alpha, scale: T::from_f64(2f64.powi(scale)) })
    }

    /// `x / alpha` as the argument of the exponential: `(x s, alpha s)`.
    #[inline(always)]
    fn scaled<V: Vector<Elem = T>>(self, x: V) -> (V, T) {
        (x.mul(V::splat(self.scale)), self.alpha * self.scale)
    }
}

impl<T: Float> Kernel<T, 1> for CeluTinyAlpha<T> {
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x]: [V; 1]) -> V {
        let (xs, d) = self.scaled(x);
        let neg = math::expm1_nonpositive_quotient(xs, d).mul(V::splat(self.alpha));
        V::select(x.gt(V::zero()), x, neg)
    }
}

/// The gradient `dy * (x > 0 ? 1 : exp(x / alpha))` of [`CeluTinyAlpha`].
#[derive(Clone, Copy)]
struct CeluTinyAlphaBackward<T>(CeluTinyAlpha<T>);

impl<T: Float> Kernel<T, 2> for CeluTinyAlphaBackward<T> {
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x, dy]: [V; 2]) -> V {
        let (xs, d) = self.0.scaled(x);
        let neg = math::exp_quotient_nonpositive(xs, d);
        dy.mul(V::select(x.gt(V::zero()), V::splat(T::ONE), neg))
    }
}

/// Gradient from the input: `dy * f'(x)` with
/// `f'(x) = x > 0 ? scale : neg_coef / input_div * exp(x / input_div)`, `f'` rounded once
/// (also where it is subnormal) and then multiplied by `dy`, as PyTorch and oneDNN do.
#[derive(Clone, Copy)]
struct EluBackward<T, const DIV: bool>(Elu<T>);

impl<T: Float, const DIV: bool> Kernel<T, 2> for EluBackward<T, DIV> {
    // f32, as the forward: the exponential is a long chain.
    const LOCKSTEP: bool = core::mem::size_of::<T>() == 4;
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x, dy]: [V; 2]) -> V {
        let p = self.0;
        // For CELU neg_coef / input_div = 1.
        let neg = if DIV {
            math::exp_quotient_nonpositive(x, p.input_div)
        } else {
            math::exp_mul_nonpositive(x, V::splat(p.neg_coef))
        };
        dy.mul(V::select(x.gt(V::zero()), V::splat(p.scale), neg))
    }
}

/// Gradient from the output: `dy * (y > 0 ? scale : (y + neg_coef) / input_div)`.
#[derive(Clone, Copy)]
struct EluBackwardFromOutput<T, const DIV: bool>(Elu<T>);

impl<T: Float, const DIV: bool> Kernel<T, 2> for EluBackwardFromOutput<T, DIV> {
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [y, dy]: [V; 2]) -> V {
        let p = self.0;
        let shifted = y.add(V::splat(p.neg_coef));
        let slope_neg = if DIV { shifted.div(V::splat(p.input_div)) } else { shifted };
        dy.mul(V::select(y.gt(V::zero()), V::splat(p.scale), slope_neg))
    }
}

isa_fn! {
    /// ELU, out of place: `y[i] = x[i] > 0 ? x[i] : alpha * expm1(x[i])` (PyTorch's default
    /// `alpha` is 1.0).
    ///
    /// NaN gives NaN, `-0.0` gives `-0.0` (for `alpha > 0`), `-inf` gives `-alpha`. Error with
    /// `alpha = 1`: at most 1 ULP against the exact value; measured maximum 0.88 ULP over every
    /// f32 input (`tests/exhaustive.rs`) and 0.69 ULP on dense f64 samples (`tests/f64_sampled.rs`);
    /// another `alpha` adds the rounding of one multiply.
    ///
    /// # Panics
    /// If `x.len() != y.len()`, or if `alpha` is NaN or infinite (which would make
    /// `elu(-0.0)` NaN; any finite `alpha` is accepted, as in PyTorch).
    ///
    /// ```
    /// let mut y = [0.0f32; 4];
    /// simd_activations::elu(&[2.0, 0.0, -0.0, f32::NEG_INFINITY], &mut y, 0.5);
    /// assert_eq!(y.map(f32::to_bits), [2.0f32, 0.0, -0.0, -0.5].map(f32::to_bits));
    /// simd_activations::elu(&[-1.0], &mut y[..1], 1.0);
    /// assert!((y[0] - (-1.0f32).exp_m1()).abs() <= f32::EPSILON); // within 1 ULP
    /// ```
    pub fn elu / elu_on(isa)(x: &[T], y: &mut [T], alpha: T) {
        checks::same_len("elu", &[("x", x.len()), ("y", y.len())]);
        check_elu_alpha("elu", alpha);
        dispatch("elu", isa, Unary { kernel: EluForward::<T, false, false>(Elu::plain(alpha)), x, y })
    }
}

isa_fn! {
    /// ELU in place; semantics as [`elu`].
    ///
    /// # Panics
    /// If `alpha` is NaN or infinite.
    ///
    /// ```
    /// let mut xy = [-1.0e-30f64, 3.0, f64::NAN];
    /// simd_activations::elu_inplace(&mut xy, 2.0);
    /// assert_eq!(xy[..2], [-2.0e-30, 3.0]); // expm1(x) ~ x for tiny x
    /// assert!(xy[2].is_nan());
    /// ```
    pub fn elu_inplace / elu_inplace_on(isa)(xy: &mut [T], alpha: T) {
        check_elu_alpha("elu_inplace", alpha);
        dispatch("elu_inplace", isa, UnaryInPlace { kernel: EluForward::<T, false, false>(Elu::plain(alpha)), xy })
    }
}

isa_fn! {
    /// SELU, out of place: `y[i] = scale * (x[i] > 0 ? x[i] : alpha * expm1(x[i]))` with
    /// PyTorch's [`SELU_ALPHA`] and [`SELU_SCALE`].
    ///
    /// NaN gives NaN, `-inf` gives `-scale * alpha`. Error: at most 2 ULP; measured maximum
    /// 1.79 ULP (every f32 input) and 1.42 ULP (f64 samples).
    ///
    /// # Panics
    /// If `x.len() != y.len()`.
    ///
    /// ```
    /// use simd_activations::{selu, SELU_ALPHA, SELU_SCALE};
    /// let mut y = [0.0f64; 3];
    /// selu(&[1.0, 0.0, f64::NEG_INFINITY], &mut y);
    /// assert_eq!(y[..2], [SELU_SCALE, 0.0]);
    /// assert!((y[2] + SELU_SCALE * SELU_ALPHA).abs() < 1e-15); // the limit -scale * alpha
    /// ```
    pub fn selu / selu_on(isa)(x: &[T], y: &mut [T]) {
        checks::same_len("selu", &[("x", x.len()), ("y", y.len())]);
        dispatch("selu", isa, Unary { kernel: EluForward::<T, false, true>(Elu::selu()), x, y })
    }
}

isa_fn! {
    /// SELU in place; semantics as [`selu`].
    ///
    /// ```
    /// let mut xy = [2.0f32, f32::NAN];
    /// simd_activations::selu_inplace(&mut xy);
    /// assert_eq!(xy[0], 2.0 * simd_activations::SELU_SCALE as f32);
    /// assert!(xy[1].is_nan());
    /// ```
    pub fn selu_inplace / selu_inplace_on(isa)(xy: &mut [T]) {
        dispatch("selu_inplace", isa, UnaryInPlace { kernel: EluForward::<T, false, true>(Elu::selu()), xy })
    }
}

isa_fn! {
    /// CELU, out of place: `y[i] = x[i] > 0 ? x[i] : alpha * expm1(x[i] / alpha)` (PyTorch's
    /// default `alpha` is 1.0, where CELU equals ELU).
    ///
    /// `x / alpha` is a correctly rounded division (PyTorch multiplies by `1 / alpha`), also for
    /// a subnormal `alpha`, where `1 / alpha` overflows (then `x 2^k / (alpha 2^k)`). With
    /// `alpha = 1` it runs [`elu`]'s kernel (no division: the results are `elu`'s bit for bit,
    /// and as fast); error as [`elu`]. Another `alpha`: `x / alpha` carried to about twice the
    /// precision, the product by `alpha` one rounding more; `x` itself where `|x / alpha| <
    /// 2^-26` (f32; 2^-55 for f64), where the result rounds to `x` and a subnormal quotient
    /// would lose bits. Measured with `alpha = 2`: 0.88 ULP for every f32 input.
    ///
    /// # Panics
    /// If `x.len() != y.len()`, or unless `0 < alpha < inf` (CELU's domain; PyTorch only rejects 0).
    ///
    /// ```
    /// let mut y = [0.0f64; 3];
    /// simd_activations::celu(&[3.0, -6.0, f64::NEG_INFINITY], &mut y, 2.0);
    /// assert_eq!(y[0], 3.0);
    /// assert!((y[1] - 2.0 * (-3.0f64).exp_m1()).abs() < 1e-15); // alpha * expm1(x / alpha)
    /// assert_eq!(y[2], -2.0); // -alpha
    /// ```
    pub fn celu / celu_on(isa)(x: &[T], y: &mut [T], alpha: T) {
        checks::same_len("celu", &[("x", x.len()), ("y", y.len())]);
        check_celu_alpha("celu", alpha);
        celu_kernel(alpha, RunUnary { func: "celu", isa, x, y })
    }
}

isa_fn! {
    /// CELU in place; semantics as [`celu`].
    ///
    /// # Panics
    /// Unless `0 < alpha < inf`.
    ///
    /// ```
    /// let mut xy = [-1.0f32, 1.0];
    /// simd_activations::celu_inplace(&mut xy, simd_activations::CELU_DEFAULT_ALPHA as f32);
    /// let mut elu = [-1.0f32, 1.0];
    /// simd_activations::elu_inplace(&mut elu, 1.0);
    /// assert_eq!(xy, elu); // CELU with alpha = 1 is ELU
    /// ```
    pub fn celu_inplace / celu_inplace_on(isa)(xy: &mut [T], alpha: T) {
        check_celu_alpha("celu_inplace", alpha);
        celu_kernel(alpha, RunInPlace { func: "celu_inplace", isa, xy })
    }
}

#[track_caller]
fn check_elu_alpha<T: Float>(func: &str, alpha: T) {
    checks::finite(func, "alpha", alpha, "a NaN or infinite alpha makes elu(-0.0) NaN");
}

#[track_caller]
fn check_celu_alpha<T: Float>(func: &str, alpha: T) {
    checks::positive(func, "alpha", alpha, "CELU is defined for alpha > 0");
}

isa_fn! {
    /// ELU gradient from the input: `dx[i] = dy[i] * (x[i] > 0 ? 1 : alpha * exp(x[i]))`,
    /// the derivative rounded once (subnormal values included) and then multiplied by `dy`.
    ///
    /// The left branch holds at the breakpoint, `elu'(0) = alpha` (as PyTorch). A multiply, so
    /// NaN or inf `dy` propagates; NaN `x` gives NaN; `x = -inf` gives `dy * 0`. Error of the
    /// derivative (`dy = 1`) with `alpha = 1`: at most 1 ULP; measured 0.98 (every f32
    /// input) and 0.94 ULP (f64 samples).
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length, or if `alpha` is NaN or infinite.
    ///
    /// ```
    /// let mut dx = [0.0f32; 4];
    /// // elu'(0) = alpha (left branch), 1 on the right, dy * 0 at -inf.
    /// simd_activations::elu_backward(&[0.0, 1.0, f32::NEG_INFINITY, -1.0], &[1.0; 4], &mut dx, 0.5);
    /// assert_eq!(dx[..3], [0.5, 1.0, 0.0]);
    /// assert!((dx[3] - 0.5 * (-1.0f32).exp()).abs() <= f32::EPSILON);
    /// ```
    pub fn elu_backward / elu_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T], alpha: T) {
        checks::same_len("elu_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        check_elu_alpha("elu_backward", alpha);
        dispatch("elu_backward", isa, Binary { kernel: EluBackward::<T, false>(Elu::plain(alpha)), a: x, b: dy, out: dx })
    }
}

isa_fn! {
    /// SELU gradient from the input: `dx[i] = dy[i] * (x[i] > 0 ? scale : scale * alpha * exp(x[i]))`;
    /// `selu'(0) = scale * alpha`. Error (`dy = 1`): at most 2 ULP; measured 1.82 (every f32
    /// input) and 1.55 ULP (f64 samples).
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length.
    ///
    /// ```
    /// use simd_activations::{selu_backward, SELU_ALPHA, SELU_SCALE};
    /// let mut dx = [0.0f64; 2];
    /// selu_backward(&[0.0, 1.0], &[1.0, 2.0], &mut dx);
    /// assert!((dx[0] - SELU_SCALE * SELU_ALPHA).abs() < 1e-15); // selu'(0) = scale * alpha
    /// assert_eq!(dx[1], 2.0 * SELU_SCALE);
    /// ```
    pub fn selu_backward / selu_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T]) {
        checks::same_len("selu_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        dispatch("selu_backward", isa, Binary { kernel: EluBackward::<T, false>(Elu::selu()), a: x, b: dy, out: dx })
    }
}

isa_fn! {
    /// CELU gradient from the input: `dx[i] = dy[i] * (x[i] > 0 ? 1 : exp(x[i] / alpha))`;
    /// `celu'(0) = 1`. Error with `alpha = 1, dy = 1`: at most 1 ULP; measured 0.98 (every
    /// f32 input) and 0.94 ULP (f64 samples).
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length, or unless `0 < alpha < inf`.
    ///
    /// ```
    /// let mut dx = [0.0f64; 3];
    /// // celu'(0) = 1 for every alpha; exp(x / alpha) on the left.
    /// simd_activations::celu_backward(&[0.0, 5.0, -2.0], &[1.0; 3], &mut dx, 2.0);
    /// assert_eq!(dx[..2], [1.0, 1.0]);
    /// assert!((dx[2] - (-1.0f64).exp()).abs() < 1e-16);
    /// ```
    pub fn celu_backward / celu_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T], alpha: T) {
        checks::same_len("celu_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        check_celu_alpha("celu_backward", alpha);
        celu_backward_kernel(alpha, RunBinary { func: "celu_backward", isa, a: x, b: dy, out: dx })
    }
}

isa_fn! {
    /// ELU gradient from the output `y = elu(x, alpha)`:
    /// `dx[i] = dy[i] * (y[i] > 0 ? 1 : y[i] + alpha)` (oneDNN's `elu_use_dst_for_bwd`).
    ///
    /// Valid only for `alpha > 0`, where `y > 0` exactly when `x > 0` (PyTorch rejects the
    /// in-place backward with a negative alpha for the same reason). The result can differ
    /// from [`elu_backward`] by the rounding already in `y`.
    ///
    /// # Panics
    /// If the lengths differ, or unless `0 < alpha < inf`.
    ///
    /// ```
    /// use simd_activations::{elu_inplace, elu_backward_from_output};
    /// let mut y = [-1.0f64, 2.0];
    /// elu_inplace(&mut y, 1.0); // the forward ran in place: only y is kept
    /// let mut dx = [0.0f64; 2];
    /// elu_backward_from_output(&y, &[1.0; 2], &mut dx, 1.0);
    /// assert!((dx[0] - (-1.0f64).exp()).abs() < 1e-15); // y + alpha = e^x
    /// assert_eq!(dx[1], 1.0);
    /// ```
    pub fn elu_backward_from_output / elu_backward_from_output_on(isa)(y: &[T], dy: &[T], dx: &mut [T], alpha: T) {
        let func = "elu_backward_from_output";
        checks::same_len(func, &[("y", y.len()), ("dy", dy.len()), ("dx", dx.len())]);
        checks::positive(func, "alpha", alpha, "only then does the output determine the branch");
        dispatch(func, isa, Binary { kernel: EluBackwardFromOutput::<T, false>(Elu::plain(alpha)), a: y, b: dy, out: dx })
    }
}

isa_fn! {
    /// SELU gradient from the output `y = selu(x)`:
    /// `dx[i] = dy[i] * (y[i] > 0 ? scale : y[i] + scale * alpha)`. Valid for every input.
    ///
    /// # Panics
    /// If the lengths differ.
    ///
    /// ```
    /// use simd_activations::{selu, selu_backward, selu_backward_from_output};
    /// let x = [-0.5f64, 0.0, 1.0];
    /// let (mut y, mut a, mut b) = ([0.0; 3], [0.0; 3], [0.0; 3]);
    /// selu(&x, &mut y);
    /// selu_backward_from_output(&y, &[1.0; 3], &mut a);
    /// selu_backward(&x, &[1.0; 3], &mut b);
    /// assert!(a.iter().zip(&b).all(|(a, b)| (a - b).abs() < 1e-15));
    /// ```
    pub fn selu_backward_from_output / selu_backward_from_output_on(isa)(y: &[T], dy: &[T], dx: &mut [T]) {
        let func = "selu_backward_from_output";
        checks::same_len(func, &[("y", y.len()), ("dy", dy.len()), ("dx", dx.len())]);
        dispatch(func, isa, Binary { kernel: EluBackwardFromOutput::<T, false>(Elu::selu()), a: y, b: dy, out: dx })
    }
}

isa_fn! {
    /// CELU gradient from the output `y = celu(x, alpha)`:
    /// `dx[i] = dy[i] * (y[i] > 0 ? 1 : (y[i] + alpha) / alpha)`.
    ///
    /// Valid only for `alpha > 0`, where `y > 0` exactly when `x > 0`.
    ///
    /// # Panics
    /// If the lengths differ, or unless `0 < alpha < inf`.
    ///
    /// ```
    /// use simd_activations::{celu, celu_backward_from_output};
    /// let mut y = [0.0f64; 2];
    /// celu(&[-2.0, 3.0], &mut y, 2.0);
    /// let mut dx = [0.0f64; 2];
    /// celu_backward_from_output(&y, &[1.0; 2], &mut dx, 2.0);
    /// assert!((dx[0] - (-1.0f64).exp()).abs() < 1e-15); // (y + alpha) / alpha = e^(x / alpha)
    /// assert_eq!(dx[1], 1.0);
    /// ```
    pub fn celu_backward_from_output / celu_backward_from_output_on(isa)(y: &[T], dy: &[T], dx: &mut [T], alpha: T) {
        let func = "celu_backward_from_output";
        checks::same_len(func, &[("y", y.len()), ("dy", dy.len()), ("dx", dx.len())]);
        checks::positive(func, "alpha", alpha, "only then does the output determine the branch");
        dispatch(func, isa, Binary { kernel: EluBackwardFromOutput::<T, true>(Elu::celu(alpha)), a: y, b: dy, out: dx })
    }
}

// The kernels, handed to the fused forms and to the runs on slices (see `kernel_use`).

/// The kernel of `elu`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn elu_kernel<T: Float, U: UseKernel<T, 1>>(alpha: T, u: U) -> U::Output {
    u.with(EluForward::<T, false, false>(Elu::plain(alpha)))
}

/// The kernel of `elu`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn elu_backward_kernel<T: Float, U: UseKernel<T, 2>>(alpha: T, u: U) -> U::Output {
    u.with(EluBackward::<T, false>(Elu::plain(alpha)))
}

/// The kernel of `selu`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn selu_kernel<T: Float, U: UseKernel<T, 1>>(u: U) -> U::Output {
    u.with(EluForward::<T, false, true>(Elu::selu()))
}

/// The kernel of `selu`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn selu_backward_kernel<T: Float, U: UseKernel<T, 2>>(u: U) -> U::Output {
    u.with(EluBackward::<T, false>(Elu::selu()))
}

/// The kernel of `celu`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn celu_kernel<T: Float, U: UseKernel<T, 1>>(alpha: T, u: U) -> U::Output {
    if let Some(kernel) = CeluTinyAlpha::new(alpha) {
        return u.with(kernel);
    }
    if alpha == T::ONE {
        // x / 1 = x and 1 * expm1 = expm1: ELU's kernel, without the division.
        return u.with(EluForward::<T, false, false>(Elu::plain(alpha)));
    }
    u.with(EluForward::<T, true, false>(Elu::celu(alpha)))
}

/// The kernel of `celu`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn celu_backward_kernel<T: Float, U: UseKernel<T, 2>>(alpha: T, u: U) -> U::Output {
    if let Some(tiny) = CeluTinyAlpha::new(alpha) {
        return u.with(CeluTinyAlphaBackward(tiny));
    }
    u.with(EluBackward::<T, true>(Elu::celu(alpha)))
}
