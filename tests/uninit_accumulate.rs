//! `Activation::forward_uninit`, `backward_uninit`, `backward_from_output_uninit` and
//! `backward_accumulate` against the plain forms, bit for bit: every activation, every ISA,
//! f32 and f64 (and bf16, f16 with the feature `half`), every length around the vector widths
//! and the 1024-element chunks, misaligned outputs, one output past the streaming threshold,
//! and bad arguments (an error, nothing written).

mod common;

use simd_activations::{Activation, Element, Error, Isa};
use std::mem::MaybeUninit;

/// The test's view of an element type: conversions, bits, and the accumulation's expected sum
/// (computed here independently of the crate).
trait E: Element + Default {
    fn of(x: f64) -> Self;
    fn bits(self) -> u64;
    /// `a + b` rounded once, NaN rule: `a`'s NaN quieted, else `b`'s, else the default NaN.
    fn sum(a: Self, b: Self) -> Self;
}

macro_rules! nan_sum {
    ($a:expr, $b:expr, $r:expr, $quiet:expr, $default:expr) => {
        if !$r.is_nan() {
            $r
        } else if $a.is_nan() {
            $quiet($a)
        } else if $b.is_nan() {
            $quiet($b)
        } else {
            $default
        }
    };
}

impl E for f32 {
    fn of(x: f64) -> Self {
        x as f32
    }
    fn bits(self) -> u64 {
        self.to_bits() as u64
    }
    fn sum(a: Self, b: Self) -> Self {
        let q = |v: f32| f32::from_bits(v.to_bits() | 0x0040_0000);
        nan_sum!(a, b, a + b, q, f32::from_bits(0x7fc0_0000))
    }
}

impl E for f64 {
    fn of(x: f64) -> Self {
        x
    }
    fn bits(self) -> u64 {
        self.to_bits()
    }
    fn sum(a: Self, b: Self) -> Self {
        let q = |v: f64| f64::from_bits(v.to_bits() | (1 << 51));
        nan_sum!(a, b, a + b, q, f64::from_bits(0x7ff8_0000_0000_0000))
    }
}

#[cfg(feature = "half")]
macro_rules! impl_half {
    ($t:ty) => {
        impl E for $t {
            fn of(x: f64) -> Self {
                <$t>::from_f64(x)
            }
            fn bits(self) -> u64 {
                self.to_bits() as u64
            }
            fn sum(a: Self, b: Self) -> Self {
                let (x, y) = (a.to_f32(), b.to_f32());
                <$t>::from_f32(<f32 as E>::sum(x, y))
            }
        }
    };
}
#[cfg(feature = "half")]
impl_half!(half::bf16);
#[cfg(feature = "half")]
impl_half!(half::f16);

fn lengths() -> Vec<usize> {
    let mut v: Vec<usize> = (0..=70).collect();
    v.extend([
        127, 128, 129, 1023, 1024, 1025, 2047, 2048, 2049, 3071, 3072, 3073,
    ]);
    v
}

/// `n` values: an ordinary spread in [-12, 12] with specials (NaN, infinities, zeros) mixed in.
fn values<T: E>(n: usize, seed: u64) -> Vec<T> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|i| {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            match i % 29 {
                3 => T::of(f64::NAN),
                7 => T::of(f64::INFINITY),
                11 => T::of(f64::NEG_INFINITY),
                13 => T::of(-0.0),
                _ => T::of(((s >> 11) as f64 / (1u64 << 53) as f64) * 24.0 - 12.0),
            }
        })
        .collect()
}

fn same<T: E>(what: &str, a: &[T], b: &[T]) {
    assert_eq!(a.len(), b.len(), "{what}");
    for i in 0..a.len() {
        assert_eq!(a[i].bits(), b[i].bits(), "{what}: n = {} at {i}", a.len());
    }
}

/// An uninitialised output of `n` elements starting `offset` elements into its allocation.
fn uninit<T: E>(n: usize, offset: usize) -> Vec<MaybeUninit<T>> {
    let mut v = Vec::with_capacity(n + offset);
    // SAFETY: `MaybeUninit` needs no initialisation; the capacity is `n + offset`.
    unsafe { v.set_len(n + offset) };
    v
}

