//! Softplus `ln(1 + e^(beta x)) / beta` (PyTorch's `beta` and `threshold`) and mish
//! `x * tanh(softplus(x))`, with gradients. Evaluated in f64 (f32 results rounded once).

use crate::api::isa_fn;
use crate::checks;
use crate::dispatch::dispatch;
use crate::kernel_use::{RunBinary, RunInPlace, RunUnary, UseKernel};
use crate::driver::{Binary, Native, Unary, UnaryInPlace, ViaF64};
use crate::kernels::sigmoid::{
    finite, logistic_direct, sigmoid_pair, sigmoid_parts, subnormal_exp_tail, times_vanishing, wide_beyond, wide_where,
    PAIR_MIN_ARG,
};
use crate::math::{self, native, native_log, Accuracy, Full, GradientZero};
use crate::simd::{NativeFn, Vector, WideFn};
use crate::Float;

/// The scalar specification, evaluated in f64.
pub mod reference {
    use crate::float::nan_rule;
    use crate::Float;

    use crate::kernels::sigmoid::reference::{sig, times_exp, SUBNORMAL_EXP};

    /// `beta x > threshold ? x : ln(1 + e^(beta x)) / beta` (as PyTorch).
    pub fn softplus<T: Float>(x: T, beta: T, threshold: T) -> T {
        nan_rule([x], || {
            let (x, b) = (x.to_f64(), beta.to_f64());
            let z = x * b;
            T::from_f64(if z > threshold.to_f64() { x } else { (z.max(0.0) + (-z.abs()).exp().ln_1p()) / b })
        })
    }
    /// `beta x > threshold ? dy : dy * sigmoid(beta x)`, rounded once.
    pub fn softplus_backward<T: Float>(x: T, dy: T, beta: T, threshold: T) -> T {
        nan_rule([x, dy], || {
            let z = x.to_f64() * beta.to_f64();
            T::from_f64(if z > threshold.to_f64() { dy.to_f64() } else { dy.to_f64() * sig(z) })
        })
    }
    /// `x * tanh(ln(1 + e^x))`; `-0.0` at `-inf` (the limit); `x e^x` below -708 (where
    /// `e^x` is subnormal and `tanh(ln(1 + e^x)) = e^x` to within far less than an ULP).
    pub fn mish<T: Float>(x: T) -> T {
        nan_rule([x], || {
            let x = x.to_f64();
            if x == f64::NEG_INFINITY {
                return T::from_f64(-0.0);
            }
            if x < SUBNORMAL_EXP {
                return T::from_f64(times_exp(x, x));
            }
            let sp = x.max(0.0) + (-x.abs()).exp().ln_1p();
            T::from_f64(x * sp.tanh())
        })
    }
    /// `dy * (tanh(sp) + x sech(sp)^2 sigmoid(x))` with `sp = softplus(x)`, rounded once; the
    /// limits 0 and 1 at -inf and +inf; `dy (1 + x) e^x` below -708.
    pub fn mish_backward<T: Float>(x: T, dy: T) -> T {
        nan_rule([x, dy], || {
            let x = x.to_f64();
            if x.is_infinite() {
                return T::from_f64(dy.to_f64() * if x > 0.0 { 1.0 } else { 0.0 });
            }
            if x < SUBNORMAL_EXP {
                return T::from_f64(dy.to_f64() * times_exp(1.0 + x, x));
            }
            let sp = x.max(0.0) + (-x.abs()).exp().ln_1p();
            let sech = 1.0 / sp.cosh();
            let d = sp.tanh() + x * (sech * sech) * sig(x);
            T::from_f64(dy.to_f64() * d)
        })
    }
}

/// Softplus's parameters, in f64.
#[derive(Clone, Copy)]
struct Params {
    beta: f64,
    threshold: f64,
}

impl Params {
    fn new<T: Float>(beta: T, threshold: T) -> Self {
        Params { beta: beta.to_f64(), threshold: threshold.to_f64() }
    }
}

