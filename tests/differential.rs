//! Differential tests: every kernel, on every ISA this CPU has, against the scalar reference
//! (`simd_activations::reference`) and against the `Scalar` ISA bit for bit; every length from
//! 0 past three unrolled AVX-512 blocks, misaligned starts, in place and out of place, guard
//! cells around the output, special values in every lane and in the tail.

mod common;
#[path = "differential/more_activations.rs"]
mod more_activations;

use common::{gradients, inputs, isas, nan_rule, same, ulps_between, Rng, TestFloat};
use simd_activations::reference as r;
use simd_activations::*;

/// How a result must match the reference: bit for bit, or within a number of ULP. Where the
/// result or the reference is NaN, every tolerance means bit for bit (the NaN rule: an input's
/// NaN quieted, else the default quiet NaN).
#[derive(Clone, Copy, Debug)]
enum Tol {
    Exact,
    Ulp(f64),
    /// Within the ULPs, or within the absolute error (for gradients with zeros, where both
    /// kernel and reference cancel).
    UlpOrAbs(f64, f64),
}

type Fwd<T> = fn(Isa, &[T], &mut [T]);
type FwdInPlace<T> = fn(Isa, &mut [T]);
type Bwd<T> = fn(Isa, &[T], &[T], &mut [T]);

/// A forward function with its in-place twin and reference.
struct Forward<T> {
    name: &'static str,
    simd: Fwd<T>,
    inplace: FwdInPlace<T>,
    reference: fn(T) -> T,
    tol: Tol,
}

/// A backward function `(x or y, dy) -> dx` with its reference `(x, dy) -> dx`. For the
/// from-output variants `input_of_x` maps x to the forward output the function receives.
struct Backward<T> {
    name: &'static str,
    simd: Bwd<T>,
    reference: fn(T, T) -> T,
    input_of_x: Option<fn(T) -> T>,
    tol: Tol,
}

/// Lengths: every one from 0 to 3 blocks of the widest unroll (16 lanes x 4) + 1, then some
/// large odd ones.
fn lengths() -> Vec<usize> {
    let mut v: Vec<usize> = (0..=3 * 16 * 4 + 1).collect();
    v.extend([255, 256, 257, 1000, 1023, 4097]);
    v
}

/// Offsets from an aligned allocation; all offsets for short lengths, a few for the others.
fn offsets(n: usize) -> &'static [usize] {
    if n <= 40 || n % 17 == 0 {
        &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
    } else {
        &[0, 3]
    }
}

const GUARD: usize = 32;

fn sentinel<T: TestFloat>() -> T {
    T::from_f64(-12345.678)
}

/// Runs `f` on a window of `n` elements at `offset` inside a guarded buffer; checks the guard
/// cells are untouched and returns the window.
fn guarded<T: TestFloat>(n: usize, offset: usize, f: impl FnOnce(&mut [T])) -> Vec<T> {
    let mut buf = vec![sentinel::<T>(); offset + n + GUARD];
    f(&mut buf[offset..offset + n]);
    for (i, v) in buf.iter().enumerate() {
        if i < offset || i >= offset + n {
            assert!(
                same(*v, sentinel()),
                "guard cell {i} written (offset {offset}, n {n})"
            );
        }
    }
    buf[offset..offset + n].to_vec()
}

fn check<T: TestFloat>(what: &str, isa: Isa, i: usize, x: T, got: T, want: T, tol: Tol) {
    let ok = match tol {
        _ if got.is_nan() || want.is_nan() => same(got, want),
        Tol::Exact => same(got, want),
        // Within the ULP bound, and a zero input gives a zero of the reference's sign (a
        // zero from underflow has no meaningful sign).
        Tol::Ulp(u) => ulps_between(got, want) <= u && (x.to_f64() != 0.0 || same(got, want)),
        Tol::UlpOrAbs(u, abs) => {
            ulps_between(got, want) <= u || (got.to_f64() - want.to_f64()).abs() <= abs
        }
    };
    assert!(
        ok,
        "{what} [{}] on {isa}, index {i}: x = {x:e} ({:#x}) gave {got:e} ({:#x}), reference \
         {want:e} ({:#x})",
        T::NAME,
        x.bits(),
        got.bits(),
        want.bits()
    );
}

fn run_forward<T: TestFloat>(cases: &[Forward<T>]) {
    run_forward_at(cases, &lengths())
}

/// Lengths around the sizes from which the memory-bound kernels (relu, leaky_relu, the
/// clamps) run on AVX2's vectors under AVX-512: more than 48 KiB touched, input and output
/// (out of place: half as many elements as in place), with tails of every remainder class.
fn narrow_lengths<T: TestFloat>() -> Vec<usize> {
    let e = (48 << 10) / std::mem::size_of::<T>();
    vec![
        e / 2 - 1,
        e / 2,
        e / 2 + 1,
        e / 2 + 7,
        e / 2 + 64 + 15,
        e,
        e + 1,
        e + 13,
    ]
}

fn run_forward_at<T: TestFloat>(cases: &[Forward<T>], lengths: &[usize]) {
    let mut rng = Rng::new(1);
    let isas = isas();
    for case in cases {
        for &n in lengths {
            for &offset in offsets(n) {
                let x = inputs::<T>(n, offset + n, &mut rng);
                let want: Vec<T> = x.iter().map(|&v| (case.reference)(v)).collect();
                let mut scalar_isa = None;
                for &isa in &isas {
                    let y = guarded(n, offset, |y| (case.simd)(isa, &x, y));
                    let inplace = guarded(n, offset, |xy| {
                        xy.copy_from_slice(&x);
                        (case.inplace)(isa, xy)
                    });
                    for i in 0..n {
                        check(case.name, isa, i, x[i], y[i], want[i], case.tol);
                        assert!(
                            same(inplace[i], y[i]),
                            "{}_inplace differs from out of place on {isa} at {i}",
                            case.name
                        );
                    }
                    let s = scalar_isa.get_or_insert_with(|| y.clone());
                    for i in 0..n {
                        assert!(
                            same(y[i], s[i]),
                            "{} on {isa} differs from the Scalar ISA at {i} (x = {:e})",
                            case.name,
                            x[i]
                        );
                    }
                }
            }
        }
        println!("{} [{}]: ok on {:?}", case.name, T::NAME, isas);
    }
}

