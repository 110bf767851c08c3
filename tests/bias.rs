//! The fused bias + activation forms of `Activation` against the unfused composition, for
//! every activation of the registry (with default and other parameters), every ISA, f32 and
//! f64, channels last and channels first, lengths that reach every lane and tail: `x + bias`
//! rounded then the activation, bit for bit (NaN rule over `x`, the bias, `dy`); in place
//! equal to out of place; the bias gradient within its bound of an exact sum and the same bits
//! on every ISA; every error path writes nothing.

mod common;

use common::{isas, Rng, TestFloat};
use simd_activations::{Activation, Error, Isa};

/// `(channels, inner, repeats)`: channels last (`inner = 1`, `repeats` rows) and channels
/// first (`repeats` images of `channels` runs of `inner`); one bias for everything.
const LAYOUTS: [(usize, usize, usize); 9] = [
    (1, 1, 37),
    (3, 1, 5),
    (17, 1, 3),
    (64, 1, 2),
    (40, 1, 0),
    (2, 5, 3),
    (3, 33, 2),
    (2, 70, 1),
    (1, 9, 4),
];

fn channel_of(i: usize, channels: usize, inner: usize) -> usize {
    if channels == 1 {
        0
    } else if inner == 1 {
        i % channels
    } else {
        (i / inner) % channels
    }
}

/// The crate's NaN rule for a fused result: the first NaN of `inputs`, quieted, else the
/// default NaN; non-NaN results unchanged.
fn expect<T: TestFloat>(want: T, inputs: &[T]) -> T {
    common::nan_rule(inputs, want)
}

fn bits_equal<T: TestFloat>(what: &str, got: &[T], want: &[T]) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            common::same(*g, *w),
            "{what}: [{i}] {g:e} ({:#x}) != {w:e} ({:#x})",
            g.bits(),
            w.bits()
        );
    }
}

/// The exact sum of `v` (double-double), as f64 `(hi, lo)`, and the sum of magnitudes.
fn exact_sum<T: TestFloat>(v: &[T]) -> (f64, f64, f64) {
    let (mut hi, mut lo, mut abs) = (0.0f64, 0.0f64, 0.0f64);
    for x in v {
        let x = x.to_f64();
        let s = hi + x;
        let bb = s - hi;
        lo += (hi - (s - bb)) + (x - bb);
        hi = s;
        abs += x.abs();
    }
    (hi, lo, abs)
}

/// `dbias[c]` against the exact sum of channel `c`'s `dx`.
fn check_dbias<T: TestFloat>(what: &str, dx: &[T], dbias: &[T], inner: usize) {
    let channels = dbias.len();
    let mut by_channel: Vec<Vec<T>> = vec![Vec::new(); channels];
    for (i, &d) in dx.iter().enumerate() {
        by_channel[channel_of(i, channels, inner)].push(d);
    }
    for (c, (&got, terms)) in dbias.iter().zip(&by_channel).enumerate() {
        let plain: f64 = terms.iter().map(|t| t.to_f64()).sum();
        if plain.is_nan() {
            assert!(
                common::same(got, T::NAN),
                "{what}: dbias[{c}] = {got:e}, want the default NaN"
            );
            continue;
        }
        if plain.is_infinite() {
            assert_eq!(got.to_f64(), plain, "{what}: dbias[{c}]");
            continue;
        }
        let (hi, lo, abs) = exact_sum(terms);
        let want = hi + lo;
        // One rounding of the result (1 ULP allowed) plus the compensated sum's second-order
        // term, 4 (n u)^2 sum |dx|.
        let (n, u) = (terms.len() as f64, common::pow2(-T::MANTISSA_BITS - 1));
        let e = if want == 0.0 {
            T::MIN_EXP
        } else {
            (want.abs().log2().floor() as i32).max(T::MIN_EXP)
        };
        let bound = common::pow2(e - T::MANTISSA_BITS) + 4.0 * (n * u) * (n * u) * abs;
        let err = (got.to_f64() - want).abs();
        assert!(
            err <= bound,
            "{what}: dbias[{c}] = {got:e}, exact {want:e}: error {err:e} > {bound:e}"
        );
    }
}

