//! Every unary activation declared once: its names, parameters (defaults, valid ranges), the
//! gradient forms it has, whether its gradient can come from its output, its measured ULP
//! bounds and its special inputs. [`Activation`](crate::Activation)'s parsing, `Display`,
//! validation and [`Activation::ALL`](crate::Activation::ALL) read this table, and the tests
//! iterate over it.
//!
//! PReLU and CReLU are not here: PReLU takes a weight slice and a layout, CReLU doubles the
//! row length, so neither is a map from `n` elements to `n` elements with scalar parameters
//! (see [`Activation`](crate::Activation)).
//!
//! ```
//! use simd_activations::registry::{self, FromOutput};
//! let elu = registry::find("elu").unwrap();
//! assert_eq!(elu.function, "elu");
//! assert_eq!(elu.params[0].name, "alpha");
//! assert_eq!(elu.params[0].default, 1.0);
//! assert!(matches!(elu.from_output, FromOutput::IfPositive { param: 0, .. }));
//! assert_eq!(registry::ALL.len(), simd_activations::Activation::ALL.len());
//! ```

use crate::defaults::*;
#[cfg(not(feature = "std"))]
use alloc::{vec, vec::Vec};

/// One activation of the registry.
///
/// ```
/// let spec = simd_activations::registry::find("softplus").unwrap();
/// assert_eq!(spec.params.len(), 2);
/// assert!(spec.ulp.f32_forward <= 1.0); // the documented bound: 1 ULP
/// assert!(spec.special_inputs.contains(&20.0));
/// ```
#[non_exhaustive]
#[derive(Debug)]
pub struct Spec {
    /// The name `Display` writes: PyTorch's module name (`"LeakyReLU"`); the tanh form of GELU
    /// writes `GELU(approximate='tanh')`.
    pub name: &'static str,
    /// The crate's free function (`"leaky_relu"`; its forms are `leaky_relu_inplace`,
    /// `leaky_relu_backward`, ...).
    pub function: &'static str,
    /// Other accepted names, lower case (Keras, Hugging Face and common spellings). The
    /// `name` and `function` are always accepted too; matching ignores case.
    pub aliases: &'static [&'static str],
    /// The parameters, in PyTorch's positional order.
    pub params: &'static [Param],
    /// The formula, as the function's docs give it.
    pub formula: &'static str,
    /// Whether `function_backward_from_output` exists, and for which parameters it is valid.
    pub from_output: FromOutput,
    /// The gradient at the breakpoints, and where the gradient is a select.
    pub breakpoint_gradient: &'static str,
    /// NaN and infinity behaviour.
    pub nan_inf: &'static str,
    /// Measured maximum error, with the default parameters and `dy = 1`.
    pub ulp: Ulp,
    /// Breakpoints, gradient zeros and the inputs where an evaluation switches form (with the
    /// default parameters): the tests probe around them.
    pub special_inputs: &'static [f64],
}

/// One scalar parameter of an activation.
///
/// ```
/// use simd_activations::registry::{find, Domain};
/// let slope = &find("LeakyReLU").unwrap().params[0];
/// assert_eq!((slope.name, slope.default, slope.domain), ("negative_slope", 0.01, Domain::Finite));
/// assert!(slope.keys.contains(&"slope"));
/// ```
#[non_exhaustive]
#[derive(Debug)]
pub struct Param {
    /// The name `Display` writes (PyTorch's keyword, e.g. `"negative_slope"`).
    pub name: &'static str,
    /// Other accepted keywords, lower case (e.g. `"slope"`, Keras 2's `"alpha"`).
    pub keys: &'static [&'static str],
    /// PyTorch's default (one of the crate's `*_DEFAULT_*` constants).
    pub default: f64,
    /// The valid values.
    pub domain: Domain,
}

/// The valid values of one parameter.
///
/// ```
/// use simd_activations::registry::{find, Domain};
/// assert_eq!(find("celu").unwrap().params[0].domain, Domain::Positive);
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Domain {
    /// Any value but NaN (infinities included).
    NotNan,
    /// Any finite value.
    Finite,
    /// `0 < value < inf`.
    Positive,
    /// `0 <= value < inf`.
    NonNegative,
}

