//! GELU, exact (`x * Phi(x)`, with the normal CDF `Phi(x) = erfc(-x / sqrt 2) / 2`) and
//! PyTorch's tanh approximation, with gradients. Evaluated in f64 (f32 results rounded once).
//!
//! The negative tail is computed from the normal upper tail directly (`Phi(x) = Q(-x)`, see
//! `math::normal_upper_tail`), never as `1 + erf(x)`: that form cancels to 0 below x = -5.5 in
//! f32 and loses up to 10^8 ULP on [-5, -1), which is what PyTorch, oneDNN, candle and burn do.

use crate::api::isa_fn;
use crate::checks;
use crate::dispatch::dispatch;
use crate::kernel_use::UseKernel;
use crate::Float;
use crate::driver::{Binary, Native, Unary, UnaryInPlace};
use crate::kernels::sigmoid::{
    NATIVE_MIN_ARG,
    finite, logistic_direct, logistic_slope_pair, sigmoid_pair, sigmoid_parts, sigmoid_slope, subnormal_exp_tail,
    times_vanishing, wide_where, Reciprocal1p, PAIR_MIN_ARG,
};
use crate::math::{self, Accuracy, Full, GradientZero};
use crate::math::native;
use crate::math::native_normal;
use crate::simd::{NativeFn, Vector, WideFn};

/// `sqrt(2 / pi)`, the tanh form's inner scale.
const GELU_TANH_BETA: f64 = 0.797_884_560_802_865_4;
/// The tanh form's cubic coefficient.
const GELU_TANH_KAPPA: f64 = 0.044_715;
/// `1 / sqrt(2 pi)`.
const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// The scalar specification, in f64, with its own `erfc` (series and continued fraction,
/// independent of the kernels' Chebyshev fit).
pub mod reference {
    use crate::float::nan_rule;
    use super::{FRAC_1_SQRT_2PI, GELU_TANH_BETA, GELU_TANH_KAPPA};
    use crate::kernels::sigmoid::reference::{sig, times_exp, SUBNORMAL_EXP};
    use crate::Float;
    use core::f64::consts::{FRAC_2_SQRT_PI, FRAC_1_SQRT_2};

    /// `erfc(z)` for `z >= 0`: `1 - erf(z)` from the positive series
    /// `erf(z) = 2/sqrt(pi) e^(-z^2) sum 2^n z^(2n+1) / (1 3 5 .. (2n+1))` below 2, and the
    /// continued fraction `e^(-z^2)/sqrt(pi) / (z + 1/2 / (z + 1 / (z + 3/2 / (z + ..))))` above.
    /// `e^(-z^2)`, corrected to first order for the rounding of `z^2` (which `exp` would
    /// amplify by `z^2`).
    fn exp_neg_square(z: f64) -> f64 {
        let sq = z * z;
        if sq.is_infinite() {
            return 0.0;
        }
        (-sq).exp() * (1.0 - z.mul_add(z, -sq))
    }

    fn erfc_nonnegative(z: f64) -> f64 {
        if z < 0.5 {
            let (mut term, mut sum, mut n) = (z, z, 0.0);
            while term > sum * 1e-18 {
                n += 1.0;
                term *= 2.0 * z * z / (2.0 * n + 1.0);
                sum += term;
            }
            1.0 - FRAC_2_SQRT_PI * exp_neg_square(z) * sum
        } else {
            // Terms for full f64 convergence (checked against 40-digit values).
            let terms = if z < 1.0 { 2000 } else if z < 1.5 { 500 } else { 120 };
            let mut f = z;
            for k in (1..terms).rev() {
                f = z + (k as f64 / 2.0) / f;
            }
            exp_neg_square(z) / core::f64::consts::PI.sqrt() / f
        }
    }

    /// `Phi(x) = P(Z <= x)`. The rounding of `z = |x| / sqrt 2` is corrected to first order
    /// (`erfc'(z) = -2/sqrt(pi) e^(-z^2)`), which matters in the far tails.
    fn phi(x: f64) -> f64 {
        if x.is_nan() || x.is_infinite() {
            return if x.is_nan() { x } else { x.clamp(0.0, 1.0) };
        }
        let a = x.abs();
        let z = a * FRAC_1_SQRT_2;
        // |x| / sqrt 2 - z: the product's rounding error (exact by FMA) plus the constant's own
        // (1/sqrt 2 - FRAC_1_SQRT_2 = -4.833646656726457e-17).
        let dz = a.mul_add(FRAC_1_SQRT_2, -z) + a * -4.833_646_656_726_457e-17;
        let tail = 0.5 * (erfc_nonnegative(z) - dz * FRAC_2_SQRT_PI * exp_neg_square(z));
        if x >= 0.0 {
            1.0 - tail
        } else {
            tail
        }
    }

    /// `x * Phi(x)`; `-0.0` at `-inf` (the limit).
    pub fn gelu<T: Float>(x: T) -> T {
        nan_rule([x], || {
            let x = x.to_f64();
            T::from_f64(if x == f64::NEG_INFINITY { -0.0 } else { x * phi(x) })
        })
    }
    /// `dy * (Phi(x) + x phi(x))`, rounded once; the limits 0 and 1 at -inf and +inf.
    pub fn gelu_backward<T: Float>(x: T, dy: T) -> T {
        nan_rule([x, dy], || {
            let x = x.to_f64();
            let density = if x.is_infinite() { 0.0 } else { x * exp_neg_square(x * FRAC_1_SQRT_2) * FRAC_1_SQRT_2PI };
            T::from_f64(dy.to_f64() * (phi(x) + density))
        })
    }

    fn inner(x: f64) -> f64 {
        GELU_TANH_BETA * (x + GELU_TANH_KAPPA * x * x * x)
    }

