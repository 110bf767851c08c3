//! GELU, exact (`x * Phi(x)`, with the normal CDF `Phi(x) = erfc(-x / sqrt 2) / 2`) and
//! PyTorch's tanh approximation, with gradients. Evaluated in f64 (f32 results rounded once).
//!
//! The negative tail is computed from the normal upper tail directly (`Phi(x) = Q(-x)`, see
//! `math::normal_upper_tail`), never as `1 + erf(x)`: that form cancels to 0 below x = -5.5 in
//! f32 and loses up to 10^8 ULP on [-5, -1), which is what PyTorch, oneDNN, candle and burn do.

use crate::api::isa_fn;
use crate::checks;
use crate::dispatch::dispatch;
use crate::driver::{Binary, Unary, UnaryInPlace, ViaF64};
use crate::kernels::sigmoid::{finite, sigmoid_parts, sigmoid_slope, times_vanishing};
use crate::math::{self, Accuracy, Full};
use crate::simd::{Vector, WideFn};

/// `sqrt(2 / pi)`, the tanh form's inner scale.
const GELU_TANH_BETA: f64 = 0.797_884_560_802_865_4;
/// The tanh form's cubic coefficient.
const GELU_TANH_KAPPA: f64 = 0.044_715;
/// `1 / sqrt(2 pi)`.
const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// The scalar specification, in f64, with its own `erfc` (series and continued fraction,
/// independent of the kernels' Chebyshev fit).
pub mod reference {
    use super::{FRAC_1_SQRT_2PI, GELU_TANH_BETA, GELU_TANH_KAPPA};
    use crate::kernels::sigmoid::reference::sig;
    use crate::Float;
    use core::f64::consts::{FRAC_2_SQRT_PI, FRAC_1_SQRT_2};

    /// `erfc(z)` for `z >= 0`: `1 - erf(z)` from the positive series
    /// `erf(z) = 2/sqrt(pi) e^(-z^2) sum 2^n z^(2n+1) / (1 3 5 .. (2n+1))` below 2, and the
    /// continued fraction `e^(-z^2)/sqrt(pi) / (z + 1/2 / (z + 1 / (z + 3/2 / (z + ..))))` above.
    /// `e^(-z^2)`, corrected to first order for the rounding of `z^2` (which `exp` would
    /// amplify by `z^2`).
    fn exp_neg_square(z: f64) -> f64 {
        let sq = z * z;
        if sq.is_infinite() {
            return 0.0;
        }
        (-sq).exp() * (1.0 - z.mul_add(z, -sq))
    }

    fn erfc_nonnegative(z: f64) -> f64 {
        if z < 0.5 {
            let (mut term, mut sum, mut n) = (z, z, 0.0);
            while term > sum * 1e-18 {
                n += 1.0;
                term *= 2.0 * z * z / (2.0 * n + 1.0);
                sum += term;
            }
            1.0 - FRAC_2_SQRT_PI * exp_neg_square(z) * sum
        } else {
            // Terms for full f64 convergence (checked against 40-digit values).
            let terms = if z < 1.0 { 2000 } else if z < 1.5 { 500 } else { 120 };
            let mut f = z;
            for k in (1..terms).rev() {
                f = z + (k as f64 / 2.0) / f;
            }
            exp_neg_square(z) / core::f64::consts::PI.sqrt() / f
        }
    }

    /// `Phi(x) = P(Z <= x)`. The rounding of `z = |x| / sqrt 2` is corrected to first order
    /// (`erfc'(z) = -2/sqrt(pi) e^(-z^2)`), which matters in the far tails.
    fn phi(x: f64) -> f64 {
        if x.is_nan() || x.is_infinite() {
            return if x.is_nan() { x } else { x.clamp(0.0, 1.0) };
        }
        let a = x.abs();
        let z = a * FRAC_1_SQRT_2;
        // |x| / sqrt 2 - z: the product's rounding error (exact by FMA) plus the constant's own
        // (1/sqrt 2 - FRAC_1_SQRT_2 = -4.833646656726457e-17).
        let dz = a.mul_add(FRAC_1_SQRT_2, -z) + a * -4.833_646_656_726_457e-17;
        let tail = 0.5 * (erfc_nonnegative(z) - dz * FRAC_2_SQRT_PI * exp_neg_square(z));
        if x >= 0.0 {
            1.0 - tail
        } else {
            tail
        }
    }

