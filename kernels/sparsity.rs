//! Sparsity statistics fused into the forward pass (dying ReLU): ReLU that also counts its
//! exact-zero outputs, leaky ReLU and PReLU that count the inputs on their negative side, and
//! the dead units of a `[batch, units]` pre-activation (units `<= 0` in every row). Counts
//! are kept in float lanes (exact: at most 2^20 per lane before they are summed into a
//! `usize`) and equal a scalar count exactly, on every ISA.

use crate::api::isa_fn;
use crate::checks;
use crate::dispatch::{dispatch, WithSimd};
use crate::driver::{checked, should_stream, Kernel};
use crate::kernels::leaky_relu::LeakyRelu;
use crate::kernels::prelu::{check_layout, check_weights};
use crate::kernels::relu::Relu;
use crate::simd::{Simd, Vector};
use crate::Float;

/// The scalar specification.
pub mod reference {
    use crate::Float;

    /// How many of `x` are `<= 0` (NaN is not): the zeros of `relu(x)`, and the inputs on the
    /// negative side of leaky ReLU and PReLU.
    pub fn count_nonpositive<T: Float>(x: &[T]) -> usize {
        x.iter().filter(|&&v| v <= T::ZERO).count()
    }
    /// `dead[u]` = every `x[b * units + u] <= 0` (NaN is not); the count of dead units.
    pub fn dead_units<T: Float>(x: &[T], units: usize, dead: &mut [bool]) -> usize {
        for (u, d) in dead.iter_mut().enumerate() {
            *d = x.iter().skip(u).step_by(units).all(|&v| v <= T::ZERO);
        }
        dead.iter().filter(|&&d| d).count()
    }
}

/// Elements per partial count: each of a vector's lanes counts at most this many, exactly in
/// f32 (< 2^24).
const COUNT_CHUNK: usize = 1 << 20;

/// `out = kernel(inputs)` (the NaN rule applied), and how many `inputs[0]` lanes are `<= 0`.
/// From `STREAM_MIN_BYTES` of output on, the stores bypass the cache (as the element-wise
/// driver's), after a head that aligns the output.
///
/// # Safety
/// Each `inputs[k]` valid for reads of `len` elements, `out` for writes of `len`; `out` may
/// equal `inputs[0]` but must not otherwise overlap an input.
#[inline(always)]
unsafe fn map_count<V: Vector, K: Kernel<V::Elem, N>, const N: usize>(
    kernel: K,
    inputs: [*const V::Elem; N],
    out: *mut V::Elem,
    len: usize,
) -> usize {
    let lanes = V::LANES;
    let stream = lanes > 1 && should_stream::<V::Elem>(len) && !core::ptr::eq(inputs[0], out);
    let mut head = 0;
    if stream {
        let align = lanes * core::mem::size_of::<V::Elem>();
        let misalign = (out as usize) % align;
        if misalign != 0 {
            head = ((align - misalign) / core::mem::size_of::<V::Elem>()).min(len);
        }
    }
    // SAFETY: the head and the rest are within the caller's `len` elements.
    let mut count = unsafe { count_run::<V, K, N>(kernel, inputs, out, 0, head, false) };
    let mut start = head;
    while start < len {
        let end = (start + COUNT_CHUNK).min(len);
        // SAFETY: as above; with `stream`, `out + start` is aligned (the head's end, then
        // multiples of COUNT_CHUNK, a multiple of every LANES).
        count += unsafe { count_run::<V, K, N>(kernel, inputs, out, start, end, stream) };
        start = end;
    }
    if stream {
        V::stream_fence();
    }
    count
}

/// [`map_count`] on elements `start .. end` (at most `COUNT_CHUNK`: the float counts stay
/// exact), with streaming stores for the full vectors if `stream` (`out + start` aligned).
///
/// # Safety
/// As [`map_count`] for those elements.
#[inline(always)]
unsafe fn count_run<V: Vector, K: Kernel<V::Elem, N>, const N: usize>(
    kernel: K,
    inputs: [*const V::Elem; N],
    out: *mut V::Elem,
    start: usize,
    end: usize,
    stream: bool,
) -> usize {
    let (lanes, one) = (V::LANES, V::splat(V::Elem::ONE));
    let store = |r: V, at: usize| {
        // SAFETY: `at + LANES <= end`; aligned where streamed (see the caller).
        unsafe {
            if stream {
                r.store_stream(out.add(at))
            } else {
                r.store(out.add(at))
            }
        }
    };
    let mut count = 0usize;
    let mut c = [V::zero(); 4];
    let mut i = start;
    // SAFETY (the loads): offsets below `end`.
    while i + 4 * lanes <= end {
        for (u, cu) in c.iter_mut().enumerate() {
            let at = i + u * lanes;
            let v = inputs.map(|p| unsafe { V::load(p.add(at)) });
            store(checked(kernel, v, kernel.apply(v)), at);
            *cu = cu.add(V::select(v[0].le(V::zero()), one, V::zero()));
        }
        i += 4 * lanes;
    }
    while i + lanes <= end {
        let v = inputs.map(|p| unsafe { V::load(p.add(i)) });
        store(checked(kernel, v, kernel.apply(v)), i);
        c[0] = c[0].add(V::select(v[0].le(V::zero()), one, V::zero()));
        i += lanes;
    }
    if i < end {
        let n = end - i;
        let mut loaded = [V::zero(); N];
        for (v, p) in loaded.iter_mut().zip(inputs) {
            *v = unsafe { V::load_partial(p.add(i), n) };
        }
        // The lanes past `n` hold zeros: the tail is counted element by element.
        unsafe { checked(kernel, loaded, kernel.apply(loaded)).store_partial(out.add(i), n) };
        for k in 0..n {
            if unsafe { *inputs[0].add(i + k) } <= V::Elem::ZERO {
                count += 1;
            }
        }
    }
    let total = c[0].add(c[1]).add(c[2].add(c[3]));
    count + total.reduce_sum().to_f64() as usize
}

