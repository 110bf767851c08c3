//! The hard (piecewise) variants: hardsigmoid `clamp(x + 3, 0, 6) / 6` and hardswish
//! `x * hardsigmoid(x)`, with gradients. Evaluated in the element type with the sums and
//! products that round carried exactly, and the division by a constant done as a product by
//! a two-part reciprocal: one rounding at the end, as in f64 and for every ISA.

use crate::api::isa_fn;
use crate::checks;
use crate::dispatch::dispatch;
use crate::kernel_use::UseKernel;
use crate::driver::{Binary, Kernel, Unary, UnaryInPlace};
use crate::kernels::relu::pass_nan;
use crate::simd::Vector;
use crate::Float;

/// The scalar specification, evaluated in f64.
pub mod reference {
    use crate::float::nan_rule;
    use crate::Float;

    fn hs(x: f64) -> f64 {
        (x + 3.0).clamp(0.0, 6.0) / 6.0
    }

    /// `clamp(x + 3, 0, 6) / 6`; NaN gives NaN.
    pub fn hardsigmoid<T: Float>(x: T) -> T {
        nan_rule([x], || {
            let x = x.to_f64();
            T::from_f64(if x.is_nan() { x } else { hs(x) })
        })
    }
    /// `-3 < x < 3 ? dy / 6 : 0`; NaN `x` gives NaN.
    pub fn hardsigmoid_backward<T: Float>(x: T, dy: T) -> T {
        nan_rule([x, dy], || {
            let x = x.to_f64();
            T::from_f64(if x.is_nan() {
                x
            } else if x > -3.0 && x < 3.0 {
                dy.to_f64() / 6.0
            } else {
                0.0
            })
        })
    }
    /// `x * clamp(x + 3, 0, 6) / 6`; `-0.0` for every `x <= -3`, `-inf` included.
    pub fn hardswish<T: Float>(x: T) -> T {
        nan_rule([x], || {
            let x = x.to_f64();
            T::from_f64(if x.is_nan() {
                x
            } else if x <= -3.0 {
                -0.0
            } else {
                x * hs(x)
            })
        })
    }
    /// `x <= -3 ? 0 : x >= 3 ? dy : dy * (x / 3 + 1/2)`; NaN `x` gives NaN.
    pub fn hardswish_backward<T: Float>(x: T, dy: T) -> T {
        nan_rule([x, dy], || {
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
        })
    }
}

/// `1 / d` as an unevaluated sum `hi + lo` of two `T` (`lo` is the rounded remainder
/// `(1 - d hi) / d`), so that `v / d ~ v hi + v lo` is correct to about twice `T`'s precision.
#[derive(Clone, Copy)]
struct Reciprocal<T> {
    hi: T,
    lo: T,
}

impl<T: Float> Reciprocal<T> {
    fn of(d: f64) -> Self {
        let hi = T::from_f64(1.0 / d);
        // Exact for f32 (a 24-bit by 3-bit product) and, being an FMA, for f64.
        let remainder = (-d).mul_add(hi.to_f64(), 1.0);
        Reciprocal { hi, lo: T::from_f64(remainder / d) }
    }

    /// As [`Reciprocal::of`], with `hi` the nearest `T` at or below `1 / d`, so that `lo >=
    /// 0` (hardswish needs `t lo` to be `-0.0` for `t = -0.0`; f32's nearest `1/6` is above
    /// it, f64's below).
    fn toward_zero(d: f64) -> Self {
        let r = Self::of(d);
        if r.lo.to_f64() >= 0.0 {
            return r;
        }
        // `hi` is above `1 / d`: one unit in the last place of `T` less (an f32 held in an
        // f64 has 29 trailing zero bits).
        let single = T::from_f64(1.0 + f64::EPSILON).to_f64() == 1.0;
        let step = if single { 1 << 29 } else { 1 };
        let hi = T::from_f64(f64::from_bits(r.hi.to_f64().to_bits() - step));
        let remainder = (-d).mul_add(hi.to_f64(), 1.0);
        Reciprocal { hi, lo: T::from_f64(remainder / d) }
    }

    /// `(a + b) / d` for a finite `a` and a small `b` (`|b| <= ulp(a)`), rounded once:
    /// `a hi + (a lo + b hi)`.
    #[inline(always)]
    fn divide<V: Vector<Elem = T>>(self, a: V, b: V) -> V {
        let (hi, lo) = (V::splat(self.hi), V::splat(self.lo));
        a.mul_add(hi, a.mul_add(lo, b.mul(hi)))
    }

