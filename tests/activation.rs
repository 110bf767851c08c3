//! `Activation` and the registry: they agree; every name and alias parses, `Display` parses
//! back bit for bit; bad names and parameters give their errors; every method equals the free
//! function bit for bit on every ISA; every error path writes nothing.

mod common;

use common::free::{free_backward, free_forward, free_from_output};
use common::{isas, Rng, TestFloat};
use simd_activations::registry::{self, Domain, FromOutput};
use simd_activations::*;

// ------------------------------------------------------------------------------------------
// Registry and variants
// ------------------------------------------------------------------------------------------

#[test]
fn registry_and_variants_agree() {
    assert_eq!(Activation::ALL.len(), registry::ALL.len());
    for (a, spec) in Activation::ALL.iter().zip(&registry::ALL) {
        assert!(core::ptr::eq(a.spec(), spec), "{a:?} -> {}", a.spec().name);
        assert_eq!(a.function_name(), spec.function);
        // The variant's parameters are the registry's, with the registry's defaults.
        let params = a.params();
        assert_eq!(params.len(), spec.params.len(), "{a:?}");
        for ((name, v), p) in params.iter().zip(spec.params) {
            assert_eq!(*name, p.name);
            assert_eq!(v.to_bits(), p.default.to_bits(), "{a:?}.{name}");
            assert!(p.domain.contains(p.default));
        }
        assert!(a.validate().is_ok(), "{a:?}");
        // Forms: from-output exactly where the registry says.
        let has = !matches!(spec.from_output, FromOutput::Never { .. });
        assert_eq!(spec.forms().contains(&"_backward_from_output"), has);
        assert_eq!(a.gradient_needs() == GradientInput::Output, has, "{a:?}");
        let u = spec.ulp;
        for v in [u.f32_forward, u.f32_backward, u.f64_forward, u.f64_backward] {
            assert!((0.0..=3.0).contains(&v), "{a:?}: {u:?}");
        }
    }
    // No name is claimed twice.
    let mut names: Vec<String> = registry::accepted_names()
        .iter()
        .map(|n| n.to_ascii_lowercase())
        .collect();
    let n = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), n, "a name appears twice: {names:?}");
}

/// What each registry name parses to: the variant of its entry, but GELU's names.
#[test]
fn every_name_and_alias_parses() {
    for (a, spec) in Activation::ALL.iter().zip(&registry::ALL) {
        for name in spec.names() {
            for variant in [
                name.to_string(),
                name.to_ascii_uppercase(),
                name.to_ascii_lowercase(),
                format!("  {name}  "),
                format!("{name}()"),
            ] {
                let got: Activation = variant
                    .parse()
                    .unwrap_or_else(|e| panic!("{variant:?}: {e}"));
                assert_eq!(got, *a, "{variant:?}");
            }
        }
    }
}

#[test]
fn display_parses_back_bit_for_bit() {
    let mut cases: Vec<Activation> = Activation::ALL.to_vec();
    for v in [
        0.2,
        -0.5,
        1e-300,
        3.0e38,
        f64::INFINITY,
        -0.0,
        0.1 + 0.2,
        7.0,
    ] {
        cases.push(Activation::Hardtanh {
            min_val: v.min(-v),
            max_val: v.max(-v),
        });
        if v.is_finite() {
            cases.push(Activation::LeakyRelu { slope: v });
            cases.push(Activation::Elu { alpha: v });
            cases.push(Activation::Softplus {
                beta: 2.5,
                threshold: v,
            });
        }
        if v > 0.0 && v.is_finite() {
            cases.push(Activation::Celu { alpha: v });
            cases.push(Activation::Softplus {
                beta: v,
                threshold: 20.0,
            });
        }
    }
    for a in cases {
        let s = a.to_string();
        let back: Activation = s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"));
        let (p, q) = (a.params(), back.params());
        assert_eq!(back.spec().name, a.spec().name, "{s}");
        for ((_, x), (_, y)) in p.iter().zip(&q) {
            assert_eq!(x.to_bits(), y.to_bits(), "{s}");
        }
        assert_eq!(back.to_string(), s);
    }
}

