//! Every activation of the registry ([`Activation::ALL`], PyTorch's default parameters) in
//! every form, on f32: checked, and timed next to a memcpy of the same bytes.
//!
//! `cargo run --release --example demo`; `SIMD_ACTIVATIONS_ISA=scalar` (or `avx2`, `avx512`,
//! `neon`) caps the ISA the timed calls use. Nothing here names an activation: one added to
//! the registry appears with no edit. Exits with status 1 if a check fails.
//!
//! What "OK" checks, per row, on `SAMPLES` sampled inputs plus the special values (NaN,
//! infinities, zeros, subnormals, extremes, each registry entry's `special_inputs` and their
//! neighbours), `dy = 1` for the gradients:
//! - every available ISA gives the same bits as `Isa::Scalar` (a NaN where it gives a NaN:
//!   payloads and signs of NaN are not compared);
//! - `forward` and `backward` are within the registry's measured f32 ULP bound
//!   (`spec().ulp.f32_forward`, `.f32_backward`) of the f64 kernel on the same inputs and
//!   parameters (the f64 kernel's own error, under 3 f64 ULP, is negligible at f32 scale);
//! - `forward_inplace` and `backward_inplace` give the same bits as their out-of-place forms;
//! - `backward_from_output`, where the output determines the gradient, on `y = forward(x)`:
//!   within 1e-6 absolute of the f64 gradient from the input (`y` is rounded to f32).
//!
//! Timing: the best of 60 calls at `n = 8192` on inputs in [-8, 8], each call timed alone
//! (the in-place forms get a fresh buffer before each, untimed), divided by `n`; memcpy is
//! the faster of `copy_from_slice` and a copy loop of the same 8192 f32, timed the same way in
//! the same run.
//!
//! Then the GLU family ([`Gated::ALL`], from `registry::GATED`), forward and backward: every
//! ISA bit-identical to Scalar (NaN aside), the active ISA bit-identical to the unfused
//! composition (the activation, then the products), timed the same way, with the ratio to
//! the activation alone (forward) or to its gradient (backward) in the same run.

use simd_activations::{Activation, Gated, Isa};
use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};

/// `println!` that ignores a closed stdout (`demo | head -3`), so the checks still run to the
/// end and the exit status still tells whether one failed.
macro_rules! say {
    ($($arg:tt)*) => {
        let _ = writeln!(std::io::stdout(), $($arg)*);
    };
}

/// Elements per timed call (32 KiB of f32: fits in L1/L2 with its output).
const N: usize = 8192;
/// Sampled inputs per check, besides the special values.
const SAMPLES: usize = 20_000;
/// Absolute tolerance of a gradient from the (rounded) output.
const FROM_OUTPUT_TOL: f64 = 1e-6;

/// The forms of a unary activation, in table order.
#[derive(Clone, Copy, PartialEq)]
enum Form {
    Forward,
    Inplace,
    Backward,
    BackwardInplace,
    FromOutput,
}

impl Form {
    const ALL: [Form; 5] = [
        Form::Forward,
        Form::Inplace,
        Form::Backward,
        Form::BackwardInplace,
        Form::FromOutput,
    ];

    /// The free function's suffix.
    fn suffix(self) -> &'static str {
        match self {
            Form::Forward => "",
            Form::Inplace => "_inplace",
            Form::Backward => "_backward",
            Form::BackwardInplace => "_backward (in place)",
            Form::FromOutput => "_backward_from_output",
        }
    }

    /// Runs the form on `isa` with `x` (the input, or the output for `FromOutput`) and
    /// `dy = 1`, into `out`. `Err` where the activation lacks the form.
    fn run<T: simd_activations::Float>(
        self,
        a: &Activation,
        isa: Isa,
        x: &[T],
        dy: &[T],
        out: &mut [T],
    ) -> Result<(), simd_activations::Error> {
        match self {
            Form::Forward => a.forward_on(isa, x, out),
            Form::Inplace => {
                out.copy_from_slice(x);
                a.forward_inplace_on(isa, out)
            }
            Form::Backward => a.backward_on(isa, x, dy, out),
            Form::BackwardInplace => {
                out.copy_from_slice(dy);
                a.backward_inplace_on(isa, x, out)
            }
            Form::FromOutput => a.backward_from_output_on(isa, x, dy, out),
        }
    }
}