    /// `x / 2 * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`; `-0.0` at `-inf`.
    pub fn gelu_tanh<T: Float>(x: T) -> T {
        nan_rule([x], || {
            let x = x.to_f64();
            // 1 + tanh(u) = 2 / (1 + e^(-2u)): no cancellation for negative u.
            // Where e^(2u) is subnormal, x e^(2u) with one rounding into that range.
            let u2 = 2.0 * inner(x);
            T::from_f64(if x == f64::NEG_INFINITY {
                -0.0
            } else if u2 < SUBNORMAL_EXP {
                times_exp(x, u2)
            } else {
                x * sig(u2)
            })
        })
    }
    /// PyTorch's gradient of the tanh form, rounded once:
    /// `dy * (0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 0.044715 x^2))`, `t = tanh(u)`.
    pub fn gelu_tanh_backward<T: Float>(x: T, dy: T) -> T {
        nan_rule([x, dy], || {
            let x = x.to_f64();
            if x.is_infinite() {
                return T::from_f64(dy.to_f64() * if x > 0.0 { 1.0 } else { 0.0 });
            }
            let u = inner(x);
            if u.is_infinite() {
                return T::from_f64(dy.to_f64() * if x > 0.0 { 1.0 } else { 0.0 });
            }
            let poly = 1.0 + 3.0 * GELU_TANH_KAPPA * x * x;
            if 2.0 * u < SUBNORMAL_EXP {
                // sig(2u) = e^(2u) and sech(u)^2 = 4 e^(2u) there.
                let m = 1.0 + 2.0 * GELU_TANH_BETA * x * poly;
                return T::from_f64(dy.to_f64() * times_exp(m, 2.0 * u));
            }
            let half_one_plus_t = sig(2.0 * u);
            let sech = 1.0 / u.cosh();
            let sech2 = sech * sech;
            let d = half_one_plus_t
                + 0.5 * x * sech2 * GELU_TANH_BETA * poly;
            T::from_f64(dy.to_f64() * d)
        })
    }
}

/// Beyond this `|x|` the exponent `-x^2/2` leaves the range of the pair forms (-708), and
/// `x Q` is about to become subnormal.
const FULL_PAIR_LIMIT: f64 = 37.62;

/// The rounding error of `FRAC_1_SQRT_2PI` (`1/sqrt(2 pi) = FRAC_1_SQRT_2PI + this`).
const FRAC_1_SQRT_2PI_LO: f64 = -2.492_327_202_277_73e-17;

/// The zero of the GELU gradient, x0 = -0.7518 (see `math::GradientZero`).
const GELU_GRADIENT_ZERO: GradientZero = GradientZero {
    hi: -0.751_791_524_693_564_5,
    lo: 1.495_675_917_700_988_3e-17,
    series: &[
        0.431_493_992_314_046_9,
        0.388_284_982_990_552,
        -0.018_199_676_398_671_087,
        -0.114_008_233_297_221_7,
        -0.014_771_522_148_244_337,
        0.019_421_679_838_189_067,
        0.004_539_228_379_125_415,
        -0.002_239_538_068_073_497,
        -0.000_744_826_838_674_681_7,
        0.000_186_339_746_232_335_14,
        8.615_947_861_116_571e-5,
        -1.121_438_018_842_664e-5,
        -7.748_461_307_003_72e-6,
        4.328_450_625_739_227_3e-7,
        5.702_764_979_242_107e-7,
        -1.604_426_549_424_642_7e-9,
        -3.545_986_646_178_386_5e-8,
    ],
};

/// Where `P(Z > |x|)` is 0 in f64 anyway: `x` is clamped here before it becomes a factor of
/// the exponential (which takes factors up to 2^100), so `-inf` gives the limit.
const TAIL_CLAMP: f64 = -1e9;

/// `2u` for the tanh form, `u = sqrt(2/pi) (x + 0.044715 x^3)`.
#[inline(always)]
fn gelu_tanh_twice_inner<W: Vector<Elem = f64>>(x: W) -> W {
    let x2 = x.mul(x);
    let cubic = x2.mul(x).mul_add(W::splat(GELU_TANH_KAPPA), x);
    cubic.mul(W::splat(2.0 * GELU_TANH_BETA))
}

#[derive(Clone, Copy)]
pub(crate) struct Gelu;
impl WideFn<1> for Gelu {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x]: [W; 1]) -> W {
        // x Phi(x) = x Q for x < 0 (x folded into the exponential's rounding), x (1 - Q) above,
        // Q = P(Z > |x|): no cancellation either way.
        let negative = x.lt(W::zero());
        let xc = x.clamp_min(W::splat(TAIL_CLAMP));
        if A::FOR_F32 {
            let tail = math::normal_tail::<A, W>(x);
            let q = tail.exp_times::<A>(W::select(negative, xc, W::splat(1.0)).mul(tail.factor));
            return W::select(negative, q, x.mul(W::splat(1.0).sub(q)));
        }
        // f64: in double length, x Q = e (x factor) below 0 (in that order: e factor alone
        // can be subnormal where the result is not) and x (1 - Q) above, rounded once; +-0
        // keep their sign.
        let tp = math::normal_tail_pair(x);
        let (eh, el) = tp.e;
        let (fh, fl) = tp.factor;
        let (xf, xf_lo) = math::mul_pair(xc, W::zero(), fh, fl);
        let (below, below_lo) = math::mul_pair(eh, el, xf, xf_lo);
        let (q, q_lo) = math::mul_pair(eh, el, fh, fl);
        let (p, p_lo) = math::two_sum(W::splat(1.0), q.neg());
        let above = x.mul_add(p, finite(x).mul(p_lo.sub(q_lo)));
        let y = W::select(negative, below.add(below_lo), above);
        let y = W::select(x.abs().le(W::zero()), x, y);
        // Below -37.62, where e^(-x^2/2) leaves the pair form's range and x Q the normal range,
        // x times the factor is folded into the exponential's one rounding.
        let beyond = x.lt(W::splat(-FULL_PAIR_LIMIT));
        if W::any(beyond) {
            let m = xc.mul_add(tp.factor.0, xc.mul(tp.factor.1));
            W::select(beyond, math::exp_pair_mul::<Full, W>(tp.arg.0, tp.arg.1, m), y)
        } else {
            y
        }
    }
}

