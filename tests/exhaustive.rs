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

/// `exp(-a)` for `a >= 0`, with the result `0` (as the C library rounds it) taken directly
/// where it underflows: the C library's underflow path is twice as slow, and half of all f32
/// inputs take it.
fn exp_of_neg(a: f64) -> f64 {
    if a > 746.0 {
        0.0
    } else {
        (-a).exp()
    }
}

/// `expm1(x)`, with `-1` (as f64 rounds it) taken directly below -40.
fn expm1_exact(x: f64) -> f64 {
    if x < -40.0 {
        -1.0
    } else {
        x.exp_m1()
    }
}

/// `tanh(x)`, with `+-1` (as f64 rounds it) taken directly where `|x| > 20`.
fn tanh_exact(x: f64) -> f64 {
    if x.abs() > 20.0 {
        x.signum()
    } else {
        x.tanh()
    }
}

fn elu_exact(x: f64) -> f64 {
    if x > 0.0 {
        x
    } else {
        expm1_exact(x)
    }
}

fn elu_slope_exact(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else {
        exp_of_neg(-x)
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
            exact: |x| {
                if x > 0.0 {
                    x
                } else {
                    2.0 * expm1_exact(x / 2.0)
                }
            },
            bound: 1.0,
        },
        Case {
            name: "selu",
            simd: selu_on,
            exact: |x| {
                if x > 0.0 {
                    SELU_SCALE * x
                } else {
                    SELU_NEG * expm1_exact(x)
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
                    SELU_NEG * exp_of_neg(-x)
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
    sig_and_slope(x).0
}

/// `sigmoid(x)` and its slope `sigmoid(x) sigmoid(-x)` from one exponential, `e = exp(-|x|)`:
/// `1 / (1 + e)` or `e / (1 + e)`, and `e / (1 + e)^2` (no cancellation; a few f64 roundings).
fn sig_and_slope(x: f64) -> (f64, f64) {
    let e = exp_of_neg(x.abs());
    let r = 1.0 / (1.0 + e);
    let s = if x >= 0.0 { r } else { e * r };
    (s, e * r * r)
}

/// `tanh(softplus(x))`, `sech^2(softplus(x))` and `sigmoid(x)` from one exponential: with
/// `e = exp(x)` and `n = e (e + 2) = (1 + e)^2 - 1`, they are `n / (n + 2)`,
/// `4 (n + 1) / (n + 2)^2` and `e / (1 + e)` (sums of positive terms). Above `x = 20` they are
/// 1, `4 exp(-2x)` and 1 to f64 precision.
fn mish_parts(x: f64) -> (f64, f64, f64) {
    if x > 20.0 {
        return (1.0, 4.0 * exp_of_neg(2.0 * x), 1.0);
    }
    let e = exp_of_neg(-x);
    let n = e * (e + 2.0);
    let d = 1.0 / (n + 2.0);
    (n * d, 4.0 * (n + 1.0) * d * d, e / (1.0 + e))
}

/// `sech^2(x) = 4 e / (1 + e)^2` with `e = exp(-2|x|)`.
fn sech2(x: f64) -> f64 {
    let e = exp_of_neg(2.0 * x.abs());
    4.0 * e / ((1.0 + e) * (1.0 + e))
}

/// `Phi(x)` from the C library's `erfc`.
fn phi(x: f64) -> f64 {
    // Below -40 the value (under 2^-1100) underflows to 0 in f64: the C library's underflow
    // path is slow, and nearly half of all f32 inputs are there.
    if x < -40.0 {
        return 0.0;
    }
    // SAFETY: `erfc` is a pure C math function taking and returning a double.
    0.5 * unsafe { erfc(-x * std::f64::consts::FRAC_1_SQRT_2) }
}

fn softplus_exact(x: f64) -> f64 {
    if x > 20.0 {
        x
    } else {
        x.max(0.0) + exp_of_neg(x.abs()).ln_1p()
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
            exact: |x| sig_and_slope(x).1,
            bound: 2.0,
        },
        Case {
            name: "tanh",
            simd: tanh_on,
            exact: tanh_exact,
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
            exact: |x| {
                let (s, d) = sig_and_slope(x);
                plus_times(s, x, d)
            },
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
            exact: |x| plus_times(phi(x), x, exp_of_neg(0.5 * x * x) * 0.398_942_280_401_432_7),
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
                let (s, d) = sig_and_slope(gelu_tanh_inner2(x));
                plus_times(s, x, (1.0 + 3.0 * KAPPA * x * x) * 2.0 * BETA * d)
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
            exact: |x| times(x, mish_parts(x).0),
            bound: 2.0,
        },
        Case {
            name: "mish_backward",
            simd: |i, x, d| mish_backward_on(i, x, &ones(x.len()), d),
            exact: |x| {
                let (t, q, s) = mish_parts(x);
                plus_times(t, x, q * s)
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
    // For quick local runs only: `SIMD_ACTIVATIONS_EXHAUSTIVE_EVERY=64` sweeps every 64th block
    // of inputs (a sample, spread over all of them); unset, as in the CI, every input.
    let every: u64 = std::env::var("SIMD_ACTIVATIONS_EXHAUSTIVE_EVERY")
        .map(|v| {
            v.parse()
                .expect("SIMD_ACTIVATIONS_EXHAUSTIVE_EVERY is a block count")
        })
        .unwrap_or(1);
    let isas = isas();
    const CHUNK: u64 = 1 << 16;
    const SCALAR_STRIDE: u64 = 64;
    let next = AtomicU64::new(0);
    let worst = Mutex::new(vec![vec![Worst::default(); isas.len()]; cases.len()]);
    // CPU seconds per case: evaluating the exact values, and running and checking the ISAs.
    let spent = Mutex::new(vec![[0f64; 2]; cases.len()]);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let start = std::time::Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut local = vec![vec![Worst::default(); isas.len()]; cases.len()];
                let mut local_spent = vec![[0f64; 2]; cases.len()];
                let mut x = vec![0f32; CHUNK as usize];
                let mut y = vec![0f32; CHUNK as usize];
                let mut y_prev = vec![0f32; CHUNK as usize];
                let mut exact = vec![0f64; CHUNK as usize];
                loop {
                    let base = next.fetch_add(CHUNK * every, Ordering::Relaxed);
                    if base >= 1 << 32 {
                        break;
                    }
                    for (i, v) in x.iter_mut().enumerate() {
                        *v = f32::from_bits((base + i as u64) as u32);
                    }
                    for (c, case) in cases.iter().enumerate() {
                        let t0 = std::time::Instant::now();
                        for (e, &v) in exact.iter_mut().zip(&x) {
                            *e = (case.exact)(v as f64);
                        }
                        let t1 = std::time::Instant::now();
                        // The worst input of this block on the previous ISA run on it, whose
                        // output is in `y_prev`.
                        let mut prev: Option<Worst> = None;
                        for (k, &isa) in isas.iter().enumerate() {
                            // The portable Scalar ISA runs ~50x slower (software-called FMA):
                            // it gets every 64th block, spread evenly over all inputs. It is
                            // bit-identical to the SIMD ISAs by construction, and
                            // tests/differential.rs checks that on every kernel.
                            if isa == Isa::Scalar && (base / (CHUNK * every)) % SCALAR_STRIDE != 0 {
                                continue;
                            }
                            (case.simd)(isa, &x, &mut y);
                            // An output bit-identical to the previous ISA's (the usual case:
                            // the ISAs share one body) has the same errors: reuse its worst.
                            let same = prev.is_some()
                                && y.iter()
                                    .zip(&y_prev)
                                    .all(|(a, b)| a.to_bits() == b.to_bits());
                            let block = match prev {
                                Some(w) if same => w,
                                _ => {
                                    let mut w = Worst::default();
                                    for i in 0..x.len() {
                                        let err = ulp_error(y[i], exact[i]);
                                        if err > w.ulp {
                                            w = Worst {
                                                ulp: err,
                                                x: x[i],
                                                got: y[i],
                                                exact: exact[i],
                                            };
                                        }
                                    }
                                    w
                                }
                            };
                            if block.ulp > local[c][k].ulp {
                                local[c][k] = block;
                            }
                            prev = Some(block);
                            std::mem::swap(&mut y, &mut y_prev);
                        }
                        local_spent[c][0] += (t1 - t0).as_secs_f64();
                        local_spent[c][1] += t1.elapsed().as_secs_f64();
                    }
                }
                for (all, mine) in spent.lock().unwrap().iter_mut().zip(&local_spent) {
                    all[0] += mine[0];
                    all[1] += mine[1];
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
    let spent = spent.into_inner().unwrap();
    let swept = if every == 1 {
        "every f32 input".to_string()
    } else {
        format!("every {every}th block of {CHUNK} f32 inputs")
    };
    println!(
        "{swept} (the Scalar ISA: every {}th block), {threads} threads, {:.0} s",
        every * SCALAR_STRIDE,
        start.elapsed().as_secs_f64()
    );
    println!(
        "{:<16} {:<8} {:>9}  worst input",
        "function", "isa", "max ulp"
    );
    let mut failures = Vec::new();
    for (c, case) in cases.iter().enumerate() {
        println!(
            "{:<16} CPU seconds: {:.0} for the exact values, {:.0} for the ISAs",
            case.name, spent[c][0], spent[c][1]
        );
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
