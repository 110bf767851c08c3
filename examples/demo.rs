//! Every activation and gradient of the crate on a few inputs, checked against the scalar
//! reference.
//!
//! `cargo run --release --example demo` (instant once built); `SIMD_ACTIVATIONS_ISA=scalar`
//! (or `avx2`, `avx512`, `neon`) runs it on another ISA. The gradients are taken with
//! `dy = 1`, so `dx` is the derivative itself. Exits with status 1 if a result disagrees with
//! the reference.
//!
//! One row per function and output. The ReLU family (`relu`, `leaky_relu`, `prelu` in three
//! layouts, `crelu`), the clamps (`relu6`, `hardtanh`) and the ELU family (`elu`, `selu`,
//! `celu`): forward, `_inplace`, `_backward` and `_backward_from_output`, bit for bit for the
//! piecewise-linear ones (PReLU's `dweight` sums within 1e-5), within 4 ULP for the ELU
//! family (1e-6 for its gradients from the rounded output). The smooth activations
//! (`sigmoid`, `tanh`, `silu`, `gelu`, `gelu_tanh`, `softplus` with PyTorch's `beta = 1` and
//! `threshold = 20`, `mish`, `hardswish`, `hardsigmoid`): forward and `_backward`, and
//! `sigmoid_backward_from_output`, `tanh_backward_from_output` against the reference's
//! formula from the output on the same `y`; all within 1 ULP.

use simd_activations::{self as sa, reference as r, Isa, SELU_ALPHA, SELU_SCALE};

const X: [f32; 9] = [-3.0, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 3.0, 7.0];
const N: usize = X.len();
const DY: [f32; N] = [1.0; N];

const SLOPE: f32 = 0.01;
const ALPHA: f32 = 1.0;
const CELU_ALPHA: f32 = 2.0;
const HARDTANH: (f32, f32) = (-1.0, 1.0);
/// PReLU per-channel weights: the 9 inputs as 3 channels of 3 elements (NCHW, `inner = 3`)
/// or as 3 rows of 3 channels (channels-last, `inner = 1`).
const PRELU_W: [f32; 3] = [0.1, 0.2, 0.3];
/// Softplus's `beta` and `threshold` (PyTorch's defaults).
const SOFTPLUS: (f32, f32) = (1.0, 20.0);

