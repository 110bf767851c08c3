//! The loops shared by every element-wise kernel: unrolled body, masked tail, optional
//! non-temporal stores. A kernel only says what it does to one vector.

use crate::dispatch::WithSimd;
use crate::simd::{Lockstep, Simd, Vector, LOCKSTEP_WIDTH};
use crate::Float;

/// An element-wise kernel with `N` inputs (1 for a forward, 2 for a backward `(x, dy)`).
pub(crate) trait Kernel<T: Float, const N: usize>: Copy {
    /// The result for one vector of each input.
    fn apply<V: Vector<Elem = T>>(self, inputs: [V; N]) -> V;

    /// Whether the driver's unrolled body runs this kernel on `UNROLL` vectors in lockstep
    /// ([`Lockstep`]); else in pairs of single-vector calls. Lockstep pays for long
    /// dependency chains (the transcendental f32 bodies: 1.3-1.6x on AVX2) and costs compile
    /// time (the body is instantiated for the lockstep vector too), so only they ask for it.
    const LOCKSTEP: bool = false;

    /// Whether [`Kernel::apply`]'s results already follow the NaN rule on every ISA (a NaN
    /// input comes out as that NaN quieted, and no NaN comes from other inputs), so the
    /// driver skips its NaN test (an unordered compare and a branch per two vectors, which
    /// measured up to 25% of the in-cache time of a kernel of two operations).
    const NAN_SAFE: bool = false;
    /// Whether the kernel is so cheap that its speed beyond the first-level cache is that of
    /// the memory: then the driver runs it on [`Simd::Narrow`]'s vectors when the data it
    /// touches exceeds [`NARROW_MIN_BYTES`] (the results are the same bits: the kernels are
    /// exact selects and products, bit-identical on every ISA).
    ///
    /// [`Simd::Narrow`]: crate::simd::Simd::Narrow
    const MEMORY_BOUND: bool = false;
    /// Whether every result lane is one of that lane's inputs, a parameter, zero, or a NaN
    /// the NaN rule made (quiet): then each result is exact in any element type that holds
    /// the inputs and parameters, so the fused bf16/f16 path (`storage::fused`) stores it
    /// by truncating its f32 bits instead of rounding them (the same bits, fewer operations).
    #[cfg_attr(not(all(feature = "half", x86_simd)), allow(dead_code))] // read there only
    const SELECTS: bool = false;

    /// The rare path for a result `r` of [`Kernel::apply`] that holds NaN lanes: by default
    /// the NaN rule ([`fix_nans`]). A kernel may also return NaN for lanes it hands to a
    /// slower body (see [`Native`]): it replaces those here, then applies the rule.
    #[inline(always)]
    fn fix<V: Vector<Elem = T>>(self, inputs: [V; N], r: V) -> V {
        fix_nans(inputs, r)
    }
}

/// Vectors per loop iteration in the body, run in lockstep (measured on AVX2, Zen 3, 8K f32,
/// against 4: sigmoid, silu and softplus 12-18% faster, elu 5%, hardswish and tanh within
/// noise; against 8: elu 40% slower, from spills).
const UNROLL: usize = LOCKSTEP_WIDTH;
const _: () = assert!(
    UNROLL % 2 == 0,
    "the unrolled body runs kernels without lockstep in pairs"
);

/// Bytes touched (inputs and output) from which a [`Kernel::MEMORY_BOUND`] kernel runs on
/// [`Simd::Narrow`](crate::simd::Simd::Narrow)'s vectors: the first-level data cache of
/// recent Intel server cores. Measured (Intel Xeon, 48 KiB L1d, f32 out of place, AVX-512
/// against AVX2 vectors): 1K-4K elements, leaky_relu 0.031-0.037 against 0.042-0.051 ns per
/// element; 6K (48 KiB) 0.039 against 0.047; 7K (56 KiB) 0.079 against 0.079; relu at 8K
/// and 64K 0.085-0.088 against 0.080.
pub(crate) const NARROW_MIN_BYTES: usize = 48 << 10;

