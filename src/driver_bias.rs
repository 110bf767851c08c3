//! The loops of the fused bias + activation forms: `y = f(x + bias[c])` and its gradient with
//! the bias gradient, in one pass over the data. Any activation's kernel is wrapped so that
//! it sees `x + bias` (rounded once, as the unfused `x + bias` then `f` would compute it), run
//! by the ordinary driver over each row (channels last: the bias vector is a second input) or
//! each run of a channel (channels first: the bias one splatted value).

use crate::channel_layout::Layout;
use crate::dispatch::WithSimd;
use crate::driver::{fix_nans, map_on, Kernel, STREAM_MIN_RUN};
use crate::math::dot::{dot_pair, lane, One};
use crate::math::two_sum;
use crate::simd::{Simd, Vector};
use crate::Float;

/// `kernel(x + b)` with the bias `b` as a second input (a channels-last row).
///
/// NaN rule: a NaN result takes the first NaN of `x` and `b` (quieted), else the default NaN:
/// the sum's own NaN would depend on the ISA (which operand an addition of two NaNs keeps).
#[derive(Clone, Copy)]
struct RowBias<K>(K);

impl<T: Float, K: Kernel<T, 1>> Kernel<T, 2> for RowBias<K> {
    const LOCKSTEP: bool = K::LOCKSTEP;
    const MEMORY_BOUND: bool = K::MEMORY_BOUND;

    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x, b]: [V; 2]) -> V {
        self.0.apply([x.add(b)])
    }

    #[inline(always)]
    fn fix<V: Vector<Elem = T>>(self, [x, b]: [V; 2], r: V) -> V {
        fix_nans([x, b], self.0.fix([x.add(b)], r))
    }
}

/// `kernel(x + bias)` with one bias for the whole run (a channel of channels-first data).
#[derive(Clone, Copy)]
struct RunBias<K, T> {
    kernel: K,
    bias: T,
}

impl<T: Float, K: Kernel<T, 1>> Kernel<T, 1> for RunBias<K, T> {
    const LOCKSTEP: bool = K::LOCKSTEP;
    const MEMORY_BOUND: bool = K::MEMORY_BOUND;

    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x]: [V; 1]) -> V {
        self.kernel.apply([x.add(V::splat(self.bias))])
    }

    #[inline(always)]
    fn fix<V: Vector<Elem = T>>(self, [x]: [V; 1], r: V) -> V {
        let b = V::splat(self.bias);
        fix_nans([x, b], self.kernel.fix([x.add(b)], r))
    }
}

/// The gradient `kernel(x + b, dy)` with the bias `b` as the second input; NaN rule over
/// `x`, `b`, `dy` in that order.
#[derive(Clone, Copy)]
struct RowBiasGrad<K>(K);

impl<T: Float, K: Kernel<T, 2>> Kernel<T, 3> for RowBiasGrad<K> {
    const LOCKSTEP: bool = K::LOCKSTEP;

    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x, b, dy]: [V; 3]) -> V {
        self.0.apply([x.add(b), dy])
    }

    #[inline(always)]
    fn fix<V: Vector<Elem = T>>(self, [x, b, dy]: [V; 3], r: V) -> V {
        fix_nans([x, b, dy], self.0.fix([x.add(b), dy], r))
    }
}

/// The gradient `kernel(x + bias, dy)` with one bias for the run.
#[derive(Clone, Copy)]
struct RunBiasGrad<K, T> {
    kernel: K,
    bias: T,
}

impl<T: Float, K: Kernel<T, 2>> Kernel<T, 2> for RunBiasGrad<K, T> {
    const LOCKSTEP: bool = K::LOCKSTEP;

    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [x, dy]: [V; 2]) -> V {
        self.kernel.apply([x.add(V::splat(self.bias)), dy])
    }

    #[inline(always)]
    fn fix<V: Vector<Elem = T>>(self, [x, dy]: [V; 2], r: V) -> V {
        let b = V::splat(self.bias);
        fix_nans([x, b, dy], self.kernel.fix([x.add(b), dy], r))
    }
}

