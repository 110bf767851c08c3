//! The logistic family: sigmoid `1 / (1 + e^-x)` and SiLU (swish) `x * sigmoid(x)`, with
//! gradients. f32: all four natively in f32 lanes (a compensated quotient over
//! `math::native::exp_pair`), lanes with `|x| > 64` (where the corrections would be
//! subnormal) from the f64 body, lane by lane. f64: in f64 with double-length steps.

use crate::api::isa_fn;
use crate::checks;
use crate::dispatch::dispatch;
use crate::kernel_use::UseKernel;
use crate::Float;
use crate::driver::{Binary, Native, Unary, UnaryInPlace, ViaF64};
use crate::math::{self, Accuracy, Full, GradientZero};
use crate::math::native;
use crate::simd::{NativeFn, Vector, WideFn};

/// The scalar specification, evaluated in f64.
pub mod reference {
    use crate::float::nan_rule;
    use crate::Float;

    /// `1 / (1 + e^-x)`, as `e^x / (1 + e^x)` for negative `x` so that tiny (subnormal)
    /// values are not lost to `e^-x` overflowing.
    pub(crate) fn sig(x: f64) -> f64 {
        if x >= 0.0 {
            1.0 / (1.0 + (-x).exp())
        } else {
            let e = x.exp();
            e / (1.0 + e)
        }
    }

    /// Below this `e^x` is subnormal in f64: [`times_exp`] takes over from the plain forms.
    pub(crate) const SUBNORMAL_EXP: f64 = -708.0;

    /// `m e^x`, as `(m e^(x/2)) e^(x/2)`: where `e^x` is subnormal only the last product
    /// rounds into the subnormal range (`m e^x` formed after `e^x` would round twice there).
    /// `m` is clamped to the finite range (where `e^x` is 0 it may overflow: the limit is 0).
    pub(crate) fn times_exp(m: f64, x: f64) -> f64 {
        let h = (0.5 * x).exp();
        (m.clamp(-f64::MAX, f64::MAX) * h) * h
    }

    /// `1 / (1 + e^-x)`.
    pub fn sigmoid<T: Float>(x: T) -> T {
        nan_rule([x], || {
            T::from_f64(sig(x.to_f64()))
        })
    }
    /// `dy * sigmoid(x) * sigmoid(-x)` (= `dy * s (1 - s)`), rounded once (the native f32
    /// kernel rounds the slope, then multiplies by `dy`: within its documented bound of this).
    pub fn sigmoid_backward<T: Float>(x: T, dy: T) -> T {
        nan_rule([x, dy], || {
            let x = x.to_f64();
            T::from_f64(dy.to_f64() * (sig(x) * sig(-x)))
        })
    }
    /// `dy * y * (1 - y)`, rounded once.
    pub fn sigmoid_backward_from_output<T: Float>(y: T, dy: T) -> T {
        nan_rule([y, dy], || {
            let y = y.to_f64();
            T::from_f64(dy.to_f64() * (y * (1.0 - y)))
        })
    }
    /// `x * sigmoid(x)`; `-0.0` at `-inf` (the limit; `-inf * 0` would be NaN); `x e^x`
    /// below -708 (where `1 + e^x` is 1 and `e^x` subnormal).
    pub fn silu<T: Float>(x: T) -> T {
        nan_rule([x], || {
            let x = x.to_f64();
            T::from_f64(if x == f64::NEG_INFINITY {
                -0.0
            } else if x < SUBNORMAL_EXP {
                times_exp(x, x)
            } else {
                x * sig(x)
            })
        })
    }
    /// `dy * (sigmoid(x) + x sigmoid(x) sigmoid(-x))`, rounded once (the native f32 kernel
    /// rounds `f'(x)`, then multiplies by `dy`); the limits 0 and 1 at -inf and +inf;
    /// `(1 + x) e^x` below -708.
    pub fn silu_backward<T: Float>(x: T, dy: T) -> T {
        nan_rule([x, dy], || {
            let x = x.to_f64();
            let d = if x.is_infinite() {
                sig(x)
            } else if x < SUBNORMAL_EXP {
                times_exp(1.0 + x, x)
            } else {
                sig(x) + x * sig(x) * sig(-x)
            };
            T::from_f64(dy.to_f64() * d)
        })
    }
}