impl NativeFn<1> for Gelu {
    #[inline(always)]
    fn eval_f32<V: Vector<Elem = f32>>(self, [x]: [V; 1]) -> V {
        // x Q(-x) below 0, x (1 - Q(x)) above, with Q = qh + ql to ~2^-26 and 1 - Q split
        // exactly (1 - qh by Fast2Sum): one rounding. |x| is clamped to the tables' range:
        // above it Q < 2^-66 and x (1 - Q) rounds to x; lanes below -TAIL_MAX take the far form below.
        let one = V::splat(1.0);
        let max = V::splat(native_normal::TAIL_MAX);
        let t = x.abs().clamp_max(max);
        let ((qh, ql), _) = native_normal::upper_tail_f32(t);
        let p = one.sub(qh);
        let p_lo = one.sub(p).sub(qh).sub(ql);
        let negative = x.lt(V::zero());
        let (h, l) = (V::select(negative, qh, p), V::select(negative, ql, p_lo));
        // The small term with x clamped (+inf times a tiny negative l is -inf); +-0 keep their
        // sign.
        let y = x.mul_add(h, x.clamp_max(max).mul(l));
        let y = V::select(V::zero().lt(t), y, x);
        wide_where(x.lt(max.neg()), y, [x], self)
    }

    /// The lanes below `-TAIL_MAX` (-9.37), natively: with `t = -x` and `v = 1 / t^2`,
    /// `x Q(t) = -phi(t) S(v)`, `phi(t) = e^(-t^2/2) / sqrt(2 pi)` and `S(v) = 1 - v + 3 v^2 -
    /// 15 v^3 + ...` the asymptotic series of `t Q(t) / phi(t)`, enveloping, so its error
    /// after the `v^7` term is below the next one, 2^-30.7 at `t = 9.37`. `t^2` split exactly
    /// by FMA, the exponential at 2^64 times its size ([`native::exp_scaled_up64`]; `-t^2/2`
    /// clamped to -110, and lanes below -105, whose result rounds to `-0.0`, take it before the
    /// scaling, so that no lane holds a subnormal but where the result is one), `phi` in double length, `phi (1 + v P(v))` rounded once, then scaled
    /// back by one product by 2^-64, which rounds again where the result is subnormal (x
    /// below about -13.2). `x` is clamped to -20 first, so `-inf` gives `-0.0` as every `x`
    /// below about -14.1 does.
    #[inline(always)]
    fn eval_f32_far<V: Vector<Elem = f32>>(self, [x]: [V; 1]) -> V {
        let t = x.clamp_min(V::splat(-20.0)).neg();
        let sq = t.mul(t);
        let sq_lo = t.mul_add(t, sq.neg());
        let half = V::splat(-0.5);
        let a = sq.mul(half);
        let (s, p) = native::exp_scaled_up64(a.clamp_min(V::splat(-110.0)));
        let eh = s.mul_add(p, s);
        let el = s.mul_add(p, s.sub(eh));
        // e^(a + a_lo) = e^a (1 + a_lo) to 2^-37 (|a_lo| <= 2^-17).
        let el = eh.mul_add(sq_lo.mul(half), el);
        let v = V::splat(1.0).div(sq);
        let mut series = V::splat(ASYMPTOTIC_MILLS[6]);
        for &c in ASYMPTOTIC_MILLS[..6].iter().rev() {
            series = series.mul_add(v, V::splat(c));
        }
        let w = v.mul(series);
        let (ch, cl) = (V::splat(FRAC_1_SQRT_2PI_F32.0), V::splat(FRAC_1_SQRT_2PI_F32.1));
        let kh = ch.mul(eh);
        let kl = ch.mul_add(eh, kh.neg()).add(ch.mul_add(el, cl.mul(eh)));
        // kh (1 + w) + kl (1 + w): kl holds e^-t^2/2's low part, up to 2^-18 of kh with the
        // correction for t^2's, so kl w counts.
        let scaled = kh.add(kh.mul_add(w, kl.mul_add(w, kl)));
        // Below -t^2/2 = -105 the result rounds to -0.0 (|phi(t)| < 2^-152): a zero there, so
        // that the product by 2^-64 underflows only where the result is subnormal.
        let scaled = V::select(a.lt(V::splat(-105.0)), V::zero(), scaled);
        native::scale_down64(scaled, x)
    }
}

/// `-1, 3, -15, 105, -945, 10395, -135135`: the coefficients of `v^1 ..= v^7` in the
/// asymptotic series `t Q(t) / phi(t) = 1 - v + 3 v^2 - ...` (`v = 1 / t^2`), as `P` with
/// `S(v) = 1 + v P(v)`.
const ASYMPTOTIC_MILLS: [f32; 7] = [-1.0, 3.0, -15.0, 105.0, -945.0, 10395.0, -135135.0];

/// `1 / sqrt(2 pi)` as an f32 pair (hi, lo).
const FRAC_1_SQRT_2PI_F32: (f32, f32) = (f32::from_bits(0x3ecc_422a), f32::from_bits(0xb242_bc9b));