#[test]
fn names_from_the_frameworks() {
    let cases: &[(&str, Activation)] = &[
        // PyTorch
        ("ReLU", Activation::Relu),
        ("ReLU(inplace=True)", Activation::Relu),
        ("LeakyReLU", Activation::LeakyRelu { slope: 0.01 }),
        (
            "LeakyReLU(negative_slope=0.2)",
            Activation::LeakyRelu { slope: 0.2 },
        ),
        ("LeakyReLU(0.2)", Activation::LeakyRelu { slope: 0.2 }),
        (
            "LeakyReLU(0.2, inplace=False)",
            Activation::LeakyRelu { slope: 0.2 },
        ),
        ("GELU", Activation::Gelu),
        ("GELU(approximate='none')", Activation::Gelu),
        ("GELU(approximate='tanh')", Activation::GeluTanh),
        ("GELU(approximate=\"tanh\")", Activation::GeluTanh),
        ("GELU('tanh')", Activation::GeluTanh),
        ("SiLU", Activation::Silu),
        ("Hardswish", Activation::Hardswish),
        ("ELU(alpha=0.5)", Activation::Elu { alpha: 0.5 }),
        ("ELU(0.5)", Activation::Elu { alpha: 0.5 }),
        (
            "Softplus(beta=2, threshold=20)",
            Activation::Softplus {
                beta: 2.0,
                threshold: 20.0,
            },
        ),
        (
            "Softplus(2)",
            Activation::Softplus {
                beta: 2.0,
                threshold: 20.0,
            },
        ),
        (
            "Softplus(threshold=10)",
            Activation::Softplus {
                beta: 1.0,
                threshold: 10.0,
            },
        ),
        (
            "Hardtanh(min_val=-2, max_val=2)",
            Activation::Hardtanh {
                min_val: -2.0,
                max_val: 2.0,
            },
        ),
        (
            "Hardtanh(-2.0, 2.0)",
            Activation::Hardtanh {
                min_val: -2.0,
                max_val: 2.0,
            },
        ),
        ("CELU", Activation::Celu { alpha: 1.0 }),
        ("CELU(alpha=2.0)", Activation::Celu { alpha: 2.0 }),
        ("SELU", Activation::Selu),
        ("ReLU6", Activation::Relu6),
        ("Mish", Activation::Mish),
        ("Sigmoid", Activation::Sigmoid),
        ("Tanh", Activation::Tanh),
        ("Hardsigmoid", Activation::Hardsigmoid),
        // Keras
        ("relu", Activation::Relu),
        ("leaky_relu", Activation::LeakyRelu { slope: 0.01 }),
        ("leaky_relu(0.2)", Activation::LeakyRelu { slope: 0.2 }),
        (
            "leaky_relu(negative_slope=0.2)",
            Activation::LeakyRelu { slope: 0.2 },
        ),
        ("LeakyReLU(alpha=0.3)", Activation::LeakyRelu { slope: 0.3 }),
        ("elu", Activation::Elu { alpha: 1.0 }),
        ("selu", Activation::Selu),
        ("gelu", Activation::Gelu),
        ("gelu(approximate=True)", Activation::GeluTanh),
        ("gelu(approximate=False)", Activation::Gelu),
        ("swish", Activation::Silu),
        ("silu", Activation::Silu),
        ("hard_sigmoid", Activation::Hardsigmoid),
        ("hard_swish", Activation::Hardswish),
        ("hard_silu", Activation::Hardswish),
        (
            "softplus",
            Activation::Softplus {
                beta: 1.0,
                threshold: 20.0,
            },
        ),
        ("mish", Activation::Mish),
        ("relu6", Activation::Relu6),
        ("tanh", Activation::Tanh),
        ("sigmoid", Activation::Sigmoid),
        // Hugging Face
        ("gelu_new", Activation::GeluTanh),
        ("gelu_pytorch_tanh", Activation::GeluTanh),
        ("gelu_fast", Activation::GeluTanh),
        ("gelu_python", Activation::Gelu),
        // the crate's own
        ("gelu_tanh", Activation::GeluTanh),
        (
            "gelu_pytorch_tanh(approximate='tanh')",
            Activation::GeluTanh,
        ),
        (
            "hardtanh",
            Activation::Hardtanh {
                min_val: -1.0,
                max_val: 1.0,
            },
        ),
        ("Softsign", Activation::Softsign),
        (
            "Threshold(0.5, -1)",
            Activation::Threshold {
                threshold: 0.5,
                value: -1.0,
            },
        ),
        (
            "Threshold(value=2, threshold=1)",
            Activation::Threshold {
                threshold: 1.0,
                value: 2.0,
            },
        ),
        (
            "ThresholdedReLU(theta=2)",
            Activation::ThresholdedRelu { theta: 2.0 },
        ),
        (
            "thresholded_relu(alpha=0.5)",
            Activation::ThresholdedRelu { theta: 0.5 },
        ),
        (
            "Hardshrink(lambd=0.3)",
            Activation::Hardshrink { lambd: 0.3 },
        ),
        ("softshrink(0.2)", Activation::Softshrink { lambd: 0.2 }),
        ("Softshrink(lambd=0)", Activation::Softshrink { lambd: 0.0 }),
        ("Tanhshrink", Activation::Tanhshrink),
        ("LogSigmoid", Activation::LogSigmoid),
        ("log_sigmoid", Activation::LogSigmoid),
        ("quick_gelu", Activation::QuickGelu),
        ("SiLUBeta(beta=1.5)", Activation::SiluBeta { beta: 1.5 }),
        ("swish_beta(-0.5)", Activation::SiluBeta { beta: -0.5 }),
        (
            "RReLU(0.1, 0.3)",
            Activation::Rrelu {
                lower: 0.1,
                upper: 0.3,
            },
        ),
    ];
    for (s, want) in cases {
        let got: Activation = s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"));
        assert_eq!(got, *want, "{s:?}");
    }
}

