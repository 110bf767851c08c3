//! Leaky ReLU: `y = x > 0 ? x : slope * x` (PyTorch's default slope is 0.01), and its gradient.

use crate::api::isa_fn;
use crate::checks;
use crate::dispatch::dispatch;
use crate::kernel_use::{RunInPlace, RunUnary, UseKernel};
use crate::driver::{Binary, Kernel};
use crate::kernels::relu::pass_nan;
use crate::simd::Vector;
use crate::Float;

/// The scalar specification.
pub mod reference {
    use crate::float::nan_rule;
    use crate::Float;

    /// `x > 0 ? x : slope * x`.
    pub fn leaky_relu<T: Float>(x: T, slope: T) -> T {
        nan_rule([x], || {
            if x > T::ZERO {
                x
            } else {
                slope * x
            }
        })
    }

    /// `x > 0 ? dy : slope * dy`, and NaN when `x` is NaN.
    pub fn leaky_relu_backward<T: Float>(x: T, dy: T, slope: T) -> T {
        nan_rule([x, dy], || {
            if x.is_nan() {
                x
            } else if x > T::ZERO {
                dy
            } else {
                slope * dy
            }
        })
    }
}

#[derive(Clone, Copy)]
pub(crate) struct LeakyRelu<T> {
    pub slope: T,
}

impl<T: Float> Kernel<T, 1> for LeakyRelu<T> {
    const MEMORY_BOUND: bool = true;
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x]: [V; 1]) -> V {
        V::select(x.gt(V::zero()), x, x.mul(V::splat(self.slope)))
    }
}

/// Leaky ReLU for a nonzero slope as one product and one clamp, which follows the NaN rule by
/// construction: for `slope <= 1` (negative slopes included) `max(x, slope x)` as
/// `(slope x).clamp_min(x)`, for `slope > 1` `min(x, slope x)` as `(slope x).clamp_max(x)`
/// (`ABOVE_ONE`). Both equal `x > 0 ? x : slope x` for every `x`: the product lies on the
/// kept side of `x` exactly where PyTorch keeps it (rounding is monotonic), the clamps return
/// `self` (the product) on equal operands, which gives the product's signed zero at `+-0`, and
/// on NaN, where the product is the input NaN quieted. A zero slope takes [`LeakyRelu`]:
/// there `0 * -inf` makes a NaN that the rule maps to the default NaN.
#[derive(Clone, Copy)]
pub(crate) struct LeakyReluClamp<T, const ABOVE_ONE: bool> {
    pub slope: T,
}

impl<T: Float, const ABOVE_ONE: bool> Kernel<T, 1> for LeakyReluClamp<T, ABOVE_ONE> {
    const MEMORY_BOUND: bool = true;
    const NAN_SAFE: bool = true;

    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x]: [V; 1]) -> V {
        let product = x.mul(V::splat(self.slope));
        if ABOVE_ONE {
            product.clamp_max(x)
        } else {
            product.clamp_min(x)
        }
    }
}

/// Runs `$body` with `$k` bound to the leaky ReLU kernel for `$slope` (finite): the clamp
/// forms for a nonzero slope, [`LeakyRelu`] for zero.
macro_rules! with_leaky_kernel {
    ($slope:expr, $k:ident => $body:expr) => {{
        let slope = $slope;
        if slope == T::ZERO {
            let $k = $crate::kernels::leaky_relu::LeakyRelu { slope };
            $body
        } else if slope > T::ONE {
            let $k = $crate::kernels::leaky_relu::LeakyReluClamp::<T, true> { slope };
            $body
        } else {
            let $k = $crate::kernels::leaky_relu::LeakyReluClamp::<T, false> { slope };
            $body
        }
    }};
}
pub(crate) use with_leaky_kernel;

#[derive(Clone, Copy)]
pub(crate) struct LeakyReluBackward<T> {
    pub slope: T,
}

impl<T: Float> Kernel<T, 2> for LeakyReluBackward<T> {
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x, dy]: [V; 2]) -> V {
        pass_nan(x, V::select(x.gt(V::zero()), dy, dy.mul(V::splat(self.slope))))
    }
}

isa_fn! {
    /// Leaky ReLU, out of place: `y[i] = x[i] > 0 ? x[i] : slope * x[i]` (PyTorch's default
    /// `slope` is 0.01; any finite value is accepted, as in PyTorch).
    ///
    /// NaN gives NaN; `-0.0` gives `slope * -0.0`; `-inf` gives `slope * -inf`.
    ///
    /// # Panics
    /// If `x.len() != y.len()`, or if `slope` is NaN or infinite (which would make
    /// `leaky_relu(0)` NaN).
    ///
    /// ```
    /// let mut y = [0.0f32; 3];
    /// simd_activations::leaky_relu(&[-4.0, 0.0, 2.0], &mut y, 0.25);
    /// assert_eq!(y, [-1.0, 0.0, 2.0]);
    /// simd_activations::leaky_relu(&[f32::NEG_INFINITY], &mut y[..1], 0.25);
    /// assert_eq!(y[0], f32::NEG_INFINITY);
    /// ```
    pub fn leaky_relu / leaky_relu_on(isa)(x: &[T], y: &mut [T], slope: T) {
        checks::same_len("leaky_relu", &[("x", x.len()), ("y", y.len())]);
        checks::finite("leaky_relu", "slope", slope, "a NaN or infinite slope makes leaky_relu(0) NaN");
        leaky_relu_kernel(slope, RunUnary { func: "leaky_relu", isa, x, y })
    }
}