/// A smooth activation: label, forward and its reference.
type Smooth = (&'static str, fn(&[f32], &mut [f32]), fn(f32) -> f32);
/// A smooth activation's gradient: name of the forward, `_backward` and its reference.
type SmoothGradient = (
    &'static str,
    fn(&[f32], &[f32], &mut [f32]),
    fn(f32, f32) -> f32,
);

const SMOOTH: [Smooth; 9] = [
    ("sigmoid", sa::sigmoid, r::sigmoid),
    ("tanh", sa::tanh, r::tanh),
    ("silu", sa::silu, r::silu),
    ("gelu", sa::gelu, r::gelu),
    ("gelu_tanh", sa::gelu_tanh, r::gelu_tanh),
    (
        "softplus (1, 20)",
        |x, y| sa::softplus(x, y, SOFTPLUS.0, SOFTPLUS.1),
        |x| r::softplus(x, SOFTPLUS.0, SOFTPLUS.1),
    ),
    ("mish", sa::mish, r::mish),
    ("hardswish", sa::hardswish, r::hardswish),
    ("hardsigmoid", sa::hardsigmoid, r::hardsigmoid),
];

const SMOOTH_BACKWARD: [SmoothGradient; 9] = [
    ("sigmoid", sa::sigmoid_backward, r::sigmoid_backward),
    ("tanh", sa::tanh_backward, r::tanh_backward),
    ("silu", sa::silu_backward, r::silu_backward),
    ("gelu", sa::gelu_backward, r::gelu_backward),
    ("gelu_tanh", sa::gelu_tanh_backward, r::gelu_tanh_backward),
    (
        "softplus",
        |x, dy, dx| sa::softplus_backward(x, dy, dx, SOFTPLUS.0, SOFTPLUS.1),
        |x, dy| r::softplus_backward(x, dy, SOFTPLUS.0, SOFTPLUS.1),
    ),
    ("mish", sa::mish_backward, r::mish_backward),
    ("hardswish", sa::hardswish_backward, r::hardswish_backward),
    (
        "hardsigmoid",
        sa::hardsigmoid_backward,
        r::hardsigmoid_backward,
    ),
];

/// How close a result must be to the reference.
#[derive(Clone, Copy)]
enum Tol {
    /// Bit for bit (the piecewise-linear kernels).
    Exact,
    /// Within this many units in the last place (the exponentials).
    Ulps(u32),
    /// Within this absolute difference (gradients from a rounded output).
    Abs(f32),
}

impl Tol {
    fn accepts(self, got: f32, want: f32) -> bool {
        if got.is_nan() || want.is_nan() {
            return got.is_nan() && want.is_nan();
        }
        match self {
            Tol::Exact => got.to_bits() == want.to_bits(),
            // A zero must have the reference's sign (`ordered` does not tell them apart).
            _ if got == 0.0 && want == 0.0 => got.to_bits() == want.to_bits(),
            Tol::Ulps(u) => ordered(got).abs_diff(ordered(want)) <= u64::from(u),
            Tol::Abs(e) => (got - want).abs() <= e,
        }
    }
}

/// The position of `v` among the floats, in order (`-0.0` and `+0.0` both at 0).
fn ordered(v: f32) -> i64 {
    let magnitude = i64::from(v.to_bits() & 0x7fff_ffff);
    if v.is_sign_negative() {
        -magnitude
    } else {
        magnitude
    }
}

/// A value in a table cell: up to four decimals, trailing zeros dropped (`-0` stays `-0`).
fn cell(v: f32) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s:>8}")
}

/// Prints the table rows and counts the mismatches.
#[derive(Default)]
struct Demo {
    failures: usize,
}

impl Demo {
    /// Prints one row, `label  values  OK`, or the elements that differ from `want`.
    fn row(&mut self, label: &str, got: &[f32], want: &[f32], tol: Tol) {
        let values: String = got.iter().map(|&v| cell(v)).collect();
        let bad: Vec<String> = (0..got.len())
            .filter(|&i| !tol.accepts(got[i], want[i]))
            .map(|i| format!("[{i}] got {:e}, reference {:e}", got[i], want[i]))
            .collect();
        let status = if bad.is_empty() { "OK" } else { "MISMATCH" };
        println!("{label:<34}{values}  {status}");
        if !bad.is_empty() {
            println!("{:34}  {}", "", bad.join("; "));
            self.failures += 1;
        }
    }

    /// `y = f(x)` out of place, against `reference` element by element.
    fn forward(
        &mut self,
        name: &str,
        f: impl Fn(&[f32], &mut [f32]),
        reference: impl Fn(f32) -> f32,
        tol: Tol,
    ) {
        let mut y = [0.0; N];
        f(&X, &mut y);
        self.row(&format!("{name}  y"), &y, &X.map(reference), tol);
    }

    /// `xy = f(xy)` in place.
    fn inplace(
        &mut self,
        name: &str,
        f: impl Fn(&mut [f32]),
        reference: impl Fn(f32) -> f32,
        tol: Tol,
    ) {
        let mut xy = X;
        f(&mut xy);
        self.row(&format!("{name}  y"), &xy, &X.map(reference), tol);
    }

    /// `dx = f(x, dy)`, against `reference(x, dy)`.
    fn backward(
        &mut self,
        name: &str,
        f: impl Fn(&[f32], &[f32], &mut [f32]),
        reference: impl Fn(f32, f32) -> f32,
        tol: Tol,
    ) {
        let mut dx = [0.0; N];
        f(&X, &DY, &mut dx);
        let want: Vec<f32> = X.iter().zip(DY).map(|(&x, dy)| reference(x, dy)).collect();
        self.row(&format!("{name} dx"), &dx, &want, tol);
    }