fn parse_err(s: &str) -> Error {
    match s.parse::<Activation>() {
        Ok(a) => panic!("{s:?} parsed as {a:?}"),
        Err(e) => e,
    }
}

#[test]
fn bad_names_list_the_accepted_ones() {
    for s in [
        "gelu_quick",
        "relu2",
        "linear",
        "prelu",
        "crelu",
        "gelu_10",
        "softmax",
        "RELU7",
    ] {
        let e = parse_err(s);
        let Error::UnknownName { name, accepted, .. } = &e else {
            panic!("{s}: {e:?}");
        };
        assert_eq!(name, s);
        assert_eq!(accepted, &registry::accepted_names());
        let msg = e.to_string();
        assert!(
            msg.contains(s) && msg.contains("LeakyReLU") && msg.contains("gelu_new"),
            "{msg}"
        );
    }
}

#[test]
fn bad_parameters_name_themselves_and_their_range() {
    let cases: &[(&str, &str, &str)] = &[
        ("CELU(alpha=0)", "alpha", "0 < value < inf"),
        ("CELU(-1)", "alpha", "0 < value < inf"),
        ("CELU(alpha=inf)", "alpha", "0 < value < inf"),
        ("Softplus(beta=0)", "beta", "0 < value < inf"),
        ("Softplus(beta=-2, threshold=20)", "beta", "0 < value < inf"),
        ("Softplus(1, nan)", "threshold", "finite"),
        ("Softplus(1, inf)", "threshold", "finite"),
        ("LeakyReLU(nan)", "negative_slope", "finite"),
        ("LeakyReLU(-inf)", "negative_slope", "finite"),
        ("ELU(inf)", "alpha", "finite"),
        ("LeakyReLU(negative_slope=abc)", "negative_slope", "finite"),
        ("ELU(alpha=NaN)", "alpha", "finite"),
        (
            "Hardtanh(min_val=2, max_val=-2)",
            "min_val",
            "min_val <= max_val",
        ),
        ("Hardtanh(min_val=nan)", "min_val", "any value but NaN"),
        ("Softshrink(lambd=-0.5)", "lambd", "0 <= value < inf"),
        ("Softshrink(inf)", "lambd", "0 <= value < inf"),
        ("Hardshrink(nan)", "lambd", "finite"),
        ("Threshold(inf, 0)", "threshold", "finite"),
        ("Threshold(0, nan)", "value", "finite"),
        ("ThresholdedReLU(theta=-inf)", "theta", "finite"),
        ("SiLUBeta(beta=inf)", "beta", "finite"),
        ("RReLU(0.5, 0.25)", "lower", "lower <= upper"),
        ("RReLU(lower=nan)", "lower", "finite"),
        ("RReLU(0.1, inf)", "upper", "finite"),
        (
            "GELU(approximate='sigmoid')",
            "approximate",
            "'none' or 'tanh'",
        ),
    ];
    for (s, param, valid) in cases {
        let e = parse_err(s);
        let Error::BadParameter {
            param: p, valid: v, ..
        } = &e
        else {
            panic!("{s}: {e:?}");
        };
        assert_eq!((p, v.contains(valid)), (param, true), "{s}: {e}");
        let msg = e.to_string();
        assert!(msg.contains(param) && msg.contains(valid), "{msg}");
    }
    for s in [
        "ReLU(slope=0.1)",
        "LeakyReLU(beta=1)",
        "ELU(alpha=1, alpha=2)",
        "Softplus(gamma=1)",
    ] {
        assert!(
            matches!(parse_err(s), Error::UnknownParameter { .. }),
            "{s}"
        );
    }
    for s in [
        "",
        "(",
        "ReLU(",
        "ReLU)",
        "Leaky ReLU",
        "ELU(1, 2)",
        "ReLU(1)",
        "ELU(alpha=1, 2)",
        "ELU(1,)",
        "ReLU(inplace=maybe)",
        "Softplus(1, 2, 3)",
    ] {
        assert!(
            matches!(parse_err(s), Error::Syntax { .. }),
            "{s:?}: {:?}",
            parse_err(s)
        );
    }
}