/// Output size in bytes from which out-of-place results are written with non-temporal stores:
/// at that size input plus output no longer fit in a typical last-level-cache share, so
/// bypassing the cache saves the read-for-ownership of every output line (measured: ~1.35x
/// over memcpy at 64 MiB; in cache, streaming is slower, hence the threshold).
pub(crate) const STREAM_MIN_BYTES: usize = 8 << 20;

/// Applies `kernel` to `len` elements: `out[i] = kernel(inputs[0][i], ..)`.
///
/// # Safety
/// Each `inputs[k]` must be valid for reads of `len` elements and `out` for writes of `len`
/// elements. `out` may equal an input pointer (in place) but must not otherwise overlap one.
#[inline(always)]
pub(crate) unsafe fn map<V, K, const N: usize>(
    kernel: K,
    inputs: [*const V::Elem; N],
    out: *mut V::Elem,
    len: usize,
    stream: bool,
) where
    V: Vector,
    K: Kernel<V::Elem, N>,
{
    let lanes = V::LANES;
    let mut i = 0;
    // SAFETY (whole body): every access below is at an offset `i + k < len` (full vectors are
    // only used while `i + lanes <= len`; the tail uses the partial forms with `len - i`), which
    // the caller guarantees valid.
    if stream && lanes > 1 {
        // Reach an output address aligned to the vector size with ordinary stores, then stream.
        let align = lanes * core::mem::size_of::<V::Elem>();
        let misalign = (out as usize) % align;
        let head = if misalign == 0 {
            0
        } else {
            ((align - misalign) / core::mem::size_of::<V::Elem>()).min(len)
        };
        if head > 0 {
            unsafe { map_partial::<V, K, N>(kernel, inputs, out, 0, head) };
            i = head;
        }
        while i + UNROLL * lanes <= len {
            unsafe { block::<V, K, N>(kernel, inputs, out, i, true) };
            i += UNROLL * lanes;
        }
        V::stream_fence();
    }
    if lanes > 1 {
        while i + UNROLL * lanes <= len {
            unsafe { block::<V, K, N>(kernel, inputs, out, i, false) };
            i += UNROLL * lanes;
        }
    } else {
        // The Scalar ISA: the branch-free selects of `nan_rule`, element by element, in a
        // plain loop that LLVM vectorizes across iterations where the kernel allows (an
        // unrolled body of `UNROLL` elements defeated it: relu, leaky_relu, elu' and
        // hardswish' measured 2.6-8x slower that way, at n = 8K on the FMA path).
        while i < len {
            let mut loaded = [V::zero(); N];
            for k in 0..N {
                loaded[k] = unsafe { V::load(inputs[k].add(i)) };
            }
            unsafe { apply(kernel, loaded).store(out.add(i)) };
            i += 1;
        }
    }
    while i + lanes <= len {
        let r = apply(kernel, inputs.map(|p| unsafe { V::load(p.add(i)) }));
        unsafe { r.store(out.add(i)) };
        i += lanes;
    }
    if i < len {
        unsafe { map_partial::<V, K, N>(kernel, inputs, out, i, len - i) };
    }
}

/// `kernel` on one vector of each input, with the NaN rule ([`nan_rule`]) applied.
#[inline(always)]
fn apply<V, K, const N: usize>(kernel: K, inputs: [V; N]) -> V
where
    V: Vector,
    K: Kernel<V::Elem, N>,
{
    checked(kernel, inputs, kernel.apply(inputs))
}

/// One block of the unrolled body: `UNROLL` vectors at `i`, in lockstep where the kernel asks
/// for it ([`Kernel::LOCKSTEP`]), else in pairs; stored with streaming stores if `stream`
/// (then `out + i` is aligned to the vector size).
///
/// # Safety
/// Each input must be valid for reads and `out` for writes of `UNROLL * V::LANES` elements
/// at `i`.
#[inline(always)]
unsafe fn block<V, K, const N: usize>(
    kernel: K,
    inputs: [*const V::Elem; N],
    out: *mut V::Elem,
    i: usize,
    stream: bool,
) where
    V: Vector,
    K: Kernel<V::Elem, N>,
{
    // SAFETY (whole body): as the caller guarantees.
    if K::LOCKSTEP && V::LANES > 1 {
        let r = unsafe { apply_block::<V, K, N>(kernel, inputs, i) };
        if stream {
            unsafe { r.store_stream(out.add(i)) };
        } else {
            unsafe { r.store(out.add(i)) };
        }
    } else {
        let lanes = V::LANES;
        for u in (0..UNROLL).step_by(2) {
            let at = i + u * lanes;
            let (a, b) = unsafe { apply_pair::<V, K, N>(kernel, inputs, at) };
            if stream {
                unsafe { a.store_stream(out.add(at)) };
                unsafe { b.store_stream(out.add(at + lanes)) };
            } else {
                unsafe { a.store(out.add(at)) };
                unsafe { b.store(out.add(at + lanes)) };
            }
        }
    }
}

