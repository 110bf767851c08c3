//! Hyperbolic tangent and its gradient. f32: natively in f32 lanes (a compensated quotient
//! over `math::native::exp_pair` where `|x| >= 1/4`, an odd polynomial below); f64: in f64
//! with double-length steps.

use crate::api::isa_fn;
use crate::checks;
use crate::dispatch::dispatch;
use crate::kernel_use::UseKernel;
use crate::Float;
use crate::driver::{Binary, Native, Unary, UnaryInPlace, ViaF64};
use crate::kernels::sigmoid::{
    logistic_slope_f32, logistic_slope_pair, sigmoid_slope, wide_beyond, PAIR_MIN_ARG,
};
use crate::math::{self, Accuracy};
use crate::math::native;
use crate::simd::{NativeFn, Vector, WideFn};

/// The scalar specification, evaluated in f64.
pub mod reference {
    use crate::float::nan_rule;
    use crate::Float;

    /// `tanh(x)` (the platform's f64 `tanh`).
    pub fn tanh<T: Float>(x: T) -> T {
        nan_rule([x], || {
            T::from_f64(x.to_f64().tanh())
        })
    }
    /// `dy * (1 - tanh(x)^2)` as `dy * sech(x)^2`, rounded once (the native f32 kernel rounds
    /// the slope, then multiplies by `dy`).
    pub fn tanh_backward<T: Float>(x: T, dy: T) -> T {
        nan_rule([x, dy], || {
            let sech = 1.0 / x.to_f64().cosh();
            T::from_f64(dy.to_f64() * (sech * sech))
        })
    }
    /// `dy * (1 - y^2)`, rounded once.
    pub fn tanh_backward_from_output<T: Float>(y: T, dy: T) -> T {
        nan_rule([y, dy], || {
            let y = y.to_f64();
            T::from_f64(dy.to_f64() * ((1.0 - y) * (1.0 + y)))
        })
    }
}

/// Below this magnitude `tanh(x)` rounds to `x` in f64.
const TANH_TINY: f64 = 1e-9;

/// `tanh(x)` in f64: `-m / (2 + m)` with `m = expm1(-2|x|)` in (-1, 0] (no cancellation),
/// the sign restored; `x` itself where it is tiny (keeps `-0.0`).
#[inline(always)]
pub(crate) fn tanh_wide<A: Accuracy, W: Vector<Elem = f64>>(x: W) -> W {
    let a = x.abs();
    let m = math::expm1_nonpositive_wide::<A, W>(a.mul(W::splat(-2.0)));
    let t = m.neg().div(W::splat(2.0).add(m));
    let signed = W::select(x.lt(W::zero()), t.neg(), t);
    W::select(a.lt(W::splat(TANH_TINY)), x, signed)
}

/// `tanh(x)` for f64 results: `-m / (2 + m)` as in [`tanh_wide`], with `m` and `2 + m`
/// carried as unevaluated sums and the quotient corrected (`math::div_pair`), so the one
/// rounding at the end is the only one that counts.
#[inline(always)]
fn tanh_accurate<W: Vector<Elem = f64>>(x: W) -> W {
    let (mh, ml) = math::expm1_nonpositive_pair(x.abs().mul(W::splat(-2.0)));
    let two = W::splat(2.0);
    let dh = two.add(mh);
    let dl = two.sub(dh).add(mh).add(ml);
    let (q, q_lo) = math::div_pair(mh.neg(), ml.neg(), dh, dl);
    let t = q.add(q_lo);
    let signed = W::select(x.lt(W::zero()), t.neg(), t);
    W::select(x.abs().lt(W::splat(TANH_TINY)), x, signed)
}

/// Below this `|x|` the native f32 tanh takes its odd polynomial (above, `1 - e^-2|x|` keeps
/// its relative accuracy: `e^-2|x| <= 0.61`).
const TANH_SMALL_F32: f32 = 0.25;
/// `tanh(x) = x + x^3 (c3 + c5 x^2 + c7 x^4 + c9 x^6)` on `|x| <= 1/4`, relative error 2^-30
/// (fitted in 40-digit arithmetic, coefficients rounded to f32 before measuring).
const TANH_ODD: [f32; 4] = [
    f32::from_bits(0xbeaa_aaaa), // -0.33333331
    f32::from_bits(0x3e08_882c), // 0.13333195
    f32::from_bits(0xbd5c_c755), // -0.053901035
    f32::from_bits(0x3ca8_8792), // 0.020572457
];
/// Beyond `|x| = 9.1` tanh rounds to 1 in f32: the argument of the exponential is clamped
/// there (which also keeps it in the native exponential's range, and gives 1 at infinity).
const TANH_EXP_MIN_ARG: f32 = -18.2;

