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
pub const LEAKY_RELU_DEFAULT_SLOPE: f64 = 0.01;
/// ELU's `alpha` in PyTorch and Keras.
pub const ELU_DEFAULT_ALPHA: f64 = 1.0;
/// CELU's `alpha` in PyTorch (where CELU equals ELU).
pub const CELU_DEFAULT_ALPHA: f64 = 1.0;
/// Hardtanh's lower bound in PyTorch.
pub const HARDTANH_DEFAULT_MIN_VAL: f64 = -1.0;
/// Hardtanh's upper bound in PyTorch.
pub const HARDTANH_DEFAULT_MAX_VAL: f64 = 1.0;
/// Softplus's `beta` in PyTorch.
pub const SOFTPLUS_DEFAULT_BETA: f64 = 1.0;
/// Softplus's `threshold` in PyTorch (above `beta x > threshold` the result is `x`).
pub const SOFTPLUS_DEFAULT_THRESHOLD: f64 = 20.0;