#[test]
fn isa_names() {
    for isa in Isa::ALL {
        assert_eq!(isa.name().parse::<Isa>().unwrap(), isa);
        assert_eq!(isa.name().to_ascii_uppercase().parse::<Isa>().unwrap(), isa);
        assert_eq!(isa.to_string().parse::<Isa>().unwrap(), isa);
    }
    assert!(matches!(
        "sse".parse::<Isa>(),
        Err(Error::UnknownName { what: "Isa", .. })
    ));
    for isa in Isa::available() {
        assert!(Isa::ALL.contains(&isa));
    }
}

// ------------------------------------------------------------------------------------------
// Methods against the free functions
// ------------------------------------------------------------------------------------------

fn bits_equal<T: TestFloat>(what: &str, got: &[T], want: &[T]) {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(common::same(*g, *w), "{what}: [{i}] {g:e} != {w:e}");
    }
}

fn methods_equal_free_functions<T: TestFloat>() {
    let mut rng = Rng::new(7);
    for isa in isas() {
        for a in common::variants() {
            for n in [0, 1, 7, 33, 1029, 2100] {
                let what = format!("{a} on {isa}, n = {n} [{}]", T::NAME);
                let x = common::inputs::<T>(n, n % 5, &mut rng);
                let dy = common::gradients::<T>(n, &mut rng);
                let (mut want, mut got) = (vec![T::ZERO; n], vec![T::ZERO; n]);
                free_forward(&a, isa, &x, &mut want);
                a.forward_on(isa, &x, &mut got).unwrap();
                bits_equal(&format!("forward {what}"), &got, &want);
                let y = want.clone();
                let mut xy = x.clone();
                a.forward_inplace_on(isa, &mut xy).unwrap();
                bits_equal(&format!("forward_inplace {what}"), &xy, &want);
                if isa == Isa::active() {
                    a.forward(&x, &mut got).unwrap();
                    bits_equal(&format!("forward {what}"), &got, &want);
                }

                free_backward(&a, isa, &x, &dy, &mut want);
                a.backward_on(isa, &x, &dy, &mut got).unwrap();
                bits_equal(&format!("backward {what}"), &got, &want);
                let mut g = dy.clone();
                a.backward_inplace_on(isa, &x, &mut g).unwrap();
                bits_equal(&format!("backward_inplace {what}"), &g, &want);
                if isa == Isa::active() {
                    a.backward(&x, &dy, &mut got).unwrap();
                    bits_equal(&format!("backward {what}"), &got, &want);
                    let mut g = dy.clone();
                    a.backward_inplace(&x, &mut g).unwrap();
                    bits_equal(&format!("backward_inplace {what}"), &g, &want);
                }

                let has = a.gradient_needs() == GradientInput::Output;
                let result = a.backward_from_output_on(isa, &y, &dy, &mut got);
                if has {
                    free_from_output(&a, isa, &y, &dy, &mut want).expect("a from-output form");
                    result.unwrap();
                    bits_equal(&format!("backward_from_output {what}"), &got, &want);
                } else {
                    assert!(
                        matches!(result, Err(Error::GradientNeedsInput { .. })),
                        "{what}"
                    );
                }
            }
        }
    }
}