/// Native f32 tanh: `(1 - e) / (1 + e)` with `e = e^-2|x| = eh + el`, numerator and
/// denominator in double length (`1 - eh` and `1 + eh` split exactly), the quotient corrected
/// by one FMA remainder (`1 / (1 + e) ~ (1 + q0) / 2`); for `|x| < 1/4` the odd polynomial.
/// The sign of `x` is or-ed in at the end (so `-0.0` gives `-0.0`).
#[inline(always)]
fn tanh_f32<V: Vector<Elem = f32>>(x: V) -> V {
    let one = V::splat(1.0);
    let z = x.abs();
    let a = z.mul(V::splat(-2.0)).clamp_min(V::splat(TANH_EXP_MIN_ARG));
    let (eh, el) = native::exp_pair(a);
    let n = one.sub(eh);
    let nl = one.sub(n).sub(eh).sub(el);
    let d = one.add(eh);
    let q0 = n.div(d);
    // n + nl - q0 (1 + eh + el), with n - q0 exact (Sterbenz) and one FMA for q0 eh.
    let r = q0.neg().mul_add(eh, n.sub(q0)).add(nl);
    let c = q0.neg().mul_add(el, r);
    let large = c.mul_add(q0.mul_add(V::splat(0.5), V::splat(0.5)), q0);
    let u = z.mul(z);
    let [c3, c5, c7, c9] = TANH_ODD.map(V::splat);
    let p = c9.mul_add(u, c7).mul_add(u, c5).mul_add(u, c3);
    let small = z.mul(u).mul_add(p, z);
    V::select(z.lt(V::splat(TANH_SMALL_F32)), small, large).or_sign(x)
}

#[derive(Clone, Copy)]
struct Tanh;
impl NativeFn<1> for Tanh {
    #[inline(always)]
    fn eval_f32<V: Vector<Elem = f32>>(self, [x]: [V; 1]) -> V {
        tanh_f32(x)
    }
}
impl WideFn<1> for Tanh {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x]: [W; 1]) -> W {
        if A::FOR_F32 {
            tanh_wide::<A, W>(x)
        } else {
            tanh_accurate(x)
        }
    }
}

#[derive(Clone, Copy)]
struct TanhBackward;
impl NativeFn<2> for TanhBackward {
    #[inline(always)]
    fn eval_f32<V: Vector<Elem = f32>>(self, [x, dy]: [V; 2]) -> V {
        // 1 - tanh(x)^2 = 4 e / (1 + e)^2 with e = e^-2|x|, the logistic slope times 4.
        let a = x.abs().mul(V::splat(-2.0));
        let (eh, el) = native::exp_pair(a);
        let (hi, lo) = logistic_slope_f32(eh, el);
        let slope = hi.add(lo).mul(V::splat(4.0));
        wide_beyond(a, slope.mul(dy), [x, dy], self)
    }
}
impl WideFn<2> for TanhBackward {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x, dy]: [W; 2]) -> W {
        // 1 - tanh(x)^2 = 4 e / (1 + e)^2 with e = exp(-2|x|): no cancellation in the tails.
        let a = x.abs().mul(W::splat(-2.0));
        let four = W::splat(4.0);
        if A::FOR_F32 {
            return dy.mul(four.mul(sigmoid_slope(math::exp_nonpositive::<A, W>(a))));
        }
        let (q, q_lo) = logistic_slope_pair(a, W::zero());
        let slope = four.mul(q.add(q_lo));
        let beyond = a.lt(W::splat(PAIR_MIN_ARG));
        dy.mul(if W::any(beyond) {
            // e subnormal: 4 e / (1 + e)^2 = 4 e, rounded once.
            W::select(beyond, math::exp_mul_nonpositive(a, four), slope)
        } else {
            slope
        })
    }
}

#[derive(Clone, Copy)]
struct TanhBackwardFromOutput;
impl WideFn<2> for TanhBackwardFromOutput {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [y, dy]: [W; 2]) -> W {
        let one = W::splat(1.0);
        dy.mul(one.sub(y).mul(one.add(y)))
    }
}

