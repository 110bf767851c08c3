//! The typed error of the checked API ([`Activation`](crate::Activation)'s methods, its
//! parsing, and [`Isa`](crate::Isa)'s parsing). The free functions panic instead.

use crate::Isa;
#[cfg(not(feature = "std"))]
use alloc::{string::String, vec::Vec};
use core::fmt;

/// Why a checked call or a parse failed. Every variant names the function (or the string
/// parsed) and the values involved; `Display` writes one line.
///
/// ```
/// use simd_activations::{Activation, Error};
/// let mut y = [0.0f32; 3];
/// let err = Activation::Relu.forward(&[1.0f32, 2.0], &mut y).unwrap_err();
/// assert!(matches!(err, Error::LengthMismatch { .. }));
/// assert_eq!(
///     err.to_string(),
///     "simd_activations::Activation::forward (ReLU): length mismatch: x.len() = 2, y.len() = 3"
/// );
/// assert_eq!(y, [0.0; 3]); // nothing written
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// Slices that must have one length do not.
    LengthMismatch {
        /// The method, e.g. `"Activation::backward"`.
        func: &'static str,
        /// The activation, as [`Display`](fmt::Display) writes it.
        activation: String,
        /// Each slice's name and length, e.g. `[("x", 4), ("dy", 4), ("dx", 3)]`.
        lengths: Vec<(&'static str, usize)>,
    },
    /// Arrays that must have one shape do not (feature `ndarray`).
    ShapeMismatch {
        /// The method, e.g. `"Activation::forward_array"`.
        func: &'static str,
        /// The activation, as [`Display`](fmt::Display) writes it.
        activation: String,
        /// Each array's name and shape, e.g. `[("x", vec![2, 3]), ("y", vec![3, 2])]`.
        shapes: Vec<(&'static str, Vec<usize>)>,
    },
    /// A bias that does not fit the data's layout (the fused bias forms): empty, `inner = 0`,
    /// or `bias.len() * inner` not dividing the data's length.
    BadBiasLayout {
        /// The method, e.g. `"Activation::forward_bias"`.
        func: &'static str,
        /// The activation, as [`Display`](fmt::Display) writes it.
        activation: String,
        /// The data's length.
        len: usize,
        /// `bias.len()`, the number of channels.
        channels: usize,
        /// The elements per channel run (1: channels last).
        inner: usize,
    },
    /// A parameter outside its domain (after rounding to the element type, for the methods).
    BadParameter {
        /// The method or parse that rejected it, e.g. `"Activation::forward"`.
        func: &'static str,
        /// The activation's name, e.g. `"CELU"`.
        activation: &'static str,
        /// The parameter, e.g. `"alpha"`.
        param: &'static str,
        /// Its value (as `f64`), or the text that did not parse as a number.
        value: String,
        /// The valid range, e.g. `"0 < alpha < inf"`.
        valid: &'static str,
    },
    /// [`Activation::backward_from_output`](crate::Activation::backward_from_output) where the
    /// output does not determine the gradient (see
    /// [`Activation::gradient_needs`](crate::Activation::gradient_needs)).
    GradientNeedsInput {
        /// The method.
        func: &'static str,
        /// The activation, as [`Display`](fmt::Display) writes it.
        activation: String,
        /// Why the output is not enough.
        reason: &'static str,
    },
    /// An `_on` method was given an ISA this CPU (or this build) lacks.
    IsaUnavailable {
        /// The method.
        func: &'static str,
        /// The ISA asked for.
        isa: Isa,
        /// What this CPU has.
        available: Vec<Isa>,
    },
    /// A string that names no activation (or no ISA).
    UnknownName {
        /// What was parsed, e.g. `"Activation"` or `"Isa"`.
        what: &'static str,
        /// The name given.
        name: String,
        /// Every accepted name.
        accepted: Vec<&'static str>,
    },
    /// A parameter the named activation does not have (or one given twice).
    UnknownParameter {
        /// The activation's name.
        activation: &'static str,
        /// The parameter given.
        param: String,
        /// The parameters it accepts (empty for none).
        accepted: Vec<&'static str>,
    },
    /// A string that is not `name` or `name(args)`, or more arguments than parameters.
    Syntax {
        /// The string parsed.
        input: String,
        /// What is wrong with it.
        message: String,
    },
}

impl Error {
    /// The layout of `len` elements with `channels` biases and `inner` elements per channel run
    /// (as PReLU's weights), or [`Error::BadBiasLayout`].
    pub(crate) fn check_bias_layout(
        func: &'static str,
        activation: &dyn fmt::Display,
        len: usize,
        channels: usize,
        inner: usize,
    ) -> Result<crate::channel_layout::Layout, Error> {
        let fits = channels >= 1
            && inner >= 1
            && (channels == 1 || channels.checked_mul(inner).is_some_and(|b| len % b == 0));
        if fits {
            return Ok(crate::channel_layout::Layout::new(len, channels, inner));
        }
        Err(Error::BadBiasLayout {
            func,
            activation: alloc::format!("{activation}"),
            len,
            channels,
            inner,
        })
    }

    /// `Ok` if every length in `lengths` is the first one's, else [`Error::LengthMismatch`]
    /// naming `func` and `activation` (the checks of `Activation`'s and `Gated`'s methods).
    pub(crate) fn check_same_len(
        func: &'static str,
        activation: &dyn fmt::Display,
        lengths: &[(&'static str, usize)],
    ) -> Result<(), Error> {
        if lengths.iter().all(|&(_, n)| n == lengths[0].1) {
            return Ok(());
        }
        Err(Error::LengthMismatch {
            func,
            activation: alloc::format!("{activation}"),
            lengths: lengths.to_vec(),
        })
    }

    /// `Ok` if `isa` is available on this CPU, else [`Error::IsaUnavailable`].
    pub(crate) fn check_isa(func: &'static str, isa: Isa) -> Result<(), Error> {
        if isa.is_available() {
            return Ok(());
        }
        Err(Error::IsaUnavailable {
            func,
            isa,
            available: Isa::available(),
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::LengthMismatch {
                func,
                activation,
                lengths,
            } => {
                write!(
                    f,
                    "simd_activations::{func} ({activation}): length mismatch: "
                )?;
                for (k, (name, n)) in lengths.iter().enumerate() {
                    let sep = if k == 0 { "" } else { ", " };
                    write!(f, "{sep}{name}.len() = {n}")?;
                }
                Ok(())
            }
            Error::ShapeMismatch {
                func,
                activation,
                shapes,
            } => {
                write!(
                    f,
                    "simd_activations::{func} ({activation}): shape mismatch: "
                )?;
                for (k, (name, shape)) in shapes.iter().enumerate() {
                    let sep = if k == 0 { "" } else { ", " };
                    write!(f, "{sep}{name} has shape {shape:?}")?;
                }
                Ok(())
            }
            Error::BadBiasLayout {
                func,
                activation,
                len,
                channels,
                inner,
            } => write!(
                f,
                "simd_activations::{func} ({activation}): bias does not fit the data: \
                 bias.len() = {channels}, inner = {inner}, x.len() = {len} (need bias.len() >= 1, \
                 inner >= 1, and bias.len() * inner dividing x.len() where bias.len() > 1)"
            ),
            Error::BadParameter {
                func,
                activation,
                param,
                value,
                valid,
            } => write!(
                f,
                "simd_activations::{func}: {activation} parameter {param} = {value} is out of \
                 range (valid: {valid})"
            ),
            Error::GradientNeedsInput {
                func,
                activation,
                reason,
            } => write!(
                f,
                "simd_activations::{func}: the output of {activation} does not determine its \
                 gradient ({reason}); use backward with the input"
            ),
            Error::IsaUnavailable {
                func,
                isa,
                available,
            } => write!(
                f,
                "simd_activations::{func}: ISA {isa} is not available on this CPU (available: \
                 {available:?})"
            ),
            Error::UnknownName {
                what,
                name,
                accepted,
            } => write!(
                f,
                "simd_activations: unknown {what} name {name:?}; accepted (any case): {}",
                accepted.join(", ")
            ),
            Error::UnknownParameter {
                activation,
                param,
                accepted,
            } => {
                if accepted.is_empty() {
                    write!(
                        f,
                        "simd_activations: {activation} has no parameter {param:?} (it takes none)"
                    )
                } else {
                    write!(
                        f,
                        "simd_activations: {activation} has no parameter {param:?} (or it was \
                         given twice); accepted: {}",
                        accepted.join(", ")
                    )
                }
            }
            Error::Syntax { input, message } => {
                write!(f, "simd_activations: cannot parse {input:?}: {message}")
            }
        }
    }
}

impl core::error::Error for Error {}
