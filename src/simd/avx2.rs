//! AVX2 + FMA: 8 x f32 / 4 x f64 in 256-bit registers.
//!
//! The partial loads and stores of the tails access exactly the `n` valid elements, in pieces
//! of 4, 2 and 1 elements (f32) or 2 and 1 (f64) taken by the bits of `n` and assembled in
//! registers: nothing past `ptr + n` is touched on any CPU. (`vmaskmovps` over a full window
//! is shorter, but only Intel promises that its masked-off lanes never fault; AMD documents
//! their fault behaviour as implementation dependent. A stack buffer, as on NEON, was measured
//! up to 2x slower for short slices here: a `memcpy` call and a failed store-to-load
//! forwarding per tail. `tests/guard_pages.rs` puts every buffer against a `PROT_NONE` page.)
//!
//! Invariant of this module: values of [`F32x8`] and [`F64x4`] exist only inside code reached
//! through `dispatch::run_avx2`, which runs only after AVX2 and FMA were detected, or through
//! `dispatch::run_avx512` (as `Avx512`'s [`Simd::Narrow`]), which runs only after AVX-512 F,
//! AVX2 and FMA were detected, or through `storage::fused`'s `run_avx2` and `run_avx512`,
//! which run only after those and F16C were detected (the bf16/f16 lanes). Every
//! `unsafe` block below relies on it (the intrinsics need those CPU features) and, for memory
//! accesses, on the caller's pointer contract stated on the `Vector` trait.

use super::{Simd, Vector, WideFn};
use crate::math::{Full, Single};
use core::arch::x86_64::*;

/// Token of the AVX2 + FMA ISA.
#[derive(Clone, Copy, Debug)]
pub struct Avx2;

impl Simd for Avx2 {
    type F32 = F32x8;
    type F64 = F64x4;
    type Narrow = Self;
}

/// Eight f32 lanes.
#[derive(Clone, Copy, Debug)]
pub struct F32x8(__m256);

/// Four f64 lanes.
#[derive(Clone, Copy, Debug)]
pub struct F64x4(__m256d);

/// Wraps an intrinsic call: every use relies on the module invariant (AVX2 + FMA detected).
macro_rules! avx {
    ($e:expr) => {
        // SAFETY: AVX2 and FMA are available (module invariant); pointer arguments follow the
        // `Vector` trait's contract, which the caller upholds.
        unsafe { $e }
    };
}

impl Vector for F32x8 {
    type Elem = f32;
    type Mask = __m256;
    const LANES: usize = 8;

