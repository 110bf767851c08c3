//! `x * sigmoid(k x)` for a constant `k`: QuickGELU (`k = 1.702`, OpenAI CLIP, Hugging Face's
//! `quick_gelu`) and SiLU with a slope `beta` (TensorFlow's `tf.nn.silu(features, beta)`),
//! with their gradient `g(k x)`, `g(u) = sigmoid(u) + u sigmoid(u) sigmoid(-u)` (SiLU's
//! derivative). In f64 (f32 results rounded once), `u = k x` carried in double length for f64
//! results; the gradient's zero at `u0 = -1.2785` from its Taylor series.

use crate::api::isa_fn;
use crate::checks;
use crate::defaults::QUICK_GELU_SCALE;
use crate::dispatch::dispatch;
use crate::kernel_use::UseKernel;
use crate::driver::{Binary, Unary, UnaryInPlace, ViaF64};
use crate::kernels::sigmoid::{
    finite, logistic_slope_pair, sigmoid_pair, sigmoid_parts, sigmoid_slope, subnormal_exp_tail,
    PAIR_MIN_ARG, SILU_GRADIENT_ZERO,
};
use crate::math::{self, Accuracy, Full};
use crate::simd::{Vector, WideFn};
use crate::Float;

/// The scalar specification, evaluated in f64.
pub mod reference {
    use crate::float::nan_rule;
    use crate::kernels::sigmoid::reference::{sig, times_exp, SUBNORMAL_EXP};
    use crate::Float;

    /// `u = k x` as `uh + ul`: the product's rounding error (exact by FMA) plus `x k_lo` (0
    /// where the product overflows).
    fn arg(x: f64, k: f64, k_lo: f64) -> (f64, f64) {
        let uh = k * x;
        let ul = k.mul_add(x, -uh) + k_lo * x;
        (uh, if ul.is_finite() { ul } else { 0.0 })
    }

    /// `x * sigmoid((k + k_lo) x)` in f64, the rounding of `k x` corrected to first order
    /// (`sigmoid(uh + ul) ~ sigmoid(uh) (1 + ul sigmoid(-uh))`); at `x = +-inf` the limits
    /// (`x` where `k x >= 0`, else a zero of `x`'s sign); `x e^(k x)` below `k x = -708`
    /// (rounded once).
    pub fn scaled_silu(x: f64, k: f64, k_lo: f64) -> f64 {
        let (u, ul) = arg(x, k, k_lo);
        if x.is_infinite() {
            if u >= 0.0 || u.is_nan() {
                x
            } else {
                0.0f64.copysign(x)
            }
        } else if u < SUBNORMAL_EXP {
            times_exp(x, u) * (1.0 + ul)
        } else {
            x * (sig(u) * (1.0 + ul * sig(-u)))
        }
    }
    /// `g((k + k_lo) x)` with `g(u) = sigmoid(u) + u sigmoid(u) sigmoid(-u)`, in f64, the
    /// rounding of `k x` corrected to first order (`g' = s (1 - s) (2 + u (1 - 2s))`); limits 1
    /// and 0 at `u = +inf, -inf` (`0.5` for `k = 0`); `(1 + u) e^u` below `u = -708`.
    pub fn scaled_silu_slope(x: f64, k: f64, k_lo: f64) -> f64 {
        let (u, ul) = arg(x, k, k_lo);
        if x.is_nan() {
            x
        } else if u.is_nan() {
            0.5
        } else if u.is_infinite() {
            if u > 0.0 {
                1.0
            } else {
                0.0
            }
        } else if u < SUBNORMAL_EXP {
            times_exp(1.0 + u, u)
        } else {
            let (s, t) = (sig(u), sig(-u));
            s + u * s * t + ul * (s * t * (2.0 + u * (t - s)))
        }
    }

    /// `x * sigmoid(1.702 x)`.
    pub fn quick_gelu<T: Float>(x: T) -> T {
        nan_rule([x], || T::from_f64(scaled_silu(x.to_f64(), super::QUICK_GELU_SCALE, super::QUICK_GELU_SCALE_LO)))
    }
    /// `dy * g(1.702 x)`, rounded once.
    pub fn quick_gelu_backward<T: Float>(x: T, dy: T) -> T {
        nan_rule([x, dy], || {
            T::from_f64(dy.to_f64() * scaled_silu_slope(x.to_f64(), super::QUICK_GELU_SCALE, super::QUICK_GELU_SCALE_LO))
        })
    }
    /// `x * sigmoid(beta x)`.
    pub fn silu_beta<T: Float>(x: T, beta: T) -> T {
        nan_rule([x], || T::from_f64(scaled_silu(x.to_f64(), beta.to_f64(), 0.0)))
    }
    /// `dy * g(beta x)`, rounded once.
    pub fn silu_beta_backward<T: Float>(x: T, dy: T, beta: T) -> T {
        nan_rule([x, dy], || T::from_f64(dy.to_f64() * scaled_silu_slope(x.to_f64(), beta.to_f64(), 0.0)))
    }
}

