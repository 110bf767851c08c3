//! Per-type constants of the vector math (f32 and f64).

/// Constants of `math`, one set per element type (crate-internal; sealed with `Float`).
pub trait MathConsts: Sized + Copy + 'static {
    #[doc(hidden)]
    const HALF: Self;
    /// The largest finite value.
    #[doc(hidden)]
    const MAX: Self;
    #[doc(hidden)]
    const LOG2E: Self;
    /// -ln2 high part: few enough bits that `n * LN2_HI` is exact for every reachable `n`.
    #[doc(hidden)]
    const NEG_LN2_HI: Self;
    #[doc(hidden)]
    const NEG_LN2_LO: Self;
    /// Coefficients c3, c4, ... of `q(t)` in `expm1(t) = t + t^2 (1/2 + t q(t))`, ascending.
    #[doc(hidden)]
    const EXPM1_POLY: &'static [Self];
    /// `1.5 * 2^mantissa_bits + exponent_bias`: see `math::pow2`.
    #[doc(hidden)]
    const POW2_MAGIC: Self;
    /// Below this `expm1` rounds to -1.
    #[doc(hidden)]
    const EXPM1_CUTOFF: Self;
    /// Whether `expm1` carries its intermediate roundings (see `math::expm1_compensated`).
    #[doc(hidden)]
    const COMPENSATED_EXPM1: bool;
    /// Below this magnitude `expm1(x)` rounds to `x` (2^-26 for f32, 2^-55 for f64).
    #[doc(hidden)]
    const EXPM1_TINY: Self;
    /// Below this `exp` rounds to +0, also when multiplied by `m <= 2^100` (`math::exp_mul`).
    #[doc(hidden)]
    const EXP_MIN_ARG: Self;
    /// Lower end of the first, exact scaling step of `exp`.
    #[doc(hidden)]
    const POW2_SPLIT_MIN: Self;
}

impl MathConsts for f32 {
    const HALF: f32 = 0.5;
    const MAX: f32 = f32::MAX;
    const LOG2E: f32 = core::f32::consts::LOG2_E;
    const NEG_LN2_HI: f32 = -0.693_145_75; // 0x1.62e4p-1, 17 significant bits
    const NEG_LN2_LO: f32 = -1.428_606_8e-6; // ln2 - LN2_HI
    const EXPM1_POLY: &'static [f32] = &[
        0.166_666_66,     // 0x1.555554p-3
        0.041_666_48,     // 0x1.5554f2p-5
        0.008_333_42,     // 0x1.1111ccp-7
        0.001_393_342_3,  // 0x1.6d419ep-10
        0.000_198_240_54, // 0x1.9fbd94p-13
    ];
    const POW2_MAGIC: f32 = 12_583_039.0; // 1.5 * 2^23 + 127
    const EXPM1_CUTOFF: f32 = -17.5;
    // f32 is within 0.88 ULP without it (every input measured).
    const COMPENSATED_EXPM1: bool = false;
    const EXPM1_TINY: f32 = 1.490_116_1e-8;
    const EXP_MIN_ARG: f32 = -173.0; // n >= -250: 2^n = 2^-125 * 2^-125 at worst
    const POW2_SPLIT_MIN: f32 = -125.0;
}

impl MathConsts for f64 {
    const HALF: f64 = 0.5;
    const MAX: f64 = f64::MAX;
    const LOG2E: f64 = core::f64::consts::LOG2_E;
    const NEG_LN2_HI: f64 = -0.693_147_180_369_123_8; // 0x3fe62e42fee00000
    const NEG_LN2_LO: f64 = -1.908_214_929_270_587_7e-10; // 0x3dea39ef35793c76
    const EXPM1_POLY: &'static [f64] = &[
        0.166_666_666_666_666_77,
        0.041_666_666_666_666_574,
        0.008_333_333_333_321_986,
        0.001_388_888_888_894_346_2,
        0.000_198_412_698_854_486_4,
        2.480_158_719_710_570_3e-5,
        2.755_724_472_467_991_6e-6,
        2.755_738_749_371_344e-7,
        2.510_890_384_495_881_4e-8,
        2.087_894_308_863_728_8e-9,
    ];
    const POW2_MAGIC: f64 = 6_755_399_441_056_767.0; // 1.5 * 2^52 + 1023
    const EXPM1_CUTOFF: f64 = -38.0;
    const COMPENSATED_EXPM1: bool = true;
    const EXPM1_TINY: f64 = 2.775_557_561_562_891_4e-17;
    const EXP_MIN_ARG: f64 = -1400.0; // n >= -2020: 2^n = 2^-1021 * 2^-999 at worst
    const POW2_SPLIT_MIN: f64 = -1021.0;
}