    #[inline(always)]
    fn splat(x: f32) -> Self {
        F32x8(avx!(_mm256_set1_ps(x)))
    }
    #[inline(always)]
    unsafe fn load(ptr: *const f32) -> Self {
        F32x8(avx!(_mm256_loadu_ps(ptr)))
    }
    #[inline(always)]
    unsafe fn load_partial(ptr: *const f32, n: usize) -> Self {
        debug_assert!(n < 8);
        // From the end: the odd element, the pair before it, then the leading four. Each
        // piece lies inside `ptr[..n]`.
        let mut rest = n;
        let mut v = avx!(_mm_setzero_ps());
        if n & 1 != 0 {
            rest -= 1;
            // SAFETY: element `rest < n` is valid (caller) and aligned for f32.
            let last = unsafe { ptr.add(rest).read() };
            v = avx!(_mm_set_ss(last));
        }
        if n & 2 != 0 {
            rest -= 2;
            // SAFETY: elements `rest, rest + 1 < n` are valid (caller); unaligned read.
            let pair = unsafe { ptr.add(rest).cast::<i64>().read_unaligned() };
            v = avx!(_mm_movelh_ps(_mm_castsi128_ps(_mm_cvtsi64_si128(pair)), v));
        }
        F32x8(if n & 4 != 0 {
            // SAFETY: elements 0..4 < n are valid (caller); `loadu` has no alignment need.
            avx!(_mm256_set_m128(v, _mm_loadu_ps(ptr)))
        } else {
            avx!(_mm256_set_m128(_mm_setzero_ps(), v))
        })
    }
    #[inline(always)]
    unsafe fn store(self, ptr: *mut f32) {
        avx!(_mm256_storeu_ps(ptr, self.0))
    }
    #[inline(always)]
    unsafe fn store_partial(self, ptr: *mut f32, n: usize) {
        debug_assert!(n < 8);
        // From the start: four, two, one; `v` holds the lanes not yet written, lowest first.
        let mut done = 0;
        let mut v = avx!(_mm256_castps256_ps128(self.0));
        if n & 4 != 0 {
            // SAFETY: elements 0..4 < n are valid for writes (caller); `storeu` is unaligned.
            avx!(_mm_storeu_ps(ptr, v));
            v = avx!(_mm256_extractf128_ps::<1>(self.0));
            done = 4;
        }
        if n & 2 != 0 {
            let pair = avx!(_mm_cvtsi128_si64(_mm_castps_si128(v)));
            // SAFETY: elements `done, done + 1 < n` are valid for writes (caller); unaligned.
            unsafe { ptr.add(done).cast::<i64>().write_unaligned(pair) };
            v = avx!(_mm_movehl_ps(v, v));
            done += 2;
        }
        if n & 1 != 0 {
            let last = avx!(_mm_cvtss_f32(v));
            // SAFETY: element `done < n` is valid for writes (caller) and aligned for f32.
            unsafe { ptr.add(done).write(last) };
        }
    }
    #[inline(always)]
    unsafe fn store_stream(self, ptr: *mut f32) {
        avx!(_mm256_stream_ps(ptr, self.0))
    }
    #[inline(always)]
    fn stream_fence() {
        avx!(_mm_sfence())
    }
    #[inline(always)]
    fn add(self, b: Self) -> Self {
        F32x8(avx!(_mm256_add_ps(self.0, b.0)))
    }
    #[inline(always)]
    fn sub(self, b: Self) -> Self {
        F32x8(avx!(_mm256_sub_ps(self.0, b.0)))
    }
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        F32x8(avx!(_mm256_mul_ps(self.0, b.0)))
    }
    #[inline(always)]
    fn div(self, b: Self) -> Self {
        F32x8(avx!(_mm256_div_ps(self.0, b.0)))
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        F32x8(avx!(_mm256_fmadd_ps(self.0, b.0, c.0)))
    }
    #[inline(always)]
    fn neg(self) -> Self {
        F32x8(avx!(_mm256_xor_ps(self.0, _mm256_set1_ps(-0.0))))
    }
    #[inline(always)]
    fn abs(self) -> Self {
        F32x8(avx!(_mm256_andnot_ps(_mm256_set1_ps(-0.0), self.0)))
    }
    #[inline(always)]
    fn clamp_min(self, lo: Self) -> Self {
        // maxps(a, b) is `a > b ? a : b`: it returns `b` (self) on NaN and on equal zeros.
        F32x8(avx!(_mm256_max_ps(lo.0, self.0)))
    }
    #[inline(always)]
    fn clamp_max(self, hi: Self) -> Self {
        // minps(a, b) is `a < b ? a : b`: it returns `b` (self) on NaN and on equal zeros.
        F32x8(avx!(_mm256_min_ps(hi.0, self.0)))
    }
    #[inline(always)]
    fn round(self) -> Self {
        F32x8(avx!(_mm256_round_ps::<
            { _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC },
        >(self.0)))
    }
    #[inline(always)]
    fn shift_into_exponent(self) -> Self {
        F32x8(avx!(_mm256_castsi256_ps(_mm256_slli_epi32::<23>(
            _mm256_castps_si256(self.0)
        ))))
    }
    #[inline(always)]
    fn lt(self, b: Self) -> __m256 {
        avx!(_mm256_cmp_ps::<_CMP_LT_OQ>(self.0, b.0))
    }
    #[inline(always)]
    fn le(self, b: Self) -> __m256 {
        avx!(_mm256_cmp_ps::<_CMP_LE_OQ>(self.0, b.0))
    }
    #[inline(always)]
    fn gt(self, b: Self) -> __m256 {
        avx!(_mm256_cmp_ps::<_CMP_GT_OQ>(self.0, b.0))
    }
    #[inline(always)]
    fn is_nan(self) -> __m256 {
        avx!(_mm256_cmp_ps::<_CMP_UNORD_Q>(self.0, self.0))
    }
    #[inline(always)]
    fn either_nan(self, b: Self) -> __m256 {
        avx!(_mm256_cmp_ps::<_CMP_UNORD_Q>(self.0, b.0))
    }
    #[inline(always)]
    fn mask_or(a: __m256, b: __m256) -> __m256 {
        avx!(_mm256_or_ps(a, b))
    }
    #[inline(always)]
    fn any(m: __m256) -> bool {
        avx!(_mm256_movemask_ps(m)) != 0
    }
    #[inline(always)]
    fn select(m: __m256, a: Self, b: Self) -> Self {
        F32x8(avx!(_mm256_blendv_ps(b.0, a.0, m)))
    }
    #[inline(always)]
    fn reduce_sum(self) -> f32 {
        avx!({
            let s = _mm_add_ps(
                _mm256_castps256_ps128(self.0),
                _mm256_extractf128_ps::<1>(self.0),
            );
            let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
            let s = _mm_add_ss(s, _mm_movehdup_ps(s));
            _mm_cvtss_f32(s)
        })
    }

    #[inline(always)]
    fn lookup8(self, table: &[f32; 8]) -> Self {
        // vpermps reads the low three bits of each index lane.
        F32x8(avx!(_mm256_permutevar8x32_ps(
            _mm256_loadu_ps(table.as_ptr()),
            _mm256_castps_si256(self.0)
        )))
    }
    #[inline(always)]
    fn lookup4(self, table: &[f32; 4]) -> Self {
        // vpermilps reads the low two bits of each index lane, within each 128-bit half:
        // the table is repeated in both halves.
        let t = [
            table[0], table[1], table[2], table[3], table[0], table[1], table[2], table[3],
        ];
        F32x8(avx!(_mm256_permutevar_ps(
            _mm256_loadu_ps(t.as_ptr()),
            _mm256_castps_si256(self.0)
        )))
    }
    #[inline(always)]
    fn add_shifted_bits(self, k: Self) -> Self {
        F32x8(avx!(_mm256_castsi256_ps(_mm256_add_epi32(
            _mm256_castps_si256(self.0),
            _mm256_slli_epi32::<21>(_mm256_castps_si256(k.0))
        ))))
    }
    #[inline(always)]
    fn or_sign(self, sign: Self) -> Self {
        F32x8(avx!(_mm256_or_ps(
            self.0,
            _mm256_and_ps(sign.0, _mm256_set1_ps(-0.0))
        )))
    }
    #[inline(always)]
    fn quiet(self) -> Self {
        F32x8(avx!(_mm256_or_ps(
            self.0,
            _mm256_castsi256_ps(_mm256_set1_epi32(0x0040_0000))
        )))
    }

    type Wide = F64x4;

    #[inline(always)]
    fn eval_wide<const N: usize, F: WideFn<N>>(inputs: [Self; N], f: F) -> Self {
        let lo = f.eval::<_, Single>(
            inputs.map(|v| F64x4(avx!(_mm256_cvtps_pd(_mm256_castps256_ps128(v.0))))),
        );
        let hi = f.eval::<_, Single>(
            inputs.map(|v| F64x4(avx!(_mm256_cvtps_pd(_mm256_extractf128_ps::<1>(v.0))))),
        );
        F32x8(avx!(_mm256_set_m128(
            _mm256_cvtpd_ps(hi.0),
            _mm256_cvtpd_ps(lo.0)
        )))
    }
}

