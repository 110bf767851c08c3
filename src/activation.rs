//! [`Activation`]: one value per unary activation and its parameters, with checked methods
//! that return [`Error`] instead of panicking. Parsing and `Display` live in `parse`, the
//! calls of the free functions in `run`.

#[cfg(not(feature = "std"))]
use alloc::{
    format,
    string::{String, ToString},
    vec::Vec,
};
#[cfg(feature = "ndarray")]
mod arrays;
mod bias;
#[cfg(feature = "rayon")]
mod par;
mod parse;
mod run;
mod uninit;

use crate::registry::{self, Domain, FromOutput, Spec};
use crate::{Element, Error, Isa};

/// A unary activation with its parameters, chosen in code or parsed from a config string
/// (PyTorch, Keras or Hugging Face names; see [`FromStr`](core::str::FromStr) below).
///
/// Parameters are `f64` and rounded to the element type when a method runs (the checks
/// apply to the rounded value: `Softplus { beta: 1e-50, .. }` is valid for f64 and rejected
/// for f32). Every method checks its arguments before writing anything and then calls the
/// free function of the same name, so its results are those of the free function bit for
/// bit. The `_on` forms run on a chosen [`Isa`] (for tests and benchmarks).
///
/// Not variants: PReLU (`prelu`) takes a weight slice and a channel layout and has a weight
/// gradient, and CReLU (`crelu`) doubles the row length; neither maps `n` elements to `n`
/// elements with scalar parameters, so they stay free functions.
///
/// ```
/// use simd_activations::Activation;
/// let act: Activation = "LeakyReLU(negative_slope=0.2)".parse().unwrap();
/// assert_eq!(act, Activation::LeakyRelu { slope: 0.2 });
/// let x = [-1.0f32, 2.0];
/// let mut y = [0.0; 2];
/// act.forward(&x, &mut y).unwrap();
/// assert_eq!(y, [-0.2, 2.0]);
/// assert_eq!(act.to_string(), "LeakyReLU(negative_slope=0.2)");
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    /// [`relu`](crate::relu): `x < 0 ? +0 : x`.
    Relu,
    /// [`leaky_relu`](crate::leaky_relu): `x > 0 ? x : slope * x` (PyTorch's
    /// `negative_slope`, default [`LEAKY_RELU_DEFAULT_SLOPE`](crate::LEAKY_RELU_DEFAULT_SLOPE)).
    LeakyRelu {
        /// The slope for `x <= 0`; finite (a NaN or infinite slope would make `leaky_relu(0)` NaN).
        slope: f64,
    },
    /// [`elu`](crate::elu): `x > 0 ? x : alpha * expm1(x)`.
    Elu {
        /// Default [`ELU_DEFAULT_ALPHA`](crate::ELU_DEFAULT_ALPHA); finite.
        alpha: f64,
    },
    /// [`selu`](crate::selu), with [`SELU_ALPHA`](crate::SELU_ALPHA) and
    /// [`SELU_SCALE`](crate::SELU_SCALE).
    Selu,
    /// [`celu`](crate::celu): `x > 0 ? x : alpha * expm1(x / alpha)`.
    Celu {
        /// Default [`CELU_DEFAULT_ALPHA`](crate::CELU_DEFAULT_ALPHA); `0 < alpha < inf`.
        alpha: f64,
    },
    /// [`relu6`](crate::relu6): `min(max(x, 0), 6)`.
    Relu6,
    /// [`hardtanh`](crate::hardtanh): `clamp(x, min_val, max_val)`.
    Hardtanh {
        /// Default [`HARDTANH_DEFAULT_MIN_VAL`](crate::HARDTANH_DEFAULT_MIN_VAL); not NaN.
        min_val: f64,
        /// Default [`HARDTANH_DEFAULT_MAX_VAL`](crate::HARDTANH_DEFAULT_MAX_VAL); not NaN,
        /// `>= min_val`.
        max_val: f64,
    },
    /// [`sigmoid`](crate::sigmoid).
    Sigmoid,
    /// [`tanh`](crate::tanh).
    Tanh,
    /// [`silu`](crate::silu) (swish): `x * sigmoid(x)`.
    Silu,
    /// [`gelu`](crate::gelu), the exact (erf) form, PyTorch's `approximate='none'`.
    Gelu,
    /// [`gelu_tanh`](crate::gelu_tanh), PyTorch's `approximate='tanh'` (Hugging Face's
    /// `gelu_new`, `gelu_pytorch_tanh`, `gelu_fast`).
    GeluTanh,
    /// [`softplus`](crate::softplus): `beta x > threshold ? x : ln(1 + e^(beta x)) / beta`.
    Softplus {
        /// Default [`SOFTPLUS_DEFAULT_BETA`](crate::SOFTPLUS_DEFAULT_BETA); `0 < beta < inf`.
        beta: f64,
        /// Default [`SOFTPLUS_DEFAULT_THRESHOLD`](crate::SOFTPLUS_DEFAULT_THRESHOLD); finite.
        threshold: f64,
    },
    /// [`mish`](crate::mish): `x * tanh(softplus(x))`.
    Mish,
    /// [`hardswish`](crate::hardswish): `x * clamp(x + 3, 0, 6) / 6`.
    Hardswish,
    /// [`hardsigmoid`](crate::hardsigmoid): `clamp(x + 3, 0, 6) / 6`.
    Hardsigmoid,
    /// [`softsign`](crate::softsign): `x / (1 + |x|)`.
    Softsign,
    /// [`threshold`](crate::threshold): `x <= threshold ? value : x` (PyTorch's `Threshold`).
    Threshold {
        /// Default [`THRESHOLD_DEFAULT_THRESHOLD`](crate::THRESHOLD_DEFAULT_THRESHOLD); finite.
        threshold: f64,
        /// Default [`THRESHOLD_DEFAULT_VALUE`](crate::THRESHOLD_DEFAULT_VALUE); finite.
        value: f64,
    },
    /// [`thresholded_relu`](crate::thresholded_relu): `x > theta ? x : 0` (Keras's
    /// `ThresholdedReLU`, ONNX's `ThresholdedRelu`).
    ThresholdedRelu {
        /// Default [`THRESHOLDED_RELU_DEFAULT_THETA`](crate::THRESHOLDED_RELU_DEFAULT_THETA); finite.
        theta: f64,
    },
    /// [`hardshrink`](crate::hardshrink): `-lambd <= x <= lambd ? 0 : x`.
    Hardshrink {
        /// Default [`HARDSHRINK_DEFAULT_LAMBD`](crate::HARDSHRINK_DEFAULT_LAMBD); finite.
        lambd: f64,
    },
    /// [`softshrink`](crate::softshrink): `x > lambd ? x - lambd : x < -lambd ? x + lambd : 0`.
    Softshrink {
        /// Default [`SOFTSHRINK_DEFAULT_LAMBD`](crate::SOFTSHRINK_DEFAULT_LAMBD); `0 <= lambd < inf`.
        lambd: f64,
    },
    /// [`tanhshrink`](crate::tanhshrink): `x - tanh(x)`.
    Tanhshrink,
    /// [`log_sigmoid`](crate::log_sigmoid): `ln(sigmoid(x))`.
    LogSigmoid,
    /// [`quick_gelu`](crate::quick_gelu): `x * sigmoid(1.702 x)`.
    QuickGelu,
    /// [`silu_beta`](crate::silu_beta): `x * sigmoid(beta x)` (TensorFlow's `silu` with `beta`).
    SiluBeta {
        /// Default [`SILU_BETA_DEFAULT_BETA`](crate::SILU_BETA_DEFAULT_BETA); finite.
        beta: f64,
    },
    /// [`rrelu`](crate::rrelu) in evaluation mode: leaky ReLU with the slope
    /// `(lower + upper) / 2` (the training mode, with its random slopes, is the free function
    /// [`rrelu_with_noise`](crate::rrelu_with_noise)).
    Rrelu {
        /// Default [`RRELU_DEFAULT_LOWER`](crate::RRELU_DEFAULT_LOWER); finite, `<= upper`.
        lower: f64,
        /// Default [`RRELU_DEFAULT_UPPER`](crate::RRELU_DEFAULT_UPPER); finite.
        upper: f64,
    },
}