fn check<T: E>(a: &Activation, isa: Isa, n: usize, offset: usize) {
    let x = values::<T>(n, n as u64);
    let dy = values::<T>(n, !(n as u64));
    let name = format!("{a} on {isa}");

    let mut y = vec![T::default(); n];
    a.forward_on(isa, &x, &mut y).unwrap();
    let mut space = uninit::<T>(n, offset);
    let ptr = space[offset..].as_ptr() as *const T;
    let got = a.forward_uninit_on(isa, &x, &mut space[offset..]).unwrap();
    assert_eq!(
        (got.as_ptr(), got.len()),
        (ptr, n),
        "{name}: the returned slice"
    );
    same(&format!("{name} forward_uninit"), got, &y);

    let mut dx = vec![T::default(); n];
    a.backward_on(isa, &x, &dy, &mut dx).unwrap();
    let mut space = uninit::<T>(n, offset);
    let got = a
        .backward_uninit_on(isa, &x, &dy, &mut space[offset..])
        .unwrap();
    same(&format!("{name} backward_uninit"), got, &dx);

    // From the output, where the activation and its parameters allow it (the output `y`
    // from above; the plain form's error otherwise, and nothing written).
    let mut want = vec![T::default(); n];
    let plain = a.backward_from_output_on(isa, &y, &dy, &mut want);
    let mut space = uninit::<T>(n, offset);
    match (
        plain,
        a.backward_from_output_uninit_on(isa, &y, &dy, &mut space[offset..]),
    ) {
        (Ok(()), Ok(got)) => same(&format!("{name} backward_from_output_uninit"), got, &want),
        (Err(e), Err(f)) => assert_eq!(
            e.to_string().replace("_uninit", ""),
            f.to_string().replace("_uninit", ""),
            "{name}"
        ),
        (p, u) => panic!(
            "{name}: backward_from_output {p:?}, its uninit form {:?}",
            u.map(|_| ())
        ),
    }

    let before = values::<T>(n, 3 * n as u64 + 1);
    let want: Vec<T> = before
        .iter()
        .zip(&dx)
        .map(|(&d, &g)| T::sum(d, g))
        .collect();
    let mut acc = before.clone();
    a.backward_accumulate_on(isa, &x, &dy, &mut acc).unwrap();
    same(&format!("{name} backward_accumulate"), &acc, &want);
}

fn every<T: E>() {
    let isas = common::isas();
    for a in Activation::ALL {
        for &isa in &isas {
            for n in lengths() {
                for offset in [0, 1] {
                    check::<T>(&a, isa, n, offset);
                }
            }
        }
    }
}

#[test]
fn f32_every_activation_length_isa() {
    every::<f32>();
}

#[test]
fn f64_every_activation_length_isa() {
    every::<f64>();
}

#[cfg(feature = "half")]
#[test]
fn bf16_every_activation_length_isa() {
    every::<half::bf16>();
}

#[cfg(feature = "half")]
/// Named `fp16`, not `f16` (a part of `bf16`), so that `--skip fp16` can skip f16 alone.
#[test]
fn fp16_every_activation_length_isa() {
    every::<half::f16>();
}

/// Outputs of at least 8 MiB: copied out with non-temporal stores from an aligned point.
#[test]
fn streamed_outputs() {
    let n = (8 << 20) / 4 + 3;
    for isa in common::isas() {
        for a in [Activation::Relu, Activation::Sigmoid] {
            for offset in [0, 1, 3] {
                check::<f32>(&a, isa, n, offset);
            }
        }
    }
    check::<f64>(&Activation::Tanh, Isa::active(), (8 << 20) / 8 + 1, 1);
}

/// Bad arguments: the plain forms' errors, and nothing written.
#[test]
fn bad_arguments_write_nothing() {
    let sentinel = -1234.5f32;
    let x = [1.0f32; 5];
    let mut y = [MaybeUninit::new(sentinel); 4];
    let err = Activation::Relu.forward_uninit(&x, &mut y).unwrap_err();
    assert!(matches!(err, Error::LengthMismatch { .. }), "{err}");
    let err = Activation::Elu { alpha: f64::NAN }
        .forward_uninit(&x[..4], &mut y)
        .unwrap_err();
    assert!(matches!(err, Error::BadParameter { .. }), "{err}");
    let err = Activation::Relu
        .backward_uninit(&x, &x[..4], &mut y)
        .unwrap_err();
    assert!(matches!(err, Error::LengthMismatch { .. }), "{err}");
    let err = Activation::Gelu
        .backward_from_output_uninit(&x[..4], &x[..4], &mut y)
        .unwrap_err();
    assert!(matches!(err, Error::GradientNeedsInput { .. }), "{err}");
    let err = Activation::Relu
        .backward_from_output_uninit(&x, &x[..4], &mut y)
        .unwrap_err();
    assert!(matches!(err, Error::LengthMismatch { .. }), "{err}");
    // SAFETY: every element was initialised with the sentinel.
    assert!(y.iter().all(|v| unsafe { v.assume_init() } == sentinel));
    let mut dx = [sentinel; 5];
    let err = Activation::Celu { alpha: 0.0 }
        .backward_accumulate(&x, &x, &mut dx)
        .unwrap_err();
    assert!(matches!(err, Error::BadParameter { .. }), "{err}");
    let err = Activation::Relu
        .backward_accumulate(&x, &x[..4], &mut dx)
        .unwrap_err();
    assert!(matches!(err, Error::LengthMismatch { .. }), "{err}");
    assert_eq!(dx, [sentinel; 5]);
}