/// Softplus; `UNIT_BETA` for `beta = 1` (PyTorch's default), where `z = x` exactly and the
/// low part and the division by `beta` drop out (see `scaled_f32`): the same results as
/// `beta = 1` gives the general form, in eleven vector operations and one division fewer.
#[derive(Clone, Copy)]
struct Softplus<const UNIT_BETA: bool>(Params);
impl<const UNIT_BETA: bool> NativeFn<1> for Softplus<UNIT_BETA> {
    #[inline(always)]
    fn eval_f32<V: Vector<Elem = f32>>(self, [x]: [V; 1]) -> V {
        // (max(z, 0) + ln(1 + e^-|z|)) / beta with z = beta x + z_lo exactly: e^-|z| with the
        // low part folded in, ln(1 + e) as a pair (`native_log`), the sum by 2Sum, and the
        // quotient by beta corrected by one FMA remainder: one rounding. With beta = 1, z = x:
        // no low part and no quotient.
        let (z, z_lo, above) = scaled_f32::<V, UNIT_BETA>(x, self.0);
        let a = z.abs().neg();
        let positive = V::zero().lt(z);
        let (eh, el) = native::exp_pair_scalef(a);
        let el = match z_lo {
            Some(z_lo) => eh.mul_add(V::select(positive, z_lo.neg(), z_lo), el),
            None => el,
        };
        let (lh, ll) = native_log::log1p_pair(eh, el);
        let (s, s_err) = math::two_sum(z.clamp_min(V::zero()), lh);
        let s_lo = s_err.add(ll);
        let y = match z_lo {
            Some(z_lo) => {
                let s_lo = s_lo.add(V::select(positive, z_lo, V::zero()));
                let beta = V::splat(self.0.beta as f32);
                let q0 = s.div(beta);
                let rem = q0.neg().mul_add(beta, s).add(s_lo);
                rem.mul_add(V::splat((1.0 / self.0.beta) as f32), q0)
            }
            None => s.add(s_lo),
        };
        wide_beyond(a, V::select(above, x, y), [x], self)
    }
}
impl<const UNIT_BETA: bool> WideFn<1> for Softplus<UNIT_BETA> {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x]: [W; 1]) -> W {
        let z = x.mul(W::splat(self.0.beta));
        // ln(1 + e^z) = max(z, 0) + ln(1 + e^-|z|): no overflow, no cancellation.
        let a = z.abs().neg();
        let log1p = if A::FOR_F32 {
            math::log1p_unit::<A, W>(math::exp_nonpositive::<A, W>(a))
        } else {
            // f64: e^-|z| as a pair (its rounding would cost up to 0.5 ULP more); where it
            // is subnormal, ln(1 + e) = e, rounded once.
            let (eh, el) = math::exp_nonpositive_pair(a, W::zero());
            let l = math::log1p_unit_pair(eh, el);
            let beyond = a.lt(W::splat(PAIR_MIN_ARG));
            if W::any(beyond) {
                W::select(beyond, math::exp_nonpositive::<Full, W>(a), l)
            } else {
                l
            }
        };
        let sp = z.clamp_min(W::zero()).add(log1p);
        // For f32 results the product by the rounded reciprocal (2^-53 relative) suffices.
        let r = if A::FOR_F32 {
            sp.mul(W::splat(1.0 / self.0.beta))
        } else {
            sp.div(W::splat(self.0.beta))
        };
        W::select(W::splat(self.0.threshold).lt(z), x, r)
    }
}

/// `z = beta x` for f32 lanes as `(z, z_lo)` exactly (the product by FMA), and the lanes
/// where `z + z_lo > threshold`: the exact comparison of the f64 forms, as `(z - threshold) +
/// z_lo > 0` (the difference is exact where the sum could change its sign, by Sterbenz).
/// `UNIT_BETA` (beta = 1): `(x, None, x > threshold)`, the same comparison with no low part.
#[inline(always)]
fn scaled_f32<V: Vector<Elem = f32>, const UNIT_BETA: bool>(x: V, p: Params) -> (V, Option<V>, V::Mask) {
    // Exact: `beta` and `threshold` came from f32 values.
    let (beta, threshold) = (V::splat(p.beta as f32), V::splat(p.threshold as f32));
    if UNIT_BETA {
        return (x, None, threshold.lt(x));
    }
    let z = x.mul(beta);
    let z_lo = x.mul_add(beta, z.neg());
    let above = V::zero().lt(z.sub(threshold).add(z_lo));
    (z, Some(z_lo), above)
}