impl Domain {
    /// Whether `value` is valid.
    ///
    /// ```
    /// use simd_activations::registry::Domain;
    /// assert!(Domain::Positive.contains(0.5));
    /// assert!(!Domain::Positive.contains(0.0));
    /// assert!(Domain::NotNan.contains(f64::NEG_INFINITY));
    /// ```
    pub fn contains(self, value: f64) -> bool {
        match self {
            Domain::NotNan => !value.is_nan(),
            Domain::Finite => value.is_finite(),
            Domain::Positive => value > 0.0 && value.is_finite(),
            Domain::NonNegative => value >= 0.0 && value.is_finite(),
        }
    }

    /// The range in words, e.g. `"0 < value < inf"`.
    ///
    /// ```
    /// assert_eq!(simd_activations::registry::Domain::NotNan.describe(), "any value but NaN");
    /// ```
    pub fn describe(self) -> &'static str {
        match self {
            Domain::NotNan => "any value but NaN",
            Domain::Finite => "finite",
            Domain::Positive => "0 < value < inf",
            Domain::NonNegative => "0 <= value < inf",
        }
    }
}

/// Whether the output determines the gradient (so a framework may run the forward in place
/// and keep only `y`).
///
/// ```
/// use simd_activations::registry::{find, FromOutput};
/// assert_eq!(find("tanh").unwrap().from_output, FromOutput::Always);
/// assert!(matches!(find("mish").unwrap().from_output, FromOutput::Never { .. }));
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FromOutput {
    /// For every parameter value: `function_backward_from_output` always applies.
    Always,
    /// Only while parameter `param` (an index into `params`) is positive and finite.
    IfPositive {
        /// Index of the parameter.
        param: usize,
        /// Why, in words.
        reason: &'static str,
    },
    /// Never: there is no `function_backward_from_output`.
    Never {
        /// Why, in words.
        reason: &'static str,
    },
}

/// Measured maximum error in ULP of the exact value (0 = exact), from the functions' docs
/// (`tests/exhaustive.rs` for every f32 input, `tests/f64_sampled.rs` and 50-digit
/// comparisons for f64).
///
/// ```
/// let u = simd_activations::registry::find("relu").unwrap().ulp;
/// assert_eq!((u.f32_forward, u.f64_backward), (0.0, 0.0));
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ulp {
    /// f32 forward.
    pub f32_forward: f64,
    /// f32 gradient from the input, `dy = 1`.
    pub f32_backward: f64,
    /// f64 forward.
    pub f64_forward: f64,
    /// f64 gradient from the input, `dy = 1`.
    pub f64_backward: f64,
}

const fn ulp(f32_forward: f64, f32_backward: f64, f64_forward: f64, f64_backward: f64) -> Ulp {
    Ulp {
        f32_forward,
        f32_backward,
        f64_forward,
        f64_backward,
    }
}

const EXACT: Ulp = ulp(0.0, 0.0, 0.0, 0.0);
const NO_PARAMS: &[Param] = &[];
const NOT_STORED: FromOutput = FromOutput::Never {
    reason: "the crate has no gradient from the output for it",
};
const NOT_MONOTONIC: FromOutput = FromOutput::Never {
    reason: "it is not monotonic, so the output does not determine the input",
};

// ULP values: from the functions' docs (f32: every input, `tests/exhaustive.rs`; f64: dense
// samples, `tests/f64_sampled.rs`).

