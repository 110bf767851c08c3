//! RReLU (PyTorch's randomized leaky ReLU). Evaluation mode: leaky ReLU with the slope
//! `(lower + upper) / 2`. Training mode (`rrelu_with_noise`): each non-positive input gets its
//! own slope drawn uniformly from `[lower, upper)` by a counter-based generator that the
//! caller seeds, written to `noise` for the backward (`dx = dy * noise`), as PyTorch's
//! `rrelu_with_noise`.

use crate::api::isa_fn;
use crate::checks;
use crate::dispatch::dispatch;
use crate::kernel_use::{RunInPlace, RunUnary, UseKernel};
use crate::driver::{Binary, Kernel};
use crate::kernels::leaky_relu::{with_leaky_kernel, LeakyReluBackward};
use crate::simd::Vector;
use crate::Float;

/// The scalar specification.
pub mod reference {
    use crate::Float;

    /// The evaluation-mode slope `(lower + upper) / 2`, computed in f64 and rounded to `T`
    /// (PyTorch computes it in Python's double, then casts).
    pub fn rrelu_slope<T: Float>(lower: T, upper: T) -> T {
        T::from_f64((lower.to_f64() + upper.to_f64()) / 2.0)
    }
    /// `x > 0 ? x : slope * x` with the evaluation-mode slope.
    pub fn rrelu<T: Float>(x: T, lower: T, upper: T) -> T {
        crate::kernels::leaky_relu::reference::leaky_relu(x, rrelu_slope(lower, upper))
    }
    /// `x > 0 ? dy : slope * dy` with the evaluation-mode slope; NaN `x` gives NaN.
    pub fn rrelu_backward<T: Float>(x: T, dy: T, lower: T, upper: T) -> T {
        crate::kernels::leaky_relu::reference::leaky_relu_backward(x, dy, rrelu_slope(lower, upper))
    }
    /// The training-mode slope of element `index` for `seed`: `lower + (upper - lower) u`
    /// with `u` in `[0, 1)` from the top 53 bits of a SplitMix64 step of
    /// `seed + (index + 1) * 0x9e3779b97f4a7c15`, in f64, rounded to `T` (and clamped to
    /// `upper`, which the rounding could pass).
    pub fn rrelu_noise<T: Float>(seed: u64, index: usize, lower: T, upper: T) -> T {
        let mut z = seed.wrapping_add((index as u64).wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        let u = (z >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
        let (lo, hi) = (lower.to_f64(), upper.to_f64());
        T::from_f64((lo + (hi - lo) * u).min(hi))
    }
}

#[track_caller]
fn check_bounds<T: Float>(func: &str, lower: T, upper: T) {
    checks::finite_ordered(func, "lower", lower, "upper", upper);
}

fn eval_slope<T: Float>(lower: T, upper: T) -> T {
    reference::rrelu_slope(lower, upper)
}

isa_fn! {
    /// RReLU in evaluation mode, out of place: `y[i] = x[i] > 0 ? x[i] : slope * x[i]` with
    /// `slope = (lower + upper) / 2` (PyTorch's defaults `lower = 1/8`, `upper = 1/3`; the
    /// slope is computed in f64, then rounded to `T`, as PyTorch). For the training mode see
    /// [`rrelu_with_noise`].
    ///
    /// Exact but for the one rounding of the product (as [`leaky_relu`](crate::leaky_relu)).
    /// NaN gives NaN.
    ///
    /// # Panics
    /// If `x.len() != y.len()`, if `lower` or `upper` is NaN or infinite, or if `lower > upper`.
    ///
    /// ```
    /// let mut y = [0.0f32; 2];
    /// simd_activations::rrelu(&[-8.0, 2.0], &mut y, 0.125, 0.375);
    /// assert_eq!(y, [-2.0, 2.0]); // slope (1/8 + 3/8) / 2 = 1/4
    /// ```
    pub fn rrelu / rrelu_on(isa)(x: &[T], y: &mut [T], lower: T, upper: T) {
        checks::same_len("rrelu", &[("x", x.len()), ("y", y.len())]);
        check_bounds("rrelu", lower, upper);
        rrelu_kernel(lower, upper, RunUnary { func: "rrelu", isa, x, y })
    }
}

isa_fn! {
    /// RReLU in evaluation mode, in place; semantics and panics as [`rrelu`].
    ///
    /// ```
    /// let mut xy = [-3.0f64, 1.0];
    /// simd_activations::rrelu_inplace(&mut xy, 0.0, 2.0 / 3.0);
    /// assert_eq!(xy, [-1.0, 1.0]);
    /// ```
    pub fn rrelu_inplace / rrelu_inplace_on(isa)(xy: &mut [T], lower: T, upper: T) {
        check_bounds("rrelu_inplace", lower, upper);
        rrelu_kernel(lower, upper, RunInPlace { func: "rrelu_inplace", isa, xy })
    }
}

isa_fn! {
    /// RReLU gradient in evaluation mode: `dx[i] = x[i] > 0 ? dy[i] : slope * dy[i]` (at 0 the
    /// slope, as leaky ReLU); a multiply, so NaN or inf `dy` propagates; NaN `x` gives NaN.
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length, or as [`rrelu`] for the bounds.
    ///
    /// ```
    /// let mut dx = [0.0f32; 3];
    /// simd_activations::rrelu_backward(&[0.0, 1.0, -1.0], &[4.0; 3], &mut dx, 0.125, 0.375);
    /// assert_eq!(dx, [1.0, 4.0, 1.0]);
    /// ```
    pub fn rrelu_backward / rrelu_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T], lower: T, upper: T) {
        checks::same_len("rrelu_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        check_bounds("rrelu_backward", lower, upper);
        dispatch("rrelu_backward", isa, Binary { kernel: LeakyReluBackward { slope: eval_slope(lower, upper) }, a: x, b: dy, out: dx })
    }
}

/// RReLU in training mode (PyTorch's `rrelu_with_noise`): for each `x[i] <= 0` a slope `r` is
/// drawn uniformly from `[lower, upper)`, `y[i] = r * x[i]` and `noise[i] = r`; elsewhere
/// (`x > 0`, and NaN) `y[i] = x[i]` and `noise[i] = 1`. Pass `noise` to
/// [`rrelu_with_noise_backward`].
///
/// The slopes come from a counter-based generator: element `i`'s slope depends only on
/// `seed` and `i` ([`reference::rrelu_noise`](crate::reference::rrelu_noise)), so the result is
/// the same on every ISA and for any split of the work (a caller that splits a tensor passes
/// its slices with the same seed only if it also wants the same slopes at the same offsets:
/// the index is the position in the slice given). `lower == upper` gives that slope
/// everywhere. Scalar code (the generator is integer arithmetic per element), identical on
/// every ISA. NaN in `x` gives NaN in `y` with noise 1.
///
/// # Panics
/// If `x`, `y` and `noise` differ in length, if `lower` or `upper` is NaN or infinite, or if
/// `lower > upper`.
///
/// ```
/// use simd_activations::{rrelu_with_noise, rrelu_with_noise_backward};
/// let x = [-2.0f32, 3.0, -1.0];
/// let (mut y, mut noise) = ([0.0; 3], [0.0; 3]);
/// rrelu_with_noise(&x, &mut y, &mut noise, 0.125, 1.0 / 3.0, 42);
/// assert_eq!((y[1], noise[1]), (3.0, 1.0));
/// assert!((0.125..1.0 / 3.0).contains(&noise[0]) && y[0] == -2.0 * noise[0]);
/// let mut dx = [0.0f32; 3];
/// rrelu_with_noise_backward(&noise, &[1.0; 3], &mut dx);
/// assert_eq!(dx, noise);
/// ```
pub fn rrelu_with_noise<T: Float>(x: &[T], y: &mut [T], noise: &mut [T], lower: T, upper: T, seed: u64) {
    let func = "rrelu_with_noise";
    checks::same_len(func, &[("x", x.len()), ("y", y.len()), ("noise", noise.len())]);
    check_bounds(func, lower, upper);
    for (i, ((&v, out), r)) in x.iter().zip(y.iter_mut()).zip(noise.iter_mut()).enumerate() {
        if v <= T::ZERO {
            let slope = reference::rrelu_noise(seed, i, lower, upper);
            *out = crate::float::nan_rule([v], || v * slope);
            *r = slope;
        } else {
            *out = crate::float::nan_rule([v], || v);
            *r = T::ONE;
        }
    }
}

/// `dx = dy * noise`, one product: multiply, so NaN or inf `dy` propagates.
#[derive(Clone, Copy)]
struct TimesNoise;
impl<T: Float> Kernel<T, 2> for TimesNoise {
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [noise, dy]: [V; 2]) -> V {
        dy.mul(noise)
    }
}