/// The softplus gradient; `UNIT_BETA` for `beta = 1`, as [`Softplus`].
#[derive(Clone, Copy)]
struct SoftplusBackward<const UNIT_BETA: bool>(Params);
impl<const UNIT_BETA: bool> NativeFn<2> for SoftplusBackward<UNIT_BETA> {
    #[inline(always)]
    fn eval_f32<V: Vector<Elem = f32>>(self, [x, dy]: [V; 2]) -> V {
        // dy sigmoid(z + z_lo) = dy / (1 + e^-z (1 - z_lo)) (e^-(z + z_lo) to 2^-36), the
        // compensated quotient rounded once, then the product by dy.
        let (z, z_lo, above) = scaled_f32::<V, UNIT_BETA>(x, self.0);
        let (far, s) = logistic_direct(z, z_lo);
        let r = V::select(above, dy, dy.mul(s.value()));
        wide_where(far, r, [x, dy], self)
    }
}
impl<const UNIT_BETA: bool> WideFn<2> for SoftplusBackward<UNIT_BETA> {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x, dy]: [W; 2]) -> W {
        let z = x.mul(W::splat(self.0.beta));
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
        let r = dy.mul(s);
        W::select(W::splat(self.0.threshold).lt(z), dy, r)
    }
}

/// `(tanh(softplus(x)), sigmoid(x))`, from `e = exp(-|x|)` only.
///
/// With `w = (1 + e^x)^2`, `tanh(sp) = (w - 1)/(w + 1)`. For `x < 0`, `e = e^x` and
/// `n = w - 1 = e (e + 2)`: `tanh = n / (n + 2)`. For `x >= 0`, in terms of `e = e^-x`:
/// `tanh = (1 + 2e) / (1 + 2e + 2e^2)`. Nothing overflows or cancels. (The gradient's
/// `sech^2 = (1 - tanh)(1 + tanh)` from it loses relative accuracy as `x` grows, but its term
/// `x sech^2 sigmoid` shrinks faster against `tanh ~ 1`: below 2^-28 of the result for f32.)
#[inline(always)]
fn mish_parts<A: Accuracy, W: Vector<Elem = f64>>(x: W) -> (W, W) {
    let (one, two) = (W::splat(1.0), W::splat(2.0));
    let e = math::exp_nonpositive::<A, W>(x.abs().neg());
    let positive = W::zero().le(x);
    let n = e.mul(e.add(two));
    // Numerator and denominator of tanh for each sign.
    let (tn_pos, den_pos) = (two.mul_add(e, one), two.mul(e).mul_add(e, two.mul_add(e, one)));
    let (tn_neg, den_neg) = (n, n.add(two));
    let tn = W::select(positive, tn_pos, tn_neg);
    let den = W::select(positive, den_pos, den_neg);
    let sig = W::select(positive, one, e).div(one.add(e));
    (tn.div(den), sig)
}

/// Where the native mish hands lanes to the f64 body: `|x| > 40` (below -43.9, `2 e^-2x`
/// would overflow; above 40 the result is `x`, rounded from `x (1 - 2e^-80)`).
const MISH_NATIVE_MAX: f32 = 40.0;

