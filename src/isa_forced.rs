//! The ISA-forced twins of the free functions: `name_on(isa, ..)` runs `name(..)` on a chosen
//! [`Isa`](crate::Isa) instead of [`Isa::active`](crate::Isa::active), for tests and benchmarks
//! that compare ISAs. Each panics as its plain twin does, and when `isa` is not available on
//! this CPU.
//!
//! They are also callable at the crate root (`simd_activations::sigmoid_on`), where they have
//! always been, but are documented only here so the front page lists the plain functions.
//! [`Activation`](crate::Activation) has checked `_on` methods (`forward_on`, ...) as well.
//!
//! ```
//! use simd_activations::{isa_forced::sigmoid_on, Isa};
//! let mut y = [0.0f32; 2];
//! for isa in Isa::available() {
//!     sigmoid_on(isa, &[0.0, 100.0], &mut y);
//!     assert_eq!(y, [0.5, 1.0]);
//! }
//! // The same function, by its old path:
//! simd_activations::sigmoid_on(Isa::Scalar, &[0.0, 100.0], &mut y);
//! ```

#[doc(inline)]
pub use crate::kernels::{
    celu_backward_from_output_on, celu_backward_on, celu_inplace_on, celu_on, crelu_backward_on,
    crelu_on, elu_backward_from_output_on, elu_backward_on, elu_inplace_on, elu_on,
    gelu_backward_on, gelu_inplace_on, gelu_on, gelu_tanh_backward_on, gelu_tanh_inplace_on,
    gelu_tanh_on, hardsigmoid_backward_on, hardsigmoid_inplace_on, hardsigmoid_on,
    hardswish_backward_on, hardswish_inplace_on, hardswish_on, hardtanh_backward_from_output_on,
    hardtanh_backward_on, hardtanh_inplace_on, hardtanh_on, leaky_relu_backward_from_output_on,
    leaky_relu_backward_on, leaky_relu_inplace_on, leaky_relu_on, mish_backward_on,
    mish_inplace_on, mish_on, prelu_backward_on, prelu_inplace_on, prelu_on,
    relu6_backward_from_output_on, relu6_backward_on, relu6_inplace_on, relu6_on,
    relu_backward_from_output_on, relu_backward_on, relu_inplace_on, relu_on,
    selu_backward_from_output_on, selu_backward_on, selu_inplace_on, selu_on,
    sigmoid_backward_from_output_on, sigmoid_backward_on, sigmoid_inplace_on, sigmoid_on,
    silu_backward_on, silu_inplace_on, silu_on, softplus_backward_on, softplus_inplace_on,
    softplus_on, tanh_backward_from_output_on, tanh_backward_on, tanh_inplace_on, tanh_on,
};

/// The GLU family's twins.
#[doc(inline)]
pub use crate::kernels::{
    geglu_backward_on, geglu_on, geglu_packed_backward_on, geglu_packed_on, geglu_tanh_backward_on,
    geglu_tanh_on, geglu_tanh_packed_backward_on, geglu_tanh_packed_on, glu_backward_on, glu_on,
    glu_packed_backward_on, glu_packed_on, reglu_backward_on, reglu_on, reglu_packed_backward_on,
    reglu_packed_on, swiglu_backward_on, swiglu_on, swiglu_packed_backward_on, swiglu_packed_on,
};
