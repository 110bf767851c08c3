//! The fused bf16/f16 path on x86-64 (AVX2 + F16C, AVX-512): the element-wise kernels load
//! 16-bit lanes, widen them in registers, run the f32 kernel body and round the results back
//! in registers before storing, in the driver's own loop. No f32 copy goes through memory
//! (the staged path in the parent module makes three passes over L1 buffers: widen, kernel,
//! narrow). Results are the same bits as staging: the kernels are lane-wise, the conversions
//! exact (widening) and rounded once to nearest even (narrowing, NaN quieted), the same
//! operations as [`Conv`]'s.
//!
//! `api::isa_fn!` compiles each element-wise body a second time for bf16 and f16 with `T =
//! f32` (kernels and parameters in f32) and the slices left as they are, and with
//! [`dispatch`] below in place of the crate's: the body's `Unary`, `UnaryInPlace` and
//! `Binary` operations then run through [`WithHalfSimd`] on the ISAs that have the
//! conversions ([`fused_on`]: AVX2 and AVX-512 with F16C, and NEON for bf16). Elsewhere
//! (Scalar, f16 on NEON, an x86 CPU without F16C) the staged path runs.

// Without x86 SIMD or NEON no ISA has the lanes: the machinery only type-checks the bodies.
#![cfg_attr(not(any(x86_simd, target_arch = "aarch64")), allow(dead_code))]

use super::{Conv, Half};
use crate::driver::{
    checked, should_stream, Binary, Kernel, Unary, UnaryInPlace, NARROW_MIN_BYTES,
};
use crate::kernel_use::{RunBinary, RunInPlace, RunUnary, UseKernel};
use crate::simd::{Lockstep, Vector, LOCKSTEP_WIDTH};
use crate::Isa;

/// An f32 vector that loads and stores lanes of a 16-bit storage type.
///
/// Implemented by the AVX2, AVX-512 and NEON f32 vectors (and [`Lockstep`] of them); used
/// only under [`dispatch`], which runs after the ISA (and on x86 F16C) was detected.
pub(crate) trait HalfLanes: Vector<Elem = f32> {
    /// `LANES` values of `H` (bits) at `ptr`, widened exactly.
    ///
    /// # Safety
    /// `ptr` valid for reads of `LANES` elements; the ISA and F16C detected.
    unsafe fn load_half<H: Half>(ptr: *const u16) -> Self;
    /// The lanes rounded to `H` (nearest even; a NaN quieted, sign and payload kept as far as
    /// they fit) and stored at `ptr`.
    ///
    /// # Safety
    /// `ptr` valid for writes of `LANES` elements; the ISA and F16C detected.
    unsafe fn store_half<H: Half>(self, ptr: *mut u16);
    /// As [`HalfLanes::store_half`], with non-temporal stores.
    ///
    /// # Safety
    /// As [`HalfLanes::store_half`], and `ptr` aligned to `2 * LANES` bytes (or to the
    /// component's, for [`Lockstep`]).
    unsafe fn stream_half<H: Half>(self, ptr: *mut u16);