/// Which tensor the gradient needs: what a framework must keep from the forward pass.
///
/// ```
/// use simd_activations::{Activation, GradientInput};
/// assert_eq!(Activation::Relu.gradient_needs(), GradientInput::Output);
/// assert_eq!(Activation::Gelu.gradient_needs(), GradientInput::Input);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GradientInput {
    /// The input `x`: use [`Activation::backward`].
    Input,
    /// The output `y` suffices: [`Activation::backward_from_output`] applies (the forward may
    /// run in place).
    Output,
}

/// Elements of `dy` copied per step by the in-place backward (on the stack).
const INPLACE_CHUNK: usize = 1024;

impl Activation {
    /// Every activation with PyTorch's default parameters, in registry order
    /// ([`registry::ALL`]).
    ///
    /// ```
    /// use simd_activations::Activation;
    /// assert_eq!(Activation::ALL.len(), simd_activations::registry::ALL.len());
    /// for a in Activation::ALL {
    ///     assert_eq!(a.to_string().parse::<Activation>().unwrap(), a);
    /// }
    /// ```
    pub const ALL: [Activation; 26] = [
        Activation::Relu,
        Activation::LeakyRelu {
            slope: crate::LEAKY_RELU_DEFAULT_SLOPE,
        },
        Activation::Elu {
            alpha: crate::ELU_DEFAULT_ALPHA,
        },
        Activation::Selu,
        Activation::Celu {
            alpha: crate::CELU_DEFAULT_ALPHA,
        },
        Activation::Relu6,
        Activation::Hardtanh {
            min_val: crate::HARDTANH_DEFAULT_MIN_VAL,
            max_val: crate::HARDTANH_DEFAULT_MAX_VAL,
        },
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Silu,
        Activation::Gelu,
        Activation::GeluTanh,
        Activation::Softplus {
            beta: crate::SOFTPLUS_DEFAULT_BETA,
            threshold: crate::SOFTPLUS_DEFAULT_THRESHOLD,
        },
        Activation::Mish,
        Activation::Hardswish,
        Activation::Hardsigmoid,
        Activation::Softsign,
        Activation::Threshold {
            threshold: crate::THRESHOLD_DEFAULT_THRESHOLD,
            value: crate::THRESHOLD_DEFAULT_VALUE,
        },
        Activation::ThresholdedRelu {
            theta: crate::THRESHOLDED_RELU_DEFAULT_THETA,
        },
        Activation::Hardshrink {
            lambd: crate::HARDSHRINK_DEFAULT_LAMBD,
        },
        Activation::Softshrink {
            lambd: crate::SOFTSHRINK_DEFAULT_LAMBD,
        },
        Activation::Tanhshrink,
        Activation::LogSigmoid,
        Activation::QuickGelu,
        Activation::SiluBeta {
            beta: crate::SILU_BETA_DEFAULT_BETA,
        },
        Activation::Rrelu {
            lower: crate::RRELU_DEFAULT_LOWER,
            upper: crate::RRELU_DEFAULT_UPPER,
        },
    ];