/// `mish(x) = x tanh(softplus(x))` for f32 lanes with `|x| <= 40`, one form for both signs:
/// `tanh(softplus(x)) = N / D`, `N = 1 + 2e`, `D = N + 2e^2`, `e = e^-x = eh + el`
/// ([`native::exp_pair`]). No term cancels for any `x` (all are positive), so no select on
/// the sign: `N` by Fast2Sum with the larger of 1 and `2eh` first, `K = 2e^2` by FMA, `D =
/// N + K` by Fast2Sum with the larger first (max and min, on the add pipes), each with `el`'s
/// first-order share; then `q0 = N R` from the rounded reciprocal `R = 1 / D` and the
/// remainder `(N + n_lo) - q0 (D + d_lo)` (the first part by FMA), `q0 + rem R` within ~2^-26
/// of the exact value before the one rounding with `x`. The sign of `x` is or-ed in, so that
/// `-0.0` gives `-0.0` (the result has the sign of `x` everywhere).
#[inline(always)]
fn mish_f32<V: Vector<Elem = f32>>(x: V) -> V {
    let (one, two) = (V::splat(1.0), V::splat(2.0));
    let (eh, el) = native::exp_pair(x.neg());
    let e2 = eh.add(eh);
    let (nb, ns) = (e2.clamp_min(one), e2.clamp_max(one));
    let n = nb.add(ns);
    let n_lo = el.mul_add(two, nb.sub(n).add(ns));
    let k = e2.mul(eh);
    let k_lo = e2.add(e2).mul_add(el, e2.mul_add(eh, k.neg()));
    let (db, ds) = (k.clamp_min(n), k.clamp_max(n));
    let d = db.add(ds);
    let d_lo = db.sub(d).add(ds).add(n_lo).add(k_lo);
    let r = one.div(d);
    let q0 = n.mul(r);
    let rem = q0.neg().mul_add(d_lo, q0.neg().mul_add(d, n).add(n_lo));
    x.mul_add(q0, x.mul(rem.mul(r))).or_sign(x)
}

#[derive(Clone, Copy)]
struct Mish;
impl NativeFn<1> for Mish {
    #[inline(always)]
    fn eval_f32<V: Vector<Elem = f32>>(self, [x]: [V; 1]) -> V {
        let far = V::splat(MISH_NATIVE_MAX).lt(x.abs());
        wide_where(far, mish_f32(x), [x], self)
    }
}
impl WideFn<1> for Mish {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x]: [W; 1]) -> W {
        if A::FOR_F32 {
            return times_vanishing(x, mish_parts::<A, W>(x).0);
        }
        let ((q, q_lo), _) = mish_pairs(x);
        // x q + x q_lo, one rounding; +inf gives +inf (the finite x in the small term), and
        // +-0 give themselves (the sum of two zeros could lose the sign).
        let y = x.mul_add(q, finite(x).mul(q_lo));
        let y = W::select(x.abs().le(W::zero()), x, y);
        let beyond = x.lt(W::splat(PAIR_MIN_ARG));
        if W::any(beyond) {
            let plain = times_vanishing(x, mish_parts::<Full, W>(x).0);
            W::select(beyond, subnormal_exp_tail::<A, W>(x, W::zero(), x, plain), y)
        } else {
            y
        }
    }
}