/// The registry, in the order of [`Activation::ALL`](crate::Activation::ALL).
///
/// ```
/// use simd_activations::{registry, Activation};
/// for (spec, a) in registry::ALL.iter().zip(Activation::ALL) {
///     assert_eq!(spec.function, a.function_name());
/// }
/// ```
pub static ALL: [Spec; 26] = [
    Spec {
        name: "ReLU",
        function: "relu",
        aliases: &[],
        params: NO_PARAMS,
        formula: "x < 0 ? +0 : x",
        from_output: FromOutput::Always,
        breakpoint_gradient: "relu'(0) = 0; select (NaN/inf dy gives 0 where x <= 0)",
        nan_inf: "NaN -> NaN; -0 -> -0; -inf -> +0",
        ulp: EXACT,
        special_inputs: &[0.0],
    },
    Spec {
        name: "LeakyReLU",
        function: "leaky_relu",
        aliases: &[],
        params: &[Param {
            name: "negative_slope",
            keys: &["slope", "alpha"],
            default: LEAKY_RELU_DEFAULT_SLOPE,
            domain: Domain::Finite,
        }],
        formula: "x > 0 ? x : negative_slope * x",
        from_output: FromOutput::IfPositive {
            param: 0,
            reason: "only for 0 < negative_slope < inf does y > 0 tell x > 0",
        },
        breakpoint_gradient: "leaky'(0) = negative_slope; multiply",
        nan_inf: "NaN -> NaN (gradient too); -inf -> slope * -inf",
        ulp: ulp(0.5, 0.5, 0.5, 0.5),
        special_inputs: &[0.0],
    },
    Spec {
        name: "ELU",
        function: "elu",
        aliases: &[],
        params: &[Param {
            name: "alpha",
            keys: &[],
            default: ELU_DEFAULT_ALPHA,
            domain: Domain::Finite,
        }],
        formula: "x > 0 ? x : alpha * expm1(x)",
        from_output: FromOutput::IfPositive {
            param: 0,
            reason: "only for 0 < alpha < inf does y > 0 tell x > 0",
        },
        breakpoint_gradient: "elu'(0) = alpha (left branch); multiply",
        nan_inf: "NaN -> NaN; -inf -> -alpha, gradient dy * 0",
        ulp: ulp(0.88, 0.98, 0.69, 0.94),
        special_inputs: &[0.0, -87.0, -104.0, -708.0, -745.0],
    },
    Spec {
        name: "SELU",
        function: "selu",
        aliases: &[],
        params: NO_PARAMS,
        formula: "SELU_SCALE * (x > 0 ? x : SELU_ALPHA * expm1(x))",
        from_output: FromOutput::Always,
        breakpoint_gradient: "selu'(0) = scale * alpha (left branch); multiply",
        nan_inf: "NaN -> NaN; -inf -> -scale * alpha",
        ulp: ulp(1.79, 1.82, 1.42, 1.55),
        special_inputs: &[0.0, -87.0, -104.0, -708.0, -745.0],
    },
    Spec {
        name: "CELU",
        function: "celu",
        aliases: &[],
        params: &[Param {
            name: "alpha",
            keys: &[],
            default: CELU_DEFAULT_ALPHA,
            domain: Domain::Positive,
        }],
        formula: "x > 0 ? x : alpha * expm1(x / alpha)",
        from_output: FromOutput::Always,
        breakpoint_gradient: "celu'(0) = 1 (left branch); multiply",
        nan_inf: "NaN -> NaN; -inf -> -alpha",
        ulp: ulp(0.88, 0.98, 0.69, 0.94),
        special_inputs: &[0.0, -87.0, -104.0, -708.0, -745.0],
    },
    Spec {
        name: "ReLU6",
        function: "relu6",
        aliases: &[],
        params: NO_PARAMS,
        formula: "min(max(x, 0), 6)",
        from_output: FromOutput::Always,
        breakpoint_gradient: "relu6'(0) = relu6'(6) = 0; select",
        nan_inf: "NaN -> NaN; -0 -> -0; +-inf -> 6, 0",
        ulp: EXACT,
        special_inputs: &[0.0, 6.0],
    },
    Spec {
        name: "Hardtanh",
        function: "hardtanh",
        aliases: &["hard_tanh"],
        params: &[
            Param {
                name: "min_val",
                keys: &["min"],
                default: HARDTANH_DEFAULT_MIN_VAL,
                domain: Domain::NotNan,
            },
            Param {
                name: "max_val",
                keys: &["max"],
                default: HARDTANH_DEFAULT_MAX_VAL,
                domain: Domain::NotNan,
            },
        ],
        formula: "clamp(x, min_val, max_val)",
        from_output: FromOutput::Always,
        breakpoint_gradient: "0 at both bounds; select",
        nan_inf: "NaN -> NaN; an input equal to a bound is returned as is",
        ulp: EXACT,
        special_inputs: &[-1.0, 1.0],
    },
    Spec {
        name: "Sigmoid",
        function: "sigmoid",
        aliases: &[],
        params: NO_PARAMS,
        formula: "1 / (1 + e^-x)",
        from_output: FromOutput::Always,
        breakpoint_gradient: "smooth; multiply",
        nan_inf: "NaN -> NaN; +-inf -> 1, 0; subnormal results kept",
        ulp: ulp(0.746, 0.754, 0.80, 0.80),
        special_inputs: &[0.0, -88.7, -103.9, -708.0, -745.0],
    },
    Spec {
        name: "Tanh",
        function: "tanh",
        aliases: &[],
        params: NO_PARAMS,
        formula: "tanh(x)",
        from_output: FromOutput::Always,
        breakpoint_gradient: "smooth; multiply",
        nan_inf: "NaN -> NaN; +-inf -> +-1; -0 -> -0",
        ulp: ulp(0.730, 0.754, 0.65, 0.93),
        special_inputs: &[0.0, 1e-9, -1e-9],
    },
    Spec {
        name: "SiLU",
        function: "silu",
        aliases: &["swish"],
        params: NO_PARAMS,
        formula: "x * sigmoid(x)",
        from_output: NOT_MONOTONIC,
        breakpoint_gradient: "smooth, zero at x0 = -1.2785; limits 0 and 1 at -inf, +inf",
        nan_inf: "NaN -> NaN; -inf -> -0, +inf -> +inf",
        ulp: ulp(0.761, 2.05, 1.52, 1.9),
        special_inputs: &[0.0, -1.2785, -708.0, -745.0],
    },
    Spec {
        name: "GELU",
        function: "gelu",
        aliases: &["gelu_python"],
        params: NO_PARAMS,
        formula: "x * Phi(x)",
        from_output: NOT_MONOTONIC,
        breakpoint_gradient: "smooth, zero at x0 = -0.7518; limits 0 and 1 at -inf, +inf",
        nan_inf: "NaN -> NaN; -inf -> -0, +inf -> +inf",
        ulp: ulp(0.93, 1.14, 1.40, 2.45),
        special_inputs: &[0.0, -0.7518, -5.5, -37.62],
    },
    Spec {
        name: "GELU(approximate='tanh')",
        function: "gelu_tanh",
        aliases: &["gelu_new", "gelu_pytorch_tanh", "gelu_fast"],
        params: NO_PARAMS,
        formula: "x/2 * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))",
        from_output: NOT_MONOTONIC,
        breakpoint_gradient: "smooth, zero at x0 = -0.7525; limits 0 and 1 at -inf, +inf",
        nan_inf: "NaN -> NaN; -inf -> -0, +inf -> +inf",
        ulp: ulp(0.828, 1.19, 1.15, 2.82),
        special_inputs: &[0.0, -0.7525, -21.15],
    },
    Spec {
        name: "Softplus",
        function: "softplus",
        aliases: &[],
        params: &[
            Param {
                name: "beta",
                keys: &[],
                default: SOFTPLUS_DEFAULT_BETA,
                domain: Domain::Positive,
            },
            Param {
                name: "threshold",
                keys: &[],
                default: SOFTPLUS_DEFAULT_THRESHOLD,
                domain: Domain::Finite,
            },
        ],
        formula: "beta x > threshold ? x : ln(1 + e^(beta x)) / beta",
        from_output: NOT_STORED,
        breakpoint_gradient: "sigmoid(beta x), 1 above the threshold; multiply",
        nan_inf: "NaN -> NaN; -inf -> 0, +inf -> +inf",
        ulp: ulp(0.753, 0.746, 0.97, 0.80),
        special_inputs: &[0.0, 20.0, -708.0],
    },
    Spec {
        name: "Mish",
        function: "mish",
        aliases: &[],
        params: NO_PARAMS,
        formula: "x * tanh(softplus(x))",
        from_output: NOT_MONOTONIC,
        breakpoint_gradient: "smooth, zero at x0 = -1.1924; limits 0 and 1 at -inf, +inf",
        nan_inf: "NaN -> NaN; -inf -> -0, +inf -> +inf",
        ulp: ulp(0.80, 0.510, 1.52, 2.4),
        special_inputs: &[0.0, -1.1924, -708.0],
    },
    Spec {
        name: "Hardswish",
        function: "hardswish",
        aliases: &["hard_swish", "hard_silu"],
        params: NO_PARAMS,
        formula: "x * clamp(x + 3, 0, 6) / 6",
        from_output: NOT_MONOTONIC,
        breakpoint_gradient: "hardswish'(-3) = 0 (select), hardswish'(3) = 1",
        nan_inf: "NaN -> NaN; every x <= -3 (and -inf) -> -0",
        ulp: ulp(1.0, 0.50, 0.50, 0.33),
        special_inputs: &[-3.0, 3.0, 0.0],
    },
    Spec {
        name: "Hardsigmoid",
        function: "hardsigmoid",
        aliases: &["hard_sigmoid"],
        params: NO_PARAMS,
        formula: "clamp(x + 3, 0, 6) / 6",
        from_output: NOT_STORED,
        breakpoint_gradient: "0 at -3 and 3; select",
        nan_inf: "NaN -> NaN; +-inf -> 1, 0",
        ulp: ulp(0.50, 0.33, 0.33, 0.33),
        special_inputs: &[-3.0, 3.0],
    },
    Spec {
        name: "Softsign",
        function: "softsign",
        aliases: &["soft_sign"],
        params: NO_PARAMS,
        formula: "x / (1 + abs(x))",
        from_output: NOT_STORED,
        breakpoint_gradient: "1 / (1 + abs(x))^2, 1 at 0; multiply",
        nan_inf: "NaN -> NaN; +-inf -> +-1 (the limits), gradient 0; -0 -> -0",
        ulp: ulp(0.5, 1.0, 0.5, 0.5),
        special_inputs: &[0.0, 1.0, -1.0],
    },
    Spec {
        name: "Threshold",
        function: "threshold",
        aliases: &[],
        params: &[
            Param {
                name: "threshold",
                keys: &[],
                default: THRESHOLD_DEFAULT_THRESHOLD,
                domain: Domain::Finite,
            },
            Param {
                name: "value",
                keys: &[],
                default: THRESHOLD_DEFAULT_VALUE,
                domain: Domain::Finite,
            },
        ],
        formula: "x <= threshold ? value : x",
        from_output: NOT_STORED,
        breakpoint_gradient: "0 at x = threshold (strict x > threshold); select",
        nan_inf: "NaN -> NaN; +-inf compared as numbers",
        ulp: EXACT,
        special_inputs: &[0.0],
    },
    Spec {
        name: "ThresholdedReLU",
        function: "thresholded_relu",
        aliases: &[],
        params: &[Param {
            name: "theta",
            keys: &["alpha"],
            default: THRESHOLDED_RELU_DEFAULT_THETA,
            domain: Domain::Finite,
        }],
        formula: "x > theta ? x : +0",
        from_output: NOT_STORED,
        breakpoint_gradient: "0 at x = theta; select",
        nan_inf: "NaN -> NaN; -inf -> +0",
        ulp: EXACT,
        special_inputs: &[1.0, 0.0],
    },
    Spec {
        name: "Hardshrink",
        function: "hardshrink",
        aliases: &["hard_shrink"],
        params: &[Param {
            name: "lambd",
            keys: &["lambda"],
            default: HARDSHRINK_DEFAULT_LAMBD,
            domain: Domain::Finite,
        }],
        formula: "-lambd <= x <= lambd ? +0 : x",
        from_output: NOT_STORED,
        breakpoint_gradient: "0 at abs(x) = lambd; select",
        nan_inf: "NaN -> NaN; +-inf -> +-inf",
        ulp: EXACT,
        special_inputs: &[0.5, -0.5, 0.0],
    },
    Spec {
        name: "Softshrink",
        function: "softshrink",
        aliases: &["soft_shrink"],
        params: &[Param {
            name: "lambd",
            keys: &["lambda"],
            default: SOFTSHRINK_DEFAULT_LAMBD,
            domain: Domain::NonNegative,
        }],
        formula: "x > lambd ? x - lambd : x < -lambd ? x + lambd : +0",
        from_output: NOT_STORED,
        breakpoint_gradient: "0 at abs(x) = lambd; select",
        nan_inf: "NaN -> NaN; +-inf -> +-inf",
        ulp: ulp(0.5, 0.0, 0.5, 0.0),
        special_inputs: &[0.5, -0.5, 0.0],
    },
    Spec {
        name: "Tanhshrink",
        function: "tanhshrink",
        aliases: &["tanh_shrink"],
        params: NO_PARAMS,
        formula: "x - tanh(x)",
        from_output: NOT_STORED,
        breakpoint_gradient: "tanh(x)^2, 0 at 0; multiply",
        nan_inf: "NaN -> NaN; +-inf -> +-inf; -0 -> -0",
        ulp: ulp(0.501, 0.5, 1.77, 0.78),
        special_inputs: &[0.0, 0.625, -0.625],
    },
    Spec {
        name: "LogSigmoid",
        function: "log_sigmoid",
        aliases: &[],
        params: NO_PARAMS,
        formula: "min(x, 0) - ln(1 + e^-abs(x))",
        from_output: NOT_STORED,
        breakpoint_gradient: "sigmoid(-x); multiply",
        nan_inf: "NaN -> NaN; -inf -> -inf, +inf -> 0",
        ulp: ulp(0.505, 0.505, 0.93, 0.55),
        special_inputs: &[0.0, -708.0, 708.0],
    },
    Spec {
        name: "QuickGELU",
        function: "quick_gelu",
        aliases: &[],
        params: NO_PARAMS,
        formula: "x * sigmoid(1.702 x)",
        from_output: NOT_MONOTONIC,
        breakpoint_gradient: "smooth, zero at x0 = -0.7512; limits 0 and 1 at -inf, +inf",
        nan_inf: "NaN -> NaN; -inf -> -0, +inf -> +inf",
        ulp: ulp(0.507, 0.511, 1.2, 1.96),
        special_inputs: &[0.0, -0.7512, -416.0],
    },
    Spec {
        name: "SiLUBeta",
        function: "silu_beta",
        aliases: &["swish_beta"],
        params: &[Param {
            name: "beta",
            keys: &[],
            default: SILU_BETA_DEFAULT_BETA,
            domain: Domain::Finite,
        }],
        formula: "x * sigmoid(beta x)",
        from_output: NOT_MONOTONIC,
        breakpoint_gradient:
            "smooth, zero at beta x = -1.2785; limits 0 and 1 where beta x -> -inf, +inf",
        nan_inf: "NaN -> NaN; +-inf -> x where beta x >= 0, else a zero of the sign of x",
        ulp: ulp(0.507, 0.511, 1.22, 1.86),
        special_inputs: &[0.0, -1.2785, -708.0],
    },
    Spec {
        name: "RReLU",
        function: "rrelu",
        aliases: &[],
        params: &[
            Param {
                name: "lower",
                keys: &[],
                default: RRELU_DEFAULT_LOWER,
                domain: Domain::Finite,
            },
            Param {
                name: "upper",
                keys: &[],
                default: RRELU_DEFAULT_UPPER,
                domain: Domain::Finite,
            },
        ],
        formula: "x > 0 ? x : (lower + upper) / 2 * x",
        from_output: NOT_STORED,
        breakpoint_gradient: "rrelu'(0) = (lower + upper) / 2 (evaluation mode); multiply",
        nan_inf: "NaN -> NaN (gradient too); -inf -> slope * -inf",
        ulp: ulp(0.5, 0.5, 0.5, 0.5),
        special_inputs: &[0.0],
    },
];

