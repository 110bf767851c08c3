//! Every documented panic: mismatched lengths (every function shape of every activation in
//! the registry, and PReLU's and CReLU's), PReLU layouts, CReLU
//! shapes, hardtanh bounds, parameter domains (leaky/ELU/CELU from output, CELU), non-finite
//! parameters (ELU alpha, leaky slope, softplus threshold, PReLU weights), and an
//! `_on` call with an ISA this CPU lacks. Each case checks that the call panics, that the
//! message names the function and the offending values or lengths, and that nothing was
//! written: every output buffer (`y`, `dx`, `dweight`, and `xy` for in-place calls) still holds
//! its sentinel contents afterwards.

mod common;

use common::free::{free_backward, free_forward, free_from_output, free_inplace};
use common::TestFloat;
use simd_activations::*;
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::Once;

// ------------------------------------------------------------------------------------------
// Harness
// ------------------------------------------------------------------------------------------

type Call<T> = Box<dyn Fn(&mut [Vec<T>])>;

/// One bad call. `outs` are the lengths of the buffers it may write, which the harness fills
/// with sentinels and hands to `call` in order.
struct Case<T> {
    label: String,
    func: &'static str,
    expect: Vec<String>,
    outs: Vec<usize>,
    call: Call<T>,
}

fn case<T>(
    label: impl Into<String>,
    func: &'static str,
    expect: &[&str],
    outs: &[usize],
    call: impl Fn(&mut [Vec<T>]) + 'static,
) -> Case<T> {
    Case {
        label: label.into(),
        func,
        expect: expect.iter().map(|s| s.to_string()).collect(),
        outs: outs.to_vec(),
        call: Box::new(call),
    }
}

/// A distinct, ordinary value per buffer, which every kernel would overwrite with something
/// else (it is negative, far from every bound and breakpoint).
fn sentinel<T: TestFloat>(buffer: usize) -> T {
    T::from_f64(-12345.678 - buffer as f64)
}

/// Inputs: `[-1.5, 0.5, 2.5, -1.5, ..]`.
fn input<T: TestFloat>(n: usize) -> Vec<T> {
    (0..n)
        .map(|i| T::from_f64([-1.5, 0.5, 2.5][i % 3]))
        .collect()
}

fn ones<T: TestFloat>(n: usize) -> Vec<T> {
    vec![T::ONE; n]
}

fn t<T: TestFloat>(v: f64) -> T {
    T::from_f64(v)
}

/// Keeps the expected panics of this file off stderr; any other panic (a failed assertion)
/// is reported by the default hook as usual.
fn quiet_expected_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let msg = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("");
            if !msg.starts_with("simd_activations::") {
                default(info);
            }
        }));
    });
}

/// Runs every case; returns one line per violation.
fn failures<T: TestFloat>(cases: &[Case<T>]) -> Vec<String> {
    quiet_expected_panics();
    let mut bad = Vec::new();
    for c in cases {
        let what = format!("{} [{}]", c.label, T::NAME);
        let mut outs: Vec<Vec<T>> = c
            .outs
            .iter()
            .enumerate()
            .map(|(k, &n)| vec![sentinel::<T>(k); n])
            .collect();
        let result = panic::catch_unwind(AssertUnwindSafe(|| (c.call)(&mut outs)));
        let msg = match result {
            Ok(()) => {
                bad.push(format!("{what}: did not panic (expected {:?})", c.expect));
                continue;
            }
            Err(payload) => payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "<non-string panic payload>".into()),
        };
        let prefix = format!("simd_activations::{}: ", c.func);
        if !msg.starts_with(&prefix) {
            bad.push(format!(
                "{what}: message {msg:?} does not start with {prefix:?}"
            ));
        }
        for e in &c.expect {
            if !msg.contains(e.as_str()) {
                bad.push(format!("{what}: message {msg:?} lacks {e:?}"));
            }
        }
        for (k, buf) in outs.iter().enumerate() {
            let s = sentinel::<T>(k);
            if let Some(i) = buf.iter().position(|v| v.bits() != s.bits()) {
                bad.push(format!(
                    "{what}: output buffer {k} written before the panic: [{i}] = {:e} (message {msg:?})",
                    buf[i]
                ));
            }
        }
    }
    bad
}

fn check<T: TestFloat>(cases: Vec<Case<T>>) {
    assert!(!cases.is_empty());
    let bad = failures(&cases);
    assert!(
        bad.is_empty(),
        "{} of {} bad-input cases [{}] failed:\n{}",
        bad.len(),
        cases.len(),
        T::NAME,
        bad.join("\n")
    );
    println!("{} cases [{}]: ok", cases.len(), T::NAME);
}

// ------------------------------------------------------------------------------------------
// The function shapes
// ------------------------------------------------------------------------------------------

