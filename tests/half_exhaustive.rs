//! Feature `half`: every function on every bf16 and every f16 input (all 65,536 bit patterns),
//! every form, every ISA of this CPU. Each result must be
//! - bit for bit the f32 kernel's result on the widened inputs (same ISA), rounded once to
//!   nearest even by the `half` crate's conversion (an implementation independent of ours);
//! - bit for bit the same on every ISA, and the same through `Activation`'s methods, in place
//!   and out of place;
//! - within 1 ULP of the storage type of the exact value, taken as the f64 kernel's result
//!   (under 3 f64 ULP from exact) rounded once to the storage type.
//!
//! `cargo test --release --features half --test half_exhaustive -- --nocapture`;
//! `SIMD_ACTIVATIONS_HALF_ONLY=ReLU,GELU` restricts a run to the activations whose `Display`
//! starts with one of the names (for slow emulated ISAs), and says so.
#![cfg(feature = "half")]

mod common;

use common::free::{free_backward, free_forward, free_from_output, free_inplace};
use half::{bf16, f16};
use simd_activations::{Activation, Element, Isa};

/// The test's view of bf16 and f16.
trait H: Element + Copy {
    fn from_f32(x: f32) -> Self;
    fn from_f64(x: f64) -> Self;
    fn to_f32(self) -> f32;
    fn to_f64(self) -> f64;
    fn bits(self) -> u16;
    fn from_bits(b: u16) -> Self;
    const NAME: &'static str;
}

macro_rules! impl_h {
    ($t:ty, $name:literal) => {
        impl H for $t {
            fn from_f32(x: f32) -> Self {
                <$t>::from_f32(x)
            }
            fn from_f64(x: f64) -> Self {
                <$t>::from_f64(x)
            }
            fn to_f32(self) -> f32 {
                <$t>::to_f32(self)
            }
            fn to_f64(self) -> f64 {
                <$t>::to_f64(self)
            }
            fn bits(self) -> u16 {
                self.to_bits()
            }
            fn from_bits(b: u16) -> Self {
                <$t>::from_bits(b)
            }
            const NAME: &'static str = $name;
        }
    };
}
impl_h!(bf16, "bf16");
impl_h!(f16, "f16");

fn every<T: H>() -> Vec<T> {
    (0..=u16::MAX).map(T::from_bits).collect()
}

fn widen<T: H>(v: &[T]) -> Vec<f32> {
    v.iter().map(|h| h.to_f32()).collect()
}

fn widen64<T: H>(v: &[T]) -> Vec<f64> {
    v.iter().map(|h| h.to_f64()).collect()
}

/// Distance in representable values of `T` (sign-magnitude order); NaN only matches NaN.
fn ulps<T: H>(a: T, b: T) -> u32 {
    let (a, b) = (a.to_f32(), b.to_f32());
    if a.is_nan() || b.is_nan() {
        return if a.is_nan() && b.is_nan() {
            0
        } else {
            u32::MAX
        };
    }
    let key = |x: T| {
        let b = x.bits() as i32;
        if b & 0x8000 != 0 {
            -(b & 0x7fff)
        } else {
            b
        }
    };
    (key(T::from_f32(a)) - key(T::from_f32(b))).unsigned_abs()
}