/// `kernel` on the `UNROLL` vectors at `i` of each input in lockstep ([`Lockstep`]: each
/// step of the body on all of them before the next), the NaN rule applied with one test for
/// the block (an unordered compare per vector, their union, one branch).
///
/// # Safety
/// Each input must be valid for reads of `UNROLL * V::LANES` elements at `i`.
#[inline(always)]
unsafe fn apply_block<V, K, const N: usize>(
    kernel: K,
    inputs: [*const V::Elem; N],
    i: usize,
) -> Lockstep<V>
where
    V: Vector,
    K: Kernel<V::Elem, N>,
{
    let mut loaded = [Lockstep::<V>::zero(); N];
    for k in 0..N {
        // SAFETY: the caller guarantees the block of each input is readable.
        loaded[k] = unsafe { Lockstep::load(inputs[k].add(i)) };
    }
    checked(kernel, loaded, kernel.apply(loaded))
}

/// `kernel` on the two vectors at `i` and `i + V::LANES` of each input, the NaN rule applied
/// with one test for both results (an unordered compare of the pair, then a branch, instead of
/// a compare and a branch per vector): only a pair holding a NaN result takes the fix-up.
///
/// # Safety
/// Each input must be valid for reads of `2 * V::LANES` elements at `i`.
#[inline(always)]
unsafe fn apply_pair<V, K, const N: usize>(
    kernel: K,
    inputs: [*const V::Elem; N],
    i: usize,
) -> (V, V)
where
    V: Vector,
    K: Kernel<V::Elem, N>,
{
    // No closures over the loads here: LLVM may leave them out of line, compiled without the
    // ISA's features. SAFETY: the caller guarantees both vectors of each input are readable.
    let (mut a, mut b) = ([V::zero(); N], [V::zero(); N]);
    for k in 0..N {
        a[k] = unsafe { V::load(inputs[k].add(i)) };
        b[k] = unsafe { V::load(inputs[k].add(i + V::LANES)) };
    }
    let (ra, rb) = (kernel.apply(a), kernel.apply(b));
    if !K::NAN_SAFE && V::any(ra.either_nan(rb)) {
        (kernel.fix(a, ra), kernel.fix(b, rb))
    } else {
        (ra, rb)
    }
}

/// The NaN rule of every function, form and ISA, applied to every result `r` computed from
/// `inputs` (in their order: `x` or `y`, then `dy`): a lane where `r` is NaN gets the first
/// NaN input of that lane, quieted (quiet bit set, sign and payload kept), or the default
/// quiet NaN [`Float::NAN`](crate::Float) (positive, no payload) where no input is NaN. Lanes
/// where `r` is not NaN are left alone (a select-style gradient may map a NaN input to 0).
///
/// The instructions disagree on NaN bits (x86 gives the first operand's NaN or a negative
/// default NaN; ARM the signalling NaN first, or a positive default), so which NaN a kernel
/// body produces depends on the ISA and on its operand order; this makes it one value. The
/// common case costs a compare and a branch per vector (a few selects on the Scalar ISA).
#[inline(always)]
pub(crate) fn nan_rule<V: Vector, const N: usize>(inputs: [V; N], r: V) -> V {
    if V::LANES > 1 && !r.any_nan() {
        return r;
    }
    fix_nans(inputs, r)
}

