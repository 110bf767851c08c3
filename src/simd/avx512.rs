//! AVX-512 F: 16 x f32 / 8 x f64 in 512-bit registers, comparisons into mask registers,
//! masked loads and stores for the tails. (Unlike AVX2's `vmaskmov`, AVX-512 masking
//! suppresses faults of masked-off elements architecturally, on every vendor: the tails touch
//! nothing past `ptr + n`; `tests/guard_pages.rs` checks it where the CPU has AVX-512.)
//!
//! Invariant of this module: values of [`F32x16`] and [`F64x8`] exist only inside code reached
//! through `dispatch::run_avx512`, which runs only after AVX-512 F (and AVX2, FMA) were
//! detected, or `storage::fused::run_avx512`, after those and F16C. Every `unsafe` block below relies on it and, for memory accesses, on the caller's
//! pointer contract stated on the `Vector` trait.

// Compiled only when build.rs saw rustc >= 1.89, where these intrinsics are stable.
#![allow(clippy::incompatible_msrv)]

use super::{Simd, Vector, WideFn};
use crate::math::{Full, Single};
use core::arch::x86_64::*;

/// Token of the AVX-512 F ISA.
#[derive(Clone, Copy, Debug)]
pub struct Avx512;

impl Simd for Avx512 {
    type F32 = F32x16;
    type F64 = F64x8;
    type Narrow = super::avx2::Avx2;
}

/// Sixteen f32 lanes.
#[derive(Clone, Copy, Debug)]
pub struct F32x16(__m512);

/// Eight f64 lanes.
#[derive(Clone, Copy, Debug)]
pub struct F64x8(__m512d);

/// Wraps an intrinsic call: every use relies on the module invariant (AVX-512 F detected).
macro_rules! avx512 {
    ($e:expr) => {
        // SAFETY: AVX-512 F is available (module invariant); pointer arguments follow the
        // `Vector` trait's contract, which the caller upholds. Masked-off lanes of masked loads
        // and stores are not accessed.
        unsafe { $e }
    };
}

const ROUND_NEAREST: i32 = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;

impl Vector for F32x16 {
    type Elem = f32;
    type Mask = __mmask16;
    const LANES: usize = 16;