#[derive(Clone, Copy)]
pub(crate) struct GeluBackward;
impl NativeFn<2> for GeluBackward {
    #[inline(always)]
    fn eval_f32<V: Vector<Elem = f32>>(self, [x, dy]: [V; 2]) -> V {
        // Phi(x) + x phi(x) = D below 0 and 1 - D above, D = Q(t) - t e^(-t^2/2) / sqrt(2 pi)
        // with t = |x|: Q and e^(-t^2/2) as pairs (~2^-26), t / sqrt(2 pi) exact by FMA and the
        // difference by 2Sum, so D keeps ~2^-25 relative outside the window of 1/4 around the
        // zero x0 = -0.7518 (where D cancels and the series takes over); 1 - D by Fast2Sum
        // (|D| < 1). The slope rounded once, then the product by dy.
        let one = V::splat(1.0);
        let max = V::splat(native_normal::TAIL_MAX);
        let t = x.abs().clamp_max(max);
        let ((qh, ql), (eh, el)) = native_normal::upper_tail_f32(t);
        let (ch, cl) = (V::splat(FRAC_1_SQRT_2PI_F32.0), V::splat(FRAC_1_SQRT_2PI_F32.1));
        let m = t.mul(ch);
        let m_lo = t.mul_add(cl, t.mul_add(ch, m.neg()));
        let em = eh.mul(m);
        let em_lo = eh.mul_add(m, em.neg()).add(eh.mul_add(m_lo, el.mul(m)));
        let (s, s_err) = math::two_sum(qh, em.neg());
        let s_lo = s_err.add(ql).sub(em_lo);
        let p = one.sub(s);
        let p_lo = one.sub(p).sub(s).sub(s_lo);
        let negative = x.lt(V::zero());
        let d = V::select(negative, s.add(s_lo), p.add(p_lo));
        let d = GELU_GRADIENT_ZERO.refine_native(x, d);
        wide_where(x.lt(max.neg()), d.mul(dy), [x, dy], self)
    }
}
impl WideFn<2> for GeluBackward {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x, dy]: [W; 2]) -> W {
        // The sum cancels at the gradient's zero: f32 results take the series there.
        // Phi(x) + x phi(x) with one exponential e = e^(-x^2/2): for x < 0 it is
        // e (factor + x / sqrt(2 pi)) (the sum folded into the exponential's rounding), above
        // 1 - e factor + x e / sqrt(2 pi).
        let negative = x.lt(W::zero());
        let density = W::splat(FRAC_1_SQRT_2PI);
        let xc = x.clamp_min(W::splat(TAIL_CLAMP));
        if A::FOR_F32 {
            let tail = math::normal_tail::<A, W>(x);
            let m = W::select(negative, xc.mul_add(density, tail.factor), W::splat(1.0));
            let e = tail.exp_times::<A>(m);
            let above =
                finite(x).mul(e).mul_add(density, e.neg().mul_add(tail.factor, W::splat(1.0)));
            return dy.mul(GELU_GRADIENT_ZERO.refine_single(x, W::select(negative, e, above)));
        }
        // f64: every part in double length: e (factor + x / sqrt(2 pi)) below 0,
        // (1 - e factor) + x e / sqrt(2 pi) above, the series within 1/4 of the zero, the
        // folded form below -37.62 and 1 above 37.62.
        let tp = math::normal_tail_pair(x);
        let (eh, el) = tp.e;
        let (fh, fl) = tp.factor;
        let xf = finite(x);
        let xd = xf.mul(W::splat(FRAC_1_SQRT_2PI));
        let xd_lo = xf
            .mul_add(W::splat(FRAC_1_SQRT_2PI), xd.neg())
            .add(xf.mul(W::splat(FRAC_1_SQRT_2PI_LO)));
        // Below 0.
        let (m, m_err) = math::two_sum(fh, xd);
        let (below, below_lo) = math::mul_pair(eh, el, m, m_err.add(fl).add(xd_lo));
        // Above.
        let (q, q_lo) = math::mul_pair(eh, el, fh, fl);
        let (phi, phi_lo) = math::mul_pair(eh, el, xd, xd_lo);
        let (u, u_err) = math::two_sum(W::splat(1.0), q.neg());
        let (v, v_err) = math::two_sum(u, phi);
        let above_lo = v_err.add(u_err).sub(q_lo).add(phi_lo);
        let d = W::select(negative, below.add(below_lo), v.add(above_lo));
        let d = GELU_GRADIENT_ZERO.refine_full(x, d);
        // Beyond 37.62 the gradient is 1 (the other terms are below 1e-300).
        let beyond = W::splat(FULL_PAIR_LIMIT).lt(x.abs());
        let d = if W::any(beyond) {
            let m = xc.mul_add(density, fh);
            let tail = math::exp_pair_mul::<Full, W>(tp.arg.0, tp.arg.1, m);
            W::select(beyond, W::select(negative, tail, W::splat(1.0)), d)
        } else {
            d
        };
        dy.mul(d)
    }
}

/// `2 sqrt(2/pi)`, 0.044715 and `3 * 0.044715` in double length (`hi + lo`, 50-digit values).
const TWO_BETA: (f64, f64) = (1.595_769_121_605_730_8, -9.969_308_809_110_92e-17);
const KAPPA: (f64, f64) = (GELU_TANH_KAPPA, 2.196_021_142_708_559_5e-18);
const THREE_KAPPA: (f64, f64) = (0.134_145, 1.352_695_733_203_290_8e-17);

/// `2u` as an unevaluated sum `hi + lo`, with `x^3`, the products and the constants
/// (`2 sqrt(2/pi)` and the decimal 0.044715) carried in double length: for f64 results, where
/// `e^(2u)` would amplify the rounding of a plainly computed `2u` by `|2u|` (up to ~1400 ULP
/// while the result is normal). `|x|` is capped at 1e30, where the sigmoid is 0 or 1 anyway.
#[inline(always)]
fn gelu_tanh_twice_inner_pair<W: Vector<Elem = f64>>(x: W) -> (W, W) {
    let x = x.clamp_min(W::splat(-1e30)).clamp_max(W::splat(1e30));
    let x2 = x.mul(x);
    let x2_err = x.mul_add(x, x2.neg());
    let x3 = x.mul(x2);
    let x3_err = x.mul_add(x2, x3.neg()).add(x.mul(x2_err));
    // kappa x^3 = k + k_err.
    let kh = W::splat(KAPPA.0);
    let k = kh.mul(x3);
    let k_err = kh.mul_add(x3, k.neg()).add(kh.mul_add(x3_err, W::splat(KAPPA.1).mul(x3)));
    // x + kappa x^3 = c + c_err (2Sum).
    let c = x.add(k);
    let b = c.sub(x);
    let c_err = x.sub(c.sub(b)).add(k.sub(b)).add(k_err);
    let th = W::splat(TWO_BETA.0);
    let hi = th.mul(c);
    let lo = th.mul_add(c, hi.neg()).add(th.mul_add(c_err, W::splat(TWO_BETA.1).mul(c)));
    (hi, lo)
}

