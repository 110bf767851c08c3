//! Exhaustive accuracy: every one of the 2^32 f32 inputs, on every ISA this CPU has, against
//! the exact value (evaluated in f64, whose error is ~2^-29 f32 ULP). Reports the maximum error
//! in f32 ULP of the exact value (a correctly rounded result scores <= 0.5), and asserts the
//! bound each function documents.
//!
//! Ignored by default (minutes of CPU in release mode); `.ci/run` runs it with
//! `cargo test --release --test exhaustive -- --ignored --nocapture`.

mod common;
#[path = "exhaustive/more_activations.rs"]
mod more_activations;

use common::{isas, pow2};
use simd_activations::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// One function under test: the kernel on a chosen ISA, the exact value, the bound in ULP.
struct Case {
    name: &'static str,
    simd: fn(Isa, &[f32], &mut [f32]),
    exact: fn(f64) -> f64,
    bound: f64,
}

/// Error of `got` against `exact` in units of the f32 last place at `exact`.
fn ulp_error(got: f32, exact: f64) -> f64 {
    if got.is_nan() || exact.is_nan() {
        return if got.is_nan() && exact.is_nan() {
            0.0
        } else {
            f64::INFINITY
        };
    }
    let g = got as f64;
    if g == exact {
        return 0.0;
    }
    // Beyond f32::MAX (plus half an ULP) the correctly rounded result is infinite.
    let overflow = exact.abs() >= f32::MAX as f64 + pow2(127 - 24);
    if exact.is_infinite() || g.is_infinite() || overflow {
        let same =
            g.is_infinite() && (overflow || exact.is_infinite()) && g.signum() == exact.signum();
        return if same { 0.0 } else { f64::INFINITY };
    }
    let e = (((exact.to_bits() >> 52) & 0x7ff) as i32 - 1023).max(-126);
    (g - exact).abs() / pow2(e - 23)
}

const SELU_NEG: f64 = SELU_NEG_COEF;

fn elu_exact(x: f64) -> f64 {
    if x > 0.0 {
        x
    } else {
        x.exp_m1()
    }
}

fn elu_slope_exact(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else {
        x.exp()
    }
}

fn elu_cases() -> Vec<Case> {
    vec![
        Case {
            name: "elu",
            simd: |i, x, y| elu_on(i, x, y, 1.0),
            exact: elu_exact,
            bound: 1.0,
        },
        Case {
            name: "celu",
            simd: |i, x, y| celu_on(i, x, y, 1.0),
            exact: elu_exact,
            bound: 1.0,
        },
        Case {
            // alpha = 1 runs ELU's kernel; this one takes the correctly rounded x / alpha.
            name: "celu(alpha 2)",
            simd: |i, x, y| celu_on(i, x, y, 2.0),
            exact: |x| if x > 0.0 { x } else { 2.0 * (x / 2.0).exp_m1() },
            bound: 1.0,
        },
        Case {
            name: "selu",
            simd: selu_on,
            exact: |x| {
                if x > 0.0 {
                    SELU_SCALE * x
                } else {
                    SELU_NEG * x.exp_m1()
                }
            },
            bound: 2.0,
        },
        Case {
            name: "elu_backward",
            simd: |i, x, dx| elu_backward_on(i, x, &vec![1.0; x.len()], dx, 1.0),
            exact: elu_slope_exact,
            bound: 1.0,
        },
        Case {
            name: "celu_backward",
            simd: |i, x, dx| celu_backward_on(i, x, &vec![1.0; x.len()], dx, 1.0),
            exact: elu_slope_exact,
            bound: 1.0,
        },
        Case {
            name: "selu_backward",
            simd: |i, x, dx| selu_backward_on(i, x, &vec![1.0; x.len()], dx),
            exact: |x| {
                if x > 0.0 {
                    SELU_SCALE
                } else {
                    SELU_NEG * x.exp()
                }
            },
            bound: 2.0,
        },
    ]
}

/// The worst input of one (case, ISA).
#[derive(Clone, Copy, Default)]
struct Worst {
    ulp: f64,
    x: f32,
    got: f32,
    exact: f64,
}

extern "C" {
    /// The C library's `erfc` (glibc: under 1 ULP), an oracle independent of the crate's.
    fn erfc(x: f64) -> f64;
}