type Unary<T> = Rc<dyn Fn(Isa, &[T], &mut [T])>;
type InPlace<T> = Rc<dyn Fn(Isa, &mut [T])>;
type Grad<T> = Rc<dyn Fn(Isa, &[T], &[T], &mut [T])>;

/// A name that lives as long as the cases (the registry's names are `&'static`, the forms'
/// suffixes are appended here).
fn name(base: &str, suffix: &str) -> &'static str {
    Box::leak(format!("{base}{suffix}").into_boxed_str())
}

/// `(x, y)` functions, with valid parameters: every activation of the registry with its
/// defaults (`Activation::ALL`), then PReLU, which is not in it.
fn unary<T: TestFloat>() -> Vec<(&'static str, Unary<T>)> {
    let mut v: Vec<(&'static str, Unary<T>)> = Activation::ALL
        .into_iter()
        .map(|a| {
            let f: Unary<T> = Rc::new(move |i, x: &[T], y: &mut [T]| free_forward(&a, i, x, y));
            (a.function_name(), f)
        })
        .collect();
    v.push(("prelu", Rc::new(|i, x, y| prelu_on(i, x, y, &[t(0.25)], 1))));
    v
}

/// In-place functions, with valid parameters (as `unary`).
fn inplace<T: TestFloat>() -> Vec<(&'static str, InPlace<T>)> {
    let mut v: Vec<(&'static str, InPlace<T>)> = Activation::ALL
        .into_iter()
        .map(|a| {
            let f: InPlace<T> = Rc::new(move |i, xy: &mut [T]| free_inplace(&a, i, xy));
            (name(a.function_name(), "_inplace"), f)
        })
        .collect();
    v.push((
        "prelu_inplace",
        Rc::new(|i, xy| prelu_inplace_on(i, xy, &[t(0.25)], 1)),
    ));
    v
}

/// `(x or y, dy, dx)` functions with the name of their first argument, valid parameters:
/// every activation's `_backward` and, where the registry has one, `_backward_from_output`.
fn grads<T: TestFloat>() -> Vec<(&'static str, &'static str, Grad<T>)> {
    let mut v: Vec<(&'static str, &'static str, Grad<T>)> = Vec::new();
    for a in Activation::ALL {
        let f: Grad<T> =
            Rc::new(move |i, x: &[T], dy: &[T], dx: &mut [T]| free_backward(&a, i, x, dy, dx));
        v.push((name(a.function_name(), "_backward"), "x", f));
        if a.spec().forms().contains(&"_backward_from_output") {
            let f: Grad<T> = Rc::new(move |i, y: &[T], dy: &[T], dx: &mut [T]| {
                free_from_output(&a, i, y, dy, dx).expect("the registry lists this form")
            });
            v.push((name(a.function_name(), "_backward_from_output"), "y", f));
        }
    }
    v.push((
        "prelu_backward",
        "x",
        Rc::new(|i, x, dy, dx| {
            let mut dw = [T::ZERO];
            prelu_backward_on(i, x, dy, dx, &[t(0.25)], 1, &mut dw)
        }),
    ));
    v
}

fn active() -> Isa {
    Isa::active()
}

// ------------------------------------------------------------------------------------------
// Cases
// ------------------------------------------------------------------------------------------

fn length_mismatch<T: TestFloat>() -> Vec<Case<T>> {
    let mut v = Vec::new();
    for (name, f) in unary::<T>() {
        for (nx, ny) in [(5, 4), (4, 5), (0, 1), (1, 0), (17, 16), (16, 64)] {
            let f = f.clone();
            let x = input::<T>(nx);
            v.push(case(
                format!("{name}(x.len() = {nx}, y.len() = {ny})"),
                name,
                &[
                    "length mismatch",
                    &format!("x.len() = {nx}"),
                    &format!("y.len() = {ny}"),
                ],
                &[ny],
                move |o| f(active(), &x, &mut o[0]),
            ));
        }
    }
    for (name, first, f) in grads::<T>() {
        for (na, ndy, ndx) in [
            (4, 4, 3),
            (4, 3, 4),
            (3, 4, 4),
            (4, 5, 4),
            (0, 0, 1),
            (1, 0, 0),
            (33, 33, 32),
        ] {
            let f = f.clone();
            let (a, dy) = (input::<T>(na), ones::<T>(ndy));
            v.push(case(
                format!("{name}({first}.len() = {na}, dy.len() = {ndy}, dx.len() = {ndx})"),
                name,
                &[
                    "length mismatch",
                    &format!("{first}.len() = {na}"),
                    &format!("dy.len() = {ndy}"),
                    &format!("dx.len() = {ndx}"),
                ],
                &[ndx],
                move |o| f(active(), &a, &dy, &mut o[0]),
            ));
        }
    }
    // PReLU's weight and dweight (with a valid layout: 2 channels, inner 1, 4 elements).
    for (nw, ndw) in [(2, 3), (2, 1), (1, 0), (1, 2)] {
        let (x, dy, w) = (input::<T>(4), ones::<T>(4), vec![t::<T>(0.25); nw]);
        v.push(case(
            format!("prelu_backward(weight.len() = {nw}, dweight.len() = {ndw})"),
            "prelu_backward",
            &[
                "length mismatch",
                &format!("weight.len() = {nw}"),
                &format!("dweight.len() = {ndw}"),
            ],
            &[4, ndw],
            move |o| {
                let (dx, dw) = o.split_at_mut(1);
                prelu_backward(&x, &dy, &mut dx[0], &w, 1, &mut dw[0])
            },
        ));
    }
    // CReLU's dx against x.
    for (nx, ndx) in [(4, 3), (4, 5), (0, 1)] {
        let (x, dy) = (input::<T>(nx), ones::<T>(2 * nx));
        v.push(case(
            format!("crelu_backward(x.len() = {nx}, dx.len() = {ndx})"),
            "crelu_backward",
            &[
                "length mismatch",
                &format!("x.len() = {nx}"),
                &format!("dx.len() = {ndx}"),
            ],
            &[ndx],
            move |o| crelu_backward(&x, &dy, &mut o[0], 1),
        ));
    }
    v
}

/// PReLU: empty weight, `inner == 0`, `weight.len() * inner` not dividing (or overflowing).
fn prelu_layout<T: TestFloat>() -> Vec<Case<T>> {
    let mut v = Vec::new();
    let big = usize::MAX.to_string();
    let layouts: Vec<(usize, usize, usize, Vec<String>)> = vec![
        (8, 0, 1, vec!["weight is empty".into()]),
        (0, 0, 1, vec!["weight is empty".into()]),
        (8, 1, 0, vec!["inner = 0".into()]),
        (8, 3, 0, vec!["inner = 0".into()]),
        (
            8,
            3,
            2,
            vec!["weight.len() * inner = 3 * 2 does not divide x.len() = 8".into()],
        ),
        (
            8,
            3,
            1,
            vec!["weight.len() * inner = 3 * 1 does not divide x.len() = 8".into()],
        ),
        (
            6,
            2,
            2,
            vec!["weight.len() * inner = 2 * 2 does not divide x.len() = 6".into()],
        ),
        (
            4,
            8,
            1,
            vec!["weight.len() * inner = 8 * 1 does not divide x.len() = 4".into()],
        ),
        (
            4,
            2,
            usize::MAX,
            vec![format!(
                "weight.len() * inner = 2 * {big} does not divide x.len() = 4"
            )],
        ),
    ];
    for (n, nw, inner, expect) in layouts {
        let expect: Vec<&str> = expect.iter().map(String::as_str).collect();
        let args = format!("x.len() = {n}, weight.len() = {nw}, inner = {inner}");
        let (x, w) = (input::<T>(n), vec![t::<T>(0.25); nw]);
        {
            let (x, w) = (x.clone(), w.clone());
            v.push(case(
                format!("prelu({args})"),
                "prelu",
                &expect,
                &[n],
                move |o| prelu(&x, &mut o[0], &w, inner),
            ));
        }
        {
            let w = w.clone();
            v.push(case(
                format!("prelu_inplace({args})"),
                "prelu_inplace",
                &expect,
                &[n],
                move |o| prelu_inplace(&mut o[0], &w, inner),
            ));
        }
        let dy = ones::<T>(n);
        v.push(case(
            format!("prelu_backward({args})"),
            "prelu_backward",
            &expect,
            &[n, nw],
            move |o| {
                let (dx, dw) = o.split_at_mut(1);
                prelu_backward(&x, &dy, &mut dx[0], &w, inner, &mut dw[0])
            },
        ));
    }
    v
}

/// CReLU: the doubled side's length, and `row_len` zero or not dividing.
fn crelu_shape<T: TestFloat>() -> Vec<Case<T>> {
    let mut v = Vec::new();
    for (nx, ny) in [(4, 7), (4, 4), (4, 9), (0, 1), (3, 0)] {
        let x = input::<T>(nx);
        let msg = format!("y.len() = {ny} must be 2 * x.len() = 2 * {nx}");
        v.push(case(
            format!("crelu(x.len() = {nx}, y.len() = {ny})"),
            "crelu",
            &[&msg],
            &[ny],
            move |o| crelu(&x, &mut o[0], 1),
        ));
        let (x, dy) = (input::<T>(nx), ones::<T>(ny));
        let msg = format!("dy.len() = {ny} must be 2 * x.len() = 2 * {nx}");
        v.push(case(
            format!("crelu_backward(x.len() = {nx}, dy.len() = {ny})"),
            "crelu_backward",
            &[&msg],
            &[nx],
            move |o| crelu_backward(&x, &dy, &mut o[0], 1),
        ));
    }
    for (nx, row_len) in [(4, 0), (4, 3), (4, 8), (6, 4), (0, 0)] {
        let msg = format!("row_len = {row_len} must be > 0 and divide x.len() = {nx}");
        crelu_row_len_cases(&mut v, nx, row_len, &msg);
    }
    // `2 * row_len` overflows: rejected by name (was a panic inside `chunks_exact` naming no
    // function, or for `usize::MAX` silently accepted), also for empty slices.
    for row_len in [1usize << (usize::BITS - 1), usize::MAX, usize::MAX / 2 + 7] {
        let msg = format!("row_len = {row_len} is too large (2 * row_len overflows usize)");
        for nx in [0, 4] {
            crelu_row_len_cases(&mut v, nx, row_len, &msg);
        }
    }
    v
}

/// `crelu` and `crelu_backward` on `nx` inputs with a bad `row_len`, each expecting `msg`.
fn crelu_row_len_cases<T: TestFloat>(v: &mut Vec<Case<T>>, nx: usize, row_len: usize, msg: &str) {
    let x = input::<T>(nx);
    v.push(case(
        format!("crelu(x.len() = {nx}, row_len = {row_len})"),
        "crelu",
        &[msg],
        &[2 * nx],
        move |o| crelu(&x, &mut o[0], row_len),
    ));
    let (x, dy) = (input::<T>(nx), ones::<T>(2 * nx));
    v.push(case(
        format!("crelu_backward(x.len() = {nx}, row_len = {row_len})"),
        "crelu_backward",
        &[msg],
        &[nx],
        move |o| crelu_backward(&x, &dy, &mut o[0], row_len),
    ));
}

/// Hardtanh (all four forms): `min_val > max_val`, NaN bounds.
fn hardtanh_bounds<T: TestFloat>() -> Vec<Case<T>> {
    let nan = f64::NAN;
    let inf = f64::INFINITY;
    let bounds: Vec<(f64, f64, String)> = vec![
        (1.0, -1.0, "min_val = 1 > max_val = -1".into()),
        (0.5, 0.25, "min_val = 0.5 > max_val = 0.25".into()),
        (6.0, 0.0, "min_val = 6 > max_val = 0".into()),
        (inf, -inf, "min_val = inf > max_val = -inf".into()),
        (nan, 1.0, "min_val is NaN".into()),
        (-1.0, nan, "max_val is NaN".into()),
        (nan, nan, "min_val is NaN".into()),
        (-nan, -inf, "min_val is NaN".into()),
    ];
    let n = 5;
    let mut v = Vec::new();
    for (lo, hi, msg) in bounds {
        let (lo, hi) = (t::<T>(lo), t::<T>(hi));
        let expect = [msg.as_str()];
        let args = format!("min_val = {lo}, max_val = {hi}");
        let x = input::<T>(n);
        let dy = ones::<T>(n);
        {
            let x = x.clone();
            v.push(case(
                format!("hardtanh({args})"),
                "hardtanh",
                &expect,
                &[n],
                move |o| hardtanh(&x, &mut o[0], lo, hi),
            ));
        }
        v.push(case(
            format!("hardtanh_inplace({args})"),
            "hardtanh_inplace",
            &expect,
            &[n],
            move |o| hardtanh_inplace(&mut o[0], lo, hi),
        ));
        {
            let (x, dy) = (x.clone(), dy.clone());
            v.push(case(
                format!("hardtanh_backward({args})"),
                "hardtanh_backward",
                &expect,
                &[n],
                move |o| hardtanh_backward(&x, &dy, &mut o[0], lo, hi),
            ));
        }
        v.push(case(
            format!("hardtanh_backward_from_output({args})"),
            "hardtanh_backward_from_output",
            &expect,
            &[n],
            move |o| hardtanh_backward_from_output(&x, &dy, &mut o[0], lo, hi),
        ));
    }
    v
}

/// Parameters outside the domain: leaky ReLU from output `slope <= 0` or NaN; ELU and CELU
/// from output `alpha <= 0` or NaN; CELU (all forms) `alpha <= 0` or NaN; softplus (all
/// forms) `beta` not in `(0, inf)`, `threshold` NaN or infinite.
fn parameter_domain<T: TestFloat>() -> Vec<Case<T>> {
    type WithParam<T> = fn(&[T], &[T], &mut [T], T);
    let n = 6;
    let bad = [
        0.0,
        -0.0,
        -0.5,
        -1.0,
        f64::NAN,
        f64::NEG_INFINITY,
        f64::INFINITY,
    ];
    let mut v = Vec::new();
    let from_output: [(&'static str, &'static str, WithParam<T>); 3] = [
        (
            "leaky_relu_backward_from_output",
            "slope",
            leaky_relu_backward_from_output,
        ),
        (
            "elu_backward_from_output",
            "alpha",
            elu_backward_from_output,
        ),
        (
            "celu_backward_from_output",
            "alpha",
            celu_backward_from_output,
        ),
    ];
    for (name, param, f) in from_output {
        for p in bad {
            let p = t::<T>(p);
            let (y, dy) = (input::<T>(n), ones::<T>(n));
            let msg = format!("{param} = {p} must be > 0");
            v.push(case(
                format!("{name}({param} = {p})"),
                name,
                &[&msg],
                &[n],
                move |o| f(&y, &dy, &mut o[0], p),
            ));
        }
    }
    for a in bad {
        let a = t::<T>(a);
        let msg = format!("alpha = {a} must be > 0");
        let expect = [msg.as_str()];
        let (x, dy) = (input::<T>(n), ones::<T>(n));
        {
            let x = x.clone();
            v.push(case(
                format!("celu(alpha = {a})"),
                "celu",
                &expect,
                &[n],
                move |o| celu(&x, &mut o[0], a),
            ));
        }
        v.push(case(
            format!("celu_inplace(alpha = {a})"),
            "celu_inplace",
            &expect,
            &[n],
            move |o| celu_inplace(&mut o[0], a),
        ));
        v.push(case(
            format!("celu_backward(alpha = {a})"),
            "celu_backward",
            &expect,
            &[n],
            move |o| celu_backward(&x, &dy, &mut o[0], a),
        ));
    }
    // Softplus (all forms): `beta` outside `0 < beta < inf`, or a non-finite `threshold`.
    let softplus_bad = bad
        .iter()
        .chain(&[f64::INFINITY])
        .map(|&b| {
            (
                b,
                20.0,
                format!("beta = {} must be > 0 and finite", t::<T>(b)),
            )
        })
        .chain([f64::NAN, f64::INFINITY, f64::NEG_INFINITY].map(|th| {
            (
                1.0,
                th,
                format!("threshold = {} must be finite", t::<T>(th)),
            )
        }));
    for (b, th, msg) in softplus_bad {
        let (b, th) = (t::<T>(b), t::<T>(th));
        let expect = [msg.as_str()];
        let (x, dy) = (input::<T>(n), ones::<T>(n));
        {
            let x = x.clone();
            v.push(case(
                format!("softplus(beta = {b}, threshold = {th})"),
                "softplus",
                &expect,
                &[n],
                move |o| softplus(&x, &mut o[0], b, th),
            ));
        }
        v.push(case(
            format!("softplus_inplace(beta = {b}, threshold = {th})"),
            "softplus_inplace",
            &expect,
            &[n],
            move |o| softplus_inplace(&mut o[0], b, th),
        ));
        v.push(case(
            format!("softplus_backward(beta = {b}, threshold = {th})"),
            "softplus_backward",
            &expect,
            &[n],
            move |o| softplus_backward(&x, &dy, &mut o[0], b, th),
        ));
    }
    // Softshrink (all forms): `lambd` outside `0 <= lambd < inf` (PyTorch requires >= 0).
    for l in [
        -0.5,
        -1.0,
        -1e-30,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ] {
        let l = t::<T>(l);
        let msg = format!("lambd = {l} must be >= 0 and finite");
        let expect = [msg.as_str()];
        let (x, dy) = (input::<T>(n), ones::<T>(n));
        {
            let x = x.clone();
            v.push(case(
                format!("softshrink(lambd = {l})"),
                "softshrink",
                &expect,
                &[n],
                move |o| softshrink(&x, &mut o[0], l),
            ));
        }
        v.push(case(
            format!("softshrink_inplace(lambd = {l})"),
            "softshrink_inplace",
            &expect,
            &[n],
            move |o| softshrink_inplace(&mut o[0], l),
        ));
        v.push(case(
            format!("softshrink_backward(lambd = {l})"),
            "softshrink_backward",
            &expect,
            &[n],
            move |o| softshrink_backward(&x, &dy, &mut o[0], l),
        ));
    }
    // RReLU (all forms, and the training mode): `lower > upper`.
    for (lo, hi) in [(0.5, 0.25), (1.0, -1.0), (0.0, -0.0001)] {
        let (lo, hi) = (t::<T>(lo), t::<T>(hi));
        let msg = format!("lower = {lo} > upper = {hi}");
        let expect = [msg.as_str()];
        let (x, dy) = (input::<T>(n), ones::<T>(n));
        {
            let x = x.clone();
            v.push(case(
                format!("rrelu(lower = {lo}, upper = {hi})"),
                "rrelu",
                &expect,
                &[n],
                move |o| rrelu(&x, &mut o[0], lo, hi),
            ));
        }
        v.push(case(
            format!("rrelu_inplace(lower = {lo}, upper = {hi})"),
            "rrelu_inplace",
            &expect,
            &[n],
            move |o| rrelu_inplace(&mut o[0], lo, hi),
        ));
        {
            let x = x.clone();
            v.push(case(
                format!("rrelu_backward(lower = {lo}, upper = {hi})"),
                "rrelu_backward",
                &expect,
                &[n],
                move |o| rrelu_backward(&x, &dy, &mut o[0], lo, hi),
            ));
        }
        v.push(case(
            format!("rrelu_with_noise(lower = {lo}, upper = {hi})"),
            "rrelu_with_noise",
            &expect,
            &[n, n],
            move |o| {
                let (y, noise) = o.split_at_mut(1);
                rrelu_with_noise(&x, &mut y[0], &mut noise[0], lo, hi, 1)
            },
        ));
    }
    v
}

/// Parameters that are NaN or infinite where any finite value is accepted (they would give NaN
/// for finite inputs): ELU's alpha, leaky ReLU's slope, softplus's threshold, PReLU's weights.
fn nonfinite_parameters<T: TestFloat>() -> Vec<Case<T>> {
    type Fwd<T> = fn(&[T], &mut [T], T);
    type InPl<T> = fn(&mut [T], T);
    type Bwd<T> = fn(&[T], &[T], &mut [T], T);
    let n = 6;
    let nonfinite = [f64::NAN, -f64::NAN, f64::INFINITY, f64::NEG_INFINITY];
    /// The three forms' names, the parameter's name, the three forms.
    type Row<T> = ([&'static str; 3], &'static str, Fwd<T>, InPl<T>, Bwd<T>);
    let scalar_params: Vec<Row<T>> = vec![
        (
            ["elu", "elu_inplace", "elu_backward"],
            "alpha",
            elu,
            elu_inplace,
            elu_backward,
        ),
        (
            ["leaky_relu", "leaky_relu_inplace", "leaky_relu_backward"],
            "slope",
            leaky_relu,
            leaky_relu_inplace,
            leaky_relu_backward,
        ),
        (
            ["softplus", "softplus_inplace", "softplus_backward"],
            "threshold",
            |x, y, th| softplus(x, y, T::ONE, th),
            |xy, th| softplus_inplace(xy, T::ONE, th),
            |x, dy, dx, th| softplus_backward(x, dy, dx, T::ONE, th),
        ),
        (
            ["hardshrink", "hardshrink_inplace", "hardshrink_backward"],
            "lambd",
            hardshrink,
            hardshrink_inplace,
            hardshrink_backward,
        ),
        (
            [
                "thresholded_relu",
                "thresholded_relu_inplace",
                "thresholded_relu_backward",
            ],
            "theta",
            thresholded_relu,
            thresholded_relu_inplace,
            thresholded_relu_backward,
        ),
        (
            ["silu_beta", "silu_beta_inplace", "silu_beta_backward"],
            "beta",
            silu_beta,
            silu_beta_inplace,
            silu_beta_backward,
        ),
        (
            ["threshold", "threshold_inplace", "threshold_backward"],
            "threshold",
            |x, y, th| threshold(x, y, th, T::ZERO),
            |xy, th| threshold_inplace(xy, th, T::ZERO),
            |x, dy, dx, th| threshold_backward(x, dy, dx, th, T::ZERO),
        ),
        (
            ["threshold", "threshold_inplace", "threshold_backward"],
            "value",
            |x, y, v| threshold(x, y, T::ZERO, v),
            |xy, v| threshold_inplace(xy, T::ZERO, v),
            |x, dy, dx, v| threshold_backward(x, dy, dx, T::ZERO, v),
        ),
        (
            ["rrelu", "rrelu_inplace", "rrelu_backward"],
            "lower",
            |x, y, l| rrelu(x, y, l, T::ONE),
            |xy, l| rrelu_inplace(xy, l, T::ONE),
            |x, dy, dx, l| rrelu_backward(x, dy, dx, l, T::ONE),
        ),
        (
            ["rrelu", "rrelu_inplace", "rrelu_backward"],
            "upper",
            |x, y, u| rrelu(x, y, T::ZERO, u),
            |xy, u| rrelu_inplace(xy, T::ZERO, u),
            |x, dy, dx, u| rrelu_backward(x, dy, dx, T::ZERO, u),
        ),
    ];
    let mut v = Vec::new();
    for ([name, inplace_name, backward_name], param, fwd, inpl, bwd) in scalar_params {
        for p in nonfinite {
            let p = t::<T>(p);
            let msg = format!("{param} = {p} must be finite");
            let expect = [msg.as_str()];
            let (x, dy) = (input::<T>(n), ones::<T>(n));
            {
                let x = x.clone();
                v.push(case(
                    format!("{name}({param} = {p})"),
                    name,
                    &expect,
                    &[n],
                    move |o| fwd(&x, &mut o[0], p),
                ));
            }
            v.push(case(
                format!("{inplace_name}({param} = {p})"),
                inplace_name,
                &expect,
                &[n],
                move |o| inpl(&mut o[0], p),
            ));
            v.push(case(
                format!("{backward_name}({param} = {p})"),
                backward_name,
                &expect,
                &[n],
                move |o| bwd(&x, &dy, &mut o[0], p),
            ));
        }
    }
    // PReLU: the first non-finite weight is named, in any position, shared or per channel.
    let weights: Vec<(Vec<f64>, usize)> = vec![
        (vec![f64::NAN], 0),
        (vec![f64::INFINITY], 0),
        (vec![0.25, f64::NEG_INFINITY], 1),
        (vec![0.25, 0.5, -f64::NAN], 2),
        (vec![f64::INFINITY, 0.5, f64::NAN], 0),
    ];
    for (w, bad_at) in weights {
        let w: Vec<T> = w.into_iter().map(t::<T>).collect();
        let nw = w.len();
        let msg = format!("weight[{bad_at}] = {} must be finite", w[bad_at]);
        let expect = [msg.as_str()];
        let args = format!("weight = {w:?}");
        let (x, dy) = (input::<T>(n), ones::<T>(n));
        {
            let (x, w) = (x.clone(), w.clone());
            v.push(case(
                format!("prelu({args})"),
                "prelu",
                &expect,
                &[n],
                move |o| prelu(&x, &mut o[0], &w, 1),
            ));
        }
        {
            let w = w.clone();
            v.push(case(
                format!("prelu_inplace({args})"),
                "prelu_inplace",
                &expect,
                &[n],
                move |o| prelu_inplace(&mut o[0], &w, 1),
            ));
        }
        v.push(case(
            format!("prelu_backward({args})"),
            "prelu_backward",
            &expect,
            &[n, nw],
            move |o| {
                let (dx, dw) = o.split_at_mut(1);
                prelu_backward(&x, &dy, &mut dx[0], &w, 1, &mut dw[0])
            },
        ));
    }
    v
}

/// Every `_on` function, with valid arguments, on each ISA this CPU lacks (NEON on x86-64,
/// AVX2 and AVX-512 on AArch64, AVX-512 on an AVX2-only x86-64).
fn unavailable_isa<T: TestFloat>() -> Vec<Case<T>> {
    let missing: Vec<Isa> = [Isa::Scalar, Isa::Avx2, Isa::Avx512, Isa::Neon]
        .into_iter()
        .filter(|i| !Isa::available().contains(i))
        .collect();
    #[cfg(target_arch = "x86_64")]
    assert!(missing.contains(&Isa::Neon), "NEON available on x86-64?");
    #[cfg(target_arch = "aarch64")]
    assert!(missing.contains(&Isa::Avx2), "AVX2 available on AArch64?");
    assert!(!missing.contains(&Isa::Scalar));
    let n = 12;
    let mut v = Vec::new();
    for isa in missing {
        let msg = format!("ISA {} is not available on this CPU", isa.name());
        let expect = [msg.as_str()];
        for (name, f) in unary::<T>() {
            let x = input::<T>(n);
            v.push(case(
                format!("{name}_on({isa})"),
                name,
                &expect,
                &[n],
                move |o| f(isa, &x, &mut o[0]),
            ));
        }
        for (name, f) in inplace::<T>() {
            v.push(case(
                format!("{name}_on({isa})"),
                name,
                &expect,
                &[n],
                move |o| f(isa, &mut o[0]),
            ));
        }
        for (name, _, f) in grads::<T>() {
            let (a, dy) = (input::<T>(n), ones::<T>(n));
            v.push(case(
                format!("{name}_on({isa})"),
                name,
                &expect,
                &[n],
                move |o| f(isa, &a, &dy, &mut o[0]),
            ));
        }
        {
            // PReLU with several channels, so dweight is a real buffer to protect.
            let (x, dy, w) = (input::<T>(n), ones::<T>(n), vec![t::<T>(0.25), t::<T>(0.5)]);
            v.push(case(
                format!("prelu_backward_on({isa}, 2 channels)"),
                "prelu_backward",
                &expect,
                &[n, 2],
                move |o| {
                    let (dx, dw) = o.split_at_mut(1);
                    prelu_backward_on(isa, &x, &dy, &mut dx[0], &w, 3, &mut dw[0])
                },
            ));
        }
        {
            let x = input::<T>(n);
            v.push(case(
                format!("crelu_on({isa})"),
                "crelu",
                &expect,
                &[2 * n],
                move |o| crelu_on(isa, &x, &mut o[0], 4),
            ));
        }
        {
            let (x, dy) = (input::<T>(n), ones::<T>(2 * n));
            v.push(case(
                format!("crelu_backward_on({isa})"),
                "crelu_backward",
                &expect,
                &[n],
                move |o| crelu_backward_on(isa, &x, &dy, &mut o[0], 4),
            ));
        }
    }
    v
}

// ------------------------------------------------------------------------------------------
// Tests
// ------------------------------------------------------------------------------------------

macro_rules! for_both {
    ($($name:ident => $cases:ident;)*) => {
        mod f32_cases {
            use super::*;
            $(#[test] fn $name() { check($cases::<f32>()) })*
        }
        mod f64_cases {
            use super::*;
            $(#[test] fn $name() { check($cases::<f64>()) })*
        }
    };
}

for_both! {
    length_mismatch_panics => length_mismatch;
    prelu_bad_layout_panics => prelu_layout;
    crelu_bad_shape_panics => crelu_shape;
    hardtanh_bad_bounds_panic => hardtanh_bounds;
    parameter_out_of_domain_panics => parameter_domain;
    nonfinite_parameter_panics => nonfinite_parameters;
    unavailable_isa_panics => unavailable_isa;
}

/// The tables above come from the registry: every activation's every form is in them.
#[test]
fn every_registry_form_is_covered() {
    let names: Vec<&str> = unary::<f32>()
        .iter()
        .map(|(n, _)| *n)
        .chain(inplace::<f32>().iter().map(|(n, _)| *n))
        .chain(grads::<f32>().iter().map(|(n, _, _)| *n))
        .collect();
    for spec in &simd_activations::registry::ALL {
        for form in spec.forms() {
            let want = format!("{}{form}", spec.function);
            assert!(names.contains(&want.as_str()), "{want} is not tested here");
        }
    }
    // Each activation's forward, in-place and backward forms, its gradients from the output,
    // and PReLU's three forms; derived from the registry so a new entry needs no edit here.
    let registry = &simd_activations::registry::ALL;
    let from_output = registry
        .iter()
        .filter(|s| s.forms().contains(&"_backward_from_output"))
        .count();
    assert_eq!(
        names.len(),
        3 * registry.len() + from_output + 3,
        "{names:?}"
    );
}

/// The edges of each check are accepted: the harness above would not notice a check that
/// rejects too much.
#[test]
fn boundary_arguments_are_accepted() {
    let x = input::<f32>(6);
    let dy = ones::<f32>(6);
    let mut y = vec![0.0f32; 6];
    let mut dx = vec![0.0f32; 6];
    // Equal bounds, and +0 / -0 (equal as values) either way round.
    hardtanh(&x, &mut y, 0.5, 0.5);
    hardtanh(&x, &mut y, 0.0, -0.0);
    hardtanh(&x, &mut y, -0.0, 0.0);
    hardtanh(&x, &mut y, f32::NEG_INFINITY, f32::INFINITY);
    hardtanh_backward_from_output(&x, &dy, &mut dx, 2.0, 2.0);
    // The smallest positive parameters.
    leaky_relu_backward_from_output(&x, &dy, &mut dx, f32::from_bits(1));
    elu_backward_from_output(&x, &dy, &mut dx, f32::from_bits(1));
    celu_backward_from_output(&x, &dy, &mut dx, f32::from_bits(1));
    celu(&x, &mut y, f32::MIN_POSITIVE);
    // Any slope / alpha where the domain is not restricted.
    leaky_relu(&x, &mut y, -2.0);
    leaky_relu_backward(&x, &dy, &mut dx, f32::MIN);
    leaky_relu(&x, &mut y, f32::MAX);
    elu(&x, &mut y, -1.0);
    elu(&x, &mut y, f32::MAX);
    elu_backward(&x, &dy, &mut dx, 0.0);
    elu_backward(&x, &dy, &mut dx, f32::MIN);
    // The largest finite softplus thresholds and PReLU weights.
    softplus(&x, &mut y, 1.0, f32::MAX);
    softplus_backward(&x, &dy, &mut dx, 1.0, f32::MIN);
    prelu(&x, &mut y, &[f32::MAX, f32::MIN, 0.0], 2);
    // PReLU: one weight ignores inner (even a huge one); weight.len() * inner == x.len().
    let mut dw1 = [0.0f32];
    prelu(&x, &mut y, &[0.25], usize::MAX);
    prelu_backward(&x, &dy, &mut dx, &[0.25], 4, &mut dw1);
    let mut dw3 = [0.0f32; 3];
    prelu(&x, &mut y, &[0.1, 0.2, 0.3], 2);
    prelu_backward(&x, &dy, &mut dx, &[0.1, 0.2, 0.3], 1, &mut dw3);
    prelu(&[], &mut [], &[0.1, 0.2, 0.3], 7);
    // CReLU: a single row, and empty input with any row length.
    let mut y2 = vec![0.0f32; 12];
    crelu(&x, &mut y2, 6);
    crelu_backward(&x, &y2, &mut dx, 6);
    crelu::<f32>(&[], &mut [], 5);
    // Empty slices everywhere else.
    relu::<f64>(&[], &mut []);
    relu_backward::<f64>(&[], &[], &mut []);
    // Every available ISA.
    for isa in Isa::available() {
        relu_on(isa, &x, &mut y);
    }
}