fn fused_equals_unfused<T: TestFloat>() {
    let mut rng = Rng::new(11);
    let isas = isas();
    let nans = common::nans::<T>();
    for a in common::variants() {
        for (channels, inner, repeats) in LAYOUTS {
            let n = channels * inner * repeats;
            let what = format!(
                "{a}, bias.len() = {channels}, inner = {inner}, n = {n} [{}]",
                T::NAME
            );
            let x = common::inputs::<T>(n, n % 7, &mut rng);
            let bias: Vec<T> = (0..channels)
                .map(|c| {
                    if c % 11 == 5 {
                        nans[c % nans.len()]
                    } else {
                        rng.value::<T>()
                    }
                })
                .map(|b: T| {
                    if b.to_f64().abs() > 50.0 {
                        T::from_f64(b.to_f64() / 1e3)
                    } else {
                        b
                    }
                })
                .collect();
            let b_of = |i: usize| bias[channel_of(i, channels, inner)];
            let z: Vec<T> = (0..n)
                .map(|i| T::from_f64(x[i].to_f64() + b_of(i).to_f64()))
                .collect();
            // x + b in f64 then rounded is x + b rounded (f32: exact sum in f64; f64: the same
            // operation), except NaN bits, which `expect` governs.
            let dys = [
                common::gradients::<T>(n, &mut rng),
                (0..n)
                    .map(|_| T::from_f64(4.0 * rng.unit() - 2.0))
                    .collect(),
            ];
            let mut dbias_by_isa: Vec<(Isa, Vec<T>)> = Vec::new();
            for &isa in &isas {
                let what = format!("{what} on {isa}");
                let mut want = vec![T::ZERO; n];
                a.forward_on(isa, &z, &mut want).unwrap();
                let want: Vec<T> = (0..n).map(|i| expect(want[i], &[x[i], b_of(i)])).collect();
                let mut got = vec![T::ZERO; n];
                a.forward_bias_on(isa, &x, &mut got, &bias, inner).unwrap();
                bits_equal(&format!("forward_bias {what}"), &got, &want);
                let mut xy = x.clone();
                a.forward_bias_inplace_on(isa, &mut xy, &bias, inner)
                    .unwrap();
                bits_equal(&format!("forward_bias_inplace {what}"), &xy, &want);

                for (k, dy) in dys.iter().enumerate() {
                    let mut want = vec![T::ZERO; n];
                    a.backward_on(isa, &z, dy, &mut want).unwrap();
                    let want: Vec<T> = (0..n)
                        .map(|i| expect(want[i], &[x[i], b_of(i), dy[i]]))
                        .collect();
                    let (mut dx, mut dbias) = (vec![T::ZERO; n], vec![T::from_f64(7.0); channels]);
                    a.backward_bias_on(isa, &x, dy, &mut dx, &bias, inner, &mut dbias)
                        .unwrap();
                    bits_equal(&format!("backward_bias {what}, dy set {k}"), &dx, &want);
                    check_dbias(
                        &format!("backward_bias {what}, dy set {k}"),
                        &dx,
                        &dbias,
                        inner,
                    );
                    let (mut g, mut dbias2) = (dy.clone(), vec![T::ZERO; channels]);
                    a.backward_bias_inplace_on(isa, &x, &mut g, &bias, inner, &mut dbias2)
                        .unwrap();
                    bits_equal(
                        &format!("backward_bias_inplace {what}, dy set {k}"),
                        &g,
                        &want,
                    );
                    bits_equal(
                        &format!("backward_bias_inplace dbias {what}, dy set {k}"),
                        &dbias2,
                        &dbias,
                    );
                    if k == 1 {
                        dbias_by_isa.push((isa, dbias));
                    }
                }
                if isa == Isa::active() {
                    let mut y = vec![T::ZERO; n];
                    a.forward_bias(&x, &mut y, &bias, inner).unwrap();
                    bits_equal(&format!("forward_bias (active) {what}"), &y, &got);
                }
            }
            let (first, reference) = &dbias_by_isa[0];
            for (isa, d) in &dbias_by_isa[1..] {
                bits_equal(
                    &format!("dbias {what}: {isa} against {first}"),
                    d,
                    reference,
                );
            }
        }
    }
}

#[test]
fn fused_equals_unfused_f32() {
    fused_equals_unfused::<f32>();
}

#[test]
fn fused_equals_unfused_f64() {
    fused_equals_unfused::<f64>();
}

/// Long rows and runs: the unrolled body, streaming stores (8 MiB and more of output) and the
/// sums over many terms.
#[test]
fn long_inputs_f32() {
    let mut rng = Rng::new(5);
    for (channels, inner) in [(4096, 1), (3, 200_000), (1, 1)] {
        let n = 2_400_000 - 2_400_000 % (channels * inner);
        let x = common::inputs::<f32>(n, 1, &mut rng);
        let bias: Vec<f32> = (0..channels).map(|_| rng.value::<f32>() / 100.0).collect();
        let dy: Vec<f32> = (0..n).map(|_| 2.0 * rng.unit() as f32 - 1.0).collect();
        let z: Vec<f32> = (0..n)
            .map(|i| x[i] + bias[channel_of(i, channels, inner)])
            .collect();
        for a in [Activation::Relu, Activation::Gelu] {
            let what = format!("{a}, bias.len() = {channels}, inner = {inner}, n = {n}");
            let (mut want, mut got) = (vec![0.0f32; n], vec![0.0f32; n]);
            a.forward(&z, &mut want).unwrap();
            let want: Vec<f32> = (0..n)
                .map(|i| expect(want[i], &[x[i], bias[channel_of(i, channels, inner)]]))
                .collect();
            a.forward_bias(&x, &mut got, &bias, inner).unwrap();
            bits_equal(&format!("forward_bias {what}"), &got, &want);
            let mut dbias = vec![0.0f32; channels];
            a.backward_bias(&x, &dy, &mut got, &bias, inner, &mut dbias)
                .unwrap();
            let mut want = vec![0.0f32; n];
            a.backward(&z, &dy, &mut want).unwrap();
            let want: Vec<f32> = (0..n)
                .map(|i| {
                    expect(
                        want[i],
                        &[x[i], bias[channel_of(i, channels, inner)], dy[i]],
                    )
                })
                .collect();
            bits_equal(&format!("backward_bias {what}"), &got, &want);
            check_dbias(&format!("backward_bias {what}"), &got, &dbias, inner);
        }
    }
}