/// `1.702 - f64(1.702)`: the low part of QuickGELU's constant.
const QUICK_GELU_SCALE_LO: f64 = 4.263_256_414_560_601e-17;

/// Beyond `|u| = 10^4` the sigmoid is 0 or 1 in f64: `u` is clamped there.
const U_MAX: f64 = 1e4;

/// The constant `k = hi + lo`.
#[derive(Clone, Copy)]
struct Scale {
    hi: f64,
    lo: f64,
}

impl Scale {
    /// `(xf, uh, ul)`: `x` clamped to the finite range, and `u = k xf = uh + ul` (the
    /// product's error exact by FMA, plus `xf lo`) clamped to `|u| <= U_MAX` (`ul = 0` there).
    #[inline(always)]
    fn arg<W: Vector<Elem = f64>>(self, x: W) -> (W, W, W) {
        let xf = finite(x);
        let k = W::splat(self.hi);
        let uh = xf.mul(k);
        let ul = xf.mul_add(k, uh.neg()).add(xf.mul(W::splat(self.lo)));
        let big = W::splat(U_MAX).lt(uh.abs());
        let uh = uh.clamp_min(W::splat(-U_MAX)).clamp_max(W::splat(U_MAX));
        (xf, uh, W::select(big, W::zero(), ul))
    }
}

#[derive(Clone, Copy)]
struct ScaledSilu(Scale);
impl WideFn<1> for ScaledSilu {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x]: [W; 1]) -> W {
        let (xf, uh, ul) = self.0.arg(x);
        let r = if A::FOR_F32 {
            xf.mul(sigmoid_parts::<A, W>(uh).1)
        } else {
            // x q + x q_lo with q + q_lo = sigmoid(uh + ul): one rounding.
            let (q, q_lo) = sigmoid_pair(uh, ul);
            let y = xf.mul_add(q, xf.mul(q_lo));
            let beyond = uh.lt(W::splat(PAIR_MIN_ARG));
            if W::any(beyond) {
                let plain = xf.mul(sigmoid_parts::<Full, W>(uh).1);
                W::select(beyond, subnormal_exp_tail::<A, W>(uh, ul, xf, plain), y)
            } else {
                y
            }
        };
        // x = +-inf: the limits, x where k x >= 0, else a zero of x's sign.
        let infinite = W::splat(f64::MAX).lt(x.abs());
        let limit = W::select(W::zero().le(uh), x, W::zero().or_sign(x));
        W::select(infinite, limit, r)
    }
}

#[derive(Clone, Copy)]
struct ScaledSiluBackward(Scale);
impl WideFn<2> for ScaledSiluBackward {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x, dy]: [W; 2]) -> W {
        let (_, uh, ul) = self.0.arg(x);
        if A::FOR_F32 {
            let (e, s) = sigmoid_parts::<A, W>(uh);
            let d = uh.mul_add(sigmoid_slope(e), s);
            return dy.mul(SILU_GRADIENT_ZERO.refine_single_pair(uh, ul, d));
        }
        // f64: s + u slope with both terms (and u) in double length, the series within 1/4
        // of the zero, the once-rounded (1 + u) e^u below -708, the plain form beyond 708.
        let nonnegative = W::zero().le(uh);
        let (sh, sl) = sigmoid_pair(uh, ul);
        let (ph, pl) = logistic_slope_pair(uh.abs().neg(), W::select(nonnegative, ul.neg(), ul));
        let up = uh.mul(ph);
        let up_err = uh.mul_add(ph, up.neg()).add(uh.mul_add(pl, ul.mul(ph)));
        let (sum, sum_err) = math::two_sum(sh, up);
        let paired = SILU_GRADIENT_ZERO.refine_full_pair(uh, ul, sum.add(sum_err.add(sl).add(up_err)));
        let beyond = W::splat(-PAIR_MIN_ARG).lt(uh.abs());
        let d = if W::any(beyond) {
            let (e, s) = sigmoid_parts::<Full, W>(uh);
            W::select(beyond, uh.mul_add(sigmoid_slope(e), s), paired)
        } else {
            paired
        };
        dy.mul(subnormal_exp_tail::<A, W>(uh, ul, uh.add(W::splat(1.0)), d))
    }
}