/// [`nan_rule`] for a result of `kernel`, whose [`Kernel::fix`] takes the rare path.
#[inline(always)]
pub(crate) fn checked<V, K, const N: usize>(kernel: K, inputs: [V; N], r: V) -> V
where
    V: Vector,
    K: Kernel<V::Elem, N>,
{
    // One lane (the Scalar ISA): branch-free selects, which LLVM still vectorizes across
    // iterations (a branch per element measured 1.5-2.3x slower on relu and its gradient).
    // No `cold()` call on the fix-up path: a call in the loop makes LLVM keep the kernels'
    // constants out of registers (softplus measured 19.3 -> 22.8 us at 8192 f32, 20.8
    // without the call).
    if K::NAN_SAFE || (V::LANES > 1 && !r.any_nan()) {
        return r;
    }
    kernel.fix(inputs, r)
}

/// The fix-up of [`nan_rule`] for a result `r` that may hold NaN lanes.
#[inline(always)]
pub(crate) fn fix_nans<V: Vector, const N: usize>(inputs: [V; N], r: V) -> V {
    let nan = r.is_nan();
    let mut source = V::splat(<V::Elem as crate::Float>::NAN);
    for v in inputs.iter().rev() {
        source = V::select(v.is_nan(), v.quiet(), source);
    }
    V::select(nan, source, r)
}

/// One partial vector: elements `at .. at + n`, `n < LANES`.
///
/// # Safety
/// As [`map`], for the elements `at .. at + n`.
#[inline(always)]
unsafe fn map_partial<V, K, const N: usize>(
    kernel: K,
    inputs: [*const V::Elem; N],
    out: *mut V::Elem,
    at: usize,
    n: usize,
) where
    V: Vector,
    K: Kernel<V::Elem, N>,
{
    // A loop, not `inputs.map(..)`: with the partial loads' bodies LLVM left the closure of
    // `map` out of line, compiled without the ISA's features (measured: AVX2 tails 2x slower).
    let mut loaded = [V::zero(); N];
    for (v, p) in loaded.iter_mut().zip(inputs) {
        // SAFETY: the caller guarantees elements `at .. at + n` are valid; the partial forms
        // touch no others.
        *v = unsafe { V::load_partial(p.add(at), n) };
    }
    let r = apply(kernel, loaded);
    // SAFETY: as above, for the output.
    unsafe { r.store_partial(out.add(at), n) };
}

/// Whether an out-of-place result of `len` elements of `T` is large enough to stream (or,
/// inside a chunk of a parallel call, whether the whole call is).
#[inline(always)]
pub(crate) fn should_stream<T>(len: usize) -> bool {
    // A chunk of a parallel call takes the decision of the whole call.
    #[cfg(feature = "rayon")]
    if let Some(stream) = crate::parallel::stream_override() {
        return stream;
    }
    len * core::mem::size_of::<T>() >= STREAM_MIN_BYTES
}

/// Shortest run (elements) that a kernel working run by run (PReLU's channels, CReLU's rows)
/// streams: each streamed call ends with a store fence, which short runs cannot amortize.
pub(crate) const STREAM_MIN_RUN: usize = 4096;

/// [`map`] on `S`'s vectors, or on [`Simd::Narrow`](crate::simd::Simd::Narrow)'s for a
/// [`Kernel::MEMORY_BOUND`] kernel whose `buffers` distinct slices of `len` elements (inputs
/// and output) touch more than [`NARROW_MIN_BYTES`].
///
/// # Safety
/// As [`map`]; `S`'s ISA was detected (and with it `S::Narrow`'s).
#[inline(always)]
pub(crate) unsafe fn map_on<S: Simd, T: Float, K: Kernel<T, N>, const N: usize>(
    kernel: K,
    inputs: [*const T; N],
    out: *mut T,
    len: usize,
    stream: bool,
    buffers: usize,
) {
    // SAFETY (both calls): as the caller guarantees; `S::Narrow` is `S` or an ISA whose
    // features `S`'s detection includes (AVX2 + FMA under AVX-512).
    if K::MEMORY_BOUND && buffers * len * core::mem::size_of::<T>() > NARROW_MIN_BYTES {
        unsafe { map::<T::Vector<S::Narrow>, K, N>(kernel, inputs, out, len, stream) }
    } else {
        unsafe { map::<T::Vector<S>, K, N>(kernel, inputs, out, len, stream) }
    }
}

