//! Exhaustive accuracy: every one of the 2^32 f32 inputs, on every ISA this CPU has, against
//! the exact value (evaluated in f64, whose error is ~2^-29 f32 ULP). Reports the maximum error
//! in f32 ULP of the exact value (a correctly rounded result scores <= 0.5), and asserts the
//! bound each function documents.
//!
//! Ignored by default (minutes of CPU in release mode); `.ci/run` runs it with
//! `cargo test --release --test exhaustive -- --ignored --nocapture`.

mod common;

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

fn cases() -> Vec<Case> {
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

#[test]
#[ignore = "2^32 inputs per function and ISA: minutes in release mode; run by .ci/run"]
fn every_f32_input_within_documented_ulp() {
    let cases = cases();
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