/// `(e, sigmoid(x))` with `e = exp(-|x|)`: `sigmoid(x) = (x >= 0 ? 1 : e) / (1 + e)`, with no
/// overflow and no cancellation on either side.
#[inline(always)]
pub(crate) fn sigmoid_parts<A: Accuracy, W: Vector<Elem = f64>>(x: W) -> (W, W) {
    let e = math::exp_nonpositive::<A, W>(x.abs().neg());
    let num = W::select(W::zero().le(x), W::splat(1.0), e);
    (e, num.div(W::splat(1.0).add(e)))
}

/// `x * f` for an `f` that tends to 0 at `-inf`: `x` is clamped to the finite range from
/// below, so `x = -inf` gives the limit `-0.0` instead of `-inf * 0 = NaN`.
#[inline(always)]
pub(crate) fn times_vanishing<W: Vector<Elem = f64>>(x: W, f: W) -> W {
    x.clamp_min(W::splat(-f64::MAX)).mul(f)
}

/// `m e^a` rounded once where `a = hi + lo` lies in [-800, -708), `y` elsewhere; only for
/// f64 results ([`Full`]; for f32 results `y` is returned as is).
///
/// There `e^a` is subnormal in f64, so `y` formed from it (`x sigmoid(x)`, `(1 + x) e^x`, ...)
/// rounds twice and loses up to hundreds of ULP; below -800 every such result rounds to 0, as
/// `y` does. `m` is the factor the function has in that tail (`x` for silu and mish, `1 + x`
/// for their gradients). Vectors with no lane in the tail skip it.
#[inline(always)]
pub(crate) fn subnormal_exp_tail<A: Accuracy, W: Vector<Elem = f64>>(hi: W, lo: W, m: W, y: W) -> W {
    const TAIL: f64 = -708.0;
    const BELOW: f64 = -800.0;
    if A::FOR_F32 || !W::any(hi.lt(W::splat(TAIL))) {
        return y;
    }
    // Lanes outside the tail (even NaN ones, for x = -inf) are discarded below.
    let tail = math::exp_pair_mul::<Full, W>(hi, lo, m);
    let r = W::select(hi.lt(W::splat(TAIL)), tail, y);
    W::select(hi.lt(W::splat(BELOW)), y, r)
}

/// `sigmoid(x) * sigmoid(-x) = e / (1 + e)^2` with `e = exp(-|x|)`.
#[inline(always)]
pub(crate) fn sigmoid_slope<W: Vector<Elem = f64>>(e: W) -> W {
    let d = W::splat(1.0).add(e);
    e.div(d.mul(d))
}

/// `x` clamped to the finite range: `x * f` with `f -> 0` at `+-inf` then gives 0, not NaN.
#[inline(always)]
pub(crate) fn finite<W: Vector<Elem = f64>>(x: W) -> W {
    x.clamp_min(W::splat(-f64::MAX)).clamp_max(W::splat(f64::MAX))
}

/// Where the pair forms below stop (`math::exp_nonpositive_pair` reaches down to -708):
/// lanes beyond take the plain [`Full`] forms, which round once in the subnormal range.
pub(crate) const PAIR_MIN_ARG: f64 = -708.0;

/// `e = exp(a + a_lo)` for `a` in [-708, 0] and `d = 1 + e`, each as an unevaluated sum (f64
/// results, which need better than one rounded exponential).
#[inline(always)]
fn logistic_pairs<W: Vector<Elem = f64>>(a: W, a_lo: W) -> ((W, W), (W, W)) {
    let (eh, el) = math::exp_nonpositive_pair(a, a_lo);
    let one = W::splat(1.0);
    let dh = one.add(eh);
    let dl = one.sub(dh).add(eh).add(el);
    ((eh, el), (dh, dl))
}

