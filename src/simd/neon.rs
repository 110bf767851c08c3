//! AArch64 Advanced SIMD (NEON): 4 x f32 / 2 x f64 in 128-bit registers.
//!
//! Invariant of this module: values of [`F32x4`] and [`F64x2`] exist only inside code reached
//! through `dispatch::run_neon`, which runs only after NEON was detected. Every `unsafe` block
//! below relies on it (the intrinsics need that CPU feature) and, for memory accesses, on the
//! caller's pointer contract stated on the `Vector` trait.
//!
//! NEON has no masked loads and stores, so the partial forms go through a stack buffer of one
//! vector and copy only the `n` valid elements: nothing past `ptr + n` is read or written.
//!
//! Where the raw instructions differ from the trait's semantics: `fmax`/`fmaxnm` give `+0.0`
//! for `max(-0.0, +0.0)` in either order and `fmax` returns NaN from either operand, so
//! `clamp_min`/`clamp_max` are a comparison and a bit select instead (unlike x86's `maxps`,
//! whose operand order alone yields the right result).

use super::{Simd, Vector, WideFn};
use crate::math::{Full, Single};
use core::arch::aarch64::*;

/// Token of the NEON ISA.
#[derive(Clone, Copy, Debug)]
pub struct Neon;

impl Simd for Neon {
    type F32 = F32x4;
    type F64 = F64x2;
    type Narrow = Self;
}

/// Four f32 lanes.
#[derive(Clone, Copy, Debug)]
pub struct F32x4(float32x4_t);

/// Two f64 lanes.
#[derive(Clone, Copy, Debug)]
pub struct F64x2(float64x2_t);

/// Wraps an intrinsic call: every use relies on the module invariant (NEON detected).
macro_rules! neon {
    ($e:expr) => {
        // SAFETY: NEON is available (module invariant); pointer arguments follow the `Vector`
        // trait's contract, which the caller upholds.
        unsafe { $e }
    };
}

impl Vector for F32x4 {
    type Elem = f32;
    type Mask = uint32x4_t;
    const LANES: usize = 4;

