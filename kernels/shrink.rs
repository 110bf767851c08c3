//! The shrinkage functions: hardshrink `|x| > lambd ? x : 0` and softshrink
//! `x > lambd ? x - lambd : x < -lambd ? x + lambd : 0` (PyTorch's `Hardshrink`,
//! `Softshrink`), with their gradient, shared: `|x| > lambd ? dy : 0`. Selects and one
//! rounded sum: correctly rounded, identical on every ISA.

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

    fn inside<T: Float>(x: T, lambd: T) -> bool {
        x >= T::ZERO - lambd && x <= lambd
    }

    /// `-lambd <= x <= lambd ? +0 : x` (as PyTorch); NaN gives NaN.
    pub fn hardshrink<T: Float>(x: T, lambd: T) -> T {
        nan_rule([x], || if inside(x, lambd) { T::ZERO } else { x })
    }
    /// `-lambd <= x <= lambd ? 0 : dy` (a select, as PyTorch: 0 at `|x| == lambd`); NaN `x`
    /// gives NaN.
    pub fn hardshrink_backward<T: Float>(x: T, dy: T, lambd: T) -> T {
        nan_rule([x, dy], || {
            if x.is_nan() {
                x
            } else if inside(x, lambd) {
                T::ZERO
            } else {
                dy
            }
        })
    }
    /// `x > lambd ? x - lambd : x < -lambd ? x + lambd : +0` (as PyTorch); NaN gives NaN.
    pub fn softshrink<T: Float>(x: T, lambd: T) -> T {
        nan_rule([x], || {
            if x > lambd {
                x - lambd
            } else if x < T::ZERO - lambd {
                x + lambd
            } else if x.is_nan() {
                x
            } else {
                T::ZERO
            }
        })
    }
    /// As [`hardshrink_backward`] (PyTorch's `softshrink_backward` is the same select).
    pub fn softshrink_backward<T: Float>(x: T, dy: T, lambd: T) -> T {
        hardshrink_backward(x, dy, lambd)
    }
}

/// Lanes where `x < -lambd` or `x > lambd` (false for NaN).
#[inline(always)]
fn outside<V: Vector>(x: V, lambd: V::Elem) -> V::Mask {
    let l = V::splat(lambd);
    V::mask_or(x.lt(l.neg()), x.gt(l))
}

#[derive(Clone, Copy)]
struct Hardshrink<T>(T);
impl<T: Float> Kernel<T, 1> for Hardshrink<T> {
    const SELECTS: bool = true; // x, dy, a parameter or zero
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x]: [V; 1]) -> V {
        pass_nan(x, V::select(outside(x, self.0), x, V::zero()))
    }
}

#[derive(Clone, Copy)]
struct Softshrink<T>(T);
impl<T: Float> Kernel<T, 1> for Softshrink<T> {
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x]: [V; 1]) -> V {
        let l = V::splat(self.0);
        let shifted = V::select(x.gt(l), x.sub(l), x.add(l));
        pass_nan(x, V::select(outside(x, self.0), shifted, V::zero()))
    }
}

/// The gradient of both: `|x| > lambd ? dy : 0`.
#[derive(Clone, Copy)]
struct ShrinkBackward<T>(T);
impl<T: Float> Kernel<T, 2> for ShrinkBackward<T> {
    const SELECTS: bool = true; // x, dy, a parameter or zero
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x, dy]: [V; 2]) -> V {
        pass_nan(x, V::select(outside(x, self.0), dy, V::zero()))
    }
}

#[track_caller]
fn check_hard<T: Float>(func: &str, lambd: T) {
    checks::finite(func, "lambd", lambd, "an infinite lambd zeroes every finite input");
}

#[track_caller]
fn check_soft<T: Float>(func: &str, lambd: T) {
    checks::non_negative(func, "lambd", lambd, "PyTorch requires lambd >= 0");
}

isa_fn! {
    /// Hardshrink, out of place: `y[i] = -lambd <= x[i] <= lambd ? +0 : x[i]` (PyTorch's
    /// default `lambd` is 0.5; any finite value is accepted, a negative one makes it the
    /// identity, as in PyTorch).
    ///
    /// Exact (a select). NaN gives NaN; inside the band the result is `+0`.
    ///
    /// # Panics
    /// If `x.len() != y.len()`, or if `lambd` is NaN or infinite.
    ///
    /// ```
    /// let mut y = [9.0f32; 4];
    /// simd_activations::hardshrink(&[-0.5, 0.25, 0.75, -2.0], &mut y, 0.5);
    /// assert_eq!(y, [0.0, 0.0, 0.75, -2.0]);
    /// ```
    pub fn hardshrink / hardshrink_on(isa)(x: &[T], y: &mut [T], lambd: T) {
        checks::same_len("hardshrink", &[("x", x.len()), ("y", y.len())]);
        check_hard("hardshrink", lambd);
        dispatch("hardshrink", isa, Unary { kernel: Hardshrink(lambd), x, y })
    }
}

