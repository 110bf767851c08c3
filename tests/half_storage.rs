//! Feature `half`: bf16 and f16 calls, fused on 16-bit lanes (AVX2, AVX-512) or staged
//! through the f32 kernels (elsewhere, and the shaped calls), at every length around the
//! vector widths, the fused driver's blocks and the 2048-element chunks, misaligned, past the
//! streaming threshold, for the shaped functions (PReLU, CReLU), and with bad arguments (the
//! f32 function's panic, nothing written). Each result must equal, bit for bit, the f32
//! function on the widened inputs rounded once by the `half` crate, and leave the cells
//! around the output untouched.
#![cfg(feature = "half")]

mod common;

use half::{bf16, f16};
use simd_activations::*;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Lengths around every vector width, unroll and chunk boundary up to three chunks (the
/// fused driver's blocks: 48 elements on AVX2, 96 on AVX-512), and one past the streaming
/// threshold (8 MiB of 16-bit output).
fn lengths() -> Vec<usize> {
    let mut v: Vec<usize> = (0..=70).collect();
    for k in [
        95usize, 96, 97, 111, 127, 128, 129, 143, 191, 192, 193, 255, 256, 257,
    ] {
        v.push(k);
    }
    for c in 1..=3 {
        for d in [-9isize, -8, -1, 0, 1, 7, 8, 17] {
            v.push((c * 2048 + d) as usize);
        }
    }
    v
}

/// A deterministic mix of values: every class (NaN, infinities, zeros, subnormals, the
/// largest) and a spread of ordinary ones, as bit patterns.
fn inputs(n: usize, seed: u32) -> Vec<u16> {
    let mut s = seed.wrapping_mul(2654435761) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            (s >> 8) as u16
        })
        .collect()
}

trait H: Element {
    fn of_bits(b: u16) -> Self;
    fn bits(self) -> u16;
    fn up(self) -> f32;
    fn down(x: f32) -> Self;
    const NAME: &'static str;
}

macro_rules! impl_h {
    ($t:ty, $name:literal) => {
        impl H for $t {
            fn of_bits(b: u16) -> Self {
                <$t>::from_bits(b)
            }
            fn bits(self) -> u16 {
                self.to_bits()
            }
            fn up(self) -> f32 {
                self.to_f32()
            }
            fn down(x: f32) -> Self {
                <$t>::from_f32(x)
            }
            const NAME: &'static str = $name;
        }
    };
}
impl_h!(bf16, "bf16");
impl_h!(f16, "f16");

const GUARD: usize = 5;
const SENTINEL: u16 = 0x5a5a;

/// `n` outputs with `GUARD` sentinel cells each side, starting `offset` cells in.
fn guarded<T: H>(n: usize) -> Vec<T> {
    vec![T::of_bits(SENTINEL); n + 2 * GUARD]
}

fn assert_guards<T: H>(what: &str, buf: &[T]) {
    let n = buf.len();
    for i in (0..GUARD).chain(n - GUARD..n) {
        assert_eq!(buf[i].bits(), SENTINEL, "{what}: guard cell {i} written");
    }
}

fn assert_rounded<T: H>(what: &str, got: &[T], f32_result: &[f32]) {
    assert_eq!(got.len(), f32_result.len());
    for (i, (g, w)) in got.iter().zip(f32_result).enumerate() {
        assert_eq!(
            g.bits(),
            T::down(*w).bits(),
            "{what} [{}] n = {} at {i}",
            T::NAME,
            got.len()
        );
    }
}

type Unary<T> = fn(Isa, &[T], &mut [T]);
type Binary<T> = fn(Isa, &[T], &[T], &mut [T]);

/// Out of place and in place at every length, offsets 0 and 1 (an odd 2-byte offset
/// misaligns every vector), against the f32 function.
fn unary_forms<T: H>(
    name: &str,
    f: Unary<T>,
    g: Unary<f32>,
    inplace: fn(Isa, &mut [T]),
    n_list: &[usize],
) {
    for isa in common::isas() {
        for &n in n_list {
            for offset in [0usize, 1] {
                let x: Vec<T> = inputs(n + offset, n as u32)
                    .into_iter()
                    .map(T::of_bits)
                    .collect();
                let x = &x[offset..];
                let xf: Vec<f32> = x.iter().map(|v| v.up()).collect();
                let mut yf = vec![0.0f32; n];
                g(isa, &xf, &mut yf);
                let mut y = guarded::<T>(n + offset);
                f(isa, x, &mut y[GUARD + offset..GUARD + offset + n]);
                assert_guards(name, &y[offset..]);
                assert_rounded(name, &y[GUARD + offset..GUARD + offset + n], &yf);
                let mut xy = x.to_vec();
                inplace(isa, &mut xy);
                assert_rounded(&format!("{name} in place"), &xy, &yf);
            }
        }
    }
}