    /// `v / d` for any `v`, rounded once: `v hi + v lo`, with `v` clamped to the finite range
    /// in the small term (so `+-inf` give `+-inf`, not `inf - inf`).
    #[inline(always)]
    fn scale<V: Vector<Elem = T>>(self, v: V) -> V {
        let finite = v.clamp_min(V::splat(-T::MAX)).clamp_max(V::splat(T::MAX));
        v.mul_add(V::splat(self.hi), finite.mul(V::splat(self.lo)))
    }
}

/// `(xc, s, err)` with `xc` = `x` clamped to [-3, 3] (NaN kept), `s = xc + 3` rounded and
/// `err` its rounding error, exactly (Fast2Sum: `|3| >= |xc|`).
#[inline(always)]
fn shifted_by_three<V: Vector>(x: V) -> (V, V, V) {
    let three = V::splat(V::Elem::from_f64(3.0));
    let xc = x.clamp_min(three.neg()).clamp_max(three);
    let s = xc.add(three);
    (xc, s, xc.sub(s.sub(three)))
}

#[derive(Clone, Copy)]
struct Hardsigmoid<T>(Reciprocal<T>);
impl<T: Float> Kernel<T, 1> for Hardsigmoid<T> {
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x]: [V; 1]) -> V {
        let (_, s, err) = shifted_by_three(x);
        self.0.divide(s, err)
    }
}

#[derive(Clone, Copy)]
struct HardsigmoidBackward<T>(Reciprocal<T>);
impl<T: Float> Kernel<T, 2> for HardsigmoidBackward<T> {
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x, dy]: [V; 2]) -> V {
        let three = V::splat(T::from_f64(3.0));
        let outside = V::mask_or(x.le(three.neg()), three.le(x));
        pass_nan(x, V::select(outside, V::zero(), self.0.scale(dy)))
    }
}

#[derive(Clone, Copy)]
struct Hardswish<T>(Reciprocal<T>);
impl<T: Float> Kernel<T, 1> for Hardswish<T> {
    /// Thirteen operations, six of them on the FMA pipes (the fourteenth, an `or` of the sign
    /// of `x`, is gone: the zeros come out signed on their own, see below). In lockstep:
    /// 0.308-0.311 ns per element against 0.327-0.335 in pairs (AVX2, Zen 3, 8K, same-binary
    /// pair alternated, with the `or`).
    const LOCKSTEP: bool = true;

    /// `x (x + 3) / 6` for `-3 < x < 3` in the element type, one rounding at the end: the
    /// sum `s + e = xc + 3` exactly (Fast2Sum), the product `xc s = t + tl` exactly (FMA),
    /// `xc e` joined to `tl`, then `(t + tl2) / 6` as `t hi + (t lo + tl2 hi)` with the
    /// two-part reciprocal. Every term but the last FMA is below 2^-22 of the result, so the
    /// result is correctly rounded but for near-ties (as the f64 evaluation this replaces for
    /// f32, at 13 operations on 8 lanes where that took 10 on two halves and 5 conversions).
    ///
    /// The zeros are signed as `x (x + 3) / 6`: `-0.0` for `x = -0.0` and every `x <= -3`,
    /// `+0.0` for `x = +0.0`. The exact error terms are written so that where they are zero
    /// they are `+0.0` or `-0.0` as that needs: `e = (3 - s) + xc` (`+0.0` for both `-0.0`
    /// and `x <= -3`, where `xc - (s - 3)` would give `-0.0` for `-0.0`), and `tl = -(t - xc
    /// s)` (`-0.0` where `t = -0.0`, where `xc s - t` would give `+0.0`), so that `tl2 = xc e +
    /// tl` and then every term of the last sum is `-0.0` in those cases (`t lo` too: `lo >= 0`,
    /// see [`Reciprocal::toward_zero`]; a sum of `-0.0`s is `-0.0`, one `+0.0` among them
    /// would make it `+0.0`). Nonzero results have the sign of `x` already (a nonzero exact
    /// value that rounds to zero keeps its sign). Lanes with `x >= 3` take `x` (the sum is not
    /// exact there, and the product may overflow); NaN stays NaN (the clamp keeps it).
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x]: [V; 1]) -> V {
        let three = V::splat(T::from_f64(3.0));
        let xc = x.clamp_min(three.neg());
        let s = xc.add(three);
        let e = three.sub(s).add(xc);
        let t = xc.mul(s);
        let t_minus_product = xc.neg().mul_add(s, t);
        let tl2 = xc.mul_add(e, t_minus_product.neg());
        let (hi, lo) = (V::splat(self.0.hi), V::splat(self.0.lo));
        let y = t.mul_add(hi, t.mul_add(lo, tl2.mul(hi)));
        V::select(three.le(x), x, y)
    }
}

