//! SIMD activation functions and their gradients, for `f32` and `f64`, on slices.
//!
//! Two ways in: the free functions (`relu(x, y)`, `gelu_backward(x, dy, dx)`, ...), which
//! panic on bad arguments, and [`Activation`], a value chosen in code or parsed from a
//! PyTorch, Keras or Hugging Face config string, whose methods return [`Error`] instead.
//!
//! ```
//! use simd_activations::{Activation, GradientInput};
//! let act: Activation = "gelu_new".parse()?;          // Hugging Face's name of GELU (tanh)
//! let x = [-2.0f32, -0.5, 0.0, 1.5];
//! let mut y = [0.0; 4];
//! act.forward(&x, &mut y)?;
//! let mut dx = [0.0; 4];
//! act.backward(&x, &[1.0; 4], &mut dx)?;              // dx = gelu_tanh'(x)
//! assert_eq!(act.gradient_needs(), GradientInput::Input);
//! assert_eq!(act.to_string(), "GELU(approximate='tanh')");
//! # Ok::<(), simd_activations::Error>(())
//! ```
//!
//! # The functions
//! Every unary activation has an out-of-place form `name(x, y, ..)`, an in-place form
//! `name_inplace(xy, ..)`, a gradient from the input `name_backward(x, dy, dx, ..)` and, where
//! the output determines the gradient (column "from y"), `name_backward_from_output(y, dy,
//! dx, ..)`, for when the forward ran in place. [`prelu`] (one weight or per channel, NCHW or
//! channels-last, with the weight gradient), [`crelu`] (doubles the row), [`softmax`] and
//! [`log_softmax`] (over rows, with gradients from the output) and RReLU's training mode
//! [`rrelu_with_noise`] are not in the table: their shapes differ.
//!
//! The GLU family ([`Gated`], from [`registry::GATED`]) multiplies two halves `a` and `b`,
//! one through an activation: [`glu`] `a * sigmoid(b)` (PyTorch's `F.glu`), [`swiglu`]
//! `silu(a) * b`, [`geglu`] `gelu(a) * b`, [`geglu_tanh`] and [`reglu`] `relu(a) * b`, on two
//! slices or on rows `[a | b]` (`_packed`, the last axis split in two), with both halves'
//! gradients in one pass (`_backward`). Each is bit-identical to its composition (the
//! activation rounded to `T`, as PyTorch rounds it, then the product), so within the
//! activation's bound plus 0.5 ULP where the activation's value is normal.
//!
//! The table is [`registry::ALL`] (a test keeps them equal). Parameters are PyTorch's, with
//! its defaults (also constants such as [`LEAKY_RELU_DEFAULT_SLOPE`]); hardtanh also needs
//! `min_val <= max_val`. "select" means the gradient is chosen, not multiplied, so a NaN or
//! infinite `dy` where the derivative is 0 gives 0. ULP: measured maximum error against the
//! exact value with the default parameters, f32 forward / f32 gradient / f64 forward / f64
//! gradient (`dy = 1`), every f32 input and dense f64 samples (see each function's docs and
//! the README); `Phi` is the standard normal CDF.
//!
//! | function | formula | parameters | from y | gradient at breakpoints | NaN and infinities | ULP |
//! |---|---|---|---|---|---|---|
//! | [`relu`] | `x < 0 ? +0 : x` | none | yes | relu'(0) = 0; select (NaN/inf dy gives 0 where x <= 0) | NaN -> NaN; -0 -> -0; -inf -> +0 | 0 / 0 / 0 / 0 |
//! | [`leaky_relu`] | `x > 0 ? x : negative_slope * x` | `negative_slope = 0.01` (finite) | if `negative_slope > 0` | leaky'(0) = negative_slope; multiply | NaN -> NaN (gradient too); -inf -> slope * -inf | 0.5 / 0.5 / 0.5 / 0.5 |
//! | [`elu`] | `x > 0 ? x : alpha * expm1(x)` | `alpha = 1.0` (finite) | if `alpha > 0` | elu'(0) = alpha (left branch); multiply | NaN -> NaN; -inf -> -alpha, gradient dy * 0 | 0.88 / 0.98 / 0.69 / 0.94 |
//! | [`selu`] | `SELU_SCALE * (x > 0 ? x : SELU_ALPHA * expm1(x))` | none | yes | selu'(0) = scale * alpha (left branch); multiply | NaN -> NaN; -inf -> -scale * alpha | 1.79 / 1.82 / 1.42 / 1.55 |
//! | [`celu`] | `x > 0 ? x : alpha * expm1(x / alpha)` | `alpha = 1.0` (0 < value < inf) | yes | celu'(0) = 1 (left branch); multiply | NaN -> NaN; -inf -> -alpha | 0.88 / 0.98 / 0.69 / 0.94 |
//! | [`relu6`] | `min(max(x, 0), 6)` | none | yes | relu6'(0) = relu6'(6) = 0; select | NaN -> NaN; -0 -> -0; +-inf -> 6, 0 | 0 / 0 / 0 / 0 |
//! | [`hardtanh`] | `clamp(x, min_val, max_val)` | `min_val = -1.0` (any value but NaN), `max_val = 1.0` (any value but NaN) | yes | 0 at both bounds; select | NaN -> NaN; an input equal to a bound is returned as is | 0 / 0 / 0 / 0 |
//! | [`sigmoid`] | `1 / (1 + e^-x)` | none | yes | smooth; multiply | NaN -> NaN; +-inf -> 1, 0; subnormal results kept | 0.746 / 0.754 / 0.8 / 0.8 |
//! | [`tanh`] | `tanh(x)` | none | yes | smooth; multiply | NaN -> NaN; +-inf -> +-1; -0 -> -0 | 0.73 / 0.754 / 0.65 / 0.93 |
//! | [`silu`] | `x * sigmoid(x)` | none | no | smooth, zero at x0 = -1.2785; limits 0 and 1 at -inf, +inf | NaN -> NaN; -inf -> -0, +inf -> +inf | 0.761 / 2.05 / 1.52 / 1.9 |
//! | [`gelu`] | `x * Phi(x)` | none | no | smooth, zero at x0 = -0.7518; limits 0 and 1 at -inf, +inf | NaN -> NaN; -inf -> -0, +inf -> +inf | 0.93 / 1.14 / 1.4 / 2.45 |
//! | [`gelu_tanh`] | `x/2 * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))` | none | no | smooth, zero at x0 = -0.7525; limits 0 and 1 at -inf, +inf | NaN -> NaN; -inf -> -0, +inf -> +inf | 0.828 / 1.19 / 1.15 / 2.82 |
//! | [`softplus`] | `beta x > threshold ? x : ln(1 + e^(beta x)) / beta` | `beta = 1.0` (0 < value < inf), `threshold = 20.0` (finite) | no | sigmoid(beta x), 1 above the threshold; multiply | NaN -> NaN; -inf -> 0, +inf -> +inf | 0.753 / 0.746 / 0.97 / 0.8 |
//! | [`mish`] | `x * tanh(softplus(x))` | none | no | smooth, zero at x0 = -1.1924; limits 0 and 1 at -inf, +inf | NaN -> NaN; -inf -> -0, +inf -> +inf | 0.8 / 0.51 / 1.52 / 2.4 |
//! | [`hardswish`] | `x * clamp(x + 3, 0, 6) / 6` | none | no | hardswish'(-3) = 0 (select), hardswish'(3) = 1 | NaN -> NaN; every x <= -3 (and -inf) -> -0 | 1 / 0.5 / 0.5 / 0.33 |
//! | [`hardsigmoid`] | `clamp(x + 3, 0, 6) / 6` | none | no | 0 at -3 and 3; select | NaN -> NaN; +-inf -> 1, 0 | 0.5 / 0.33 / 0.33 / 0.33 |
//! | [`softsign`] | `x / (1 + abs(x))` | none | no | 1 / (1 + abs(x))^2, 1 at 0; multiply | NaN -> NaN; +-inf -> +-1 (the limits), gradient 0; -0 -> -0 | 0.5 / 1 / 0.5 / 0.5 |
//! | [`threshold`] | `x <= threshold ? value : x` | `threshold = 0.0` (finite), `value = 0.0` (finite) | no | 0 at x = threshold (strict x > threshold); select | NaN -> NaN; +-inf compared as numbers | 0 / 0 / 0 / 0 |
//! | [`thresholded_relu`] | `x > theta ? x : +0` | `theta = 1.0` (finite) | no | 0 at x = theta; select | NaN -> NaN; -inf -> +0 | 0 / 0 / 0 / 0 |
//! | [`hardshrink`] | `-lambd <= x <= lambd ? +0 : x` | `lambd = 0.5` (finite) | no | 0 at abs(x) = lambd; select | NaN -> NaN; +-inf -> +-inf | 0 / 0 / 0 / 0 |
//! | [`softshrink`] | `x > lambd ? x - lambd : x < -lambd ? x + lambd : +0` | `lambd = 0.5` (0 <= value < inf) | no | 0 at abs(x) = lambd; select | NaN -> NaN; +-inf -> +-inf | 0.5 / 0 / 0.5 / 0 |
//! | [`tanhshrink`] | `x - tanh(x)` | none | no | tanh(x)^2, 0 at 0; multiply | NaN -> NaN; +-inf -> +-inf; -0 -> -0 | 0.501 / 0.5 / 1.77 / 0.78 |
//! | [`log_sigmoid`] | `min(x, 0) - ln(1 + e^-abs(x))` | none | no | sigmoid(-x); multiply | NaN -> NaN; -inf -> -inf, +inf -> 0 | 0.505 / 0.505 / 0.93 / 0.55 |
//! | [`quick_gelu`] | `x * sigmoid(1.702 x)` | none | no | smooth, zero at x0 = -0.7512; limits 0 and 1 at -inf, +inf | NaN -> NaN; -inf -> -0, +inf -> +inf | 0.507 / 0.511 / 1.2 / 1.96 |
//! | [`silu_beta`] | `x * sigmoid(beta x)` | `beta = 1.0` (finite) | no | smooth, zero at beta x = -1.2785; limits 0 and 1 where beta x -> -inf, +inf | NaN -> NaN; +-inf -> x where beta x >= 0, else a zero of the sign of x | 0.507 / 0.511 / 1.22 / 1.86 |
//! | [`rrelu`] | `x > 0 ? x : (lower + upper) / 2 * x` | `lower = 0.125` (finite), `upper = 0.3333333333333333` (finite) | no | rrelu'(0) = (lower + upper) / 2 (evaluation mode); multiply | NaN -> NaN (gradient too); -inf -> slope * -inf | 0.5 / 0.5 / 0.5 / 0.5 |
//!
//! # Dispatch
//! The CPU is inspected once per process; [`Isa::active`] is the widest instruction set
//! available (AVX-512, AVX2 + FMA, NEON, else portable scalar code), capped by the
//! environment variable `SIMD_ACTIVATIONS_ISA=scalar|avx2|avx512|neon` (read once; an ISA the
//! CPU lacks falls back to the best one below it; case and surrounding whitespace do not matter;
//! an unknown or non-UTF-8 value is reported on stderr, once, and ignored). After that, a call
//! costs one relaxed atomic load. To run on a chosen ISA (tests,
//! benchmarks): the functions of [`isa_forced`] (`sigmoid_on(isa, x, y)`, also callable at
//! the crate root) and the `_on` methods of [`Activation`].
//!
//! # Element types and features
//! The functions are generic over [`Element`]: `f32` and `f64` (computed in their own
//! precision) and, with the feature `half`, `half::bf16` and `half::f16`, widened to f32 (exactly),
//! computed by the f32 kernels and rounded once to nearest even, as PyTorch's CPU kernels do
//! (F16C conversions where the CPU has them; the README has the accuracy and speed). Features:
//! `std` (default; without it the crate is `no_std` + `alloc`, needs `libm`, and takes its ISA
//! from the compile-time target features), `half`, `ndarray` (`Activation`'s `_array` forms on views of any layout,
//! [`prelu_array`](crate#element-types-and-features)), `rayon` (`Activation`'s `_par` forms, split across threads from
//! [`PARALLEL_MIN_LEN`](crate#element-types-and-features) elements on), `serde` (`Activation` as
//! its name), `bench` (the criterion benches).
//!
#![cfg_attr(feature = "half", doc = "```")]
#![cfg_attr(not(feature = "half"), doc = "```ignore")]
//! use half::f16;
//! let x = [f16::from_f32(-1.0), f16::from_f32(0.5)];
//! let mut y = [f16::ZERO; 2];
//! simd_activations::sigmoid(&x, &mut y);
//! assert_eq!(y[1], f16::from_f32(0.6225)); // sigmoid(0.5) = 0.62246.., rounded once to f16
//! ```
//!
//! # Compile cost
//! The generic functions only forward to their f32 and f64 instances, which are compiled once
//! in this crate: a dependent crate does not generate the kernels' code itself, and touching
//! it rebuilds in about the same time whether it calls every function or none (measured in
//! `CHANGELOG.md`, `.ci/compile-cost.sh`).
//!
//! # Semantics
//! As PyTorch's vectorized CPU kernels unless a function's docs say otherwise: NaN in gives
//! NaN out, forward and backward; gradients at breakpoints as PyTorch defines them; `-0.0`,
//! infinities and subnormals handled as IEEE arithmetic does, never flushed. Results are
//! identical on every ISA and at every position in the slice (body or tail), NaN bits
//! included: a NaN result is the first NaN input's (`x` or `y`, else `dy`) with the quiet bit
//! set, sign and payload kept, or the positive default quiet NaN (`0x7fc0_0000`,
//! `0x7ff8_0000_0000_0000`) where no input is NaN (`inf * 0`).
//!
//! # Errors
//! The free functions panic on bad arguments (mismatched lengths, invalid parameters) with a
//! message naming the function and the values, before anything is written (see each
//! function's `# Panics`). [`Activation`]'s methods make the same checks first and return
//! [`Error`]; nothing is written then either.
//!
//! ```
//! use simd_activations::{relu, elu_backward};
//! let x = [-2.0f32, -0.5, 0.0, 1.5];
//! let mut y = [0.0; 4];
//! relu(&x, &mut y);
//! assert_eq!(y, [0.0, 0.0, 0.0, 1.5]);
//! let mut dx = [0.0; 4];
//! elu_backward(&x, &[1.0; 4], &mut dx, 1.0);
//! assert_eq!(dx[3], 1.0);
//! ```
#![cfg_attr(not(any(feature = "std", test)), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

