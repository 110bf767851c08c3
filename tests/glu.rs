//! The GLU family (issue 11): on every ISA, length and packed layout, each fused function is
//! bit-identical to the composition of the crate's own activation and products (NaN rule over
//! the inputs), its NaN bits are the reference's, it is within a few ULP of the scalar
//! reference on ordinary inputs, and bad shapes panic before anything is written.

mod common;

use common::{gradients, inputs, isas, nan_rule, same, ulps_between, Rng, TestFloat};
use simd_activations::*;

type Fwd<T> = fn(Isa, &[T], &[T], &mut [T]);
type Bwd<T> = fn(Isa, &[T], &[T], &[T], &mut [T], &mut [T]);
type Packed<T> = fn(Isa, &[T], &mut [T], usize);
type PackedBwd<T> = fn(Isa, &[T], &[T], &mut [T], usize);
type Act<T> = fn(Isa, &[T], &mut [T]);
type ActBwd<T> = fn(Isa, &[T], &[T], &mut [T]);

/// One gated function, its forms, and what it is composed of.
struct Family<T> {
    name: &'static str,
    forward: Fwd<T>,
    backward: Bwd<T>,
    packed: Packed<T>,
    packed_backward: PackedBwd<T>,
    /// The activation and its backward, as the crate's public functions.
    act: Act<T>,
    act_backward: ActBwd<T>,
    /// Whether the activation applies to `a` (else to `b`, as in `glu`).
    gate_first: bool,
    reference: fn(T, T) -> T,
    reference_backward: fn(T, T, T) -> (T, T),
}

fn families<T: TestFloat>() -> Vec<Family<T>> {
    vec![
        Family {
            name: "glu",
            forward: glu_on::<T>,
            backward: glu_backward_on::<T>,
            packed: glu_packed_on::<T>,
            packed_backward: glu_packed_backward_on::<T>,
            act: sigmoid_on::<T>,
            act_backward: sigmoid_backward_on::<T>,
            gate_first: false,
            reference: reference::glu::<T>,
            reference_backward: reference::glu_backward::<T>,
        },
        Family {
            name: "swiglu",
            forward: swiglu_on::<T>,
            backward: swiglu_backward_on::<T>,
            packed: swiglu_packed_on::<T>,
            packed_backward: swiglu_packed_backward_on::<T>,
            act: silu_on::<T>,
            act_backward: silu_backward_on::<T>,
            gate_first: true,
            reference: reference::swiglu::<T>,
            reference_backward: reference::swiglu_backward::<T>,
        },
        Family {
            name: "geglu",
            forward: geglu_on::<T>,
            backward: geglu_backward_on::<T>,
            packed: geglu_packed_on::<T>,
            packed_backward: geglu_packed_backward_on::<T>,
            act: gelu_on::<T>,
            act_backward: gelu_backward_on::<T>,
            gate_first: true,
            reference: reference::geglu::<T>,
            reference_backward: reference::geglu_backward::<T>,
        },
        Family {
            name: "geglu_tanh",
            forward: geglu_tanh_on::<T>,
            backward: geglu_tanh_backward_on::<T>,
            packed: geglu_tanh_packed_on::<T>,
            packed_backward: geglu_tanh_packed_backward_on::<T>,
            act: gelu_tanh_on::<T>,
            act_backward: gelu_tanh_backward_on::<T>,
            gate_first: true,
            reference: reference::geglu_tanh::<T>,
            reference_backward: reference::geglu_tanh_backward::<T>,
        },
        Family {
            name: "reglu",
            forward: reglu_on::<T>,
            backward: reglu_backward_on::<T>,
            packed: reglu_packed_on::<T>,
            packed_backward: reglu_packed_backward_on::<T>,
            act: relu_on::<T>,
            act_backward: relu_backward_on::<T>,
            gate_first: true,
            reference: reference::reglu::<T>,
            reference_backward: reference::reglu_backward::<T>,
        },
    ]
}

/// Every length up to 40, and around the vector widths, the lockstep blocks (up to 6 x 16
/// f32 lanes) and beyond.
fn lengths() -> Vec<usize> {
    let mut n: Vec<usize> = (0..=40).collect();
    n.extend([47, 48, 49, 63, 64, 65, 95, 96, 97, 191, 192, 193, 250, 1000]);
    n
}

/// `(gated, other)` of the pair `(a, b)`.
fn split<T: Copy>(f: &Family<T>, a: &[T], b: &[T]) -> (Vec<T>, Vec<T>) {
    if f.gate_first {
        (a.to_vec(), b.to_vec())
    } else {
        (b.to_vec(), a.to_vec())
    }
}