    /// `x * Phi(x)`; `-0.0` at `-inf` (the limit).
    pub fn gelu<T: Float>(x: T) -> T {
        let x = x.to_f64();
        T::from_f64(if x == f64::NEG_INFINITY { -0.0 } else { x * phi(x) })
    }
    /// `dy * (Phi(x) + x phi(x))`, rounded once; the limits 0 and 1 at -inf and +inf.
    pub fn gelu_backward<T: Float>(x: T, dy: T) -> T {
        let x = x.to_f64();
        let density = if x.is_infinite() { 0.0 } else { x * exp_neg_square(x * FRAC_1_SQRT_2) * FRAC_1_SQRT_2PI };
        T::from_f64(dy.to_f64() * (phi(x) + density))
    }

    fn inner(x: f64) -> f64 {
        GELU_TANH_BETA * (x + GELU_TANH_KAPPA * x * x * x)
    }

    /// `x / 2 * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`; `-0.0` at `-inf`.
    pub fn gelu_tanh<T: Float>(x: T) -> T {
        let x = x.to_f64();
        // 1 + tanh(u) = 2 / (1 + e^(-2u)): no cancellation for negative u.
        T::from_f64(if x == f64::NEG_INFINITY { -0.0 } else { x * sig(2.0 * inner(x)) })
    }
    /// PyTorch's gradient of the tanh form, rounded once:
    /// `dy * (0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 0.044715 x^2))`, `t = tanh(u)`.
    pub fn gelu_tanh_backward<T: Float>(x: T, dy: T) -> T {
        let x = x.to_f64();
        if x.is_infinite() {
            return T::from_f64(dy.to_f64() * if x > 0.0 { 1.0 } else { 0.0 });
        }
        let u = inner(x);
        if u.is_infinite() {
            return T::from_f64(dy.to_f64() * if x > 0.0 { 1.0 } else { 0.0 });
        }
        let half_one_plus_t = sig(2.0 * u);
        let sech = 1.0 / u.cosh();
        let sech2 = sech * sech;
        let d = half_one_plus_t
            + 0.5 * x * sech2 * GELU_TANH_BETA * (1.0 + 3.0 * GELU_TANH_KAPPA * x * x);
        T::from_f64(dy.to_f64() * d)
    }
}

/// `Phi(x)`: `1 - Q(|x|)` for `x >= 0`, `Q(|x|)` below (no cancellation either way).
#[inline(always)]
fn normal_cdf<A: Accuracy, W: Vector<Elem = f64>>(x: W) -> W {
    let q = math::normal_upper_tail::<A, W>(x);
    W::select(W::zero().le(x), W::splat(1.0).sub(q), q)
}

/// `2u` for the tanh form, `u = sqrt(2/pi) (x + 0.044715 x^3)`.
#[inline(always)]
fn gelu_tanh_twice_inner<W: Vector<Elem = f64>>(x: W) -> W {
    let x2 = x.mul(x);
    let cubic = x2.mul(x).mul_add(W::splat(GELU_TANH_KAPPA), x);
    cubic.mul(W::splat(2.0 * GELU_TANH_BETA))
}

#[derive(Clone, Copy)]
struct Gelu;
impl WideFn<1> for Gelu {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x]: [W; 1]) -> W {
        times_vanishing(x, normal_cdf::<A, W>(x))
    }
}

#[derive(Clone, Copy)]
struct GeluBackward;
impl WideFn<2> for GeluBackward {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x, dy]: [W; 2]) -> W {
        // Full accuracy whatever the element type: the sum cancels at the gradient's zero.
        let density = math::exp_neg_half_square::<Full, W>(x).mul(W::splat(FRAC_1_SQRT_2PI));
        dy.mul(finite(x).mul_add(density, normal_cdf::<Full, W>(x)))
    }
}

#[derive(Clone, Copy)]
struct GeluTanh;
impl WideFn<1> for GeluTanh {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x]: [W; 1]) -> W {
        // x/2 (1 + tanh(u)) = x sigmoid(2u).
        times_vanishing(x, sigmoid_parts::<A, W>(gelu_tanh_twice_inner(x)).1)
    }
}