impl Vector for F64x4 {
    type Elem = f64;
    type Mask = __m256d;
    const LANES: usize = 4;

    #[inline(always)]
    fn splat(x: f64) -> Self {
        F64x4(avx!(_mm256_set1_pd(x)))
    }
    #[inline(always)]
    unsafe fn load(ptr: *const f64) -> Self {
        F64x4(avx!(_mm256_loadu_pd(ptr)))
    }
    #[inline(always)]
    unsafe fn load_partial(ptr: *const f64, n: usize) -> Self {
        debug_assert!(n < 4);
        let mut v = avx!(_mm_setzero_pd());
        if n & 1 != 0 {
            // SAFETY: element `n - 1` is valid (caller) and aligned for f64.
            let last = unsafe { ptr.add(n - 1).read() };
            v = avx!(_mm_set_sd(last));
        }
        F64x4(if n & 2 != 0 {
            // SAFETY: elements 0, 1 < n are valid (caller); `loadu` has no alignment need.
            avx!(_mm256_set_m128d(v, _mm_loadu_pd(ptr)))
        } else {
            avx!(_mm256_set_m128d(_mm_setzero_pd(), v))
        })
    }
    #[inline(always)]
    unsafe fn store(self, ptr: *mut f64) {
        avx!(_mm256_storeu_pd(ptr, self.0))
    }
    #[inline(always)]
    unsafe fn store_partial(self, ptr: *mut f64, n: usize) {
        debug_assert!(n < 4);
        let mut done = 0;
        let mut v = avx!(_mm256_castpd256_pd128(self.0));
        if n & 2 != 0 {
            // SAFETY: elements 0, 1 < n are valid for writes (caller); `storeu` is unaligned.
            avx!(_mm_storeu_pd(ptr, v));
            v = avx!(_mm256_extractf128_pd::<1>(self.0));
            done = 2;
        }
        if n & 1 != 0 {
            let last = avx!(_mm_cvtsd_f64(v));
            // SAFETY: element `done < n` is valid for writes (caller) and aligned for f64.
            unsafe { ptr.add(done).write(last) };
        }
    }
    #[inline(always)]
    unsafe fn store_stream(self, ptr: *mut f64) {
        avx!(_mm256_stream_pd(ptr, self.0))
    }
    #[inline(always)]
    fn stream_fence() {
        avx!(_mm_sfence())
    }
    #[inline(always)]
    fn add(self, b: Self) -> Self {
        F64x4(avx!(_mm256_add_pd(self.0, b.0)))
    }
    #[inline(always)]
    fn sub(self, b: Self) -> Self {
        F64x4(avx!(_mm256_sub_pd(self.0, b.0)))
    }
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        F64x4(avx!(_mm256_mul_pd(self.0, b.0)))
    }
    #[inline(always)]
    fn div(self, b: Self) -> Self {
        F64x4(avx!(_mm256_div_pd(self.0, b.0)))
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        F64x4(avx!(_mm256_fmadd_pd(self.0, b.0, c.0)))
    }
    #[inline(always)]
    fn neg(self) -> Self {
        F64x4(avx!(_mm256_xor_pd(self.0, _mm256_set1_pd(-0.0))))
    }
    #[inline(always)]
    fn abs(self) -> Self {
        F64x4(avx!(_mm256_andnot_pd(_mm256_set1_pd(-0.0), self.0)))
    }
    #[inline(always)]
    fn clamp_min(self, lo: Self) -> Self {
        F64x4(avx!(_mm256_max_pd(lo.0, self.0)))
    }
    #[inline(always)]
    fn clamp_max(self, hi: Self) -> Self {
        F64x4(avx!(_mm256_min_pd(hi.0, self.0)))
    }
    #[inline(always)]
    fn round(self) -> Self {
        F64x4(avx!(_mm256_round_pd::<
            { _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC },
        >(self.0)))
    }
    #[inline(always)]
    fn shift_into_exponent(self) -> Self {
        F64x4(avx!(_mm256_castsi256_pd(_mm256_slli_epi64::<52>(
            _mm256_castpd_si256(self.0)
        ))))
    }
    #[inline(always)]
    fn lt(self, b: Self) -> __m256d {
        avx!(_mm256_cmp_pd::<_CMP_LT_OQ>(self.0, b.0))
    }
    #[inline(always)]
    fn le(self, b: Self) -> __m256d {
        avx!(_mm256_cmp_pd::<_CMP_LE_OQ>(self.0, b.0))
    }
    #[inline(always)]
    fn gt(self, b: Self) -> __m256d {
        avx!(_mm256_cmp_pd::<_CMP_GT_OQ>(self.0, b.0))
    }
    #[inline(always)]
    fn is_nan(self) -> __m256d {
        avx!(_mm256_cmp_pd::<_CMP_UNORD_Q>(self.0, self.0))
    }
    #[inline(always)]
    fn either_nan(self, b: Self) -> __m256d {
        avx!(_mm256_cmp_pd::<_CMP_UNORD_Q>(self.0, b.0))
    }
    #[inline(always)]
    fn mask_or(a: __m256d, b: __m256d) -> __m256d {
        avx!(_mm256_or_pd(a, b))
    }
    #[inline(always)]
    fn any(m: __m256d) -> bool {
        avx!(_mm256_movemask_pd(m)) != 0
    }
    #[inline(always)]
    fn select(m: __m256d, a: Self, b: Self) -> Self {
        F64x4(avx!(_mm256_blendv_pd(b.0, a.0, m)))
    }
    #[inline(always)]
    fn reduce_sum(self) -> f64 {
        avx!({
            let s = _mm_add_pd(
                _mm256_castpd256_pd128(self.0),
                _mm256_extractf128_pd::<1>(self.0),
            );
            _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)))
        })
    }

    type Wide = F64x4;

    #[inline(always)]
    fn eval_wide<const N: usize, F: WideFn<N>>(inputs: [Self; N], f: F) -> Self {
        f.eval::<_, Full>(inputs)
    }
    #[inline(always)]
    fn quiet(self) -> Self {
        F64x4(avx!(_mm256_or_pd(
            self.0,
            _mm256_castsi256_pd(_mm256_set1_epi64x(1 << 51))
        )))
    }
}