/// The spec whose name, function name or alias is `name` (ignoring case).
///
/// ```
/// let s = simd_activations::registry::find("Swish").unwrap();
/// assert_eq!(s.function, "silu");
/// assert_eq!(simd_activations::registry::find("quick_gelu").unwrap().name, "QuickGELU");
/// assert!(simd_activations::registry::find("gelu_quick").is_none());
/// ```
pub fn find(name: &str) -> Option<&'static Spec> {
    let name = name.trim().to_ascii_lowercase();
    ALL.iter()
        .find(|s| s.names().any(|n| n.eq_ignore_ascii_case(&name)))
}

impl Spec {
    /// Every accepted name: `name` (but for the tanh GELU, whose `name` carries a parameter),
    /// `function`, then the aliases.
    ///
    /// ```
    /// let s = simd_activations::registry::find("hard_sigmoid").unwrap();
    /// assert_eq!(s.names().collect::<Vec<_>>(), ["Hardsigmoid", "hard_sigmoid"]);
    /// ```
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        let own = (!self.name.contains('(')).then_some(self.name);
        let function =
            (!own.is_some_and(|n| n.eq_ignore_ascii_case(self.function))).then_some(self.function);
        own.into_iter()
            .chain(function)
            .chain(self.aliases.iter().copied())
    }

    /// The forms this activation has, as free-function suffixes: `""` (forward),
    /// `"_inplace"`, `"_backward"` and, where [`FromOutput`] allows, `"_backward_from_output"`.
    ///
    /// ```
    /// let s = simd_activations::registry::find("gelu").unwrap();
    /// assert_eq!(s.forms(), ["", "_inplace", "_backward"]);
    /// ```
    pub fn forms(&self) -> Vec<&'static str> {
        let mut v = vec!["", "_inplace", "_backward"];
        if !matches!(self.from_output, FromOutput::Never { .. }) {
            v.push("_backward_from_output");
        }
        v
    }
}