extern crate alloc;

#[cfg(not(any(feature = "std", feature = "libm")))]
compile_error!("simd-activations without `std` needs the feature `libm` (its float functions)");

mod activation;
mod api;
mod channel_layout;
mod checks;
mod defaults;
mod dispatch;
mod driver;
mod driver_bias;
mod driver_pair;
pub(crate) mod element;
mod error;
mod float;
mod gated;
pub mod isa_forced;
mod kernel_use;
mod math;
#[cfg(feature = "ndarray")]
mod views;
#[cfg(feature = "ndarray")]
pub use views::prelu_array;
#[cfg(feature = "rayon")]
mod parallel;
#[cfg(feature = "rayon")]
pub use parallel::PARALLEL_MIN_LEN;
pub mod registry;
mod simd;
#[cfg(feature = "half")]
mod storage;
mod write_out;

#[path = "../kernels/mod.rs"]
mod kernels;

pub use activation::{Activation, GradientInput};
pub use defaults::*;
pub use dispatch::{Isa, ISA_ENV_VAR};
pub use element::Element;
pub use error::Error;
pub use float::Float;
pub use gated::Gated;
/// ```
/// assert_eq!(simd_activations::reference::relu(-0.0f32).to_bits(), (-0.0f32).to_bits());
/// ```
#[doc(inline)]
pub use kernels::reference;
pub use kernels::*;

/// The README's Rust examples, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
