//! The sparsity statistics: `relu_count_zeros`, `leaky_relu_count_negative` and
//! `prelu_count_negative` give their activation's output bit for bit and a count equal to a
//! scalar count, and `dead_units` marks exactly the units that are `<= 0` in every row, on
//! every ISA, for every length (the unrolled body, the single-vector loop, the tail, and
//! past the 2^20-element partial counts), special values included.

mod common;

use common::{inputs, isas, same, Rng, TestFloat};
use simd_activations::reference::{count_nonpositive, dead_units as dead_units_ref};
use simd_activations::*;

fn lengths() -> Vec<usize> {
    let mut v: Vec<usize> = (0..=200).collect();
    v.extend([255, 1000, 4097, (1 << 20) - 1, (1 << 20) + 37, 3 << 20]);
    v
}

fn counts_and_outputs<T: TestFloat>() {
    let mut rng = Rng::new(3);
    let slope = T::from_f64(0.1);
    for n in lengths() {
        let x = inputs::<T>(n, n % 7, &mut rng);
        let want = count_nonpositive(&x);
        let (mut relu_y, mut leaky_y) = (vec![T::ZERO; n], vec![T::ZERO; n]);
        relu_on(Isa::Scalar, &x, &mut relu_y);
        leaky_relu_on(Isa::Scalar, &x, &mut leaky_y, slope);
        for isa in isas() {
            let mut y = vec![T::from_f64(-7.0); n];
            assert_eq!(
                relu_count_zeros_on(isa, &x, &mut y),
                want,
                "relu {isa} n {n}"
            );
            assert!(
                y.iter().zip(&relu_y).all(|(a, b)| same(*a, *b)),
                "relu y {isa} n {n}"
            );
            let zeros = y.iter().filter(|v| v.to_f64() == 0.0).count();
            assert_eq!(zeros, want, "the count is the outputs' zeros");
            let mut y = vec![T::from_f64(-7.0); n];
            assert_eq!(
                leaky_relu_count_negative_on(isa, &x, &mut y, slope),
                want,
                "leaky {isa} n {n}"
            );
            assert!(
                y.iter().zip(&leaky_y).all(|(a, b)| same(*a, *b)),
                "leaky y {isa} n {n}"
            );
        }
    }
    println!("counts [{}]: ok on {:?}", T::NAME, isas());
}

fn prelu_counts<T: TestFloat>() {
    let mut rng = Rng::new(4);
    let w: Vec<T> = [0.25, -0.5, 0.1, 2.0, 0.0]
        .iter()
        .map(|&v| T::from_f64(v))
        .collect();
    for rows in [0usize, 1, 3, 17, 100] {
        // (weights, inner): shared; NCHW with 2 channels of 6; channels-last rows of 5.
        for (nw, inner) in [(1usize, 1usize), (2, 6), (5, 1), (3, 1)] {
            let n = rows * nw * if nw == 1 { 7 } else { inner };
            let x = inputs::<T>(n, rows, &mut rng);
            let mut want_y = vec![T::ZERO; n];
            prelu_on(Isa::Scalar, &x, &mut want_y, &w[..nw], inner);
            for isa in isas() {
                let mut y = vec![T::from_f64(-7.0); n];
                let got = prelu_count_negative_on(isa, &x, &mut y, &w[..nw], inner);
                assert_eq!(
                    got,
                    count_nonpositive(&x),
                    "prelu {isa} {nw} x {inner}, n {n}"
                );
                assert!(
                    y.iter().zip(&want_y).all(|(a, b)| same(*a, *b)),
                    "prelu y {isa}"
                );
            }
        }
    }
}

fn dead<T: TestFloat>() {
    let mut rng = Rng::new(8);
    let neg = [-1.0, -0.0, 0.0, f64::NEG_INFINITY, -1e-30];
    for units in [1usize, 3, 7, 8, 16, 33, 100] {
        for batch in [0usize, 1, 2, 5, 64] {
            let mut x: Vec<T> = inputs::<T>(batch * units, units, &mut rng);
            // Make every third unit dead (values <= 0 only), and one of them NaN once.
            for b in 0..batch {
                for u in (0..units).step_by(3) {
                    x[b * units + u] = T::from_f64(neg[(b + u) % neg.len()]);
                }
            }
            if batch > 0 && units > 3 {
                x[3] = T::from_f64(f64::NAN);
            }
            let mut want = vec![false; units];
            let count = dead_units_ref(&x, units, &mut want);
            for isa in isas() {
                let mut got = vec![false; units];
                assert_eq!(
                    dead_units_on(isa, &x, units, &mut got),
                    count,
                    "{isa} {units} x {batch}"
                );
                assert_eq!(got, want, "{isa} {units} x {batch}");
            }
            if batch == 0 {
                assert_eq!(count, units, "an empty batch leaves every unit dead");
            } else if units > 3 {
                assert!(!want[3], "a NaN is not <= 0");
            }
        }
    }
}

fn bad_arguments<T: TestFloat>() {
    let x = vec![T::ONE; 6];
    let msg = |r: std::thread::Result<usize>| {
        let e = r.expect_err("no panic");
        e.downcast_ref::<String>().cloned().unwrap_or_default()
    };
    let m = msg(std::panic::catch_unwind(std::panic::AssertUnwindSafe(
        || dead_units(&x, 4, &mut [false; 4]),
    )));
    assert!(
        m.contains("simd_activations::dead_units") && m.contains("row_len = 4"),
        "{m}"
    );
    let m = msg(std::panic::catch_unwind(std::panic::AssertUnwindSafe(
        || dead_units(&x, 0, &mut []),
    )));
    assert!(m.contains("row_len = 0"), "{m}");
    let m = msg(std::panic::catch_unwind(std::panic::AssertUnwindSafe(
        || dead_units(&x, 3, &mut [false; 2]),
    )));
    assert!(m.contains("dead.len() = 2 must equal units = 3"), "{m}");
    let mut y = vec![T::from_f64(-5.0); 5];
    let m = msg(std::panic::catch_unwind(std::panic::AssertUnwindSafe(
        || relu_count_zeros(&x, &mut y),
    )));
    assert!(
        m.contains("relu_count_zeros") && m.contains("length mismatch"),
        "{m}"
    );
    assert!(y.iter().all(|v| same(*v, T::from_f64(-5.0))));
    let mut y = vec![T::from_f64(-5.0); 6];
    let m = msg(std::panic::catch_unwind(std::panic::AssertUnwindSafe(
        || leaky_relu_count_negative(&x, &mut y, T::from_f64(f64::NAN)),
    )));
    assert!(
        m.contains("leaky_relu_count_negative") && m.contains("slope"),
        "{m}"
    );
    let m = msg(std::panic::catch_unwind(std::panic::AssertUnwindSafe(
        || prelu_count_negative(&x, &mut y, &[T::ONE; 4], 1),
    )));
    assert!(
        m.contains("prelu_count_negative") && m.contains("does not divide"),
        "{m}"
    );
    assert!(
        y.iter().all(|v| same(*v, T::from_f64(-5.0))),
        "written before the panic"
    );
}

macro_rules! both_types {
    ($($name:ident => $body:ident;)*) => {
        mod f32_tests { $(#[test] fn $name() { super::$body::<f32>() })* }
        mod f64_tests { $(#[test] fn $name() { super::$body::<f64>() })* }
    };
}

both_types! {
    counts_equal_a_scalar_count_and_outputs_equal_the_activation => counts_and_outputs;
    prelu_counts_every_layout => prelu_counts;
    dead_units_equal_a_scalar_check => dead;
    bad_arguments_panic_and_write_nothing => bad_arguments;
}