const QUICK: Scale = Scale { hi: QUICK_GELU_SCALE, lo: QUICK_GELU_SCALE_LO };

fn beta_scale<T: Float>(beta: T) -> Scale {
    Scale { hi: beta.to_f64(), lo: 0.0 }
}

#[track_caller]
fn check_beta<T: Float>(func: &str, beta: T) {
    checks::finite(func, "beta", beta, "a NaN or infinite beta makes silu_beta(0) NaN");
}

isa_fn! {
    /// QuickGELU, out of place: `y[i] = x[i] * sigmoid(1.702 x[i])` (OpenAI CLIP, Hugging
    /// Face's `quick_gelu`; 1.702 is taken exactly, where PyTorch rounds it to `T` and rounds
    /// `1.702 x` too, a few f32 ULP away for large `|x|`).
    ///
    /// In f64 (f32 results rounded once; for f64 `1.702 x` and the sigmoid in double length).
    /// NaN gives NaN; the limits at infinity: `-inf` gives `-0.0`, `+inf` gives `+inf`.
    /// Error: 0.507 ULP for every f32 input (measured); f64 1.2 ULP (20,000 sampled inputs
    /// against 50-digit values; the worst in the tail near x = -417).
    ///
    /// # Panics
    /// If `x.len() != y.len()`.
    ///
    /// ```
    /// let mut y = [0.0f32; 3];
    /// simd_activations::quick_gelu(&[1.0, f32::NEG_INFINITY, 0.0], &mut y);
    /// assert!((y[0] - 1.0 / (1.0 + (-1.702f32).exp())).abs() <= f32::EPSILON);
    /// assert_eq!(y[1].to_bits(), (-0.0f32).to_bits());
    /// ```
    pub fn quick_gelu / quick_gelu_on(isa)(x: &[T], y: &mut [T]) {
        checks::same_len("quick_gelu", &[("x", x.len()), ("y", y.len())]);
        dispatch("quick_gelu", isa, Unary { kernel: ViaF64(ScaledSilu(QUICK)), x, y })
    }
}

isa_fn! {
    /// QuickGELU in place; semantics as [`quick_gelu`].
    ///
    /// ```
    /// let mut xy = [f64::INFINITY, f64::NAN];
    /// simd_activations::quick_gelu_inplace(&mut xy);
    /// assert_eq!(xy[0], f64::INFINITY);
    /// assert!(xy[1].is_nan());
    /// ```
    pub fn quick_gelu_inplace / quick_gelu_inplace_on(isa)(xy: &mut [T]) {
        dispatch("quick_gelu_inplace", isa, UnaryInPlace { kernel: ViaF64(ScaledSilu(QUICK)), xy })
    }
}

isa_fn! {
    /// QuickGELU gradient: `dx[i] = dy[i] * g(1.702 x[i])`, `g(u) = sigmoid(u) + u sigmoid(u)
    /// sigmoid(-u)`; limits 0 and 1 at `-inf` and `+inf`. The terms cancel at the zero
    /// `x0 = -1.2785 / 1.702 = -0.7512`, where a Taylor series takes over. In f64, multiplied
    /// by `dy` there. NaN `x` gives NaN. Error (`dy = 1`): 0.511 ULP for every f32 input;
    /// f64 1.96 ULP (sampled as the forward, 200 of them within 1e-10 of the zero).
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length.
    ///
    /// ```
    /// let mut dx = [9.0f32; 3];
    /// simd_activations::quick_gelu_backward(&[0.0, f32::NEG_INFINITY, f32::INFINITY], &[1.0; 3], &mut dx);
    /// assert_eq!(dx, [0.5, 0.0, 1.0]);
    /// ```
    pub fn quick_gelu_backward / quick_gelu_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T]) {
        checks::same_len("quick_gelu_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        dispatch("quick_gelu_backward", isa, Binary { kernel: ViaF64(ScaledSiluBackward(QUICK)), a: x, b: dy, out: dx })
    }
}

