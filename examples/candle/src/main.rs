//! simd-activations inside candle: the crate's kernels as a candle `CustomOp1` with a
//! backward pass ([`op::Act`]) on f32, f64, bf16 and f16 CPU tensors of any layout.
//!
//! `cargo run --release` (in this folder) first checks, for each activation candle-core has
//! itself (relu, gelu_erf, gelu, silu, tanh, elu), every dtype and every layout (contiguous,
//! transposed, narrowed, broadcast):
//! - a strided tensor gives the same bits as its contiguous copy, forward and gradient;
//! - the results are within the crate's documented ULP bounds of an f64 reference rounded
//!   once to the dtype (and the same is measured, not asserted, for candle's own op);
//! - candle's op agrees within a tolerance, gradients through candle's autograd included
//!   (except where the two define the gradient differently: ReLU at 0);
//!
//! then times both on 1M-element tensors, forward and forward + backward, and prints the
//! ratios. It exits with an error if a check fails.

mod op;
mod strided;

use candle_core::{DType, Device, Result, Tensor, Var};
use half::{bf16, f16};
use op::{Act, ActGrad};
use simd_activations::{Activation, Isa};
use std::time::Instant;

/// An activation of this crate beside candle-core's own.
struct Pair {
    ours: Activation,
    candle_name: &'static str,
    candle: fn(&Tensor) -> Result<Tensor>,
}

fn pairs() -> Vec<Pair> {
    vec![
        Pair {
            ours: Activation::Relu,
            candle_name: "relu",
            candle: |t| t.relu(),
        },
        Pair {
            ours: Activation::Gelu,
            candle_name: "gelu_erf",
            candle: |t| t.gelu_erf(),
        },
        Pair {
            ours: Activation::GeluTanh,
            candle_name: "gelu",
            candle: |t| t.gelu(),
        },
        Pair {
            ours: Activation::Silu,
            candle_name: "silu",
            candle: |t| t.silu(),
        },
        Pair {
            ours: Activation::Tanh,
            candle_name: "tanh",
            candle: |t| t.tanh(),
        },
        Pair {
            ours: Activation::Elu { alpha: 1.0 },
            candle_name: "elu(1.0)",
            candle: |t| t.elu(1.0),
        },
    ]
}

const DTYPES: [DType; 4] = [DType::F32, DType::F64, DType::BF16, DType::F16];

/// The values of `t` as f64 (exact for every dtype here).
fn values(t: &Tensor) -> Result<Vec<f64>> {
    t.to_dtype(DType::F64)?.flatten_all()?.to_vec1::<f64>()
}

/// The distance in units in the last place of `dtype` between two values of that dtype.
fn ulps(a: f64, b: f64, dtype: DType) -> u64 {
    if a.is_nan() || b.is_nan() {
        return if a.is_nan() && b.is_nan() {
            0
        } else {
            u64::MAX
        };
    }
    // Sign-magnitude bits to a line on which neighbours differ by one.
    let line = |bits: u64, sign: u64| -> i128 {
        if bits & sign != 0 {
            -((bits & !sign) as i128)
        } else {
            bits as i128
        }
    };
    let (x, y) = match dtype {
        DType::F32 => (
            line((a as f32).to_bits() as u64, 1 << 31),
            line((b as f32).to_bits() as u64, 1 << 31),
        ),
        DType::F64 => (line(a.to_bits(), 1 << 63), line(b.to_bits(), 1 << 63)),
        DType::BF16 => (
            line(bf16::from_f64(a).to_bits() as u64, 1 << 15),
            line(bf16::from_f64(b).to_bits() as u64, 1 << 15),
        ),
        DType::F16 => (
            line(f16::from_f64(a).to_bits() as u64, 1 << 15),
            line(f16::from_f64(b).to_bits() as u64, 1 << 15),
        ),
        other => unreachable!("no ULP for {other:?}"),
    };
    (x - y).unsigned_abs() as u64
}

/// The tolerance between this crate's and candle's results: candle's bf16 and f16 ops compute
/// in the half type itself (each operation rounded), its gradients use six-digit constants.
fn tolerance(dtype: DType) -> (f64, f64) {
    match dtype {
        DType::BF16 => (2.0f64.powi(-5), 2.0f64.powi(-6)),
        DType::F16 => (2.0f64.powi(-8), 2.0f64.powi(-9)),
        _ => (1e-5, 1e-6),
    }
}

/// The test inputs: 64 x 65 values from -12 to 12 (zero included), in `dtype`.
fn inputs(dtype: DType) -> Result<Tensor> {
    let n = 64 * 65;
    let v: Vec<f64> = (0..n)
        .map(|i| -12.0 + 24.0 * i as f64 / (n - 1) as f64)
        .collect();
    // An odd count puts 0 in the middle; shuffle rows so every view mixes signs.
    let v: Vec<f64> = (0..n).map(|i| v[(i * 37) % n]).collect();
    Tensor::from_vec(v, (64, 65), &Device::Cpu)?.to_dtype(dtype)
}

