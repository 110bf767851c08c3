//! PyTorch's default parameters, as public constants. [`Activation`](crate::Activation)'s
//! bare names (`"LeakyReLU"`, `"elu"`, ...) and [`Activation::ALL`](crate::Activation::ALL)
//! use them.
//!
//! ```
//! use simd_activations::{leaky_relu, LEAKY_RELU_DEFAULT_SLOPE};
//! let mut y = [0.0f32; 2];
//! leaky_relu(&[-1.0, 2.0], &mut y, LEAKY_RELU_DEFAULT_SLOPE as f32);
//! assert_eq!(y, [-0.01, 2.0]);
//! ```

/// Leaky ReLU's negative slope in PyTorch (`negative_slope=0.01`). Keras's `leaky_relu`
/// defaults to 0.2 and TensorFlow's to 0.2 as well; a bare `"leaky_relu"` gets this one.
///
/// ```
/// use simd_activations::{Activation, LEAKY_RELU_DEFAULT_SLOPE};
/// let a: Activation = "LeakyReLU".parse().unwrap();
/// assert_eq!(a, Activation::LeakyRelu { slope: LEAKY_RELU_DEFAULT_SLOPE });
/// ```
pub const LEAKY_RELU_DEFAULT_SLOPE: f64 = 0.01;
/// ELU's `alpha` in PyTorch and Keras.
///
/// ```
/// use simd_activations::{Activation, ELU_DEFAULT_ALPHA};
/// assert_eq!("elu".parse::<Activation>().unwrap(), Activation::Elu { alpha: ELU_DEFAULT_ALPHA });
/// ```
pub const ELU_DEFAULT_ALPHA: f64 = 1.0;
/// CELU's `alpha` in PyTorch (where CELU equals ELU).
///
/// ```
/// use simd_activations::{Activation, CELU_DEFAULT_ALPHA};
/// assert_eq!("CELU".parse::<Activation>().unwrap(), Activation::Celu { alpha: CELU_DEFAULT_ALPHA });
/// ```
pub const CELU_DEFAULT_ALPHA: f64 = 1.0;
/// Hardtanh's lower bound in PyTorch.
///
/// ```
/// use simd_activations::{Activation, HARDTANH_DEFAULT_MAX_VAL, HARDTANH_DEFAULT_MIN_VAL};
/// let a = Activation::Hardtanh { min_val: HARDTANH_DEFAULT_MIN_VAL, max_val: HARDTANH_DEFAULT_MAX_VAL };
/// assert_eq!("Hardtanh".parse::<Activation>().unwrap(), a);
/// ```
pub const HARDTANH_DEFAULT_MIN_VAL: f64 = -1.0;
/// Hardtanh's upper bound in PyTorch.
///
/// ```
/// assert_eq!(simd_activations::HARDTANH_DEFAULT_MAX_VAL, 1.0);
/// ```
pub const HARDTANH_DEFAULT_MAX_VAL: f64 = 1.0;
/// Softplus's `beta` in PyTorch.
///
/// ```
/// use simd_activations::{Activation, SOFTPLUS_DEFAULT_BETA, SOFTPLUS_DEFAULT_THRESHOLD};
/// let a = Activation::Softplus { beta: SOFTPLUS_DEFAULT_BETA, threshold: SOFTPLUS_DEFAULT_THRESHOLD };
/// assert_eq!("softplus".parse::<Activation>().unwrap(), a);
/// ```
pub const SOFTPLUS_DEFAULT_BETA: f64 = 1.0;
/// Softplus's `threshold` in PyTorch (above `beta x > threshold` the result is `x`).
///
/// ```
/// assert_eq!(simd_activations::SOFTPLUS_DEFAULT_THRESHOLD, 20.0);
/// ```
pub const SOFTPLUS_DEFAULT_THRESHOLD: f64 = 20.0;
/// Hardshrink's `lambd` in PyTorch.
///
/// ```
/// use simd_activations::{Activation, HARDSHRINK_DEFAULT_LAMBD};
/// assert_eq!("Hardshrink".parse::<Activation>().unwrap(), Activation::Hardshrink { lambd: HARDSHRINK_DEFAULT_LAMBD });
/// ```
pub const HARDSHRINK_DEFAULT_LAMBD: f64 = 0.5;
/// Softshrink's `lambd` in PyTorch.
///
/// ```
/// use simd_activations::{Activation, SOFTSHRINK_DEFAULT_LAMBD};
/// assert_eq!("softshrink".parse::<Activation>().unwrap(), Activation::Softshrink { lambd: SOFTSHRINK_DEFAULT_LAMBD });
/// ```
pub const SOFTSHRINK_DEFAULT_LAMBD: f64 = 0.5;
/// Threshold's `threshold` for a bare `"Threshold"` (PyTorch has no default: both parameters
/// are required; with these two it is ReLU with `relu(0) = 0`).
///
/// ```
/// assert_eq!(simd_activations::THRESHOLD_DEFAULT_THRESHOLD, 0.0);
/// ```
pub const THRESHOLD_DEFAULT_THRESHOLD: f64 = 0.0;
/// Threshold's `value` for a bare `"Threshold"` (see [`THRESHOLD_DEFAULT_THRESHOLD`]).
///
/// ```
/// assert_eq!(simd_activations::THRESHOLD_DEFAULT_VALUE, 0.0);
/// ```
pub const THRESHOLD_DEFAULT_VALUE: f64 = 0.0;
/// Keras's `ThresholdedReLU` `theta` (ONNX's `ThresholdedRelu` `alpha` is also 1).
///
/// ```
/// use simd_activations::{Activation, THRESHOLDED_RELU_DEFAULT_THETA};
/// assert_eq!("thresholded_relu".parse::<Activation>().unwrap(), Activation::ThresholdedRelu { theta: THRESHOLDED_RELU_DEFAULT_THETA });
/// ```
pub const THRESHOLDED_RELU_DEFAULT_THETA: f64 = 1.0;
/// `beta` of SiLU with a slope, `x * sigmoid(beta x)` (TensorFlow's `tf.nn.silu(features,
/// beta=1.0)`): with it the function is [`silu`](crate::silu).
///
/// ```
/// assert_eq!(simd_activations::SILU_BETA_DEFAULT_BETA, 1.0);
/// ```
pub const SILU_BETA_DEFAULT_BETA: f64 = 1.0;
/// The constant of QuickGELU, `x * sigmoid(1.702 x)` (OpenAI CLIP, Hugging Face's
/// `quick_gelu`), taken as the exact decimal 1.702.
///
/// ```
/// assert_eq!(simd_activations::QUICK_GELU_SCALE, 1.702);
/// ```
pub const QUICK_GELU_SCALE: f64 = 1.702;
/// RReLU's `lower` in PyTorch (`1/8`).
///
/// ```
/// use simd_activations::{Activation, RRELU_DEFAULT_LOWER, RRELU_DEFAULT_UPPER};
/// let a = Activation::Rrelu { lower: RRELU_DEFAULT_LOWER, upper: RRELU_DEFAULT_UPPER };
/// assert_eq!("RReLU".parse::<Activation>().unwrap(), a);
/// ```
pub const RRELU_DEFAULT_LOWER: f64 = 1.0 / 8.0;
/// RReLU's `upper` in PyTorch (`1/3`).
///
/// ```
/// assert_eq!(simd_activations::RRELU_DEFAULT_UPPER, 1.0 / 3.0);
/// ```
pub const RRELU_DEFAULT_UPPER: f64 = 1.0 / 3.0;
