//! PReLU: leaky ReLU with a learned slope per channel, `y = x > 0 ? x : w[c] * x`, where
//! element `i` belongs to channel `c = (i / inner) % weight.len()` (`inner = 1` for
//! channels-last data, `inner = H * W` for NCHW; one shared weight when `weight.len() == 1`).

use crate::api::isa_fn;
use crate::checks;
use crate::dispatch::{dispatch, WithSimd};
use crate::channel_layout::Layout;
use crate::driver::{map, nan_rule, should_stream, Kernel, STREAM_MIN_RUN};
use crate::kernels::relu::pass_nan;
use crate::simd::{Simd, Vector};
use crate::Float;

/// The scalar specification.
pub mod reference {
    use crate::float::nan_rule;
    use crate::Float;

    /// `x > 0 ? x : w * x`.
    pub fn prelu<T: Float>(x: T, w: T) -> T {
        nan_rule([x], || {
            if x > T::ZERO {
                x
            } else {
                w * x
            }
        })
    }

    /// `(dx, dw)` of one element: `dx = x > 0 ? dy : w * dy` (NaN when `x` is NaN) and the
    /// element's share of the weight gradient, `x > 0 ? 0 : x * dy`.
    pub fn prelu_backward<T: Float>(x: T, dy: T, w: T) -> (T, T) {
        let dx = nan_rule([x, dy], || {
            if x.is_nan() {
                x
            } else if x > T::ZERO {
                dy
            } else {
                w * dy
            }
        });
        let dw = if x > T::ZERO { T::ZERO } else { x * dy };
        (dx, dw)
    }
}

/// `[x, w] -> x > 0 ? x : w * x` (`w` a splat or a channels-last row of weights).
#[derive(Clone, Copy)]
struct Prelu;

impl<T: Float> Kernel<T, 2> for Prelu {
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x, w]: [V; 2]) -> V {
        V::select(x.gt(V::zero()), x, x.mul(w))
    }
}

/// `[x] -> x > 0 ? x : w * x` with one weight.
#[derive(Clone, Copy)]
struct PreluShared<T>(T);

impl<T: Float> Kernel<T, 1> for PreluShared<T> {
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x]: [V; 1]) -> V {
        Kernel::apply(Prelu, [x, V::splat(self.0)])
    }
}

struct Forward<'a, T> {
    x: *const T,
    y: *mut T,
    layout: Layout,
    weight: &'a [T],
    stream: bool,
}

impl<T: Float> WithSimd for Forward<'_, T> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        let Forward { x, y, layout, weight, stream } = self;
        for (start, count, channel) in layout.runs() {
            // SAFETY: runs lie inside `0..len`, where `x` and `y` are valid (they are equal or
            // distinct slices, see the callers); a channels-last row has `channels` elements,
            // the length of `weight`.
            unsafe {
                let (xs, ys) = (x.add(start), y.add(start));
                let stream = stream && count >= STREAM_MIN_RUN;
                match channel {
                    None => map::<T::Vector<S>, _, 2>(Prelu, [xs, weight.as_ptr()], ys, count, stream),
                    Some(c) => map::<T::Vector<S>, _, 1>(PreluShared(weight[c]), [xs], ys, count, stream),
                }
            }
        }
    }
}

struct Backward<'a, T> {
    x: &'a [T],
    dy: &'a [T],
    dx: &'a mut [T],
    weight: &'a [T],
    layout: Layout,
    dweight: &'a mut [T],
}

impl<T: Float> WithSimd for Backward<'_, T> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        let Backward { x, dy, dx, weight, layout, dweight } = self;
        dweight.iter_mut().for_each(|d| *d = T::ZERO);
        let (x, dy, dx) = (x.as_ptr(), dy.as_ptr(), dx.as_mut_ptr());
        for (start, count, channel) in layout.runs() {
            // SAFETY: runs lie inside `0..len`, where `x`, `dy` (reads) and `dx` (writes, a
            // distinct `&mut`) are valid; rows have `weight.len() == dweight.len()` elements.
            unsafe {
                let (x, dy, dx) = (x.add(start), dy.add(start), dx.add(start));
                match channel {
                    None => backward_row::<T::Vector<S>>(x, dy, dx, weight.as_ptr(), dweight.as_mut_ptr(), count),
                    Some(c) => {
                        dweight[c] = dweight[c] + backward_run::<T::Vector<S>>(x, dy, dx, weight[c], count)
                    }
                }
            }
        }
    }
}