isa_fn! {
    /// Hyperbolic tangent, out of place: `y[i] = tanh(x[i])`.
    ///
    /// NaN gives NaN, `+-inf` give `+-1`, `-0.0` gives `-0.0`. Odd and within [-1, 1].
    /// f32: natively in f32 lanes, `(1 - e) / (1 + e)` with `e = exp(-2|x|)` as an unevaluated
    /// sum, numerator and denominator in double length and the quotient corrected by one FMA
    /// remainder, for `|x| >= 1/4`; an odd polynomial (relative error 2^-30) below. f64:
    /// `-m / (2 + m)` with `m = expm1(-2|x|)`, `m`, `2 + m` and the quotient in double length.
    /// Error: 0.730 ULP for every f32 input (measured); f64 0.65 ULP (`tests/f64_sampled.rs`:
    /// 300k inputs against double-double values).
    ///
    /// # Panics
    /// If `x.len() != y.len()`.
    ///
    /// ```
    /// let mut y = [0.0f32; 4];
    /// simd_activations::tanh(&[-0.0, f32::INFINITY, f32::NEG_INFINITY, 0.5], &mut y);
    /// assert_eq!(y[..3].iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
    ///            [-0.0f32, 1.0, -1.0].map(f32::to_bits));
    /// assert!((y[3] - 0.5f32.tanh()).abs() <= f32::EPSILON / 2.0);
    /// ```
    pub fn tanh / tanh_on(isa)(x: &[T], y: &mut [T]) {
        checks::same_len("tanh", &[("x", x.len()), ("y", y.len())]);
        dispatch("tanh", isa, Unary { kernel: Native(Tanh), x, y })
    }
}

isa_fn! {
    /// Hyperbolic tangent in place; semantics as [`tanh`].
    ///
    /// ```
    /// let mut xy = [20.0f64, -0.5, f64::NAN];
    /// simd_activations::tanh_inplace(&mut xy);
    /// assert_eq!(xy[0], 1.0); // 1 - 4e-18 rounds to 1: never above it
    /// assert!((xy[1] + 0.5f64.tanh()).abs() < 1e-15); // odd
    /// assert!(xy[2].is_nan());
    /// ```
    pub fn tanh_inplace / tanh_inplace_on(isa)(xy: &mut [T]) {
        dispatch("tanh_inplace", isa, UnaryInPlace { kernel: Native(Tanh), xy })
    }
}

isa_fn! {
    /// Tanh gradient from the input: `dx = dy * (1 - tanh(x)^2)`, evaluated as
    /// `4 e / (1 + e)^2` with `e = exp(-2|x|)` (no cancellation; f32: natively, the slope in
    /// double length, rounded once, lanes with `|x| > 32` from the f64 form; f64: double
    /// length) and multiplied by `dy`. Error (`dy = 1`): 0.754 ULP for every f32 input; f64 0.93 ULP
    /// (`tests/f64_sampled.rs`: 300k inputs against double-double values).
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length.
    ///
    /// ```
    /// let mut dx = [0.0f32; 3];
    /// simd_activations::tanh_backward(&[0.0, 10.0, f32::INFINITY], &[3.0; 3], &mut dx);
    /// assert_eq!(dx[0], 3.0); // tanh'(0) = 1
    /// assert!(dx[1] > 0.0 && dx[1] < 1e-7); // 4 e^-20: no cancellation to 0
    /// assert_eq!(dx[2], 0.0);
    /// ```
    pub fn tanh_backward / tanh_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T]) {
        checks::same_len("tanh_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        dispatch("tanh_backward", isa, Binary { kernel: Native(TanhBackward), a: x, b: dy, out: dx })
    }
}

isa_fn! {
    /// Tanh gradient from the output `y = tanh(x)`: `dx = dy * (1 - y^2)` (as PyTorch and
    /// oneDNN; evaluated as `(1 - y)(1 + y)` in f64, rounded once). Valid for every input.
    ///
    /// # Panics
    /// If `y`, `dy` and `dx` differ in length.
    ///
    /// ```
    /// use simd_activations::{tanh_inplace, tanh_backward_from_output};
    /// let mut y = [0.0f64, 0.5];
    /// tanh_inplace(&mut y);
    /// let mut dx = [0.0f64; 2];
    /// tanh_backward_from_output(&y, &[1.0; 2], &mut dx);
    /// assert_eq!(dx[0], 1.0);
    /// assert!((dx[1] - (1.0 - 0.5f64.tanh().powi(2))).abs() < 1e-15);
    /// ```
    pub fn tanh_backward_from_output / tanh_backward_from_output_on(isa)(y: &[T], dy: &[T], dx: &mut [T]) {
        let func = "tanh_backward_from_output";
        checks::same_len(func, &[("y", y.len()), ("dy", dy.len()), ("dx", dx.len())]);
        dispatch(func, isa, Binary { kernel: ViaF64(TanhBackwardFromOutput), a: y, b: dy, out: dx })
    }
}

// The kernels, handed to the fused forms and to the runs on slices (see `kernel_use`).

/// The kernel of `tanh`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn tanh_kernel<T: Float, U: UseKernel<T, 1>>(u: U) -> U::Output {
    u.with(Native(Tanh))
}

/// The kernel of `tanh`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn tanh_backward_kernel<T: Float, U: UseKernel<T, 2>>(u: U) -> U::Output {
    u.with(Native(TanhBackward))
}
