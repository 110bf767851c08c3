//! The clamps: `hardtanh(x) = clamp(x, min_val, max_val)` and `relu6 = hardtanh(x, 0, 6)`,
//! and their gradient.

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

    /// `x < lo ? lo : x > hi ? hi : x`: keeps NaN, and `-0.0` when `lo = 0`.
    pub fn hardtanh<T: Float>(x: T, lo: T, hi: T) -> T {
        nan_rule([x], || {
            let x = if x < lo { lo } else { x };
            if x > hi {
                hi
            } else {
                x
            }
        })
    }

    /// `hardtanh(x, 0, 6)`.
    pub fn relu6<T: Float>(x: T) -> T {
        nan_rule([x], || {
            hardtanh(x, T::ZERO, T::from_f64(6.0))
        })
    }

    /// `(x <= lo || x >= hi) ? 0 : dy`, and NaN when `x` is NaN.
    pub fn hardtanh_backward<T: Float>(x: T, dy: T, lo: T, hi: T) -> T {
        nan_rule([x, dy], || {
            if x.is_nan() {
                x
            } else if x <= lo || x >= hi {
                T::ZERO
            } else {
                dy
            }
        })
    }

    /// `hardtanh_backward(x, dy, 0, 6)`.
    pub fn relu6_backward<T: Float>(x: T, dy: T) -> T {
        nan_rule([x, dy], || {
            hardtanh_backward(x, dy, T::ZERO, T::from_f64(6.0))
        })
    }
}

#[derive(Clone, Copy)]
struct Clamp<T> {
    lo: T,
    hi: T,
}

impl<T: Float> Kernel<T, 1> for Clamp<T> {
    const SELECTS: bool = true; // x, dy, a parameter or zero
    const MEMORY_BOUND: bool = true;
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x]: [V; 1]) -> V {
        x.clamp_min(V::splat(self.lo)).clamp_max(V::splat(self.hi))
    }
}

/// `(x <= lo || x >= hi) ? 0 : dy`, NaN `x` passed through. The same for `x` and for
/// `y = clamp(x)`: `y <= lo` exactly when `x <= lo`, `y >= hi` exactly when `x >= hi`.
#[derive(Clone, Copy)]
struct ClampBackward<T> {
    lo: T,
    hi: T,
}

impl<T: Float> Kernel<T, 2> for ClampBackward<T> {
    const SELECTS: bool = true; // x, dy, a parameter or zero
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x, dy]: [V; 2]) -> V {
        let outside = V::mask_or(x.le(V::splat(self.lo)), V::splat(self.hi).le(x));
        pass_nan(x, V::select(outside, V::zero(), dy))
    }
}

fn relu6_bounds<T: Float>() -> Clamp<T> {
    Clamp { lo: T::ZERO, hi: T::from_f64(6.0) }
}

isa_fn! {
    /// ReLU6, out of place: `y[i] = min(max(x[i], 0), 6)`, i.e. `hardtanh(x, 0, 6)`.
    ///
    /// NaN gives NaN; `-0.0` gives `-0.0` (as PyTorch's vectorized clamp).
    ///
    /// # Panics
    /// If `x.len() != y.len()`.
    ///
    /// ```
    /// let mut y = [0.0f32; 4];
    /// simd_activations::relu6(&[-1.0, -0.0, 3.0, f32::INFINITY], &mut y);
    /// assert_eq!(y.map(f32::to_bits), [0.0f32, -0.0, 3.0, 6.0].map(f32::to_bits));
    /// ```
    pub fn relu6 / relu6_on(isa)(x: &[T], y: &mut [T]) {
        checks::same_len("relu6", &[("x", x.len()), ("y", y.len())]);
        dispatch("relu6", isa, Unary { kernel: relu6_bounds(), x, y })
    }
}

isa_fn! {
    /// ReLU6 in place; semantics as [`relu6`].
    ///
    /// ```
    /// let mut xy = [7.5f64, 2.0, f64::NAN];
    /// simd_activations::relu6_inplace(&mut xy);
    /// assert_eq!(xy[..2], [6.0, 2.0]);
    /// assert!(xy[2].is_nan());
    /// ```
    pub fn relu6_inplace / relu6_inplace_on(isa)(xy: &mut [T]) {
        dispatch("relu6_inplace", isa, UnaryInPlace { kernel: relu6_bounds(), xy })
    }
}