#[derive(Clone, Copy)]
struct GeluTanhBackward;
impl WideFn<2> for GeluTanhBackward {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x, dy]: [W; 2]) -> W {
        // 0.5 (1 + t) = s = sigmoid(2u); 0.5 (1 - t^2) = 2 s (1 - s) = 2 e / (1 + e)^2.
        // Full accuracy whatever the element type: the sum cancels at the gradient's zero.
        let (e, s) = sigmoid_parts::<Full, W>(gelu_tanh_twice_inner(x));
        // |x| capped so x (1 + 3 k x^2) stays finite where the factor e/(1+e)^2 is 0.
        let xc = x.clamp_min(W::splat(-1e100)).clamp_max(W::splat(1e100));
        let poly = xc.mul(xc).mul_add(W::splat(3.0 * GELU_TANH_KAPPA), W::splat(1.0));
        let slope = W::splat(2.0 * GELU_TANH_BETA).mul(sigmoid_slope(e));
        dy.mul(xc.mul(poly).mul_add(slope, s))
    }
}

isa_fn! {
    /// GELU (exact, PyTorch's `approximate='none'`), out of place: `y[i] = x[i] * Phi(x[i])`
    /// with `Phi` the standard normal CDF.
    ///
    /// The negative tail is accurate down to the subnormal range (PyTorch, oneDNN, candle and
    /// burn return 0 below x = -5.5 in f32). NaN gives NaN; `gelu(-inf) = -0.0` (the limit;
    /// PyTorch and oneDNN give NaN), `gelu(+inf) = +inf`. Error: 0.5 ULP for every f32
    /// input (correctly rounded but for ties); f64 measured 7 ULP for x > -37, 19 below.
    ///
    /// # Panics
    /// If `x.len() != y.len()`.
    pub fn gelu / gelu_on(isa)(x: &[T], y: &mut [T]) {
        checks::same_len("gelu", &[("x", x.len()), ("y", y.len())]);
        dispatch("gelu", isa, Unary { kernel: ViaF64(Gelu), x, y })
    }
}

isa_fn! {
    /// GELU in place; semantics as [`gelu`].
    pub fn gelu_inplace / gelu_inplace_on(isa)(xy: &mut [T]) {
        dispatch("gelu_inplace", isa, UnaryInPlace { kernel: ViaF64(Gelu), xy })
    }
}

isa_fn! {
    /// GELU gradient: `dx = dy * (Phi(x) + x phi(x))` with `phi` the normal density,
    /// computed in f64 and rounded once; the limits 0 at `-inf` and 1 at `+inf`.
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length.
    pub fn gelu_backward / gelu_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T]) {
        checks::same_len("gelu_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        dispatch("gelu_backward", isa, Binary { kernel: ViaF64(GeluBackward), a: x, b: dy, out: dx })
    }
}

isa_fn! {
    /// GELU, tanh approximation (PyTorch's `approximate='tanh'`), out of place:
    /// `y[i] = x/2 * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`, evaluated as
    /// `x * sigmoid(2u)` so the negative tail does not cancel.
    ///
    /// NaN gives NaN; `-inf` gives `-0.0` (the limit), `+inf` gives `+inf`. Error: 0.5 ULP
    /// for every f32 input (measured); f64 measured 2.5 ULP for x > -1 but up to 1394 ULP near
    /// x = -21 (the rounding of the cubic argument is amplified by `|2u|`).
    ///
    /// # Panics
    /// If `x.len() != y.len()`.
    pub fn gelu_tanh / gelu_tanh_on(isa)(x: &[T], y: &mut [T]) {
        checks::same_len("gelu_tanh", &[("x", x.len()), ("y", y.len())]);
        dispatch("gelu_tanh", isa, Unary { kernel: ViaF64(GeluTanh), x, y })
    }
}

isa_fn! {
    /// GELU (tanh form) in place; semantics as [`gelu_tanh`].
    pub fn gelu_tanh_inplace / gelu_tanh_inplace_on(isa)(xy: &mut [T]) {
        dispatch("gelu_tanh_inplace", isa, UnaryInPlace { kernel: ViaF64(GeluTanh), xy })
    }
}

isa_fn! {
    /// Gradient of the tanh form (PyTorch's formula, without its cancellations):
    /// `dx = dy * (0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2))`,
    /// `t = tanh(u)`, in f64 and rounded once; the limits 0 and 1 at `-inf` and `+inf`.
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length.
    pub fn gelu_tanh_backward / gelu_tanh_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T]) {
        checks::same_len("gelu_tanh_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        dispatch("gelu_tanh_backward", isa, Binary { kernel: ViaF64(GeluTanhBackward), a: x, b: dy, out: dx })
    }
}