#[derive(Clone, Copy)]
pub(crate) struct GeluTanh;
impl WideFn<1> for GeluTanh {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x]: [W; 1]) -> W {
        // x/2 (1 + tanh(u)) = x sigmoid(2u).
        if A::FOR_F32 {
            return times_vanishing(x, sigmoid_parts::<A, W>(gelu_tanh_twice_inner(x)).1);
        }
        // f64: x sigmoid(2u) with 2u and the sigmoid in double length; where |2u| > 708 (out
        // of the pair forms' range) the plain form, and x e^(2u) rounded once where e^(2u) is
        // subnormal.
        let (hi, lo) = gelu_tanh_twice_inner_pair(x);
        let (q, q_lo) = sigmoid_pair(hi, lo);
        let y = x.mul_add(q, finite(x).mul(q_lo));
        let y = W::select(x.abs().le(W::zero()), x, y);
        let beyond = W::splat(-PAIR_MIN_ARG).lt(hi.abs());
        let y = if W::any(beyond) {
            // Beyond the pair range lo cannot matter: the sigmoid is 1, or the tail below takes
            // over, or the result is 0.
            let plain = times_vanishing(x, sigmoid_parts::<Full, W>(hi).1);
            W::select(beyond, plain, y)
        } else {
            y
        };
        subnormal_exp_tail::<A, W>(hi, lo, x, y)
    }
}

/// `2 sqrt(2/pi)` and `2 sqrt(2/pi) 0.044715` as f32 pairs (hi, lo).
const TWO_BETA_F32: (f32, f32) = (f32::from_bits(0x3fcc_422a), f32::from_bits(0xb342_bc9b));
const TWO_BETA_KAPPA_F32: (f32, f32) = (f32::from_bits(0x3d92_2279), f32::from_bits(0x3124_d8b5));
/// `6 sqrt(2/pi) 0.044715` (the derivative's `3 c3`) as an f32 pair.
const SIX_BETA_KAPPA_F32: (f32, f32) = (f32::from_bits(0x3e5b_33b6), f32::from_bits(0xaf8b_af10));

/// `2u = 2 beta (x + kappa x^3) = x (c1 + c3 x^2)` for f32 lanes as an unevaluated sum to
/// about 2^-44 relative (the sigmoid's exponential multiplies the argument's absolute error
/// by up to 64).
#[inline(always)]
fn gelu_tanh_twice_inner_f32<V: Vector<Elem = f32>>(x: V) -> (V, V) {
    odd_cubic_f32(x, TWO_BETA_F32, TWO_BETA_KAPPA_F32)
}

/// `sigmoid(2u)` for gelu_tanh ([`logistic_direct`] of the pair `2u`), with two masks: the
/// lanes where `2u < -64` (for the far form, see [`wide_where`]) and those where `2u > 64`
/// (there `sigmoid(2u)` is 1 to within 2^-92, so the forward is `x` and the slope 1, exactly
/// once rounded; their quotient is unspecified, computed from `2u` clamped to 64 so that it
/// holds no subnormal; those with `2u < -64`, the same from -64). Only the negative side (x
/// below about -8.87) leaves the native range, for [`NativeFn::eval_f32_far`].
/// Measured (AVX-512, Intel Xeon, 8K f32 in [0, 10], where a fifth of the lanes have 2u > 69
/// and nearly every vector holds one): 5.37 ns per element when those lanes took the f64
/// body, 4.43 natively without the clamp (a subnormal low part of `e^-2u`, a microcode assist
/// per operation), 0.73 with it; in [-5, 5], 0.56-0.63 ns in every version.
#[inline(always)]
fn gelu_tanh_logistic<V: Vector<Elem = f32>>(x: V) -> (V::Mask, V::Mask, Reciprocal1p<V>) {
    let (w, w_lo) = gelu_tanh_twice_inner_f32(x);
    let limit = V::splat(-NATIVE_MIN_ARG);
    // Clamped to [-64, 64] so that the lanes whose quotient is not used compute no subnormal
    // (beyond 2u = 69 the low part of e^-2u would be one, below 2u = -87 the quotient, and
    // every operation on it a slow microcode assist on Intel cores).
    let (_, s) = logistic_direct(w.clamp_min(limit.neg()).clamp_max(limit), Some(w_lo));
    (w.lt(limit.neg()), limit.lt(w), s)
}

/// `x (c1 + c3 x^2)` for f32 lanes and f32-pair constants as an unevaluated sum: `x^2` and
/// `c3 x^2` exact by FMA, the sum by 2Sum, the product by `x` exact by FMA.
#[inline(always)]
fn odd_cubic_f32<V: Vector<Elem = f32>>(x: V, c1: (f32, f32), c3: (f32, f32)) -> (V, V) {
    let (c1h, c1l) = (V::splat(c1.0), V::splat(c1.1));
    let (c3h, c3l) = (V::splat(c3.0), V::splat(c3.1));
    let sq = x.mul(x);
    let sq_lo = x.mul_add(x, sq.neg());
    let m = c3h.mul(sq);
    let m_lo = c3l.mul_add(sq, c3h.mul_add(sq_lo, c3h.mul_add(sq, m.neg())));
    let (g, g_err) = math::two_sum(c1h, m);
    let g_lo = g_err.add(c1l).add(m_lo);
    let w = x.mul(g);
    (w, x.mul_add(g_lo, x.mul_add(g, w.neg())))
}

impl NativeFn<1> for GeluTanh {
    #[inline(always)]
    fn eval_f32<V: Vector<Elem = f32>>(self, [x]: [V; 1]) -> V {
        // x sigmoid(2u), the compensated quotient rounded once with x.
        let (far, one, s) = gelu_tanh_logistic(x);
        wide_where(far, V::select(one, x, s.times(x)), [x], self)
    }

