//! SIMD activation functions and their gradients, for `f32` and `f64`, on slices.
//!
//! Every function comes in the forms `name(x, y, ..)` (out of place), `name_inplace(xy, ..)`
//! and `name_backward(x, dy, dx, ..)` (gradient from the input), many also
//! `name_backward_from_output(y, dy, dx, ..)` (gradient from the output, for when the forward
//! ran in place). Each has a twin `name_on(isa, ..)` that runs on a chosen [`Isa`].
//!
//! # Dispatch
//! The CPU is inspected once per process; [`Isa::active`] is the widest instruction set
//! available (AVX-512, AVX2 + FMA, NEON, else portable scalar code), capped by the
//! environment variable `SIMD_ACTIVATIONS_ISA=scalar|avx2|avx512|neon` (read once; an ISA the
//! CPU lacks falls back to the best one below it; an unknown value is reported on stderr and
//! ignored). After that, a call costs one relaxed atomic load.
//!
//! # Semantics
//! As PyTorch's vectorized CPU kernels unless a function's docs say otherwise: NaN in gives
//! NaN out, forward and backward; gradients at breakpoints as PyTorch defines them; `-0.0`,
//! infinities and subnormals handled as IEEE arithmetic does, never flushed. Results are
//! identical on every ISA and at every position in the slice (body or tail).
//!
//! # Errors
//! Bad arguments (mismatched lengths, invalid parameters) panic with a message naming the
//! function and the values, before anything is written (see each function's `# Panics`).
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
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

mod activation;
mod api;
mod checks;
mod defaults;
mod dispatch;
mod driver;
mod error;
mod float;
pub mod isa_forced;
mod math;
pub mod registry;
mod simd;

#[path = "../kernels/mod.rs"]
mod kernels;

pub use activation::{Activation, GradientInput};
pub use defaults::*;
pub use dispatch::{Isa, ISA_ENV_VAR};
pub use error::Error;
pub use float::Float;
/// ```
/// assert_eq!(simd_activations::reference::relu(-0.0f32).to_bits(), (-0.0f32).to_bits());
/// ```
#[doc(inline)]
pub use kernels::reference;
pub use kernels::*;