    /// `2 * LANES` values of `H` at `ptr` as two vectors, in an order of lanes that only
    /// [`HalfLanes::store_half_pair`] undoes (AVX2's bf16 form interleaves them: one unpack
    /// per vector instead of a widening and a shift). By default two [`HalfLanes::load_half`].
    ///
    /// # Safety
    /// As [`HalfLanes::load_half`], for `2 * LANES` elements.
    #[inline(always)]
    unsafe fn load_half_pair<H: Half>(ptr: *const u16) -> (Self, Self) {
        // SAFETY: the caller guarantees `2 * LANES` readable elements.
        unsafe {
            (
                Self::load_half::<H>(ptr),
                Self::load_half::<H>(ptr.add(Self::LANES)),
            )
        }
    }
    /// Stores a pair loaded by [`HalfLanes::load_half_pair`] (or computed lane by lane from
    /// one) back in memory order, rounded as [`HalfLanes::store_half`].
    ///
    /// # Safety
    /// As [`HalfLanes::store_half`], for `2 * LANES` elements.
    #[inline(always)]
    unsafe fn store_half_pair<H: Half>(a: Self, b: Self, ptr: *mut u16) {
        // SAFETY: the caller guarantees `2 * LANES` writable elements.
        unsafe {
            a.store_half::<H>(ptr);
            b.store_half::<H>(ptr.add(Self::LANES));
        }
    }
    /// As [`HalfLanes::store_half_pair`], with non-temporal stores.
    ///
    /// # Safety
    /// As [`HalfLanes::store_half_pair`], and `ptr` aligned to `4 * LANES` bytes.
    #[inline(always)]
    unsafe fn stream_half_pair<H: Half>(a: Self, b: Self, ptr: *mut u16) {
        // SAFETY: as the caller guarantees; each half is aligned to `2 * LANES` bytes.
        unsafe {
            a.stream_half::<H>(ptr);
            b.stream_half::<H>(ptr.add(Self::LANES));
        }
    }
    /// [`HalfLanes::store_half_pair`] (`stream`: [`HalfLanes::stream_half_pair`]) for a pair
    /// known to need less than a general rounding, so a form may skip steps (the same bits):
    /// with `EXACT`, every lane is a value of `H` or a quiet NaN (a [`Kernel::SELECTS`]
    /// kernel's results: AVX2's bf16 form truncates); without, no lane is NaN (its bf16 form
    /// rounds without the NaN steps).
    ///
    /// # Safety
    /// As the form chosen by `stream`, and the lanes as stated.
    #[inline(always)]
    unsafe fn store_half_pair_known<H: Half, const EXACT: bool>(
        a: Self,
        b: Self,
        ptr: *mut u16,
        stream: bool,
    ) {
        // SAFETY: as the caller guarantees.
        unsafe {
            if stream {
                Self::stream_half_pair::<H>(a, b, ptr)
            } else {
                Self::store_half_pair::<H>(a, b, ptr)
            }
        }
    }
}

impl<V: HalfLanes> HalfLanes for Lockstep<V> {
    // Components go in pairs (`LOCKSTEP_WIDTH` is even), each pair through the pair forms.
    #[inline(always)]
    unsafe fn load_half<H: Half>(ptr: *const u16) -> Self {
        let mut parts = [V::zero(); LOCKSTEP_WIDTH];
        for j in 0..LOCKSTEP_WIDTH / 2 {
            // SAFETY: components `2j` and `2j + 1` are within the caller's `LANES` elements.
            (parts[2 * j], parts[2 * j + 1]) =
                unsafe { V::load_half_pair::<H>(ptr.add(2 * j * V::LANES)) };
        }
        Lockstep(parts)
    }
    #[inline(always)]
    unsafe fn store_half<H: Half>(self, ptr: *mut u16) {
        for j in 0..LOCKSTEP_WIDTH / 2 {
            // SAFETY: as in `load_half`.
            unsafe {
                V::store_half_pair::<H>(self.0[2 * j], self.0[2 * j + 1], ptr.add(2 * j * V::LANES))
            };
        }
    }
    #[inline(always)]
    unsafe fn stream_half<H: Half>(self, ptr: *mut u16) {
        for j in 0..LOCKSTEP_WIDTH / 2 {
            // SAFETY: as in `load_half`; each pair starts a multiple of its own size (`4 *
            // V::LANES` bytes) past the aligned `ptr`.
            unsafe {
                V::stream_half_pair::<H>(
                    self.0[2 * j],
                    self.0[2 * j + 1],
                    ptr.add(2 * j * V::LANES),
                )
            };
        }
    }
}

const _: () = assert!(LOCKSTEP_WIDTH % 2 == 0, "lockstep components go in pairs");

/// An ISA token whose f32 vectors have [`HalfLanes`].
pub(crate) trait HalfSimd: Copy {
    /// The f32 vector.
    type F32: HalfLanes;
    /// The ISA of the memory-bound kernels beyond L1 (as [`crate::simd::Simd::Narrow`]).
    type Narrow: HalfSimd;
}

/// An operation on slices of `H` run on a [`HalfSimd`] ISA.
pub(crate) trait WithHalfSimd<H: Half> {
    fn with_half_simd<S: HalfSimd>(self, simd: S);
}