fn run_backward<T: TestFloat>(cases: &[Backward<T>]) {
    let mut rng = Rng::new(2);
    let isas = isas();
    for case in cases {
        for n in lengths() {
            for &offset in offsets(n) {
                let x = inputs::<T>(n, offset + 2 * n, &mut rng);
                let dy = gradients::<T>(n, &mut rng);
                let input: Vec<T> = match case.input_of_x {
                    Some(fwd) => x.iter().map(|&v| fwd(v)).collect(),
                    None => x.clone(),
                };
                let want: Vec<T> = x
                    .iter()
                    .zip(&dy)
                    .map(|(&a, &b)| (case.reference)(a, b))
                    .collect();
                let mut scalar_isa = None;
                for &isa in &isas {
                    let dx = guarded(n, offset, |dx| (case.simd)(isa, &input, &dy, dx));
                    for i in 0..n {
                        check(case.name, isa, i, x[i], dx[i], want[i], case.tol);
                    }
                    let s = scalar_isa.get_or_insert_with(|| dx.clone());
                    for i in 0..n {
                        assert!(
                            same(dx[i], s[i]),
                            "{} on {isa} differs from the Scalar ISA at {i}",
                            case.name
                        );
                    }
                }
            }
        }
        println!("{} [{}]: ok on {:?}", case.name, T::NAME, isas);
    }
}

/// ULP tolerance of the transcendental kernels against the f64-evaluated reference. (The
/// backward ones get more: `dy * f'` with `|dy| < 2` scales the error of `f'` by up to 2; `f'`
/// itself, with `dy = 1`, is held to the tight bound by `tests/exhaustive.rs`.)
fn ulp<T: TestFloat>(f32_ulp: f64) -> Tol {
    // f64's reference is the platform's libm (itself within ~1 ULP), so allow one more.
    Tol::Ulp(if T::NAME == "f32" {
        f32_ulp
    } else {
        f32_ulp + 1.0
    })
}

fn piecewise_forward<T: TestFloat>() -> Vec<Forward<T>> {
    vec![
        Forward {
            name: "relu",
            simd: relu_on,
            inplace: relu_inplace_on,
            reference: r::relu,
            tol: Tol::Exact,
        },
        Forward {
            name: "leaky_relu",
            simd: |i, x, y| leaky_relu_on(i, x, y, T::from_f64(0.01)),
            inplace: |i, xy| leaky_relu_inplace_on(i, xy, T::from_f64(0.01)),
            reference: |x| r::leaky_relu(x, T::from_f64(0.01)),
            tol: Tol::Exact,
        },
        Forward {
            name: "leaky_relu(-0.5)",
            simd: |i, x, y| leaky_relu_on(i, x, y, T::from_f64(-0.5)),
            inplace: |i, xy| leaky_relu_inplace_on(i, xy, T::from_f64(-0.5)),
            reference: |x| r::leaky_relu(x, T::from_f64(-0.5)),
            tol: Tol::Exact,
        },
        // Each kernel form: the clamp forms for slopes <= 1 (above) and > 1, and the checked
        // form for a zero slope (where 0 * -inf makes a NaN).
        Forward {
            name: "leaky_relu(1)",
            simd: |i, x, y| leaky_relu_on(i, x, y, T::ONE),
            inplace: |i, xy| leaky_relu_inplace_on(i, xy, T::ONE),
            reference: |x| r::leaky_relu(x, T::ONE),
            tol: Tol::Exact,
        },
        Forward {
            name: "leaky_relu(3)",
            simd: |i, x, y| leaky_relu_on(i, x, y, T::from_f64(3.0)),
            inplace: |i, xy| leaky_relu_inplace_on(i, xy, T::from_f64(3.0)),
            reference: |x| r::leaky_relu(x, T::from_f64(3.0)),
            tol: Tol::Exact,
        },
        Forward {
            name: "leaky_relu(0)",
            simd: |i, x, y| leaky_relu_on(i, x, y, T::ZERO),
            inplace: |i, xy| leaky_relu_inplace_on(i, xy, T::ZERO),
            reference: |x| r::leaky_relu(x, T::ZERO),
            tol: Tol::Exact,
        },
        Forward {
            name: "leaky_relu(-3)",
            simd: |i, x, y| leaky_relu_on(i, x, y, T::from_f64(-3.0)),
            inplace: |i, xy| leaky_relu_inplace_on(i, xy, T::from_f64(-3.0)),
            reference: |x| r::leaky_relu(x, T::from_f64(-3.0)),
            tol: Tol::Exact,
        },
        Forward {
            name: "prelu(shared)",
            simd: |i, x, y| prelu_on(i, x, y, &[T::from_f64(0.25)], 1),
            inplace: |i, xy| prelu_inplace_on(i, xy, &[T::from_f64(0.25)], 7),
            reference: |x| r::prelu(x, T::from_f64(0.25)),
            tol: Tol::Exact,
        },
        Forward {
            name: "relu6",
            simd: relu6_on,
            inplace: relu6_inplace_on,
            reference: r::relu6,
            tol: Tol::Exact,
        },
        Forward {
            name: "hardtanh",
            simd: |i, x, y| hardtanh_on(i, x, y, -T::ONE, T::ONE),
            inplace: |i, xy| hardtanh_inplace_on(i, xy, -T::ONE, T::ONE),
            reference: |x| r::hardtanh(x, -T::ONE, T::ONE),
            tol: Tol::Exact,
        },
        Forward {
            name: "hardtanh(-0, 0)",
            simd: |i, x, y| hardtanh_on(i, x, y, -T::ZERO, T::ZERO),
            inplace: |i, xy| hardtanh_inplace_on(i, xy, -T::ZERO, T::ZERO),
            reference: |x| r::hardtanh(x, -T::ZERO, T::ZERO),
            tol: Tol::Exact,
        },
    ]
}