/// `sigmoid(x + x_lo)` for `x >= -708` as an unevaluated sum, to about 2^-100 relative but
/// for the exponential's 2^-56 (f64 results: ~0.5 ULP once rounded).
#[inline(always)]
pub(crate) fn sigmoid_pair<W: Vector<Elem = f64>>(x: W, x_lo: W) -> (W, W) {
    let nonnegative = W::zero().le(x);
    let (a, a_lo) = (W::select(nonnegative, x.neg(), x), W::select(nonnegative, x_lo.neg(), x_lo));
    let ((eh, el), (dh, dl)) = logistic_pairs(a, a_lo);
    let (nh, nl) = (W::select(nonnegative, W::splat(1.0), eh), W::select(nonnegative, W::zero(), el));
    math::div_pair(nh, nl, dh, dl)
}

/// `e / (1 + e)^2` with `e = exp(a + a_lo)`, `a` in [-708, 0], as an unevaluated sum (f64
/// results).
#[inline(always)]
pub(crate) fn logistic_slope_pair<W: Vector<Elem = f64>>(a: W, a_lo: W) -> (W, W) {
    let ((eh, el), (dh, dl)) = logistic_pairs(a, a_lo);
    let (p, pl) = math::mul_pair(dh, dl, dh, dl);
    math::div_pair(eh, el, p, pl)
}

/// `sigmoid(x + x_lo) = 1 / (1 + e^-(x + x_lo))` for f32 lanes as `q0 (1 + rt)`, kept apart
/// until the caller's one rounding, and the lanes the f64 body takes (`|x| > 64`: below -64
/// the corrections would leave the normal range, above it `e^-x` would). `x_lo` is the low
/// part of an argument carried as a pair (gelu_tanh's `2u`, softplus' `beta x`), folded in as
/// `e^-(x + x_lo) = e^-x (1 - x_lo)` (to 2^-36 for `|x_lo| <= 2^-18`).
///
/// `e = e^-x = eh + el` ([`native::exp_pair`]), `d = 1 + eh` rounded with its rounding error
/// `de` (Fast2Sum, the larger of `eh` and 1 first), `q0 = 1 / d` rounded. Then the remainder
/// `r = 1 - q0 d` (exact: `q0` is the rounded quotient), and `rt = r - q0 (de + el) ~ 1 - q0
/// (1 + e)`, so that `1 / (1 + e) = q0 + rt / (1 + e) ~ q0 + rt q0`. No select on the sign
/// of `x` and no `1 - q` (the `(x >= 0 ? 1 : e) / (1 + e)` form with `e = e^-|x|` needs
/// three selects and a rounded difference on the FMA pipes, where this takes a max and a
/// min on the add pipes).
#[inline(always)]
pub(crate) fn logistic_direct<V: Vector<Elem = f32>>(x: V, x_lo: Option<V>) -> (V::Mask, Reciprocal1p<V>) {
    let one = V::splat(1.0);
    let (eh, el) = native::exp_pair_scalef(x.neg());
    let el = match x_lo {
        Some(x_lo) => eh.neg().mul_add(x_lo, el),
        None => el,
    };
    let (big, small) = (eh.clamp_min(one), eh.clamp_max(one));
    let d = big.add(small);
    let de = big.sub(d).add(small);
    let q0 = one.div(d);
    let r = q0.neg().mul_add(d, one);
    let rt = q0.neg().mul_add(de.add(el), r);
    (V::splat(-NATIVE_MIN_ARG).lt(x.abs()), Reciprocal1p { q0, rt })
}

/// `1 / (1 + e)` as `q0 (1 + rt)` (see [`logistic_direct`]).
#[derive(Clone, Copy)]
pub(crate) struct Reciprocal1p<V> {
    /// The rounded quotient.
    pub q0: V,
    /// The relative correction, about 2^-24 at most.
    pub rt: V,
}

impl<V: Vector<Elem = f32>> Reciprocal1p<V> {
    /// The value, rounded once.
    #[inline(always)]
    pub(crate) fn value(self) -> V {
        self.rt.mul_add(self.q0, self.q0)
    }