/// Whether the fused path runs for a call of `H` on `isa`: AVX2 or AVX-512 available, with
/// F16C (both types); NEON available (bf16 only: f16 has no stable NEON conversion at the
/// MSRV, so NEON stages f16 through the portable integer form).
#[inline]
pub(crate) fn fused_on<H: Half>(isa: Isa) -> bool {
    #[cfg(target_arch = "aarch64")]
    if isa == Isa::Neon {
        return H::BF16 && isa.is_available();
    }
    match Conv::for_isa(isa) {
        Conv::Portable => false,
        #[allow(unreachable_patterns)] // without AVX-512 intrinsics there is one x86 form
        _ => true,
    }
}

/// Runs `op` (on slices of `H`) on `isa`, which [`fused_on`] accepted (the half instances
/// test it first).
#[inline]
pub(crate) fn dispatch<H: Half, W: WithHalfSimd<H>>(func: &str, isa: Isa, op: W) {
    assert!(
        fused_on::<H>(isa),
        "simd_activations::{func}: the fused bf16/f16 path on {isa}, which lacks it"
    );
    match isa {
        #[cfg(all(x86_simd, avx512_intrinsics))]
        // SAFETY: AVX-512 F, AVX2, FMA and F16C were detected (`fused_on`).
        Isa::Avx512 => unsafe { run_avx512(op) },
        #[cfg(x86_simd)]
        // SAFETY: AVX2, FMA and F16C were detected (`fused_on`).
        _ => unsafe { run_avx2(op) },
        #[cfg(target_arch = "aarch64")]
        // SAFETY: NEON was detected (`fused_on`).
        _ => unsafe { run_neon(op) },
        #[cfg(not(any(x86_simd, target_arch = "aarch64")))]
        _ => {
            let _ = op;
            unreachable!("fused_on is false without x86 SIMD or NEON")
        }
    }
}

#[cfg(target_arch = "aarch64")]
#[target_feature(enable = "neon")]
unsafe fn run_neon<H: Half, W: WithHalfSimd<H>>(op: W) {
    op.with_half_simd(crate::simd::neon::Neon)
}

#[cfg(x86_simd)]
#[target_feature(enable = "avx2,fma,f16c")]
unsafe fn run_avx2<H: Half, W: WithHalfSimd<H>>(op: W) {
    op.with_half_simd(crate::simd::avx2::Avx2)
}

#[cfg(all(x86_simd, avx512_intrinsics))]
#[target_feature(enable = "avx512f,avx2,fma,f16c")]
unsafe fn run_avx512<H: Half, W: WithHalfSimd<H>>(op: W) {
    op.with_half_simd(crate::simd::avx512::Avx512)
}

/// An argument of a bf16/f16 instance as its fused body sees it: slices as they are, a
/// parameter widened to f32 (exactly, as the staged path passes it), a shape as it is.
pub(crate) trait Rebind {
    type Out;
    fn rebind(self) -> Self::Out;
}

impl<'a, H: Half> Rebind for &'a [H] {
    type Out = &'a [H];
    #[inline(always)]
    fn rebind(self) -> &'a [H] {
        self
    }
}

impl<'a, H: Half> Rebind for &'a mut [H] {
    type Out = &'a mut [H];
    #[inline(always)]
    fn rebind(self) -> &'a mut [H] {
        self
    }
}

impl<H: Half> Rebind for H {
    type Out = f32;
    #[inline(always)]
    fn rebind(self) -> f32 {
        H::widen_bits(self.storage_bits())
    }
}

impl Rebind for usize {
    type Out = usize;
    #[inline(always)]
    fn rebind(self) -> usize {
        self
    }
}

/// Vectors per block of the unrolled body (as the f32 driver's).
const UNROLL: usize = LOCKSTEP_WIDTH;

/// Elements of a partial vector's stack copy: at least the widest vector's lanes.
const MAX_LANES: usize = 16;