fn elu_forward<T: TestFloat>() -> Vec<Forward<T>> {
    vec![
        Forward {
            name: "elu",
            simd: |i, x, y| elu_on(i, x, y, T::ONE),
            inplace: |i, xy| elu_inplace_on(i, xy, T::ONE),
            reference: |x| r::elu(x, T::ONE),
            tol: ulp::<T>(1.0),
        },
        Forward {
            name: "elu(0.3)",
            simd: |i, x, y| elu_on(i, x, y, T::from_f64(0.3)),
            inplace: |i, xy| elu_inplace_on(i, xy, T::from_f64(0.3)),
            reference: |x| r::elu(x, T::from_f64(0.3)),
            tol: ulp::<T>(2.0),
        },
        Forward {
            name: "selu",
            simd: selu_on,
            inplace: selu_inplace_on,
            reference: r::selu,
            tol: ulp::<T>(2.0),
        },
        Forward {
            name: "celu",
            simd: |i, x, y| celu_on(i, x, y, T::ONE),
            inplace: |i, xy| celu_inplace_on(i, xy, T::ONE),
            reference: |x| r::celu(x, T::ONE),
            tol: ulp::<T>(1.0),
        },
        Forward {
            name: "celu(2.5)",
            simd: |i, x, y| celu_on(i, x, y, T::from_f64(2.5)),
            inplace: |i, xy| celu_inplace_on(i, xy, T::from_f64(2.5)),
            reference: |x| r::celu(x, T::from_f64(2.5)),
            tol: ulp::<T>(2.0),
        },
    ]
}

fn piecewise_backward<T: TestFloat>() -> Vec<Backward<T>> {
    vec![
        Backward {
            name: "relu_backward",
            simd: relu_backward_on,
            reference: r::relu_backward,
            input_of_x: None,
            tol: Tol::Exact,
        },
        Backward {
            name: "relu_backward_from_output",
            simd: relu_backward_from_output_on,
            reference: r::relu_backward,
            input_of_x: Some(r::relu),
            tol: Tol::Exact,
        },
        Backward {
            name: "leaky_relu_backward",
            simd: |i, x, dy, dx| leaky_relu_backward_on(i, x, dy, dx, T::from_f64(0.01)),
            reference: |x, dy| r::leaky_relu_backward(x, dy, T::from_f64(0.01)),
            input_of_x: None,
            tol: Tol::Exact,
        },
        Backward {
            name: "leaky_relu_backward_from_output",
            simd: |i, y, dy, dx| {
                leaky_relu_backward_from_output_on(i, y, dy, dx, T::from_f64(0.01))
            },
            reference: |x, dy| r::leaky_relu_backward(x, dy, T::from_f64(0.01)),
            input_of_x: Some(|x| r::leaky_relu(x, T::from_f64(0.01))),
            tol: Tol::Exact,
        },
        Backward {
            name: "relu6_backward",
            simd: relu6_backward_on,
            reference: r::relu6_backward,
            input_of_x: None,
            tol: Tol::Exact,
        },
        Backward {
            name: "relu6_backward_from_output",
            simd: relu6_backward_from_output_on,
            reference: r::relu6_backward,
            input_of_x: Some(r::relu6),
            tol: Tol::Exact,
        },
        Backward {
            name: "hardtanh_backward",
            simd: |i, x, dy, dx| hardtanh_backward_on(i, x, dy, dx, -T::ONE, T::from_f64(2.0)),
            reference: |x, dy| r::hardtanh_backward(x, dy, -T::ONE, T::from_f64(2.0)),
            input_of_x: None,
            tol: Tol::Exact,
        },
        Backward {
            name: "hardtanh_backward_from_output",
            simd: |i, y, dy, dx| {
                hardtanh_backward_from_output_on(i, y, dy, dx, -T::ONE, T::from_f64(2.0))
            },
            reference: |x, dy| r::hardtanh_backward(x, dy, -T::ONE, T::from_f64(2.0)),
            input_of_x: Some(|x| r::hardtanh(x, -T::ONE, T::from_f64(2.0))),
            tol: Tol::Exact,
        },
    ]
}

fn elu_backward_cases<T: TestFloat>() -> Vec<Backward<T>> {
    vec![
        Backward {
            name: "elu_backward",
            simd: |i, x, dy, dx| elu_backward_on(i, x, dy, dx, T::ONE),
            reference: |x, dy| r::elu_backward(x, dy, T::ONE),
            input_of_x: None,
            tol: ulp::<T>(3.0),
        },
        Backward {
            name: "elu_backward(0.3)",
            simd: |i, x, dy, dx| elu_backward_on(i, x, dy, dx, T::from_f64(0.3)),
            reference: |x, dy| r::elu_backward(x, dy, T::from_f64(0.3)),
            input_of_x: None,
            tol: ulp::<T>(4.0),
        },
        Backward {
            name: "selu_backward",
            simd: selu_backward_on,
            reference: r::selu_backward,
            input_of_x: None,
            tol: ulp::<T>(4.0),
        },
        Backward {
            name: "celu_backward(2.5)",
            simd: |i, x, dy, dx| celu_backward_on(i, x, dy, dx, T::from_f64(2.5)),
            reference: |x, dy| r::celu_backward(x, dy, T::from_f64(2.5)),
            input_of_x: None,
            tol: ulp::<T>(4.0),
        },
    ]
}