/// `tanh(softplus(x))` and `sech(softplus(x))^2` for `|x| <= 708` as unevaluated sums (f64
/// results), from the forms of [`mish_parts`] with `e = exp(-|x|)` and every sum, product and
/// quotient carried in double length: `tanh = n / (n + 2)`, `sech^2 = 4 (n + 1) / (n + 2)^2`
/// with `n = e (e + 2)` below 0, `tanh = (1 + 2e) / (1 + 2e + 2e^2)` and
/// `sech^2 = 4 ((1 + e) e)^2 / (1 + 2e + 2e^2)^2` above.
#[inline(always)]
fn mish_pairs<W: Vector<Elem = f64>>(x: W) -> ((W, W), (W, W)) {
    let (one, two, four) = (W::splat(1.0), W::splat(2.0), W::splat(4.0));
    let (eh, el) = math::exp_nonpositive_pair(x.abs().neg(), W::zero());
    let (sq, sq_lo) = math::mul_pair(eh, el, eh, el);
    let (e2h, e2l) = (two.mul(eh), two.mul(el));
    // Below 0: n = 2e + e^2 (Fast2Sum: 2e >= e^2), n + 2 and n + 1 (2Sum).
    let n = e2h.add(sq);
    let n_lo = e2h.sub(n).add(sq).add(sq_lo).add(e2l);
    let (dn, dn_lo) = math::two_sum(n, two);
    let dn_lo = dn_lo.add(n_lo);
    let (n1, n1_lo) = math::two_sum(n, one);
    let n1_lo = n1_lo.add(n_lo);
    // Above: num = 1 + 2e (2Sum: 2e may exceed 1), den = num + 2e^2, (1 + e) e.
    let (num, num_lo) = math::two_sum(one, e2h);
    let num_lo = num_lo.add(e2l);
    let (den, den_lo) = math::two_sum(num, two.mul(sq));
    let den_lo = den_lo.add(num_lo).add(two.mul(sq_lo));
    let (ope, ope_lo) = math::two_sum(one, eh);
    let (pe, pe_lo) = math::mul_pair(ope, ope_lo.add(el), eh, el);
    let (pe2, pe2_lo) = math::mul_pair(pe, pe_lo, pe, pe_lo);
    let negative = x.lt(W::zero());
    let (d, d_lo) = (W::select(negative, dn, den), W::select(negative, dn_lo, den_lo));
    let t = math::div_pair(
        W::select(negative, n, num),
        W::select(negative, n_lo, num_lo),
        d,
        d_lo,
    );
    let (d2, d2_lo) = math::mul_pair(d, d_lo, d, d_lo);
    let sech2 = math::div_pair(
        four.mul(W::select(negative, n1, pe2)),
        four.mul(W::select(negative, n1_lo, pe2_lo)),
        d2,
        d2_lo,
    );
    (t, sech2)
}

/// The zero of the mish gradient, x0 = -1.1924 (see `math::GradientZero`).
const MISH_GRADIENT_ZERO: GradientZero = GradientZero {
    hi: -1.192_431_214_515_495_2,
    lo: -4.848_482_984_803_104_4e-17,
    series: &[
        0.266_947_914_049_534_5,
        0.204_731_264_080_105_86,
        0.041_907_821_043_609_87,
        -0.020_271_822_716_684_245,
        -0.015_821_126_561_733_38,
        -0.003_360_684_927_023_268_5,
        0.001_092_405_540_944_585_4,
        0.000_989_818_102_128_919_6,
        0.000_254_129_363_861_910_73,
        -4.196_149_603_169_612_6e-5,
        -5.582_891_567_360_688e-5,
        -1.729_927_081_030_44e-5,
        9.427_361_327_376_651e-7,
        2.908_819_936_491_222_3e-6,
        1.071_676_702_702_074e-6,
        2.687_941_785_555_772_8e-8,
        -1.411_725_591_949_938_2e-7,
        -6.174_424_363_104_907e-8,
    ],
};

/// The mish gradient as one ratio of polynomials in `e = exp(-|x|)` (for f32 results: one
/// quotient instead of two, no tanh or sigmoid formed). Multiplying out
/// `tanh(sp) + x sech(sp)^2 sigmoid(x)`: for `x < 0`
/// `e (4 (x + 1) + (4x + 6) e + 4 e^2 + e^3) / (2 + 2e + e^2)^2`, for `x >= 0`
/// `(1 + 4e + (4x + 6) e^2 + 4 (x + 1) e^3) / (1 + 2e + 2e^2)^2`. The first numerator crosses 0
/// at the gradient's zero (where the series takes over); nothing else cancels or overflows
/// (`|x|` is capped at 1e30, where every term with `x` has a factor `e` = 0).
#[inline(always)]
fn mish_gradient_rational<A: Accuracy, W: Vector<Elem = f64>>(x: W) -> W {
    let (one, two, four, six) = (W::splat(1.0), W::splat(2.0), W::splat(4.0), W::splat(6.0));
    let e = math::exp_nonpositive::<A, W>(x.abs().neg());
    // |x| capped where every term with x has a zero factor e (4x must not overflow).
    let xc = x.clamp_min(W::splat(-1e30)).clamp_max(W::splat(1e30));
    let x4_4 = xc.mul_add(four, four); // 4 (x + 1)
    let x4_6 = xc.mul_add(four, six); // 4x + 6
    // x < 0: e (4(x + 1) + e (4x + 6 + e (4 + e))) / (2 + e (2 + e))^2.
    let num_neg = e.mul(e.mul_add(e.mul_add(e.add(four), x4_6), x4_4));
    let den_neg = e.mul_add(e.add(two), two);
    // x >= 0: 1 + e (4 + e ((4x + 6) + 4 (x + 1) e)) over (1 + 2e (1 + e))^2.
    let num_pos = e.mul_add(e.mul_add(x4_4.mul_add(e, x4_6), four), one);
    let den_pos = two.mul(e).mul_add(one.add(e), one);
    let negative = x.lt(W::zero());
    let den = W::select(negative, den_neg, den_pos);
    W::select(negative, num_neg, num_pos).div(den.mul(den))
}