#[test]
fn methods_equal_free_functions_f32() {
    methods_equal_free_functions::<f32>();
}

#[test]
fn methods_equal_free_functions_f64() {
    methods_equal_free_functions::<f64>();
}

// ------------------------------------------------------------------------------------------
// Error paths write nothing
// ------------------------------------------------------------------------------------------

const SENTINEL: f64 = -12345.678;

/// Runs every method of `a` with the given lengths (`x`, `y`/`dy`, `dx`) and checks that
/// each fails with an error satisfying `expect` and leaves every output at the sentinel.
fn all_methods_fail<T: TestFloat>(
    a: &Activation,
    isa: Isa,
    lens: (usize, usize, usize),
    expect: impl Fn(&str, &Error) -> bool,
) {
    let s = T::from_f64(SENTINEL);
    let (nx, ny, nd) = lens;
    let x = vec![T::from_f64(0.5); nx];
    let dy = vec![T::ONE; ny];
    let untouched = |what: &str, buf: &[T], e: &Error| {
        assert!(
            buf.iter().all(|v| v.bits() == s.bits()),
            "{a} {what}: written before {e}"
        );
        assert!(
            expect(what, e),
            "{a} {what} [{}]: unexpected error {e:?}",
            T::NAME
        );
    };
    let mut y = vec![s; ny];
    let e = a.forward_on(isa, &x, &mut y).unwrap_err();
    untouched("forward", &y, &e);
    if !matches!(e, Error::LengthMismatch { .. }) {
        let mut xy = vec![s; nx];
        let e = a.forward_inplace_on(isa, &mut xy).unwrap_err();
        untouched("forward_inplace", &xy, &e);
    }
    let mut dx = vec![s; nd];
    let e = a.backward_on(isa, &x, &dy, &mut dx).unwrap_err();
    untouched("backward", &dx, &e);
    let mut g = vec![s; nd];
    let e = a.backward_inplace_on(isa, &x, &mut g).unwrap_err();
    untouched("backward_inplace", &g, &e);
    let mut dx = vec![s; nd];
    let e = a
        .backward_from_output_on(isa, &x, &dy, &mut dx)
        .unwrap_err();
    untouched("backward_from_output", &dx, &e);
}