isa_fn! {
    /// RReLU gradient in training mode: `dx[i] = dy[i] * noise[i]`, with the `noise` that
    /// [`rrelu_with_noise`] wrote (as PyTorch's `rrelu_with_noise_backward`). Exact but for the
    /// one rounding of the product; NaN in `noise` (then `dy`) gives that NaN (the crate's rule).
    ///
    /// # Panics
    /// If `noise`, `dy` and `dx` differ in length.
    ///
    /// ```
    /// let mut dx = [0.0f32; 2];
    /// simd_activations::rrelu_with_noise_backward(&[0.25, 1.0], &[4.0, 4.0], &mut dx);
    /// assert_eq!(dx, [1.0, 4.0]);
    /// ```
    pub fn rrelu_with_noise_backward / rrelu_with_noise_backward_on(isa)(noise: &[T], dy: &[T], dx: &mut [T]) {
        checks::same_len("rrelu_with_noise_backward", &[("noise", noise.len()), ("dy", dy.len()), ("dx", dx.len())]);
        dispatch("rrelu_with_noise_backward", isa, Binary { kernel: TimesNoise, a: noise, b: dy, out: dx })
    }
}

// The kernels, handed to the fused forms and to the runs on slices (see `kernel_use`).

/// The kernel of `rrelu`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn rrelu_kernel<T: Float, U: UseKernel<T, 1>>(lower: T, upper: T, u: U) -> U::Output {
    with_leaky_kernel!(eval_slope(lower, upper), kernel => u.with(kernel))
}

/// The kernel of `rrelu`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn rrelu_backward_kernel<T: Float, U: UseKernel<T, 2>>(lower: T, upper: T, u: U) -> U::Output {
    u.with(LeakyReluBackward { slope: eval_slope(lower, upper) })
}
