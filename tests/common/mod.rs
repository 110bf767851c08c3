//! Shared by the integration tests: the ISAs to test (asserting none is silently skipped),
//! input generators that favour special values, and ULP comparison.
#![allow(dead_code)]

pub mod free;

use simd_activations::{Float, Isa};

/// Every ISA this CPU has. Asserts that each ISA the CPU reports (and, when the environment
/// sets `EXPECT_AVX512`, AVX-512) is among them, so a missing path fails instead of passing.
pub fn isas() -> Vec<Isa> {
    let isas = Isa::available();
    assert!(isas.contains(&Isa::Scalar));
    // Built without the crate's `std` feature, the ISAs come from the compile-time target
    // features (no run-time detection): each one compiled in must be listed.
    #[cfg(all(target_arch = "x86_64", not(feature = "std")))]
    {
        if cfg!(all(target_feature = "avx2", target_feature = "fma")) {
            assert!(
                isas.contains(&Isa::Avx2),
                "built with AVX2+FMA but Isa::available() = {isas:?}"
            );
        }
        if cfg!(target_feature = "avx512f") {
            assert!(
                isas.contains(&Isa::Avx512),
                "built with AVX-512F but Isa::available() = {isas:?}"
            );
        }
    }
    #[cfg(all(target_arch = "x86_64", feature = "std"))]
    {
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            assert!(
                isas.contains(&Isa::Avx2),
                "CPU has AVX2+FMA but Isa::available() = {isas:?}"
            );
        }
        if is_x86_feature_detected!("avx512f") {
            assert!(
                isas.contains(&Isa::Avx512),
                "CPU has AVX-512F but Isa::available() = {isas:?}"
            );
        }
    }
    #[cfg(target_arch = "aarch64")]
    assert!(
        isas.contains(&Isa::Neon),
        "aarch64 without NEON in Isa::available() = {isas:?}"
    );
    // (Without `std`, AVX-512 is there only when the build enables it: checked above.)
    if cfg!(feature = "std") && std::env::var_os("EXPECT_AVX512").is_some() {
        assert!(
            isas.contains(&Isa::Avx512),
            "EXPECT_AVX512 is set but Isa::available() = {isas:?}"
        );
    }
    isas
}

/// Test-side access to the bits of f32 / f64.
pub trait TestFloat: Float {
    const MANTISSA_BITS: i32;
    const MIN_EXP: i32;
    fn bits(self) -> u64;
    fn from_bits_u64(b: u64) -> Self;
    /// Special values: NaNs (both signs, two payloads), infinities, zeros, subnormals,
    /// extremes, and values around the kernels' breakpoints and cutoffs.
    fn specials() -> Vec<Self>;
    fn next_up(self) -> Self;
    fn next_down(self) -> Self;
}

impl TestFloat for f32 {
    const MANTISSA_BITS: i32 = 23;
    const MIN_EXP: i32 = -126;
    fn bits(self) -> u64 {
        self.to_bits() as u64
    }
    fn from_bits_u64(b: u64) -> Self {
        f32::from_bits(b as u32)
    }
    fn specials() -> Vec<Self> {
        let mut v = vec![
            f32::NAN,
            -f32::NAN,
            f32::from_bits(0x7fa0_0001), // signalling NaN payload
            f32::from_bits(0xffc1_2345),
            f32::from_bits(0xff80_0003), // negative signalling NaN
            f32::from_bits(0x7fff_ffff),
            f32::INFINITY,
            f32::NEG_INFINITY,
            0.0,
            -0.0,
            f32::MIN_POSITIVE,
            -f32::MIN_POSITIVE,
            f32::from_bits(1),
            -f32::from_bits(1),
            f32::from_bits(0x0040_0000),
            -f32::from_bits(0x0040_0000),
            f32::MAX,
            f32::MIN,
            f32::EPSILON,
            -f32::EPSILON,
        ];
        for b in [
            0.0f32,
            6.0,
            -1.0,
            1.0,
            -17.328_68,
            -17.5,
            -87.336_55,
            -103.972_08,
            -88.0,
            88.7,
        ] {
            v.extend([b, b.next_up(), b.next_down(), -b]);
        }
        v
    }
    fn next_up(self) -> Self {
        f32::next_up(self)
    }
    fn next_down(self) -> Self {
        f32::next_down(self)
    }
}

impl TestFloat for f64 {
    const MANTISSA_BITS: i32 = 52;
    const MIN_EXP: i32 = -1022;
    fn bits(self) -> u64 {
        self.to_bits()
    }
    fn from_bits_u64(b: u64) -> Self {
        f64::from_bits(b)
    }
    fn specials() -> Vec<Self> {
        let mut v = vec![
            f64::NAN,
            -f64::NAN,
            f64::from_bits(0x7ff4_0000_0000_0001), // signalling NaN payload
            f64::from_bits(0xfff8_1234_5678_9abc),
            f64::from_bits(0xfff0_0000_0000_0003), // negative signalling NaN
            f64::from_bits(0x7fff_ffff_ffff_ffff),
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            f64::from_bits(1),
            -f64::from_bits(1),
            f64::MAX,
            f64::MIN,
            f64::EPSILON,
            -f64::EPSILON,
        ];
        for b in [
            0.0f64, 6.0, -1.0, 1.0, -37.42, -38.0, -708.4, -745.13, -709.8, 709.7,
        ] {
            v.extend([b, b.next_up(), b.next_down(), -b]);
        }
        v
    }
    fn next_up(self) -> Self {
        f64::next_up(self)
    }
    fn next_down(self) -> Self {
        f64::next_down(self)
    }
}

