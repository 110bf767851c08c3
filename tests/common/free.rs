//! The free functions of each [`Activation`], called by the tests independently of the
//! crate's own dispatch of `Activation` (so a test can hold one to the other, and drive the
//! free functions' tests from the registry). A new variant panics here until it is added.

use simd_activations::*;

/// The parameters of `a` rounded to `T`, in registry order.
pub fn params<T: Element>(a: &Activation) -> Vec<T> {
    a.params()
        .iter()
        .map(|&(_, v)| T::round_from_f64(v))
        .collect()
}

/// The free functions, called independently of the crate's own dispatch of `Activation`.
pub fn free_forward<T: Element>(a: &Activation, isa: Isa, x: &[T], y: &mut [T]) {
    let p = params::<T>(a);
    match a {
        Activation::Relu => relu_on(isa, x, y),
        Activation::LeakyRelu { .. } => leaky_relu_on(isa, x, y, p[0]),
        Activation::Elu { .. } => elu_on(isa, x, y, p[0]),
        Activation::Selu => selu_on(isa, x, y),
        Activation::Celu { .. } => celu_on(isa, x, y, p[0]),
        Activation::Relu6 => relu6_on(isa, x, y),
        Activation::Hardtanh { .. } => hardtanh_on(isa, x, y, p[0], p[1]),
        Activation::Sigmoid => sigmoid_on(isa, x, y),
        Activation::Tanh => tanh_on(isa, x, y),
        Activation::Silu => silu_on(isa, x, y),
        Activation::Gelu => gelu_on(isa, x, y),
        Activation::GeluTanh => gelu_tanh_on(isa, x, y),
        Activation::Softplus { .. } => softplus_on(isa, x, y, p[0], p[1]),
        Activation::Mish => mish_on(isa, x, y),
        Activation::Hardswish => hardswish_on(isa, x, y),
        Activation::Hardsigmoid => hardsigmoid_on(isa, x, y),
        Activation::Softsign => softsign_on(isa, x, y),
        Activation::Threshold { .. } => threshold_on(isa, x, y, p[0], p[1]),
        Activation::ThresholdedRelu { .. } => thresholded_relu_on(isa, x, y, p[0]),
        Activation::Hardshrink { .. } => hardshrink_on(isa, x, y, p[0]),
        Activation::Softshrink { .. } => softshrink_on(isa, x, y, p[0]),
        Activation::Tanhshrink => tanhshrink_on(isa, x, y),
        Activation::LogSigmoid => log_sigmoid_on(isa, x, y),
        Activation::QuickGelu => quick_gelu_on(isa, x, y),
        Activation::SiluBeta { .. } => silu_beta_on(isa, x, y, p[0]),
        Activation::Rrelu { .. } => rrelu_on(isa, x, y, p[0], p[1]),
        other => panic!("no free function known for {other:?}"),
    }
}

pub fn free_backward<T: Element>(a: &Activation, isa: Isa, x: &[T], dy: &[T], dx: &mut [T]) {
    let p = params::<T>(a);
    match a {
        Activation::Relu => relu_backward_on(isa, x, dy, dx),
        Activation::LeakyRelu { .. } => leaky_relu_backward_on(isa, x, dy, dx, p[0]),
        Activation::Elu { .. } => elu_backward_on(isa, x, dy, dx, p[0]),
        Activation::Selu => selu_backward_on(isa, x, dy, dx),
        Activation::Celu { .. } => celu_backward_on(isa, x, dy, dx, p[0]),
        Activation::Relu6 => relu6_backward_on(isa, x, dy, dx),
        Activation::Hardtanh { .. } => hardtanh_backward_on(isa, x, dy, dx, p[0], p[1]),
        Activation::Sigmoid => sigmoid_backward_on(isa, x, dy, dx),
        Activation::Tanh => tanh_backward_on(isa, x, dy, dx),
        Activation::Silu => silu_backward_on(isa, x, dy, dx),
        Activation::Gelu => gelu_backward_on(isa, x, dy, dx),
        Activation::GeluTanh => gelu_tanh_backward_on(isa, x, dy, dx),
        Activation::Softplus { .. } => softplus_backward_on(isa, x, dy, dx, p[0], p[1]),
        Activation::Mish => mish_backward_on(isa, x, dy, dx),
        Activation::Hardswish => hardswish_backward_on(isa, x, dy, dx),
        Activation::Hardsigmoid => hardsigmoid_backward_on(isa, x, dy, dx),
        Activation::Softsign => softsign_backward_on(isa, x, dy, dx),
        Activation::Threshold { .. } => threshold_backward_on(isa, x, dy, dx, p[0], p[1]),
        Activation::ThresholdedRelu { .. } => thresholded_relu_backward_on(isa, x, dy, dx, p[0]),
        Activation::Hardshrink { .. } => hardshrink_backward_on(isa, x, dy, dx, p[0]),
        Activation::Softshrink { .. } => softshrink_backward_on(isa, x, dy, dx, p[0]),
        Activation::Tanhshrink => tanhshrink_backward_on(isa, x, dy, dx),
        Activation::LogSigmoid => log_sigmoid_backward_on(isa, x, dy, dx),
        Activation::QuickGelu => quick_gelu_backward_on(isa, x, dy, dx),
        Activation::SiluBeta { .. } => silu_beta_backward_on(isa, x, dy, dx, p[0]),
        Activation::Rrelu { .. } => rrelu_backward_on(isa, x, dy, dx, p[0], p[1]),
        other => panic!("no free function known for {other:?}"),
    }
}

