//! The normal upper tail `Q(t) = P(Z > t)` for the native f32 kernels (GELU): for `t` in
//! `[0, 9.37]` as an unevaluated sum `hi + lo` accurate to about 2^-26 relative, so that
//! `x Phi(x)` can be rounded once within 2 ULP without any f64 step.
//!
//! `Q(t) = e^(-t^2/2) g(t)` with `g(t) = Q(t) e^(t^2/2)` (an entire function, `g(0) = 1/2`,
//! `g(t) ~ 1 / (t sqrt(2 pi))`). `e^(-t^2/2)` comes from [`native::exp_pair`] with `t^2`
//! split exactly by FMA. `g` is a degree-8 polynomial in `z = t - 1.25 j` on each of eight
//! intervals `|t - 1.25 j| <= 0.625` (`j = round(0.8 t)`, the same magic-constant rounding
//! as the exponential's), its nine coefficients picked by one `Vector::lookup8` each. The
//! coefficients were fitted in 50-digit arithmetic by weighted least squares on Chebyshev
//! nodes, one at a time from `c1` up, each rounded to f32 before the next was fitted; `c0 =
//! g(1.25 j)` is stored as an f32 pair. Measured in 50-digit arithmetic with the rounded
//! coefficients: relative error below 2^-27.9 on every interval (2^-31 on most). The last
//! Horner step keeps its rounding error (`c0 - hi` is exact by Sterbenz: `|z S(z)| <= 0.41 c0`
//! on every interval).

use crate::math::native;
use crate::simd::Vector;

/// The largest `t` of the tables (`0.8 t` rounds to at most 7).
pub(crate) const TAIL_MAX: f32 = 9.37;

/// `1.5 * 2^23`: adding it rounds to an integer and leaves it in the low mantissa bits.
const MAGIC: f32 = 12_582_912.0;

const fn f32_table(bits: [u32; 8]) -> [f32; 8] {
    let mut out = [0.0; 8];
    let mut j = 0;
    while j < 8 {
        out[j] = f32::from_bits(bits[j]);
        j += 1;
    }
    out
}

/// `c0 ..= c8` of `g(1.25 j + z) = c0 + z (c1 + z (c2 + ...))`, per interval `j`.
const G: [[f32; 8]; 9] = [
    f32_table([
        0x3f00_0000,
        0x3e6c_4c6f,
        0x3e10_b929,
        0x3dcc_e15b,
        0x3d9d_87de,
        0x3d7f_372f,
        0x3d56_3149,
        0x3d38_66b7,
    ]),
    f32_table([
        0xbecc_4229,
        0xbde2_4990,
        0xbd3a_d5b2,
        0xbcc2_ee3e,
        0xbc6b_0a76,
        0xbc1b_e19a,
        0xbbdc_fd35,
        0xbba4_7442,
    ]),
    f32_table([
        0x3e7f_ffd4,
        0x3d3d_bceb,
        0x3c5f_9ccf,
        0x3bb1_1006,
        0x3b2a_154d,
        0x3aba_6adc,
        0x3a60_7ce8,
        0x3a10_f1f5,
    ]),
    f32_table([
        0xbe08_29ce,
        0xbc8f_9aa5,
        0xbb7b_13dc,
        0xba9a_51ad,
        0xb9ef_5308,
        0xb95a_8429,
        0xb8e0_ae89,
        0xb87c_9753,
    ]),
    f32_table([
        0x3d7f_c060,
        0x3bc7_f8b5,
        0x3a85_60f9,
        0x3981_9077,
        0x38a4_07b3,
        0x37fb_51aa,
        0x375d_b150,
        0x36d9_ae17,
    ]),
    f32_table([
        0xbcd7_e1df,
        0xbb01_91de,
        0xb986_e3b7,
        0xb851_f268,
        0xb75b_b559,
        0xb68d_0203,
        0xb5d5_efb9,
        0xb53c_ec6c,
    ]),
    f32_table([
        0x3c20_e7a3,
        0x3a1e_7433,
        0x3882_b53e,
        0x3724_e685,
        0x360f_da55,
        0x351b_d45c,
        0x344a_9353,
        0x33a0_923b,
    ]),
    f32_table([
        0xbb3e_1c68,
        0xb943_2bd8,
        0xb77d_2911,
        0xb607_47e5,
        0xb4ad_ccb4,
        0xb3fb_ee67,
        0xb32f_6899,
        0x3216_076f,
    ]),
    f32_table([
        0x39ff_dc44,
        0x3852_725b,
        0x3661_218c,
        0x34d1_ef52,
        0x3344_9481,
        0x32a8_d055,
        0x320f_367a,
        0xb0ed_ecc4,
    ]),
];

/// The low parts of `c0 = g(1.25 j)` (`g(1.25 j) - c0` rounded).
const G0_LO: [f32; 8] = f32_table([
    0x0000_0000,
    0x2f9c_6f19,
    0x30c5_c02e,
    0x315b_3b3a,
    0x3134_c77c,
    0x2fc4_6fb7,
    0x30bd_bbfe,
    0x30cd_2d1d,
]);

/// `Q(t)` for `t` in `[0, TAIL_MAX]` as `(hi, lo)` (other lanes: unspecified values), and
/// `e^(-t^2/2)` as `(hi, lo)` (for the gradient's density).
#[inline(always)]
pub(crate) fn upper_tail_f32<V: Vector<Elem = f32>>(t: V) -> ((V, V), (V, V)) {
    // e^(-t^2/2) = e^(a + a_lo) = e^a (1 + a_lo) to 2^-37 (|a_lo| <= 2^-19).
    let sq = t.mul(t);
    let sq_lo = t.mul_add(t, sq.neg());
    let half = V::splat(-0.5);
    let (a, a_lo) = (sq.mul(half), sq_lo.mul(half));
    let (eh, el) = native::exp_pair(a);
    let el = eh.mul_add(a_lo, el);
    // g(t) on its interval: z = t - 1.25 j exactly (|z| <= 0.625, a multiple of t's ulp).
    let k = t.mul_add(V::splat(0.8), V::splat(MAGIC));
    let z = k.sub(V::splat(MAGIC)).mul_add(V::splat(-1.25), t);
    let mut s = k.lookup8(&G[8]);
    for c in G[1..8].iter().rev() {
        s = s.mul_add(z, k.lookup8(c));
    }
    let c0 = k.lookup8(&G[0]);
    let gh = z.mul_add(s, c0);
    let gl = z.mul_add(s, c0.sub(gh)).add(k.lookup8(&G0_LO));
    // Q = e g in double length (the product of the high parts exact by FMA).
    let qh = eh.mul(gh);
    let ql = eh.mul_add(gh, qh.neg()).add(eh.mul_add(gl, el.mul(gh)));
    ((qh, ql), (eh, el))
}