/// `out[i] = kernel(inputs[0][i], ..)` on 16-bit lanes of `H`, as `driver::map` on f32.
///
/// # Safety
/// Each `inputs[k]` valid for reads of `len` elements and `out` for writes of `len`; `out`
/// may equal an input (in place) but not otherwise overlap one; `V`'s ISA and F16C detected.
#[inline(always)]
unsafe fn map_half<V, K, H, const N: usize>(
    kernel: K,
    inputs: [*const u16; N],
    out: *mut u16,
    len: usize,
    stream: bool,
) where
    V: HalfLanes,
    K: Kernel<f32, N>,
    H: Half,
{
    const { assert!(UNROLL % 2 == 0) };
    let lanes = V::LANES;
    debug_assert!(lanes <= MAX_LANES);
    let step = UNROLL * lanes;
    let mut i = 0;
    // SAFETY (whole body): every access is at offsets below `len` (full blocks and vectors
    // only while they fit, the rest through `partial`), which the caller guarantees valid.
    if stream {
        // A pair of vectors' bytes: the streamed pairs need it (and single vectors half).
        let align = 4 * lanes;
        let mut head = ((align - out as usize % align) % align / 2).min(len);
        while head > 0 {
            // Up to two vectors' worth, one partial vector at a time.
            let n = head.min(lanes - 1);
            unsafe { partial::<V, K, H, N>(kernel, inputs, out, i, n) };
            i += n;
            head -= n;
        }
        while i + step <= len {
            unsafe { block::<V, K, H, N>(kernel, inputs, out, i, true) };
            i += step;
        }
        V::stream_fence();
    }
    while i + step <= len {
        unsafe { block::<V, K, H, N>(kernel, inputs, out, i, false) };
        i += step;
    }
    while i + lanes <= len {
        let mut loaded = [V::zero(); N];
        for k in 0..N {
            loaded[k] = unsafe { V::load_half::<H>(inputs[k].add(i)) };
        }
        let r = checked(kernel, loaded, kernel.apply(loaded));
        unsafe { r.store_half::<H>(out.add(i)) };
        i += lanes;
    }
    if i < len {
        unsafe { partial::<V, K, H, N>(kernel, inputs, out, i, len - i) };
    }
}

/// One block of `UNROLL` vectors at `i`: in lockstep where the kernel asks for it, else in
/// pairs with one NaN test per pair (as the f32 driver).
///
/// # Safety
/// As [`map_half`], for the block's `UNROLL * V::LANES` elements at `i`; `out + i` aligned
/// to the vector's half-lane size if `stream`.
#[inline(always)]
unsafe fn block<V, K, H, const N: usize>(
    kernel: K,
    inputs: [*const u16; N],
    out: *mut u16,
    i: usize,
    stream: bool,
) where
    V: HalfLanes,
    K: Kernel<f32, N>,
    H: Half,
{
    // SAFETY (whole body): as the caller guarantees.
    if K::LOCKSTEP {
        let mut loaded = [Lockstep::<V>::zero(); N];
        for k in 0..N {
            loaded[k] = unsafe { Lockstep::<V>::load_half::<H>(inputs[k].add(i)) };
        }
        let r = checked(kernel, loaded, kernel.apply(loaded));
        if stream {
            unsafe { r.stream_half::<H>(out.add(i)) };
        } else {
            unsafe { r.store_half::<H>(out.add(i)) };
        }
        return;
    }
    let lanes = V::LANES;
    for u in (0..UNROLL).step_by(2) {
        let at = i + u * lanes;
        let (mut a, mut b) = ([V::zero(); N], [V::zero(); N]);
        for k in 0..N {
            (a[k], b[k]) = unsafe { V::load_half_pair::<H>(inputs[k].add(at)) };
        }
        let (mut ra, mut rb) = (kernel.apply(a), kernel.apply(b));
        if K::SELECTS {
            if !K::NAN_SAFE && V::any(ra.either_nan(rb)) {
                (ra, rb) = (kernel.fix(a, ra), kernel.fix(b, rb));
            }
            // SAFETY: as the caller guarantees; the results are inputs (values of `H`),
            // parameters (widened from `H`), zero, or quiet NaNs.
            unsafe { V::store_half_pair_known::<H, true>(ra, rb, out.add(at), stream) };
            continue;
        }
        if !K::NAN_SAFE {
            // The NaN test the rule needs also tells the store whether NaNs need handling.
            if V::any(ra.either_nan(rb)) {
                (ra, rb) = (kernel.fix(a, ra), kernel.fix(b, rb));
            } else {
                // SAFETY: as the caller guarantees; neither result holds a NaN lane.
                unsafe { V::store_half_pair_known::<H, false>(ra, rb, out.add(at), stream) };
                continue;
            }
        }
        if stream {
            unsafe { V::stream_half_pair::<H>(ra, rb, out.add(at)) };
        } else {
            unsafe { V::store_half_pair::<H>(ra, rb, out.add(at)) };
        }
    }
}