#[derive(Clone, Copy)]
struct HardswishBackward<T>(Reciprocal<T>);
impl<T: Float> Kernel<T, 2> for HardswishBackward<T> {
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x, dy]: [V; 2]) -> V {
        // x / 3 + 1/2 = (x + 3/2) / 3, the sum carried exactly (2Sum), then one product.
        let (three, half3) = (V::splat(T::from_f64(3.0)), V::splat(T::from_f64(1.5)));
        let xc = x.clamp_min(three.neg()).clamp_max(three);
        let s = xc.add(half3);
        let b = s.sub(xc);
        let err = xc.sub(s.sub(b)).add(half3.sub(b));
        let middle = dy.mul(self.0.divide(s, err));
        let r = V::select(three.le(x), dy, middle);
        pass_nan(x, V::select(x.le(three.neg()), V::zero(), r))
    }
}

isa_fn! {
    /// Hardsigmoid, out of place: `y[i] = clamp(x[i] + 3, 0, 6) / 6` (as PyTorch).
    ///
    /// Correctly rounded but for rare near-ties (the sum and the division by 6 are carried to
    /// twice the precision; measured 0.50 ULP for every f32 input). NaN gives NaN.
    ///
    /// # Panics
    /// If `x.len() != y.len()`.
    ///
    /// ```
    /// let mut y = [0.0f32; 4];
    /// simd_activations::hardsigmoid(&[0.0, -3.0, 3.0, 1.0], &mut y);
    /// assert_eq!(y, [0.5, 0.0, 1.0, 4.0 / 6.0]); // correctly rounded
    /// ```
    pub fn hardsigmoid / hardsigmoid_on(isa)(x: &[T], y: &mut [T]) {
        checks::same_len("hardsigmoid", &[("x", x.len()), ("y", y.len())]);
        dispatch("hardsigmoid", isa, Unary { kernel: Hardsigmoid(Reciprocal::of(6.0)), x, y })
    }
}

isa_fn! {
    /// Hardsigmoid in place; semantics as [`hardsigmoid`].
    ///
    /// ```
    /// let mut xy = [f64::INFINITY, f64::NEG_INFINITY, f64::NAN];
    /// simd_activations::hardsigmoid_inplace(&mut xy);
    /// assert_eq!(xy[..2], [1.0, 0.0]);
    /// assert!(xy[2].is_nan());
    /// ```
    pub fn hardsigmoid_inplace / hardsigmoid_inplace_on(isa)(xy: &mut [T]) {
        dispatch("hardsigmoid_inplace", isa, UnaryInPlace { kernel: Hardsigmoid(Reciprocal::of(6.0)), xy })
    }
}

isa_fn! {
    /// Hardsigmoid gradient: `dx = -3 < x < 3 ? dy / 6 : 0` (a select, as PyTorch: 0 at both
    /// breakpoints, and NaN or inf `dy` gives 0 outside); NaN `x` gives NaN.
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length.
    ///
    /// ```
    /// let mut dx = [9.0f32; 4];
    /// // 0 at both breakpoints (a select: an infinite dy gives 0 outside), dy / 6 inside.
    /// simd_activations::hardsigmoid_backward(&[-3.0, 3.0, 0.0, 5.0], &[6.0, 6.0, 6.0, f32::INFINITY], &mut dx);
    /// assert_eq!(dx, [0.0, 0.0, 1.0, 0.0]);
    /// ```
    pub fn hardsigmoid_backward / hardsigmoid_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T]) {
        checks::same_len("hardsigmoid_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        dispatch("hardsigmoid_backward", isa, Binary { kernel: HardsigmoidBackward(Reciprocal::of(6.0)), a: x, b: dy, out: dx })
    }
}

