//! ReLU: `y = x < 0 ? +0 : x`, and its gradient.

use crate::api::isa_fn;
use crate::checks;
use crate::dispatch::dispatch;
use crate::kernel_use::UseKernel;
use crate::driver::{Binary, Kernel, Unary, UnaryInPlace};
use crate::simd::Vector;
use crate::Float;

/// The scalar specification.
pub mod reference {
    use crate::float::nan_rule;
    use crate::Float;

    /// `x < 0 ? +0 : x`: keeps NaN and `-0.0`.
    pub fn relu<T: Float>(x: T) -> T {
        nan_rule([x], || {
            if x < T::ZERO {
                T::ZERO
            } else {
                x
            }
        })
    }

    /// `x <= 0 ? 0 : dy`, and NaN when `x` is NaN.
    pub fn relu_backward<T: Float>(x: T, dy: T) -> T {
        nan_rule([x, dy], || {
            if x.is_nan() {
                x
            } else if x <= T::ZERO {
                T::ZERO
            } else {
                dy
            }
        })
    }
}

#[derive(Clone, Copy)]
pub(crate) struct Relu;

impl<T: Float> Kernel<T, 1> for Relu {
    const SELECTS: bool = true; // x, dy, a parameter or zero
    const MEMORY_BOUND: bool = true;
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x]: [V; 1]) -> V {
        x.clamp_min(V::zero())
    }
}

/// `x > 0 ? dy : 0`, with NaN `x` passed through: the gradient shared by ReLU (from `x` or
/// from `y`, which have the same sign) and the select-style backward of the clamps.
#[derive(Clone, Copy)]
pub(crate) struct ReluBackward;

impl<T: Float> Kernel<T, 2> for ReluBackward {
    const SELECTS: bool = true; // x, dy, a parameter or zero
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x, dy]: [V; 2]) -> V {
        pass_nan(x, V::select(x.gt(V::zero()), dy, V::zero()))
    }
}

/// `r`, except NaN (the lane of `x` itself) where `x` is NaN.
#[inline(always)]
pub(crate) fn pass_nan<V: Vector>(x: V, r: V) -> V {
    V::select(x.is_nan(), x, r)
}

isa_fn! {
    /// ReLU, out of place: `y[i] = x[i] < 0 ? +0 : x[i]`.
    ///
    /// As PyTorch's vectorized `relu` (`clamp_min(x, 0)`): NaN stays NaN (with its payload),
    /// `relu(-0.0) = -0.0`, `-inf` gives `+0`. Bit-identical on every ISA.
    ///
    /// # Panics
    /// If `x.len() != y.len()`.
    ///
    /// ```
    /// use simd_activations::relu;
    /// let mut y = [1.0f32; 4];
    /// relu(&[-2.0, -0.0, 3.5, f32::NEG_INFINITY], &mut y);
    /// assert_eq!(y.map(f32::to_bits), [0.0f32, -0.0, 3.5, 0.0].map(f32::to_bits)); // -0 kept
    /// relu(&[f32::NAN], &mut y[..1]);
    /// assert!(y[0].is_nan());
    /// ```
    pub fn relu / relu_on(isa)(x: &[T], y: &mut [T]) {
        checks::same_len("relu", &[("x", x.len()), ("y", y.len())]);
        dispatch("relu", isa, Unary { kernel: Relu, x, y })
    }
}

isa_fn! {
    /// ReLU in place: `xy[i] = xy[i] < 0 ? +0 : xy[i]`; semantics as [`relu`].
    ///
    /// ```
    /// let mut xy = [-1.0f64, 0.5, f64::NAN];
    /// simd_activations::relu_inplace(&mut xy);
    /// assert_eq!(xy[..2], [0.0, 0.5]);
    /// assert!(xy[2].is_nan());
    /// ```
    pub fn relu_inplace / relu_inplace_on(isa)(xy: &mut [T]) {
        dispatch("relu_inplace", isa, UnaryInPlace { kernel: Relu, xy })
    }
}

isa_fn! {
    /// ReLU gradient from the input: `dx[i] = x[i] <= 0 ? 0 : dy[i]`.
    ///
    /// A select, as PyTorch's `threshold_backward`: where `x <= 0`, `dx = +0` even if `dy` is
    /// NaN or infinite; the gradient at the breakpoint is `relu'(0) = 0`. NaN `x` gives NaN.
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length.
    ///
    /// ```
    /// let mut dx = [9.0f32; 3];
    /// // relu'(0) = 0, and a select: an infinite dy gives 0 where x <= 0.
    /// simd_activations::relu_backward(&[-1.0, 0.0, 2.0], &[f32::INFINITY, 5.0, 5.0], &mut dx);
    /// assert_eq!(dx, [0.0, 0.0, 5.0]);
    /// ```
    pub fn relu_backward / relu_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T]) {
        checks::same_len("relu_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        dispatch("relu_backward", isa, Binary { kernel: ReluBackward, a: x, b: dy, out: dx })
    }
}

isa_fn! {
    /// ReLU gradient from the output `y = relu(x)` (for when the forward ran in place):
    /// `dx[i] = y[i] <= 0 ? 0 : dy[i]`. Valid for every input, since `y > 0` exactly when
    /// `x > 0` and `y` is NaN exactly when `x` is; equal to [`relu_backward`] bit for bit.
    ///
    /// # Panics
    /// If `y`, `dy` and `dx` differ in length.
    ///
    /// ```
    /// use simd_activations::{relu, relu_backward, relu_backward_from_output};
    /// let (x, dy) = ([-1.0f32, 0.0, 2.0], [3.0f32; 3]);
    /// let (mut y, mut a, mut b) = ([0.0f32; 3], [0.0f32; 3], [0.0f32; 3]);
    /// relu(&x, &mut y);
    /// relu_backward_from_output(&y, &dy, &mut a);
    /// relu_backward(&x, &dy, &mut b);
    /// assert_eq!((a, b), ([0.0, 0.0, 3.0], [0.0, 0.0, 3.0]));
    /// ```
    pub fn relu_backward_from_output / relu_backward_from_output_on(isa)(y: &[T], dy: &[T], dx: &mut [T]) {
        checks::same_len(
            "relu_backward_from_output",
            &[("y", y.len()), ("dy", dy.len()), ("dx", dx.len())],
        );
        dispatch("relu_backward_from_output", isa, Binary { kernel: ReluBackward, a: y, b: dy, out: dx })
    }
}

// The kernels, handed to the fused forms and to the runs on slices (see `kernel_use`).

/// The kernel of `relu`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn relu_kernel<T: Float, U: UseKernel<T, 1>>(u: U) -> U::Output {
    u.with(Relu)
}

/// The kernel of `relu`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn relu_backward_kernel<T: Float, U: UseKernel<T, 2>>(u: U) -> U::Output {
    u.with(ReluBackward)
}
