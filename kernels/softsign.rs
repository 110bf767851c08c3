//! Softsign `x / (1 + |x|)` and its gradient `1 / (1 + |x|)^2`, in the element type with
//! the sum `1 + |x|` carried exactly (2Sum) and each quotient corrected by its remainder
//! (exact by FMA): one rounding at the end, identical on every ISA.

use crate::api::isa_fn;
use crate::checks;
use crate::dispatch::dispatch;
use crate::kernel_use::UseKernel;
use crate::driver::{Binary, Kernel, Unary, UnaryInPlace};
use crate::math::{two_sum, MathConsts};
use crate::simd::Vector;
use crate::Float;

/// The scalar specification, evaluated in f64.
pub mod reference {
    use crate::float::nan_rule;
    use crate::Float;

    /// `x / (1 + |x|)`; `+-1` at `+-inf` (the limits; PyTorch's `x / (1 + |x|)` gives NaN).
    pub fn softsign<T: Float>(x: T) -> T {
        nan_rule([x], || {
            let x = x.to_f64();
            T::from_f64(if x.is_infinite() { x.signum() } else { x / (1.0 + x.abs()) })
        })
    }
    /// `dy / (1 + |x|)^2`, as `dy * (1 / (1 + |x|)^2)` with the factor rounded to `T` first
    /// (the kernel rounds the derivative, then multiplies); 0 at `+-inf`.
    pub fn softsign_backward<T: Float>(x: T, dy: T) -> T {
        nan_rule([x, dy], || {
            let x = x.to_f64();
            let h = 1.0 / (1.0 + x.abs());
            let g = T::from_f64(h * h);
            g * dy
        })
    }
}

/// `(d, e, a)`: `a = |x|` clamped to the finite range (NaN kept), `d + e = 1 + a` exactly.
#[inline(always)]
fn one_plus_abs<V: Vector>(x: V) -> (V, V, V) {
    let a = x.abs().clamp_max(V::splat(V::Elem::MAX));
    let (d, e) = two_sum(V::splat(V::Elem::ONE), a);
    (d, e, a)
}

#[derive(Clone, Copy)]
struct Softsign;
impl<T: Float> Kernel<T, 1> for Softsign {
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x]: [V; 1]) -> V {
        // a / (d + e) = q + (a - q d - q e) / d: the remainder a - q d is exact (FMA).
        let (d, e, a) = one_plus_abs(x);
        let q = a.div(d);
        let r = q.neg().mul_add(d, a).sub(q.mul(e));
        // |result| <= 1 with the sign of x or-ed in (so -0.0 gives -0.0).
        r.div(d).add(q).or_sign(x)
    }
}

#[derive(Clone, Copy)]
struct SoftsignBackward;
impl<T: Float> Kernel<T, 2> for SoftsignBackward {
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x, dy]: [V; 2]) -> V {
        // h + h_lo = 1 / (d + e) (the remainder 1 - h d exact by FMA), then h^2 + 2 h h_lo
        // rounded once: no overflow (h <= 1) and a subnormal square rounded once.
        let one = V::splat(T::ONE);
        let (d, e, _) = one_plus_abs(x);
        let h = one.div(d);
        let h_lo = h.neg().mul_add(d, one).sub(h.mul(e)).div(d);
        let g = h.mul_add(h, h.add(h).mul(h_lo));
        g.mul(dy)
    }
}

isa_fn! {
    /// Softsign, out of place: `y[i] = x[i] / (1 + |x[i]|)` (PyTorch's `Softsign`, Keras's
    /// `softsign`).
    ///
    /// Correctly rounded but for rare near-ties (`1 + |x|` carried exactly, the quotient
    /// corrected by its remainder; measured 0.50 ULP for every f32 input, and for 20,000
    /// sampled f64 inputs against 50-digit values). NaN gives NaN,
    /// `+-inf` give `+-1` (the limits; PyTorch gives NaN), `-0.0` gives `-0.0`.
    ///
    /// # Panics
    /// If `x.len() != y.len()`.
    ///
    /// ```
    /// let mut y = [0.0f32; 4];
    /// simd_activations::softsign(&[1.0, -3.0, f32::INFINITY, 0.0], &mut y);
    /// assert_eq!(y, [0.5, -0.75, 1.0, 0.0]);
    /// ```
    pub fn softsign / softsign_on(isa)(x: &[T], y: &mut [T]) {
        checks::same_len("softsign", &[("x", x.len()), ("y", y.len())]);
        dispatch("softsign", isa, Unary { kernel: Softsign, x, y })
    }
}

isa_fn! {
    /// Softsign in place; semantics as [`softsign`].
    ///
    /// ```
    /// let mut xy = [-1.0f64, f64::NAN];
    /// simd_activations::softsign_inplace(&mut xy);
    /// assert_eq!(xy[0], -0.5);
    /// assert!(xy[1].is_nan());
    /// ```
    pub fn softsign_inplace / softsign_inplace_on(isa)(xy: &mut [T]) {
        dispatch("softsign_inplace", isa, UnaryInPlace { kernel: Softsign, xy })
    }
}

isa_fn! {
    /// Softsign gradient: `dx[i] = dy[i] / (1 + |x[i]|)^2` (what PyTorch's autograd gives for
    /// `x / (1 + |x|)`: 1 at 0), the factor rounded once and then multiplied by `dy`; 0 at
    /// `+-inf`; NaN `x` gives NaN. Error (`dy = 1`): 0.9996 ULP for every f32 input
    /// (measured; the worst where the square is near f32's smallest normal, |x| ~ 8e18, and
    /// its correction term is subnormal); f64 0.50 ULP (20,000 sampled inputs against
    /// 50-digit values).
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length.
    ///
    /// ```
    /// let mut dx = [0.0f32; 3];
    /// simd_activations::softsign_backward(&[0.0, 1.0, -3.0], &[2.0; 3], &mut dx);
    /// assert_eq!(dx, [2.0, 0.5, 0.125]);
    /// ```
    pub fn softsign_backward / softsign_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T]) {
        checks::same_len("softsign_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        dispatch("softsign_backward", isa, Binary { kernel: SoftsignBackward, a: x, b: dy, out: dx })
    }
}

// The kernels, handed to the fused forms and to the runs on slices (see `kernel_use`).

/// The kernel of `softsign`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn softsign_kernel<T: Float, U: UseKernel<T, 1>>(u: U) -> U::Output {
    u.with(Softsign)
}

/// The kernel of `softsign`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn softsign_backward_kernel<T: Float, U: UseKernel<T, 2>>(u: U) -> U::Output {
    u.with(SoftsignBackward)
}