/// ULP tolerance of the smooth activations (evaluated in f64 by kernel and reference alike):
/// for f32 both round a near-exact f64 value, so they agree within 1 ULP; for f64 the two
/// evaluation orders differ by a few ULP (`f64_ulp`).
fn smooth<T: TestFloat>(f64_ulp: f64) -> Tol {
    Tol::Ulp(if T::NAME == "f32" { 1.0 } else { f64_ulp })
}

/// For the gradients with zeros (silu, gelu, gelu_tanh, mish): f32 within their documented
/// bound of 3 ULP (the native gradients round f'(x) once and then multiply by dy, where the
/// reference rounds dy f'(x) once); f64 within 8 ULP or 1e-15 absolute (`|dy| < 2`, terms of
/// order 1: both evaluations cancel near a zero).
fn smooth_grad<T: TestFloat>() -> Tol {
    if T::NAME == "f32" {
        Tol::Ulp(3.0)
    } else {
        Tol::UlpOrAbs(8.0, 1e-15)
    }
}

fn smooth_forward<T: TestFloat>() -> Vec<Forward<T>> {
    vec![
        Forward {
            name: "sigmoid",
            simd: sigmoid_on,
            inplace: sigmoid_inplace_on,
            reference: r::sigmoid,
            tol: smooth::<T>(3.0),
        },
        Forward {
            name: "tanh",
            simd: tanh_on,
            inplace: tanh_inplace_on,
            reference: r::tanh,
            tol: smooth::<T>(3.0),
        },
        Forward {
            name: "silu",
            simd: silu_on,
            inplace: silu_inplace_on,
            reference: r::silu,
            tol: smooth::<T>(4.0),
        },
        Forward {
            name: "gelu",
            simd: gelu_on,
            inplace: gelu_inplace_on,
            reference: r::gelu,
            // f64: the tail below 1e-300 (subnormal, where both evaluations lose bits) absolutely.
            tol: if T::NAME == "f32" {
                Tol::Ulp(1.0)
            } else {
                Tol::UlpOrAbs(16.0, 1e-300)
            },
        },
        Forward {
            name: "gelu_tanh",
            simd: gelu_tanh_on,
            inplace: gelu_tanh_inplace_on,
            reference: r::gelu_tanh,
            // f64: the tail is e^(2u) with u = sqrt(2/pi)(x + 0.044715 x^3) rounded a few
            // times; both evaluations amplify that by |2u| (< 1500 while the result is normal).
            tol: smooth::<T>(2048.0),
        },
        Forward {
            name: "softplus",
            simd: |i, x, y| softplus_on(i, x, y, T::ONE, T::from_f64(20.0)),
            inplace: |i, xy| softplus_inplace_on(i, xy, T::ONE, T::from_f64(20.0)),
            reference: |x| r::softplus(x, T::ONE, T::from_f64(20.0)),
            tol: smooth::<T>(3.0),
        },
        Forward {
            name: "softplus(beta 2, threshold 5)",
            simd: |i, x, y| softplus_on(i, x, y, T::from_f64(2.0), T::from_f64(5.0)),
            inplace: |i, xy| softplus_inplace_on(i, xy, T::from_f64(2.0), T::from_f64(5.0)),
            reference: |x| r::softplus(x, T::from_f64(2.0), T::from_f64(5.0)),
            tol: smooth::<T>(3.0),
        },
        Forward {
            // beta x rounds and the quotient by beta is inexact (0.3 is not a power of two).
            name: "softplus(beta 0.3, threshold 5)",
            simd: |i, x, y| softplus_on(i, x, y, T::from_f64(0.3), T::from_f64(5.0)),
            inplace: |i, xy| softplus_inplace_on(i, xy, T::from_f64(0.3), T::from_f64(5.0)),
            reference: |x| r::softplus(x, T::from_f64(0.3), T::from_f64(5.0)),
            tol: smooth::<T>(3.0),
        },
        Forward {
            name: "mish",
            simd: mish_on,
            inplace: mish_inplace_on,
            reference: r::mish,
            tol: smooth::<T>(6.0),
        },
        Forward {
            name: "hardswish",
            simd: hardswish_on,
            inplace: hardswish_inplace_on,
            reference: r::hardswish,
            tol: smooth::<T>(2.0),
        },
        Forward {
            name: "hardsigmoid",
            simd: hardsigmoid_on,
            inplace: hardsigmoid_inplace_on,
            reference: r::hardsigmoid,
            tol: smooth::<T>(2.0),
        },
    ]
}

