//! The hard (piecewise) variants: hardsigmoid `clamp(x + 3, 0, 6) / 6` and hardswish
//! `x * hardsigmoid(x)`, with gradients. Evaluated in f64 (f32 results rounded once, so they
//! are correctly rounded).

use crate::api::isa_fn;
use crate::checks;
use crate::dispatch::dispatch;
use crate::driver::{Binary, Unary, UnaryInPlace, ViaF64};
use crate::kernels::relu::pass_nan;
use crate::kernels::sigmoid::times_vanishing;
use crate::simd::{Vector, WideFn};

/// The scalar specification, evaluated in f64.
pub mod reference {
    use crate::Float;

    fn hs(x: f64) -> f64 {
        (x + 3.0).clamp(0.0, 6.0) / 6.0
    }

    /// `clamp(x + 3, 0, 6) / 6`; NaN gives NaN.
    pub fn hardsigmoid<T: Float>(x: T) -> T {
        let x = x.to_f64();
        T::from_f64(if x.is_nan() { x } else { hs(x) })
    }
    /// `-3 < x < 3 ? dy / 6 : 0`; NaN `x` gives NaN.
    pub fn hardsigmoid_backward<T: Float>(x: T, dy: T) -> T {
        let x = x.to_f64();
        T::from_f64(if x.is_nan() {
            x
        } else if x > -3.0 && x < 3.0 {
            dy.to_f64() / 6.0
        } else {
            0.0
        })
    }
    /// `x * clamp(x + 3, 0, 6) / 6`; `-0.0` for every `x <= -3`, `-inf` included.
    pub fn hardswish<T: Float>(x: T) -> T {
        let x = x.to_f64();
        T::from_f64(if x.is_nan() {
            x
        } else if x <= -3.0 {
            -0.0
        } else {
            x * hs(x)
        })
    }
    /// `x <= -3 ? 0 : x >= 3 ? dy : dy * (x / 3 + 1/2)`; NaN `x` gives NaN.
    pub fn hardswish_backward<T: Float>(x: T, dy: T) -> T {
        let x = x.to_f64();
        T::from_f64(if x.is_nan() {
            x
        } else if x <= -3.0 {
            0.0
        } else if x >= 3.0 {
            dy.to_f64()
        } else {
            dy.to_f64() * ((x + 1.5) / 3.0)
        })
    }
}

/// `clamp(x + 3, 0, 6) / 6`, NaN kept.
#[inline(always)]
fn hardsigmoid_wide<W: Vector<Elem = f64>>(x: W) -> W {
    x.add(W::splat(3.0)).clamp_min(W::zero()).clamp_max(W::splat(6.0)).div(W::splat(6.0))
}

#[derive(Clone, Copy)]
struct Hardsigmoid;
impl WideFn<1> for Hardsigmoid {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>>(self, [x]: [W; 1]) -> W {
        hardsigmoid_wide(x)
    }
}

#[derive(Clone, Copy)]
struct HardsigmoidBackward;
impl WideFn<2> for HardsigmoidBackward {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>>(self, [x, dy]: [W; 2]) -> W {
        let outside = W::mask_or(x.le(W::splat(-3.0)), W::splat(3.0).le(x));
        pass_nan(x, W::select(outside, W::zero(), dy.div(W::splat(6.0))))
    }
}

#[derive(Clone, Copy)]
struct Hardswish;
impl WideFn<1> for Hardswish {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>>(self, [x]: [W; 1]) -> W {
        times_vanishing(x, hardsigmoid_wide(x))
    }
}

#[derive(Clone, Copy)]
struct HardswishBackward;
impl WideFn<2> for HardswishBackward {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>>(self, [x, dy]: [W; 2]) -> W {
        // x / 3 + 1/2 as (x + 3/2) / 3: exact sum near the zero at -3/2, one rounding.
        let middle = dy.mul(x.add(W::splat(1.5)).div(W::splat(3.0)));
        let r = W::select(W::splat(3.0).le(x), dy, middle);
        pass_nan(x, W::select(x.le(W::splat(-3.0)), W::zero(), r))
    }
}

isa_fn! {
    /// Hardsigmoid, out of place: `y[i] = clamp(x[i] + 3, 0, 6) / 6` (as PyTorch).
    ///
    /// Correctly rounded (evaluated in f64 for f32). NaN gives NaN.
    ///
    /// # Panics
    /// If `x.len() != y.len()`.
    pub fn hardsigmoid / hardsigmoid_on(isa)(x: &[T], y: &mut [T]) {
        checks::same_len("hardsigmoid", &[("x", x.len()), ("y", y.len())]);
        dispatch("hardsigmoid", isa, Unary { kernel: ViaF64(Hardsigmoid), x, y })
    }
}

isa_fn! {
    /// Hardsigmoid in place; semantics as [`hardsigmoid`].
    pub fn hardsigmoid_inplace / hardsigmoid_inplace_on(isa)(xy: &mut [T]) {
        dispatch("hardsigmoid_inplace", isa, UnaryInPlace { kernel: ViaF64(Hardsigmoid), xy })
    }
}

isa_fn! {
    /// Hardsigmoid gradient: `dx = -3 < x < 3 ? dy / 6 : 0` (a select, as PyTorch: 0 at both
    /// breakpoints, and NaN or inf `dy` gives 0 outside); NaN `x` gives NaN.
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length.
    pub fn hardsigmoid_backward / hardsigmoid_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T]) {
        checks::same_len("hardsigmoid_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        dispatch("hardsigmoid_backward", isa, Binary { kernel: ViaF64(HardsigmoidBackward), a: x, b: dy, out: dx })
    }
}

isa_fn! {
    /// Hardswish, out of place: `y[i] = x[i] * clamp(x[i] + 3, 0, 6) / 6` (as PyTorch).
    ///
    /// Correctly rounded (evaluated in f64 for f32). NaN gives NaN; every `x <= -3` gives
    /// `-0.0`, `-inf` included (PyTorch gives NaN at `-inf`).
    ///
    /// # Panics
    /// If `x.len() != y.len()`.
    pub fn hardswish / hardswish_on(isa)(x: &[T], y: &mut [T]) {
        checks::same_len("hardswish", &[("x", x.len()), ("y", y.len())]);
        dispatch("hardswish", isa, Unary { kernel: ViaF64(Hardswish), x, y })
    }
}

isa_fn! {
    /// Hardswish in place; semantics as [`hardswish`].
    pub fn hardswish_inplace / hardswish_inplace_on(isa)(xy: &mut [T]) {
        dispatch("hardswish_inplace", isa, UnaryInPlace { kernel: ViaF64(Hardswish), xy })
    }
}

isa_fn! {
    /// Hardswish gradient: `dx = x <= -3 ? 0 : x >= 3 ? dy : dy * (x / 3 + 1/2)`, so
    /// `hardswish'(-3) = 0` and `hardswish'(3) = 1`. The zero branch is a select (NaN or inf
    /// `dy` gives 0 there); NaN `x` gives NaN.
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length.
    pub fn hardswish_backward / hardswish_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T]) {
        checks::same_len("hardswish_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        dispatch("hardswish_backward", isa, Binary { kernel: ViaF64(HardswishBackward), a: x, b: dy, out: dx })
    }
}