    /// The lanes with `2u < -64` (x below about -8.87), natively: there `sigmoid(2u) = e^2u (1 -
    /// e^2u + ..)` is `e^2u` to 2^-92, so `y = x e^(2u + 2u_lo)`, formed at 2^64 times its size
    /// ([`native::exp_scaled_up64`], normal down to `2u = -131`) with one rounding, then
    /// scaled back by one product by 2^-64, which rounds again where the result is subnormal
    /// (x below about -10.1; about 1 ULP there, measured with the rest). `x` is clamped to -1e4
    /// and `2u` to [-110, 40] first, and lanes below `2u = -108` take `-0.0` before the
    /// scaling, so `-inf` gives `-0.0` as every `x` below about -10.7 does, and no lane holds a
    /// subnormal on the way but where the result is one (each such operation costs a microcode
    /// assist on Intel cores). Measured
    /// (AVX-512, Intel Xeon, 8K f32 in [-10, 10]): see the README's speed notes.
    #[inline(always)]
    fn eval_f32_far<V: Vector<Elem = f32>>(self, [x]: [V; 1]) -> V {
        let xc = x.clamp_min(V::splat(-1e4));
        let (w, w_lo) = gelu_tanh_twice_inner_f32(xc);
        let (s, p) = native::exp_scaled_up64(w.clamp_min(V::splat(-110.0)).clamp_max(V::splat(40.0)));
        let hi = s.mul_add(p, s);
        let lo = s.mul_add(p, s.sub(hi));
        // e^(w + w_lo) = e^w (1 + w_lo), to 2^-34 (|w_lo| <= 2^-17 here).
        let lo = hi.mul_add(w_lo, lo);
        let scaled = xc.mul_add(hi, xc.mul(lo));
        // Below 2u = -108 the result rounds to -0.0 (|x e^2u| < 2^-152): a zero there, so that
        // the product by 2^-64 underflows only where the result is subnormal.
        let scaled = V::select(w.lt(V::splat(-108.0)), V::zero(), scaled.abs());
        native::scale_down64(scaled, x)
    }
}

#[derive(Clone, Copy)]
pub(crate) struct GeluTanhBackward;
impl NativeFn<2> for GeluTanhBackward {
    #[inline(always)]
    fn eval_f32<V: Vector<Elem = f32>>(self, [x, dy]: [V; 2]) -> V {
        // s (1 + m (1 - s)) with s = sigmoid(2u) = q0 + qc from the compensated quotient
        // (one division), 1 - s = h + hl split exactly (1 - q0 by Fast2Sum), m = x (c1 + 3
        // c3 x^2) = x d(2u)/dx in double length, m h exact by FMA and 1 + m h by 2Sum; the factor cancels at the zero x0 = -0.7525, where the series
        // takes over. The slope rounded once, then the product by dy.
        let one = V::splat(1.0);
        let (far, slope_one, s) = gelu_tanh_logistic(x);
        let (q0, qc) = (s.q0, s.rt.mul(s.q0));
        let h = one.sub(q0);
        let hl = one.sub(h).sub(q0).sub(qc);
        let (mh, ml) = odd_cubic_f32(x, TWO_BETA_F32, SIX_BETA_KAPPA_F32);
        let p = mh.mul(h);
        let p_lo = mh.mul_add(h, p.neg());
        let (t, t_err) = math::two_sum(one, p);
        let t_lo = t_err.add(p_lo).add(mh.mul_add(hl, ml.mul(h)));
        let d = q0.mul_add(t, q0.mul_add(t_lo, qc.mul(t)));
        let d = V::select(slope_one, one, GELU_TANH_GRADIENT_ZERO.refine_native(x, d));
        wide_where(far, d.mul(dy), [x, dy], self)
    }
}
impl WideFn<2> for GeluTanhBackward {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x, dy]: [W; 2]) -> W {
        // 0.5 (1 + t) = s = sigmoid(2u); 0.5 (1 - t^2) = 2 s (1 - s) = 2 e / (1 + e)^2.
        // The sum cancels at the gradient's zero: f32 results take the series there.
        let (hi, lo) = if A::FOR_F32 {
            (gelu_tanh_twice_inner(x), W::zero())
        } else {
            gelu_tanh_twice_inner_pair(x)
        };
        // f32 results, and f64 lanes beyond the pair range (where lo cannot matter).
        let (e, s) = sigmoid_parts::<A, W>(hi);
        // |x| capped so x (1 + 3 k x^2) stays finite where the factor e/(1+e)^2 is 0.
        let xc = x.clamp_min(W::splat(-1e100)).clamp_max(W::splat(1e100));
        let poly = xc.mul(xc).mul_add(W::splat(3.0 * GELU_TANH_KAPPA), W::splat(1.0));
        let two_beta = W::splat(2.0 * GELU_TANH_BETA);
        let slope = two_beta.mul(sigmoid_slope(e));
        let d = xc.mul(poly).mul_add(slope, s);
        if A::FOR_F32 {
            return dy.mul(GELU_TANH_GRADIENT_ZERO.refine_single(x, d));
        }
        // f64: s + 2 beta x (1 + 3 kappa x^2) e / (1 + e)^2 with every factor and the sum in
        // double length (the cancellation near the zero amplifies their errors), the series
        // within 1/4 of the zero, the plain form where |2u| > 708 and, in the tail,
        // e^(2u) (1 + 2 beta x poly) rounded once.
        let (sh, sl) = sigmoid_pair(hi, lo);
        let nonnegative = W::zero().le(hi);
        let (a, a_lo) = (W::select(nonnegative, hi.neg(), hi), W::select(nonnegative, lo.neg(), lo));
        let (ph, pl) = logistic_slope_pair(a, a_lo);
        let x2 = xc.mul(xc);
        let x2_lo = xc.mul_add(xc, x2.neg());
        let (k, k_lo) = math::mul_pair(x2, x2_lo, W::splat(THREE_KAPPA.0), W::splat(THREE_KAPPA.1));
        let (p, p_lo) = math::two_sum(W::splat(1.0), k);
        let (xp, xp_lo) = math::mul_pair(xc, W::zero(), p, p_lo.add(k_lo));
        let (m, m_lo) = math::mul_pair(xp, xp_lo, W::splat(TWO_BETA.0), W::splat(TWO_BETA.1));
        let (t, t_lo) = math::mul_pair(m, m_lo, ph, pl);
        let (sum, sum_err) = math::two_sum(sh, t);
        let paired = GELU_TANH_GRADIENT_ZERO.refine_full(x, sum.add(sum_err.add(sl).add(t_lo)));
        let beyond = W::splat(-PAIR_MIN_ARG).lt(hi.abs());
        let d = if W::any(beyond) { W::select(beyond, d, paired) } else { paired };
        let tail_factor = two_beta.mul(xc).mul_add(poly, W::splat(1.0));
        dy.mul(subnormal_exp_tail::<A, W>(hi, lo, tail_factor, d))
    }
}