    #[inline(always)]
    fn splat(x: f32) -> Self {
        F32x16(avx512!(_mm512_set1_ps(x)))
    }
    #[inline(always)]
    unsafe fn load(ptr: *const f32) -> Self {
        F32x16(avx512!(_mm512_loadu_ps(ptr)))
    }
    #[inline(always)]
    unsafe fn load_partial(ptr: *const f32, n: usize) -> Self {
        F32x16(avx512!(_mm512_maskz_loadu_ps(
            first_lanes(n) as __mmask16,
            ptr
        )))
    }
    #[inline(always)]
    unsafe fn store(self, ptr: *mut f32) {
        avx512!(_mm512_storeu_ps(ptr, self.0))
    }
    #[inline(always)]
    unsafe fn store_partial(self, ptr: *mut f32, n: usize) {
        avx512!(_mm512_mask_storeu_ps(
            ptr,
            first_lanes(n) as __mmask16,
            self.0
        ))
    }
    #[inline(always)]
    unsafe fn store_stream(self, ptr: *mut f32) {
        avx512!(_mm512_stream_ps(ptr, self.0))
    }
    #[inline(always)]
    fn stream_fence() {
        avx512!(_mm_sfence())
    }
    #[inline(always)]
    fn add(self, b: Self) -> Self {
        F32x16(avx512!(_mm512_add_ps(self.0, b.0)))
    }
    #[inline(always)]
    fn sub(self, b: Self) -> Self {
        F32x16(avx512!(_mm512_sub_ps(self.0, b.0)))
    }
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        F32x16(avx512!(_mm512_mul_ps(self.0, b.0)))
    }
    #[inline(always)]
    fn div(self, b: Self) -> Self {
        F32x16(avx512!(_mm512_div_ps(self.0, b.0)))
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        F32x16(avx512!(_mm512_fmadd_ps(self.0, b.0, c.0)))
    }
    #[inline(always)]
    fn neg(self) -> Self {
        F32x16(avx512!(_mm512_castsi512_ps(_mm512_xor_si512(
            _mm512_castps_si512(self.0),
            _mm512_set1_epi32(i32::MIN)
        ))))
    }
    #[inline(always)]
    fn abs(self) -> Self {
        F32x16(avx512!(_mm512_abs_ps(self.0)))
    }
    #[inline(always)]
    fn clamp_min(self, lo: Self) -> Self {
        // vmaxps(a, b) is `a > b ? a : b`: `b` (self) on NaN and on equal zeros.
        F32x16(avx512!(_mm512_max_ps(lo.0, self.0)))
    }
    #[inline(always)]
    fn clamp_max(self, hi: Self) -> Self {
        F32x16(avx512!(_mm512_min_ps(hi.0, self.0)))
    }
    #[inline(always)]
    fn round(self) -> Self {
        F32x16(avx512!(_mm512_roundscale_ps::<ROUND_NEAREST>(self.0)))
    }
    #[inline(always)]
    fn shift_into_exponent(self) -> Self {
        F32x16(avx512!(_mm512_castsi512_ps(_mm512_slli_epi32::<23>(
            _mm512_castps_si512(self.0)
        ))))
    }
    #[inline(always)]
    fn lt(self, b: Self) -> __mmask16 {
        avx512!(_mm512_cmp_ps_mask::<_CMP_LT_OQ>(self.0, b.0))
    }
    #[inline(always)]
    fn le(self, b: Self) -> __mmask16 {
        avx512!(_mm512_cmp_ps_mask::<_CMP_LE_OQ>(self.0, b.0))
    }
    #[inline(always)]
    fn gt(self, b: Self) -> __mmask16 {
        avx512!(_mm512_cmp_ps_mask::<_CMP_GT_OQ>(self.0, b.0))
    }
    #[inline(always)]
    fn is_nan(self) -> __mmask16 {
        avx512!(_mm512_cmp_ps_mask::<_CMP_UNORD_Q>(self.0, self.0))
    }
    #[inline(always)]
    fn either_nan(self, b: Self) -> __mmask16 {
        avx512!(_mm512_cmp_ps_mask::<_CMP_UNORD_Q>(self.0, b.0))
    }
    #[inline(always)]
    fn mask_or(a: __mmask16, b: __mmask16) -> __mmask16 {
        a | b
    }
    #[inline(always)]
    fn any(m: __mmask16) -> bool {
        m != 0
    }
    #[inline(always)]
    fn select(m: __mmask16, a: Self, b: Self) -> Self {
        F32x16(avx512!(_mm512_mask_blend_ps(m, b.0, a.0)))
    }
    #[inline(always)]
    fn reduce_sum(self) -> f32 {
        avx512!(_mm512_reduce_add_ps(self.0))
    }

    #[inline(always)]
    fn lookup8(self, table: &[f32; 8]) -> Self {
        // vpermps reads the low four bits of each index lane: the table is repeated.
        let t = [
            table[0], table[1], table[2], table[3], table[4], table[5], table[6], table[7],
            table[0], table[1], table[2], table[3], table[4], table[5], table[6], table[7],
        ];
        F32x16(avx512!(_mm512_permutexvar_ps(
            _mm512_castps_si512(self.0),
            _mm512_loadu_ps(t.as_ptr())
        )))
    }
    #[inline(always)]
    fn exp2_from_table4(self, quarter: Self, table: &[f32; 4], _table_bits: &[f32; 4]) -> Self {
        // vscalefps: T[j] 2^floor(m/4), exact for a normal result (as the bit-pattern sum).
        F32x16(avx512!(_mm512_scalef_ps(self.lookup4(table).0, quarter.0)))
    }
    #[inline(always)]
    fn lookup4(self, table: &[f32; 4]) -> Self {
        // vpermilps reads the low two bits of each index lane, within each 128-bit quarter:
        // the table is repeated in all four.
        let t = [
            table[0], table[1], table[2], table[3], table[0], table[1], table[2], table[3],
            table[0], table[1], table[2], table[3], table[0], table[1], table[2], table[3],
        ];
        F32x16(avx512!(_mm512_permutevar_ps(
            _mm512_loadu_ps(t.as_ptr()),
            _mm512_castps_si512(self.0)
        )))
    }
    #[inline(always)]
    fn add_shifted_bits(self, k: Self) -> Self {
        F32x16(avx512!(_mm512_castsi512_ps(_mm512_add_epi32(
            _mm512_castps_si512(self.0),
            _mm512_slli_epi32::<21>(_mm512_castps_si512(k.0))
        ))))
    }
    #[inline(always)]
    fn or_sign(self, sign: Self) -> Self {
        // Integer forms: the float and/or need AVX-512 DQ.
        F32x16(avx512!(_mm512_castsi512_ps(_mm512_or_si512(
            _mm512_castps_si512(self.0),
            _mm512_and_si512(_mm512_castps_si512(sign.0), _mm512_set1_epi32(i32::MIN))
        ))))
    }
    #[inline(always)]
    fn quiet(self) -> Self {
        F32x16(avx512!(_mm512_castsi512_ps(_mm512_or_si512(
            _mm512_castps_si512(self.0),
            _mm512_set1_epi32(0x0040_0000)
        ))))
    }

    type Wide = F64x8;

    #[inline(always)]
    fn eval_wide<const N: usize, F: WideFn<N>>(inputs: [Self; N], f: F) -> Self {
        let lo = f.eval::<_, Single>(
            inputs.map(|v| F64x8(avx512!(_mm512_cvtps_pd(_mm512_castps512_ps256(v.0))))),
        );
        let hi = f.eval::<_, Single>(inputs.map(|v| {
            F64x8(avx512!(_mm512_cvtps_pd(_mm256_castpd_ps(
                _mm512_extractf64x4_pd::<1>(_mm512_castps_pd(v.0))
            ))))
        }));
        let (lo, hi) = avx512!((_mm512_cvtpd_ps(lo.0), _mm512_cvtpd_ps(hi.0)));
        F32x16(avx512!(_mm512_castpd_ps(_mm512_insertf64x4::<1>(
            _mm512_castps_pd(_mm512_castps256_ps512(lo)),
            _mm256_castps_pd(hi)
        ))))
    }
}