    #[inline(always)]
    fn splat(x: f32) -> Self {
        F32x4(neon!(vdupq_n_f32(x)))
    }
    #[inline(always)]
    unsafe fn load(ptr: *const f32) -> Self {
        F32x4(neon!(vld1q_f32(ptr)))
    }
    #[inline(always)]
    unsafe fn load_partial(ptr: *const f32, n: usize) -> Self {
        debug_assert!(n < Self::LANES);
        let mut buf = [0.0f32; 4];
        // SAFETY: the caller guarantees `ptr` is valid for `n` reads and `n < 4`, so the copy
        // stays inside both the source and `buf`; nothing past `ptr + n` is read.
        unsafe { core::ptr::copy_nonoverlapping(ptr, buf.as_mut_ptr(), n) };
        F32x4(neon!(vld1q_f32(buf.as_ptr())))
    }
    #[inline(always)]
    unsafe fn store(self, ptr: *mut f32) {
        neon!(vst1q_f32(ptr, self.0))
    }
    #[inline(always)]
    unsafe fn store_partial(self, ptr: *mut f32, n: usize) {
        debug_assert!(n < Self::LANES);
        let mut buf = [0.0f32; 4];
        neon!(vst1q_f32(buf.as_mut_ptr(), self.0));
        // SAFETY: the caller guarantees `ptr` is valid for `n` writes and `n < 4`, so the copy
        // stays inside both `buf` and the destination; nothing past `ptr + n` is written.
        unsafe { core::ptr::copy_nonoverlapping(buf.as_ptr(), ptr, n) };
    }
    #[inline(always)]
    unsafe fn store_stream(self, ptr: *mut f32) {
        // No non-temporal store intrinsic on NEON (`stnp` is not exposed): a plain store.
        neon!(vst1q_f32(ptr, self.0))
    }
    #[inline(always)]
    fn stream_fence() {
        // The stores above are plain stores, already ordered in program order: nothing to do.
    }
    #[inline(always)]
    fn add(self, b: Self) -> Self {
        F32x4(neon!(vaddq_f32(self.0, b.0)))
    }
    #[inline(always)]
    fn sub(self, b: Self) -> Self {
        F32x4(neon!(vsubq_f32(self.0, b.0)))
    }
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        F32x4(neon!(vmulq_f32(self.0, b.0)))
    }
    #[inline(always)]
    fn div(self, b: Self) -> Self {
        F32x4(neon!(vdivq_f32(self.0, b.0)))
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        // vfmaq(a, b, c) is `a + b * c` with one rounding.
        F32x4(neon!(vfmaq_f32(c.0, self.0, b.0)))
    }
    #[inline(always)]
    fn neg(self) -> Self {
        F32x4(neon!(vnegq_f32(self.0)))
    }
    #[inline(always)]
    fn abs(self) -> Self {
        F32x4(neon!(vabsq_f32(self.0)))
    }
    #[inline(always)]
    fn clamp_min(self, lo: Self) -> Self {
        // Not vmaxq: it gives +0.0 for max(-0.0, +0.0) and may return NaN from `lo`. The select
        // keeps `self` unless `self < lo` holds (false on NaN and on equal zeros).
        F32x4(neon!(vbslq_f32(vcltq_f32(self.0, lo.0), lo.0, self.0)))
    }
    #[inline(always)]
    fn clamp_max(self, hi: Self) -> Self {
        // Not vminq, for the same reasons: keeps `self` unless `self > hi` holds.
        F32x4(neon!(vbslq_f32(vcgtq_f32(self.0, hi.0), hi.0, self.0)))
    }
    #[inline(always)]
    fn round(self) -> Self {
        // frintn: to nearest, ties to even.
        F32x4(neon!(vrndnq_f32(self.0)))
    }
    #[inline(always)]
    fn shift_into_exponent(self) -> Self {
        F32x4(neon!(vreinterpretq_f32_u32(vshlq_n_u32::<23>(
            vreinterpretq_u32_f32(self.0)
        ))))
    }
    #[inline(always)]
    fn lt(self, b: Self) -> uint32x4_t {
        neon!(vcltq_f32(self.0, b.0))
    }
    #[inline(always)]
    fn le(self, b: Self) -> uint32x4_t {
        neon!(vcleq_f32(self.0, b.0))
    }
    #[inline(always)]
    fn gt(self, b: Self) -> uint32x4_t {
        neon!(vcgtq_f32(self.0, b.0))
    }
    #[inline(always)]
    fn is_nan(self) -> uint32x4_t {
        // `x == x` is false exactly for NaN.
        neon!(vmvnq_u32(vceqq_f32(self.0, self.0)))
    }
    #[inline(always)]
    fn mask_or(a: uint32x4_t, b: uint32x4_t) -> uint32x4_t {
        neon!(vorrq_u32(a, b))
    }
    #[inline(always)]
    fn any(m: uint32x4_t) -> bool {
        neon!(vmaxvq_u32(m)) != 0
    }
    #[inline(always)]
    fn select(m: uint32x4_t, a: Self, b: Self) -> Self {
        F32x4(neon!(vbslq_f32(m, a.0, b.0)))
    }
    #[inline(always)]
    fn reduce_sum(self) -> f32 {
        // Pairwise: (l0 + l1) + (l2 + l3).
        neon!(vaddvq_f32(self.0))
    }

    type Wide = F64x2;

    #[inline(always)]
    fn eval_wide<const N: usize, F: WideFn<N>>(inputs: [Self; N], f: F) -> Self {
        let lo = f.eval::<_, Single>(inputs.map(|v| F64x2(neon!(vcvt_f64_f32(vget_low_f32(v.0))))));
        let hi = f.eval::<_, Single>(inputs.map(|v| F64x2(neon!(vcvt_high_f64_f32(v.0)))));
        F32x4(neon!(vcvt_high_f32_f64(vcvt_f32_f64(lo.0), hi.0)))
    }
}

impl Vector for F64x2 {
    type Elem = f64;
    type Mask = uint64x2_t;
    const LANES: usize = 2;