isa_fn! {
    /// Leaky ReLU in place; semantics as [`leaky_relu`].
    ///
    /// # Panics
    /// If `slope` is NaN or infinite.
    ///
    /// ```
    /// use simd_activations::{leaky_relu_inplace, LEAKY_RELU_DEFAULT_SLOPE};
    /// let mut xy = [-100.0f64, 1.0, f64::NAN];
    /// leaky_relu_inplace(&mut xy, LEAKY_RELU_DEFAULT_SLOPE);
    /// assert_eq!(xy[..2], [-1.0, 1.0]);
    /// assert!(xy[2].is_nan());
    /// ```
    pub fn leaky_relu_inplace / leaky_relu_inplace_on(isa)(xy: &mut [T], slope: T) {
        checks::finite("leaky_relu_inplace", "slope", slope, "a NaN or infinite slope makes leaky_relu(0) NaN");
        leaky_relu_kernel(slope, RunInPlace { func: "leaky_relu_inplace", isa, xy })
    }
}

isa_fn! {
    /// Leaky ReLU gradient from the input: `dx[i] = x[i] > 0 ? dy[i] : slope * dy[i]`.
    ///
    /// At the breakpoint `leaky'(0) = slope` (as PyTorch). A multiply, so NaN or inf `dy`
    /// propagates on both sides; NaN `x` gives NaN (PyTorch would give `slope * dy`).
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length, or if `slope` is NaN or infinite.
    ///
    /// ```
    /// let mut dx = [0.0f32; 3];
    /// // leaky'(0) = slope; a multiply, so an infinite dy stays infinite on the left.
    /// simd_activations::leaky_relu_backward(&[0.0, 1.0, -1.0], &[4.0, 4.0, f32::INFINITY], &mut dx, 0.5);
    /// assert_eq!(dx, [2.0, 4.0, f32::INFINITY]);
    /// ```
    pub fn leaky_relu_backward / leaky_relu_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T], slope: T) {
        checks::same_len("leaky_relu_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        checks::finite("leaky_relu_backward", "slope", slope, "a NaN or infinite slope makes leaky_relu(0) NaN");
        dispatch("leaky_relu_backward", isa, Binary { kernel: LeakyReluBackward { slope }, a: x, b: dy, out: dx })
    }
}

isa_fn! {
    /// Leaky ReLU gradient from the output `y = leaky_relu(x, slope)`: same formula with `y`
    /// in place of `x`, equal to [`leaky_relu_backward`] bit for bit.
    ///
    /// Valid only for `slope > 0`, where `y > 0` exactly when `x > 0` (a negative slope maps
    /// negative inputs to positive outputs, so the output no longer tells the branch).
    ///
    /// # Panics
    /// If the lengths differ, or unless `0 < slope < inf`.
    ///
    /// ```
    /// use simd_activations::{leaky_relu, leaky_relu_backward_from_output};
    /// let mut y = [0.0f32; 2];
    /// leaky_relu(&[-2.0, 3.0], &mut y, 0.5);
    /// let mut dx = [0.0f32; 2];
    /// leaky_relu_backward_from_output(&y, &[2.0, 2.0], &mut dx, 0.5);
    /// assert_eq!(dx, [1.0, 2.0]);
    /// // A negative slope is rejected: the output no longer tells the branch.
    /// assert!(std::panic::catch_unwind(|| leaky_relu_backward_from_output(&y, &[2.0, 2.0], &mut [0.0f32; 2], -0.5)).is_err());
    /// ```
    pub fn leaky_relu_backward_from_output / leaky_relu_backward_from_output_on(isa)(y: &[T], dy: &[T], dx: &mut [T], slope: T) {
        let func = "leaky_relu_backward_from_output";
        checks::same_len(func, &[("y", y.len()), ("dy", dy.len()), ("dx", dx.len())]);
        checks::positive(func, "slope", slope, "only then does the output determine the branch");
        dispatch(func, isa, Binary { kernel: LeakyReluBackward { slope }, a: y, b: dy, out: dx })
    }
}

// The kernels, handed to the fused forms and to the runs on slices (see `kernel_use`).

/// The kernel of `leaky_relu`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn leaky_relu_kernel<T: Float, U: UseKernel<T, 1>>(slope: T, u: U) -> U::Output {
    with_leaky_kernel!(slope, kernel => u.with(kernel))
}

/// The kernel of `leaky_relu`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn leaky_relu_backward_kernel<T: Float, U: UseKernel<T, 2>>(slope: T, u: U) -> U::Output {
    u.with(LeakyReluBackward { slope })
}