/// The fused bf16/f16 path's lanes: bf16 by integer shifts and rounding, f16 by F16C. Used
/// only under `storage::fused::dispatch`, which runs after AVX2, FMA and F16C were detected.
#[cfg(feature = "half")]
impl crate::storage::HalfLanes for F32x8 {
    #[inline(always)]
    unsafe fn load_half<H: crate::storage::Half>(ptr: *const u16) -> Self {
        // SAFETY: 8 readable elements at `ptr` (caller); AVX2 and F16C detected (above).
        unsafe {
            let h = _mm_loadu_si128(ptr.cast());
            F32x8(if H::BF16 {
                _mm256_castsi256_ps(_mm256_slli_epi32::<16>(_mm256_cvtepu16_epi32(h)))
            } else {
                _mm256_cvtph_ps(h)
            })
        }
    }
    #[inline(always)]
    unsafe fn store_half<H: crate::storage::Half>(self, ptr: *mut u16) {
        // SAFETY: 8 writable elements at `ptr` (caller); the features as above.
        unsafe { _mm_storeu_si128(ptr.cast(), crate::storage::round_eight::<H>(self.0)) }
    }
    #[inline(always)]
    unsafe fn stream_half<H: crate::storage::Half>(self, ptr: *mut u16) {
        // SAFETY: as `store_half`, and `ptr` is 16-byte aligned (caller).
        unsafe { _mm_stream_si128(ptr.cast(), crate::storage::round_eight::<H>(self.0)) }
    }
    // bf16 pairs: sixteen values in one load, each vector one unpack with zeros (in-lane:
    // the first holds elements 0-3 and 8-11, the second 4-7 and 12-15), and one in-lane
    // pack that restores the order on the way back. f16: the single forms.
    #[inline(always)]
    unsafe fn load_half_pair<H: crate::storage::Half>(ptr: *const u16) -> (Self, Self) {
        // SAFETY: 16 readable elements at `ptr` (caller); the features as above.
        unsafe {
            if !H::BF16 {
                return (Self::load_half::<H>(ptr), Self::load_half::<H>(ptr.add(8)));
            }
            let v = _mm256_loadu_si256(ptr.cast());
            let z = _mm256_setzero_si256();
            (
                F32x8(_mm256_castsi256_ps(_mm256_unpacklo_epi16(z, v))),
                F32x8(_mm256_castsi256_ps(_mm256_unpackhi_epi16(z, v))),
            )
        }
    }
    #[inline(always)]
    unsafe fn store_half_pair<H: crate::storage::Half>(a: Self, b: Self, ptr: *mut u16) {
        // SAFETY: 16 writable elements at `ptr` (caller); the features as above.
        unsafe {
            if !H::BF16 {
                a.store_half::<H>(ptr);
                b.store_half::<H>(ptr.add(8));
                return;
            }
            let r = _mm256_packus_epi32(bf16_of_quiet(a.0), bf16_of_quiet(b.0));
            _mm256_storeu_si256(ptr.cast(), r);
        }
    }
    #[inline(always)]
    unsafe fn stream_half_pair<H: crate::storage::Half>(a: Self, b: Self, ptr: *mut u16) {
        // SAFETY: as `store_half_pair`, and `ptr` is 32-byte aligned (caller).
        unsafe {
            if !H::BF16 {
                a.stream_half::<H>(ptr);
                b.stream_half::<H>(ptr.add(8));
                return;
            }
            let r = _mm256_packus_epi32(bf16_of_quiet(a.0), bf16_of_quiet(b.0));
            _mm256_stream_si256(ptr.cast(), r);
        }
    }
    #[inline(always)]
    unsafe fn store_half_pair_known<H: crate::storage::Half, const EXACT: bool>(
        a: Self,
        b: Self,
        ptr: *mut u16,
        stream: bool,
    ) {
        // SAFETY: as `store_half_pair` (and `stream_half_pair` where `stream`).
        unsafe {
            if !H::BF16 {
                if stream {
                    Self::stream_half_pair::<H>(a, b, ptr);
                } else {
                    Self::store_half_pair::<H>(a, b, ptr);
                }
                return;
            }
            let r = if EXACT {
                // Exact in bf16 (or a quiet NaN): the top sixteen bits are the result.
                _mm256_packus_epi32(
                    _mm256_srli_epi32::<16>(_mm256_castps_si256(a.0)),
                    _mm256_srli_epi32::<16>(_mm256_castps_si256(b.0)),
                )
            } else {
                _mm256_packus_epi32(bf16_of_non_nan(a.0), bf16_of_non_nan(b.0))
            };
            if stream {
                _mm256_stream_si256(ptr.cast(), r);
            } else {
                _mm256_storeu_si256(ptr.cast(), r);
            }
        }
    }
}

