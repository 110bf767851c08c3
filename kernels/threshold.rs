//! Threshold `x > threshold ? x : value` (PyTorch's `Threshold`) and Keras's thresholded ReLU
//! `x > theta ? x : 0`, with gradients. Selects only: exact, identical on every ISA.

use crate::api::isa_fn;
use crate::checks;
use crate::dispatch::dispatch;
use crate::kernel_use::UseKernel;
use crate::driver::{Binary, Kernel, Unary, UnaryInPlace};
use crate::kernels::relu::pass_nan;
use crate::simd::Vector;
use crate::Float;

/// The scalar specification.
pub mod reference {
    use crate::float::nan_rule;
    use crate::Float;

    /// `x <= threshold ? value : x` (as PyTorch): NaN gives NaN.
    pub fn threshold<T: Float>(x: T, threshold: T, value: T) -> T {
        nan_rule([x], || if x <= threshold { value } else { x })
    }
    /// `x <= threshold ? 0 : dy` (a select, as PyTorch's `threshold_backward`); NaN `x` gives
    /// NaN.
    pub fn threshold_backward<T: Float>(x: T, dy: T, threshold: T) -> T {
        nan_rule([x, dy], || {
            if x.is_nan() {
                x
            } else if x <= threshold {
                T::ZERO
            } else {
                dy
            }
        })
    }
    /// `x > theta ? x : +0`.
    pub fn thresholded_relu<T: Float>(x: T, theta: T) -> T {
        threshold(x, theta, T::ZERO)
    }
    /// `x > theta ? dy : 0` (a select); NaN `x` gives NaN.
    pub fn thresholded_relu_backward<T: Float>(x: T, dy: T, theta: T) -> T {
        threshold_backward(x, dy, theta)
    }
}

#[derive(Clone, Copy)]
struct Threshold<T> {
    threshold: T,
    value: T,
}

impl<T: Float> Kernel<T, 1> for Threshold<T> {
    const SELECTS: bool = true; // x, dy, a parameter or zero
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x]: [V; 1]) -> V {
        let above = x.gt(V::splat(self.threshold));
        pass_nan(x, V::select(above, x, V::splat(self.value)))
    }
}

#[derive(Clone, Copy)]
struct ThresholdBackward<T> {
    threshold: T,
}

impl<T: Float> Kernel<T, 2> for ThresholdBackward<T> {
    const SELECTS: bool = true; // x, dy, a parameter or zero
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x, dy]: [V; 2]) -> V {
        let above = x.gt(V::splat(self.threshold));
        pass_nan(x, V::select(above, dy, V::zero()))
    }
}

#[track_caller]
fn check_threshold<T: Float>(func: &str, threshold: T, value: T) {
    checks::finite(func, "threshold", threshold, "an infinite threshold selects one branch everywhere");
    checks::finite(func, "value", value, "a NaN or infinite value is not an activation");
}

#[track_caller]
fn check_theta<T: Float>(func: &str, theta: T) {
    checks::finite(func, "theta", theta, "an infinite theta selects one branch everywhere");
}

isa_fn! {
    /// Threshold, out of place: `y[i] = x[i] <= threshold ? value : x[i]` (PyTorch's
    /// `F.threshold`, which has no defaults; the registry's bare `"Threshold"` takes 0 and 0).
    ///
    /// Exact (a select). NaN gives NaN (the comparison is false); `+-inf` compare as numbers.
    ///
    /// # Panics
    /// If `x.len() != y.len()`, or if `threshold` or `value` is NaN or infinite.
    ///
    /// ```
    /// let mut y = [0.0f32; 4];
    /// simd_activations::threshold(&[-1.0, 0.5, 1.0, 2.0], &mut y, 1.0, -7.0);
    /// assert_eq!(y, [-7.0, -7.0, -7.0, 2.0]); // strict: x == threshold gives value
    /// ```
    pub fn threshold / threshold_on(isa)(x: &[T], y: &mut [T], threshold: T, value: T) {
        checks::same_len("threshold", &[("x", x.len()), ("y", y.len())]);
        check_threshold("threshold", threshold, value);
        dispatch("threshold", isa, Unary { kernel: Threshold { threshold, value }, x, y })
    }
}

isa_fn! {
    /// Threshold in place; semantics and panics as [`threshold`].
    ///
    /// ```
    /// let mut xy = [0.0f64, 3.0, f64::NAN];
    /// simd_activations::threshold_inplace(&mut xy, 0.0, 5.0);
    /// assert_eq!(xy[..2], [5.0, 3.0]);
    /// assert!(xy[2].is_nan());
    /// ```
    pub fn threshold_inplace / threshold_inplace_on(isa)(xy: &mut [T], threshold: T, value: T) {
        check_threshold("threshold_inplace", threshold, value);
        dispatch("threshold_inplace", isa, UnaryInPlace { kernel: Threshold { threshold, value }, xy })
    }
}

