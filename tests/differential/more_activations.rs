//! The element-wise activations of issue 11: softsign, threshold, thresholded ReLU,
//! hardshrink, softshrink, tanhshrink, log-sigmoid, QuickGELU, SiLU with a slope and RReLU
//! (evaluation mode), forward and backward, default and other parameters; RReLU's training
//! mode is checked in `rrelu_training`.

use super::{smooth, smooth_grad, Backward, Forward, Tol};
use crate::common::TestFloat;
use simd_activations::reference as r;
use simd_activations::*;

fn t<T: TestFloat>(v: f64) -> T {
    T::from_f64(v)
}

/// f32 within `f32_ulp`, f64 within `f64_ulp` (the f64 references round a few times).
fn ulps<T: TestFloat>(f32_ulp: f64, f64_ulp: f64) -> Tol {
    Tol::Ulp(if T::NAME == "f32" { f32_ulp } else { f64_ulp })
}

pub(super) fn forward_cases<T: TestFloat>() -> Vec<Forward<T>> {
    vec![
        Forward {
            name: "softsign",
            simd: softsign_on,
            inplace: softsign_inplace_on,
            reference: r::softsign,
            tol: smooth::<T>(2.0),
        },
        Forward {
            name: "threshold",
            simd: |i, x, y| threshold_on(i, x, y, T::ZERO, T::ZERO),
            inplace: |i, xy| threshold_inplace_on(i, xy, T::ZERO, T::ZERO),
            reference: |x| r::threshold(x, T::ZERO, T::ZERO),
            tol: Tol::Exact,
        },
        Forward {
            name: "threshold(1, -7)",
            simd: |i, x, y| threshold_on(i, x, y, T::ONE, t(-7.0)),
            inplace: |i, xy| threshold_inplace_on(i, xy, T::ONE, t(-7.0)),
            reference: |x| r::threshold(x, T::ONE, t(-7.0)),
            tol: Tol::Exact,
        },
        Forward {
            name: "thresholded_relu",
            simd: |i, x, y| thresholded_relu_on(i, x, y, T::ONE),
            inplace: |i, xy| thresholded_relu_inplace_on(i, xy, T::ONE),
            reference: |x| r::thresholded_relu(x, T::ONE),
            tol: Tol::Exact,
        },
        Forward {
            name: "thresholded_relu(-1)",
            simd: |i, x, y| thresholded_relu_on(i, x, y, -T::ONE),
            inplace: |i, xy| thresholded_relu_inplace_on(i, xy, -T::ONE),
            reference: |x| r::thresholded_relu(x, -T::ONE),
            tol: Tol::Exact,
        },
        Forward {
            name: "hardshrink",
            simd: |i, x, y| hardshrink_on(i, x, y, t(0.5)),
            inplace: |i, xy| hardshrink_inplace_on(i, xy, t(0.5)),
            reference: |x| r::hardshrink(x, t(0.5)),
            tol: Tol::Exact,
        },
        Forward {
            name: "hardshrink(1)",
            simd: |i, x, y| hardshrink_on(i, x, y, T::ONE),
            inplace: |i, xy| hardshrink_inplace_on(i, xy, T::ONE),
            reference: |x| r::hardshrink(x, T::ONE),
            tol: Tol::Exact,
        },
        Forward {
            name: "softshrink",
            simd: |i, x, y| softshrink_on(i, x, y, t(0.5)),
            inplace: |i, xy| softshrink_inplace_on(i, xy, t(0.5)),
            reference: |x| r::softshrink(x, t(0.5)),
            tol: Tol::Exact,
        },
        Forward {
            name: "softshrink(1)",
            simd: |i, x, y| softshrink_on(i, x, y, T::ONE),
            inplace: |i, xy| softshrink_inplace_on(i, xy, T::ONE),
            reference: |x| r::softshrink(x, T::ONE),
            tol: Tol::Exact,
        },
        Forward {
            name: "softshrink(0)",
            simd: |i, x, y| softshrink_on(i, x, y, T::ZERO),
            inplace: |i, xy| softshrink_inplace_on(i, xy, T::ZERO),
            reference: |x| r::softshrink(x, T::ZERO),
            tol: Tol::Exact,
        },
        Forward {
            name: "tanhshrink",
            simd: tanhshrink_on,
            inplace: tanhshrink_inplace_on,
            reference: r::tanhshrink,
            // f64: above |x| = 1/2 the reference's x - tanh(x) cancels (measured 16.3 ULP at
            // x = 0.565, where the kernel is within 0.66 of the 40-digit value).
            tol: smooth::<T>(24.0),
        },
        Forward {
            name: "log_sigmoid",
            simd: log_sigmoid_on,
            inplace: log_sigmoid_inplace_on,
            reference: r::log_sigmoid,
            tol: smooth::<T>(4.0),
        },
        Forward {
            name: "quick_gelu",
            simd: quick_gelu_on,
            inplace: quick_gelu_inplace_on,
            reference: r::quick_gelu,
            tol: smooth::<T>(4.0),
        },
        Forward {
            name: "silu_beta",
            simd: |i, x, y| silu_beta_on(i, x, y, T::ONE),
            inplace: |i, xy| silu_beta_inplace_on(i, xy, T::ONE),
            reference: |x| r::silu_beta(x, T::ONE),
            tol: smooth::<T>(4.0),
        },
        Forward {
            name: "silu_beta(1.5)",
            simd: |i, x, y| silu_beta_on(i, x, y, t(1.5)),
            inplace: |i, xy| silu_beta_inplace_on(i, xy, t(1.5)),
            reference: |x| r::silu_beta(x, t(1.5)),
            tol: smooth::<T>(4.0),
        },
        Forward {
            name: "silu_beta(-0.5)",
            simd: |i, x, y| silu_beta_on(i, x, y, t(-0.5)),
            inplace: |i, xy| silu_beta_inplace_on(i, xy, t(-0.5)),
            reference: |x| r::silu_beta(x, t(-0.5)),
            tol: smooth::<T>(4.0),
        },
        Forward {
            name: "silu_beta(0)",
            simd: |i, x, y| silu_beta_on(i, x, y, T::ZERO),
            inplace: |i, xy| silu_beta_inplace_on(i, xy, T::ZERO),
            reference: |x| r::silu_beta(x, T::ZERO),
            tol: Tol::Exact,
        },
        Forward {
            name: "rrelu",
            simd: |i, x, y| rrelu_on(i, x, y, t(0.125), t(1.0 / 3.0)),
            inplace: |i, xy| rrelu_inplace_on(i, xy, t(0.125), t(1.0 / 3.0)),
            reference: |x| r::rrelu(x, t(0.125), t(1.0 / 3.0)),
            tol: Tol::Exact,
        },
    ]
}