    /// `m` times the value, rounded once.
    #[inline(always)]
    pub(crate) fn times(self, m: V) -> V {
        m.mul_add(self.q0, m.mul(self.rt).mul(self.q0))
    }
}

/// `sigmoid(-|x|) sigmoid(|x|) = e / (1 + e)^2` for f32 lanes as `(hi, lo)`, within ~2^-26
/// relative: `q = e / (1 + e)` by one division corrected by its FMA remainder, `1 - q` split
/// exactly, the product in
/// double length.
#[inline(always)]
pub(crate) fn logistic_slope_f32<V: Vector<Elem = f32>>(eh: V, el: V) -> (V, V) {
    let one = V::splat(1.0);
    let d = one.add(eh);
    let q0 = eh.div(d);
    let r = q0.neg().mul_add(eh, eh.sub(q0));
    let h = one.sub(q0);
    // q = q0 + qc; 1 - q0 = h + err exactly (1 - h and the difference are exact).
    let qc = el.mul_add(h, r).mul(h);
    let err = one.sub(h).sub(q0);
    let hi = q0.mul(h);
    let lo = q0.mul_add(h, hi.neg()).add(q0.mul_add(err.sub(qc), qc.mul(h)));
    (hi, lo)
}

/// Where [`wide_beyond`] hands lanes to the f64 body.
pub(crate) const NATIVE_MIN_ARG: f32 = -64.0;

/// `y` where `a >= NATIVE_MIN_ARG` (`a` = the exponential's argument, `-|x|` or the like),
/// the f64 body's result elsewhere (beyond, the corrections of the native forms, ~2^-24 of a
/// value below 2^-92, would be subnormal and lose bits, and past -87 `e^a` itself leaves the
/// normal range). See [`wide_where`].
#[inline(always)]
pub(crate) fn wide_beyond<V: Vector<Elem = f32>, F: NativeFn<N>, const N: usize>(
    a: V,
    y: V,
    inputs: [V; N],
    f: F,
) -> V {
    wide_where(a.lt(V::splat(NATIVE_MIN_ARG)), y, inputs, f)
}

/// `y` where `far` is clear, the far form's result where it is set ([`NativeFn::eval_f32_far`]:
/// the f64 body unless the kernel has a native one); each lane's result
/// depends only on its own input.
///
/// On the vector ISAs the lanes of `far` are set to NaN here and the far form runs on the
/// driver's rare path for NaN results (`driver::Native::fix`, only for vectors that hold such
/// a lane): the hot path pays a compare and a select, no branch of its own and no call (a call
/// in the loop makes LLVM spill the inputs and reload the constants; measured 17% of
/// sigmoid's time). On the Scalar ISA (one lane) the branch is taken here.
#[inline(always)]
pub(crate) fn wide_where<V: Vector<Elem = f32>, F: NativeFn<N>, const N: usize>(
    far: V::Mask,
    y: V,
    inputs: [V; N],
    f: F,
) -> V {
    if V::LANES > 1 {
        V::select(far, V::splat(f32::NAN), y)
    } else if V::any(far) {
        crate::driver::cold();
        V::select(far, f.eval_f32_far(inputs), y)
    } else {
        y
    }
}

#[derive(Clone, Copy)]
pub(crate) struct Sigmoid;
impl NativeFn<1> for Sigmoid {
    #[inline(always)]
    fn eval_f32<V: Vector<Elem = f32>>(self, [x]: [V; 1]) -> V {
        let (far, s) = logistic_direct(x, None);
        wide_where(far, s.value(), [x], self)
    }
}
impl WideFn<1> for Sigmoid {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x]: [W; 1]) -> W {
        if A::FOR_F32 {
            return sigmoid_parts::<A, W>(x).1;
        }
        let (q, q_lo) = sigmoid_pair(x, W::zero());
        let y = q.add(q_lo);
        let beyond = x.lt(W::splat(PAIR_MIN_ARG));
        if W::any(beyond) {
            W::select(beyond, sigmoid_parts::<Full, W>(x).1, y)
        } else {
            y
        }
    }
}