/// The zero of the tanh-form GELU gradient, x0 = -0.7525 (see `math::GradientZero`).
const GELU_TANH_GRADIENT_ZERO: GradientZero = GradientZero {
    hi: -0.752_461_422_071_016_3,
    lo: 3.635_560_509_207_687e-17,
    series: &[
        0.430_400_091_024_858_5,
        0.387_518_446_135_788_95,
        -0.015_782_853_521_848_03,
        -0.113_944_483_080_958_99,
        -0.016_619_328_343_052_56,
        0.019_682_309_459_833_118,
        0.005_261_059_254_921_912,
        -0.002_422_731_845_875_097_4,
        -0.000_927_442_023_020_544_9,
        0.000_263_927_640_526_810_53,
        0.000_124_252_278_026_397_82,
        -3.495_617_169_443_611_6e-5,
        -1.595_089_687_164_510_5e-5,
        5.918_611_710_894_005e-6,
        2.433_551_634_429_954_3e-6,
        -9.898_647_747_433_667e-7,
        -4.310_248_298_802_901_6e-7,
        1.415_755_698_772_947_3e-7,
    ],
};

isa_fn! {
    /// GELU (exact, PyTorch's `approximate='none'`), out of place: `y[i] = x[i] * Phi(x[i])`
    /// with `Phi` the standard normal CDF.
    ///
    /// The negative tail is accurate down to the subnormal range (PyTorch, oneDNN, candle and burn
    /// return 0 below x = -5.5 in f32). NaN gives NaN; `gelu(-inf) = -0.0` (the limit; PyTorch and
    /// oneDNN give NaN), `gelu(+inf) = +inf`. f32: natively in f32 lanes, `Phi` from the normal
    /// upper tail `Q(t) = e^(-t^2/2) g(t)` with `g` a degree-8 polynomial on eight intervals
    /// (coefficients by one table permute each) and `e^(-t^2/2)` from the table-driven
    /// exponential, both carried as f32 pairs and rounded once with the product by `x` (lanes
    /// below -9.37 natively by the asymptotic series of the normal tail, at 2^64 times their size and scaled back). Error: 0.93 ULP for every f32 input (measured); f64
    /// 1.40 ULP (against 50-digit values, tails and thresholds included): for f64 results the
    /// normal tail (`e^(-x^2/2)`, its smooth factor, `Q` and `1 - Q`) is carried in double length,
    /// and below -37.62, where `x Q` becomes subnormal, `x` times the factor is folded into the
    /// exponential's one rounding.
    ///
    /// # Panics
    /// If `x.len() != y.len()`.
    ///
    /// ```
    /// let mut y = [1.0f32; 4];
    /// simd_activations::gelu(&[0.0, f32::NEG_INFINITY, f32::INFINITY, -10.0], &mut y);
    /// assert_eq!(y[..3].iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
    ///            [0.0f32, -0.0, f32::INFINITY].map(f32::to_bits)); // the limits, not NaN
    /// assert!(y[3] < 0.0 && y[3] > -1e-22); // -10 Phi(-10) = -7.6e-23, not flushed to 0
    /// ```
    pub fn gelu / gelu_on(isa)(x: &[T], y: &mut [T]) {
        checks::same_len("gelu", &[("x", x.len()), ("y", y.len())]);
        dispatch("gelu", isa, Unary { kernel: Native(Gelu), x, y })
    }
}

isa_fn! {
    /// GELU in place; semantics as [`gelu`].
    ///
    /// ```
    /// let mut xy = [1.0f64, f64::NAN];
    /// simd_activations::gelu_inplace(&mut xy);
    /// assert!((xy[0] - 0.841_344_746_068_542_9).abs() < 1e-15); // Phi(1)
    /// assert!(xy[1].is_nan());
    /// ```
    pub fn gelu_inplace / gelu_inplace_on(isa)(xy: &mut [T]) {
        dispatch("gelu_inplace", isa, UnaryInPlace { kernel: Native(Gelu), xy })
    }
}

isa_fn! {
    /// GELU gradient: `dx = dy * (Phi(x) + x phi(x))` with `phi` the normal density, with one
    /// exponential; the limits 0 at `-inf` and 1 at `+inf`. f32: natively in f32 lanes, from
    /// the pairs of [`gelu`]'s normal tail (`Q(|x|) - |x| phi(x)` by 2Sum), the slope rounded
    /// once, then times `dy` (lanes below -9.37 from the f64 form). The two terms cancel at the
    /// zero x0 = -0.7518, so results there come from a Taylor series (|x - x0| < 1/4, in f32
    /// for f32; f64: every part in double length). Error (`dy = 1`): 1.14 ULP for every f32
    /// input (measured, at the edge of the series' window); f64 2.45 ULP (against 50-digit values, tails and thresholds
    /// included).
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length.
    ///
    /// ```
    /// let mut dx = [9.0f32; 4];
    /// let x = [0.0, f32::NEG_INFINITY, f32::INFINITY, -0.751_791_5];
    /// simd_activations::gelu_backward(&x, &[1.0; 4], &mut dx);
    /// assert_eq!(dx[..3], [0.5, 0.0, 1.0]); // gelu'(0) = 1/2 and the limits
    /// assert!(dx[3].abs() < 1e-6); // near the zero x0 of the gradient
    /// ```
    pub fn gelu_backward / gelu_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T]) {
        checks::same_len("gelu_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        dispatch("gelu_backward", isa, Binary { kernel: Native(GeluBackward), a: x, b: dy, out: dx })
    }
}

