//! Softmax and log-softmax over rows, and their gradients from the output: every ISA against
//! the Scalar ISA bit for bit and against an f64 reference (f32 rows: within 2 ULP of the
//! reference rounded once, which is within 2^-50 of the exact value), special rows as
//! PyTorch (NaN, `+inf`, all `-inf`: NaN throughout; `-inf` among finite values: 0 and
//! `-inf`), rows of 2^20 elements (random and sorted), and the argument checks.

mod common;

use common::{isas, nans, same, ulps_between, Rng, TestFloat};
use simd_activations::reference as r;
use simd_activations::*;

type RowFn<T> = fn(Isa, &[T], &mut [T], usize);
type RowRef<T> = fn(&[T]) -> Vec<T>;

fn forms<T: TestFloat>() -> [(&'static str, RowFn<T>, RowRef<T>); 2] {
    [
        ("softmax", softmax_on, r::softmax),
        ("log_softmax", log_softmax_on, r::log_softmax),
    ]
}

/// A row of `n` values from `band`: 0 ordinary [-20, 20], 1 wide [-1e4, 1e4], 2 tight around
/// 1e4 (large values whose differences are small), 3 mixed magnitudes (the crate's bands).
fn row<T: TestFloat>(n: usize, band: usize, rng: &mut Rng) -> Vec<T> {
    (0..n)
        .map(|_| {
            let u = rng.unit();
            T::from_f64(match band {
                0 => 40.0 * u - 20.0,
                1 => 2e4 * u - 1e4,
                2 => 1e4 + 8.0 * u,
                _ => {
                    let v: T = rng.value();
                    if v.to_f64().is_finite() {
                        v.to_f64()
                    } else {
                        u
                    }
                }
            })
        })
        .collect()
}

/// Tolerance against the reference: f32 2 ULP (the reference is the correctly rounded value
/// to within 2^-50); f64 4 ULP (the f64 reference itself rounds a few times).
fn tol<T: TestFloat>() -> f64 {
    if T::NAME == "f32" {
        2.0
    } else {
        4.0
    }
}

fn check_rows<T: TestFloat>(name: &str, f: RowFn<T>, reference: RowRef<T>, x: &[T], n: usize) {
    let want: Vec<T> = x.chunks(n).flat_map(reference).collect();
    let mut scalar = vec![T::ZERO; x.len()];
    f(Isa::Scalar, x, &mut scalar, n);
    let mut worst = 0.0f64;
    for isa in isas() {
        let mut y = vec![T::from_f64(-7.0); x.len()];
        f(isa, x, &mut y, n);
        for i in 0..x.len() {
            assert!(
                same(y[i], scalar[i]),
                "{name} [{}] on {isa}, row_len {n}, index {i}: {:e}, Scalar {:e}",
                T::NAME,
                y[i],
                scalar[i]
            );
            if y[i].is_nan() || want[i].is_nan() {
                assert!(
                    same(y[i], want[i]),
                    "{name} [{}] {i}: {:e} vs {:e}",
                    T::NAME,
                    y[i],
                    want[i]
                );
                continue;
            }
            let e = ulps_between(y[i], want[i]);
            worst = worst.max(e);
            assert!(
                e <= tol::<T>(),
                "{name} [{}] on {isa}, row_len {n}, index {i}: x = {:e}: {:e}, reference {:e} ({e} ULP)",
                T::NAME,
                x[i],
                y[i],
                want[i]
            );
        }
    }
    let _ = worst;
}

fn forward_rows<T: TestFloat>() {
    let mut rng = Rng::new(11);
    for (name, f, reference) in forms::<T>() {
        for n in (1..=70).chain([127, 255, 256, 1000, 4097]) {
            for band in 0..4 {
                let x = row::<T>(3 * n, band, &mut rng);
                check_rows(name, f, reference, &x, n);
            }
        }
        println!("{name} [{}]: ok on {:?}", T::NAME, isas());
    }
}

/// PyTorch's results for the special rows, exactly.
fn special_rows<T: TestFloat>() {
    let inf = T::from_f64(f64::INFINITY);
    let ninf = T::from_f64(f64::NEG_INFINITY);
    let one = T::ONE;
    for n in [1usize, 2, 5, 16, 17, 40] {
        for at in [0, n / 2, n - 1] {
            for isa in isas() {
                // A NaN, or a +inf, anywhere: NaN throughout, each element its own NaN.
                for special in nans::<T>().into_iter().chain([inf]) {
                    let mut x = vec![one; n];
                    x[at] = special;
                    for (name, f, reference) in forms::<T>() {
                        let mut y = vec![T::ZERO; n];
                        f(isa, &x, &mut y, n);
                        let want = reference(&x);
                        for i in 0..n {
                            assert!(y[i].is_nan(), "{name} {isa} n {n}: {:e} at {i}", y[i]);
                            assert!(same(y[i], want[i]), "{name} {isa}: NaN bits at {i}");
                            let own = if x[i].is_nan() { x[i] } else { T::NAN };
                            assert!(same(y[i], common::nan_rule(&[own], own)));
                        }
                    }
                }
                // All -inf: NaN (PyTorch: -inf - -inf).
                let x = vec![ninf; n];
                for (name, f, _) in forms::<T>() {
                    let mut y = vec![T::ZERO; n];
                    f(isa, &x, &mut y, n);
                    assert!(y.iter().all(|v| same(*v, T::NAN)), "{name} {isa}: all -inf");
                }
                // -inf among finite values: 0 (softmax) and -inf (log-softmax), the others
                // as if it were absent.
                if n > 1 {
                    let mut x = vec![one; n];
                    x[at] = ninf;
                    let mut y = vec![T::from_f64(9.0); n];
                    softmax_on(isa, &x, &mut y, n);
                    let share = T::from_f64(1.0 / (n - 1) as f64);
                    for (i, v) in y.iter().enumerate() {
                        let want = if i == at { T::ZERO } else { share };
                        assert!(
                            ulps_between(*v, want) <= 1.0,
                            "softmax {isa} -inf row at {i}: {v:e}"
                        );
                    }
                    assert!(same(y[at], T::ZERO));
                    log_softmax_on(isa, &x, &mut y, n);
                    assert!(same(y[at], ninf));
                    let want = T::from_f64(-((n - 1) as f64).ln());
                    for i in (0..n).filter(|&i| i != at) {
                        assert!(
                            ulps_between(y[i], want) <= 1.0,
                            "log_softmax {isa} at {i}: {:e}",
                            y[i]
                        );
                    }
                }
            }
        }
    }
    // One element: 1 and 0 (from any finite value, however large).
    for v in [0.0, -1e30, 3e38, 1e-40] {
        let x = [T::from_f64(v)];
        let (mut y, mut z) = ([T::ZERO], [T::ONE]);
        softmax(&x, &mut y, 1);
        log_softmax(&x, &mut z, 1);
        assert!(
            same(y[0], T::ONE) && same(z[0], T::ZERO),
            "{v}: {:e} {:e}",
            y[0],
            z[0]
        );
    }
    // A dominant element: log-softmax keeps -e^-100, not 0.
    let mut z = [T::ZERO; 2];
    log_softmax(&[T::ZERO, T::from_f64(-100.0)], &mut z, 2);
    assert!(
        ulps_between(z[0], T::from_f64(-(-100.0f64).exp())) <= 1.0,
        "{:e}",
        z[0]
    );
}

/// Rows of 2^20 elements: random, sorted increasing (every element a new maximum) and
/// decreasing, all equal; within the bound of the reference, and the softmax sums to 1.
fn long_rows<T: TestFloat>() {
    let n = 1 << 20;
    let mut rng = Rng::new(5);
    let rows: Vec<(&str, Vec<T>)> = vec![
        ("random", row(n, 0, &mut rng)),
        (
            "increasing",
            (0..n).map(|i| T::from_f64(i as f64 * 1e-4)).collect(),
        ),
        (
            "increasing fast",
            (0..n)
                .map(|i| T::from_f64(i as f64 * 0.01 - 5000.0))
                .collect(),
        ),
        (
            "decreasing",
            (0..n).map(|i| T::from_f64(-(i as f64) * 1e-3)).collect(),
        ),
        ("equal", vec![T::from_f64(3.5); n]),
    ];
    for (what, x) in rows {
        for (name, f, reference) in forms::<T>() {
            let want = reference(&x);
            let mut y = vec![T::ZERO; n];
            f(Isa::active(), &x, &mut y, n);
            let worst = (0..n)
                .map(|i| ulps_between(y[i], want[i]))
                .fold(0.0, f64::max);
            println!(
                "{name} [{}] {what} row of 2^20: max {worst:.3} ULP against the reference",
                T::NAME
            );
            assert!(worst <= tol::<T>(), "{name} {what}: {worst} ULP");
            if name == "softmax" {
                let s: f64 = y.iter().map(|v| v.to_f64()).sum();
                assert!((s - 1.0).abs() < 1e-4, "{what}: sum {s}");
            }
        }
    }
}

/// A Neumaier-compensated sum.
fn compensated(v: impl Iterator<Item = f64>) -> f64 {
    let (mut s, mut c) = (0.0f64, 0.0f64);
    for e in v {
        let t = s + e;
        c += if s.abs() >= e.abs() {
            (s - t) + e
        } else {
            (e - t) + s
        };
        s = t;
    }
    s + c
}

/// The gradients from the output against f64 formulas on the same `y` and `dy`: within
/// 2 ULP or the error the row sum's rounding and the difference `dy - s` allow.
fn gradients<T: TestFloat>() {
    let mut rng = Rng::new(21);
    let eps = if T::NAME == "f32" {
        2f64.powi(-24)
    } else {
        2f64.powi(-53)
    };
    for n in (1..=40).chain([255, 1000, 4097]) {
        let x = row::<T>(2 * n, 0, &mut rng);
        let dy: Vec<T> = (0..2 * n)
            .map(|_| T::from_f64(4.0 * rng.unit() - 2.0))
            .collect();
        for log in [false, true] {
            let mut y = vec![T::ZERO; 2 * n];
            if log {
                log_softmax(&x, &mut y, n);
            } else {
                softmax(&x, &mut y, n);
            }
            let mut scalar = vec![T::ZERO; 2 * n];
            let grad = if log {
                log_softmax_backward_from_output_on
            } else {
                softmax_backward_from_output_on
            };
            grad(Isa::Scalar, &y, &dy, &mut scalar, n);
            for isa in isas() {
                let mut dx = vec![T::ZERO; 2 * n];
                grad(isa, &y, &dy, &mut dx, n);
                for r in 0..2 {
                    let rows = r * n..(r + 1) * n;
                    let (yr, dyr) = (&y[rows.clone()], &dy[rows.clone()]);
                    let s = if log {
                        compensated(dyr.iter().map(|v| v.to_f64()))
                    } else {
                        compensated(yr.iter().zip(dyr).flat_map(|(a, b)| {
                            let p = a.to_f64() * b.to_f64();
                            [p, a.to_f64().mul_add(b.to_f64(), -p)]
                        }))
                    };
                    let scale: f64 = if log {
                        dyr.iter().map(|v| v.to_f64().abs()).sum()
                    } else {
                        yr.iter()
                            .zip(dyr)
                            .map(|(a, b)| (a.to_f64() * b.to_f64()).abs())
                            .sum()
                    };
                    for i in rows {
                        assert!(same(dx[i], scalar[i]), "{isa} differs from Scalar at {i}");
                        let (yi, di) = (y[i].to_f64(), dy[i].to_f64());
                        let (want, size) = if log {
                            (
                                di - yi.exp() * s,
                                di.abs() + yi.exp() * (s.abs() + scale * eps * n as f64),
                            )
                        } else {
                            (
                                yi * (di - s),
                                yi.abs() * (di.abs() + s.abs() + scale * eps * n as f64),
                            )
                        };
                        let err = (dx[i].to_f64() - want).abs();
                        assert!(
                            ulps_between(dx[i], T::from_f64(want)) <= 2.0
                                || err <= 4.0 * eps * size,
                            "grad (log {log}) [{}] on {isa}, n {n}, {i}: {:e}, f64 {want:e}",
                            T::NAME,
                            dx[i]
                        );
                    }
                }
            }
        }
    }
}

/// Bad shapes panic naming the function and the values, and write nothing.
fn bad_arguments<T: TestFloat>() {
    let sentinel = T::from_f64(-12345.0);
    type Call<T> = Box<dyn Fn(&mut [T])>;
    let x = vec![T::ONE; 6];
    let cases: Vec<(&str, usize, String, Call<T>)> = vec![
        (
            "softmax",
            6,
            "row_len = 0 must be > 0 and divide the length 6".into(),
            {
                let x = x.clone();
                Box::new(move |y| softmax(&x, y, 0))
            },
        ),
        (
            "softmax",
            6,
            "row_len = 4 must be > 0 and divide the length 6".into(),
            {
                let x = x.clone();
                Box::new(move |y| softmax(&x, y, 4))
            },
        ),
        (
            "log_softmax",
            6,
            "row_len = 7 must be > 0 and divide the length 6".into(),
            {
                let x = x.clone();
                Box::new(move |y| log_softmax(&x, y, 7))
            },
        ),
        ("softmax", 5, "x.len() = 6, y.len() = 5".into(), {
            let x = x.clone();
            Box::new(move |y| softmax(&x, y, 3))
        }),
        ("softmax_backward_from_output", 6, "row_len = 0".into(), {
            let x = x.clone();
            Box::new(move |dx| softmax_backward_from_output(&x, &x, dx, 0))
        }),
        (
            "log_softmax_backward_from_output",
            4,
            "dx.len() = 4".into(),
            {
                let x = x.clone();
                Box::new(move |dx| log_softmax_backward_from_output(&x, &x, dx, 3))
            },
        ),
        (
            "log_softmax_backward_from_output",
            6,
            "row_len = 5".into(),
            {
                let x = x.clone();
                Box::new(move |dx| log_softmax_backward_from_output(&x, &x, dx, 5))
            },
        ),
    ];
    for (func, len, msg, call) in cases {
        let mut out = vec![sentinel; len];
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| call(&mut out)));
        let e = r.expect_err("no panic");
        let text = e.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(
            text.contains(&format!("simd_activations::{func}")) && text.contains(&msg),
            "{text}"
        );
        assert!(
            out.iter().all(|v| same(*v, sentinel)),
            "{func}: written before the panic"
        );
    }
    // Empty input with any positive row length is fine.
    softmax::<T>(&[], &mut [], 3);
}

macro_rules! both_types {
    ($($name:ident => $body:ident;)*) => {
        mod f32_tests { $(#[test] fn $name() { super::$body::<f32>() })* }
        mod f64_tests { $(#[test] fn $name() { super::$body::<f64>() })* }
    };
}

both_types! {
    rows_match_the_reference_on_every_isa => forward_rows;
    special_rows_as_pytorch => special_rows;
    rows_of_two_to_the_twenty => long_rows;
    gradients_from_the_output => gradients;
    bad_arguments_panic_and_write_nothing => bad_arguments;
}