#[derive(Clone, Copy)]
pub(crate) struct SigmoidBackward;
impl NativeFn<2> for SigmoidBackward {
    #[inline(always)]
    fn eval_f32<V: Vector<Elem = f32>>(self, [x, dy]: [V; 2]) -> V {
        let a = x.abs().neg();
        let (eh, el) = native::exp_pair_scalef(a);
        let (hi, lo) = logistic_slope_f32(eh, el);
        // The slope rounded once, then the product (so `dy = inf` gives inf, not inf - inf).
        wide_beyond(a, hi.add(lo).mul(dy), [x, dy], self)
    }
}
impl WideFn<2> for SigmoidBackward {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x, dy]: [W; 2]) -> W {
        if A::FOR_F32 {
            return dy.mul(sigmoid_slope(sigmoid_parts::<A, W>(x).0));
        }
        let a = x.abs().neg();
        let (q, q_lo) = logistic_slope_pair(a, W::zero());
        let slope = q.add(q_lo);
        let beyond = a.lt(W::splat(PAIR_MIN_ARG));
        dy.mul(if W::any(beyond) {
            // e subnormal: e / (1 + e)^2 = e, rounded once.
            W::select(beyond, math::exp_nonpositive::<Full, W>(a), slope)
        } else {
            slope
        })
    }
}

#[derive(Clone, Copy)]
struct SigmoidBackwardFromOutput;
impl WideFn<2> for SigmoidBackwardFromOutput {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [y, dy]: [W; 2]) -> W {
        dy.mul(y.mul(W::splat(1.0).sub(y)))
    }
}

#[derive(Clone, Copy)]
pub(crate) struct Silu;
impl NativeFn<1> for Silu {
    #[inline(always)]
    fn eval_f32<V: Vector<Elem = f32>>(self, [x]: [V; 1]) -> V {
        let (far, s) = logistic_direct(x, None);
        wide_where(far, s.times(x), [x], self)
    }
}
impl WideFn<1> for Silu {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x]: [W; 1]) -> W {
        if A::FOR_F32 {
            return times_vanishing(x, sigmoid_parts::<A, W>(x).1);
        }
        let (q, q_lo) = sigmoid_pair(x, W::zero());
        // x q + x q_lo, one rounding; +inf gives +inf (the finite x in the small term).
        let y = x.mul_add(q, finite(x).mul(q_lo));
        let beyond = x.lt(W::splat(PAIR_MIN_ARG));
        if W::any(beyond) {
            let plain = times_vanishing(x, sigmoid_parts::<Full, W>(x).1);
            W::select(beyond, subnormal_exp_tail::<A, W>(x, W::zero(), x, plain), y)
        } else {
            y
        }
    }
}

/// The zero of the SiLU gradient, x0 = -1.2785 (see `math::GradientZero`); also the zero of
/// the scaled forms' `sigmoid(u) + u sigmoid(u) sigmoid(-u)` in `u = k x`.
pub(crate) const SILU_GRADIENT_ZERO: GradientZero = GradientZero {
    hi: -1.278_464_542_761_073_7,
    lo: -1.094_699_418_309_343_7e-16,
    series: &[
        0.217_811_705_719_800_1,
        0.146_648_796_996_946_9,
        0.018_874_814_223_782_312,
        -0.015_222_655_223_188_032,
        -0.006_606_589_138_356_696,
        0.000_126_627_410_081_122,
        0.000_798_521_881_839_799_8,
        0.000_185_707_243_611_864_96,
        -4.090_534_237_428_612e-5,
        -2.973_354_221_326_391_7e-5,
        -2.942_631_888_842_464e-6,
        2.346_029_682_463_866e-6,
        8.599_695_028_268_575e-7,
        -3.051_244_750_055_421e-8,
        -9.266_646_309_267_441e-8,
        -1.887_762_290_772_795_7e-8,
        4.619_379_769_031_606e-9,
        2.917_760_302_690_380_3e-9,
    ],
};