/// `None` where the crate has no `_backward_from_output`.
pub fn free_from_output<T: Element>(
    a: &Activation,
    isa: Isa,
    y: &[T],
    dy: &[T],
    dx: &mut [T],
) -> Option<()> {
    let p = params::<T>(a);
    match a {
        Activation::Relu => relu_backward_from_output_on(isa, y, dy, dx),
        Activation::LeakyRelu { .. } => leaky_relu_backward_from_output_on(isa, y, dy, dx, p[0]),
        Activation::Elu { .. } => elu_backward_from_output_on(isa, y, dy, dx, p[0]),
        Activation::Selu => selu_backward_from_output_on(isa, y, dy, dx),
        Activation::Celu { .. } => celu_backward_from_output_on(isa, y, dy, dx, p[0]),
        Activation::Relu6 => relu6_backward_from_output_on(isa, y, dy, dx),
        Activation::Hardtanh { .. } => hardtanh_backward_from_output_on(isa, y, dy, dx, p[0], p[1]),
        Activation::Sigmoid => sigmoid_backward_from_output_on(isa, y, dy, dx),
        Activation::Tanh => tanh_backward_from_output_on(isa, y, dy, dx),
        _ => return None,
    }
    Some(())
}

/// The in-place free function of `a`.
pub fn free_inplace<T: Element>(a: &Activation, isa: Isa, xy: &mut [T]) {
    let p = params::<T>(a);
    match a {
        Activation::Relu => relu_inplace_on(isa, xy),
        Activation::LeakyRelu { .. } => leaky_relu_inplace_on(isa, xy, p[0]),
        Activation::Elu { .. } => elu_inplace_on(isa, xy, p[0]),
        Activation::Selu => selu_inplace_on(isa, xy),
        Activation::Celu { .. } => celu_inplace_on(isa, xy, p[0]),
        Activation::Relu6 => relu6_inplace_on(isa, xy),
        Activation::Hardtanh { .. } => hardtanh_inplace_on(isa, xy, p[0], p[1]),
        Activation::Sigmoid => sigmoid_inplace_on(isa, xy),
        Activation::Tanh => tanh_inplace_on(isa, xy),
        Activation::Silu => silu_inplace_on(isa, xy),
        Activation::Gelu => gelu_inplace_on(isa, xy),
        Activation::GeluTanh => gelu_tanh_inplace_on(isa, xy),
        Activation::Softplus { .. } => softplus_inplace_on(isa, xy, p[0], p[1]),
        Activation::Mish => mish_inplace_on(isa, xy),
        Activation::Hardswish => hardswish_inplace_on(isa, xy),
        Activation::Hardsigmoid => hardsigmoid_inplace_on(isa, xy),
        Activation::Softsign => softsign_inplace_on(isa, xy),
        Activation::Threshold { .. } => threshold_inplace_on(isa, xy, p[0], p[1]),
        Activation::ThresholdedRelu { .. } => thresholded_relu_inplace_on(isa, xy, p[0]),
        Activation::Hardshrink { .. } => hardshrink_inplace_on(isa, xy, p[0]),
        Activation::Softshrink { .. } => softshrink_inplace_on(isa, xy, p[0]),
        Activation::Tanhshrink => tanhshrink_inplace_on(isa, xy),
        Activation::LogSigmoid => log_sigmoid_inplace_on(isa, xy),
        Activation::QuickGelu => quick_gelu_inplace_on(isa, xy),
        Activation::SiluBeta { .. } => silu_beta_inplace_on(isa, xy, p[0]),
        Activation::Rrelu { .. } => rrelu_inplace_on(isa, xy, p[0], p[1]),
        other => panic!("no free function known for {other:?}"),
    }
}