/// Runs (channels-last rows, channels-first channel runs) shorter than this are grouped into
/// chunks of about [`CHUNK`] elements, with the bias of each element in a buffer: the driver's
/// unrolled, lockstep body needs `UNROLL` vectors per call, and short runs alone would leave
/// the transcendental kernels on its single-vector loop.
const SHORT_RUN: usize = 256;

/// Elements per chunk of grouped short runs (whole runs; the buffer of their biases, 4-8 KiB,
/// stays in the first-level cache beside the chunk). Measured with 64 channels last, 8K f32
/// on AVX-512 (Intel Xeon), fused over the activation alone, same run: chunks of 4096
/// elements, sigmoid 1.15-1.16x, elu 1.32-1.37x, relu 1.41-1.44x; of 1024, 1.08x, 1.18x,
/// 1.12x; of 512, 1.07x, 1.18x, 1.08x. Grouped chunks are not streamed (each streamed call
/// ends with a store fence, see `STREAM_MIN_RUN`).
const CHUNK: usize = 1024;

/// How short runs are grouped: `runs` runs of `run_len` elements per chunk; `repeating` when
/// every chunk starts at the same phase of the bias pattern (the buffer is filled once).
#[derive(Clone, Copy)]
struct Grouping {
    run_len: usize,
    runs: usize,
    repeating: bool,
}

impl Grouping {
    /// The grouping of `layout`, or `None` where its runs are long enough (or it has one
    /// run: one bias for everything).
    fn of(layout: Layout) -> Option<Self> {
        let (_, channels, inner) = layout.parts();
        let run_len = if inner == 1 { channels } else { inner };
        if channels == 1 || run_len >= SHORT_RUN {
            return None;
        }
        // The pattern repeats every row (channels last) or every `channels` runs.
        let period_runs = if inner == 1 { 1 } else { channels };
        let period = period_runs * run_len;
        Some(if period <= CHUNK {
            Grouping {
                run_len,
                runs: CHUNK / period * period_runs,
                repeating: true,
            }
        } else {
            Grouping {
                run_len,
                runs: CHUNK / run_len,
                repeating: false,
            }
        })
    }

    /// Writes the bias of each element of the `k` runs from run `first` into `buf`.
    fn fill<T: Float>(
        self,
        buf: &mut [T; CHUNK],
        bias: &[T],
        inner: usize,
        first: usize,
        k: usize,
    ) {
        for (j, seg) in buf.chunks_exact_mut(self.run_len).take(k).enumerate() {
            if inner == 1 {
                seg.copy_from_slice(bias);
            } else {
                seg.fill(bias[(first + j) % bias.len()]);
            }
        }
    }
}

/// The chunks of a grouped layout: `(start, count, first run, runs)`.
fn chunks(len: usize, g: Grouping) -> impl Iterator<Item = (usize, usize, usize, usize)> {
    let per = g.runs * g.run_len;
    (0..len.div_ceil(per)).map(move |c| {
        let start = c * per;
        let count = per.min(len - start);
        (start, count, c * g.runs, count / g.run_len)
    })
}

/// `y = kernel(x + bias[channel])` over a checked `layout`, as a dispatchable operation. `x`
/// and `y` are equal (in place) or distinct, each valid for the layout's length.
pub(crate) struct BiasForward<'a, T, K> {
    pub kernel: K,
    pub x: *const T,
    pub y: *mut T,
    pub bias: &'a [T],
    pub layout: Layout,
    /// Streaming stores for the runs that are long enough (see `STREAM_MIN_RUN`).
    pub stream: bool,
}

