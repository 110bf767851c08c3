//! The standard normal distribution's density and upper tail, in f64: what GELU needs.

use super::{div_pair, exp_nonpositive_pair, exp_pair_mul, mul_pair, two_sum, Accuracy};
use crate::simd::Vector;

/// `-a^2 / 2` exactly, as `hi + lo` (an FMA gives the product's rounding error), so that
/// `e^(-a^2/2)` does not amplify the rounding of `a^2` (which it would by `a^2 / 2` ULP:
/// hundreds in GELU's tails).
#[inline(always)]
fn neg_half_square<W: Vector<Elem = f64>>(a: W) -> (W, W) {
    let sq = a.mul(a);
    let err = a.mul_add(a, sq.neg());
    let half = W::splat(-0.5);
    (sq.mul(half), err.mul(half))
}

/// Chebyshev coefficients of `g(t) = (z + K) e^(z^2) erfc(z)` on `t = (z - K)/(z + K)` in
/// [-1, 1] (z from 0 to infinity), K = 4: relative error below 2.5e-16 over every z.
/// Fitted for this crate at 200 Chebyshev nodes in 50-digit arithmetic.
const K: f64 = 4.0;
const ERFCX_CHEBYSHEV: [f64; 23] = [
    1.6320978781965259,
    -1.5054329427054698,
    0.5903214182888945,
    -0.19828527172011035,
    0.0569084302284687,
    -0.013773973050870096,
    0.002729016733135232,
    -0.00041361807903024755,
    3.89141838079606e-05,
    4.795485503364818e-07,
    -8.699107081379825e-07,
    1.2116707094396558e-07,
    3.79196702608182e-09,
    -3.4533646779963824e-09,
    2.748862570381361e-10,
    6.813959375318511e-11,
    -1.3568522747316355e-11,
    -1.0463235067416098e-12,
    4.851070321243456e-13,
    8.458758172979236e-15,
    -1.6469363733616713e-14,
    2.5314850886802834e-16,
    5.757244393379938e-16,
];

/// The first 15 terms of the series above as a polynomial in `t` (ascending; converted in
/// 40-digit arithmetic): within 2^-33.3 relative of the whole series, enough for results
/// rounded to f32, at one FMA per coefficient instead of Clenshaw's two operations.
const ERFCX_MONOMIAL_F32: [f64; 15] = [
    1.095_995_661_014_561_6,
    -0.976_548_728_040_845_7,
    0.773_208_700_446_439_3,
    -0.540_853_870_334_423_2,
    0.330_851_626_560_438_2,
    -0.174_010_513_018_133_75,
    0.076_381_200_132_459_7,
    -0.026_372_092_158_206_333,
    0.006_113_322_367_330_667,
    -0.000_275_906_031_133_927_55,
    -0.000_457_855_012_177_422_3,
    0.000_170_046_271_240_108_58,
    -1.155_902_923_818_711_9e-7,
    -1.414_498_172_107_318_2e-5,
    2.251_868_217_656_411e-6,
];

/// `P(Z > |x|) = factor e^(-x^2/2)` for a standard normal `Z`, kept in two parts so that a
/// caller can fold its own factor into the exponential's one rounding (see
/// [`NormalTail::exp_times`]).
#[derive(Clone, Copy)]
pub(crate) struct NormalTail<W> {
    /// `-x^2 / 2` exactly, as `hi + lo`.
    hi: W,
    lo: W,
    /// The smooth factor `g(t) / (2 (z + K))`, `z = |x| / sqrt 2`: 0 at `+-inf`.
    pub factor: W,
}

impl<W: Vector<Elem = f64>> NormalTail<W> {
    /// `m e^(-x^2/2)` for `|m| <= 2^100`, to the accuracy `A`: for f64 results ([`super::Full`])
    /// rounded once even where it is subnormal (so `x P(Z > |x|)` keeps its relative accuracy
    /// below x = -37.5, where `e^(-x^2/2)` alone would be subnormal).
    #[inline(always)]
    pub(crate) fn exp_times<A: Accuracy>(self, m: W) -> W {
        exp_pair_mul::<A, W>(self.hi, self.lo, m)
    }
}

/// `P(Z > |x|) = erfc(|x| / sqrt 2) / 2` for a standard normal `Z`, in two parts: NaN
/// passes through, +-inf give +0, and results down to the subnormal range keep their relative
/// accuracy (about 2^-51 with [`super::Full`], 2^-30 with [`super::Single`], which uses
/// [`ERFCX_MONOMIAL_F32`]: `e^(-x^2/2)` with its argument exact, times the smooth `g` above).
#[inline(always)]
pub(crate) fn normal_tail<A: Accuracy, W: Vector<Elem = f64>>(x: W) -> NormalTail<W> {
    let a = x.abs();
    let (hi, lo) = neg_half_square(a);
    // z = a / sqrt 2, capped where the tail is 0 anyway (so +inf gives no inf / inf).
    let z = a
        .mul(W::splat(core::f64::consts::FRAC_1_SQRT_2))
        .clamp_max(W::splat(1e9));
    let k = W::splat(K);
    let r = W::splat(1.0).div(z.add(k));
    let t = z.sub(k).mul(r);
    let g = if A::FOR_F32 {
        let c = &ERFCX_MONOMIAL_F32;
        let mut g = W::splat(c[c.len() - 1]);
        for &a in c[..c.len() - 1].iter().rev() {
            g = g.mul_add(t, W::splat(a));
        }
        g
    } else {
        // Clenshaw: g = c0 + t b1 - b2, b_j = c_j + 2t b_{j+1} - b_{j+2}.
        let two_t = t.add(t);
        let (mut b1, mut b2) = (W::zero(), W::zero());
        for &c in ERFCX_CHEBYSHEV[1..].iter().rev() {
            let b0 = two_t.mul_add(b1, W::splat(c).sub(b2));
            b2 = b1;
            b1 = b0;
        }
        t.mul_add(b1, W::splat(ERFCX_CHEBYSHEV[0]).sub(b2))
    };
    NormalTail {
        hi,
        lo,
        factor: g.mul(r).mul(W::splat(0.5)),
    }
}