/// The layouts each check runs on: the tensor itself and three strided views of it.
const LAYOUTS: [&str; 4] = ["contiguous", "transposed", "narrowed", "broadcast"];

/// The view of `x` (64 x 65) called `layout`.
fn view_of(x: &Tensor, layout: &str) -> Result<Tensor> {
    match layout {
        "contiguous" => Ok(x.clone()),
        "transposed" => x.t(),
        "narrowed" => x.narrow(1, 3, 50),
        _ => x.narrow(0, 5, 1)?.broadcast_as((4, 65)),
    }
}

/// A varying `dy` of `shape`: 0.5, 0.75, ..., 2 (exact in every dtype).
fn dy_like(shape: &candle_core::Shape, dtype: DType) -> Result<Tensor> {
    let n = shape.elem_count();
    let v: Vec<f64> = (0..n).map(|i| 0.5 + (i % 7) as f64 * 0.25).collect();
    Tensor::from_vec(v, shape, &Device::Cpu)?.to_dtype(dtype)
}

/// The worst findings of one check.
#[derive(Default)]
struct Worst {
    ours_ulp: u64,
    candle_ulp: u64,
    ours_grad_ulp: u64,
}

/// Forward and gradient of one activation on one dtype: every check above.
fn check(pair: &Pair, dtype: DType) -> Result<Worst> {
    let a = pair.ours;
    let spec = a.spec();
    let name = format!("{a} / candle {} on {dtype:?}", pair.candle_name);
    let (rtol, atol) = tolerance(dtype);
    // The integer ULP bound against a reference that is itself rounded once (half a ULP),
    // and, for gradients, the product with dy rounded too.
    let bound = |b: f64| -> u64 {
        match dtype {
            DType::BF16 | DType::F16 => 1,
            _ => b.ceil() as u64 + 1,
        }
    };
    let x = inputs(dtype)?;
    let mut worst = Worst::default();
    for layout in LAYOUTS {
        let v = view_of(&x, layout)?;
        let what = format!("{name}, {layout}");
        // Forward: bits equal to the contiguous copy's.
        let ours = v.apply_op1_no_bwd(&Act(a))?;
        let copy = v.contiguous()?.apply_op1_no_bwd(&Act(a))?;
        let (o, c) = (values(&ours)?, values(&copy)?);
        assert!(
            o.iter().zip(&c).all(|(p, q)| p.to_bits() == q.to_bits()),
            "{what}: strided and contiguous results differ"
        );
        // Against the f64 kernel's result rounded once to the dtype.
        let reference = values(
            &v.to_dtype(DType::F64)?
                .apply_op1_no_bwd(&Act(a))?
                .to_dtype(dtype)?,
        )?;
        let theirs = values(&(pair.candle)(&v)?)?;
        let xs = values(&v)?;
        for i in 0..o.len() {
            let u = ulps(o[i], reference[i], dtype);
            assert!(
                dtype == DType::F64 || u <= bound(spec.ulp.f32_forward),
                "{what}: f({}) = {} is {u} ULP from the reference {}",
                xs[i],
                o[i],
                reference[i]
            );
            worst.ours_ulp = worst.ours_ulp.max(u);
            worst.candle_ulp = worst.candle_ulp.max(ulps(theirs[i], reference[i], dtype));
            assert!(
                (o[i] - theirs[i]).abs() <= rtol * o[i].abs() + atol,
                "{what}: f({}): ours {}, candle's {}",
                xs[i],
                o[i],
                theirs[i]
            );
        }

        // Gradient through candle's autograd, of loss = sum(f(view) * w): dy = w.
        let base = Var::from_tensor(&x)?;
        let view = view_of(base.as_tensor(), layout)?;
        let w = dy_like(view.shape(), dtype)?;
        let grad_of = |y: Tensor| -> Result<Tensor> {
            let g = (y * &w)?.sum_all()?.backward()?;
            Ok(g.get(base.as_tensor()).expect("a gradient").clone())
        };
        let g_ours = values(&grad_of(view.apply_op1(Act(a))?)?)?;
        let g_theirs = values(&grad_of((pair.candle)(&view)?)?)?;
        let xb = values(&x)?;
        for i in 0..g_ours.len() {
            let close = (g_ours[i] - g_theirs[i]).abs() <= 4.0 * (rtol * g_ours[i].abs() + atol);
            // candle: relu'(0) = 1 (x >= 0); PyTorch and this crate: 0.
            let known = a == Activation::Relu && xb[i] == 0.0;
            assert!(
                close || known,
                "{what}: gradient at {}: ours {}, candle's {}",
                xb[i],
                g_ours[i],
                g_theirs[i]
            );
        }

        // The gradient op itself on the view and a strided dy: bits equal to the contiguous
        // copies', and within the bound of the f64 op on the same (widened) tensors rounded
        // once. From the output (ReLU, tanh, ...) that is the gradient the output determines:
        // where tanh rounds to -1 it is 0, as PyTorch's and candle's `1 - y^2`.
        let dy = dy_like(&v.t()?.shape().clone(), dtype)?.t()?;
        let saved = if a.gradient_needs() == simd_activations::GradientInput::Input {
            v.clone()
        } else {
            ours.clone()
        };
        let strided = saved.apply_op2_no_bwd(&dy, &ActGrad(a))?;
        let contiguous = saved
            .contiguous()?
            .apply_op2_no_bwd(&dy.contiguous()?, &ActGrad(a))?;
        let (s, c) = (values(&strided)?, values(&contiguous)?);
        assert!(
            s.iter().zip(&c).all(|(p, q)| p.to_bits() == q.to_bits()),
            "{what}: the gradient of strided and contiguous tensors differ"
        );
        let g_ref = values(
            &saved
                .to_dtype(DType::F64)?
                .apply_op2_no_bwd(&dy.to_dtype(DType::F64)?, &ActGrad(a))?
                .to_dtype(dtype)?,
        )?;
        let saved_values = values(&saved)?;
        for i in 0..s.len() {
            let u = ulps(s[i], g_ref[i], dtype);
            assert!(
                dtype == DType::F64 || u <= bound(spec.ulp.f32_backward),
                "{what}: gradient at {} = {} is {u} ULP from the reference {}",
                saved_values[i],
                s[i],
                g_ref[i]
            );
            worst.ours_grad_ulp = worst.ours_grad_ulp.max(u);
        }
    }
    Ok(worst)
}