    /// Position in [`Activation::ALL`] and [`registry::ALL`]: the entry of `ALL` with the same
    /// variant (parameters aside), so a new variant needs no arm here.
    fn index(&self) -> usize {
        let variant = core::mem::discriminant(self);
        Activation::ALL
            .iter()
            .position(|a| core::mem::discriminant(a) == variant)
            .expect("every variant is in Activation::ALL")
    }

    /// The registry entry: names, parameters, ranges, forms, ULP bounds.
    ///
    /// ```
    /// use simd_activations::Activation;
    /// let spec = Activation::Elu { alpha: 0.5 }.spec();
    /// assert_eq!((spec.name, spec.function), ("ELU", "elu"));
    /// ```
    pub fn spec(&self) -> &'static Spec {
        &registry::ALL[self.index()]
    }

    /// The free function it calls (`"leaky_relu"`; the others are `leaky_relu_inplace`,
    /// `leaky_relu_backward`, ...).
    ///
    /// ```
    /// assert_eq!(simd_activations::Activation::GeluTanh.function_name(), "gelu_tanh");
    /// ```
    pub fn function_name(&self) -> &'static str {
        self.spec().function
    }

    /// The parameters, named as in [`Spec::params`](registry::Spec::params), in order.
    ///
    /// ```
    /// use simd_activations::Activation;
    /// let p = Activation::Hardtanh { min_val: -2.0, max_val: 2.0 }.params();
    /// assert_eq!(p, [("min_val", -2.0), ("max_val", 2.0)]);
    /// ```
    pub fn params(&self) -> Vec<(&'static str, f64)> {
        let values = self.values();
        self.spec()
            .params
            .iter()
            .zip(values)
            .map(|(p, v)| (p.name, v))
            .collect()
    }

    /// The parameter values in registry order (unused slots 0).
    fn values(&self) -> [f64; 2] {
        match *self {
            Activation::LeakyRelu { slope } => [slope, 0.0],
            Activation::Elu { alpha } | Activation::Celu { alpha } => [alpha, 0.0],
            Activation::Hardtanh { min_val, max_val } => [min_val, max_val],
            Activation::Softplus { beta, threshold } => [beta, threshold],
            Activation::Threshold { threshold, value } => [threshold, value],
            Activation::ThresholdedRelu { theta } => [theta, 0.0],
            Activation::Hardshrink { lambd } | Activation::Softshrink { lambd } => [lambd, 0.0],
            Activation::SiluBeta { beta } => [beta, 0.0],
            Activation::Rrelu { lower, upper } => [lower, upper],
            _ => [0.0, 0.0],
        }
    }

    /// The variant of `ALL[index]` with the parameter values `v` (registry order).
    fn with_values(index: usize, v: [f64; 2]) -> Activation {
        match Activation::ALL[index] {
            Activation::LeakyRelu { .. } => Activation::LeakyRelu { slope: v[0] },
            Activation::Elu { .. } => Activation::Elu { alpha: v[0] },
            Activation::Celu { .. } => Activation::Celu { alpha: v[0] },
            Activation::Hardtanh { .. } => Activation::Hardtanh {
                min_val: v[0],
                max_val: v[1],
            },
            Activation::Softplus { .. } => Activation::Softplus {
                beta: v[0],
                threshold: v[1],
            },
            Activation::Threshold { .. } => Activation::Threshold {
                threshold: v[0],
                value: v[1],
            },
            Activation::ThresholdedRelu { .. } => Activation::ThresholdedRelu { theta: v[0] },
            Activation::Hardshrink { .. } => Activation::Hardshrink { lambd: v[0] },
            Activation::Softshrink { .. } => Activation::Softshrink { lambd: v[0] },
            Activation::SiluBeta { .. } => Activation::SiluBeta { beta: v[0] },
            Activation::Rrelu { .. } => Activation::Rrelu {
                lower: v[0],
                upper: v[1],
            },
            other => other,
        }
    }

    /// Checks the parameters (as `f64`) against their ranges ([`registry::Domain`]; for
    /// hardtanh also `min_val <= max_val`, for RReLU `lower <= upper`).
    ///
    /// # Errors
    /// [`Error::BadParameter`] naming the parameter, its value and its valid range.
    ///
    /// ```
    /// use simd_activations::{Activation, Error};
    /// assert!(Activation::Celu { alpha: 2.0 }.validate().is_ok());
    /// let err = Activation::Celu { alpha: 0.0 }.validate().unwrap_err();
    /// assert!(matches!(err, Error::BadParameter { param: "alpha", .. }));
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        self.checked_params::<f64>("Activation::validate")
            .map(|_| ())
    }

    /// Which tensor [`backward`](Self::backward) needs: `Output` where
    /// [`backward_from_output`](Self::backward_from_output) applies for these parameters (in
    /// both f32 and f64), else `Input`.
    ///
    /// ```
    /// use simd_activations::{Activation, GradientInput};
    /// assert_eq!(Activation::Elu { alpha: 1.0 }.gradient_needs(), GradientInput::Output);
    /// assert_eq!(Activation::Elu { alpha: -1.0 }.gradient_needs(), GradientInput::Input);
    /// ```
    pub fn gradient_needs(&self) -> GradientInput {
        if self.output_refusal::<f32>().is_none() && self.output_refusal::<f64>().is_none() {
            GradientInput::Output
        } else {
            GradientInput::Input
        }
    }

    /// [`Error::GradientNeedsInput`] (naming `func`) where the output does not determine the
    /// gradient for `T`: the check of every form from the output.
    fn check_from_output<T: Element>(&self, func: &'static str) -> Result<(), Error> {
        match self.output_refusal::<T>() {
            None => Ok(()),
            Some(reason) => Err(Error::GradientNeedsInput {
                func,
                activation: self.to_string(),
                reason,
            }),
        }
    }

    /// Why the output does not determine the gradient for `T`, or `None` if it does.
    fn output_refusal<T: Element>(&self) -> Option<&'static str> {
        match self.spec().from_output {
            FromOutput::Always => None,
            FromOutput::Never { reason } => Some(reason),
            FromOutput::IfPositive { param, reason } => {
                let v = T::round_from_f64(self.values()[param]).widen_to_f64();
                (!Domain::Positive.contains(v)).then_some(reason)
            }
        }
    }

    /// The parameters rounded to `T`, each checked against its range.
    fn checked_params<T: Element>(&self, func: &'static str) -> Result<[T; 2], Error> {
        let spec = self.spec();
        let values = self.values();
        let rounded = values.map(T::round_from_f64);
        for (k, p) in spec.params.iter().enumerate() {
            let r = rounded[k].widen_to_f64();
            if !p.domain.contains(r) {
                return Err(Error::BadParameter {
                    func,
                    activation: spec.name,
                    param: p.name,
                    value: describe_value::<T>(values[k], r),
                    valid: p.domain.describe(),
                });
            }
        }
        if let Activation::Hardtanh { .. } = self {
            if rounded[0].widen_to_f64() > rounded[1].widen_to_f64() {
                return Err(Error::BadParameter {
                    func,
                    activation: spec.name,
                    param: "min_val",
                    value: format!("{:?} > max_val = {:?}", values[0], values[1]),
                    valid: "min_val <= max_val",
                });
            }
        }
        if let Activation::Rrelu { .. } = self {
            if rounded[0].widen_to_f64() > rounded[1].widen_to_f64() {
                return Err(Error::BadParameter {
                    func,
                    activation: spec.name,
                    param: "lower",
                    value: format!("{:?} > upper = {:?}", values[0], values[1]),
                    valid: "lower <= upper",
                });
            }
        }
        Ok(rounded)
    }

    /// The checks every method makes: `isa` available, parameters valid for `T`.
    fn prepare<T: Element>(&self, func: &'static str, isa: Isa) -> Result<[T; 2], Error> {
        Error::check_isa(func, isa)?;
        self.checked_params::<T>(func)
    }

    fn same_len(&self, func: &'static str, lengths: &[(&'static str, usize)]) -> Result<(), Error> {
        Error::check_same_len(func, self, lengths)
    }

    /// Out of place on [`Isa::active`]: `y[i] = f(x[i])`, as the free function.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] if `x.len() != y.len()`, [`Error::BadParameter`] as
    /// [`validate`](Self::validate) (for `T`); nothing is written then.
    ///
    /// ```
    /// use simd_activations::Activation;
    /// let mut y = [0.0f64; 3];
    /// Activation::Relu6.forward(&[-1.0, 3.0, 9.0], &mut y).unwrap();
    /// assert_eq!(y, [0.0, 3.0, 6.0]);
    /// ```
    pub fn forward<T: Element>(&self, x: &[T], y: &mut [T]) -> Result<(), Error> {
        self.forward_on(Isa::active(), x, y)
    }

    /// [`forward`](Self::forward) on a chosen `isa`.
    ///
    /// # Errors
    /// As [`forward`](Self::forward), and [`Error::IsaUnavailable`].
    ///
    /// ```
    /// use simd_activations::{Activation, Isa};
    /// let mut y = [0.0f32; 2];
    /// Activation::Relu.forward_on(Isa::Scalar, &[-1.0, 1.0], &mut y).unwrap();
    /// assert_eq!(y, [0.0, 1.0]);
    /// ```
    pub fn forward_on<T: Element>(&self, isa: Isa, x: &[T], y: &mut [T]) -> Result<(), Error> {
        const F: &str = "Activation::forward";
        let p = self.prepare::<T>(F, isa)?;
        self.same_len(F, &[("x", x.len()), ("y", y.len())])?;
        run::forward(self, isa, x, y, p);
        Ok(())
    }

    /// In place on [`Isa::active`]: `xy[i] = f(xy[i])`.
    ///
    /// # Errors
    /// [`Error::BadParameter`] as [`validate`](Self::validate) (for `T`).
    ///
    /// ```
    /// use simd_activations::Activation;
    /// let mut xy = [-1.0f32, 0.5];
    /// Activation::Hardtanh { min_val: 0.0, max_val: 0.25 }.forward_inplace(&mut xy).unwrap();
    /// assert_eq!(xy, [0.0, 0.25]);
    /// ```
    pub fn forward_inplace<T: Element>(&self, xy: &mut [T]) -> Result<(), Error> {
        self.forward_inplace_on(Isa::active(), xy)
    }

    /// [`forward_inplace`](Self::forward_inplace) on a chosen `isa`.
    ///
    /// # Errors
    /// As [`forward_inplace`](Self::forward_inplace), and [`Error::IsaUnavailable`].
    ///
    /// ```
    /// use simd_activations::{Activation, Isa};
    /// let mut xy = [-1.0f64, 2.0];
    /// Activation::Relu.forward_inplace_on(Isa::Scalar, &mut xy).unwrap();
    /// assert_eq!(xy, [0.0, 2.0]);
    /// ```
    pub fn forward_inplace_on<T: Element>(&self, isa: Isa, xy: &mut [T]) -> Result<(), Error> {
        let p = self.prepare::<T>("Activation::forward_inplace", isa)?;
        run::forward_inplace(self, isa, xy, p);
        Ok(())
    }

    /// Gradient from the input on [`Isa::active`]: `dx[i] = dy[i] * f'(x[i])` (as the free
    /// `_backward` function, which documents the breakpoints and selects).
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] unless `x`, `dy`, `dx` have one length;
    /// [`Error::BadParameter`] as [`validate`](Self::validate). Nothing is written then.
    ///
    /// ```
    /// use simd_activations::Activation;
    /// let mut dx = [0.0f32; 2];
    /// Activation::Relu.backward(&[-1.0, 1.0], &[5.0, 5.0], &mut dx).unwrap();
    /// assert_eq!(dx, [0.0, 5.0]);
    /// ```
    pub fn backward<T: Element>(&self, x: &[T], dy: &[T], dx: &mut [T]) -> Result<(), Error> {
        self.backward_on(Isa::active(), x, dy, dx)
    }

    /// [`backward`](Self::backward) on a chosen `isa`.
    ///
    /// # Errors
    /// As [`backward`](Self::backward), and [`Error::IsaUnavailable`].
    ///
    /// ```
    /// use simd_activations::{Activation, Isa};
    /// let mut dx = [0.0f32; 1];
    /// Activation::Tanh.backward_on(Isa::Scalar, &[0.0], &[2.0], &mut dx).unwrap();
    /// assert_eq!(dx, [2.0]);
    /// ```
    pub fn backward_on<T: Element>(
        &self,
        isa: Isa,
        x: &[T],
        dy: &[T],
        dx: &mut [T],
    ) -> Result<(), Error> {
        const F: &str = "Activation::backward";
        let p = self.prepare::<T>(F, isa)?;
        self.same_len(F, &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())])?;
        run::backward(self, isa, x, dy, dx, p);
        Ok(())
    }

    /// Gradient from the input, in place: `dy_dx` holds `dy` and is overwritten by `dx`.
    ///
    /// The free functions take `dy` and `dx` as separate slices, so `dy` is copied, 1024
    /// elements at a time, to a buffer on the stack (no allocation); results equal
    /// [`backward`](Self::backward)'s bit for bit.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] if `x.len() != dy_dx.len()`; [`Error::BadParameter`] as
    /// [`validate`](Self::validate). Nothing is written then.
    ///
    /// ```
    /// use simd_activations::Activation;
    /// let mut g = [3.0f32, 3.0];
    /// Activation::LeakyRelu { slope: 0.5 }.backward_inplace(&[-1.0, 1.0], &mut g).unwrap();
    /// assert_eq!(g, [1.5, 3.0]);
    /// ```
    pub fn backward_inplace<T: Element>(&self, x: &[T], dy_dx: &mut [T]) -> Result<(), Error> {
        self.backward_inplace_on(Isa::active(), x, dy_dx)
    }

    /// [`backward_inplace`](Self::backward_inplace) on a chosen `isa`.
    ///
    /// # Errors
    /// As [`backward_inplace`](Self::backward_inplace), and [`Error::IsaUnavailable`].
    ///
    /// ```
    /// use simd_activations::{Activation, Isa};
    /// let mut g = [1.0f64; 2];
    /// Activation::Relu6.backward_inplace_on(Isa::Scalar, &[3.0, 7.0], &mut g).unwrap();
    /// assert_eq!(g, [1.0, 0.0]);
    /// ```
    pub fn backward_inplace_on<T: Element>(
        &self,
        isa: Isa,
        x: &[T],
        dy_dx: &mut [T],
    ) -> Result<(), Error> {
        const F: &str = "Activation::backward_inplace";
        let p = self.prepare::<T>(F, isa)?;
        self.same_len(F, &[("x", x.len()), ("dy_dx", dy_dx.len())])?;
        let mut buf = [T::round_from_f64(0.0); INPLACE_CHUNK];
        for (xc, dc) in x.chunks(INPLACE_CHUNK).zip(dy_dx.chunks_mut(INPLACE_CHUNK)) {
            let dy = &mut buf[..dc.len()];
            dy.copy_from_slice(dc);
            run::backward(self, isa, xc, dy, dc, p);
        }
        Ok(())
    }

    /// Gradient from the output `y = f(x)` on [`Isa::active`] (for when the forward ran in
    /// place), as the free `_backward_from_output` function.
    ///
    /// # Errors
    /// [`Error::GradientNeedsInput`] where the output does not determine the gradient (see
    /// [`gradient_needs`](Self::gradient_needs); for leaky ReLU and ELU it depends on the
    /// parameter); [`Error::LengthMismatch`]; [`Error::BadParameter`]. Nothing is written then.
    ///
    /// ```
    /// use simd_activations::{Activation, Error};
    /// let mut dx = [0.0f32; 2];
    /// Activation::Sigmoid.backward_from_output(&[0.5, 0.5], &[1.0, 2.0], &mut dx).unwrap();
    /// assert_eq!(dx, [0.25, 0.5]);
    /// let err = Activation::Gelu.backward_from_output(&[0.5f32], &[1.0], &mut [0.0]).unwrap_err();
    /// assert!(matches!(err, Error::GradientNeedsInput { .. }));
    /// ```
    pub fn backward_from_output<T: Element>(
        &self,
        y: &[T],
        dy: &[T],
        dx: &mut [T],
    ) -> Result<(), Error> {
        self.backward_from_output_on(Isa::active(), y, dy, dx)
    }

    /// [`backward_from_output`](Self::backward_from_output) on a chosen `isa`.
    ///
    /// # Errors
    /// As [`backward_from_output`](Self::backward_from_output), and
    /// [`Error::IsaUnavailable`].
    ///
    /// ```
    /// use simd_activations::{Activation, Isa};
    /// let mut dx = [0.0f64; 2];
    /// Activation::Relu.backward_from_output_on(Isa::Scalar, &[0.0, 2.0], &[1.0, 1.0], &mut dx).unwrap();
    /// assert_eq!(dx, [0.0, 1.0]);
    /// ```
    pub fn backward_from_output_on<T: Element>(
        &self,
        isa: Isa,
        y: &[T],
        dy: &[T],
        dx: &mut [T],
    ) -> Result<(), Error> {
        const F: &str = "Activation::backward_from_output";
        let p = self.prepare::<T>(F, isa)?;
        self.check_from_output::<T>(F)?;
        self.same_len(F, &[("y", y.len()), ("dy", dy.len()), ("dx", dx.len())])?;
        run::backward_from_output(self, isa, y, dy, dx, p);
        Ok(())
    }
}

/// `value` for an error message, with its rounding to `T` where that changed it.
fn describe_value<T: Element>(value: f64, rounded: f64) -> String {
    if value.to_bits() == rounded.to_bits() || (value.is_nan() && rounded.is_nan()) {
        format!("{value:?}")
    } else {
        format!("{value:?} (as {}: {rounded:?})", T::ELEMENT_NAME)
    }
}