isa_fn! {
    /// Hardswish, out of place: `y[i] = x[i] * clamp(x[i] + 3, 0, 6) / 6` (as PyTorch).
    ///
    /// Correctly rounded but for rare near-ties where the result is normal (the sum `x + 3`,
    /// the product and the division by 6 carried to twice the precision by FMA, in the
    /// element type, rounded once; measured 0.50 ULP for every f32 input with a normal
    /// result). Where the result is subnormal (`|x| < 2.4e-38`) the small terms round in the
    /// subnormal range: measured 1.00 ULP there, within the bound. Any f32 intermediate rounded on
    /// the way costs up to 1 ULP more: the fast peers' three-rounding form,
    /// `max(x, -3) * (min(x + 3, 6) / 6)`, measured 1.88 ULP, beyond the 1 ULP promised here.
    /// NaN gives NaN; every `x <= -3` gives `-0.0`, `-inf` included (PyTorch gives NaN at
    /// `-inf`).
    ///
    /// # Panics
    /// If `x.len() != y.len()`.
    ///
    /// ```
    /// let mut y = [0.0f32; 4];
    /// simd_activations::hardswish(&[-4.0, f32::NEG_INFINITY, 3.0, 1.0], &mut y);
    /// assert_eq!(y[..2].iter().map(|v| v.to_bits()).collect::<Vec<_>>(), [(-0.0f32).to_bits(); 2]);
    /// assert_eq!(y[2..], [3.0, 4.0 / 6.0]);
    /// ```
    pub fn hardswish / hardswish_on(isa)(x: &[T], y: &mut [T]) {
        checks::same_len("hardswish", &[("x", x.len()), ("y", y.len())]);
        dispatch("hardswish", isa, Unary { kernel: Hardswish(Reciprocal::toward_zero(6.0)), x, y })
    }
}

isa_fn! {
    /// Hardswish in place; semantics as [`hardswish`].
    ///
    /// ```
    /// let mut xy = [-1.5f64, 10.0, f64::NAN];
    /// simd_activations::hardswish_inplace(&mut xy);
    /// assert_eq!(xy[..2], [-0.375, 10.0]); // -1.5 * 1.5 / 6; x above 3
    /// assert!(xy[2].is_nan());
    /// ```
    pub fn hardswish_inplace / hardswish_inplace_on(isa)(xy: &mut [T]) {
        dispatch("hardswish_inplace", isa, UnaryInPlace { kernel: Hardswish(Reciprocal::toward_zero(6.0)), xy })
    }
}

isa_fn! {
    /// Hardswish gradient: `dx = x <= -3 ? 0 : x >= 3 ? dy : dy * (x / 3 + 1/2)`, so
    /// `hardswish'(-3) = 0` and `hardswish'(3) = 1`. The zero branch is a select (NaN or inf
    /// `dy` gives 0 there); NaN `x` gives NaN.
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length.
    ///
    /// ```
    /// let mut dx = [9.0f32; 4];
    /// simd_activations::hardswish_backward(&[-3.0, 3.0, 0.0, -5.0], &[1.0, 1.0, 1.0, f32::NAN], &mut dx);
    /// assert_eq!(dx, [0.0, 1.0, 0.5, 0.0]); // hardswish'(-3) = 0, hardswish'(3) = 1; select below -3
    /// ```
    pub fn hardswish_backward / hardswish_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T]) {
        checks::same_len("hardswish_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        dispatch("hardswish_backward", isa, Binary { kernel: HardswishBackward(Reciprocal::of(3.0)), a: x, b: dy, out: dx })
    }
}

// The kernels, handed to the fused forms and to the runs on slices (see `kernel_use`).

/// The kernel of `hardsigmoid`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn hardsigmoid_kernel<T: Float, U: UseKernel<T, 1>>(u: U) -> U::Output {
    u.with(Hardsigmoid(Reciprocal::of(6.0)))
}

/// The kernel of `hardsigmoid`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn hardsigmoid_backward_kernel<T: Float, U: UseKernel<T, 2>>(u: U) -> U::Output {
    u.with(HardsigmoidBackward(Reciprocal::of(6.0)))
}

/// The kernel of `hardswish`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn hardswish_kernel<T: Float, U: UseKernel<T, 1>>(u: U) -> U::Output {
    u.with(Hardswish(Reciprocal::toward_zero(6.0)))
}

/// The kernel of `hardswish`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn hardswish_backward_kernel<T: Float, U: UseKernel<T, 2>>(u: U) -> U::Output {
    u.with(HardswishBackward(Reciprocal::of(3.0)))
}