fn sig(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

fn sech2(x: f64) -> f64 {
    let s = 1.0 / x.cosh();
    s * s
}

/// `Phi(x)` from the C library's `erfc`.
fn phi(x: f64) -> f64 {
    // SAFETY: `erfc` is a pure C math function taking and returning a double.
    0.5 * unsafe { erfc(-x * std::f64::consts::FRAC_1_SQRT_2) }
}

fn softplus_exact(x: f64) -> f64 {
    if x > 20.0 {
        x
    } else {
        x.max(0.0) + (-x.abs()).exp().ln_1p()
    }
}

const BETA: f64 = 0.797_884_560_802_865_4;
const KAPPA: f64 = 0.044_715;

fn gelu_tanh_inner2(x: f64) -> f64 {
    2.0 * BETA * (x + KAPPA * x * x * x)
}

/// `x * f`, with the limit `-0.0` at `-inf` where `f -> 0`.
fn times(x: f64, f: f64) -> f64 {
    if x == f64::NEG_INFINITY {
        -0.0
    } else {
        x * f
    }
}

/// `a + x * b` where `x * b -> 0` at `+-inf`.
fn plus_times(a: f64, x: f64, b: f64) -> f64 {
    if x.is_infinite() {
        a
    } else {
        a + x * b
    }
}

fn ones(n: usize) -> Vec<f32> {
    vec![1.0; n]
}

fn smooth_cases() -> Vec<Case> {
    vec![
        Case {
            name: "sigmoid",
            simd: sigmoid_on,
            exact: sig,
            bound: 1.0,
        },
        Case {
            name: "sigmoid_backward",
            simd: |i, x, d| sigmoid_backward_on(i, x, &ones(x.len()), d),
            exact: |x| sig(x) * sig(-x),
            bound: 2.0,
        },
        Case {
            name: "tanh",
            simd: tanh_on,
            exact: f64::tanh,
            bound: 1.0,
        },
        Case {
            name: "tanh_backward",
            simd: |i, x, d| tanh_backward_on(i, x, &ones(x.len()), d),
            exact: sech2,
            bound: 2.0,
        },
        Case {
            name: "silu",
            simd: silu_on,
            exact: |x| times(x, sig(x)),
            bound: 2.0,
        },
        Case {
            name: "silu_backward",
            simd: |i, x, d| silu_backward_on(i, x, &ones(x.len()), d),
            exact: |x| plus_times(sig(x), x, sig(x) * sig(-x)),
            bound: 3.0,
        },
        Case {
            name: "gelu",
            simd: gelu_on,
            exact: |x| times(x, phi(x)),
            bound: 2.0,
        },
        Case {
            name: "gelu_backward",
            simd: |i, x, d| gelu_backward_on(i, x, &ones(x.len()), d),
            exact: |x| plus_times(phi(x), x, (-0.5 * x * x).exp() * 0.398_942_280_401_432_7),
            bound: 3.0,
        },
        Case {
            name: "gelu_tanh",
            simd: gelu_tanh_on,
            exact: |x| times(x, sig(gelu_tanh_inner2(x))),
            bound: 2.0,
        },
        Case {
            name: "gelu_tanh_backward",
            simd: |i, x, d| gelu_tanh_backward_on(i, x, &ones(x.len()), d),
            exact: |x| {
                let u2 = gelu_tanh_inner2(x);
                let k = 2.0 * BETA * sig(u2) * sig(-u2);
                plus_times(sig(u2), x, (1.0 + 3.0 * KAPPA * x * x) * k)
            },
            bound: 3.0,
        },
        Case {
            name: "softplus",
            simd: |i, x, y| softplus_on(i, x, y, 1.0, 20.0),
            exact: softplus_exact,
            bound: 1.0,
        },
        Case {
            name: "softplus_backward",
            simd: |i, x, d| softplus_backward_on(i, x, &ones(x.len()), d, 1.0, 20.0),
            exact: |x| if x > 20.0 { 1.0 } else { sig(x) },
            bound: 2.0,
        },
        Case {
            name: "mish",
            simd: mish_on,
            exact: |x| times(x, softplus_exact(x).tanh()),
            bound: 2.0,
        },
        Case {
            name: "mish_backward",
            simd: |i, x, d| mish_backward_on(i, x, &ones(x.len()), d),
            exact: |x| {
                let sp = x.max(0.0) + (-x.abs()).exp().ln_1p();
                plus_times(sp.tanh(), x, sech2(sp) * sig(x))
            },
            bound: 3.0,
        },
        Case {
            name: "hardswish",
            simd: hardswish_on,
            exact: |x| {
                if x <= -3.0 {
                    -0.0
                } else {
                    x * (x + 3.0).min(6.0) / 6.0
                }
            },
            bound: 1.0,
        },
        Case {
            name: "hardswish_backward",
            simd: |i, x, d| hardswish_backward_on(i, x, &ones(x.len()), d),
            exact: |x| {
                if x.is_nan() {
                    x
                } else if x <= -3.0 {
                    0.0
                } else if x >= 3.0 {
                    1.0
                } else {
                    x / 3.0 + 0.5
                }
            },
            bound: 2.0,
        },
        Case {
            name: "hardsigmoid",
            simd: hardsigmoid_on,
            exact: |x| (x + 3.0).clamp(0.0, 6.0) / 6.0,
            bound: 1.0,
        },
        Case {
            name: "hardsigmoid_backward",
            simd: |i, x, d| hardsigmoid_backward_on(i, x, &ones(x.len()), d),
            exact: |x| {
                if x.is_nan() {
                    x
                } else if x > -3.0 && x < 3.0 {
                    1.0 / 6.0
                } else {
                    0.0
                }
            },
            bound: 2.0,
        },
    ]
}

#[test]
#[ignore = "2^32 inputs per function and ISA: minutes in release mode; run by .ci/run"]
fn elu_family_every_f32_input_within_documented_ulp() {
    sweep(elu_cases());
}

#[test]
#[ignore = "2^32 inputs per function and ISA: about 10 minutes on 2 cores; run by .ci/run"]
fn smooth_every_f32_input_within_documented_ulp() {
    sweep(smooth_cases());
}

#[test]
#[ignore = "2^32 inputs per function and ISA: minutes in release mode; run by .ci/run"]
fn more_activations_every_f32_input_within_documented_ulp() {
    sweep(more_activations::cases());
}

/// Runs every case over all 2^32 inputs on every ISA, prints the worst input of each, and
/// asserts the bounds.
///
/// `SIMD_ACTIVATIONS_EXHAUSTIVE_ONLY=sigmoid,tanh_backward` (exact names, comma-separated)
/// restricts a run to those functions, for work on one kernel; the CI runs all of them.
fn sweep(mut cases: Vec<Case>) {
    if let Ok(only) = std::env::var("SIMD_ACTIVATIONS_EXHAUSTIVE_ONLY") {
        let names: Vec<&str> = only.split(',').map(str::trim).collect();
        cases.retain(|c| names.contains(&c.name));
        assert!(
            !cases.is_empty(),
            "no function of this sweep is named in {only:?}"
        );
    }
    let isas = isas();
    const CHUNK: u64 = 1 << 16;
    const SCALAR_STRIDE: u64 = 16;
    let next = AtomicU64::new(0);
    let worst = Mutex::new(vec![vec![Worst::default(); isas.len()]; cases.len()]);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let start = std::time::Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut local = vec![vec![Worst::default(); isas.len()]; cases.len()];
                let mut x = vec![0f32; CHUNK as usize];
                let mut y = vec![0f32; CHUNK as usize];
                let mut exact = vec![0f64; CHUNK as usize];
                loop {
                    let base = next.fetch_add(CHUNK, Ordering::Relaxed);
                    if base >= 1 << 32 {
                        break;
                    }
                    for (i, v) in x.iter_mut().enumerate() {
                        *v = f32::from_bits((base + i as u64) as u32);
                    }
                    for (c, case) in cases.iter().enumerate() {
                        for (e, &v) in exact.iter_mut().zip(&x) {
                            *e = (case.exact)(v as f64);
                        }
                        for (k, &isa) in isas.iter().enumerate() {
                            // The portable Scalar ISA runs ~50x slower (software-called FMA):
                            // it gets every 16th chunk, spread evenly over all inputs. It is
                            // bit-identical to the SIMD ISAs by construction, and
                            // tests/differential.rs checks that on every kernel.
                            if isa == Isa::Scalar && (base / CHUNK) % SCALAR_STRIDE != 0 {
                                continue;
                            }
                            (case.simd)(isa, &x, &mut y);
                            let w = &mut local[c][k];
                            for i in 0..x.len() {
                                let err = ulp_error(y[i], exact[i]);
                                if err > w.ulp {
                                    *w = Worst {
                                        ulp: err,
                                        x: x[i],
                                        got: y[i],
                                        exact: exact[i],
                                    };
                                }
                            }
                        }
                    }
                }
                let mut all = worst.lock().unwrap();
                for (c, row) in local.iter().enumerate() {
                    for (k, w) in row.iter().enumerate() {
                        if w.ulp > all[c][k].ulp {
                            all[c][k] = *w;
                        }
                    }
                }
            });
        }
    });
    let worst = worst.into_inner().unwrap();
    println!(
        "every f32 input (the Scalar ISA: every {SCALAR_STRIDE}th block of {CHUNK}), {threads} threads, {:.0} s",
        start.elapsed().as_secs_f64()
    );
    println!(
        "{:<16} {:<8} {:>9}  worst input",
        "function", "isa", "max ulp"
    );
    let mut failures = Vec::new();
    for (c, case) in cases.iter().enumerate() {
        for (k, isa) in isas.iter().enumerate() {
            let w = worst[c][k];
            println!(
                "{:<16} {:<8} {:>9.4}  x = {:e} ({:#010x}): got {:e}, exact {:e}",
                case.name,
                isa.name(),
                w.ulp,
                w.x,
                w.x.to_bits(),
                w.got,
                w.exact
            );
            if w.ulp > case.bound {
                failures.push(format!(
                    "{} on {isa}: {:.4} ULP > {}",
                    case.name, w.ulp, case.bound
                ));
            }
        }
    }
    assert!(failures.is_empty(), "bounds exceeded: {failures:?}");
}