isa_fn! {
    /// Hardtanh, out of place: `y[i] = x[i] < min_val ? min_val : x[i] > max_val ? max_val : x[i]`
    /// (PyTorch's defaults are -1 and 1).
    ///
    /// NaN gives NaN; an input equal to a bound is returned as is (so `-0.0` stays `-0.0`
    /// when `min_val = 0`).
    ///
    /// # Panics
    /// If `x.len() != y.len()`, if `min_val > max_val`, or if a bound is NaN.
    ///
    /// ```
    /// let mut y = [0.0f32; 4];
    /// simd_activations::hardtanh(&[-5.0, 0.25, 5.0, f32::NEG_INFINITY], &mut y, -1.0, 1.0);
    /// assert_eq!(y, [-1.0, 0.25, 1.0, -1.0]);
    /// ```
    pub fn hardtanh / hardtanh_on(isa)(x: &[T], y: &mut [T], min_val: T, max_val: T) {
        checks::same_len("hardtanh", &[("x", x.len()), ("y", y.len())]);
        checks::ordered_bounds("hardtanh", min_val, max_val);
        dispatch("hardtanh", isa, Unary { kernel: Clamp { lo: min_val, hi: max_val }, x, y })
    }
}

isa_fn! {
    /// Hardtanh in place; semantics as [`hardtanh`].
    ///
    /// # Panics
    /// If `min_val > max_val`, or if a bound is NaN.
    ///
    /// ```
    /// let mut xy = [-0.0f32, 9.0, f32::NAN];
    /// simd_activations::hardtanh_inplace(&mut xy, 0.0, 6.0);
    /// assert_eq!(xy[0].to_bits(), (-0.0f32).to_bits()); // equal to the bound: returned as is
    /// assert_eq!(xy[1], 6.0);
    /// assert!(xy[2].is_nan());
    /// ```
    pub fn hardtanh_inplace / hardtanh_inplace_on(isa)(xy: &mut [T], min_val: T, max_val: T) {
        checks::ordered_bounds("hardtanh_inplace", min_val, max_val);
        dispatch("hardtanh_inplace", isa, UnaryInPlace { kernel: Clamp { lo: min_val, hi: max_val }, xy })
    }
}

isa_fn! {
    /// ReLU6 gradient from the input: `dx[i] = (x[i] <= 0 || x[i] >= 6) ? 0 : dy[i]`.
    ///
    /// A select (as PyTorch's `hardtanh_backward`): `relu6'(0) = relu6'(6) = 0`, and NaN or inf
    /// `dy` gives `+0` outside `(0, 6)`. NaN `x` gives NaN.
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length.
    ///
    /// ```
    /// let mut dx = [1.0f32; 4];
    /// // relu6'(0) = relu6'(6) = 0, and a NaN dy gives 0 outside (0, 6).
    /// simd_activations::relu6_backward(&[0.0, 6.0, 3.0, 8.0], &[2.0, 2.0, 2.0, f32::NAN], &mut dx);
    /// assert_eq!(dx, [0.0, 0.0, 2.0, 0.0]);
    /// ```
    pub fn relu6_backward / relu6_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T]) {
        checks::same_len("relu6_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        let Clamp { lo, hi } = relu6_bounds();
        dispatch("relu6_backward", isa, Binary { kernel: ClampBackward { lo, hi }, a: x, b: dy, out: dx })
    }
}

isa_fn! {
    /// ReLU6 gradient from the output `y = relu6(x)`: the same formula on `y`, equal to
    /// [`relu6_backward`] bit for bit (valid for every input).
    ///
    /// # Panics
    /// If `y`, `dy` and `dx` differ in length.
    ///
    /// ```
    /// use simd_activations::{relu6, relu6_backward_from_output};
    /// let mut y = [0.0f32; 3];
    /// relu6(&[-1.0, 3.0, 10.0], &mut y);
    /// let mut dx = [0.0f32; 3];
    /// relu6_backward_from_output(&y, &[5.0; 3], &mut dx);
    /// assert_eq!(dx, [0.0, 5.0, 0.0]);
    /// ```
    pub fn relu6_backward_from_output / relu6_backward_from_output_on(isa)(y: &[T], dy: &[T], dx: &mut [T]) {
        let func = "relu6_backward_from_output";
        checks::same_len(func, &[("y", y.len()), ("dy", dy.len()), ("dx", dx.len())]);
        let Clamp { lo, hi } = relu6_bounds();
        dispatch(func, isa, Binary { kernel: ClampBackward { lo, hi }, a: y, b: dy, out: dx })
    }
}

