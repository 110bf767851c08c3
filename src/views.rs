//! Feature `ndarray`: running the slice kernels over `ArrayView`s of any dimension and memory
//! layout. Three ways, the first that applies:
//!
//! 1. every array is contiguous in memory (C, F or any other order, negative strides
//!    included) with the same strides: one call on the memory-order slices;
//! 2. every array has stride 1 along the last axis: one call per row (lane of the last axis);
//! 3. otherwise (transposed against each other, stepped slices, broadcast inputs with stride
//!    0): each row is gathered through a buffer of [`GATHER`] elements on the stack (an output
//!    row with stride 1 is written directly).
//!
//! The kernels are element-wise, so every way gives the bits of a contiguous call.

use crate::Element;
use ndarray::{ArrayView, ArrayView1, ArrayViewMut, ArrayViewMut1, Axis, Dimension, Slice, Zip};

/// Elements per gathered piece (1-2 KiB of stack per array for 4- and 8-byte types).
pub(crate) const GATHER: usize = 256;

fn zero<T: Element>() -> T {
    T::round_from_f64(0.0)
}

/// The last axis (rows are its lanes); arrays of dimension 0 are always contiguous.
fn last<D: Dimension>(d: &D) -> Axis {
    Axis(d.ndim() - 1)
}

/// `f(x, y)` on matching pieces of `x` and `y` (of one shape, which the caller checked).
pub(crate) fn unary<T: Element, D: Dimension>(
    x: ArrayView<'_, T, D>,
    mut y: ArrayViewMut<'_, T, D>,
    mut f: impl FnMut(&[T], &mut [T]),
) {
    if x.strides() == y.strides() {
        if let (Some(xs), Some(ys)) = (x.as_slice_memory_order(), y.as_slice_memory_order_mut()) {
            return f(xs, ys);
        }
    }
    let axis = last(&x.raw_dim());
    Zip::from(x.lanes(axis))
        .and(y.lanes_mut(axis))
        .for_each(|xl, yl| unary_row(xl, yl, &mut f));
}

fn unary_row<T: Element>(
    x: ArrayView1<'_, T>,
    mut y: ArrayViewMut1<'_, T>,
    f: &mut impl FnMut(&[T], &mut [T]),
) {
    if let (Some(xs), Some(ys)) = (x.as_slice(), y.as_slice_mut()) {
        return f(xs, ys);
    }
    let n = x.len();
    let (mut bx, mut by) = ([zero::<T>(); GATHER], [zero::<T>(); GATHER]);
    let mut at = 0;
    while at < n {
        let m = GATHER.min(n - at);
        let piece = ndarray::s![at..at + m];
        for (b, v) in bx.iter_mut().zip(x.slice(piece)) {
            *b = *v;
        }
        let mut yp = y.slice_mut(piece);
        match yp.as_slice_mut() {
            Some(ys) => f(&bx[..m], ys),
            None => {
                f(&bx[..m], &mut by[..m]);
                for (v, b) in yp.iter_mut().zip(&by[..m]) {
                    *v = *b;
                }
            }
        }
        at += m;
    }
}

/// `f(a, b, out)` on matching pieces (one shape, checked by the caller).
pub(crate) fn binary<T: Element, D: Dimension>(
    a: ArrayView<'_, T, D>,
    b: ArrayView<'_, T, D>,
    mut out: ArrayViewMut<'_, T, D>,
    mut f: impl FnMut(&[T], &[T], &mut [T]),
) {
    if a.strides() == out.strides() && b.strides() == out.strides() {
        if let (Some(s), Some(t), Some(o)) = (
            a.as_slice_memory_order(),
            b.as_slice_memory_order(),
            out.as_slice_memory_order_mut(),
        ) {
            return f(s, t, o);
        }
    }
    let axis = last(&a.raw_dim());
    Zip::from(a.lanes(axis))
        .and(b.lanes(axis))
        .and(out.lanes_mut(axis))
        .for_each(|al, bl, ol| binary_row(al, bl, ol, &mut f));
}