    #[inline(always)]
    fn splat(x: f64) -> Self {
        F64x2(neon!(vdupq_n_f64(x)))
    }
    #[inline(always)]
    unsafe fn load(ptr: *const f64) -> Self {
        F64x2(neon!(vld1q_f64(ptr)))
    }
    #[inline(always)]
    unsafe fn load_partial(ptr: *const f64, n: usize) -> Self {
        debug_assert!(n < Self::LANES);
        let mut buf = [0.0f64; 2];
        // SAFETY: the caller guarantees `ptr` is valid for `n` reads and `n < 2`, so the copy
        // stays inside both the source and `buf`; nothing past `ptr + n` is read.
        unsafe { core::ptr::copy_nonoverlapping(ptr, buf.as_mut_ptr(), n) };
        F64x2(neon!(vld1q_f64(buf.as_ptr())))
    }
    #[inline(always)]
    unsafe fn store(self, ptr: *mut f64) {
        neon!(vst1q_f64(ptr, self.0))
    }
    #[inline(always)]
    unsafe fn store_partial(self, ptr: *mut f64, n: usize) {
        debug_assert!(n < Self::LANES);
        let mut buf = [0.0f64; 2];
        neon!(vst1q_f64(buf.as_mut_ptr(), self.0));
        // SAFETY: the caller guarantees `ptr` is valid for `n` writes and `n < 2`, so the copy
        // stays inside both `buf` and the destination; nothing past `ptr + n` is written.
        unsafe { core::ptr::copy_nonoverlapping(buf.as_ptr(), ptr, n) };
    }
    #[inline(always)]
    unsafe fn store_stream(self, ptr: *mut f64) {
        // No non-temporal store intrinsic on NEON (`stnp` is not exposed): a plain store.
        neon!(vst1q_f64(ptr, self.0))
    }
    #[inline(always)]
    fn stream_fence() {
        // The stores above are plain stores, already ordered in program order: nothing to do.
    }
    #[inline(always)]
    fn add(self, b: Self) -> Self {
        F64x2(neon!(vaddq_f64(self.0, b.0)))
    }
    #[inline(always)]
    fn sub(self, b: Self) -> Self {
        F64x2(neon!(vsubq_f64(self.0, b.0)))
    }
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        F64x2(neon!(vmulq_f64(self.0, b.0)))
    }
    #[inline(always)]
    fn div(self, b: Self) -> Self {
        F64x2(neon!(vdivq_f64(self.0, b.0)))
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        F64x2(neon!(vfmaq_f64(c.0, self.0, b.0)))
    }
    #[inline(always)]
    fn neg(self) -> Self {
        F64x2(neon!(vnegq_f64(self.0)))
    }
    #[inline(always)]
    fn abs(self) -> Self {
        F64x2(neon!(vabsq_f64(self.0)))
    }
    #[inline(always)]
    fn clamp_min(self, lo: Self) -> Self {
        F64x2(neon!(vbslq_f64(vcltq_f64(self.0, lo.0), lo.0, self.0)))
    }
    #[inline(always)]
    fn clamp_max(self, hi: Self) -> Self {
        F64x2(neon!(vbslq_f64(vcgtq_f64(self.0, hi.0), hi.0, self.0)))
    }
    #[inline(always)]
    fn round(self) -> Self {
        F64x2(neon!(vrndnq_f64(self.0)))
    }
    #[inline(always)]
    fn shift_into_exponent(self) -> Self {
        F64x2(neon!(vreinterpretq_f64_u64(vshlq_n_u64::<52>(
            vreinterpretq_u64_f64(self.0)
        ))))
    }
    #[inline(always)]
    fn lt(self, b: Self) -> uint64x2_t {
        neon!(vcltq_f64(self.0, b.0))
    }
    #[inline(always)]
    fn le(self, b: Self) -> uint64x2_t {
        neon!(vcleq_f64(self.0, b.0))
    }
    #[inline(always)]
    fn gt(self, b: Self) -> uint64x2_t {
        neon!(vcgtq_f64(self.0, b.0))
    }
    #[inline(always)]
    fn is_nan(self) -> uint64x2_t {
        // No vmvnq_u64: invert the same bits viewed as u32 lanes.
        neon!(vreinterpretq_u64_u32(vmvnq_u32(vreinterpretq_u32_u64(
            vceqq_f64(self.0, self.0)
        ))))
    }
    #[inline(always)]
    fn mask_or(a: uint64x2_t, b: uint64x2_t) -> uint64x2_t {
        neon!(vorrq_u64(a, b))
    }
    #[inline(always)]
    fn any(m: uint64x2_t) -> bool {
        // No vmaxvq_u64: a set u64 lane is two set u32 lanes, so the u32 maximum is enough.
        neon!(vmaxvq_u32(vreinterpretq_u32_u64(m))) != 0
    }
    #[inline(always)]
    fn select(m: uint64x2_t, a: Self, b: Self) -> Self {
        F64x2(neon!(vbslq_f64(m, a.0, b.0)))
    }
    #[inline(always)]
    fn reduce_sum(self) -> f64 {
        neon!(vaddvq_f64(self.0))
    }

    type Wide = F64x2;

    #[inline(always)]
    fn eval_wide<const N: usize, F: WideFn<N>>(inputs: [Self; N], f: F) -> Self {
        f.eval::<_, Full>(inputs)
    }
}