#[derive(Clone, Copy)]
struct MishBackward;
impl WideFn<2> for MishBackward {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x, dy]: [W; 2]) -> W {
        // The sum cancels at the gradient's zero: f32 results take the series there.
        if A::FOR_F32 {
            return dy.mul(MISH_GRADIENT_ZERO.refine_single(x, mish_gradient_rational::<A, W>(x)));
        }
        let (t, sig) = mish_parts::<A, W>(x);
        let one = W::splat(1.0);
        let sech2 = one.sub(t).mul(one.add(t));
        let d = finite(x).mul(sech2).mul_add(sig, t);
        // f64: t + x sech^2 sigmoid with every factor in double length (the cancellation near
        // the zero amplifies their errors), the series within 1/4 of the zero, the
        // once-rounded (1 + x) e^x below -708 and the plain form where |x| > 708.
        let ((th, tl), (s2h, s2l)) = mish_pairs(x);
        let (sgh, sgl) = sigmoid_pair(x, W::zero());
        let (ah, al) = math::mul_pair(s2h, s2l, sgh, sgl);
        let xa = x.mul(ah);
        let xa_err = x.mul_add(ah, xa.neg()).add(x.mul(al));
        let (sum, sum_err) = math::two_sum(th, xa);
        let paired = MISH_GRADIENT_ZERO.refine_full(x, sum.add(sum_err.add(tl).add(xa_err)));
        let beyond = W::splat(-PAIR_MIN_ARG).lt(x.abs());
        let d = if W::any(beyond) { W::select(beyond, d, paired) } else { paired };
        dy.mul(subnormal_exp_tail::<A, W>(x, W::zero(), x.add(W::splat(1.0)), d))
    }
}

#[track_caller]
fn check_params<T: Float>(func: &str, beta: T, threshold: T) {
    checks::positive(func, "beta", beta, "softplus divides by beta");
    checks::finite(func, "threshold", threshold, "+-inf would never or always take the linear branch");
}

isa_fn! {
    /// Softplus, out of place: `y[i] = beta x > threshold ? x : ln(1 + e^(beta x)) / beta`
    /// (PyTorch's defaults: `beta = 1`, `threshold = 20`). `beta x` is compared exactly (in
    /// f64), where PyTorch rounds it to `T` first.
    ///
    /// Evaluated as `(max(z, 0) + ln(1 + e^-|z|)) / beta`: no overflow, and the negative tail
    /// (`~ e^x`) keeps its relative accuracy. NaN gives NaN, `-inf` gives 0. f32: natively in
    /// f32 lanes (`z = beta x` split exactly by FMA, `e^-|z|` and `ln(1 + e)` as f32 pairs
    /// from the table-driven exponential and logarithm, the sum by 2Sum, the quotient by
    /// `beta` corrected by one FMA remainder, rounded once; lanes with `|z| > 64` from the f64
    /// form). For f64 results `e^-|z|` is carried in double length into `log1p`. Error: 0.753
    /// ULP for every f32 input (measured, beta = 1); f64 0.97 ULP (`tests/f64_sampled.rs`: 300k
    /// inputs against double-double values).
    ///
    /// # Panics
    /// If `x.len() != y.len()`, unless `0 < beta < inf`, or if `threshold` is NaN or infinite.
    ///
    /// ```
    /// use simd_activations::{softplus, SOFTPLUS_DEFAULT_BETA, SOFTPLUS_DEFAULT_THRESHOLD};
    /// let (beta, threshold) = (SOFTPLUS_DEFAULT_BETA as f32, SOFTPLUS_DEFAULT_THRESHOLD as f32);
    /// let mut y = [0.0f32; 3];
    /// softplus(&[0.0, 25.0, f32::NEG_INFINITY], &mut y, beta, threshold);
    /// assert!((y[0] - std::f32::consts::LN_2).abs() <= f32::EPSILON / 2.0);
    /// assert_eq!(y[1..], [25.0, 0.0]); // linear above the threshold; 0 at -inf
    /// ```
    pub fn softplus / softplus_on(isa)(x: &[T], y: &mut [T], beta: T, threshold: T) {
        checks::same_len("softplus", &[("x", x.len()), ("y", y.len())]);
        check_params("softplus", beta, threshold);
        softplus_kernel(beta, threshold, RunUnary { func: "softplus", isa, x, y })
    }
}