/// The last `n < V::LANES` elements at `at`, through copies on the stack (full vectors of
/// zero-padded lanes; only the `n` elements are read and written).
///
/// # Safety
/// As [`map_half`], for `n` elements at `at`.
#[inline(always)]
unsafe fn partial<V, K, H, const N: usize>(
    kernel: K,
    inputs: [*const u16; N],
    out: *mut u16,
    at: usize,
    n: usize,
) where
    V: HalfLanes,
    K: Kernel<f32, N>,
    H: Half,
{
    let mut copies = [[0u16; MAX_LANES]; N];
    let mut loaded = [V::zero(); N];
    for k in 0..N {
        // SAFETY: `n` elements at `inputs[k] + at` are readable (caller); the copy holds
        // `MAX_LANES >= V::LANES > n`.
        unsafe {
            core::ptr::copy_nonoverlapping(inputs[k].add(at), copies[k].as_mut_ptr(), n);
            loaded[k] = V::load_half::<H>(copies[k].as_ptr());
        }
    }
    let r = checked(kernel, loaded, kernel.apply(loaded));
    let mut result = [0u16; MAX_LANES];
    // SAFETY: the copy holds `V::LANES` elements; `n` are writable at `out + at` (caller).
    unsafe {
        r.store_half::<H>(result.as_mut_ptr());
        core::ptr::copy_nonoverlapping(result.as_ptr(), out.add(at), n);
    }
}

/// [`map_half`] on `S`'s vectors, or on `S::Narrow`'s for a memory-bound kernel whose
/// `buffers` slices touch more than [`NARROW_MIN_BYTES`] (as `driver::map_on`).
///
/// # Safety
/// As [`map_half`], with `S`'s ISA and F16C detected.
#[inline(always)]
unsafe fn map_on_half<S: HalfSimd, K: Kernel<f32, N>, H: Half, const N: usize>(
    kernel: K,
    inputs: [*const u16; N],
    out: *mut u16,
    len: usize,
    buffers: usize,
) {
    let stream = should_stream::<u16>(len) && inputs.iter().all(|&p| !core::ptr::eq(p, out));
    // SAFETY (both calls): as the caller guarantees; `S::Narrow`'s features are among `S`'s.
    if K::MEMORY_BOUND && buffers * len * 2 > NARROW_MIN_BYTES {
        unsafe {
            map_half::<<S::Narrow as HalfSimd>::F32, K, H, N>(kernel, inputs, out, len, stream)
        }
    } else {
        unsafe { map_half::<S::F32, K, H, N>(kernel, inputs, out, len, stream) }
    }
}

impl<H: Half, K: Kernel<f32, 1>> WithHalfSimd<H> for Unary<'_, H, K> {
    #[inline(always)]
    fn with_half_simd<S: HalfSimd>(self, _: S) {
        let len = self.x.len().min(self.y.len());
        debug_assert_eq!(self.x.len(), self.y.len());
        let x = H::bits_of(self.x).as_ptr();
        let y = H::bits_of_mut(self.y).as_mut_ptr();
        // SAFETY: two distinct live slices of at least `len` elements; `S` was detected with
        // F16C (this runs under `dispatch`).
        unsafe { map_on_half::<S, K, H, 1>(self.kernel, [x], y, len, 2) }
    }
}

impl<H: Half, K: Kernel<f32, 1>> WithHalfSimd<H> for UnaryInPlace<'_, H, K> {
    #[inline(always)]
    fn with_half_simd<S: HalfSimd>(self, _: S) {
        let len = self.xy.len();
        let xy = H::bits_of_mut(self.xy).as_mut_ptr();
        // SAFETY: one live slice of `len` elements, read and written in place; as above.
        unsafe { map_on_half::<S, K, H, 1>(self.kernel, [xy as *const u16], xy, len, 1) }
    }
}

impl<H: Half, K: Kernel<f32, 2>> WithHalfSimd<H> for Binary<'_, H, K> {
    #[inline(always)]
    fn with_half_simd<S: HalfSimd>(self, _: S) {
        let len = self.out.len().min(self.a.len()).min(self.b.len());
        debug_assert!(len == self.out.len() && len == self.a.len() && len == self.b.len());
        let (a, b) = (H::bits_of(self.a).as_ptr(), H::bits_of(self.b).as_ptr());
        let out = H::bits_of_mut(self.out).as_mut_ptr();
        // SAFETY: three live slices of at least `len` elements; `out` is a `&mut`, so it
        // overlaps neither input; as above.
        unsafe { map_on_half::<S, K, H, 2>(self.kernel, [a, b], out, len, 3) }
    }
}

