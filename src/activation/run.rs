//! The calls of the free functions behind [`Activation`]'s methods, made after every check
//! has passed (so the free functions' panics cannot fire). `p` holds the parameters rounded
//! to `T`, in registry order.

use super::Activation as A;
use crate::{kernels as k, Element, Isa};

pub(super) fn forward<T: Element>(a: &A, isa: Isa, x: &[T], y: &mut [T], p: [T; 2]) {
    match a {
        A::Relu => k::relu_on(isa, x, y),
        A::LeakyRelu { .. } => k::leaky_relu_on(isa, x, y, p[0]),
        A::Elu { .. } => k::elu_on(isa, x, y, p[0]),
        A::Selu => k::selu_on(isa, x, y),
        A::Celu { .. } => k::celu_on(isa, x, y, p[0]),
        A::Relu6 => k::relu6_on(isa, x, y),
        A::Hardtanh { .. } => k::hardtanh_on(isa, x, y, p[0], p[1]),
        A::Sigmoid => k::sigmoid_on(isa, x, y),
        A::Tanh => k::tanh_on(isa, x, y),
        A::Silu => k::silu_on(isa, x, y),
        A::Gelu => k::gelu_on(isa, x, y),
        A::GeluTanh => k::gelu_tanh_on(isa, x, y),
        A::Softplus { .. } => k::softplus_on(isa, x, y, p[0], p[1]),
        A::Mish => k::mish_on(isa, x, y),
        A::Hardswish => k::hardswish_on(isa, x, y),
        A::Hardsigmoid => k::hardsigmoid_on(isa, x, y),
        A::Softsign => k::softsign_on(isa, x, y),
        A::Threshold { .. } => k::threshold_on(isa, x, y, p[0], p[1]),
        A::ThresholdedRelu { .. } => k::thresholded_relu_on(isa, x, y, p[0]),
        A::Hardshrink { .. } => k::hardshrink_on(isa, x, y, p[0]),
        A::Softshrink { .. } => k::softshrink_on(isa, x, y, p[0]),
        A::Tanhshrink => k::tanhshrink_on(isa, x, y),
        A::LogSigmoid => k::log_sigmoid_on(isa, x, y),
        A::QuickGelu => k::quick_gelu_on(isa, x, y),
        A::SiluBeta { .. } => k::silu_beta_on(isa, x, y, p[0]),
        A::Rrelu { .. } => k::rrelu_on(isa, x, y, p[0], p[1]),
    }
}

pub(super) fn forward_inplace<T: Element>(a: &A, isa: Isa, xy: &mut [T], p: [T; 2]) {
    match a {
        A::Relu => k::relu_inplace_on(isa, xy),
        A::LeakyRelu { .. } => k::leaky_relu_inplace_on(isa, xy, p[0]),
        A::Elu { .. } => k::elu_inplace_on(isa, xy, p[0]),
        A::Selu => k::selu_inplace_on(isa, xy),
        A::Celu { .. } => k::celu_inplace_on(isa, xy, p[0]),
        A::Relu6 => k::relu6_inplace_on(isa, xy),
        A::Hardtanh { .. } => k::hardtanh_inplace_on(isa, xy, p[0], p[1]),
        A::Sigmoid => k::sigmoid_inplace_on(isa, xy),
        A::Tanh => k::tanh_inplace_on(isa, xy),
        A::Silu => k::silu_inplace_on(isa, xy),
        A::Gelu => k::gelu_inplace_on(isa, xy),
        A::GeluTanh => k::gelu_tanh_inplace_on(isa, xy),
        A::Softplus { .. } => k::softplus_inplace_on(isa, xy, p[0], p[1]),
        A::Mish => k::mish_inplace_on(isa, xy),
        A::Hardswish => k::hardswish_inplace_on(isa, xy),
        A::Hardsigmoid => k::hardsigmoid_inplace_on(isa, xy),
        A::Softsign => k::softsign_inplace_on(isa, xy),
        A::Threshold { .. } => k::threshold_inplace_on(isa, xy, p[0], p[1]),
        A::ThresholdedRelu { .. } => k::thresholded_relu_inplace_on(isa, xy, p[0]),
        A::Hardshrink { .. } => k::hardshrink_inplace_on(isa, xy, p[0]),
        A::Softshrink { .. } => k::softshrink_inplace_on(isa, xy, p[0]),
        A::Tanhshrink => k::tanhshrink_inplace_on(isa, xy),
        A::LogSigmoid => k::log_sigmoid_inplace_on(isa, xy),
        A::QuickGelu => k::quick_gelu_inplace_on(isa, xy),
        A::SiluBeta { .. } => k::silu_beta_inplace_on(isa, xy, p[0]),
        A::Rrelu { .. } => k::rrelu_inplace_on(isa, xy, p[0], p[1]),
    }
}