pub(super) fn backward_cases<T: TestFloat>() -> Vec<Backward<T>> {
    vec![
        Backward {
            name: "softsign_backward",
            simd: softsign_backward_on,
            reference: r::softsign_backward,
            input_of_x: None,
            // The reference rounds 1 / d, its square and the product: up to ~2 ULP; the
            // kernel rounds the derivative once, then the product.
            tol: ulps::<T>(3.0, 4.0),
        },
        Backward {
            name: "threshold_backward",
            simd: |i, x, dy, dx| threshold_backward_on(i, x, dy, dx, T::ZERO, T::ZERO),
            reference: |x, dy| r::threshold_backward(x, dy, T::ZERO),
            input_of_x: None,
            tol: Tol::Exact,
        },
        Backward {
            name: "threshold_backward(1, -7)",
            simd: |i, x, dy, dx| threshold_backward_on(i, x, dy, dx, T::ONE, t(-7.0)),
            reference: |x, dy| r::threshold_backward(x, dy, T::ONE),
            input_of_x: None,
            tol: Tol::Exact,
        },
        Backward {
            name: "thresholded_relu_backward",
            simd: |i, x, dy, dx| thresholded_relu_backward_on(i, x, dy, dx, T::ONE),
            reference: |x, dy| r::thresholded_relu_backward(x, dy, T::ONE),
            input_of_x: None,
            tol: Tol::Exact,
        },
        Backward {
            name: "hardshrink_backward",
            simd: |i, x, dy, dx| hardshrink_backward_on(i, x, dy, dx, t(0.5)),
            reference: |x, dy| r::hardshrink_backward(x, dy, t(0.5)),
            input_of_x: None,
            tol: Tol::Exact,
        },
        Backward {
            name: "hardshrink_backward(1)",
            simd: |i, x, dy, dx| hardshrink_backward_on(i, x, dy, dx, T::ONE),
            reference: |x, dy| r::hardshrink_backward(x, dy, T::ONE),
            input_of_x: None,
            tol: Tol::Exact,
        },
        Backward {
            name: "softshrink_backward",
            simd: |i, x, dy, dx| softshrink_backward_on(i, x, dy, dx, t(0.5)),
            reference: |x, dy| r::softshrink_backward(x, dy, t(0.5)),
            input_of_x: None,
            tol: Tol::Exact,
        },
        Backward {
            name: "softshrink_backward(1)",
            simd: |i, x, dy, dx| softshrink_backward_on(i, x, dy, dx, T::ONE),
            reference: |x, dy| r::softshrink_backward(x, dy, T::ONE),
            input_of_x: None,
            tol: Tol::Exact,
        },
        Backward {
            name: "tanhshrink_backward",
            simd: tanhshrink_backward_on,
            reference: r::tanhshrink_backward,
            input_of_x: None,
            tol: smooth::<T>(6.0),
        },
        Backward {
            name: "log_sigmoid_backward",
            simd: log_sigmoid_backward_on,
            reference: r::log_sigmoid_backward,
            input_of_x: None,
            tol: smooth::<T>(4.0),
        },
        Backward {
            name: "quick_gelu_backward",
            simd: quick_gelu_backward_on,
            reference: r::quick_gelu_backward,
            input_of_x: None,
            tol: smooth_grad::<T>(),
        },
        Backward {
            name: "silu_beta_backward",
            simd: |i, x, dy, dx| silu_beta_backward_on(i, x, dy, dx, T::ONE),
            reference: |x, dy| r::silu_beta_backward(x, dy, T::ONE),
            input_of_x: None,
            tol: smooth_grad::<T>(),
        },
        Backward {
            name: "silu_beta_backward(1.5)",
            simd: |i, x, dy, dx| silu_beta_backward_on(i, x, dy, dx, t(1.5)),
            reference: |x, dy| r::silu_beta_backward(x, dy, t(1.5)),
            input_of_x: None,
            tol: smooth_grad::<T>(),
        },
        Backward {
            name: "silu_beta_backward(-0.5)",
            simd: |i, x, dy, dx| silu_beta_backward_on(i, x, dy, dx, t(-0.5)),
            reference: |x, dy| r::silu_beta_backward(x, dy, t(-0.5)),
            input_of_x: None,
            tol: smooth_grad::<T>(),
        },
        Backward {
            name: "rrelu_backward",
            simd: |i, x, dy, dx| rrelu_backward_on(i, x, dy, dx, t(0.125), t(1.0 / 3.0)),
            reference: |x, dy| r::rrelu_backward(x, dy, t(0.125), t(1.0 / 3.0)),
            input_of_x: None,
            tol: Tol::Exact,
        },
    ]
}