#[derive(Clone, Copy)]
pub(crate) struct SiluBackward;
impl NativeFn<2> for SiluBackward {
    #[inline(always)]
    fn eval_f32<V: Vector<Elem = f32>>(self, [x, dy]: [V; 2]) -> V {
        // s (1 + x (1 - s)): s = q0 + qc from the compensated quotient, 1 - s = h + hl split
        // exactly (1 - q0 by Fast2Sum), t = 1 + x (h + hl) with one rounding of its main
        // part; t vanishes at the zero x0 = -1.2785, where the series takes over.
        let one = V::splat(1.0);
        let (far, s) = logistic_direct(x, None);
        let (q0, qc) = (s.q0, s.rt.mul(s.q0));
        let h = one.sub(q0);
        let hl = one.sub(h).sub(q0).sub(qc);
        let t = x.mul_add(hl, x.mul_add(h, one));
        let d = q0.mul_add(t, qc.mul(t));
        let d = SILU_GRADIENT_ZERO.refine_native(x, d);
        wide_where(far, d.mul(dy), [x, dy], self)
    }
}
impl WideFn<2> for SiluBackward {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x, dy]: [W; 2]) -> W {
        // The sum cancels at the gradient's zero: f32 results take the series there.
        let (e, s) = sigmoid_parts::<A, W>(x);
        let d = finite(x).mul_add(sigmoid_slope(e), s);
        if A::FOR_F32 {
            return dy.mul(SILU_GRADIENT_ZERO.refine_single(x, d));
        }
        // f64: s + x slope with both terms in double length (the cancellation near the zero
        // amplifies their errors), the series within 1/4 of the zero, the once-rounded
        // (1 + x) e^x below -708 and the plain form where |x| > 708 (e^-|x| is below the
        // pair forms' range; the slope term vanishes there).
        let (sh, sl) = sigmoid_pair(x, W::zero());
        let (ph, pl) = logistic_slope_pair(x.abs().neg(), W::zero());
        let xp = x.mul(ph);
        let xp_err = x.mul_add(ph, xp.neg()).add(x.mul(pl));
        let (sum, sum_err) = math::two_sum(sh, xp);
        let paired = SILU_GRADIENT_ZERO.refine_full(x, sum.add(sum_err.add(sl).add(xp_err)));
        let beyond = W::splat(-PAIR_MIN_ARG).lt(x.abs());
        let d = if W::any(beyond) { W::select(beyond, d, paired) } else { paired };
        dy.mul(subnormal_exp_tail::<A, W>(x, W::zero(), x.add(W::splat(1.0)), d))
    }
}

isa_fn! {
    /// Sigmoid, out of place: `y[i] = 1 / (1 + e^-x[i])`.
    ///
    /// No overflow, no cancellation, and subnormal results (`sigmoid(-100) = 3.7e-44` in f32)
    /// are produced. f32: natively in f32 lanes as `1 / (1 + e)` with `e = exp(-x)` an
    /// unevaluated sum from a table-driven exponential, `1 + e` split exactly and the
    /// quotient corrected by one FMA remainder, rounded once (no select on the sign of `x`);
    /// lanes with `|x| > 64` from the f64 form. f64: `(x >= 0 ? 1 : e) / (1 + e)` with `e =
    /// exp(-|x|)`, `e`, `1 + e` and the quotient in double length. NaN gives NaN,
    /// `+-inf` give 1 and 0. Error: 0.746 ULP for every f32 input (measured); f64 0.80 ULP
    /// (`tests/f64_sampled.rs`: 300k inputs against double-double values).
    ///
    /// # Panics
    /// If `x.len() != y.len()`.
    ///
    /// ```
    /// let mut y = [0.0f32; 4];
    /// simd_activations::sigmoid(&[0.0, f32::INFINITY, f32::NEG_INFINITY, -100.0], &mut y);
    /// assert_eq!(y[..3], [0.5, 1.0, 0.0]);
    /// assert!(y[3] > 0.0 && y[3] < 1e-43); // 3.7e-44: a subnormal result, not flushed
    /// ```
    pub fn sigmoid / sigmoid_on(isa)(x: &[T], y: &mut [T]) {
        checks::same_len("sigmoid", &[("x", x.len()), ("y", y.len())]);
        dispatch("sigmoid", isa, Unary { kernel: Native(Sigmoid), x, y })
    }
}