impl<T: Float, K: Kernel<T, 1>> WithSimd for BiasForward<'_, T, K> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        let BiasForward {
            kernel,
            x,
            y,
            bias,
            layout,
            stream,
        } = self;
        let buffers = if x == y.cast_const() { 1 } else { 2 };
        let (len, _, inner) = layout.parts();
        if let Some(g) = Grouping::of(layout) {
            let mut buf = [T::ZERO; CHUNK];
            for (start, count, first, k) in chunks(len, g) {
                if !g.repeating || start == 0 {
                    g.fill(&mut buf, bias, inner, first, k);
                }
                let stream = stream && count >= STREAM_MIN_RUN;
                // SAFETY: chunks lie inside the layout's length, where `x` and `y` are valid
                // (equal or distinct); `buf` holds the chunk's biases; `S` was detected.
                unsafe {
                    let inputs = [x.add(start), buf.as_ptr()];
                    map_on::<S, T, _, 2>(
                        RowBias(kernel),
                        inputs,
                        y.add(start),
                        count,
                        stream,
                        buffers + 1,
                    )
                }
            }
            return;
        }
        for (start, count, channel) in layout.runs() {
            let stream = stream && count >= STREAM_MIN_RUN;
            // SAFETY: runs lie inside the layout's length, where `x` and `y` are valid (equal
            // or distinct, see the callers); a channels-last row has `bias.len()` elements;
            // `S` was detected by `dispatch`.
            unsafe {
                let (xs, ys) = (x.add(start), y.add(start));
                match channel {
                    None => {
                        let inputs = [xs, bias.as_ptr()];
                        map_on::<S, T, _, 2>(
                            RowBias(kernel),
                            inputs,
                            ys,
                            count,
                            stream,
                            buffers + 1,
                        )
                    }
                    Some(c) => {
                        let k = RunBias {
                            kernel,
                            bias: bias[c],
                        };
                        map_on::<S, T, _, 1>(k, [xs], ys, count, stream, buffers)
                    }
                }
            }
        }
    }
}

/// `dx = kernel(x + bias[channel], dy)` and `dbias[c]` = the sum of `dx` over channel `c`,
/// over a checked `layout`, as a dispatchable operation. `dx` is distinct from `x` and `dy`,
/// or equal to `dy` (in place); each is valid for the layout's length.
pub(crate) struct BiasBackward<'a, T, K> {
    pub kernel: K,
    pub x: *const T,
    pub dy: *const T,
    pub dx: *mut T,
    pub bias: &'a [T],
    pub layout: Layout,
    pub dbias: &'a mut [T],
}

impl<T: Float, K: Kernel<T, 2>> WithSimd for BiasBackward<'_, T, K> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        let BiasBackward {
            kernel,
            x,
            dy,
            dx,
            bias,
            layout,
            dbias,
        } = self;
        let (len, channels, inner) = layout.parts();
        // Each channel's sum as `hi + lo` (2Sum), rounded once at the end.
        let mut sums = Sums {
            hi: dbias,
            lo: alloc::vec![T::ZERO; channels],
        };
        sums.hi.iter_mut().for_each(|d| *d = T::ZERO);
        if let Some(g) = Grouping::of(layout) {
            let mut buf = [T::ZERO; CHUNK];
            for (start, count, first, k) in chunks(len, g) {
                if !g.repeating || start == 0 {
                    g.fill(&mut buf, bias, inner, first, k);
                }
                // SAFETY: chunks lie inside the layout's length, where `x`, `dy` (reads) and
                // `dx` (writes; distinct from `x`, equal to `dy` only in place, which the
                // element-wise driver allows) are valid; `buf` holds the chunk's biases.
                unsafe {
                    let inputs = [x.add(start), buf.as_ptr(), dy.add(start)];
                    map_on::<S, T, _, 3>(
                        RowBiasGrad(kernel),
                        inputs,
                        dx.add(start),
                        count,
                        false,
                        4,
                    );
                    for j in 0..k {
                        let channel = (inner > 1).then(|| (first + j) % channels);
                        let run = dx.add(start + j * g.run_len);
                        sums.add::<T::Vector<S>>(run, g.run_len, channel);
                    }
                }
            }
        } else {
            for (start, count, channel) in layout.runs() {
                // SAFETY: as above, for the runs; a channels-last row has `bias.len() ==
                // dbias.len()` elements; `S` was detected by `dispatch`.
                unsafe {
                    let (xs, dys, dxs) = (x.add(start), dy.add(start), dx.add(start));
                    match channel {
                        None => {
                            let inputs = [xs, bias.as_ptr(), dys];
                            map_on::<S, T, _, 3>(RowBiasGrad(kernel), inputs, dxs, count, false, 4)
                        }
                        Some(c) => {
                            let k = RunBiasGrad {
                                kernel,
                                bias: bias[c],
                            };
                            map_on::<S, T, _, 2>(k, [xs, dys], dxs, count, false, 3)
                        }
                    }
                    sums.add::<T::Vector<S>>(dxs, count, channel);
                }
            }
        }
        let Sums { hi, lo } = sums;
        for (d, l) in hi.iter_mut().zip(&lo) {
            *d = finish_sum(*d, *l);
        }
    }
}