impl Vector for F64x8 {
    type Elem = f64;
    type Mask = __mmask8;
    const LANES: usize = 8;

    #[inline(always)]
    fn splat(x: f64) -> Self {
        F64x8(avx512!(_mm512_set1_pd(x)))
    }
    #[inline(always)]
    unsafe fn load(ptr: *const f64) -> Self {
        F64x8(avx512!(_mm512_loadu_pd(ptr)))
    }
    #[inline(always)]
    unsafe fn load_partial(ptr: *const f64, n: usize) -> Self {
        F64x8(avx512!(_mm512_maskz_loadu_pd(
            first_lanes(n) as __mmask8,
            ptr
        )))
    }
    #[inline(always)]
    unsafe fn store(self, ptr: *mut f64) {
        avx512!(_mm512_storeu_pd(ptr, self.0))
    }
    #[inline(always)]
    unsafe fn store_partial(self, ptr: *mut f64, n: usize) {
        avx512!(_mm512_mask_storeu_pd(
            ptr,
            first_lanes(n) as __mmask8,
            self.0
        ))
    }
    #[inline(always)]
    unsafe fn store_stream(self, ptr: *mut f64) {
        avx512!(_mm512_stream_pd(ptr, self.0))
    }
    #[inline(always)]
    fn stream_fence() {
        avx512!(_mm_sfence())
    }
    #[inline(always)]
    fn add(self, b: Self) -> Self {
        F64x8(avx512!(_mm512_add_pd(self.0, b.0)))
    }
    #[inline(always)]
    fn sub(self, b: Self) -> Self {
        F64x8(avx512!(_mm512_sub_pd(self.0, b.0)))
    }
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        F64x8(avx512!(_mm512_mul_pd(self.0, b.0)))
    }
    #[inline(always)]
    fn div(self, b: Self) -> Self {
        F64x8(avx512!(_mm512_div_pd(self.0, b.0)))
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        F64x8(avx512!(_mm512_fmadd_pd(self.0, b.0, c.0)))
    }
    #[inline(always)]
    fn neg(self) -> Self {
        F64x8(avx512!(_mm512_castsi512_pd(_mm512_xor_si512(
            _mm512_castpd_si512(self.0),
            _mm512_set1_epi64(i64::MIN)
        ))))
    }
    #[inline(always)]
    fn abs(self) -> Self {
        F64x8(avx512!(_mm512_abs_pd(self.0)))
    }
    #[inline(always)]
    fn clamp_min(self, lo: Self) -> Self {
        F64x8(avx512!(_mm512_max_pd(lo.0, self.0)))
    }
    #[inline(always)]
    fn clamp_max(self, hi: Self) -> Self {
        F64x8(avx512!(_mm512_min_pd(hi.0, self.0)))
    }
    #[inline(always)]
    fn round(self) -> Self {
        F64x8(avx512!(_mm512_roundscale_pd::<ROUND_NEAREST>(self.0)))
    }
    #[inline(always)]
    fn shift_into_exponent(self) -> Self {
        F64x8(avx512!(_mm512_castsi512_pd(_mm512_slli_epi64::<52>(
            _mm512_castpd_si512(self.0)
        ))))
    }
    #[inline(always)]
    fn lt(self, b: Self) -> __mmask8 {
        avx512!(_mm512_cmp_pd_mask::<_CMP_LT_OQ>(self.0, b.0))
    }
    #[inline(always)]
    fn le(self, b: Self) -> __mmask8 {
        avx512!(_mm512_cmp_pd_mask::<_CMP_LE_OQ>(self.0, b.0))
    }
    #[inline(always)]
    fn gt(self, b: Self) -> __mmask8 {
        avx512!(_mm512_cmp_pd_mask::<_CMP_GT_OQ>(self.0, b.0))
    }
    #[inline(always)]
    fn is_nan(self) -> __mmask8 {
        avx512!(_mm512_cmp_pd_mask::<_CMP_UNORD_Q>(self.0, self.0))
    }
    #[inline(always)]
    fn either_nan(self, b: Self) -> __mmask8 {
        avx512!(_mm512_cmp_pd_mask::<_CMP_UNORD_Q>(self.0, b.0))
    }
    #[inline(always)]
    fn mask_or(a: __mmask8, b: __mmask8) -> __mmask8 {
        a | b
    }
    #[inline(always)]
    fn any(m: __mmask8) -> bool {
        m != 0
    }
    #[inline(always)]
    fn select(m: __mmask8, a: Self, b: Self) -> Self {
        F64x8(avx512!(_mm512_mask_blend_pd(m, b.0, a.0)))
    }
    #[inline(always)]
    fn reduce_sum(self) -> f64 {
        avx512!(_mm512_reduce_add_pd(self.0))
    }

    type Wide = F64x8;

    #[inline(always)]
    fn eval_wide<const N: usize, F: WideFn<N>>(inputs: [Self; N], f: F) -> Self {
        f.eval::<_, Full>(inputs)
    }
    #[inline(always)]
    fn quiet(self) -> Self {
        F64x8(avx512!(_mm512_castsi512_pd(_mm512_or_si512(
            _mm512_castpd_si512(self.0),
            _mm512_set1_epi64(1 << 51)
        ))))
    }
}