fn assert_same<T: TestFloat>(what: &str, isa: Isa, n: usize, ins: &[&[T]], got: &[T], want: &[T]) {
    for i in 0..n {
        assert!(
            same(got[i], want[i]),
            "{what} on {isa}, n = {n}, i = {i}, inputs {:?}: got {:?} ({:#x}), want {:?} ({:#x})",
            ins.iter().map(|s| s[i]).collect::<Vec<_>>(),
            got[i],
            got[i].bits(),
            want[i],
            want[i].bits()
        );
    }
}

fn fused_equals_composition<T: TestFloat>() {
    let mut rng = Rng::new(0x61u64);
    for f in families::<T>() {
        for isa in isas() {
            for n in lengths() {
                let a = inputs::<T>(n, n, &mut rng);
                let b = inputs::<T>(n, n + 1, &mut rng);
                let dy = gradients::<T>(n, &mut rng);
                let (g, v) = split(&f, &a, &b);
                let mut act = vec![T::ZERO; n];
                (f.act)(isa, &g, &mut act);

                let mut y = vec![T::ZERO; n];
                (f.forward)(isa, &a, &b, &mut y);
                let want: Vec<T> = (0..n)
                    .map(|i| nan_rule(&[a[i], b[i]], act[i] * v[i]))
                    .collect();
                assert_same(f.name, isa, n, &[&a, &b], &y, &want);

                let (mut da, mut db) = (vec![T::ZERO; n], vec![T::ZERO; n]);
                (f.backward)(isa, &a, &b, &dy, &mut da, &mut db);
                let upstream: Vec<T> = (0..n).map(|i| dy[i] * v[i]).collect();
                let mut d_gated = vec![T::ZERO; n];
                (f.act_backward)(isa, &g, &upstream, &mut d_gated);
                let ins = [a[..].as_ref(), &b, &dy];
                let d_gated: Vec<T> = (0..n)
                    .map(|i| nan_rule(&[a[i], b[i], dy[i]], d_gated[i]))
                    .collect();
                let d_other: Vec<T> = (0..n)
                    .map(|i| nan_rule(&[a[i], b[i], dy[i]], act[i] * dy[i]))
                    .collect();
                let (want_da, want_db) = if f.gate_first {
                    (d_gated, d_other)
                } else {
                    (d_other, d_gated)
                };
                let what = format!("{}_backward", f.name);
                assert_same(&format!("{what} (da)"), isa, n, &ins, &da, &want_da);
                assert_same(&format!("{what} (db)"), isa, n, &ins, &db, &want_db);
            }
        }
    }
}

/// NaN results carry the reference's bits (the first NaN of `(a, b)` or `(a, b, dy)`,
/// quieted), and ordinary inputs give the reference's value within a few ULP (the kernel's
/// activation against the reference's, then the products).
fn against_reference<T: TestFloat>() {
    let mut rng = Rng::new(0x62u64);
    let ordinary = |rng: &mut Rng| T::from_f64(16.0 * rng.unit() - 8.0);
    for f in families::<T>() {
        for isa in isas() {
            let n = 999;
            let a: Vec<T> = (0..n).map(|_| ordinary(&mut rng)).collect();
            let b: Vec<T> = (0..n).map(|_| ordinary(&mut rng)).collect();
            let dy: Vec<T> = (0..n).map(|_| ordinary(&mut rng)).collect();
            let mut y = vec![T::ZERO; n];
            (f.forward)(isa, &a, &b, &mut y);
            let (mut da, mut db) = (vec![T::ZERO; n], vec![T::ZERO; n]);
            (f.backward)(isa, &a, &b, &dy, &mut da, &mut db);
            for i in 0..n {
                let want = (f.reference)(a[i], b[i]);
                let (want_da, want_db) = (f.reference_backward)(a[i], b[i], dy[i]);
                for (what, got, want) in [
                    ("y", y[i], want),
                    ("da", da[i], want_da),
                    ("db", db[i], want_db),
                ] {
                    // The gradients' bound (at most 3 ULP for gelu_tanh'), the products' roundings,
                    // and near the gradients' zeros a few ULP of cancellation in the reference.
                    let err = ulps_between(got, want);
                    assert!(
                        err <= 6.0 || (got.to_f64() - want.to_f64()).abs() <= 1e-6 * want.to_f64().abs().max(1e-30) ,
                        "{} {what} on {isa}: a = {:?}, b = {:?}, dy = {:?}: got {:?}, reference {:?} ({err} ULP)",
                        f.name, a[i], b[i], dy[i], got, want
                    );
                }
            }
            // NaN bits.
            let nans = common::nans::<T>();
            let m = nans.len();
            let a: Vec<T> = (0..m * m).map(|k| nans[k / m]).chain([T::ONE; 4]).collect();
            let mut b: Vec<T> = (0..m * m).map(|k| nans[k % m]).collect();
            b.extend([nans[0], T::from_f64(f64::INFINITY), T::ZERO, T::ONE]);
            let dy: Vec<T> = b.iter().rev().copied().collect();
            let n = a.len();
            let mut y = vec![T::ZERO; n];
            (f.forward)(isa, &a, &b, &mut y);
            let (mut da, mut db) = (vec![T::ZERO; n], vec![T::ZERO; n]);
            (f.backward)(isa, &a, &b, &dy, &mut da, &mut db);
            for i in 0..n {
                let want = (f.reference)(a[i], b[i]);
                let (want_da, want_db) = (f.reference_backward)(a[i], b[i], dy[i]);
                for (what, got, want) in [
                    ("y", y[i], want),
                    ("da", da[i], want_da),
                    ("db", db[i], want_db),
                ] {
                    if got.is_nan() || want.is_nan() {
                        assert!(
                            same(got, want),
                            "{} {what} on {isa}: a = {:?}, b = {:?}, dy = {:?}: got {:#x}, reference {:#x}",
                            f.name, a[i], b[i], dy[i], got.bits(), want.bits()
                        );
                    }
                }
            }
        }
    }
}