/// The smooth factor's polynomial for f64 results: 27 terms of a new Chebyshev fit of `g`
/// (80 nodes in 60-digit arithmetic; the omitted terms are below 2^-63 of `g`), converted to
/// the monomial basis in `t`, each coefficient as `(hi, lo)`: within 2^-60 of `g` on [-1, 1].
#[rustfmt::skip]
const ERFCX_MONOMIAL_F64: [(f64, f64); 27] = [
    (1.095995661000491, 5.760907750769408e-17),
    (-0.976548729080882, -1.5208723833130162e-17),
    (0.7732087022652371, 4.549627372061434e-17),
    (-0.5408538313132364, 4.644333351676984e-17),
    (0.3308515878780067, -2.7509357652843533e-17),
    (-0.17401093723987654, -9.897261965262555e-18),
    (0.07638151490953478, -4.0083734820992184e-18),
    (-0.026370053341497116, -8.349549106978336e-19),
    (0.00611205565159944, 2.8479052887221797e-19),
    (-0.00028095885277318257, 8.618328776793982e-21),
    (-0.00045505264414172786, -2.2217772235895403e-21),
    (0.0001768127364004479, -9.384820320387506e-21),
    (-3.635405535311273e-06, -5.992801151970055e-25),
    (-1.8860553687331944e-05, 8.50281078854487e-22),
    (4.695301799921326e-06, 1.3362645589225727e-22),
    (1.4233234089904587e-06, -3.8236385963355085e-23),
    (-8.48416681572803e-07, -3.2622617430725584e-23),
    (-7.407726447194413e-08, 5.661811963194793e-24),
    (1.277394812509523e-07, 5.656073014210224e-24),
    (-5.946736991122364e-10, 3.517401368587107e-26),
    (-1.8982316815733448e-08, 1.5026145726622328e-24),
    (9.056195982610775e-10, -2.3452455426886846e-26),
    (2.811230190348755e-09, 9.972832209791093e-26),
    (-1.4930421704916652e-10, -1.2166997238315296e-26),
    (-3.631317985658554e-10, 1.8061925894005286e-27),
    (1.1644005365676359e-11, 5.239774118650342e-29),
    (2.8304849745375018e-11, 1.31789625506767e-27),
];

/// Leading coefficients of [`ERFCX_MONOMIAL_F64`] taken in compensated steps (the polynomial
/// cancels up to 7-fold at `t = 1`; the rest contributes below 2^-55 of `g` in plain steps).
const COMPENSATED_TERMS: usize = 6;

/// `P(Z > |x|)` for f64 results, in parts that are each an unevaluated sum: `e^arg` with
/// `arg = -x^2/2` (exact), `e = e^arg` (valid for `|x| <= 37.6`, where `arg >= -708`) and the
/// smooth factor, to about 2^-56 relative: `z = |x| / sqrt 2`, `1 / (z + K)` and
/// `t = (z - K) / (z + K)` carried in double length and the polynomial evaluated with
/// compensated leading steps.
#[derive(Clone, Copy)]
pub(crate) struct NormalTailPair<W> {
    pub arg: (W, W),
    pub e: (W, W),
    pub factor: (W, W),
}

/// See [`NormalTailPair`].
#[inline(always)]
pub(crate) fn normal_tail_pair<W: Vector<Elem = f64>>(x: W) -> NormalTailPair<W> {
    const FRAC_1_SQRT_2: (f64, f64) =
        (core::f64::consts::FRAC_1_SQRT_2, -4.833_646_656_726_457e-17);
    let a = x.abs();
    let arg = neg_half_square(a);
    let e = exp_nonpositive_pair(arg.0, arg.1);
    let a = a.clamp_max(W::splat(1e9));
    let z = a.mul(W::splat(FRAC_1_SQRT_2.0));
    let z_lo = a
        .mul_add(W::splat(FRAC_1_SQRT_2.0), z.neg())
        .add(a.mul(W::splat(FRAC_1_SQRT_2.1)));
    let (zp, zp_lo) = two_sum(z, W::splat(K));
    let (zm, zm_lo) = two_sum(z, W::splat(-K));
    let (r, r_lo) = div_pair(W::splat(1.0), W::zero(), zp, zp_lo.add(z_lo));
    let (t, t_lo) = mul_pair(zm, zm_lo.add(z_lo), r, r_lo);
    let c = &ERFCX_MONOMIAL_F64;
    let mut p = W::splat(c[c.len() - 1].0);
    for &(a, _) in c[COMPENSATED_TERMS..c.len() - 1].iter().rev() {
        p = p.mul_add(t, W::splat(a));
    }
    let mut p_lo = W::zero();
    for &(a, a_lo) in c[..COMPENSATED_TERMS].iter().rev() {
        // (p + p_lo)(t + t_lo) + a + a_lo, the product's and the sum's errors carried.
        let prod = p.mul(t);
        let prod_err = p.mul_add(t, prod.neg());
        let (s, s_err) = two_sum(prod, W::splat(a));
        p_lo = s_err
            .add(prod_err)
            .add(p.mul_add(t_lo, p_lo.mul_add(t, W::splat(a_lo))));
        p = s;
    }
    let (f, f_lo) = mul_pair(p, p_lo, r, r_lo);
    let half = W::splat(0.5);
    NormalTailPair {
        arg,
        e,
        factor: (f.mul(half), f_lo.mul(half)),
    }
}