fn errors_write_nothing<T: TestFloat>() {
    let sentinel = T::from_f64(-123.0);
    let a = Activation::Gelu;
    let x = vec![T::ONE; 12];
    // (bias length, inner, data length)
    for (channels, inner, len) in [(0, 1, 12), (3, 0, 12), (5, 1, 12), (2, 7, 12)] {
        let bias = vec![T::ZERO; channels];
        let mut y = vec![sentinel; len];
        let err = a.forward_bias(&x[..len], &mut y, &bias, inner).unwrap_err();
        assert!(matches!(err, Error::BadBiasLayout { .. }), "{err}");
        assert!(y.iter().all(|v| common::same(*v, sentinel)));
        let mut xy = vec![sentinel; len];
        assert!(matches!(
            a.forward_bias_inplace(&mut xy, &bias, inner),
            Err(Error::BadBiasLayout { .. })
        ));
        assert!(xy.iter().all(|v| common::same(*v, sentinel)));
        let (mut dx, mut dbias) = (vec![sentinel; len], vec![sentinel; bias.len()]);
        let err = a
            .backward_bias(&x[..len], &x[..len], &mut dx, &bias, inner, &mut dbias)
            .unwrap_err();
        assert!(matches!(err, Error::BadBiasLayout { .. }), "{err}");
        assert!(dx.iter().chain(&dbias).all(|v| common::same(*v, sentinel)));
    }
    let bias = vec![T::ZERO; 3];
    // Lengths.
    let mut y = vec![sentinel; 11];
    assert!(matches!(
        a.forward_bias(&x, &mut y, &bias, 1),
        Err(Error::LengthMismatch { .. })
    ));
    let (mut dx, mut dbias) = (vec![sentinel; 12], vec![sentinel; 2]);
    assert!(matches!(
        a.backward_bias(&x, &x, &mut dx, &bias, 1, &mut dbias),
        Err(Error::LengthMismatch { .. })
    ));
    let mut dbias3 = vec![sentinel; 3];
    assert!(matches!(
        a.backward_bias(&x, &x[..11], &mut dx, &bias, 1, &mut dbias3),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(y
        .iter()
        .chain(&dx)
        .chain(&dbias)
        .chain(&dbias3)
        .all(|v| common::same(*v, sentinel)));
    // Parameters.
    let bad = Activation::Elu { alpha: f64::NAN };
    let mut y = vec![sentinel; 12];
    assert!(matches!(
        bad.forward_bias(&x, &mut y, &bias, 1),
        Err(Error::BadParameter { .. })
    ));
    assert!(matches!(
        bad.backward_bias(&x, &x, &mut dx, &bias, 1, &mut dbias3),
        Err(Error::BadParameter { .. })
    ));
    assert!(y
        .iter()
        .chain(&dx)
        .chain(&dbias3)
        .all(|v| common::same(*v, sentinel)));
    // ISAs this machine lacks.
    for isa in Isa::ALL.into_iter().filter(|i| !i.is_available()) {
        assert!(matches!(
            a.forward_bias_on(isa, &x, &mut y, &bias, 1),
            Err(Error::IsaUnavailable { .. })
        ));
        assert!(y.iter().all(|v| common::same(*v, sentinel)));
    }
}

#[test]
fn errors_write_nothing_f32() {
    errors_write_nothing::<f32>();
}

#[test]
fn errors_write_nothing_f64() {
    errors_write_nothing::<f64>();
}

#[test]
fn layout_errors_name_the_values() {
    let mut y = [0.0f32; 10];
    let err = Activation::Relu
        .forward_bias(&[0.0f32; 10], &mut y, &[0.0; 3], 1)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "simd_activations::Activation::forward_bias (ReLU): bias does not fit the data: \
         bias.len() = 3, inner = 1, x.len() = 10 (need bias.len() >= 1, inner >= 1, and \
         bias.len() * inner dividing x.len() where bias.len() > 1)"
    );
    // bias.len() * inner overflows: an error, not a panic.
    let err = Activation::Relu
        .forward_bias(&[0.0f32; 10], &mut y, &[0.0; 2], usize::MAX)
        .unwrap_err();
    assert!(matches!(
        err,
        Error::BadBiasLayout {
            inner: usize::MAX,
            ..
        }
    ));
}