    /// `dx = f(forward(x), dy)`: the gradient from the output, against the reference gradient
    /// from the input `reference(x, dy)`.
    fn backward_from_output(
        &mut self,
        name: &str,
        forward: impl Fn(&[f32], &mut [f32]),
        f: impl Fn(&[f32], &[f32], &mut [f32]),
        reference: impl Fn(f32, f32) -> f32,
        tol: Tol,
    ) {
        let mut y = [0.0; N];
        forward(&X, &mut y);
        self.backward(name, |_, dy, dx| f(&y, dy, dx), reference, tol);
    }

    /// `dx = f(y, dy)` on `y = forward(x)`, against the reference's formula from the output
    /// `reference(y, dy)` on the same `y` (so independent of the forward's rounding).
    fn gradient_of_output(
        &mut self,
        name: &str,
        forward: impl Fn(&[f32], &mut [f32]),
        f: impl Fn(&[f32], &[f32], &mut [f32]),
        reference: impl Fn(f32, f32) -> f32,
        tol: Tol,
    ) {
        let (mut y, mut dx) = ([0.0; N], [0.0; N]);
        forward(&X, &mut y);
        f(&y, &DY, &mut dx);
        let want: Vec<f32> = y.iter().zip(DY).map(|(&y, dy)| reference(y, dy)).collect();
        self.row(&format!("{name} dx"), &dx, &want, tol);
    }

    /// PReLU forward and backward with `weight` and `inner`; `dweight` checked against the
    /// per-channel sum of the reference's shares.
    fn prelu(&mut self, layout: &str, weight: &[f32], inner: usize) {
        let channel = |i: usize| (i / inner) % weight.len();
        let mut y = [0.0; N];
        sa::prelu(&X, &mut y, weight, inner);
        let want: Vec<f32> = (0..N).map(|i| r::prelu(X[i], weight[channel(i)])).collect();
        self.row(&format!("prelu ({layout})  y"), &y, &want, Tol::Exact);

        let (mut dx, mut dw) = ([0.0; N], vec![0.0; weight.len()]);
        sa::prelu_backward(&X, &DY, &mut dx, weight, inner, &mut dw);
        let (mut want_dx, mut want_dw) = ([0.0; N], vec![0.0; weight.len()]);
        for i in 0..N {
            let (d, g) = r::prelu_backward(X[i], DY[i], weight[channel(i)]);
            want_dx[i] = d;
            want_dw[channel(i)] += g;
        }
        self.row(
            &format!("prelu_backward ({layout}) dx"),
            &dx,
            &want_dx,
            Tol::Exact,
        );
        // The sum's order depends on the ISA: allow its rounding.
        self.row("  dweight", &dw, &want_dw, Tol::Abs(1e-5));
    }

    /// CReLU with rows of `row_len`: the two halves of each output row, then the gradient
    /// with `dy = 1` on both halves.
    fn crelu(&mut self, row_len: usize) {
        let mut y = [0.0; 2 * N];
        sa::crelu(&X, &mut y, row_len);
        let want: Vec<f32> = X.chunks(row_len).flat_map(r::crelu_row).collect();
        let (pos, neg): (Vec<usize>, Vec<usize>) =
            (0..2 * N).partition(|i| i % (2 * row_len) < row_len);
        let pick = |v: &[f32], idx: &[usize]| idx.iter().map(|&i| v[i]).collect::<Vec<f32>>();
        self.row(
            "crelu  y[relu(x)]",
            &pick(&y, &pos),
            &pick(&want, &pos),
            Tol::Exact,
        );
        self.row(
            "      y[relu(-x)]",
            &pick(&y, &neg),
            &pick(&want, &neg),
            Tol::Exact,
        );

        let mut dx = [0.0; N];
        sa::crelu_backward(&X, &[1.0; 2 * N], &mut dx, row_len);
        let want = X.map(|x| r::crelu_backward(x, 1.0, 1.0));
        self.row("crelu_backward dx", &dx, &want, Tol::Exact);
    }
}