fn smooth_backward_cases<T: TestFloat>() -> Vec<Backward<T>> {
    vec![
        Backward {
            name: "sigmoid_backward",
            simd: sigmoid_backward_on,
            reference: r::sigmoid_backward,
            input_of_x: None,
            tol: smooth::<T>(8.0),
        },
        Backward {
            name: "sigmoid_backward_from_output",
            simd: sigmoid_backward_from_output_on,
            reference: |x, dy| r::sigmoid_backward_from_output(r::sigmoid(x), dy),
            input_of_x: Some(r::sigmoid),
            tol: smooth::<T>(2.0),
        },
        Backward {
            name: "tanh_backward",
            simd: tanh_backward_on,
            reference: r::tanh_backward,
            input_of_x: None,
            tol: smooth::<T>(8.0),
        },
        Backward {
            name: "tanh_backward_from_output",
            simd: tanh_backward_from_output_on,
            reference: |x, dy| r::tanh_backward_from_output(r::tanh(x), dy),
            input_of_x: Some(r::tanh),
            tol: smooth::<T>(2.0),
        },
        Backward {
            name: "silu_backward",
            simd: silu_backward_on,
            reference: r::silu_backward,
            input_of_x: None,
            tol: smooth_grad::<T>(),
        },
        Backward {
            name: "gelu_backward",
            simd: gelu_backward_on,
            reference: r::gelu_backward,
            input_of_x: None,
            tol: smooth_grad::<T>(),
        },
        Backward {
            name: "gelu_tanh_backward",
            simd: gelu_tanh_backward_on,
            reference: r::gelu_tanh_backward,
            input_of_x: None,
            tol: smooth_grad::<T>(),
        },
        Backward {
            name: "softplus_backward",
            simd: |i, x, dy, dx| softplus_backward_on(i, x, dy, dx, T::ONE, T::from_f64(20.0)),
            reference: |x, dy| r::softplus_backward(x, dy, T::ONE, T::from_f64(20.0)),
            input_of_x: None,
            tol: smooth::<T>(4.0),
        },
        Backward {
            // beta x rounds (0.3 is not a power of two): the native f32 kernel carries its
            // rounding error into the exponential and the threshold comparison.
            name: "softplus_backward(beta 0.3, threshold 5)",
            simd: |i, x, dy, dx| {
                softplus_backward_on(i, x, dy, dx, T::from_f64(0.3), T::from_f64(5.0))
            },
            reference: |x, dy| r::softplus_backward(x, dy, T::from_f64(0.3), T::from_f64(5.0)),
            input_of_x: None,
            tol: smooth::<T>(4.0),
        },
        Backward {
            name: "mish_backward",
            simd: mish_backward_on,
            reference: r::mish_backward,
            input_of_x: None,
            tol: smooth_grad::<T>(),
        },
        Backward {
            name: "hardswish_backward",
            simd: hardswish_backward_on,
            reference: r::hardswish_backward,
            input_of_x: None,
            tol: smooth::<T>(2.0),
        },
        Backward {
            name: "hardsigmoid_backward",
            simd: hardsigmoid_backward_on,
            reference: r::hardsigmoid_backward,
            input_of_x: None,
            tol: smooth::<T>(2.0),
        },
    ]
}

/// The from-output ELU gradients: `dy * (y > 0 ? scale : (y + neg_coef) / div)` evaluated in
/// T on the kernel's own forward output, compared with that formula (1 ULP: the kernel
/// computes exactly it) and so independent of the forward's rounding.
fn elu_from_output<T: TestFloat>() {
    let mut rng = Rng::new(3);
    let selu_scale = T::from_f64(SELU_SCALE);
    let selu_neg = T::from_f64(SELU_NEG_COEF);
    let alpha = T::from_f64(0.7);
    for isa in isas() {
        for n in lengths() {
            let x = inputs::<T>(n, n, &mut rng);
            let dy = gradients::<T>(n, &mut rng);
            let mut y = vec![T::ZERO; n];
            let mut dx = vec![T::ZERO; n];
            let formula = |y: T, dy: T, scale: T, neg: T, div: T| {
                let v = if y > T::ZERO {
                    dy * scale
                } else {
                    dy * ((y + neg) / div)
                };
                nan_rule(&[y, dy], v)
            };
            elu_on(isa, &x, &mut y, alpha);
            elu_backward_from_output_on(isa, &y, &dy, &mut dx, alpha);
            for i in 0..n {
                let want = formula(y[i], dy[i], T::ONE, alpha, T::ONE);
                check(
                    "elu_backward_from_output",
                    isa,
                    i,
                    x[i],
                    dx[i],
                    want,
                    Tol::Ulp(1.0),
                );
            }
            selu_on(isa, &x, &mut y);
            selu_backward_from_output_on(isa, &y, &dy, &mut dx);
            for i in 0..n {
                let want = formula(y[i], dy[i], selu_scale, selu_neg, T::ONE);
                check(
                    "selu_backward_from_output",
                    isa,
                    i,
                    x[i],
                    dx[i],
                    want,
                    Tol::Ulp(1.0),
                );
            }
            celu_on(isa, &x, &mut y, alpha);
            celu_backward_from_output_on(isa, &y, &dy, &mut dx, alpha);
            for i in 0..n {
                let want = formula(y[i], dy[i], T::ONE, alpha, alpha);
                check(
                    "celu_backward_from_output",
                    isa,
                    i,
                    x[i],
                    dx[i],
                    want,
                    Tol::Ulp(1.0),
                );
            }
        }
    }
}

/// CELU with an alpha so small that `1 / alpha` overflows (subnormal, and the normal edge
/// around it): forward, in place and backward against the reference, on inputs scaled to
/// alpha (where `x / alpha` is moderate) and the usual mix, every ISA, body and tail.
fn celu_tiny_alpha<T: TestFloat>() {
    let mut rng = Rng::new(7);
    let isas = isas();
    let b = |bits: u64| T::from_bits_u64(bits);
    let alphas: Vec<T> = if T::NAME == "f32" {
        // 1e-39, the smallest subnormal, 2^-128 (1/alpha = 2^128 overflows), MIN_POSITIVE / 2,
        // MIN_POSITIVE (normal, 1/alpha finite), 3.4e-38.
        vec![
            t(1e-39),
            b(1),
            b(1 << 21),
            b(1 << 22),
            b(1 << 23),
            t(3.4e-38),
        ]
    } else {
        vec![
            t(1e-310),
            b(1),
            b(1 << 50),
            b(1 << 51),
            b(1 << 52),
            t(5.6e-308),
        ]
    };
    fn t<T: TestFloat>(v: f64) -> T {
        T::from_f64(v)
    }
    let ks = [
        0.0, -0.0, -1e-7, -1e-6, -1e-3, -0.25, -0.5, -1.0, -2.0, -7.5, -20.0, -100.0, -1e4, -1e30,
        0.5, 3.0,
    ];
    for &alpha in &alphas {
        let a = alpha.to_f64();
        for n in [1, 2, 3, 5, 8, 15, 16, 17, 31, 33, 64, 67, 100] {
            let mut x: Vec<T> = (0..n).map(|i| t(a * ks[i % ks.len()])).collect();
            // Every third element from the usual mix (specials, subnormals, wide ranges).
            for (xi, v) in x
                .iter_mut()
                .zip(inputs::<T>(n, n, &mut rng))
                .skip(1)
                .step_by(3)
            {
                *xi = v;
            }
            let dy = gradients::<T>(n, &mut rng);
            for &isa in &isas {
                let mut y = vec![T::ZERO; n];
                celu_on(isa, &x, &mut y, alpha);
                let mut xy = x.clone();
                celu_inplace_on(isa, &mut xy, alpha);
                let mut dx = vec![T::ZERO; n];
                celu_backward_on(isa, &x, &dy, &mut dx, alpha);
                for i in 0..n {
                    let what = format!("celu(alpha = {alpha:e})");
                    check(
                        &what,
                        isa,
                        i,
                        x[i],
                        y[i],
                        r::celu(x[i], alpha),
                        ulp::<T>(2.0),
                    );
                    assert!(same(xy[i], y[i]), "{what}_inplace on {isa} at {i}");
                    let want = r::celu_backward(x[i], dy[i], alpha);
                    let what = format!("celu_backward(alpha = {alpha:e})");
                    check(&what, isa, i, x[i], dx[i], want, ulp::<T>(4.0));
                }
            }
        }
    }
}