// The lane-by-lane tests of F32x4 and F64x2 against the portable `Lane` are the shared suite
// in `conformance.rs` (the same for every ISA).

/// The fused bf16 path's lanes: widened by a shift of the 16-bit lanes into the high halves,
/// rounded to nearest even by integer steps (a NaN truncated and quieted). NEON has no stable
/// f16 conversion at the MSRV (`vcvt_f32_f16` needs the unstable `float16x4_t`), so f16 is
/// staged instead (`storage::fused::fused_on`); these forms still convert f16 correctly, lane
/// by lane. Used only under `storage::fused::dispatch`, after NEON was detected.
#[cfg(feature = "half")]
impl crate::storage::HalfLanes for F32x4 {
    #[inline(always)]
    unsafe fn load_half<H: crate::storage::Half>(ptr: *const u16) -> Self {
        if !H::BF16 {
            let mut lanes = [0.0f32; 4];
            for (k, lane) in lanes.iter_mut().enumerate() {
                // SAFETY: 4 readable elements at `ptr` (caller).
                *lane = H::widen_bits(unsafe { *ptr.add(k) });
            }
            return F32x4(neon!(vld1q_f32(lanes.as_ptr())));
        }
        // SAFETY: 4 readable elements at `ptr` (caller); NEON detected (above).
        F32x4(neon!(vreinterpretq_f32_u32(vshll_n_u16::<16>(vld1_u16(
            ptr
        )))))
    }
    #[inline(always)]
    unsafe fn store_half<H: crate::storage::Half>(self, ptr: *mut u16) {
        if !H::BF16 {
            let mut lanes = [0.0f32; 4];
            neon!(vst1q_f32(lanes.as_mut_ptr(), self.0));
            for (k, lane) in lanes.into_iter().enumerate() {
                // SAFETY: 4 writable elements at `ptr` (caller).
                unsafe { *ptr.add(k) = H::narrow_bits(lane) };
            }
            return;
        }
        neon!({
            let b = vreinterpretq_u32_f32(self.0);
            let top = vshrq_n_u32::<16>(b);
            let bias = vaddq_u32(vandq_u32(top, vdupq_n_u32(1)), vdupq_n_u32(0x7fff));
            let rounded = vshrq_n_u32::<16>(vaddq_u32(b, bias));
            let quiet = vorrq_u32(top, vdupq_n_u32(0x40));
            let ordered = vceqq_f32(self.0, self.0);
            // SAFETY (the store): 4 writable elements at `ptr` (caller).
            vst1_u16(ptr, vmovn_u32(vbslq_u32(ordered, rounded, quiet)))
        })
    }
    #[inline(always)]
    unsafe fn stream_half<H: crate::storage::Half>(self, ptr: *mut u16) {
        // No non-temporal store in NEON's stable intrinsics: an ordinary one.
        // SAFETY: as `store_half` (the caller's guarantees are a superset).
        unsafe { self.store_half::<H>(ptr) }
    }
}

#[cfg(feature = "half")]
impl crate::storage::fused::HalfSimd for Neon {
    type F32 = F32x4;
    type Narrow = Self;
}