fn main() {
    println!("Isa::active()    = {}", Isa::active());
    println!("Isa::available() = {:?}", Isa::available());
    println!("(dy = 1 for every gradient; parameters in parentheses)\n");
    let header: String = X.iter().map(|&v| cell(v)).collect();
    println!("{:<34}{header}", "x");

    let mut d = Demo::default();
    let (lo, hi) = HARDTANH;
    let exact = Tol::Exact;

    // ReLU family.
    d.forward("relu", sa::relu, r::relu, exact);
    d.inplace("relu_inplace", sa::relu_inplace, r::relu, exact);
    d.backward("relu_backward", sa::relu_backward, r::relu_backward, exact);
    let relu_fo = sa::relu_backward_from_output;
    d.backward_from_output(
        "relu_backward_from_output",
        sa::relu,
        relu_fo,
        r::relu_backward,
        exact,
    );

    let leaky = |x: &[f32], y: &mut [f32]| sa::leaky_relu(x, y, SLOPE);
    d.forward(
        "leaky_relu (0.01)",
        leaky,
        |x| r::leaky_relu(x, SLOPE),
        exact,
    );
    d.inplace(
        "leaky_relu_inplace",
        |xy| sa::leaky_relu_inplace(xy, SLOPE),
        |x| r::leaky_relu(x, SLOPE),
        exact,
    );
    let leaky_grad = |x, dy| r::leaky_relu_backward(x, dy, SLOPE);
    d.backward(
        "leaky_relu_backward",
        |x, dy, dx| sa::leaky_relu_backward(x, dy, dx, SLOPE),
        leaky_grad,
        exact,
    );
    d.backward_from_output(
        "leaky_relu_backward_from_output",
        leaky,
        |y, dy, dx| sa::leaky_relu_backward_from_output(y, dy, dx, SLOPE),
        leaky_grad,
        exact,
    );

    d.prelu("shared 0.25", &[0.25], 1);
    d.prelu("NCHW, inner 3", &PRELU_W, 3);
    d.prelu("channels-last", &PRELU_W, 1);
    let mut xy = X;
    sa::prelu_inplace(&mut xy, &[0.25], 1);
    d.row(
        "prelu_inplace (0.25)  y",
        &xy,
        &X.map(|x| r::prelu(x, 0.25)),
        exact,
    );

    d.crelu(N);

    // Clamps.
    d.forward("relu6", sa::relu6, r::relu6, exact);
    d.inplace("relu6_inplace", sa::relu6_inplace, r::relu6, exact);
    d.backward(
        "relu6_backward",
        sa::relu6_backward,
        r::relu6_backward,
        exact,
    );
    let relu6_fo = sa::relu6_backward_from_output;
    d.backward_from_output(
        "relu6_backward_from_output",
        sa::relu6,
        relu6_fo,
        r::relu6_backward,
        exact,
    );

    let hardtanh = |x: &[f32], y: &mut [f32]| sa::hardtanh(x, y, lo, hi);
    d.forward(
        "hardtanh (-1, 1)",
        hardtanh,
        |x| r::hardtanh(x, lo, hi),
        exact,
    );
    d.inplace(
        "hardtanh_inplace",
        |xy| sa::hardtanh_inplace(xy, lo, hi),
        |x| r::hardtanh(x, lo, hi),
        exact,
    );
    let hardtanh_grad = |x, dy| r::hardtanh_backward(x, dy, lo, hi);
    d.backward(
        "hardtanh_backward",
        |x, dy, dx| sa::hardtanh_backward(x, dy, dx, lo, hi),
        hardtanh_grad,
        exact,
    );
    d.backward_from_output(
        "hardtanh_backward_from_output",
        hardtanh,
        |y, dy, dx| sa::hardtanh_backward_from_output(y, dy, dx, lo, hi),
        hardtanh_grad,
        exact,
    );

    // ELU family: the exponentials are within a few ULP of the reference (see the docs), and
    // a gradient from the output also carries the rounding of `y`.
    let (ulps, from_y) = (Tol::Ulps(4), Tol::Abs(1e-6));
    let elu = |x: &[f32], y: &mut [f32]| sa::elu(x, y, ALPHA);
    d.forward("elu (1)", elu, |x| r::elu(x, ALPHA), ulps);
    d.inplace(
        "elu_inplace",
        |xy| sa::elu_inplace(xy, ALPHA),
        |x| r::elu(x, ALPHA),
        ulps,
    );
    let elu_grad = |x, dy| r::elu_backward(x, dy, ALPHA);
    d.backward(
        "elu_backward",
        |x, dy, dx| sa::elu_backward(x, dy, dx, ALPHA),
        elu_grad,
        ulps,
    );
    d.backward_from_output(
        "elu_backward_from_output",
        elu,
        |y, dy, dx| sa::elu_backward_from_output(y, dy, dx, ALPHA),
        elu_grad,
        from_y,
    );

    println!("{:<34}scale {SELU_SCALE}, alpha {SELU_ALPHA}", "selu");
    d.forward("selu", sa::selu, r::selu, ulps);
    d.inplace("selu_inplace", sa::selu_inplace, r::selu, ulps);
    d.backward("selu_backward", sa::selu_backward, r::selu_backward, ulps);
    let selu_fo = sa::selu_backward_from_output;
    d.backward_from_output(
        "selu_backward_from_output",
        sa::selu,
        selu_fo,
        r::selu_backward,
        from_y,
    );

    let celu = |x: &[f32], y: &mut [f32]| sa::celu(x, y, CELU_ALPHA);
    d.forward("celu (2)", celu, |x| r::celu(x, CELU_ALPHA), ulps);
    d.inplace(
        "celu_inplace",
        |xy| sa::celu_inplace(xy, CELU_ALPHA),
        |x| r::celu(x, CELU_ALPHA),
        ulps,
    );
    let celu_grad = |x, dy| r::celu_backward(x, dy, CELU_ALPHA);
    d.backward(
        "celu_backward",
        |x, dy, dx| sa::celu_backward(x, dy, dx, CELU_ALPHA),
        celu_grad,
        ulps,
    );
    d.backward_from_output(
        "celu_backward_from_output",
        celu,
        |y, dy, dx| sa::celu_backward_from_output(y, dy, dx, CELU_ALPHA),
        celu_grad,
        from_y,
    );

    // Smooth activations: kernel and reference both evaluate in f64 and round once, so they
    // agree within 1 ULP.
    let one_ulp = Tol::Ulps(1);
    for (name, f, reference) in SMOOTH {
        d.forward(name, f, reference, one_ulp);
    }
    for (name, f, reference) in SMOOTH_BACKWARD {
        d.backward(&format!("{name}_backward"), f, reference, one_ulp);
    }
    d.gradient_of_output(
        "sigmoid_backward_from_output",
        sa::sigmoid,
        sa::sigmoid_backward_from_output,
        r::sigmoid_backward_from_output,
        one_ulp,
    );
    d.gradient_of_output(
        "tanh_backward_from_output",
        sa::tanh,
        sa::tanh_backward_from_output,
        r::tanh_backward_from_output,
        one_ulp,
    );

    if d.failures == 0 {
        println!("\nall results match the reference");
    } else {
        println!("\n{} rows differ from the reference", d.failures);
        std::process::exit(1);
    }
}