isa_fn! {
    /// Softplus in place; semantics and panics as [`softplus`].
    ///
    /// ```
    /// let mut xy = [-50.0f64, f64::NAN];
    /// simd_activations::softplus_inplace(&mut xy, 1.0, 20.0);
    /// assert!((xy[0] / (-50.0f64).exp() - 1.0).abs() < 1e-15); // the tail ~ e^x keeps its accuracy
    /// assert!(xy[1].is_nan());
    /// ```
    pub fn softplus_inplace / softplus_inplace_on(isa)(xy: &mut [T], beta: T, threshold: T) {
        check_params("softplus_inplace", beta, threshold);
        softplus_kernel(beta, threshold, RunInPlace { func: "softplus_inplace", isa, xy })
    }
}

isa_fn! {
    /// Softplus gradient: `dx = beta x > threshold ? dy : dy * sigmoid(beta x)` (as PyTorch),
    /// the sigmoid rounded once, then multiplied by `dy`. f32: natively in f32 lanes (`beta x`
    /// split exactly by FMA, its low part folded into the exponential and into the exact
    /// threshold comparison; lanes with `|beta x| > 64` from the f64 form); f64 in double
    /// length. Error (`dy = 1`, `beta = 1`): 0.746 ULP for every f32 input; f64 0.80 ULP (`tests/f64_sampled.rs`: 300k inputs against double-double
    /// values).
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length, unless `0 < beta < inf`, or if `threshold` is NaN
    /// or infinite.
    ///
    /// ```
    /// let mut dx = [0.0f32; 3];
    /// simd_activations::softplus_backward(&[0.0, 21.0, 10.0], &[1.0; 3], &mut dx, 2.0, 20.0);
    /// assert_eq!(dx[..2], [0.5, 1.0]); // sigmoid(beta x); 1 above the threshold (beta x = 42)
    /// assert_eq!(dx[2], 1.0 / (1.0 + (-20.0f32).exp()));
    /// ```
    pub fn softplus_backward / softplus_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T], beta: T, threshold: T) {
        checks::same_len("softplus_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        check_params("softplus_backward", beta, threshold);
        softplus_backward_kernel(beta, threshold, RunBinary { func: "softplus_backward", isa, a: x, b: dy, out: dx })
    }
}