/// PReLU with per-channel weights (NCHW and channels-last) and its weight gradient.
fn prelu_channels<T: TestFloat>() {
    let mut rng = Rng::new(4);
    let isas = isas();
    for (channels, inner) in [(3, 1), (16, 1), (21, 1), (3, 5), (4, 16), (2, 67), (1, 9)] {
        let weight: Vec<T> = (0..channels)
            .map(|c| T::from_f64(0.1 * c as f64 - 0.3))
            .collect();
        for reps in [0, 1, 2, 5] {
            let n = channels * inner * reps;
            let x = inputs::<T>(n, reps, &mut rng);
            let dy = gradients::<T>(n, &mut rng)
                .iter()
                .map(|&g| {
                    if g.is_nan() || g.to_f64().is_infinite() {
                        T::ONE
                    } else {
                        g
                    }
                })
                .collect::<Vec<_>>();
            let w_of = |i: usize| weight[(i / inner) % channels];
            let mut sums = vec![0f64; channels];
            let mut abs_sums = vec![0f64; channels];
            let mut want_dx = vec![T::ZERO; n];
            for i in 0..n {
                let (d, g) = r::prelu_backward(x[i], dy[i], w_of(i));
                want_dx[i] = d;
                sums[(i / inner) % channels] += g.to_f64();
                abs_sums[(i / inner) % channels] += g.to_f64().abs();
            }
            for &isa in &isas {
                for offset in [0, 1, 5] {
                    let y = guarded(n, offset, |y| prelu_on(isa, &x, y, &weight, inner));
                    let y2 = guarded(n, offset, |xy| {
                        xy.copy_from_slice(&x);
                        prelu_inplace_on(isa, xy, &weight, inner)
                    });
                    for i in 0..n {
                        check(
                            "prelu",
                            isa,
                            i,
                            x[i],
                            y[i],
                            r::prelu(x[i], w_of(i)),
                            Tol::Exact,
                        );
                        assert!(same(y2[i], y[i]), "prelu_inplace differs at {i}");
                    }
                    let mut dw = vec![T::from_f64(99.0); channels];
                    let dx = guarded(n, offset, |dx| {
                        prelu_backward_on(isa, &x, &dy, dx, &weight, inner, &mut dw)
                    });
                    for i in 0..n {
                        check(
                            "prelu_backward dx",
                            isa,
                            i,
                            x[i],
                            dx[i],
                            want_dx[i],
                            Tol::Exact,
                        );
                    }
                    for c in 0..channels {
                        let got = dw[c].to_f64();
                        if sums[c].is_nan() || sums[c].is_infinite() || abs_sums[c].is_infinite() {
                            assert!(
                                got.is_nan() || got == sums[c] || abs_sums[c].is_infinite(),
                                "dweight[{c}] = {got}, want {}",
                                sums[c]
                            );
                            continue;
                        }
                        let eps = if T::NAME == "f32" {
                            f32::EPSILON as f64
                        } else {
                            f64::EPSILON
                        };
                        let bound = (n as f64 + 2.0) * eps * abs_sums[c] + f64::MIN_POSITIVE;
                        assert!((got - sums[c]).abs() <= bound, "prelu_backward dweight[{c}] on {isa}: {got} vs {} (bound {bound}), C={channels} inner={inner} n={n}", sums[c]);
                    }
                }
            }
        }
    }
    println!("prelu per-channel [{}]: ok on {isas:?}", T::NAME);
}

/// CReLU forward and backward for several row lengths.
fn crelu_rows<T: TestFloat>() {
    let mut rng = Rng::new(5);
    let isas = isas();
    for row_len in [1, 2, 3, 7, 8, 16, 17, 33, 64, 100] {
        for rows in [0, 1, 3] {
            let n = row_len * rows;
            let x = inputs::<T>(n, row_len, &mut rng);
            let dy = gradients::<T>(2 * n, &mut rng);
            let want: Vec<T> = x.chunks(row_len).flat_map(r::crelu_row).collect();
            for &isa in &isas {
                for offset in [0, 3] {
                    let y = guarded(2 * n, offset, |y| crelu_on(isa, &x, y, row_len));
                    for i in 0..2 * n {
                        check(
                            "crelu",
                            isa,
                            i,
                            x[(i / (2 * row_len)) * row_len + i % row_len],
                            y[i],
                            want[i],
                            Tol::Exact,
                        );
                    }
                    let dx = guarded(n, offset, |dx| crelu_backward_on(isa, &x, &dy, dx, row_len));
                    for i in 0..n {
                        let (row, j) = (i / row_len, i % row_len);
                        let want = r::crelu_backward(
                            x[i],
                            dy[2 * row * row_len + j],
                            dy[2 * row * row_len + row_len + j],
                        );
                        check("crelu_backward", isa, i, x[i], dx[i], want, Tol::Exact);
                    }
                }
            }
        }
    }
    println!("crelu [{}]: ok on {isas:?}", T::NAME);
}