isa_fn! {
    /// Threshold gradient: `dx[i] = x[i] <= threshold ? 0 : dy[i]` (as PyTorch's
    /// `threshold_backward`: 0 at `x == threshold`). A select, so NaN or inf `dy` gives 0
    /// where `x <= threshold`; NaN `x` gives NaN. `value` is checked as by the forward but
    /// does not enter.
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length, or if `threshold` or `value` is NaN or infinite.
    ///
    /// ```
    /// let mut dx = [9.0f32; 3];
    /// simd_activations::threshold_backward(&[1.0, 1.5, 0.0], &[2.0, 2.0, f32::INFINITY], &mut dx, 1.0, 0.0);
    /// assert_eq!(dx, [0.0, 2.0, 0.0]);
    /// ```
    pub fn threshold_backward / threshold_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T], threshold: T, value: T) {
        checks::same_len("threshold_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        check_threshold("threshold_backward", threshold, value);
        dispatch("threshold_backward", isa, Binary { kernel: ThresholdBackward { threshold }, a: x, b: dy, out: dx })
    }
}

isa_fn! {
    /// Thresholded ReLU (Keras's `ThresholdedReLU`, ONNX's `ThresholdedRelu`), out of place:
    /// `y[i] = x[i] > theta ? x[i] : +0` (default `theta` = 1).
    ///
    /// Exact (a select). NaN gives NaN; below the threshold the result is `+0` (ONNX; Keras's
    /// `x * (x > theta)` gives `-0.0` for negative `x` and NaN at `-inf`). Any finite `theta`
    /// is accepted (Keras rejects a negative one).
    ///
    /// # Panics
    /// If `x.len() != y.len()`, or if `theta` is NaN or infinite.
    ///
    /// ```
    /// let mut y = [9.0f32; 3];
    /// simd_activations::thresholded_relu(&[1.0, 1.5, -2.0], &mut y, 1.0);
    /// assert_eq!(y, [0.0, 1.5, 0.0]);
    /// ```
    pub fn thresholded_relu / thresholded_relu_on(isa)(x: &[T], y: &mut [T], theta: T) {
        checks::same_len("thresholded_relu", &[("x", x.len()), ("y", y.len())]);
        check_theta("thresholded_relu", theta);
        dispatch("thresholded_relu", isa, Unary { kernel: Threshold { threshold: theta, value: T::ZERO }, x, y })
    }
}

isa_fn! {
    /// Thresholded ReLU in place; semantics and panics as [`thresholded_relu`].
    ///
    /// ```
    /// let mut xy = [0.5f64, 2.0];
    /// simd_activations::thresholded_relu_inplace(&mut xy, 1.0);
    /// assert_eq!(xy, [0.0, 2.0]);
    /// ```
    pub fn thresholded_relu_inplace / thresholded_relu_inplace_on(isa)(xy: &mut [T], theta: T) {
        check_theta("thresholded_relu_inplace", theta);
        dispatch("thresholded_relu_inplace", isa, UnaryInPlace { kernel: Threshold { threshold: theta, value: T::ZERO }, xy })
    }
}

isa_fn! {
    /// Thresholded ReLU gradient: `dx[i] = x[i] > theta ? dy[i] : 0` (0 at `x == theta`; a
    /// select, so NaN or inf `dy` gives 0 below; NaN `x` gives NaN).
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length, or if `theta` is NaN or infinite.
    ///
    /// ```
    /// let mut dx = [9.0f32; 3];
    /// simd_activations::thresholded_relu_backward(&[1.0, 3.0, -1.0], &[4.0; 3], &mut dx, 1.0);
    /// assert_eq!(dx, [0.0, 4.0, 0.0]);
    /// ```
    pub fn thresholded_relu_backward / thresholded_relu_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T], theta: T) {
        checks::same_len("thresholded_relu_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        check_theta("thresholded_relu_backward", theta);
        dispatch("thresholded_relu_backward", isa, Binary { kernel: ThresholdBackward { threshold: theta }, a: x, b: dy, out: dx })
    }
}

// The kernels, handed to the fused forms and to the runs on slices (see `kernel_use`).

/// The kernel of `threshold`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn threshold_kernel<T: Float, U: UseKernel<T, 1>>(threshold: T, value: T, u: U) -> U::Output {
    u.with(Threshold { threshold, value })
}

/// The kernel of `threshold`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn threshold_backward_kernel<T: Float, U: UseKernel<T, 2>>(threshold: T, u: U) -> U::Output {
    u.with(ThresholdBackward { threshold })
}

/// The kernel of `thresholded_relu`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn thresholded_relu_kernel<T: Float, U: UseKernel<T, 1>>(theta: T, u: U) -> U::Output {
    u.with(Threshold { threshold: theta, value: T::ZERO })
}

/// The kernel of `thresholded_relu`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn thresholded_relu_backward_kernel<T: Float, U: UseKernel<T, 2>>(theta: T, u: U) -> U::Output {
    u.with(ThresholdBackward { threshold: theta })
}