/// Every accepted name of every activation, in registry order (for error messages).
///
/// ```
/// assert!(simd_activations::registry::accepted_names().contains(&"gelu_new"));
/// ```
pub fn accepted_names() -> Vec<&'static str> {
    ALL.iter().flat_map(Spec::names).collect()
}

/// One function of the GLU family ([`Gated`](crate::Gated)): a product of two halves `a` and
/// `b`, one of them through an activation of [`ALL`].
///
/// ```
/// let s = simd_activations::registry::find_gated("SwiGLU").unwrap();
/// assert_eq!((s.function, s.activation, s.gates_a), ("swiglu", "silu", true));
/// ```
#[non_exhaustive]
#[derive(Debug)]
pub struct GatedSpec {
    /// The name `Display` writes (`"SwiGLU"`).
    pub name: &'static str,
    /// The crate's free function (`"swiglu"`; its forms are `swiglu_backward`,
    /// `swiglu_packed` and `swiglu_packed_backward`).
    pub function: &'static str,
    /// Other accepted names, lower case.
    pub aliases: &'static [&'static str],
    /// The [`Spec::function`] of the activation.
    pub activation: &'static str,
    /// Whether the activation applies to `a` (`silu(a) * b`); else to `b` (`a * sigmoid(b)`).
    pub gates_a: bool,
    /// The formula.
    pub formula: &'static str,
}