isa_fn! {
    /// Sigmoid in place; semantics as [`sigmoid`].
    ///
    /// ```
    /// let mut xy = [2.0f64, f64::NAN];
    /// simd_activations::sigmoid_inplace(&mut xy);
    /// assert!((xy[0] - 1.0 / (1.0 + (-2.0f64).exp())).abs() < 1e-15);
    /// assert!(xy[1].is_nan());
    /// ```
    pub fn sigmoid_inplace / sigmoid_inplace_on(isa)(xy: &mut [T]) {
        dispatch("sigmoid_inplace", isa, UnaryInPlace { kernel: Native(Sigmoid), xy })
    }
}

isa_fn! {
    /// Sigmoid gradient from the input: `dx = dy * sigmoid(x) * sigmoid(-x)` (the same as
    /// `s (1 - s)` without its cancellation for large `x`), computed as `e / (1 + e)^2` (f32:
    /// natively, in double length from the compensated quotient, rounded once and multiplied
    /// by `dy`; lanes with `|x| > 64` from the f64 form; f64: in double length) and multiplied
    /// by `dy`. Error (`dy = 1`): 0.754 ULP for every f32 input; f64 0.80 ULP
    /// (`tests/f64_sampled.rs`: 300k inputs against double-double values).
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length.
    ///
    /// ```
    /// let mut dx = [1.0f32; 3];
    /// simd_activations::sigmoid_backward(&[0.0, 100.0, f32::NAN], &[1.0; 3], &mut dx);
    /// assert_eq!(dx[0], 0.25); // s(0) (1 - s(0))
    /// assert!(dx[1] > 0.0 && dx[1] < 1e-43); // e^-100, no cancellation to 0
    /// assert!(dx[2].is_nan());
    /// ```
    pub fn sigmoid_backward / sigmoid_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T]) {
        checks::same_len("sigmoid_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        dispatch("sigmoid_backward", isa, Binary { kernel: Native(SigmoidBackward), a: x, b: dy, out: dx })
    }
}

isa_fn! {
    /// Sigmoid gradient from the output `y = sigmoid(x)`: `dx = dy * y * (1 - y)`, as PyTorch
    /// and oneDNN (computed in f64, rounded once). Valid for every input.
    ///
    /// # Panics
    /// If `y`, `dy` and `dx` differ in length.
    ///
    /// ```
    /// use simd_activations::{sigmoid_inplace, sigmoid_backward_from_output};
    /// let mut y = [0.0f32, 3.0];
    /// sigmoid_inplace(&mut y);
    /// let mut dx = [0.0f32; 2];
    /// sigmoid_backward_from_output(&y, &[2.0; 2], &mut dx);
    /// assert_eq!(dx[0], 0.5); // 2 * 0.5 * 0.5
    /// assert!((dx[1] - 2.0 * y[1] * (1.0 - y[1])).abs() < 1e-7);
    /// ```
    pub fn sigmoid_backward_from_output / sigmoid_backward_from_output_on(isa)(y: &[T], dy: &[T], dx: &mut [T]) {
        let func = "sigmoid_backward_from_output";
        checks::same_len(func, &[("y", y.len()), ("dy", dy.len()), ("dx", dx.len())]);
        dispatch(func, isa, Binary { kernel: ViaF64(SigmoidBackwardFromOutput), a: y, b: dy, out: dx })
    }
}