fn binary_forms<T: H>(name: &str, f: Binary<T>, g: Binary<f32>, n_list: &[usize]) {
    for isa in common::isas() {
        for &n in n_list {
            let x: Vec<T> = inputs(n, n as u32).into_iter().map(T::of_bits).collect();
            let dy: Vec<T> = inputs(n, !(n as u32)).into_iter().map(T::of_bits).collect();
            let xf: Vec<f32> = x.iter().map(|v| v.up()).collect();
            let dyf: Vec<f32> = dy.iter().map(|v| v.up()).collect();
            let mut dxf = vec![0.0f32; n];
            g(isa, &xf, &dyf, &mut dxf);
            let mut dx = guarded::<T>(n);
            f(isa, &x, &dy, &mut dx[GUARD..GUARD + n]);
            assert_guards(name, &dx);
            assert_rounded(name, &dx[GUARD..GUARD + n], &dxf);
        }
    }
}

fn every_length<T: H>() {
    let n = lengths();
    unary_forms::<T>("relu", relu_on, relu_on, relu_inplace_on, &n);
    unary_forms::<T>("sigmoid", sigmoid_on, sigmoid_on, sigmoid_inplace_on, &n);
    unary_forms::<T>(
        "elu(0.5)",
        |i, x, y| elu_on(i, x, y, T::down(0.5)),
        |i, x, y| elu_on(i, x, y, 0.5),
        |i, xy| elu_inplace_on(i, xy, T::down(0.5)),
        &n,
    );
    binary_forms::<T>("gelu_backward", gelu_backward_on, gelu_backward_on, &n);
    binary_forms::<T>(
        "softplus_backward(2, 10)",
        |i, x, dy, dx| softplus_backward_on(i, x, dy, dx, T::down(2.0), T::down(10.0)),
        |i, x, dy, dx| softplus_backward_on(i, x, dy, dx, 2.0, 10.0),
        &n,
    );
}

#[test]
fn bf16_every_length_and_offset() {
    every_length::<bf16>();
}

/// Named `fp16` (not `f16`, a part of `bf16`) so that `--skip fp16` skips only f16: the
/// emulated AVX-512 run in `.ci/run` does (Bochs rounds `vcvtps2ph` ties wrongly).
#[test]
fn fp16_every_length_and_offset() {
    every_length::<f16>();
}

/// Past the streaming threshold (8 MiB of output): non-temporal stores from an aligned point,
/// the head and tail by ordinary stores; misaligned by one element. bf16: a select kernel
/// (relu), a lockstep one (silu) and a gradient (tanh).
#[test]
fn bf16_streaming_past_8_mib() {
    let n = [(8 << 20) / 2 + 13];
    unary_forms::<bf16>("relu", relu_on, relu_on, relu_inplace_on, &n);
    unary_forms::<bf16>("silu", silu_on, silu_on, silu_inplace_on, &n);
    binary_forms::<bf16>("tanh_backward", tanh_backward_on, tanh_backward_on, &n);
}

/// As [`bf16_streaming_past_8_mib`] for f16 (named `fp16`, not `f16`, a part of `bf16`, so
/// that `--skip fp16` skips only f16).
#[test]
fn fp16_streaming_past_8_mib() {
    let n = [(8 << 20) / 2 + 13];
    unary_forms::<f16>("silu", silu_on, silu_on, silu_inplace_on, &n);
    binary_forms::<f16>("tanh_backward", tanh_backward_on, tanh_backward_on, &n);
}

