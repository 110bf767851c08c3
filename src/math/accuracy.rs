//! How much of f64's precision the f64 math of the smooth kernels must deliver: all of it
//! for f64 results ([`Full`]), about 2^-31 relative for results that are rounded to f32
//! ([`Single`]), which costs at most 0.01 ULP after that rounding and lets the polynomials
//! be shorter.

/// The precision target of the f64 math, chosen per element type by `Vector::eval_wide`
/// (crate-internal).
pub trait Accuracy: Copy {
    /// The results are rounded to f32. Then no argument of the exponential below
    /// [`SINGLE_EXP_MIN_ARG`] can matter, `2^n` stays in the normal range, and the reduction
    /// needs one FMA.
    const FOR_F32: bool;
}

/// Full f64 precision (results in f64).
#[derive(Clone, Copy)]
pub struct Full;

/// Results rounded to f32.
#[derive(Clone, Copy)]
pub struct Single;

/// Where [`Accuracy::FOR_F32`] holds, exponential arguments are clamped from below at this:
/// `e^-200 = 2^-288.5`, which stays 0 in f32 when multiplied by any factor up to 2^128.
pub(crate) const SINGLE_EXP_MIN_ARG: f64 = -200.0;

/// Below this f64's `e^x` rounds to 0 (`-1075 ln 2`).
pub(crate) const F64_EXP_UNDERFLOW: f64 = -745.133_219_101_941_1;

impl Accuracy for Full {
    const FOR_F32: bool = false;
}

impl Accuracy for Single {
    const FOR_F32: bool = true;
}

/// Coefficients c3, c4, ... of `q(t)` in `e^t = 1 + t + t^2 (1/2 + t q(t))` for
/// [`Single`] (ascending): Chebyshev interpolation of `q` at 5 nodes on
/// `|t| <= ln2/2 (1 + 2^-9)`, `e^t` within 2^-31 relative (measured in 50-digit arithmetic
/// with these f64 coefficients).
pub(crate) const EXP_POLY_F32: [f64; 5] = [
    0.166_666_666_666_666_66,
    0.041_666_553_783_711_11,
    0.008_333_320_794_601_46,
    0.001_392_632_211_083_282_6,
    0.000_198_828_521_769_870_92,
];