isa_fn! {
    /// Hardshrink in place; semantics and panics as [`hardshrink`].
    ///
    /// ```
    /// let mut xy = [0.5f64, 0.5000001, f64::NAN];
    /// simd_activations::hardshrink_inplace(&mut xy, 0.5);
    /// assert_eq!(xy[..2], [0.0, 0.5000001]);
    /// assert!(xy[2].is_nan());
    /// ```
    pub fn hardshrink_inplace / hardshrink_inplace_on(isa)(xy: &mut [T], lambd: T) {
        check_hard("hardshrink_inplace", lambd);
        dispatch("hardshrink_inplace", isa, UnaryInPlace { kernel: Hardshrink(lambd), xy })
    }
}

isa_fn! {
    /// Hardshrink gradient: `dx[i] = -lambd <= x[i] <= lambd ? 0 : dy[i]` (as PyTorch: 0 at
    /// `|x| == lambd`). A select, so NaN or inf `dy` gives 0 inside the band; NaN `x` gives NaN.
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length, or if `lambd` is NaN or infinite.
    ///
    /// ```
    /// let mut dx = [9.0f32; 3];
    /// simd_activations::hardshrink_backward(&[0.5, -0.75, 0.0], &[3.0, 3.0, f32::NAN], &mut dx, 0.5);
    /// assert_eq!(dx, [0.0, 3.0, 0.0]);
    /// ```
    pub fn hardshrink_backward / hardshrink_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T], lambd: T) {
        checks::same_len("hardshrink_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        check_hard("hardshrink_backward", lambd);
        dispatch("hardshrink_backward", isa, Binary { kernel: ShrinkBackward(lambd), a: x, b: dy, out: dx })
    }
}

isa_fn! {
    /// Softshrink, out of place: `y[i] = x > lambd ? x - lambd : x < -lambd ? x + lambd : +0`
    /// (PyTorch's default `lambd` is 0.5; like PyTorch, `lambd` must be `>= 0`).
    ///
    /// One rounded sum: correctly rounded (0.5 ULP; measured 0.5 for every f32 input). NaN
    /// gives NaN, `+-inf` give `+-inf`; inside the band the result is `+0`.
    ///
    /// # Panics
    /// If `x.len() != y.len()`, or unless `0 <= lambd < inf`.
    ///
    /// ```
    /// let mut y = [9.0f32; 4];
    /// simd_activations::softshrink(&[-0.5, 0.25, 0.75, -2.0], &mut y, 0.5);
    /// assert_eq!(y, [0.0, 0.0, 0.25, -1.5]);
    /// ```
    pub fn softshrink / softshrink_on(isa)(x: &[T], y: &mut [T], lambd: T) {
        checks::same_len("softshrink", &[("x", x.len()), ("y", y.len())]);
        check_soft("softshrink", lambd);
        dispatch("softshrink", isa, Unary { kernel: Softshrink(lambd), x, y })
    }
}

isa_fn! {
    /// Softshrink in place; semantics and panics as [`softshrink`].
    ///
    /// ```
    /// let mut xy = [1.0f64, f64::NEG_INFINITY];
    /// simd_activations::softshrink_inplace(&mut xy, 0.25);
    /// assert_eq!(xy, [0.75, f64::NEG_INFINITY]);
    /// ```
    pub fn softshrink_inplace / softshrink_inplace_on(isa)(xy: &mut [T], lambd: T) {
        check_soft("softshrink_inplace", lambd);
        dispatch("softshrink_inplace", isa, UnaryInPlace { kernel: Softshrink(lambd), xy })
    }
}

isa_fn! {
    /// Softshrink gradient: `dx[i] = -lambd <= x[i] <= lambd ? 0 : dy[i]` (PyTorch's
    /// `softshrink_backward`: 0 at `|x| == lambd`). A select, so NaN or inf `dy` gives 0
    /// inside the band; NaN `x` gives NaN.
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length, or unless `0 <= lambd < inf`.
    ///
    /// ```
    /// let mut dx = [9.0f32; 3];
    /// simd_activations::softshrink_backward(&[-0.5, 1.0, 0.1], &[2.0; 3], &mut dx, 0.5);
    /// assert_eq!(dx, [0.0, 2.0, 0.0]);
    /// ```
    pub fn softshrink_backward / softshrink_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T], lambd: T) {
        checks::same_len("softshrink_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        check_soft("softshrink_backward", lambd);
        dispatch("softshrink_backward", isa, Binary { kernel: ShrinkBackward(lambd), a: x, b: dy, out: dx })
    }
}

// The kernels, handed to the fused forms and to the runs on slices (see `kernel_use`).

/// The kernel of `hardshrink`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn hardshrink_kernel<T: Float, U: UseKernel<T, 1>>(lambd: T, u: U) -> U::Output {
    u.with(Hardshrink(lambd))
}

/// The kernel of `hardshrink`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn hardshrink_backward_kernel<T: Float, U: UseKernel<T, 2>>(lambd: T, u: U) -> U::Output {
    u.with(ShrinkBackward(lambd))
}

/// The kernel of `softshrink`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn softshrink_kernel<T: Float, U: UseKernel<T, 1>>(lambd: T, u: U) -> U::Output {
    u.with(Softshrink(lambd))
}

/// The kernel of `softshrink`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn softshrink_backward_kernel<T: Float, U: UseKernel<T, 2>>(lambd: T, u: U) -> U::Output {
    u.with(ShrinkBackward(lambd))
}