isa_fn! {
    /// SiLU (swish with beta = 1), out of place: `y[i] = x[i] * sigmoid(x[i])`.
    ///
    /// NaN gives NaN; `silu(-inf) = -0.0` and `silu(+inf) = +inf`, the true limits (PyTorch
    /// and oneDNN give NaN at `-inf`). f32: natively, `x` times the compensated sigmoid with
    /// one rounding; lanes with `|x| > 64` from the f64 form. Error: 0.761 ULP for every f32
    /// input (measured); f64
    /// 1.52 ULP (`tests/f64_sampled.rs`: 300k inputs against double-double values) (below -708,
    /// where `e^x` is subnormal, `x e^x` is rounded
    /// once).
    ///
    /// # Panics
    /// If `x.len() != y.len()`.
    ///
    /// ```
    /// let mut y = [1.0f32; 4];
    /// simd_activations::silu(&[0.0, 1.0, f32::NEG_INFINITY, f32::INFINITY], &mut y);
    /// assert_eq!(y[0], 0.0);
    /// assert!((y[1] - 1.0 / (1.0 + (-1.0f32).exp())).abs() <= f32::EPSILON);
    /// assert_eq!([y[2].to_bits(), y[3].to_bits()], [(-0.0f32).to_bits(), f32::INFINITY.to_bits()]); // the limits
    /// ```
    pub fn silu / silu_on(isa)(x: &[T], y: &mut [T]) {
        checks::same_len("silu", &[("x", x.len()), ("y", y.len())]);
        dispatch("silu", isa, Unary { kernel: Native(Silu), x, y })
    }
}

isa_fn! {
    /// SiLU in place; semantics as [`silu`].
    ///
    /// ```
    /// let mut xy = [-1.0e-3f64, f64::NAN];
    /// simd_activations::silu_inplace(&mut xy);
    /// assert!((xy[0] - -1.0e-3 / (1.0 + 1.0e-3f64.exp())).abs() < 1e-18);
    /// assert!(xy[1].is_nan());
    /// ```
    pub fn silu_inplace / silu_inplace_on(isa)(xy: &mut [T]) {
        dispatch("silu_inplace", isa, UnaryInPlace { kernel: Native(Silu), xy })
    }
}

isa_fn! {
    /// SiLU gradient: `dx = dy * s (1 + x (1 - s))` with `s = sigmoid(x)`; the limits 0 at
    /// `-inf` and 1 at `+inf` (not NaN). f32: natively, `s` and `1 - s` in double length from
    /// the compensated quotient, `f'(x)` rounded, then multiplied by `dy`; lanes with
    /// `|x| > 64` from the f64 form. The factor `1 + x (1 - s)` vanishes at the zero
    /// x0 = -1.2785, so results there come from a Taylor series (f32: 10 terms, f64: 16; on
    /// |x - x0| < 1/4; f64 with both terms in double length). Error (`dy = 1`): 2.05 ULP for
    /// every f32 input (measured; the inner sum rounds twice); f64 1.9 ULP (`tests/f64_sampled.rs`: 200k inputs, half of them near the zero,
    /// against double-double values).
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length.
    ///
    /// ```
    /// let mut dx = [9.0f64; 4];
    /// let x = [0.0, f64::NEG_INFINITY, f64::INFINITY, -1.278464542761074];
    /// simd_activations::silu_backward(&x, &[1.0; 4], &mut dx);
    /// assert_eq!(dx[..3], [0.5, 0.0, 1.0]); // silu'(0) = 1/2 and the limits, not NaN
    /// assert!(dx[3].abs() < 1e-15); // the zero x0 of the gradient
    /// ```
    pub fn silu_backward / silu_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T]) {
        checks::same_len("silu_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        dispatch("silu_backward", isa, Binary { kernel: Native(SiluBackward), a: x, b: dy, out: dx })
    }
}

// The kernels, handed to the fused forms and to the runs on slices (see `kernel_use`).

/// The kernel of `sigmoid`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn sigmoid_kernel<T: Float, U: UseKernel<T, 1>>(u: U) -> U::Output {
    u.with(Native(Sigmoid))
}

/// The kernel of `sigmoid`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn sigmoid_backward_kernel<T: Float, U: UseKernel<T, 2>>(u: U) -> U::Output {
    u.with(Native(SigmoidBackward))
}

/// The kernel of `silu`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn silu_kernel<T: Float, U: UseKernel<T, 1>>(u: U) -> U::Output {
    u.with(Native(Silu))
}

/// The kernel of `silu`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn silu_backward_kernel<T: Float, U: UseKernel<T, 2>>(u: U) -> U::Output {
    u.with(Native(SiluBackward))
}