isa_fn! {
    /// Hardtanh gradient from the input: `dx[i] = (x[i] <= min_val || x[i] >= max_val) ? 0 : dy[i]`.
    ///
    /// A select, zero at both bounds (as PyTorch); NaN `x` gives NaN.
    ///
    /// # Panics
    /// If the lengths differ, if `min_val > max_val`, or if a bound is NaN.
    ///
    /// ```
    /// let mut dx = [1.0f64; 4];
    /// // Zero at both bounds (a select); dy passes strictly inside.
    /// simd_activations::hardtanh_backward(&[-2.0, -2.0, 0.0, 2.0], &[3.0; 4], &mut dx, -2.0, 2.0);
    /// assert_eq!(dx, [0.0, 0.0, 3.0, 0.0]);
    /// ```
    pub fn hardtanh_backward / hardtanh_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T], min_val: T, max_val: T) {
        checks::same_len("hardtanh_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        checks::ordered_bounds("hardtanh_backward", min_val, max_val);
        dispatch("hardtanh_backward", isa, Binary { kernel: ClampBackward { lo: min_val, hi: max_val }, a: x, b: dy, out: dx })
    }
}

isa_fn! {
    /// Hardtanh gradient from the output `y = hardtanh(x, min_val, max_val)`: the same formula
    /// on `y`, equal to [`hardtanh_backward`] bit for bit (valid for every `min_val <= max_val`).
    ///
    /// # Panics
    /// If the lengths differ, if `min_val > max_val`, or if a bound is NaN.
    ///
    /// ```
    /// use simd_activations::{hardtanh, hardtanh_backward_from_output};
    /// let mut y = [0.0f32; 3];
    /// hardtanh(&[-3.0, 0.5, 3.0], &mut y, -1.0, 1.0);
    /// let mut dx = [0.0f32; 3];
    /// hardtanh_backward_from_output(&y, &[4.0; 3], &mut dx, -1.0, 1.0);
    /// assert_eq!(dx, [0.0, 4.0, 0.0]);
    /// ```
    pub fn hardtanh_backward_from_output / hardtanh_backward_from_output_on(isa)(y: &[T], dy: &[T], dx: &mut [T], min_val: T, max_val: T) {
        let func = "hardtanh_backward_from_output";
        checks::same_len(func, &[("y", y.len()), ("dy", dy.len()), ("dx", dx.len())]);
        checks::ordered_bounds(func, min_val, max_val);
        dispatch(func, isa, Binary { kernel: ClampBackward { lo: min_val, hi: max_val }, a: y, b: dy, out: dx })
    }
}

// The kernels, handed to the fused forms and to the runs on slices (see `kernel_use`).

/// The kernel of `relu6`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn relu6_kernel<T: Float, U: UseKernel<T, 1>>(u: U) -> U::Output {
    u.with(relu6_bounds())
}

/// The kernel of `relu6`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn relu6_backward_kernel<T: Float, U: UseKernel<T, 2>>(u: U) -> U::Output {
    let Clamp { lo, hi } = relu6_bounds();
    u.with(ClampBackward { lo, hi })
}

/// The kernel of `hardtanh`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn hardtanh_kernel<T: Float, U: UseKernel<T, 1>>(min_val: T, max_val: T, u: U) -> U::Output {
    u.with(Clamp { lo: min_val, hi: max_val })
}

/// The kernel of `hardtanh`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn hardtanh_backward_kernel<T: Float, U: UseKernel<T, 2>>(min_val: T, max_val: T, u: U) -> U::Output {
    u.with(ClampBackward { lo: min_val, hi: max_val })
}