fn errors_write_nothing<T: TestFloat>() {
    let isa = Isa::active();
    // Length mismatches, for every activation (the from-output refusal comes first where the
    // output does not determine the gradient).
    for a in common::variants() {
        for lens in [(4, 5, 5), (5, 4, 4), (0, 1, 1), (17, 16, 16), (16, 64, 64)] {
            all_methods_fail::<T>(&a, isa, lens, |what, e| match e {
                Error::LengthMismatch { lengths, func, .. } => {
                    func.ends_with(what) && lengths.iter().any(|&(_, n)| n != lengths[0].1)
                }
                Error::GradientNeedsInput { .. } => what == "backward_from_output",
                _ => false,
            });
        }
    }
    // Bad parameters, on valid lengths.
    let bad = [
        (Activation::Celu { alpha: 0.0 }, "alpha"),
        (Activation::Celu { alpha: -1.0 }, "alpha"),
        (
            Activation::Celu {
                alpha: f64::INFINITY,
            },
            "alpha",
        ),
        (Activation::Celu { alpha: f64::NAN }, "alpha"),
        (Activation::LeakyRelu { slope: f64::NAN }, "negative_slope"),
        (
            Activation::LeakyRelu {
                slope: f64::INFINITY,
            },
            "negative_slope",
        ),
        (Activation::Elu { alpha: f64::NAN }, "alpha"),
        (
            Activation::Elu {
                alpha: f64::NEG_INFINITY,
            },
            "alpha",
        ),
        (
            Activation::Softplus {
                beta: 1.0,
                threshold: f64::INFINITY,
            },
            "threshold",
        ),
        (
            Activation::Hardtanh {
                min_val: 1.0,
                max_val: -1.0,
            },
            "min_val",
        ),
        (
            Activation::Hardtanh {
                min_val: f64::NAN,
                max_val: 1.0,
            },
            "min_val",
        ),
        (
            Activation::Hardtanh {
                min_val: 0.0,
                max_val: f64::NAN,
            },
            "max_val",
        ),
        (
            Activation::Softplus {
                beta: 0.0,
                threshold: 20.0,
            },
            "beta",
        ),
        (
            Activation::Softplus {
                beta: f64::INFINITY,
                threshold: 20.0,
            },
            "beta",
        ),
        (
            Activation::Softplus {
                beta: 1.0,
                threshold: f64::NAN,
            },
            "threshold",
        ),
        (Activation::Softshrink { lambd: -1e-30 }, "lambd"),
        (Activation::Hardshrink { lambd: f64::NAN }, "lambd"),
        (
            Activation::Threshold {
                threshold: 0.0,
                value: f64::INFINITY,
            },
            "value",
        ),
        (Activation::ThresholdedRelu { theta: f64::NAN }, "theta"),
        (
            Activation::SiluBeta {
                beta: f64::NEG_INFINITY,
            },
            "beta",
        ),
        (
            Activation::Rrelu {
                lower: 0.5,
                upper: 0.25,
            },
            "lower",
        ),
        (
            Activation::Rrelu {
                lower: 0.0,
                upper: f64::NAN,
            },
            "upper",
        ),
    ];
    for (a, param) in bad {
        assert!(a.validate().is_err(), "{a:?}");
        all_methods_fail::<T>(
            &a,
            isa,
            (8, 8, 8),
            |_, e| matches!(e, Error::BadParameter { param: p, .. } if *p == param),
        );
    }
    // From-output refusals: leaky ReLU and ELU with a non-positive parameter, and every
    // activation without a from-output form.
    let s = T::from_f64(SENTINEL);
    let mut refused = vec![
        Activation::LeakyRelu { slope: 0.0 },
        Activation::LeakyRelu { slope: -0.1 },
        Activation::Elu { alpha: -1.0 },
        Activation::Elu { alpha: -0.0 },
    ];
    refused.extend(
        Activation::ALL
            .iter()
            .filter(|a| matches!(a.spec().from_output, FromOutput::Never { .. })),
    );
    for a in refused {
        assert_eq!(a.gradient_needs(), GradientInput::Input, "{a}");
        let mut dx = vec![s; 8];
        let e = a
            .backward_from_output_on(isa, &[T::ONE; 8], &[T::ONE; 8], &mut dx)
            .unwrap_err();
        assert!(matches!(e, Error::GradientNeedsInput { .. }), "{a}: {e:?}");
        assert!(dx.iter().all(|v| v.bits() == s.bits()), "{a}: written");
        assert!(e.to_string().contains(&a.to_string()), "{e}");
    }
    // An ISA this CPU lacks.
    for missing in Isa::ALL.into_iter().filter(|i| !i.is_available()) {
        for a in common::variants() {
            all_methods_fail::<T>(
                &a,
                missing,
                (8, 8, 8),
                |_, e| matches!(e, Error::IsaUnavailable { isa, .. } if *isa == missing),
            );
        }
    }
}