/// `dx` and the weight-gradient share of one vector.
#[inline(always)]
fn backward_vector<V: Vector>(x: V, dy: V, w: V) -> (V, V) {
    let positive = x.gt(V::zero());
    let dx = nan_rule([x, dy], pass_nan(x, V::select(positive, dy, w.mul(dy))));
    (dx, V::select(positive, V::zero(), x.mul(dy)))
}

/// A run sharing the weight `w`: writes `dx`, returns the run's weight gradient.
///
/// # Safety
/// `x`, `dy` valid for `n` reads, `dx` for `n` writes, not overlapping them.
#[inline(always)]
unsafe fn backward_run<V: Vector>(
    x: *const V::Elem,
    dy: *const V::Elem,
    dx: *mut V::Elem,
    w: V::Elem,
    n: usize,
) -> V::Elem {
    let (w, l) = (V::splat(w), V::LANES);
    let mut acc = [V::zero(); 2];
    let mut i = 0;
    // SAFETY: full vectors while `i + l <= n`, then a partial one of `n - i < l` elements.
    unsafe {
        while i + 2 * l <= n {
            for (u, a) in acc.iter_mut().enumerate() {
                let at = i + u * l;
                let (d, g) = backward_vector(V::load(x.add(at)), V::load(dy.add(at)), w);
                d.store(dx.add(at));
                *a = a.add(g);
            }
            i += 2 * l;
        }
        while i < n {
            let m = (n - i).min(l);
            let (d, g) = if m == l {
                backward_vector(V::load(x.add(i)), V::load(dy.add(i)), w)
            } else {
                backward_vector(V::load_partial(x.add(i), m), V::load_partial(dy.add(i), m), w)
            };
            if m == l {
                d.store(dx.add(i));
            } else {
                d.store_partial(dx.add(i), m);
            }
            acc[0] = acc[0].add(g);
            i += m;
        }
    }
    acc[0].add(acc[1]).reduce_sum()
}

/// A channels-last row: element `j` uses `w[j]` and adds its share to `dw[j]`.
///
/// # Safety
/// `x`, `dy`, `w` valid for `n` reads; `dx`, `dw` for `n` writes; no overlaps between writes
/// and other arguments.
#[inline(always)]
unsafe fn backward_row<V: Vector>(
    x: *const V::Elem,
    dy: *const V::Elem,
    dx: *mut V::Elem,
    w: *const V::Elem,
    dw: *mut V::Elem,
    n: usize,
) {
    let l = V::LANES;
    let mut j = 0;
    // SAFETY: full vectors while `j + l <= n`, then a partial one of `n - j < l` elements.
    unsafe {
        while j < n {
            let m = (n - j).min(l);
            let (d, g) = backward_vector(load_upto(x.add(j), m), load_upto(dy.add(j), m), load_upto(w.add(j), m));
            let acc = load_upto::<V>(dw.add(j), m).add(g);
            if m == l {
                d.store(dx.add(j));
                acc.store(dw.add(j));
            } else {
                d.store_partial(dx.add(j), m);
                acc.store_partial(dw.add(j), m);
            }
            j += m;
        }
    }
}

/// `m <= LANES` elements (a full or a partial load).
///
/// # Safety
/// `p` valid for `m` reads.
#[inline(always)]
unsafe fn load_upto<V: Vector>(p: *const V::Elem, m: usize) -> V {
    // SAFETY: forwarded from the caller.
    unsafe {
        if m == V::LANES {
            V::load(p)
        } else {
            V::load_partial(p, m)
        }
    }
}

#[track_caller]
pub(crate) fn check_layout(func: &str, len: usize, weight_len: usize, inner: usize) -> Layout {
    if weight_len == 0 {
        panic!("simd_activations::{func}: weight is empty (need 1 shared or 1 per channel)");
    }
    if inner == 0 {
        panic!("simd_activations::{func}: inner = 0 (elements per channel run must be >= 1)");
    }
    if weight_len > 1 && weight_len.checked_mul(inner).is_none_or(|block| len % block != 0) {
        panic!(
            "simd_activations::{func}: weight.len() * inner = {weight_len} * {inner} does not \
             divide x.len() = {len}"
        );
    }
    Layout::new(len, weight_len, inner)
}

#[track_caller]
pub(crate) fn check_weights<T: Float>(func: &str, weight: &[T]) {
    checks::all_finite(func, "weight", weight, "a NaN or infinite weight makes prelu(0) NaN");
}