/// The GLU family, in [`Gated::ALL`](crate::Gated::ALL)'s order.
pub static GATED: [GatedSpec; 5] = [
    GatedSpec {
        name: "GLU",
        function: "glu",
        aliases: &[],
        activation: "sigmoid",
        gates_a: false,
        formula: "a * sigmoid(b)",
    },
    GatedSpec {
        name: "SwiGLU",
        function: "swiglu",
        aliases: &["silu_and_mul", "swish_glu"],
        activation: "silu",
        gates_a: true,
        formula: "silu(a) * b",
    },
    GatedSpec {
        name: "GEGLU",
        function: "geglu",
        aliases: &["gelu_and_mul"],
        activation: "gelu",
        gates_a: true,
        formula: "gelu(a) * b",
    },
    GatedSpec {
        name: "GEGLU(approximate='tanh')",
        function: "geglu_tanh",
        aliases: &["gelu_tanh_and_mul", "geglu(approximate='tanh')"],
        activation: "gelu_tanh",
        gates_a: true,
        formula: "gelu_tanh(a) * b",
    },
    GatedSpec {
        name: "ReGLU",
        function: "reglu",
        aliases: &["relu_and_mul"],
        activation: "relu",
        gates_a: true,
        formula: "relu(a) * b",
    },
];

/// The GLU-family function named `name` (its `name`, `function` or an alias; case and
/// surrounding whitespace ignored).
///
/// ```
/// assert_eq!(simd_activations::registry::find_gated(" geglu ").unwrap().activation, "gelu");
/// assert!(simd_activations::registry::find_gated("gelu").is_none());
/// ```
pub fn find_gated(name: &str) -> Option<&'static GatedSpec> {
    let name = name.trim();
    GATED.iter().find(|s| {
        s.name.eq_ignore_ascii_case(name)
            || s.function.eq_ignore_ascii_case(name)
            || s.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    })
}
