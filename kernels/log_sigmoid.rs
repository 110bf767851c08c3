//! Log-sigmoid `ln(sigmoid(x)) = min(x, 0) - ln(1 + e^-|x|)` (PyTorch's `LogSigmoid`) and
//! its gradient `sigmoid(-x)`, in f64 (f32 results rounded once; f64 results with `e^-|x|`
//! in double length), from the exponential, `log1p` and sigmoid of the softplus kernels.

use crate::api::isa_fn;
use crate::checks;
use crate::dispatch::dispatch;
use crate::kernel_use::UseKernel;
use crate::Float;
use crate::driver::{Binary, Unary, UnaryInPlace, ViaF64};
use crate::kernels::sigmoid::{sigmoid_pair, sigmoid_parts, PAIR_MIN_ARG};
use crate::math::{self, Accuracy, Full};
use crate::simd::{Vector, WideFn};

/// The scalar specification, evaluated in f64.
pub mod reference {
    use crate::float::nan_rule;
    use crate::kernels::sigmoid::reference::sig;
    use crate::Float;

    /// `min(x, 0) - ln(1 + e^-|x|)` (as PyTorch): no overflow, no cancellation.
    pub fn log_sigmoid<T: Float>(x: T) -> T {
        nan_rule([x], || {
            let x = x.to_f64();
            T::from_f64(x.min(0.0) - (-x.abs()).exp().ln_1p())
        })
    }
    /// `dy * sigmoid(-x)`, rounded once.
    pub fn log_sigmoid_backward<T: Float>(x: T, dy: T) -> T {
        nan_rule([x, dy], || T::from_f64(dy.to_f64() * sig(-x.to_f64())))
    }
}

#[derive(Clone, Copy)]
struct LogSigmoid;
impl WideFn<1> for LogSigmoid {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x]: [W; 1]) -> W {
        let a = x.abs().neg();
        let log1p = if A::FOR_F32 {
            math::log1p_unit::<A, W>(math::exp_nonpositive::<A, W>(a))
        } else {
            // e^-|x| as a pair (its rounding would cost up to 0.5 ULP more); where it is
            // subnormal, ln(1 + e) = e, rounded once.
            let (eh, el) = math::exp_nonpositive_pair(a, W::zero());
            let l = math::log1p_unit_pair(eh, el);
            let beyond = a.lt(W::splat(PAIR_MIN_ARG));
            if W::any(beyond) {
                W::select(beyond, math::exp_nonpositive::<Full, W>(a), l)
            } else {
                l
            }
        };
        // Both terms are <= 0: the difference does not cancel.
        x.clamp_max(W::zero()).sub(log1p)
    }
}

#[derive(Clone, Copy)]
struct LogSigmoidBackward;
impl WideFn<2> for LogSigmoidBackward {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x, dy]: [W; 2]) -> W {
        let z = x.neg();
        let s = if A::FOR_F32 {
            sigmoid_parts::<A, W>(z).1
        } else {
            let (q, q_lo) = sigmoid_pair(z, W::zero());
            let beyond = z.lt(W::splat(PAIR_MIN_ARG));
            if W::any(beyond) {
                W::select(beyond, sigmoid_parts::<Full, W>(z).1, q.add(q_lo))
            } else {
                q.add(q_lo)
            }
        };
        dy.mul(s)
    }
}

isa_fn! {
    /// Log-sigmoid, out of place: `y[i] = ln(sigmoid(x[i])) = min(x, 0) - ln(1 + e^-|x|)`
    /// (PyTorch's `LogSigmoid`, Keras's `log_sigmoid`).
    ///
    /// In f64 (f32 results rounded once); for f64 results `e^-|x|` is carried in double
    /// length into `log1p`. NaN gives NaN, `-inf` gives `-inf`, `+inf` gives 0; the tail
    /// `-e^-x` keeps its relative accuracy. Error: 0.505 ULP for every f32 input (measured);
    /// f64 0.93 ULP (20,000 sampled inputs against 50-digit values).
    ///
    /// # Panics
    /// If `x.len() != y.len()`.
    ///
    /// ```
    /// let mut y = [0.0f32; 3];
    /// simd_activations::log_sigmoid(&[0.0, -100.0, 30.0], &mut y);
    /// assert!((y[0] + std::f32::consts::LN_2).abs() <= f32::EPSILON / 2.0);
    /// assert_eq!(y[1], -100.0);
    /// assert!((y[2] / -(-30.0f32).exp() - 1.0).abs() < 1e-6); // -e^-x, not 0
    /// ```
    pub fn log_sigmoid / log_sigmoid_on(isa)(x: &[T], y: &mut [T]) {
        checks::same_len("log_sigmoid", &[("x", x.len()), ("y", y.len())]);
        dispatch("log_sigmoid", isa, Unary { kernel: ViaF64(LogSigmoid), x, y })
    }
}

isa_fn! {
    /// Log-sigmoid in place; semantics as [`log_sigmoid`].
    ///
    /// ```
    /// let mut xy = [f64::NEG_INFINITY, f64::NAN];
    /// simd_activations::log_sigmoid_inplace(&mut xy);
    /// assert_eq!(xy[0], f64::NEG_INFINITY);
    /// assert!(xy[1].is_nan());
    /// ```
    pub fn log_sigmoid_inplace / log_sigmoid_inplace_on(isa)(xy: &mut [T]) {
        dispatch("log_sigmoid_inplace", isa, UnaryInPlace { kernel: ViaF64(LogSigmoid), xy })
    }
}

isa_fn! {
    /// Log-sigmoid gradient: `dx[i] = dy[i] * sigmoid(-x[i])` (1 at `-inf`, 0 at `+inf`), in
    /// f64 (double length for f64) and multiplied by `dy` there. NaN `x` gives NaN. Error
    /// (`dy = 1`): 0.505 ULP for every f32 input; f64 0.55 ULP (sampled, as the forward).
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length.
    ///
    /// ```
    /// let mut dx = [9.0f32; 3];
    /// simd_activations::log_sigmoid_backward(&[0.0, f32::NEG_INFINITY, f32::INFINITY], &[2.0; 3], &mut dx);
    /// assert_eq!(dx, [1.0, 2.0, 0.0]);
    /// ```
    pub fn log_sigmoid_backward / log_sigmoid_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T]) {
        checks::same_len("log_sigmoid_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        dispatch("log_sigmoid_backward", isa, Binary { kernel: ViaF64(LogSigmoidBackward), a: x, b: dy, out: dx })
    }
}

// The kernels, handed to the fused forms and to the runs on slices (see `kernel_use`).

/// The kernel of `log_sigmoid`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn log_sigmoid_kernel<T: Float, U: UseKernel<T, 1>>(u: U) -> U::Output {
    u.with(ViaF64(LogSigmoid))
}

/// The kernel of `log_sigmoid`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn log_sigmoid_backward_kernel<T: Float, U: UseKernel<T, 2>>(u: U) -> U::Output {
    u.with(ViaF64(LogSigmoidBackward))
}