pub(super) fn backward<T: Element>(a: &A, isa: Isa, x: &[T], dy: &[T], dx: &mut [T], p: [T; 2]) {
    match a {
        A::Relu => k::relu_backward_on(isa, x, dy, dx),
        A::LeakyRelu { .. } => k::leaky_relu_backward_on(isa, x, dy, dx, p[0]),
        A::Elu { .. } => k::elu_backward_on(isa, x, dy, dx, p[0]),
        A::Selu => k::selu_backward_on(isa, x, dy, dx),
        A::Celu { .. } => k::celu_backward_on(isa, x, dy, dx, p[0]),
        A::Relu6 => k::relu6_backward_on(isa, x, dy, dx),
        A::Hardtanh { .. } => k::hardtanh_backward_on(isa, x, dy, dx, p[0], p[1]),
        A::Sigmoid => k::sigmoid_backward_on(isa, x, dy, dx),
        A::Tanh => k::tanh_backward_on(isa, x, dy, dx),
        A::Silu => k::silu_backward_on(isa, x, dy, dx),
        A::Gelu => k::gelu_backward_on(isa, x, dy, dx),
        A::GeluTanh => k::gelu_tanh_backward_on(isa, x, dy, dx),
        A::Softplus { .. } => k::softplus_backward_on(isa, x, dy, dx, p[0], p[1]),
        A::Mish => k::mish_backward_on(isa, x, dy, dx),
        A::Hardswish => k::hardswish_backward_on(isa, x, dy, dx),
        A::Hardsigmoid => k::hardsigmoid_backward_on(isa, x, dy, dx),
        A::Softsign => k::softsign_backward_on(isa, x, dy, dx),
        A::Threshold { .. } => k::threshold_backward_on(isa, x, dy, dx, p[0], p[1]),
        A::ThresholdedRelu { .. } => k::thresholded_relu_backward_on(isa, x, dy, dx, p[0]),
        A::Hardshrink { .. } => k::hardshrink_backward_on(isa, x, dy, dx, p[0]),
        A::Softshrink { .. } => k::softshrink_backward_on(isa, x, dy, dx, p[0]),
        A::Tanhshrink => k::tanhshrink_backward_on(isa, x, dy, dx),
        A::LogSigmoid => k::log_sigmoid_backward_on(isa, x, dy, dx),
        A::QuickGelu => k::quick_gelu_backward_on(isa, x, dy, dx),
        A::SiluBeta { .. } => k::silu_beta_backward_on(isa, x, dy, dx, p[0]),
        A::Rrelu { .. } => k::rrelu_backward_on(isa, x, dy, dx, p[0], p[1]),
    }
}

/// Only reached where the registry's `FromOutput` allows it (checked by the caller).
pub(super) fn backward_from_output<T: Element>(
    a: &A,
    isa: Isa,
    y: &[T],
    dy: &[T],
    dx: &mut [T],
    p: [T; 2],
) {
    match a {
        A::Relu => k::relu_backward_from_output_on(isa, y, dy, dx),
        A::LeakyRelu { .. } => k::leaky_relu_backward_from_output_on(isa, y, dy, dx, p[0]),
        A::Elu { .. } => k::elu_backward_from_output_on(isa, y, dy, dx, p[0]),
        A::Selu => k::selu_backward_from_output_on(isa, y, dy, dx),
        A::Celu { .. } => k::celu_backward_from_output_on(isa, y, dy, dx, p[0]),
        A::Relu6 => k::relu6_backward_from_output_on(isa, y, dy, dx),
        A::Hardtanh { .. } => k::hardtanh_backward_from_output_on(isa, y, dy, dx, p[0], p[1]),
        A::Sigmoid => k::sigmoid_backward_from_output_on(isa, y, dy, dx),
        A::Tanh => k::tanh_backward_from_output_on(isa, y, dy, dx),
        A::Silu
        | A::Gelu
        | A::GeluTanh
        | A::Softplus { .. }
        | A::Mish
        | A::Hardswish
        | A::Hardsigmoid
        | A::Softsign
        | A::Threshold { .. }
        | A::ThresholdedRelu { .. }
        | A::Hardshrink { .. }
        | A::Softshrink { .. }
        | A::Tanhshrink
        | A::LogSigmoid
        | A::QuickGelu
        | A::SiluBeta { .. }
        | A::Rrelu { .. } => {
            unreachable!(
                "the registry says {} has no gradient from the output",
                a.spec().name
            )
        }
    }
}
