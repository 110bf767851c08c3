//! The element-wise activations of issue 11 with a rounding (softsign, softshrink,
//! tanhshrink, log-sigmoid, QuickGELU, SiLU with a slope), forward and gradient (`dy = 1`),
//! against f64 oracles written independently of the kernels. The piecewise ones that only
//! select (threshold, thresholded ReLU, hardshrink, RReLU) are exact and are held to their
//! references bit for bit by `tests/differential.rs`.

use super::{exp_of_neg, ones, plus_times, sig, sig_and_slope, tanh_exact, times, Case};
use simd_activations::*;

/// `x - tanh(x)`: below `|x| = 0.01` from the first five terms of its series (exact
/// rationals; the omitted ones are below 2^-70 of the value), above as the f64 difference
/// (its cancellation costs at most 2^-38 relative there).
fn tanhshrink_exact(x: f64) -> f64 {
    if x.abs() < 0.01 {
        let w = x * x;
        x * w
            * (1.0 / 3.0
                + w * (-2.0 / 15.0
                    + w * (17.0 / 315.0 + w * (-62.0 / 2835.0 + w * 1382.0 / 155_925.0))))
    } else {
        x - tanh_exact(x)
    }
}

/// `sigmoid(u) + u sigmoid(u) sigmoid(-u)` at `u = k x`, with the limits at infinity.
fn scaled_silu_slope(x: f64, k: f64) -> f64 {
    let u = k * x;
    let (s, d) = sig_and_slope(u);
    plus_times(s, u, d)
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "softsign",
            simd: softsign_on,
            exact: |x| {
                if x.is_infinite() {
                    x.signum()
                } else {
                    x / (1.0 + x.abs())
                }
            },
            bound: 1.0,
        },
        Case {
            name: "softsign_backward",
            simd: |i, x, d| softsign_backward_on(i, x, &ones(x.len()), d),
            exact: |x| {
                let h = 1.0 / (1.0 + x.abs());
                h * h
            },
            bound: 1.0,
        },
        Case {
            name: "softshrink",
            simd: |i, x, y| softshrink_on(i, x, y, 0.5),
            exact: |x| {
                if x > 0.5 {
                    x - 0.5
                } else if x < -0.5 {
                    x + 0.5
                } else if x.is_nan() {
                    x
                } else {
                    0.0
                }
            },
            bound: 0.5,
        },
        Case {
            name: "tanhshrink",
            simd: tanhshrink_on,
            exact: tanhshrink_exact,
            bound: 1.0,
        },
        Case {
            name: "tanhshrink_backward",
            simd: |i, x, d| tanhshrink_backward_on(i, x, &ones(x.len()), d),
            exact: |x| {
                let t = tanh_exact(x);
                t * t
            },
            bound: 2.0,
        },
        Case {
            name: "log_sigmoid",
            simd: log_sigmoid_on,
            exact: |x| x.min(0.0) - exp_of_neg(x.abs()).ln_1p(),
            bound: 1.0,
        },
        Case {
            name: "log_sigmoid_backward",
            simd: |i, x, d| log_sigmoid_backward_on(i, x, &ones(x.len()), d),
            exact: |x| sig(-x),
            bound: 2.0,
        },
        Case {
            name: "quick_gelu",
            simd: quick_gelu_on,
            exact: |x| times(x, sig(1.702 * x)),
            bound: 2.0,
        },
        Case {
            name: "quick_gelu_backward",
            simd: |i, x, d| quick_gelu_backward_on(i, x, &ones(x.len()), d),
            exact: |x| scaled_silu_slope(x, 1.702),
            bound: 3.0,
        },
        Case {
            name: "silu_beta",
            simd: |i, x, y| silu_beta_on(i, x, y, 1.0),
            exact: |x| times(x, sig(x)),
            bound: 2.0,
        },
        Case {
            name: "silu_beta_backward",
            simd: |i, x, d| silu_beta_backward_on(i, x, &ones(x.len()), d, 1.0),
            exact: |x| scaled_silu_slope(x, 1.0),
            bound: 3.0,
        },
    ]
}