impl<H: Half> UseKernel<f32, 1> for RunUnary<'_, H> {
    type Output = ();
    #[inline(always)]
    fn with<K: Kernel<f32, 1>>(self, kernel: K) {
        let RunUnary { func, isa, x, y } = self;
        dispatch(func, isa, Unary { kernel, x, y })
    }
}

impl<H: Half> UseKernel<f32, 1> for RunInPlace<'_, H> {
    type Output = ();
    #[inline(always)]
    fn with<K: Kernel<f32, 1>>(self, kernel: K) {
        let RunInPlace { func, isa, xy } = self;
        dispatch(func, isa, UnaryInPlace { kernel, xy })
    }
}

impl<H: Half> UseKernel<f32, 2> for RunBinary<'_, H> {
    type Output = ();
    #[inline(always)]
    fn with<K: Kernel<f32, 2>>(self, kernel: K) {
        let RunBinary {
            func,
            isa,
            a,
            b,
            out,
        } = self;
        dispatch(func, isa, Binary { kernel, a, b, out })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use half::{bf16, f16};

    /// The fused path is taken wherever its conversions exist: AVX2 (and AVX-512) with F16C
    /// for both types, NEON for bf16. (Its results are checked against the f32 functions by
    /// `tests/half_storage.rs` and `tests/half_exhaustive.rs`, which reach it through the
    /// public functions.)
    #[test]
    fn taken_where_available() {
        assert!(!fused_on::<bf16>(Isa::Scalar) && !fused_on::<f16>(Isa::Scalar));
        #[cfg(x86_simd)]
        {
            let f16c = std::arch::is_x86_feature_detected!("f16c");
            for isa in [Isa::Avx2, Isa::Avx512] {
                assert_eq!(fused_on::<bf16>(isa), isa.is_available() && f16c);
                assert_eq!(fused_on::<f16>(isa), isa.is_available() && f16c);
            }
            if std::env::var_os("EXPECT_AVX512").is_some() {
                assert!(
                    fused_on::<bf16>(Isa::Avx512),
                    "EXPECT_AVX512 is set: AVX-512 must be fused"
                );
            }
        }
        #[cfg(target_arch = "aarch64")]
        {
            assert_eq!(fused_on::<bf16>(Isa::Neon), Isa::Neon.is_available());
            assert!(!fused_on::<f16>(Isa::Neon), "NEON stages f16");
        }
    }

    /// An in-place call and an out-of-place one give the same bits at every length around the
    /// block and vector sizes (through the driver directly, every form of the loop).
    #[test]
    fn in_place_equals_out_of_place() {
        use crate::driver::Native;
        use crate::kernels::sigmoid::Sigmoid;
        let mut ran = 0;
        for isa in Isa::available() {
            if !fused_on::<bf16>(isa) {
                continue;
            }
            ran += 1;
            for n in 0..260 {
                let x: Vec<bf16> = (0..n)
                    .map(|i| bf16::from_f32((i as f32 - 130.0) / 16.0))
                    .collect();
                let mut y = vec![bf16::ZERO; n];
                let kernel = Native(Sigmoid);
                dispatch(
                    "test",
                    isa,
                    Unary {
                        kernel,
                        x: &x,
                        y: &mut y,
                    },
                );
                let mut xy = x.clone();
                dispatch(
                    "test",
                    isa,
                    UnaryInPlace {
                        kernel,
                        xy: &mut xy,
                    },
                );
                assert_eq!(
                    y.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    xy.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    "n = {n} on {isa}"
                );
            }
        }
        // Where a fused ISA exists, the loop above ran on it (no silent skip).
        #[cfg(x86_simd)]
        if Isa::Avx2.is_available() && std::arch::is_x86_feature_detected!("f16c") {
            assert!(ran > 0);
        }
        #[cfg(target_arch = "aarch64")]
        if Isa::Neon.is_available() {
            assert!(ran > 0);
        }
        let _ = ran;
    }
}
