//! CReLU (TensorFlow's definition): `concat([relu(x), relu(-x)], axis = -1)`: each row of
//! `row_len` inputs becomes `2 * row_len` outputs.

use crate::api::isa_fn;
use crate::checks;
use crate::dispatch::{dispatch, WithSimd};
use crate::driver::{map, should_stream, Kernel, STREAM_MIN_RUN};
use crate::kernels::relu::{pass_nan, Relu};
use crate::simd::{Simd, Vector};
use crate::Float;

/// The scalar specification.
pub mod reference {
    #[cfg(not(feature = "std"))]
    use alloc::vec::Vec;
    use crate::float::nan_rule;
    use crate::kernels::relu::reference::relu;
    use crate::Float;

    /// One row: `[relu(x[0]), .., relu(x[n-1]), relu(-x[0]), .., relu(-x[n-1])]`.
    pub fn crelu_row<T: Float>(x: &[T]) -> Vec<T> {
        x.iter().map(|&v| relu(v)).chain(x.iter().map(|&v| nan_rule([v], || relu(-v)))).collect()
    }

    /// Gradient of one element from its two output gradients:
    /// `x > 0 ? dy_pos : x < 0 ? 0 + -dy_neg : 0`, and NaN when `x` is NaN. `0 + -dy_neg` is
    /// autograd's sum of the two halves' contributions: `+0` (not `-0`) for `dy_neg = +0`.
    pub fn crelu_backward<T: Float>(x: T, dy_pos: T, dy_neg: T) -> T {
        nan_rule([x, dy_pos, dy_neg], || {
            if x.is_nan() {
                x
            } else if x > T::ZERO {
                dy_pos
            } else if x < T::ZERO {
                -dy_neg + T::ZERO
            } else {
                T::ZERO
            }
        })
    }
}

#[derive(Clone, Copy)]
struct NegRelu;

impl<T: Float> Kernel<T, 1> for NegRelu {
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x]: [V; 1]) -> V {
        Kernel::apply(Relu, [x.neg()])
    }
}

#[derive(Clone, Copy)]
struct CreluBackward;

impl<T: Float> Kernel<T, 3> for CreluBackward {
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x, dy_pos, dy_neg]: [V; 3]) -> V {
        let zero = V::zero();
        // `-dy_neg + 0`, as autograd sums the two halves: `+0` where `dy_neg = +0`.
        let neg = V::select(x.lt(zero), dy_neg.neg().add(zero), zero);
        pass_nan(x, V::select(x.gt(zero), dy_pos, neg))
    }
}

struct Forward<'a, T> {
    x: &'a [T],
    y: &'a mut [T],
    row_len: usize,
}

impl<T: Float> WithSimd for Forward<'_, T> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        let n = self.row_len;
        let stream = should_stream::<T>(self.y.len()) && n >= STREAM_MIN_RUN;
        for (x, y) in self.x.chunks_exact(n).zip(self.y.chunks_exact_mut(2 * n)) {
            let (pos, neg) = y.split_at_mut(n);
            // SAFETY: `x`, `pos` and `neg` are distinct live slices of `n` elements.
            unsafe {
                map::<T::Vector<S>, _, 1>(Relu, [x.as_ptr()], pos.as_mut_ptr(), n, stream);
                map::<T::Vector<S>, _, 1>(NegRelu, [x.as_ptr()], neg.as_mut_ptr(), n, stream);
            }
        }
    }
}

struct Backward<'a, T> {
    x: &'a [T],
    dy: &'a [T],
    dx: &'a mut [T],
    row_len: usize,
}

impl<T: Float> WithSimd for Backward<'_, T> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        let n = self.row_len;
        let rows = self.x.chunks_exact(n).zip(self.dy.chunks_exact(2 * n));
        for ((x, dy), dx) in rows.zip(self.dx.chunks_exact_mut(n)) {
            let (pos, neg) = dy.split_at(n);
            let inputs = [x.as_ptr(), pos.as_ptr(), neg.as_ptr()];
            // SAFETY: three input slices and one distinct output slice of `n` elements each.
            unsafe { map::<T::Vector<S>, _, 3>(CreluBackward, inputs, dx.as_mut_ptr(), n, false) };
        }
    }
}