/// RReLU in training mode: `y = x * noise` exactly where `x <= 0` with every slope in
/// `[lower, upper]` and equal to the reference generator's, `y = x` and noise 1 elsewhere;
/// the same seed gives the same slopes, another seed others; the backward is `dy * noise` on
/// every ISA.
pub(super) fn rrelu_training<T: TestFloat>() {
    let mut rng = crate::common::Rng::new(9);
    let (lower, upper) = (t::<T>(0.125), t::<T>(1.0 / 3.0));
    for n in [0usize, 1, 7, 64, 1000] {
        let x = crate::common::inputs::<T>(n, n, &mut rng);
        let (mut y, mut noise) = (vec![T::ZERO; n], vec![T::ZERO; n]);
        rrelu_with_noise(&x, &mut y, &mut noise, lower, upper, 7);
        for i in 0..n {
            if x[i] <= T::ZERO {
                let want = r::rrelu_noise(7, i, lower, upper);
                assert!(crate::common::same(noise[i], want), "noise {i}");
                assert!(
                    noise[i] >= lower && noise[i] <= upper,
                    "noise {i} = {}",
                    noise[i]
                );
                let product = crate::common::nan_rule(&[x[i]], x[i] * noise[i]);
                assert!(crate::common::same(y[i], product), "y {i}");
            } else {
                assert!(crate::common::same(noise[i], T::ONE), "noise {i}");
                assert!(crate::common::same(
                    y[i],
                    crate::common::nan_rule(&[x[i]], x[i])
                ));
            }
        }
        let (mut y2, mut noise2) = (vec![T::ZERO; n], vec![T::ZERO; n]);
        rrelu_with_noise(&x, &mut y2, &mut noise2, lower, upper, 8);
        let negative = x.iter().filter(|v| **v <= T::ZERO).count();
        if negative > 4 {
            assert!(noise != noise2, "seeds 7 and 8 gave the same slopes");
        }
        let dy = crate::common::gradients::<T>(n, &mut rng);
        let want: Vec<T> = (0..n)
            .map(|i| crate::common::nan_rule(&[noise[i], dy[i]], dy[i] * noise[i]))
            .collect();
        for isa in crate::common::isas() {
            let mut dx = vec![T::ZERO; n];
            rrelu_with_noise_backward_on(isa, &noise, &dy, &mut dx);
            for i in 0..n {
                assert!(crate::common::same(dx[i], want[i]), "{isa}: dx {i}");
            }
        }
    }
    // lower == upper: that slope everywhere (x <= 0).
    let mut y = [T::ZERO; 3];
    let mut noise = [T::ZERO; 3];
    rrelu_with_noise(
        &[t(-2.0), T::ONE, T::ZERO],
        &mut y,
        &mut noise,
        t(0.25),
        t(0.25),
        1,
    );
    assert!(crate::common::same(noise[0], t(0.25)) && crate::common::same(y[0], t(-0.5)));
    assert!(crate::common::same(noise[2], t(0.25)));
}