#[test]
fn errors_write_nothing_f32() {
    errors_write_nothing::<f32>();
    // Parameters valid in f64 but not once rounded to f32.
    let a = Activation::Softplus {
        beta: 1e-50,
        threshold: 20.0,
    };
    assert!(a.validate().is_ok());
    let mut y = [0.0f64; 1];
    a.forward(&[1.0f64], &mut y).unwrap();
    let e = a.forward(&[1.0f32], &mut [5.0f32]).unwrap_err();
    assert!(e.to_string().contains("as f32: 0.0"), "{e}");
    let a = Activation::Celu { alpha: 1e300 };
    assert!(a.forward(&[1.0f32], &mut [5.0f32]).is_err());
    assert_eq!(
        Activation::LeakyRelu { slope: 1e-50 }.gradient_needs(),
        GradientInput::Input
    );
    let a = Activation::LeakyRelu { slope: 1e300 };
    a.forward(&[1.0f64], &mut [0.0]).unwrap();
    let e = a.forward(&[1.0f32], &mut [5.0f32]).unwrap_err();
    assert!(e.to_string().contains("as f32: inf"), "{e}");
}

#[test]
fn errors_write_nothing_f64() {
    errors_write_nothing::<f64>();
}

#[test]
fn error_messages_name_function_and_values() {
    let e = Activation::Elu { alpha: 1.0 }
        .backward(&[1.0f32; 3], &[1.0; 3], &mut [0.0; 2])
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "simd_activations::Activation::backward (ELU(alpha=1.0)): length mismatch: \
         x.len() = 3, dy.len() = 3, dx.len() = 2"
    );
    let e = Activation::Celu { alpha: -1.0 }.validate().unwrap_err();
    assert_eq!(
        e.to_string(),
        "simd_activations::Activation::validate: CELU parameter alpha = -1.0 is out of range \
         (valid: 0 < value < inf)"
    );
    let e = Activation::Mish
        .backward_from_output(&[1.0f64], &[1.0], &mut [0.0])
        .unwrap_err();
    assert!(
        e.to_string().contains("Mish") && e.to_string().contains("not monotonic"),
        "{e}"
    );
    let _: &dyn std::error::Error = &e;
}

#[test]
fn domains_match_the_panics() {
    // Where the registry says a value is valid, the free function accepts it, and where not
    // (for the parameters the free functions check), it panics: CELU's alpha, softplus's beta.
    assert!(!Domain::Positive.contains(0.0));
    let spec = registry::find("celu").unwrap();
    assert_eq!(spec.params[0].domain, Domain::Positive);
    let r = std::panic::catch_unwind(|| celu(&[1.0f32], &mut [0.0], 0.0));
    assert!(r.is_err());
    let spec = registry::find("softplus").unwrap();
    assert_eq!(spec.params[0].domain, Domain::Positive);
    let r = std::panic::catch_unwind(|| softplus(&[1.0f32], &mut [0.0], 0.0, 20.0));
    assert!(r.is_err());
}

// ------------------------------------------------------------------------------------------
// The crate docs' table is the registry's
// ------------------------------------------------------------------------------------------

/// One row of the table in the crate docs (`src/lib.rs`), from the registry.
fn doc_row(spec: &registry::Spec) -> String {
    let params = if spec.params.is_empty() {
        "none".to_string()
    } else {
        spec.params
            .iter()
            .map(|p| format!("`{} = {:?}` ({})", p.name, p.default, p.domain.describe()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let from_output = match spec.from_output {
        FromOutput::Always => "yes".to_string(),
        FromOutput::IfPositive { param, .. } => format!("if `{} > 0`", spec.params[param].name),
        FromOutput::Never { .. } => "no".to_string(),
        other => panic!("no table text for {other:?}"),
    };
    let u = spec.ulp;
    format!(
        "//! | [`{}`] | `{}` | {params} | {from_output} | {} | {} | {} / {} / {} / {} |",
        spec.function,
        spec.formula,
        spec.breakpoint_gradient,
        spec.nan_inf,
        u.f32_forward,
        u.f32_backward,
        u.f64_forward,
        u.f64_backward
    )
}

#[test]
fn crate_docs_table_is_the_registry() {
    let lib = include_str!("../src/lib.rs");
    let rows: Vec<String> = registry::ALL.iter().map(doc_row).collect();
    let missing: Vec<&String> = rows.iter().filter(|r| !lib.contains(r.as_str())).collect();
    assert!(
        missing.is_empty(),
        "src/lib.rs lacks these rows of the table (the whole table is):\n{}",
        rows.join("\n")
    );
}