#[track_caller]
fn check_rows(func: &str, len: usize, row_len: usize) {
    if row_len.checked_mul(2).is_none() {
        panic!("simd_activations::{func}: row_len = {row_len} is too large (2 * row_len overflows usize)");
    }
    if row_len == 0 || len % row_len != 0 {
        panic!("simd_activations::{func}: row_len = {row_len} must be > 0 and divide x.len() = {len}");
    }
}

isa_fn! {
    /// CReLU, out of place: each row `x[r*n .. (r+1)*n]` (`n = row_len`) becomes
    /// `y[2rn .. 2rn+n] = relu(x_row)` and `y[2rn+n .. 2(r+1)n] = relu(-x_row)`
    /// (TensorFlow's `crelu` with `axis = -1`). `relu` is [`relu`](crate::relu)'s: NaN stays NaN in both
    /// halves, and `crelu(+0) = [+0, -0]`.
    ///
    /// # Panics
    /// If `y.len() != 2 * x.len()`, if `row_len == 0`, if `row_len` does not divide `x.len()`,
    /// or if `2 * row_len` overflows `usize`.
    ///
    /// ```
    /// let mut y = [9.0f32; 6];
    /// simd_activations::crelu(&[1.0, -2.0, 0.0], &mut y, 3); // one row of 3: [relu(x), relu(-x)]
    /// assert_eq!(y.map(f32::to_bits), [1.0f32, 0.0, 0.0, 0.0, 2.0, -0.0].map(f32::to_bits));
    /// ```
    pub fn crelu / crelu_on(isa) staged(x: &[T], y: &mut [T], row_len: usize) {
        checks::double_len("crelu", "y", y.len(), "x", x.len());
        check_rows("crelu", x.len(), row_len);
        dispatch("crelu", isa, Forward { x, y, row_len })
    }
}

isa_fn! {
    /// CReLU gradient from the input: with `dy` laid out as `y`,
    /// `dx[i] = x > 0 ? dy_pos[i] : x < 0 ? 0 + -dy_neg[i] : 0` where `dy_pos`/`dy_neg` are the
    /// two halves of the row's gradient. Selects, as [`relu_backward`](crate::relu_backward):
    /// `dx(0) = 0`, NaN `x` gives NaN. The sum `0 + -dy_neg` is what PyTorch and TensorFlow
    /// autograd compute for `concat([relu(x), relu(-x)])`: `+0` where `dy_neg = +0`.
    ///
    /// # Panics
    /// If `dy.len() != 2 * x.len()`, if `dx.len() != x.len()`, if `row_len == 0`, if
    /// `row_len` does not divide `x.len()`, or if `2 * row_len` overflows `usize`.
    ///
    /// ```
    /// let mut dx = [9.0f32; 3];
    /// // dy is laid out as y: [dy_pos; dy_neg] per row.
    /// simd_activations::crelu_backward(&[1.0, -2.0, 0.0], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &mut dx, 3);
    /// assert_eq!(dx, [1.0, -5.0, 0.0]); // x > 0: dy_pos; x < 0: -dy_neg; crelu'(0) = 0
    /// ```
    pub fn crelu_backward / crelu_backward_on(isa) staged(x: &[T], dy: &[T], dx: &mut [T], row_len: usize) {
        checks::double_len("crelu_backward", "dy", dy.len(), "x", x.len());
        checks::same_len("crelu_backward", &[("x", x.len()), ("dx", dx.len())]);
        check_rows("crelu_backward", x.len(), row_len);
        dispatch("crelu_backward", isa, Backward { x, dy, dx, row_len })
    }
}