isa_fn! {
    /// GELU, tanh approximation (PyTorch's `approximate='tanh'`), out of place:
    /// `y[i] = x/2 * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`, evaluated as
    /// `x * sigmoid(2u)` so the negative tail does not cancel.
    ///
    /// NaN gives NaN; `-inf` gives `-0.0` (the limit), `+inf` gives `+inf`. The decimal
    /// 0.044715 and `sqrt(2/pi)` are taken exactly: for f64 results the argument `2u` is
    /// carried in double length (`e^(2u)` would amplify its rounding by `|2u|`, up to 1400 ULP
    /// near x = -21), and so is the sigmoid. f32: natively in f32 lanes, `2u` as an unevaluated
    /// sum of f32s (to ~2^-44), its low part folded into the table-driven exponential, and the
    /// compensated sigmoid quotient, `x` times it rounded once; lanes with `2u > 64` give `x`,
    /// those with `2u < -64` (x below -8.87) `x e^(2u)`, formed at 2^64 times its size and
    /// scaled back (still in f32 lanes). Error: 0.828 ULP for every f32 input (measured; at x =
    /// -10.10, where the result is subnormal and rounds twice); f64 1.15 ULP (against
    /// 50-digit values, tails and thresholds included).
    ///
    /// # Panics
    /// If `x.len() != y.len()`.
    ///
    /// ```
    /// let mut y = [1.0f32; 4];
    /// simd_activations::gelu_tanh(&[0.0, f32::NEG_INFINITY, f32::INFINITY, 1.0], &mut y);
    /// assert_eq!(y[..3].iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
    ///            [0.0f32, -0.0, f32::INFINITY].map(f32::to_bits));
    /// let u = (2.0f64 / std::f64::consts::PI).sqrt() * (1.0 + 0.044715);
    /// assert!((y[3] as f64 - 0.5 * (1.0 + u.tanh())).abs() < 1e-7);
    /// ```
    pub fn gelu_tanh / gelu_tanh_on(isa)(x: &[T], y: &mut [T]) {
        checks::same_len("gelu_tanh", &[("x", x.len()), ("y", y.len())]);
        dispatch("gelu_tanh", isa, Unary { kernel: Native(GeluTanh), x, y })
    }
}

isa_fn! {
    /// GELU (tanh form) in place; semantics as [`gelu_tanh`].
    ///
    /// ```
    /// let mut xy = [-20.0f64, f64::NAN];
    /// simd_activations::gelu_tanh_inplace(&mut xy);
    /// assert!(xy[0] < 0.0 && xy[0] > -1e-250); // -5e-261: the negative tail does not cancel to 0
    /// assert!(xy[1].is_nan());
    /// ```
    pub fn gelu_tanh_inplace / gelu_tanh_inplace_on(isa)(xy: &mut [T]) {
        dispatch("gelu_tanh_inplace", isa, UnaryInPlace { kernel: Native(GeluTanh), xy })
    }
}

isa_fn! {
    /// Gradient of the tanh form (PyTorch's formula, without its cancellations):
    /// `dx = dy * (0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2))`, `t = tanh(u)`;
    /// the limits 0 and 1 at `-inf` and `+inf`. f32: natively in f32 lanes (`sigmoid(2u)` and
    /// `e / (1 + e)^2` as f32 pairs, the polynomial factor exact in double length, the sum by
    /// 2Sum; the slope rounded once, then times `dy`; lanes with `|2u| > 64` from the f64 form).
    /// The two terms cancel at the zero x0 = -0.7525, so results there come from a Taylor
    /// series (|x - x0| < 1/4, in f32 for f32; f64: every factor in double length). Error
    /// (`dy = 1`): 1.19 ULP for every f32 input (measured, at the edge of the series' window); f64 2.82 ULP near x = -21.15, where `e^(2u)` nears the subnormal range, 1.8
    /// elsewhere (against 50-digit values, tails included).
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length.
    ///
    /// ```
    /// let mut dx = [9.0f64; 3];
    /// simd_activations::gelu_tanh_backward(&[0.0, f64::NEG_INFINITY, f64::INFINITY], &[2.0; 3], &mut dx);
    /// assert_eq!(dx, [1.0, 0.0, 2.0]); // 2 * 1/2 at 0, and the limits 0 and 1 times dy
    /// ```
    pub fn gelu_tanh_backward / gelu_tanh_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T]) {
        checks::same_len("gelu_tanh_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        dispatch("gelu_tanh_backward", isa, Binary { kernel: Native(GeluTanhBackward), a: x, b: dy, out: dx })
    }
}

// The kernels, handed to the fused forms and to the runs on slices (see `kernel_use`).

/// The kernel of `gelu`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn gelu_kernel<T: Float, U: UseKernel<T, 1>>(u: U) -> U::Output {
    u.with(Native(Gelu))
}

/// The kernel of `gelu`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn gelu_backward_kernel<T: Float, U: UseKernel<T, 2>>(u: U) -> U::Output {
    u.with(Native(GeluBackward))
}

/// The kernel of `gelu_tanh`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn gelu_tanh_kernel<T: Float, U: UseKernel<T, 1>>(u: U) -> U::Output {
    u.with(Native(GeluTanh))
}

/// The kernel of `gelu_tanh`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn gelu_tanh_backward_kernel<T: Float, U: UseKernel<T, 2>>(u: U) -> U::Output {
    u.with(Native(GeluTanhBackward))
}