isa_fn! {
    /// Mish, out of place: `y[i] = x[i] * tanh(softplus(x[i]))`.
    ///
    /// `tanh(softplus(x))` is evaluated as a ratio of polynomials in `e^-|x|` (see the source).
    /// f32: natively in f32 lanes, the ratio's numerator and denominator carried with their
    /// rounding errors into one compensated quotient, rounded once with the product by `x`
    /// (lanes with `|x| > 64` from the f64 form). f64: every sum, product and quotient in
    /// double length. NaN gives NaN; `mish(-inf) = -0.0` (the limit; PyTorch gives NaN),
    /// `mish(+inf) = +inf`. Error: 0.80 ULP for every f32 input (measured; the worst near the
    /// smallest normal results); f64 1.52 ULP (`tests/f64_sampled.rs`: 300k
    /// inputs against double-double values).
    ///
    /// # Panics
    /// If `x.len() != y.len()`.
    ///
    /// ```
    /// let mut y = [1.0f32; 4];
    /// simd_activations::mish(&[0.0, 1.0, f32::NEG_INFINITY, f32::INFINITY], &mut y);
    /// assert_eq!(y[0], 0.0);
    /// assert!((y[1] - 1.0f32.exp().ln_1p().tanh()).abs() <= f32::EPSILON); // tanh(softplus(1))
    /// assert_eq!([y[2].to_bits(), y[3].to_bits()], [(-0.0f32).to_bits(), f32::INFINITY.to_bits()]); // the limits
    /// ```
    pub fn mish / mish_on(isa)(x: &[T], y: &mut [T]) {
        checks::same_len("mish", &[("x", x.len()), ("y", y.len())]);
        dispatch("mish", isa, Unary { kernel: Native(Mish), x, y })
    }
}

isa_fn! {
    /// Mish in place; semantics as [`mish`].
    ///
    /// ```
    /// let mut xy = [-2.0f64, f64::NAN];
    /// simd_activations::mish_inplace(&mut xy);
    /// assert!((xy[0] - -2.0 * (-2.0f64).exp().ln_1p().tanh()).abs() < 1e-15);
    /// assert!(xy[1].is_nan());
    /// ```
    pub fn mish_inplace / mish_inplace_on(isa)(xy: &mut [T]) {
        dispatch("mish_inplace", isa, UnaryInPlace { kernel: Native(Mish), xy })
    }
}

isa_fn! {
    /// Mish gradient: `dx = dy * (tanh(sp) + x sech(sp)^2 sigmoid(x))`, `sp = softplus(x)`,
    /// in f64; the limits 0 at `-inf` and 1 at `+inf`. The two terms cancel at the zero
    /// x0 = -1.1924, so f32 results come from a Taylor series there (|x - x0| < 1/32; f64: every
    /// factor in double length and a longer series on |x - x0| < 1/4). Error (`dy = 1`): 0.510
    /// ULP for every f32 input (measured); f64 2.4 ULP (`tests/f64_sampled.rs`: 200k inputs,
    /// half of them near the zero, against double-double values).
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length.
    ///
    /// ```
    /// let mut dx = [9.0f32; 3];
    /// simd_activations::mish_backward(&[0.0, f32::NEG_INFINITY, f32::INFINITY], &[1.0; 3], &mut dx);
    /// assert!((dx[0] - 0.6).abs() <= f32::EPSILON); // mish'(0) = tanh(ln 2) = 3/5
    /// assert_eq!(dx[1..], [0.0, 1.0]); // the limits, not NaN
    /// ```
    pub fn mish_backward / mish_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T]) {
        checks::same_len("mish_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        dispatch("mish_backward", isa, Binary { kernel: ViaF64(MishBackward), a: x, b: dy, out: dx })
    }
}

// The kernels, handed to the fused forms and to the runs on slices (see `kernel_use`).

/// The kernel of `softplus`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn softplus_kernel<T: Float, U: UseKernel<T, 1>>(beta: T, threshold: T, u: U) -> U::Output {
    let params = Params::new(beta, threshold);
    if beta == T::ONE {
        u.with(Native(Softplus::<true>(params)))
    } else {
        u.with(Native(Softplus::<false>(params)))
    }
}

/// The kernel of `softplus`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn softplus_backward_kernel<T: Float, U: UseKernel<T, 2>>(beta: T, threshold: T, u: U) -> U::Output {
    let params = Params::new(beta, threshold);
    if beta == T::ONE {
        u.with(Native(SoftplusBackward::<true>(params)))
    } else {
        u.with(Native(SoftplusBackward::<false>(params)))
    }
}

/// The kernel of `mish`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn mish_kernel<T: Float, U: UseKernel<T, 1>>(u: U) -> U::Output {
    u.with(Native(Mish))
}

/// The kernel of `mish`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn mish_backward_kernel<T: Float, U: UseKernel<T, 2>>(u: U) -> U::Output {
    u.with(ViaF64(MishBackward))
}