/// `y = kernel(x)` and the count of `x <= 0`, as a dispatchable operation (`y` may be `x`).
struct CountUnary<T, K> {
    kernel: K,
    x: *const T,
    y: *mut T,
    len: usize,
}

impl<T: Float, K: Kernel<T, 1>> WithSimd for CountUnary<T, K> {
    type Output = usize;
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) -> usize {
        // SAFETY: the callers pass pointers of live slices of `len` elements (`y` distinct
        // from `x`, or equal to it in place).
        unsafe { map_count::<T::Vector<S>, K, 1>(self.kernel, [self.x], self.y, self.len) }
    }
}

/// PReLU's channels-last rows: `x > 0 ? x : w * x` with the weight row as the second input.
#[derive(Clone, Copy)]
struct PreluRow;
impl<T: Float> Kernel<T, 2> for PreluRow {
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x, w]: [V; 2]) -> V {
        V::select(x.gt(V::zero()), x, x.mul(w))
    }
}

/// PReLU forward with the count, run by run (as `prelu`'s own layout).
struct CountPrelu<'a, T> {
    x: &'a [T],
    y: &'a mut [T],
    weight: &'a [T],
    inner: usize,
}

impl<T: Float> WithSimd for CountPrelu<'_, T> {
    type Output = usize;
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) -> usize {
        let layout = check_layout("prelu_count_negative", self.x.len(), self.weight.len(), self.inner);
        debug_assert_eq!(self.x.len(), self.y.len());
        let (x, y) = (self.x.as_ptr(), self.y.as_mut_ptr());
        let mut count = 0;
        for (start, n, channel) in layout.runs() {
            // SAFETY: every run lies inside `x` and `y` (distinct slices of the same length);
            // the weight row of a channels-last run has `n` = weight.len() elements.
            count += unsafe {
                match channel {
                    Some(c) => {
                        let k = LeakyRelu { slope: self.weight[c] };
                        map_count::<T::Vector<S>, _, 1>(k, [x.add(start)], y.add(start), n)
                    }
                    None => map_count::<T::Vector<S>, _, 2>(PreluRow, [x.add(start), self.weight.as_ptr()], y.add(start), n),
                }
            };
        }
        count
    }
}

/// Column maxima of `[batch, units]` (NaN sticks), for [`dead_units`].
struct ColumnMax<'a, T> {
    x: &'a [T],
    max: &'a mut [T],
}

impl<T: Float> WithSimd for ColumnMax<'_, T> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        let units = self.max.len();
        let lanes = <T::Vector<S> as Vector>::LANES;
        let m = self.max.as_mut_ptr();
        for row in self.x.chunks_exact(units) {
            let mut u = 0;
            // SAFETY: offsets below `units`, in `row` and in `max`.
            while u + lanes <= units {
                unsafe {
                    let v = T::Vector::<S>::load(row.as_ptr().add(u));
                    let acc = T::Vector::<S>::load(m.add(u));
                    T::Vector::<S>::select(v.is_nan(), v, acc.clamp_min(v)).store(m.add(u));
                }
                u += lanes;
            }
            for (acc, &v) in self.max[u..].iter_mut().zip(&row[u..]) {
                if v.is_nan() || *acc < v {
                    *acc = v;
                }
            }
        }
    }
}

isa_fn! {
    /// ReLU, out of place, that also returns how many outputs are exactly zero (`x <= 0`,
    /// `-0.0` included; NaN is not), counted in the same pass: the sparsity of the layer and
    /// the dying-ReLU statistic. `y` equals [`relu`](crate::relu)'s bit for bit; the count
    /// equals a scalar count exactly, on every ISA.
    ///
    /// # Panics
    /// If `x.len() != y.len()`.
    ///
    /// ```
    /// let mut y = [9.0f32; 5];
    /// let zeros = simd_activations::relu_count_zeros(&[-1.0, 2.0, 0.0, -0.0, f32::NAN], &mut y);
    /// assert_eq!(zeros, 3);
    /// assert_eq!(y[..4], [0.0, 2.0, 0.0, 0.0]);
    /// ```
    pub fn relu_count_zeros / relu_count_zeros_on(isa)(x: &[T], y: &mut [T]) -> usize {
        checks::same_len("relu_count_zeros", &[("x", x.len()), ("y", y.len())]);
        dispatch("relu_count_zeros", isa, CountUnary { kernel: Relu, x: x.as_ptr(), y: y.as_mut_ptr(), len: x.len() })
    }
}