isa_fn! {
    /// SiLU with a slope, out of place: `y[i] = x[i] * sigmoid(beta x[i])` (TensorFlow's
    /// `tf.nn.silu(features, beta)`, Keras's swish with `beta`; `beta = 1` is [`silu`](crate::silu),
    /// `beta = 1.702` QuickGELU). Any finite `beta` (0 gives `x / 2`).
    ///
    /// In f64 (f32 results rounded once; for f64 the sigmoid in double length). NaN gives NaN;
    /// at `+-inf` the limits (`x` where `beta x >= 0`, else a zero of `x`'s sign). Error
    /// (beta = 1): 0.507 ULP for every f32 input (measured); f64 1.22 ULP (20,000 sampled
    /// inputs against 50-digit values).
    ///
    /// # Panics
    /// If `x.len() != y.len()`, or if `beta` is NaN or infinite.
    ///
    /// ```
    /// let mut y = [0.0f32; 3];
    /// simd_activations::silu_beta(&[2.0, f32::INFINITY, 4.0], &mut y, -0.5);
    /// assert!((y[0] - 2.0 / (1.0 + 1.0f32.exp())).abs() <= f32::EPSILON);
    /// assert_eq!(y[1], 0.0); // x e^(beta x) -> 0 for beta < 0
    /// ```
    pub fn silu_beta / silu_beta_on(isa)(x: &[T], y: &mut [T], beta: T) {
        checks::same_len("silu_beta", &[("x", x.len()), ("y", y.len())]);
        check_beta("silu_beta", beta);
        dispatch("silu_beta", isa, Unary { kernel: ViaF64(ScaledSilu(beta_scale(beta))), x, y })
    }
}

isa_fn! {
    /// SiLU with a slope, in place; semantics and panics as [`silu_beta`].
    ///
    /// ```
    /// let mut xy = [3.0f64, -1.0];
    /// simd_activations::silu_beta_inplace(&mut xy, 0.0);
    /// assert_eq!(xy, [1.5, -0.5]); // beta = 0: x / 2
    /// ```
    pub fn silu_beta_inplace / silu_beta_inplace_on(isa)(xy: &mut [T], beta: T) {
        check_beta("silu_beta_inplace", beta);
        dispatch("silu_beta_inplace", isa, UnaryInPlace { kernel: ViaF64(ScaledSilu(beta_scale(beta))), xy })
    }
}

isa_fn! {
    /// SiLU-with-slope gradient: `dx[i] = dy[i] * g(beta x[i])`, `g(u) = sigmoid(u) + u
    /// sigmoid(u) sigmoid(-u)` (the zero at `beta x = -1.2785` from a Taylor series); limits
    /// 1 where `beta x -> +inf`, 0 where `-> -inf`. In f64, multiplied by `dy` there. NaN `x`
    /// gives NaN. Error (beta = 1, `dy = 1`): 0.511 ULP for every f32 input; f64 1.86 ULP
    /// (sampled as the forward).
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length, or if `beta` is NaN or infinite.
    ///
    /// ```
    /// let mut dx = [9.0f32; 2];
    /// simd_activations::silu_beta_backward(&[0.0, 100.0], &[1.0; 2], &mut dx, 2.0);
    /// assert_eq!(dx, [0.5, 1.0]);
    /// ```
    pub fn silu_beta_backward / silu_beta_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T], beta: T) {
        checks::same_len("silu_beta_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        check_beta("silu_beta_backward", beta);
        dispatch("silu_beta_backward", isa, Binary { kernel: ViaF64(ScaledSiluBackward(beta_scale(beta))), a: x, b: dy, out: dx })
    }
}

// The kernels, handed to the fused forms and to the runs on slices (see `kernel_use`).

/// The kernel of `quick_gelu`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn quick_gelu_kernel<T: Float, U: UseKernel<T, 1>>(u: U) -> U::Output {
    u.with(ViaF64(ScaledSilu(QUICK)))
}

/// The kernel of `quick_gelu`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn quick_gelu_backward_kernel<T: Float, U: UseKernel<T, 2>>(u: U) -> U::Output {
    u.with(ViaF64(ScaledSiluBackward(QUICK)))
}

/// The kernel of `silu_beta`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn silu_beta_kernel<T: Float, U: UseKernel<T, 1>>(beta: T, u: U) -> U::Output {
    u.with(ViaF64(ScaledSilu(beta_scale(beta))))
}

/// The kernel of `silu_beta`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn silu_beta_backward_kernel<T: Float, U: UseKernel<T, 2>>(beta: T, u: U) -> U::Output {
    u.with(ViaF64(ScaledSiluBackward(beta_scale(beta))))
}