/// `y = kernel(x)` out of place, as a dispatchable operation.
pub(crate) struct Unary<'a, T, K> {
    pub kernel: K,
    pub x: &'a [T],
    pub y: &'a mut [T],
}

impl<T: Float, K: Kernel<T, 1>> WithSimd for Unary<'_, T, K> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        debug_assert_eq!(self.x.len(), self.y.len());
        let len = self.x.len().min(self.y.len());
        let stream = should_stream::<T>(len);
        // SAFETY: `x` and `y` are distinct live slices of at least `len` elements.
        unsafe {
            map_on::<S, T, K, 1>(
                self.kernel,
                [self.x.as_ptr()],
                self.y.as_mut_ptr(),
                len,
                stream,
                2,
            )
        }
    }
}

/// `xy = kernel(xy)` in place, as a dispatchable operation.
pub(crate) struct UnaryInPlace<'a, T, K> {
    pub kernel: K,
    pub xy: &'a mut [T],
}

impl<T: Float, K: Kernel<T, 1>> WithSimd for UnaryInPlace<'_, T, K> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        let len = self.xy.len();
        let p = self.xy.as_mut_ptr();
        // SAFETY: `p` is valid for `len` reads and writes; output equals input (allowed).
        unsafe { map_on::<S, T, K, 1>(self.kernel, [p as *const T], p, len, false, 1) }
    }
}

/// `dx = kernel(x, dy)` (or any two inputs to one output), as a dispatchable operation.
pub(crate) struct Binary<'a, T, K> {
    pub kernel: K,
    pub a: &'a [T],
    pub b: &'a [T],
    pub out: &'a mut [T],
}

impl<T: Float, K: Kernel<T, 2>> WithSimd for Binary<'_, T, K> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        let len = self.out.len().min(self.a.len()).min(self.b.len());
        debug_assert!(len == self.out.len() && len == self.a.len() && len == self.b.len());
        let stream = should_stream::<T>(len);
        // SAFETY: three live slices of at least `len` elements; `out` is a `&mut` so it
        // overlaps neither input.
        unsafe {
            map_on::<S, T, K, 2>(
                self.kernel,
                [self.a.as_ptr(), self.b.as_ptr()],
                self.out.as_mut_ptr(),
                len,
                stream,
                3,
            )
        }
    }
}

/// A kernel evaluated in f64 whatever `T` is (see `Vector::eval_wide`): for f32 the result
/// is the f64 value rounded once, which is how the smooth activations reach <= 1 ULP.
#[derive(Clone, Copy)]
pub(crate) struct ViaF64<F>(pub F);

impl<T: Float, F: crate::simd::WideFn<N>, const N: usize> Kernel<T, N> for ViaF64<F> {
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, inputs: [V; N]) -> V {
        V::eval_wide(inputs, self.0)
    }
}

/// A kernel with a native f32 body (see `Vector::eval_native`): f32 lanes throughout for
/// f32 elements, the f64 body of its [`WideFn`](crate::simd::WideFn) for f64.
#[derive(Clone, Copy)]
pub(crate) struct Native<F>(pub F);

impl<T: Float, F: crate::simd::NativeFn<N>, const N: usize> Kernel<T, N> for Native<F> {
    // The f32 bodies; the f64 ones are not measured to gain and would double their code.
    const LOCKSTEP: bool = core::mem::size_of::<T>() == 4;

    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, inputs: [V; N]) -> V {
        V::eval_native(inputs, self.0)
    }

    /// The native f32 bodies return NaN for the lanes beyond their range (see
    /// `kernels::sigmoid::wide_where`), so that the NaN test the driver makes anyway is the
    /// only test on the hot path: here those lanes (NaN results from inputs that are not NaN)
    /// take the f64 body, then the NaN rule applies.
    #[inline(always)]
    fn fix<V: Vector<Elem = T>>(self, inputs: [V; N], r: V) -> V {
        V::fix_handed(inputs, r, self.0)
    }
}

/// Marks the branch that calls it as unlikely (the compiler lays it out of the hot loop):
/// an empty function that is never inlined and is `#[cold]`.
#[cold]
#[inline(never)]
pub(crate) fn cold() {}