isa_fn! {
    /// Leaky ReLU, out of place, that also returns how many inputs are on the negative side
    /// (`x <= 0`, the ones scaled by `slope`; NaN is not), counted in the same pass. `y` equals
    /// [`leaky_relu`](crate::leaky_relu)'s bit for bit; the count equals a scalar count.
    ///
    /// # Panics
    /// As [`leaky_relu`](crate::leaky_relu).
    ///
    /// ```
    /// let mut y = [0.0f32; 3];
    /// let negative = simd_activations::leaky_relu_count_negative(&[-4.0, 1.0, 0.0], &mut y, 0.25);
    /// assert_eq!((negative, y), (2, [-1.0, 1.0, 0.0]));
    /// ```
    pub fn leaky_relu_count_negative / leaky_relu_count_negative_on(isa)(x: &[T], y: &mut [T], slope: T) -> usize {
        let func = "leaky_relu_count_negative";
        checks::same_len(func, &[("x", x.len()), ("y", y.len())]);
        checks::finite(func, "slope", slope, "a NaN or infinite slope makes leaky_relu(0) NaN");
        dispatch(func, isa, CountUnary { kernel: LeakyRelu { slope }, x: x.as_ptr(), y: y.as_mut_ptr(), len: x.len() })
    }
}

isa_fn! {
    /// PReLU, out of place (layout as [`prelu`](crate::prelu): one weight, or per channel with
    /// `inner` elements per channel run, `inner = 1` for channels-last), that also returns how
    /// many inputs are on the negative side (`x <= 0`; NaN is not), counted in the same pass.
    /// `y` equals [`prelu`](crate::prelu)'s bit for bit; the count equals a scalar count.
    ///
    /// # Panics
    /// As [`prelu`](crate::prelu).
    ///
    /// ```
    /// let mut y = [0.0f32; 4];
    /// // Two channels, NCHW with two elements per channel.
    /// let n = simd_activations::prelu_count_negative(&[-2.0, 1.0, -2.0, -1.0], &mut y, &[0.5, 0.25], 2);
    /// assert_eq!((n, y), (3, [-1.0, 1.0, -0.5, -0.25]));
    /// ```
    pub fn prelu_count_negative / prelu_count_negative_on(isa)(x: &[T], y: &mut [T], weight: &[T], inner: usize) -> usize {
        let func = "prelu_count_negative";
        checks::same_len(func, &[("x", x.len()), ("y", y.len())]);
        check_layout(func, x.len(), weight.len(), inner);
        check_weights(func, weight);
        dispatch(func, isa, CountPrelu { x, y, weight, inner })
    }
}

isa_fn! {
    /// Dead units of a layer: over a batch laid out `[batch, units]` (row-major,
    /// `x.len() = batch * units`), `dead[u]` is set where `x[b, u] <= 0` for every row `b`
    /// (the unit's ReLU output, and gradient, was 0 for the whole batch; NaN is not `<= 0`),
    /// and the number of dead units is returned. Pass the pre-activations (for leaky ReLU and
    /// PReLU: the units that stayed on the negative side). One SIMD pass over `x` (column
    /// maxima in a buffer of `units` elements), equal to a scalar count exactly. An empty
    /// batch leaves every unit dead (none was ever positive).
    ///
    /// # Panics
    /// If `dead.len() != units`, or unless `units > 0` divides `x.len()`.
    ///
    /// ```
    /// let x = [-1.0f32, 2.0, 0.0, //
    ///          -3.0, -1.0, 0.0];
    /// let mut dead = [false; 3];
    /// assert_eq!(simd_activations::dead_units(&x, 3, &mut dead), 2);
    /// assert_eq!(dead, [true, false, true]);
    /// ```
    pub fn dead_units / dead_units_on(isa)(x: &[T], units: usize, dead: &mut [bool]) -> usize {
        checks::row_len("dead_units", x.len(), units);
        if dead.len() != units {
            panic!("simd_activations::dead_units: dead.len() = {} must equal units = {units}", dead.len());
        }
        let mut max = alloc::vec![T::from_f64(f64::NEG_INFINITY); units];
        dispatch("dead_units", isa, ColumnMax { x, max: &mut max });
        for (d, m) in dead.iter_mut().zip(&max) {
            *d = *m <= T::ZERO;
        }
        dead.iter().filter(|&&d| d).count()
    }
}