/// The packed forms equal the two-slice forms on each row's halves.
fn packed_equals_split<T: TestFloat>() {
    let mut rng = Rng::new(0x63u64);
    for f in families::<T>() {
        for isa in isas() {
            for rows in [1, 2, 3, 5] {
                for half in [1, 2, 7, 8, 17, 64, 100] {
                    let x = inputs::<T>(rows * 2 * half, rows + half, &mut rng);
                    let dy = gradients::<T>(rows * half, &mut rng);
                    let mut y = vec![T::ZERO; rows * half];
                    (f.packed)(isa, &x, &mut y, half);
                    let mut dx = vec![T::ZERO; rows * 2 * half];
                    (f.packed_backward)(isa, &x, &dy, &mut dx, half);
                    for r in 0..rows {
                        let row = &x[r * 2 * half..(r + 1) * 2 * half];
                        let (a, b) = row.split_at(half);
                        let dyr = &dy[r * half..(r + 1) * half];
                        let mut want = vec![T::ZERO; half];
                        (f.forward)(isa, a, b, &mut want);
                        let got = &y[r * half..(r + 1) * half];
                        let what = format!("{} packed, row {r} of {rows}", f.name);
                        assert_same(&what, isa, half, &[a, b], got, &want);
                        let (mut da, mut db) = (vec![T::ZERO; half], vec![T::ZERO; half]);
                        (f.backward)(isa, a, b, dyr, &mut da, &mut db);
                        let drow = &dx[r * 2 * half..(r + 1) * 2 * half];
                        let what = format!("{} packed backward, row {r} of {rows}", f.name);
                        assert_same(&what, isa, half, &[a, b, dyr], &drow[..half], &da);
                        assert_same(&what, isa, half, &[a, b, dyr], &drow[half..], &db);
                    }
                }
            }
        }
    }
}

/// Runs `call` on outputs filled with a sentinel, expects a panic naming `func` and
/// containing `msg`, and checks that no output was written.
fn expect_panic<T: TestFloat>(
    func: &str,
    msg: &str,
    outs: Vec<usize>,
    call: impl Fn(&mut [Vec<T>]),
) {
    let sentinel = T::from_f64(7.0);
    let mut o: Vec<Vec<T>> = outs.iter().map(|&n| vec![sentinel; n]).collect();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| call(&mut o)));
    let err = r.expect_err(&format!("{func}: expected a panic ({msg})"));
    let text = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(
        text.contains(&format!("simd_activations::{func}:")) && text.contains(msg),
        "{func}: panic message {text:?} should name the function and say {msg:?}"
    );
    assert!(
        o.iter().flatten().all(|&v| same(v, sentinel)),
        "{func} wrote before panicking"
    );
}