/// PReLU (channels-last and NCHW, with the weight gradient) and CReLU: their shapes make the
/// staging convert each slice whole.
fn shaped<T: H>() {
    let down = |v: &[f32]| -> Vec<T> { v.iter().map(|&x| T::down(x)).collect() };
    let up = |v: &[T]| -> Vec<f32> { v.iter().map(|x| x.up()).collect() };
    for isa in common::isas() {
        for (channels, inner, outer) in [
            (1usize, 1usize, 37usize),
            (3, 1, 700),
            (4, 9, 60),
            (2, 2049, 2),
        ] {
            let n = channels * inner * outer;
            let x: Vec<T> = inputs(n, 7).into_iter().map(T::of_bits).collect();
            let dy: Vec<T> = inputs(n, 8).into_iter().map(T::of_bits).collect();
            let w = down(&[0.25, -0.5, 1.5, 0.1][..channels]);
            let (xf, dyf, wf) = (up(&x), up(&dy), up(&w));
            let mut yf = vec![0.0f32; n];
            prelu_on(isa, &xf, &mut yf, &wf, inner);
            let mut y = vec![T::of_bits(0); n];
            prelu_on(isa, &x, &mut y, &w, inner);
            assert_rounded("prelu", &y, &yf);
            let mut xy = x.clone();
            prelu_inplace_on(isa, &mut xy, &w, inner);
            assert_rounded("prelu_inplace", &xy, &yf);
            let (mut dxf, mut dwf) = (vec![0.0f32; n], vec![0.0f32; channels]);
            prelu_backward_on(isa, &xf, &dyf, &mut dxf, &wf, inner, &mut dwf);
            let (mut dx, mut dw) = (vec![T::of_bits(0); n], vec![T::of_bits(SENTINEL); channels]);
            prelu_backward_on(isa, &x, &dy, &mut dx, &w, inner, &mut dw);
            assert_rounded("prelu_backward dx", &dx, &dxf);
            assert_rounded("prelu_backward dweight", &dw, &dwf);

            let row = channels * inner;
            let mut cf = vec![0.0f32; 2 * n];
            crelu_on(isa, &xf, &mut cf, row);
            let mut c = vec![T::of_bits(0); 2 * n];
            crelu_on(isa, &x, &mut c, row);
            assert_rounded("crelu", &c, &cf);
            let dy2: Vec<T> = inputs(2 * n, 9).into_iter().map(T::of_bits).collect();
            let mut gf = vec![0.0f32; n];
            crelu_backward_on(isa, &xf, &up(&dy2), &mut gf, row);
            let mut g = vec![T::of_bits(0); n];
            crelu_backward_on(isa, &x, &dy2, &mut g, row);
            assert_rounded("crelu_backward", &g, &gf);
        }
    }
}

#[test]
fn bf16_prelu_and_crelu() {
    shaped::<bf16>();
}

/// Named `fp16` (not `f16`, a part of `bf16`) so that `--skip fp16` skips only f16: the
/// emulated AVX-512 run in `.ci/run` does (Bochs rounds `vcvtps2ph` ties wrongly).
#[test]
fn fp16_prelu_and_crelu() {
    shaped::<f16>();
}

/// The panic message of `f`.
fn panic_of(f: impl FnOnce()) -> String {
    let e = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    e.downcast_ref::<String>()
        .cloned()
        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// Bad arguments: the f32 function's panic, with the same message, and nothing written.
fn bad_input<T: H>() {
    let x = vec![T::down(-1.0); 3000];
    let mut y = vec![T::of_bits(SENTINEL); 3000];
    let mut cases: Vec<(&str, String, String)> = Vec::new();
    let xf = vec![-1.0f32; 3000];
    let mut yf = vec![0.0f32; 3000];
    cases.push((
        "elu NaN alpha",
        panic_of(|| elu(&x, &mut y, T::down(f32::NAN))),
        panic_of(|| elu(&xf, &mut yf, f32::NAN)),
    ));
    cases.push((
        "celu alpha 0",
        panic_of(|| celu_inplace(&mut y, T::down(0.0))),
        panic_of(|| celu_inplace(&mut yf, 0.0)),
    ));
    cases.push((
        "relu lengths",
        panic_of(|| relu(&x, &mut y[..2999])),
        panic_of(|| relu(&xf, &mut yf[..2999])),
    ));
    cases.push((
        "softplus_backward lengths",
        panic_of(|| softplus_backward(&x, &x[1..], &mut y, T::down(1.0), T::down(20.0))),
        panic_of(|| softplus_backward(&xf, &xf[1..], &mut yf, 1.0, 20.0)),
    ));
    cases.push((
        "prelu layout",
        panic_of(|| prelu(&x, &mut y, &[T::down(0.5); 7], 1)),
        panic_of(|| prelu(&xf, &mut yf, &[0.5; 7], 1)),
    ));
    for (what, got, want) in &cases {
        assert!(!want.is_empty(), "{what}: the f32 call gave no message");
        assert_eq!(got, want, "{what} [{}]", T::NAME);
    }
    assert!(
        y.iter().all(|v| v.bits() == SENTINEL),
        "written before the check"
    );
    let err = Activation::Elu { alpha: f64::NAN }
        .forward(&x, &mut y)
        .expect_err("NaN alpha");
    assert!(matches!(err, Error::BadParameter { .. }), "{err}");
    assert!(
        y.iter().all(|v| v.bits() == SENTINEL),
        "written before the check"
    );
}

#[test]
fn bf16_bad_input_panics_as_f32() {
    bad_input::<bf16>();
}

/// Named `fp16` (not `f16`, a part of `bf16`) so that `--skip fp16` skips only f16: the
/// emulated AVX-512 run in `.ci/run` does (Bochs rounds `vcvtps2ph` ties wrongly).
#[test]
fn fp16_bad_input_panics_as_f32() {
    bad_input::<f16>();
}
