//! Compile-cost probe: `cargo build --release` (none) vs `--features calls` (every f32
//! function and every Activation method); touch this file and rebuild to time it.
#[cfg(feature = "calls")]
use simd_activations as sa;

#[cfg(feature = "calls")]
fn calls() {
    let n = 8;
    let x = vec![0.5f32; n];
    let x2 = vec![0.5f32; 2 * n];
    let mut y = vec![0.0f32; n];
    let mut y2 = vec![0.0f32; 2 * n];
    let w = vec![0.25f32; 1];
    let mut dw = vec![0.0f32; 1];
    sa::crelu::<f32>(&x, &mut y2, n);
    sa::crelu_backward::<f32>(&x, &x2, &mut y, n);
    sa::elu::<f32>(&x, &mut y, 1.0);
    sa::elu_inplace::<f32>(&mut y, 1.0);
    sa::selu::<f32>(&x, &mut y);
    sa::selu_inplace::<f32>(&mut y);
    sa::celu::<f32>(&x, &mut y, 1.0);
    sa::celu_inplace::<f32>(&mut y, 1.0);
    sa::elu_backward::<f32>(&x, &x, &mut y, 1.0);
    sa::selu_backward::<f32>(&x, &x, &mut y);
    sa::celu_backward::<f32>(&x, &x, &mut y, 1.0);
    sa::elu_backward_from_output::<f32>(&x, &x, &mut y, 1.0);
    sa::selu_backward_from_output::<f32>(&x, &x, &mut y);
    sa::celu_backward_from_output::<f32>(&x, &x, &mut y, 1.0);
    sa::gelu::<f32>(&x, &mut y);
    sa::gelu_inplace::<f32>(&mut y);
    sa::gelu_backward::<f32>(&x, &x, &mut y);
    sa::gelu_tanh::<f32>(&x, &mut y);
    sa::gelu_tanh_inplace::<f32>(&mut y);
    sa::gelu_tanh_backward::<f32>(&x, &x, &mut y);
    sa::hardsigmoid::<f32>(&x, &mut y);
    sa::hardsigmoid_inplace::<f32>(&mut y);
    sa::hardsigmoid_backward::<f32>(&x, &x, &mut y);
    sa::hardswish::<f32>(&x, &mut y);
    sa::hardswish_inplace::<f32>(&mut y);
    sa::hardswish_backward::<f32>(&x, &x, &mut y);
    sa::relu6::<f32>(&x, &mut y);
    sa::relu6_inplace::<f32>(&mut y);
    sa::hardtanh::<f32>(&x, &mut y, -1.0, 1.0);
    sa::hardtanh_inplace::<f32>(&mut y, -1.0, 1.0);
    sa::relu6_backward::<f32>(&x, &x, &mut y);
    sa::relu6_backward_from_output::<f32>(&x, &x, &mut y);
    sa::hardtanh_backward::<f32>(&x, &x, &mut y, -1.0, 1.0);
    sa::hardtanh_backward_from_output::<f32>(&x, &x, &mut y, -1.0, 1.0);
    sa::leaky_relu::<f32>(&x, &mut y, 1.0);
    sa::leaky_relu_inplace::<f32>(&mut y, 1.0);
    sa::leaky_relu_backward::<f32>(&x, &x, &mut y, 1.0);
    sa::leaky_relu_backward_from_output::<f32>(&x, &x, &mut y, 1.0);
    sa::prelu::<f32>(&x, &mut y, &w, 1);
    sa::prelu_inplace::<f32>(&mut y, &w, 1);
    sa::prelu_backward::<f32>(&x, &x, &mut y, &w, 1, &mut dw);
    sa::relu::<f32>(&x, &mut y);
    sa::relu_inplace::<f32>(&mut y);
    sa::relu_backward::<f32>(&x, &x, &mut y);
    sa::relu_backward_from_output::<f32>(&x, &x, &mut y);
    sa::sigmoid::<f32>(&x, &mut y);
    sa::sigmoid_inplace::<f32>(&mut y);
    sa::sigmoid_backward::<f32>(&x, &x, &mut y);
    sa::sigmoid_backward_from_output::<f32>(&x, &x, &mut y);
    sa::silu::<f32>(&x, &mut y);
    sa::silu_inplace::<f32>(&mut y);
    sa::silu_backward::<f32>(&x, &x, &mut y);
    sa::softplus::<f32>(&x, &mut y, 1.0, 20.0);
    sa::softplus_inplace::<f32>(&mut y, 1.0, 20.0);
    sa::softplus_backward::<f32>(&x, &x, &mut y, 1.0, 20.0);
    sa::mish::<f32>(&x, &mut y);
    sa::mish_inplace::<f32>(&mut y);
    sa::mish_backward::<f32>(&x, &x, &mut y);
    sa::tanh::<f32>(&x, &mut y);
    sa::tanh_inplace::<f32>(&mut y);
    sa::tanh_backward::<f32>(&x, &x, &mut y);
    sa::tanh_backward_from_output::<f32>(&x, &x, &mut y);
    for a in sa::Activation::ALL {
        a.forward(&x, &mut y).unwrap();
        a.forward_inplace(&mut y).unwrap();
        a.backward(&x, &x, &mut y).unwrap();
        a.backward_inplace(&x, &mut y).unwrap();
        let _ = a.backward_from_output(&x, &x, &mut y);
        a.forward_bias(&x, &mut y, &w, 1).unwrap();
        a.forward_bias_inplace(&mut y, &w, 1).unwrap();
        a.backward_bias(&x, &x, &mut y2[..n], &w, 1, &mut dw).unwrap();
        a.backward_bias_inplace(&x, &mut y, &w, 1, &mut dw).unwrap();
    }
    println!("{}", y[0] + y2[0] + dw[0]);
}

fn main() {
    #[cfg(feature = "calls")]
    calls();
    println!("done");
}