/// xorshift64*: reproducible inputs without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// The checked inputs of `a`: special values, its registry's special inputs and their
/// neighbours, then samples (half uniform on [-24, 24], half random bit patterns).
fn inputs(a: &Activation) -> Vec<f32> {
    let mut v = vec![
        f32::NAN,
        -f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        0.0,
        -0.0,
        f32::MIN_POSITIVE,
        -f32::MIN_POSITIVE,
        f32::from_bits(1),
        -f32::from_bits(1),
        f32::MAX,
        f32::MIN,
    ];
    for &s in a.spec().special_inputs {
        let s = s as f32;
        v.extend([
            s,
            next_toward(s, f32::INFINITY),
            next_toward(s, f32::NEG_INFINITY),
        ]);
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for i in 0..SAMPLES {
        let r = rng.next();
        v.push(if i % 2 == 0 {
            ((r >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 48.0
        } else {
            f32::from_bits((r >> 32) as u32)
        });
    }
    v
}

fn next_toward(x: f32, to: f32) -> f32 {
    if x == 0.0 {
        return if to > 0.0 {
            f32::from_bits(1)
        } else {
            -f32::from_bits(1)
        };
    }
    let up = (to > x) == (x > 0.0);
    f32::from_bits(if up { x.to_bits() + 1 } else { x.to_bits() - 1 })
}

/// Error of `got` against `want` in f32 ULP at `want`: 0 when `got` is `want` rounded (a
/// zero's sign is not compared with the f64 kernel), infinite when one is NaN and the other
/// not or where an infinity does not belong.
fn ulp_error(got: f32, want: f64) -> f64 {
    if got.is_nan() || want.is_nan() {
        return if got.is_nan() && want.is_nan() {
            0.0
        } else {
            f64::INFINITY
        };
    }
    let rounded = want as f32;
    if got == rounded {
        return 0.0;
    }
    if !got.is_finite() || !rounded.is_finite() {
        return f64::INFINITY;
    }
    let exponent = ((rounded.to_bits() >> 23) & 0xff) as i32;
    let ulp = 2f64.powi(exponent.max(1) - 127 - 23);
    (f64::from(got) - want).abs() / ulp
}

/// The activation with its parameters rounded to f32, as the f32 calls use them (so the f64
/// oracle computes the same function; `Display` writes a string that parses back).
fn rounded_params(a: &Activation) -> Activation {
    let params = a.params();
    if params.is_empty() {
        return *a;
    }
    let list: Vec<String> = params
        .iter()
        .map(|&(name, v)| format!("{name}={:e}", f64::from(v as f32)))
        .collect();
    format!("{}({})", a.spec().name, list.join(", "))
        .parse()
        .unwrap_or(*a)
}

/// Checks one form of `a`; `Ok(Some(description))` on success, `Ok(None)` where the form
/// does not exist, `Err(why)` on a failure.
fn check(a: &Activation, form: Form, isas: &[Isa]) -> Result<Option<String>, String> {
    let x = inputs(a);
    let n = x.len();
    let ones = vec![1.0f32; n];
    let mut want = vec![0.0f32; n];
    // The argument: `x`, or `y = forward(x)` for the gradient from the output.
    let arg = if form == Form::FromOutput {
        let mut y = vec![0.0f32; n];
        a.forward_on(Isa::Scalar, &x, &mut y)
            .map_err(|e| e.to_string())?;
        y
    } else {
        x.clone()
    };
    if form.run(a, Isa::Scalar, &arg, &ones, &mut want).is_err() {
        return Ok(None);
    }
    for &isa in isas {
        let mut got = vec![0.0f32; n];
        form.run(a, isa, &arg, &ones, &mut got)
            .map_err(|e| e.to_string())?;
        if let Some(i) = (0..n).find(|&i| !same(got[i], want[i])) {
            return Err(format!(
                "{isa}: x = {:e} gives {:e}, Scalar {:e}",
                x[i], got[i], want[i]
            ));
        }
    }
    // Against the out-of-place form, or the f64 oracle.
    let twin = match form {
        Form::Inplace => Some(Form::Forward),
        Form::BackwardInplace => Some(Form::Backward),
        _ => None,
    };
    if let Some(twin) = twin {
        let mut other = vec![0.0f32; n];
        form_twin(a, twin, &x, &ones, &mut other)?;
        if let Some(i) = (0..n).find(|&i| !same(other[i], want[i])) {
            return Err(format!(
                "x = {:e}: in place {:e}, out of place {:e}",
                x[i], want[i], other[i]
            ));
        }
        return Ok(Some(format!("= {} bit for bit", &form_name(a, twin))));
    }
    let oracle = rounded_params(a);
    let x64: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
    let mut ref64 = vec![0.0f64; n];
    let oracle_form = if form == Form::FromOutput {
        Form::Backward
    } else {
        form
    };
    oracle_form
        .run(&oracle, Isa::Scalar, &x64, &vec![1.0; n], &mut ref64)
        .map_err(|e| e.to_string())?;
    if form == Form::FromOutput {
        let worst = (0..n)
            .map(|i| (i, abs_error(want[i], ref64[i])))
            .fold((0, 0.0), |m, e| if e.1 > m.1 { e } else { m });
        if worst.1 > FROM_OUTPUT_TOL {
            return Err(format!(
                "x = {:e}: {:e}, f64 {:e}",
                x[worst.0], want[worst.0], ref64[worst.0]
            ));
        }
        return Ok(Some(format!(
            "max |err| {:.1e} <= {FROM_OUTPUT_TOL:e}",
            worst.1
        )));
    }
    let ulp = a.spec().ulp;
    let bound = if form == Form::Forward {
        ulp.f32_forward
    } else {
        ulp.f32_backward
    };
    let (i, worst) = (0..n)
        .map(|i| (i, ulp_error(want[i], ref64[i])))
        .fold((0, 0.0), |m, e| if e.1 > m.1 { e } else { m });
    // The oracle's own error, at f32 scale: about 2^-29 ULP per f64 ULP.
    if worst > bound + 1e-6 {
        return Err(format!(
            "x = {:e}: {:e}, f64 {:e}: {worst:.3} ULP > {bound}",
            x[i], want[i], ref64[i]
        ));
    }
    Ok(Some(format!("max {worst:.3} ULP <= {bound}")))
}

fn form_twin(
    a: &Activation,
    form: Form,
    x: &[f32],
    dy: &[f32],
    out: &mut [f32],
) -> Result<(), String> {
    form.run(a, Isa::Scalar, x, dy, out)
        .map_err(|e| e.to_string())
}

/// The same bits, or both NaN (a NaN's payload and sign may depend on the ISA).
fn same(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || a.is_nan() && b.is_nan()
}

/// `|got - want|`, 0 when both are NaN or equal infinities.
fn abs_error(got: f32, want: f64) -> f64 {
    if got.is_nan() && want.is_nan() || f64::from(got) == want {
        0.0
    } else {
        (f64::from(got) - want).abs()
    }
}

fn form_name(a: &Activation, form: Form) -> String {
    format!("{}{}", a.function_name(), form.suffix())
}

/// Best time per element of one call of `f` over `ROUNDS` calls, each after `setup` (untimed).
fn ns_per_element(mut setup: impl FnMut(), mut f: impl FnMut()) -> f64 {
    const ROUNDS: usize = 60;
    let mut best = Duration::MAX;
    for _ in 0..ROUNDS {
        setup();
        let start = Instant::now();
        f();
        best = best.min(start.elapsed());
    }
    best.as_secs_f64() * 1e9 / N as f64
}

/// Times `form` of `a` on `isa` at `n = N`, on inputs in [-8, 8] (the output for `FromOutput`).
fn time(a: &Activation, form: Form, isa: Isa) -> f64 {
    let mut rng = Rng(1);
    let x: Vec<f32> = (0..N)
        .map(|_| ((rng.next() >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 16.0)
        .collect();
    let dy = vec![1.0f32; N];
    let mut arg = x.clone();
    if form == Form::FromOutput {
        a.forward_on(isa, &x, &mut arg).expect("forward");
    }
    let mut out = vec![0.0f32; N];
    let out = std::cell::RefCell::new(&mut out);
    // The in-place forms get a fresh input before each call, outside the timed region.
    let setup = || match form {
        Form::Inplace => out.borrow_mut().copy_from_slice(&arg),
        Form::BackwardInplace => out.borrow_mut().copy_from_slice(&dy),
        _ => {}
    };
    let call = || {
        let mut out = out.borrow_mut();
        let r = match form {
            Form::Inplace => a.forward_inplace_on(isa, black_box(&mut out)),
            Form::BackwardInplace => {
                a.backward_inplace_on(isa, black_box(&arg), black_box(&mut out))
            }
            _ => form.run(a, isa, black_box(&arg), black_box(&dy), black_box(&mut out)),
        };
        r.expect("timed call");
    };
    ns_per_element(setup, call)
}

/// Bits, with every NaN equal (the checks against Scalar and the composition).
fn same_bits(a: &[f32], b: &[f32]) -> bool {
    a.iter().zip(b).all(|(x, y)| same(*x, *y))
}

/// Checks one GLU-family function (see the module docs); `Err` names the first difference.
fn check_gated(g: Gated, isas: &[Isa], isa: Isa) -> Result<(), String> {
    let act: Activation = g.spec().activation.parse().map_err(|e| format!("{e}"))?;
    let mut rng = Rng(7);
    let mut a = inputs(&act);
    let n = a.len();
    a.rotate_left(n / 3);
    let b: Vec<f32> = (0..n)
        .map(|_| ((rng.next() >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 64.0)
        .collect();
    let dy: Vec<f32> = (0..n)
        .map(|_| ((rng.next() >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 4.0)
        .collect();
    let run = |isa: Isa| {
        let mut y = vec![0.0f32; n];
        let (mut da, mut db) = (vec![0.0f32; n], vec![0.0f32; n]);
        g.forward_on(isa, &a, &b, &mut y).expect("forward");
        g.backward_on(isa, &a, &b, &dy, &mut da, &mut db)
            .expect("backward");
        (y, da, db)
    };
    let scalar = run(Isa::Scalar);
    for &other in isas {
        let got = run(other);
        if !(same_bits(&got.0, &scalar.0)
            && same_bits(&got.1, &scalar.1)
            && same_bits(&got.2, &scalar.2))
        {
            return Err(format!("{other} differs from scalar"));
        }
    }
    // The composition on the active ISA: the activation of the gated half, the products.
    let (gate, other) = if g.spec().gates_a { (&a, &b) } else { (&b, &a) };
    let mut f = vec![0.0f32; n];
    act.forward_on(isa, gate, &mut f).expect("activation");
    let up: Vec<f32> = (0..n).map(|i| dy[i] * other[i]).collect();
    let mut df = vec![0.0f32; n];
    act.backward_on(isa, gate, &up, &mut df).expect("gradient");
    let y: Vec<f32> = (0..n).map(|i| f[i] * other[i]).collect();
    let d_other: Vec<f32> = (0..n).map(|i| f[i] * dy[i]).collect();
    let (want_da, want_db) = if g.spec().gates_a {
        (df, d_other)
    } else {
        (d_other, df)
    };
    let got = run(isa);
    if !same_bits(&got.0, &y) {
        return Err("forward differs from the composition".into());
    }
    if !(same_bits(&got.1, &want_da) && same_bits(&got.2, &want_db)) {
        return Err("backward differs from the composition".into());
    }
    Ok(())
}

/// ns per element of `g`'s forward and backward, and of its activation's forward and
/// gradient, at `n = N` on `isa`.
fn time_gated(g: Gated, isa: Isa) -> [f64; 4] {
    let act: Activation = g.spec().activation.parse().expect("registry activation");
    let mut rng = Rng(3);
    let mut uniform = || ((rng.next() >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 16.0;
    let a: Vec<f32> = (0..N).map(|_| uniform()).collect();
    let b: Vec<f32> = (0..N).map(|_| uniform()).collect();
    let dy = vec![1.0f32; N];
    let (mut y, mut da, mut db) = (vec![0.0f32; N], vec![0.0f32; N], vec![0.0f32; N]);
    let fwd = ns_per_element(
        || {},
        || {
            g.forward_on(isa, black_box(&a), black_box(&b), black_box(&mut y))
                .expect("forward")
        },
    );
    let bwd = ns_per_element(
        || {},
        || {
            g.backward_on(
                isa,
                black_box(&a),
                black_box(&b),
                black_box(&dy),
                black_box(&mut da),
                black_box(&mut db),
            )
            .expect("backward")
        },
    );
    let act_fwd = ns_per_element(
        || {},
        || {
            act.forward_on(isa, black_box(&a), black_box(&mut y))
                .expect("activation")
        },
    );
    let act_bwd = ns_per_element(
        || {},
        || {
            act.backward_on(isa, black_box(&a), black_box(&dy), black_box(&mut da))
                .expect("gradient")
        },
    );
    [fwd, bwd, act_fwd, act_bwd]
}

fn main() {
    let isa = Isa::active();
    let isas = Isa::available();
    say!(
        "simd-activations demo, f32, n = {N}: timed on Isa::active() = {isa} (available: {}; cap with SIMD_ACTIVATIONS_ISA)",
        isas.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
    );
    say!(
        "OK = on {SAMPLES} sampled inputs + special values: every available ISA bit-identical to scalar (NaN payloads aside), and within the registry's f32 ULP bound of the f64 kernel (details: examples/demo.rs)"
    );
    let src = vec![1.5f32; N];
    let mut dst = vec![0.0f32; N];
    // Two copies of the same bytes, the faster one the baseline: glibc's memcpy of 32 KiB
    // (`copy_from_slice`) can take 10x a plain copy loop (measured on a Zen 3 VM: 2.0-2.6 ns
    // against 0.2 per element; its `rep movsb` path), which would flatter every ratio.
    let libc_copy = ns_per_element(
        || {},
        || black_box(&mut dst).copy_from_slice(black_box(&src)),
    );
    let loop_copy = ns_per_element(
        || {},
        || {
            for (d, s) in black_box(&mut dst).iter_mut().zip(black_box(&src)) {
                *d = *s;
            }
        },
    );
    let memcpy = libc_copy.min(loop_copy);
    say!(
        "memcpy of {N} f32, same run: {memcpy:.3} ns per element (the faster of copy_from_slice {libc_copy:.3} and a copy loop {loop_copy:.3})"
    );
    say!();
    say!(
        "{:<36}{:<8}{:>9}{:>9}  check",
        "function",
        "isa",
        "ns/elem",
        "x memcpy"
    );

    let mut failures = 0;
    for a in Activation::ALL {
        for form in Form::ALL {
            let name = form_name(&a, form);
            match check(&a, form, &isas) {
                Ok(None) => continue,
                Ok(Some(what)) => {
                    let ns = time(&a, form, isa);
                    say!(
                        "{name:<36}{:<8}{ns:>9.3}{:>9.1}  OK ({what})",
                        isa.to_string(),
                        ns / memcpy
                    );
                }
                Err(why) => {
                    say!(
                        "{name:<36}{:<8}{:>9}{:>9}  FAILED: {why}",
                        isa.to_string(),
                        "",
                        ""
                    );
                    failures += 1;
                }
            }
        }
    }
    say!();
    say!(
        "{:<36}{:<8}{:>9}{:>9}{:>13}  check",
        "GLU family (registry::GATED)",
        "isa",
        "ns/elem",
        "x memcpy",
        "x activation"
    );
    for g in Gated::ALL {
        match check_gated(g, &isas, isa) {
            Ok(()) => {
                let [fwd, bwd, act_fwd, act_bwd] = time_gated(g, isa);
                let name = g.spec().function;
                say!(
                    "{name:<36}{:<8}{fwd:>9.3}{:>9.1}{:>13.2}  OK (ISAs bit-identical; = the composition)",
                    isa.to_string(),
                    fwd / memcpy,
                    fwd / act_fwd
                );
                let name = format!("{name}_backward");
                say!(
                    "{name:<36}{:<8}{bwd:>9.3}{:>9.1}{:>13.2}  OK (ISAs bit-identical; = the composition)",
                    isa.to_string(),
                    bwd / memcpy,
                    bwd / act_bwd
                );
            }
            Err(why) => {
                say!(
                    "{:<36}{:<8}  FAILED: {why}",
                    g.spec().function,
                    isa.to_string()
                );
                failures += 1;
            }
        }
    }
    say!();
    if failures == 0 {
        say!(
            "all {} activations and {} GLU-family functions OK (parameters: PyTorch's defaults; prelu and crelu, whose shapes differ, are covered by the tests)",
            Activation::ALL.len(),
            Gated::ALL.len()
        );
    } else {
        say!("{failures} checks FAILED");
        std::process::exit(1);
    }
}