/// CReLU's gradient where an upstream gradient is a signed zero, pinned to PyTorch autograd
/// (not to the crate's reference): `dx = relu'(x) dy_pos + (-(relu'(-x) dy_neg))`, summed, so
/// `x < 0` with `dy_neg = +-0` gives `+0`, and `x > 0` with `dy_pos = -0` gives `-0 + -0 = -0`.
fn crelu_zero_gradient_sign<T: TestFloat>() {
    let z = T::ZERO;
    // (x, dy_pos, dy_neg, PyTorch's dx)
    let table: [(f64, T, T, T); 6] = [
        (-1.5, t(3.0), z, z),
        (-1.5, t(3.0), -z, z),
        (-1.5, -z, z, z),
        (2.0, -z, z, -z),
        (2.0, z, t(-4.0), z),
        (0.0, t(3.0), t(5.0), z),
    ];
    fn t<T: TestFloat>(v: f64) -> T {
        T::from_f64(v)
    }
    for isa in isas() {
        for &(x, pos, neg, want) in &table {
            // Every position of the body and the tail.
            for n in 1..=33 {
                let x = vec![t::<T>(x); n];
                let dy: Vec<T> = (0..2 * n).map(|i| if i < n { pos } else { neg }).collect();
                let mut dx = vec![t::<T>(7.0); n];
                crelu_backward_on(isa, &x, &dy, &mut dx, n);
                for (i, d) in dx.iter().enumerate() {
                    assert!(
                        d.bits() == want.bits(),
                        "crelu_backward [{}] on {isa}, n {n}, index {i}: x = {:e}, dy_pos = {pos:e}, \
                         dy_neg = {neg:e} gave {d:e}, PyTorch {want:e}",
                        T::NAME,
                        x[i]
                    );
                }
            }
        }
    }
}

/// Long slices take the non-temporal store path (output >= 8 MiB); misaligned on purpose.
fn streaming<T: TestFloat>() {
    let n = (8 << 20) / std::mem::size_of::<T>() + 37;
    let mut rng = Rng::new(6);
    let x: Vec<T> = (0..n).map(|_| rng.value()).collect();
    let dy = gradients::<T>(n, &mut rng);
    for isa in isas() {
        let y = guarded(n, 3, |y| elu_on(isa, &x, y, T::ONE));
        let dx = guarded(n, 1, |dx| relu_backward_on(isa, &x, &dy, dx));
        let p = guarded(n, 2, |y| prelu_on(isa, &x, y, &[T::from_f64(0.2)], 1));
        // Two channels, NCHW: each run of n2 / 2 elements streams on its own.
        let n2 = n - 37 + 8192;
        let x2: Vec<T> = x.iter().copied().cycle().take(n2).collect();
        let w = [T::from_f64(0.2), T::from_f64(0.3)];
        let p2 = guarded(n2, 5, |y| prelu_on(isa, &x2, y, &w, n2 / 2));
        for i in (0..n2).step_by(89).chain(n2 - 50..n2) {
            let want = r::prelu(x2[i], w[i / (n2 / 2)]);
            check(
                "prelu NCHW (streamed)",
                isa,
                i,
                x2[i],
                p2[i],
                want,
                Tol::Exact,
            );
        }
        for i in (0..n).step_by(97).chain(n - 100..n) {
            check(
                "elu (streamed)",
                isa,
                i,
                x[i],
                y[i],
                r::elu(x[i], T::ONE),
                ulp::<T>(1.0),
            );
            check(
                "relu_backward (streamed)",
                isa,
                i,
                x[i],
                dx[i],
                r::relu_backward(x[i], dy[i]),
                Tol::Exact,
            );
            check(
                "prelu (streamed)",
                isa,
                i,
                x[i],
                p[i],
                r::prelu(x[i], T::from_f64(0.2)),
                Tol::Exact,
            );
        }
    }
}