/// A small deterministic generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// A value from one of several bands: [-20, 20], tiny magnitudes, [-120, 120], raw bits.
    pub fn value<T: TestFloat>(&mut self) -> T {
        let u = self.unit();
        match self.next_u64() % 8 {
            0..=3 => T::from_f64(40.0 * u - 20.0),
            4 => T::from_f64((u - 0.5) * 1e-6),
            5 => T::from_f64(240.0 * u - 120.0),
            6 => T::from_f64(8.0 * u - 1.0),
            _ => {
                let b = T::from_bits_u64(self.next_u64());
                if b.is_nan() {
                    T::from_f64(u)
                } else {
                    b
                }
            }
        }
    }
}

/// `n` inputs where every third element is a special value, placed so that as `n` and `shift`
/// vary, each special value visits every lane position, the unrolled body and the tail.
pub fn inputs<T: TestFloat>(n: usize, shift: usize, rng: &mut Rng) -> Vec<T> {
    let specials = T::specials();
    (0..n)
        .map(|i| {
            if (i + shift) % 3 == 0 {
                specials[(i / 3 + shift * 7) % specials.len()]
            } else {
                rng.value()
            }
        })
        .collect()
}

/// NaNs of both signs, quiet and signalling, with and without payloads.
pub fn nans<T: TestFloat>() -> Vec<T> {
    T::specials().into_iter().filter(|v| v.is_nan()).collect()
}

/// Upstream gradients: mostly ordinary values, some 0, NaN (every NaN of [`nans`] in turn)
/// and infinities (which the select-style backward functions must mask to 0).
pub fn gradients<T: TestFloat>(n: usize, rng: &mut Rng) -> Vec<T> {
    let nans = nans::<T>();
    (0..n)
        .map(|i| match i % 11 {
            3 => nans[(i / 11) % nans.len()],
            7 => T::from_f64(f64::INFINITY),
            9 => T::ZERO,
            _ => T::from_f64(4.0 * rng.unit() - 2.0),
        })
        .collect()
}

/// Same bits (NaNs included: sign, quiet bit and payload).
pub fn same<T: TestFloat>(a: T, b: T) -> bool {
    a.bits() == b.bits()
}

/// Same bits, or both NaN (for comparisons with values computed outside the crate, whose NaN
/// bits the crate's rule does not govern).
pub fn same_or_both_nan<T: TestFloat>(a: T, b: T) -> bool {
    a.bits() == b.bits() || (a.is_nan() && b.is_nan())
}

/// The crate's NaN rule applied to `r`, a value computed from `inputs` (`x`, then `dy`): a NaN
/// `r` becomes the first NaN input quieted (sign and payload kept), or the default quiet NaN
/// (positive, no payload) where no input is NaN.
pub fn nan_rule<T: TestFloat>(inputs: &[T], r: T) -> T {
    if !r.is_nan() {
        return r;
    }
    let quiet_bit = 1u64 << (T::MANTISSA_BITS - 1);
    match inputs.iter().find(|v| v.is_nan()) {
        Some(v) => T::from_bits_u64(v.bits() | quiet_bit),
        None => T::from_bits_u64(if T::MANTISSA_BITS == 23 {
            0x7fc0_0000
        } else {
            0x7ff8_0000_0000_0000
        }),
    }
}

/// Distance between `got` (of type T) and the exact value `want` (an f64, maybe not
/// representable in T) in units of T's last place at `want`. NaN vs NaN and equal infinities
/// are 0; any other NaN or infinity mismatch is +inf.
pub fn ulp_error<T: TestFloat>(got: T, want: f64) -> f64 {
    let g = got.to_f64();
    if g.is_nan() || want.is_nan() {
        return if g.is_nan() && want.is_nan() {
            0.0
        } else {
            f64::INFINITY
        };
    }
    if g == want {
        return 0.0;
    }
    if g.is_infinite() || want.is_infinite() {
        // `want` beyond T's range rounds to infinity: judge against T::MAX.
        let max = T::from_f64(f64::MAX).to_f64();
        if want.abs() > max && g.is_infinite() && g.signum() == want.signum() {
            return 0.0;
        }
        return f64::INFINITY;
    }
    let e = if want == 0.0 {
        T::MIN_EXP
    } else {
        (want.abs().log2().floor() as i32).max(T::MIN_EXP)
    };
    let ulp = pow2(e - T::MANTISSA_BITS);
    (g - want).abs() / ulp
}

/// ULP distance between two values of T (0 for equal or both NaN).
pub fn ulps_between<T: TestFloat>(a: T, b: T) -> f64 {
    ulp_error(a, b.to_f64())
}

/// `2^e` exactly, for `e` in [-1074, 1023] (`powi` underflows for large negative `e`).
pub fn pow2(e: i32) -> f64 {
    assert!(
        (-1074..=1023).contains(&e),
        "pow2({e}) is not a finite nonzero f64"
    );
    if e >= -1022 {
        f64::from_bits(((e + 1023) as u64) << 52)
    } else {
        f64::from_bits(1u64 << (e + 1074))
    }
}

/// The defaults plus other valid parameters of every parametrised activation.
pub fn variants() -> Vec<simd_activations::Activation> {
    use simd_activations::Activation;
    let mut v = Activation::ALL.to_vec();
    v.extend([
        Activation::LeakyRelu { slope: 0.2 },
        Activation::LeakyRelu { slope: -0.5 },
        Activation::Elu { alpha: 0.5 },
        Activation::Elu { alpha: -1.0 },
        Activation::Celu { alpha: 2.0 },
        Activation::Hardtanh {
            min_val: -2.0,
            max_val: 0.5,
        },
        Activation::Softplus {
            beta: 2.0,
            threshold: 5.0,
        },
    ]);
    v
}