/// Mask with the low `n` bits set (`n < 16`).
#[inline(always)]
fn first_lanes(n: usize) -> u32 {
    (1u32 << n) - 1
}

/// The fused bf16/f16 path's lanes: bf16 by integer shifts and rounding, f16 by `vcvtph2ps`
/// and `vcvtps2ph` on 16 lanes. Used only under `storage::fused::dispatch`, which runs after
/// AVX-512 F, AVX2, FMA and F16C were detected.
#[cfg(feature = "half")]
impl crate::storage::HalfLanes for F32x16 {
    #[inline(always)]
    unsafe fn load_half<H: crate::storage::Half>(ptr: *const u16) -> Self {
        // SAFETY: 16 readable elements at `ptr` (caller); AVX-512 F detected (above).
        unsafe {
            let h = _mm256_loadu_si256(ptr.cast());
            F32x16(if H::BF16 {
                _mm512_castsi512_ps(_mm512_slli_epi32::<16>(_mm512_cvtepu16_epi32(h)))
            } else {
                _mm512_cvtph_ps(h)
            })
        }
    }
    #[inline(always)]
    unsafe fn store_half<H: crate::storage::Half>(self, ptr: *mut u16) {
        // SAFETY: 16 writable elements at `ptr` (caller); the features as above.
        unsafe { _mm256_storeu_si256(ptr.cast(), crate::storage::round_sixteen::<H>(self.0)) }
    }
    #[inline(always)]
    unsafe fn stream_half<H: crate::storage::Half>(self, ptr: *mut u16) {
        // SAFETY: as `store_half`, and `ptr` is 32-byte aligned (caller).
        unsafe { _mm256_stream_si256(ptr.cast(), crate::storage::round_sixteen::<H>(self.0)) }
    }
    // bf16 results known to be exact (truncated) or NaN-free (rounded without the NaN
    // blend), each vector narrowed by `vpmovdw`; f16 as `store_half`.
    #[inline(always)]
    unsafe fn store_half_pair_known<H: crate::storage::Half, const EXACT: bool>(
        a: Self,
        b: Self,
        ptr: *mut u16,
        stream: bool,
    ) {
        if !H::BF16 {
            // SAFETY: as `store_half_pair` (and `stream_half_pair` where `stream`).
            unsafe {
                if stream {
                    Self::stream_half_pair::<H>(a, b, ptr);
                } else {
                    Self::store_half_pair::<H>(a, b, ptr);
                }
            }
            return;
        }
        let (ra, rb) = (bf16_known::<EXACT>(a.0), bf16_known::<EXACT>(b.0));
        // SAFETY: 32 writable elements at `ptr` (caller); 32-byte aligned where `stream`.
        unsafe {
            if stream {
                _mm256_stream_si256(ptr.cast(), ra);
                _mm256_stream_si256(ptr.add(16).cast(), rb);
            } else {
                _mm256_storeu_si256(ptr.cast(), ra);
                _mm256_storeu_si256(ptr.add(16).cast(), rb);
            }
        }
    }
}

/// Sixteen f32 known to be exact in bf16 or quiet NaNs (`EXACT`: truncated) or to hold no NaN
/// (rounded to nearest even without the NaN steps), narrowed to bf16 bits.
#[cfg(feature = "half")]
#[inline(always)]
fn bf16_known<const EXACT: bool>(x: __m512) -> __m256i {
    avx512!({
        let bits = _mm512_castps_si512(x);
        let top = if EXACT {
            _mm512_srli_epi32::<16>(bits)
        } else {
            let lsb = _mm512_and_si512(_mm512_srli_epi32::<16>(bits), _mm512_set1_epi32(1));
            let bias = _mm512_add_epi32(lsb, _mm512_set1_epi32(0x7fff));
            _mm512_srli_epi32::<16>(_mm512_add_epi32(bits, bias))
        };
        // Every lane is <= 0xffff, so the truncating narrowing keeps it.
        _mm512_cvtepi32_epi16(top)
    })
}

#[cfg(feature = "half")]
impl crate::storage::fused::HalfSimd for Avx512 {
    type F32 = F32x16;
    type Narrow = super::avx2::Avx2;
}