macro_rules! both_types {
    ($($name:ident => $body:ident;)*) => {
        mod f32_tests {
            $(#[test] fn $name() { super::$body::<f32>() })*
        }
        mod f64_tests {
            $(#[test] fn $name() { super::$body::<f64>() })*
        }
    };
}

fn piecewise_fwd<T: TestFloat>() {
    run_forward(&piecewise_forward::<T>())
}
fn piecewise_fwd_beyond_l1<T: TestFloat>() {
    run_forward_at(&piecewise_forward::<T>(), &narrow_lengths::<T>())
}
fn elu_fwd<T: TestFloat>() {
    run_forward(&elu_forward::<T>())
}
fn smooth_fwd<T: TestFloat>() {
    run_forward(&smooth_forward::<T>())
}
fn smooth_bwd<T: TestFloat>() {
    run_backward(&smooth_backward_cases::<T>())
}
fn piecewise_bwd<T: TestFloat>() {
    run_backward(&piecewise_backward::<T>())
}
fn elu_bwd<T: TestFloat>() {
    run_backward(&elu_backward_cases::<T>())
}
fn more_fwd<T: TestFloat>() {
    run_forward(&more_activations::forward_cases::<T>())
}
fn more_bwd<T: TestFloat>() {
    run_backward(&more_activations::backward_cases::<T>())
}
fn rrelu_training<T: TestFloat>() {
    more_activations::rrelu_training::<T>()
}

both_types! {
    piecewise_forward_matches_reference => piecewise_fwd;
    piecewise_forward_beyond_the_first_level_cache => piecewise_fwd_beyond_l1;
    elu_family_forward_matches_reference => elu_fwd;
    piecewise_backward_matches_reference => piecewise_bwd;
    elu_family_backward_matches_reference => elu_bwd;
    elu_family_backward_from_output => elu_from_output;
    celu_with_a_subnormal_alpha => celu_tiny_alpha;
    smooth_forward_matches_reference => smooth_fwd;
    smooth_backward_matches_reference => smooth_bwd;
    prelu_per_channel_and_weight_gradient => prelu_channels;
    crelu_forward_and_backward => crelu_rows;
    crelu_gradient_sign_of_zero_as_autograd => crelu_zero_gradient_sign;
    long_slices_use_streaming_stores => streaming;
    more_activations_forward_match_reference => more_fwd;
    more_activations_backward_match_reference => more_bwd;
    rrelu_training_mode_slopes_and_gradient => rrelu_training;
}

/// The forms checked outside the tables above (by `elu_from_output`).
const CHECKED_ELSEWHERE: [&str; 3] = [
    "elu_backward_from_output",
    "selu_backward_from_output",
    "celu_backward_from_output",
];

/// Every form of every activation in the registry has a case here (named `form` or
/// `form(params)`; the in-place forms run with their forward), so a new registry entry
/// without differential cases fails.
#[test]
fn every_registry_form_has_a_case() {
    let names: Vec<&str> = [
        piecewise_forward::<f32>(),
        elu_forward::<f32>(),
        smooth_forward::<f32>(),
        more_activations::forward_cases::<f32>(),
    ]
    .iter()
    .flatten()
    .map(|c| c.name)
    .chain(
        [
            piecewise_backward::<f32>(),
            elu_backward_cases::<f32>(),
            smooth_backward_cases::<f32>(),
            more_activations::backward_cases::<f32>(),
        ]
        .iter()
        .flatten()
        .map(|c| c.name),
    )
    .chain(CHECKED_ELSEWHERE)
    .collect();
    for spec in &simd_activations::registry::ALL {
        for form in spec.forms().into_iter().filter(|f| *f != "_inplace") {
            let want = format!("{}{form}", spec.function);
            let covered = names
                .iter()
                .any(|n| *n == want || n.starts_with(&format!("{want}(")));
            assert!(covered, "{want} has no differential case");
        }
    }
}

/// The NaN rule on the cases of issue 9 (item 2), every ISA, lengths that put the NaN in the
/// unrolled body, the single-vector loop and the tail, in place and out of place: `celu` and
/// `softplus` of `f32::NAN` are `0x7fc00000` (were `0xffc00000` on Scalar, and for AVX2
/// `softplus` at n = 64 or in place), a signalling or negative NaN comes back quieted with
/// its sign and payload, `x`'s NaN wins over `dy`'s, and `0 * inf` made from non-NaN inputs is
/// the positive default NaN.
#[test]
fn nan_bits_of_issue_9() {
    let f = f32::from_bits;
    let unary: [(&str, Fwd<f32>, FwdInPlace<f32>); 4] = [
        (
            "celu",
            |i, x, y| celu_on(i, x, y, 1.0),
            |i, xy| celu_inplace_on(i, xy, 1.0),
        ),
        (
            "softplus",
            |i, x, y| softplus_on(i, x, y, 1.0, 20.0),
            |i, xy| softplus_inplace_on(i, xy, 1.0, 20.0),
        ),
        ("relu", relu_on, relu_inplace_on),
        ("sigmoid", sigmoid_on, sigmoid_inplace_on),
    ];
    // (input, result)
    let nans = [
        (0x7fc0_0000, 0x7fc0_0000),
        (0xffc1_2345, 0xffc1_2345),
        (0x7fa0_0001, 0x7fe0_0001),
        (0xff80_0003, 0xffc0_0003),
    ];
    for isa in isas() {
        for n in [1, 7, 8, 9, 16, 33, 64, 65] {
            for &(name, fwd, inplace) in &unary {
                for &(input, want) in &nans {
                    let x = vec![f(input); n];
                    let mut y = vec![0.0; n];
                    fwd(isa, &x, &mut y);
                    let mut xy = x.clone();
                    inplace(isa, &mut xy);
                    for i in 0..n {
                        assert_eq!(y[i].to_bits(), want, "{name} on {isa}, n {n}, at {i}");
                        assert_eq!(xy[i].to_bits(), want, "{name}_inplace on {isa}, n {n}");
                    }
                }
            }
            let mut dx = vec![0.0; n];
            // dy's NaN where x is not NaN; x's where both are.
            sigmoid_backward_on(isa, &vec![1.0; n], &vec![f(0xff80_0003); n], &mut dx);
            assert!(
                dx.iter().all(|d| d.to_bits() == 0xffc0_0003),
                "{isa}, n {n}"
            );
            sigmoid_backward_on(
                isa,
                &vec![f(0x7fa0_0001); n],
                &vec![f(0xffc1_2345); n],
                &mut dx,
            );
            assert!(
                dx.iter().all(|d| d.to_bits() == 0x7fe0_0001),
                "{isa}, n {n}"
            );
            // y = -alpha: elu'(x) = y + alpha = 0, times dy = inf.
            elu_backward_from_output_on(isa, &vec![-1.0; n], &vec![f32::INFINITY; n], &mut dx, 1.0);
            assert!(
                dx.iter().all(|d| d.to_bits() == 0x7fc0_0000),
                "{isa}, n {n}: {dx:?}"
            );
            assert_eq!(
                r::elu_backward(f32::NEG_INFINITY, f32::INFINITY, 1.0).to_bits(),
                0x7fc0_0000
            );
            let mut dx = vec![0.0f64; n];
            elu_backward_from_output_on(isa, &vec![-1.0; n], &vec![f64::INFINITY; n], &mut dx, 1.0);
            assert!(
                dx.iter().all(|d| d.to_bits() == 0x7ff8_0000_0000_0000),
                "{isa}, n {n}"
            );
        }
    }
}