/// [`bf16_of_quiet`] for lanes that hold no NaN: the rounding alone (an infinity, and a
/// finite value that rounds past the largest bf16, come out as infinities).
#[cfg(feature = "half")]
#[inline(always)]
fn bf16_of_non_nan(x: __m256) -> __m256i {
    avx!({
        let b = _mm256_castps_si256(x);
        let lsb = _mm256_and_si256(_mm256_srli_epi32::<16>(b), _mm256_set1_epi32(1));
        let bias = _mm256_add_epi32(lsb, _mm256_set1_epi32(0x7fff));
        _mm256_srli_epi32::<16>(_mm256_add_epi32(b, bias))
    })
}

/// Eight f32 rounded to bf16 to nearest even, each in the low half of its 32-bit lane, for a
/// kernel's results: their NaNs are quiet (the crate's NaN rule), so a NaN needs only its
/// truncation (no carry into the exponent), not the quieting `storage::round_eight` adds
/// (one operation fewer, and no blend).
#[cfg(feature = "half")]
#[inline(always)]
fn bf16_of_quiet(x: __m256) -> __m256i {
    avx!({
        let b = _mm256_castps_si256(x);
        let lsb = _mm256_and_si256(_mm256_srli_epi32::<16>(b), _mm256_set1_epi32(1));
        let bias = _mm256_add_epi32(lsb, _mm256_set1_epi32(0x7fff));
        let nan = _mm256_castps_si256(_mm256_cmp_ps::<_CMP_UNORD_Q>(x, x));
        _mm256_srli_epi32::<16>(_mm256_add_epi32(b, _mm256_andnot_si256(nan, bias)))
    })
}

#[cfg(feature = "half")]
impl crate::storage::fused::HalfSimd for Avx2 {
    type F32 = F32x8;
    type Narrow = Self;
}