/// `a` with its parameters rounded to `T` (so the f32 and f64 paths see the same values).
fn rounded<T: H>(a: &Activation) -> Activation {
    let p = a.params();
    if p.is_empty() {
        return *a;
    }
    let args: Vec<String> = p
        .iter()
        .map(|&(_, v)| format!("{:?}", T::from_f64(v).to_f64()))
        .collect();
    let s = format!("{}({})", a.function_name(), args.join(", "));
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Checks `got` against the f32 kernel's results `f32_result` rounded, and within 1 ULP of
/// `exact` rounded; returns the largest ULP error.
fn check<T: H>(what: &str, x: &[T], got: &[T], f32_result: &[f32], exact: &[f64]) -> u32 {
    let mut worst = 0;
    for i in 0..got.len() {
        let want = T::from_f32(f32_result[i]);
        assert_eq!(
            got[i].bits(),
            want.bits(),
            "{what} [{}]: x = {:?} ({:#06x}): got {:?}, the f32 kernel rounded gives {:?}",
            T::NAME,
            x[i],
            x[i].bits(),
            got[i],
            want
        );
        let u = ulps(got[i], T::from_f64(exact[i]));
        assert!(
            u <= 1,
            "{what} [{}]: x = {:?}: got {:?}, exact {:e}: {u} ULP",
            T::NAME,
            x[i],
            got[i],
            exact[i]
        );
        worst = worst.max(u);
    }
    worst
}

fn same_bits<T: H>(what: &str, a: &[T], b: &[T]) {
    for i in 0..a.len() {
        assert_eq!(a[i].bits(), b[i].bits(), "{what} [{}] at {i}", T::NAME);
    }
}

/// Every form of `a` on every `T` input, on `isa`, returning each form's result (to compare
/// across ISAs) and checking it against the f32 kernel and the exact value.
fn run_all<T: H>(a: &Activation, isa: Isa, x: &[T], dy: &[T]) -> Vec<Vec<T>> {
    let n = x.len();
    let zero = T::from_f32(0.0);
    let (xf, dyf) = (widen(x), widen(dy));
    let (x64, dy64) = (widen64(x), widen64(dy));
    let name = a.to_string();
    let mut results = Vec::new();

    // Forward.
    let mut y = vec![zero; n];
    free_forward(a, isa, x, &mut y);
    let mut yf = vec![0.0f32; n];
    free_forward(a, isa, &xf, &mut yf);
    let mut y64 = vec![0.0f64; n];
    free_forward(a, Isa::Scalar, &x64, &mut y64);
    let fw = check(&format!("{name} forward on {isa}"), x, &y, &yf, &y64);
    let mut via = vec![zero; n];
    a.forward_on(isa, x, &mut via).unwrap();
    same_bits(&format!("{name} Activation::forward_on"), &y, &via);
    let mut xy = x.to_vec();
    free_inplace(a, isa, &mut xy);
    same_bits(&format!("{name} inplace"), &y, &xy);
    let mut xy = x.to_vec();
    a.forward_inplace_on(isa, &mut xy).unwrap();
    same_bits(&format!("{name} Activation::forward_inplace_on"), &y, &xy);

    // Backward from the input.
    let mut dx = vec![zero; n];
    free_backward(a, isa, x, dy, &mut dx);
    let mut dxf = vec![0.0f32; n];
    free_backward(a, isa, &xf, &dyf, &mut dxf);
    let mut dx64 = vec![0.0f64; n];
    free_backward(a, Isa::Scalar, &x64, &dy64, &mut dx64);
    let bw = check(&format!("{name} backward on {isa}"), x, &dx, &dxf, &dx64);
    let mut via = vec![zero; n];
    a.backward_on(isa, x, dy, &mut via).unwrap();
    same_bits(&format!("{name} Activation::backward_on"), &dx, &via);
    let mut g = dy.to_vec();
    a.backward_inplace_on(isa, x, &mut g).unwrap();
    same_bits(&format!("{name} Activation::backward_inplace_on"), &dx, &g);

    // Backward from the output, where it exists, on the bf16/f16 output.
    let mut from_y = vec![zero; n];
    if free_from_output(a, isa, &y, dy, &mut from_y).is_some() {
        let mut gf = vec![0.0f32; n];
        free_from_output(a, isa, &widen(&y), &dyf, &mut gf);
        let mut g64 = vec![0.0f64; n];
        free_from_output(a, Isa::Scalar, &widen64(&y), &dy64, &mut g64);
        check(
            &format!("{name} from output on {isa}"),
            &y,
            &from_y,
            &gf,
            &g64,
        );
        let mut via = vec![zero; n];
        a.backward_from_output_on(isa, &y, dy, &mut via).unwrap();
        same_bits(
            &format!("{name} Activation::backward_from_output_on"),
            &from_y,
            &via,
        );
    }
    println!(
        "{name} [{}] on {isa}: every input ok, max {fw} ULP forward, {bw} ULP backward",
        T::NAME
    );
    results.extend([y, dx, from_y]);
    results
}

fn every_function<T: H>() {
    let x = every::<T>();
    let one = T::from_f32(1.0);
    let isas = common::isas();
    let only = std::env::var("SIMD_ACTIVATIONS_HALF_ONLY").unwrap_or_default();
    let selected = |a: &Activation| {
        only.is_empty() || only.split(',').any(|p| a.to_string().starts_with(p.trim()))
    };
    if !only.is_empty() {
        println!("SIMD_ACTIVATIONS_HALF_ONLY={only}: only those activations");
    }
    let mut ran = 0;
    for a in Activation::ALL.iter().filter(|a| selected(a)) {
        ran += 1;
        let a = rounded::<T>(a);
        // dy = 1 (the derivative itself), then every pattern in reverse order (products).
        let mut reversed = x.clone();
        reversed.reverse();
        for dy in [vec![one; x.len()], reversed] {
            let base = run_all(&a, isas[0], &x, &dy);
            for &isa in &isas[1..] {
                let other = run_all(&a, isa, &x, &dy);
                for (k, (b, o)) in base.iter().zip(&other).enumerate() {
                    same_bits(&format!("{a} form {k} on {isa} vs {}", isas[0]), b, o);
                }
            }
        }
    }
    assert!(
        ran > 0,
        "SIMD_ACTIVATIONS_HALF_ONLY={only} selects no activation"
    );
}

#[test]
fn every_bf16_input_every_function() {
    every_function::<bf16>();
}

/// Named `fp16` (not `f16`, a part of `bf16`) so that `--skip fp16` skips only f16: the
/// emulated AVX-512 run in `.ci/run` does (Bochs rounds `vcvtps2ph` ties wrongly).
#[test]
fn every_fp16_input_every_function() {
    every_function::<f16>();
}