/// The bias gradient's sums, `hi[c] + lo[c]` per channel.
struct Sums<'a, T> {
    hi: &'a mut [T],
    lo: alloc::vec::Vec<T>,
}

impl<T: Float> Sums<'_, T> {
    /// Adds a run of `dx` just written (read back from the cache): a channels-last row
    /// (`channel` = `None`, element `j` to channel `j`, `n` = the channels) or a run of one
    /// channel.
    ///
    /// # Safety
    /// `dx` valid for `n` reads; a row has `n == hi.len()` elements; `channel < hi.len()`.
    #[inline(always)]
    unsafe fn add<V: Vector<Elem = T>>(&mut self, dx: *const T, n: usize, channel: Option<usize>) {
        // SAFETY: forwarded from the caller.
        unsafe {
            match channel {
                None => add_row::<V>(dx, self.hi.as_mut_ptr(), self.lo.as_mut_ptr(), n),
                Some(c) => {
                    let (h, l) = dot_pair::<V>(dx, None, n);
                    let (s, e) = two_sum(One::<T>::splat(self.hi[c]), One::<T>::splat(h));
                    self.hi[c] = lane(s);
                    self.lo[c] = self.lo[c] + (lane(e) + l);
                }
            }
        }
    }
}

/// A compensated sum `hi + lo` rounded once. `hi` is the plain sum of the same terms: where it
/// is infinite (an overflow, or an infinite term) it is the result (`lo` is NaN then); a NaN
/// sum is the default quiet NaN, whatever NaN the terms held (which NaN an addition of two
/// keeps differs between ISAs).
#[inline(always)]
fn finish_sum<T: Float>(hi: T, lo: T) -> T {
    if hi.is_nan() {
        T::NAN
    } else if hi.to_f64().is_finite() {
        hi + lo
    } else {
        hi
    }
}

/// Adds the row `dx[0..n]` into the sums `(hi[j], lo[j])` by 2Sum (element `j` to channel
/// `j`; every lane's sum runs over the rows in order, so it is the same on every ISA).
///
/// # Safety
/// `dx` valid for `n` reads, `hi` and `lo` for `n` reads and writes, not overlapping.
#[inline(always)]
unsafe fn add_row<V: Vector>(dx: *const V::Elem, hi: *mut V::Elem, lo: *mut V::Elem, n: usize) {
    let l = V::LANES;
    let mut j = 0;
    // SAFETY: full vectors while `j + l <= n`, then one partial vector of `n - j < l`.
    unsafe {
        while j + l <= n {
            let (s, e) = two_sum(V::load(hi.add(j)), V::load(dx.add(j)));
            s.store(hi.add(j));
            V::load(lo.add(j)).add(e).store(lo.add(j));
            j += l;
        }
        if j < n {
            let m = n - j;
            let (s, e) = two_sum(V::load_partial(hi.add(j), m), V::load_partial(dx.add(j), m));
            s.store_partial(hi.add(j), m);
            V::load_partial(lo.add(j), m)
                .add(e)
                .store_partial(lo.add(j), m);
        }
    }
}