fn bad_shapes<T: TestFloat>() {
    let x = vec![T::ONE; 8];
    expect_panic::<T>(
        "swiglu",
        "a.len() = 8, b.len() = 7, y.len() = 8",
        vec![8],
        |o| swiglu(&x, &x[..7], &mut o[0]),
    );
    expect_panic::<T>("glu", "y.len() = 9", vec![9], |o| glu(&x, &x, &mut o[0]));
    expect_panic::<T>("reglu_backward", "db.len() = 3", vec![8, 3], |o| {
        let (da, db) = o.split_at_mut(1);
        reglu_backward(&x, &x, &x, &mut da[0], &mut db[0])
    });
    expect_panic::<T>(
        "geglu_packed",
        "x.len() = 8 must be 2 * y.len() = 2 * 3",
        vec![3],
        |o| geglu_packed(&x, &mut o[0], 1),
    );
    expect_panic::<T>("geglu_packed", "half = 0 must be > 0", vec![4], |o| {
        geglu_packed(&x, &mut o[0], 0)
    });
    expect_panic::<T>(
        "glu_packed",
        "half = 3 must be > 0 and divide y.len() = 4",
        vec![4],
        |o| glu_packed(&x, &mut o[0], 3),
    );
    expect_panic::<T>("swiglu_packed", "2 * half overflows", vec![4], |o| {
        swiglu_packed(&x, &mut o[0], usize::MAX)
    });
    expect_panic::<T>("geglu_tanh_packed_backward", "dx.len() = 7", vec![7], |o| {
        geglu_tanh_packed_backward(&x, &x[..4], &mut o[0], 2)
    });
    expect_panic::<T>(
        "swiglu_packed_backward",
        "x.len() = 8 must be 2 * dy.len() = 2 * 3",
        vec![8],
        |o| swiglu_packed_backward(&x, &x[..3], &mut o[0], 1),
    );
}

/// The tests cover the registry's GLU family, and the `Gated` methods agree with the free
/// functions and return errors (writing nothing) where those panic.
fn registry_and_methods<T: TestFloat>() {
    let fams = families::<T>();
    assert_eq!(fams.len(), registry::GATED.len());
    let mut rng = Rng::new(0x64u64);
    for (g, spec) in Gated::ALL.iter().zip(&registry::GATED) {
        let f = fams
            .iter()
            .find(|f| f.name == spec.function)
            .expect(spec.function);
        assert_eq!(f.gate_first, spec.gates_a, "{}", spec.name);
        let n = 37;
        let a = inputs::<T>(n, 1, &mut rng);
        let b = inputs::<T>(n, 2, &mut rng);
        let dy = gradients::<T>(n, &mut rng);
        for isa in isas() {
            let (mut y, mut want) = (vec![T::ZERO; n], vec![T::ZERO; n]);
            g.forward_on(isa, &a, &b, &mut y).unwrap();
            (f.forward)(isa, &a, &b, &mut want);
            assert_same(spec.name, isa, n, &[&a, &b], &y, &want);
            let (mut da, mut db, mut wa, mut wb) = (
                vec![T::ZERO; n],
                vec![T::ZERO; n],
                vec![T::ZERO; n],
                vec![T::ZERO; n],
            );
            g.backward_on(isa, &a, &b, &dy, &mut da, &mut db).unwrap();
            (f.backward)(isa, &a, &b, &dy, &mut wa, &mut wb);
            assert_same(spec.name, isa, n, &[&a, &b, &dy], &da, &wa);
            assert_same(spec.name, isa, n, &[&a, &b, &dy], &db, &wb);
        }
        let sentinel = T::from_f64(7.0);
        let mut y = vec![sentinel; 4];
        assert!(matches!(
            g.forward(&a[..4], &b[..3], &mut y),
            Err(Error::LengthMismatch {
                func: "Gated::forward",
                ..
            })
        ));
        assert!(matches!(
            g.forward_packed(&a[..8], &mut y, 3),
            Err(Error::BadParameter { param: "half", .. })
        ));
        assert!(matches!(
            g.forward_packed(&a[..7], &mut y, 1),
            Err(Error::LengthMismatch { .. })
        ));
        let mut dx = vec![sentinel; 7];
        assert!(matches!(
            g.backward_packed(&a[..8], &dy[..4], &mut dx, 2),
            Err(Error::LengthMismatch {
                func: "Gated::backward_packed",
                ..
            })
        ));
        assert!(
            y.iter().chain(&dx).all(|&v| same(v, sentinel)),
            "{}: written before an error",
            spec.name
        );
        assert_eq!(g.to_string().parse::<Gated>().unwrap(), *g);
    }
}

macro_rules! both {
    ($($name:ident => $body:ident),* $(,)?) => {
        mod f32_tests {
            $(#[test] fn $name() { super::$body::<f32>() })*
        }
        mod f64_tests {
            $(#[test] fn $name() { super::$body::<f64>() })*
        }
    };
}

both!(
    fused_equals_composition => fused_equals_composition,
    against_reference => against_reference,
    packed_equals_split => packed_equals_split,
    bad_shapes => bad_shapes,
    registry_and_methods => registry_and_methods,
);