/// The best of `reps` timings of `f`, in milliseconds.
fn best_ms(reps: usize, mut f: impl FnMut() -> Result<()>) -> Result<f64> {
    let mut best = f64::INFINITY;
    for _ in 0..reps {
        let t = Instant::now();
        f()?;
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
    }
    Ok(best)
}

fn main() -> Result<()> {
    println!(
        "simd-activations {} in candle-core 0.11 (CPU); kernels on {}",
        env!("CARGO_PKG_VERSION"),
        Isa::active()
    );
    println!(
        "\nChecks (64 x 65 values in [-12, 12]; contiguous, transposed, narrowed, broadcast):"
    );
    println!(
        "{:<12} {:<9} {:>5}  max ULP from the f64 result rounded once: forward ours / candle's, gradient ours",
        "activation", "candle", "dtype"
    );
    for pair in pairs() {
        for dtype in DTYPES {
            let w = check(&pair, dtype)?;
            if dtype == DType::F64 {
                continue;
            }
            println!(
                "{:<12} {:<9} {:>5}  {} / {}, {}",
                pair.ours.function_name(),
                pair.candle_name,
                format!("{dtype:?}").to_lowercase(),
                w.ours_ulp,
                w.candle_ulp,
                w.ours_grad_ulp
            );
        }
    }
    println!("All checks passed.");

    let n = 1 << 20;
    let reps = 7;
    println!(
        "\nTimings, {n} elements, one thread, best of {reps} (ms; ratio = candle / ours, above 1: ours faster):"
    );
    println!(
        "{:<12} {:>5}  {:>8} {:>8} {:>6}   {:>10} {:>10} {:>6}",
        "activation", "dtype", "candle", "ours", "ratio", "candle f+b", "ours f+b", "ratio"
    );
    for pair in pairs() {
        for dtype in DTYPES {
            let x = (Tensor::rand(-1f32, 1f32, n, &Device::Cpu)? * 6.0)?.to_dtype(dtype)?;
            let fc = best_ms(reps, || (pair.candle)(&x).map(drop))?;
            let fo = best_ms(reps, || x.apply_op1_no_bwd(&Act(pair.ours)).map(drop))?;
            let var = Var::from_tensor(&x)?;
            let bc = best_ms(reps, || {
                (pair.candle)(var.as_tensor())?
                    .sum_all()?
                    .backward()
                    .map(drop)
            })?;
            let bo = best_ms(reps, || {
                var.as_tensor()
                    .apply_op1(Act(pair.ours))?
                    .sum_all()?
                    .backward()
                    .map(drop)
            })?;
            println!(
                "{:<12} {:>5}  {:>8.3} {:>8.3} {:>5.2}x   {:>10.3} {:>10.3} {:>5.2}x",
                pair.ours.function_name(),
                format!("{dtype:?}").to_lowercase(),
                fc,
                fo,
                fc / fo,
                bc,
                bo,
                bc / bo
            );
        }
    }
    Ok(())
}