isa_fn! {
    /// PReLU, out of place: `y[i] = x[i] > 0 ? x[i] : w * x[i]` with
    /// `w = weight[(i / inner) % weight.len()]` (PyTorch's default is one weight of 0.25).
    ///
    /// Use `inner = 1` for channels-last data (`weight.len()` channels innermost) and
    /// `inner = H * W` for NCHW. NaN gives NaN; semantics as [`leaky_relu`](crate::leaky_relu).
    ///
    /// # Panics
    /// If `x.len() != y.len()`, if `weight` is empty, if `inner == 0`, if `weight.len() > 1`
    /// and `weight.len() * inner` does not divide `x.len()`, or if a weight is NaN or infinite
    /// (checked in one pass over `weight`).
    ///
    /// ```
    /// let mut y = [0.0f32; 4];
    /// // Channels-last (inner = 1), two channels with weights 0.5 and 0.25.
    /// simd_activations::prelu(&[-2.0, -2.0, 3.0, -4.0], &mut y, &[0.5, 0.25], 1);
    /// assert_eq!(y, [-1.0, -0.5, 3.0, -1.0]);
    /// ```
    pub fn prelu / prelu_on(isa) staged(x: &[T], y: &mut [T], weight: &[T], inner: usize) {
        checks::same_len("prelu", &[("x", x.len()), ("y", y.len())]);
        let layout = check_layout("prelu", x.len(), weight.len(), inner);
        check_weights("prelu", weight);
        let stream = should_stream::<T>(y.len());
        dispatch("prelu", isa, Forward { x: x.as_ptr(), y: y.as_mut_ptr(), layout, weight, stream })
    }
}

isa_fn! {
    /// PReLU in place; semantics and panics as [`prelu`].
    ///
    /// ```
    /// let mut xy = [-4.0f64, -4.0, -4.0, -4.0];
    /// // NCHW with 2 channels of H * W = 2 elements (inner = 2).
    /// simd_activations::prelu_inplace(&mut xy, &[0.5, 0.25], 2);
    /// assert_eq!(xy, [-2.0, -2.0, -1.0, -1.0]);
    /// ```
    pub fn prelu_inplace / prelu_inplace_on(isa) staged(xy: &mut [T], weight: &[T], inner: usize) {
        let layout = check_layout("prelu_inplace", xy.len(), weight.len(), inner);
        check_weights("prelu_inplace", weight);
        let p = xy.as_mut_ptr();
        dispatch("prelu_inplace", isa, Forward { x: p as *const T, y: p, layout, weight, stream: false })
    }
}

isa_fn! {
    /// PReLU gradients: `dx[i] = x[i] > 0 ? dy[i] : w * dy[i]` (`prelu'(0) = w`, NaN `x` gives
    /// NaN), and `dweight[c]` is overwritten with the sum over channel `c` of
    /// `x[i] > 0 ? 0 : x[i] * dy[i]` (as PyTorch).
    ///
    /// The sum is accumulated in `T`, in vector lanes: its rounding (and so its last bits)
    /// depends on the ISA, within the usual `n * eps * sum |x * dy|` bound.
    ///
    /// # Panics
    /// If `x`, `dy`, `dx` differ in length, if `dweight.len() != weight.len()`, on a bad
    /// layout as [`prelu`], or if a weight is NaN or infinite.
    ///
    /// ```
    /// let (x, dy) = ([-2.0f32, 3.0, -1.0], [1.0f32; 3]);
    /// let (mut dx, mut dweight) = ([0.0f32; 3], [9.0f32]); // dweight is overwritten
    /// simd_activations::prelu_backward(&x, &dy, &mut dx, &[0.25], 1, &mut dweight);
    /// assert_eq!(dx, [0.25, 1.0, 0.25]);
    /// assert_eq!(dweight, [-3.0]); // sum of x * dy where x <= 0
    /// ```
    pub fn prelu_backward / prelu_backward_on(isa) staged(x: &[T], dy: &[T], dx: &mut [T], weight: &[T], inner: usize, dweight: &mut [T]) {
        let func = "prelu_backward";
        checks::same_len(func, &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        checks::same_len(func, &[("weight", weight.len()), ("dweight", dweight.len())]);
        let layout = check_layout(func, x.len(), weight.len(), inner);
        check_weights(func, weight);
        dispatch(func, isa, Backward { x, dy, dx, weight, layout, dweight })
    }
}