fn binary_row<T: Element>(
    a: ArrayView1<'_, T>,
    b: ArrayView1<'_, T>,
    mut out: ArrayViewMut1<'_, T>,
    f: &mut impl FnMut(&[T], &[T], &mut [T]),
) {
    if let (Some(s), Some(t), Some(o)) = (a.as_slice(), b.as_slice(), out.as_slice_mut()) {
        return f(s, t, o);
    }
    let n = a.len();
    let (mut ba, mut bb, mut bo) = (
        [zero::<T>(); GATHER],
        [zero::<T>(); GATHER],
        [zero::<T>(); GATHER],
    );
    let mut at = 0;
    while at < n {
        let m = GATHER.min(n - at);
        let piece = ndarray::s![at..at + m];
        for (d, v) in ba.iter_mut().zip(a.slice(piece)) {
            *d = *v;
        }
        for (d, v) in bb.iter_mut().zip(b.slice(piece)) {
            *d = *v;
        }
        let mut op = out.slice_mut(piece);
        match op.as_slice_mut() {
            Some(os) => f(&ba[..m], &bb[..m], os),
            None => {
                f(&ba[..m], &bb[..m], &mut bo[..m]);
                for (v, d) in op.iter_mut().zip(&bo[..m]) {
                    *v = *d;
                }
            }
        }
        at += m;
    }
}

/// `f(xy)` in place on pieces of `xy`.
pub(crate) fn inplace<T: Element, D: Dimension>(
    mut xy: ArrayViewMut<'_, T, D>,
    mut f: impl FnMut(&mut [T]),
) {
    if let Some(s) = xy.as_slice_memory_order_mut() {
        return f(s);
    }
    let axis = last(&xy.raw_dim());
    for mut row in xy.lanes_mut(axis) {
        if let Some(s) = row.as_slice_mut() {
            f(s);
            continue;
        }
        let n = row.len();
        let mut buf = [zero::<T>(); GATHER];
        let mut at = 0;
        while at < n {
            let m = GATHER.min(n - at);
            let mut piece = row.slice_mut(ndarray::s![at..at + m]);
            for (b, v) in buf.iter_mut().zip(piece.iter()) {
                *b = *v;
            }
            f(&mut buf[..m]);
            for (v, b) in piece.iter_mut().zip(&buf[..m]) {
                *v = *b;
            }
            at += m;
        }
    }
}

/// PReLU on arrays: `y = x > 0 ? x : w[c] * x` where `c` is the index along `channel_axis`
/// (one weight: every element). As [`prelu`](crate::prelu) on each channel, equal bit for bit
/// to a contiguous call with the matching layout, in any memory layout.
///
/// # Panics
/// If the shapes differ, if `channel_axis` is not an axis of `x`, if `weight.len()` is neither
/// 1 nor the length of that axis, or if a weight is NaN or infinite (before anything is
/// written, with [`prelu`](crate::prelu)'s message).
///
/// ```
/// use ndarray::{array, Array2, Axis};
/// let x = array![[-2.0f32, 3.0], [-2.0, -4.0]];     // channels along axis 0
/// let mut y = Array2::<f32>::zeros((2, 2));
/// simd_activations::prelu_array(x.view(), y.view_mut(), &[0.5, 0.25], Axis(0));
/// assert_eq!(y, array![[-1.0, 3.0], [-0.5, -1.0]]);
/// ```
pub fn prelu_array<T: Element, D: Dimension>(
    x: ArrayView<'_, T, D>,
    mut y: ArrayViewMut<'_, T, D>,
    weight: &[T],
    channel_axis: Axis,
) {
    assert_eq!(
        x.shape(),
        y.shape(),
        "simd_activations::prelu_array: x has shape {:?}, y {:?}",
        x.shape(),
        y.shape()
    );
    // `prelu`'s own checks of the weights (non-empty, finite), before anything is written.
    crate::prelu::<T>(&[], &mut [], weight, 1);
    if weight.len() == 1 {
        return unary(x, y, |xs, ys| crate::prelu(xs, ys, weight, 1));
    }
    assert!(
        channel_axis.index() < x.ndim() && x.len_of(channel_axis) == weight.len(),
        "simd_activations::prelu_array: {} weights for channel axis {} of shape {:?}",
        weight.len(),
        channel_axis.index(),
        x.shape()
    );
    for (c, w) in weight.iter().enumerate() {
        let xc = x.slice_axis(channel_axis, Slice::from(c..c + 1));
        let yc = y.slice_axis_mut(channel_axis, Slice::from(c..c + 1));
        unary(xc, yc, |xs, ys| {
            crate::prelu(xs, ys, core::slice::from_ref(w), 1)
        });
    }
}
