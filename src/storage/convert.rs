//! The conversions between the 16-bit storage types and f32: widening is exact, narrowing
//! rounds once to nearest even (ties to even), NaN stays NaN with its sign and the top bits of
//! its payload, quieted. One portable form (integer operations on the bits, which LLVM
//! vectorizes, also for NEON) and, on x86-64 with AVX2, vector forms: F16C's `vcvtph2ps` /
//! `vcvtps2ph` for f16, shifts and an integer rounding for bf16. Every form gives the same
//! bits (the unit tests below compare them on every 16-bit pattern and on every f32 rounding
//! case).

use super::Half;
use core::mem::MaybeUninit;

/// bf16 bits to f32: the top half of the f32's bits.
#[inline(always)]
pub(crate) fn bf16_to_f32(b: u16) -> f32 {
    f32::from_bits((b as u32) << 16)
}

/// f32 to bf16 bits, to nearest even; NaN keeps its sign and top payload bits, quieted.
#[inline(always)]
pub(crate) fn f32_to_bf16(x: f32) -> u16 {
    let b = x.to_bits();
    if x.is_nan() {
        ((b >> 16) | 0x0040) as u16
    } else {
        // Adding 0x7fff plus the lowest kept bit rounds to nearest, ties to even; a carry into
        // the exponent is the correct result (up to infinity from the largest values).
        (b.wrapping_add(0x7fff + ((b >> 16) & 1)) >> 16) as u16
    }
}

/// f16 bits to f32 (exact; a signalling NaN comes back quieted, as `vcvtph2ps` does).
#[inline(always)]
pub(crate) fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h & 0x8000) as u32) << 16;
    let exp = (h >> 10) & 0x1f;
    let man = (h & 0x3ff) as u32;
    let bits = match exp {
        // Zero or subnormal: man * 2^-24, exact in f32.
        0 => {
            let magnitude = man as f32 * f32::from_bits(0x3380_0000); // man * 2^-24
            return f32::from_bits(magnitude.to_bits() | sign);
        }
        0x1f if man == 0 => sign | 0x7f80_0000,
        0x1f => sign | 0x7fc0_0000 | (man << 13),
        _ => sign | (((exp as u32) + 112) << 23) | (man << 13),
    };
    f32::from_bits(bits)
}

/// f32 to f16 bits, to nearest even (also into the subnormals, and to infinity from 65520
/// up); NaN keeps its sign and top payload bits, quieted.
#[inline(always)]
pub(crate) fn f32_to_f16(x: f32) -> u16 {
    let b = x.to_bits();
    let sign = ((b >> 16) & 0x8000) as u16;
    let a = b & 0x7fff_ffff;
    if a > 0x7f80_0000 {
        return sign | 0x7e00 | ((a >> 13) & 0x3ff) as u16;
    }
    if a >= 0x4780_0000 {
        // |x| >= 65536 (infinity included).
        return sign | 0x7c00;
    }
    if a >= 0x3880_0000 {
        // A normal f16 (|x| >= 2^-14): rebias the exponent, round off 13 bits; a carry
        // propagates into the exponent (65520 and up become infinity).
        let r = a - 0x3800_0000;
        return sign | (r.wrapping_add(0x0fff + ((r >> 13) & 1)) >> 13) as u16;
    }
    let e = a >> 23;
    if e < 102 {
        // |x| < 2^-25: rounds to zero.
        return sign;
    }
    // A subnormal f16: the value in units of 2^-24 is m * 2^(e - 126), rounded.
    let m = (a & 0x7f_ffff) | 0x80_0000;
    let shift = 126 - e;
    let q = m >> shift;
    let rem = m & ((1 << shift) - 1);
    let half = 1 << (shift - 1);
    let up = rem > half || (rem == half && q & 1 == 1);
    sign | (q + up as u32) as u16
}

/// Which conversion instructions a call uses.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Conv {
    /// Integer operations on the bits (vectorized by LLVM where the target allows).
    Portable,
    /// x86-64 AVX2 with F16C: `vcvtph2ps`/`vcvtps2ph` for f16, vector shifts for bf16.
    #[cfg(x86_simd)]
    F16c,
    /// x86-64 AVX-512 F: `vcvtph2ps`/`vcvtps2ph` on 16 lanes for f16, shifts and an integer
    /// rounding for bf16 (the F16C forms' steps, twice as wide).
    #[cfg(all(x86_simd, avx512_intrinsics))]
    Avx512,
}

impl Conv {
    /// The conversions for a call on `isa`: F16C where the kernels run on AVX2 or AVX-512 and
    /// the CPU has it, else the portable form.
    pub(crate) fn for_isa(isa: crate::Isa) -> Conv {
        #[cfg(all(x86_simd, avx512_intrinsics))]
        if isa == crate::Isa::Avx512 && isa.is_available() && f16c_detected() {
            return Conv::Avx512;
        }
        #[cfg(x86_simd)]
        if matches!(isa, crate::Isa::Avx2 | crate::Isa::Avx512)
            && isa.is_available()
            && f16c_detected()
        {
            return Conv::F16c;
        }
        let _ = isa;
        Conv::Portable
    }

    /// `dst[i] = src[i]` widened to f32. `dst.len() == src.len()`.
    #[inline]
    pub(crate) fn widen<H: Half>(self, src: &[H], dst: &mut [MaybeUninit<f32>]) {
        assert_eq!(src.len(), dst.len());
        let bits = H::bits_of(src);
        match self {
            Conv::Portable => widen_portable::<H>(bits, dst),
            #[cfg(x86_simd)]
            // SAFETY: `F16c` is only chosen where AVX2 and F16C were detected (`for_isa`).
            Conv::F16c => unsafe { x86::widen::<H>(bits, dst) },
            #[cfg(all(x86_simd, avx512_intrinsics))]
            // SAFETY: `Avx512` is only chosen where AVX-512 F was detected (`for_isa`).
            Conv::Avx512 => unsafe { x86_avx512::widen::<H>(bits, dst) },
        }
    }

    /// `dst[i] = src[i]` rounded to `H`, with non-temporal stores where `stream` (and the
    /// form has them), not fenced: the caller calls [`Conv::fence`] once after its last
    /// round (a fence per round of 2K elements, which waits for the write-combining buffers to
    /// drain, made a bf16 `relu` of 16M elements 1.6x slower). `dst.len() == src.len()`.
    #[inline]
    pub(crate) fn narrow<H: Half>(self, src: &[f32], dst: &mut [H], stream: bool) {
        assert_eq!(src.len(), dst.len());
        let bits = H::bits_of_mut(dst);
        match self {
            Conv::Portable => narrow_portable::<H>(src, bits),
            #[cfg(x86_simd)]
            // SAFETY: as in `widen`.
            Conv::F16c => unsafe { x86::narrow::<H>(src, bits, stream) },
            #[cfg(all(x86_simd, avx512_intrinsics))]
            // SAFETY: as in `widen`.
            Conv::Avx512 => unsafe { x86_avx512::narrow::<H>(src, bits, stream) },
        }
        let _ = stream;
    }
}

impl Conv {
    /// Orders the non-temporal stores of earlier [`Conv::narrow`] calls before any later
    /// store (a no-op for the forms without them).
    #[inline]
    pub(crate) fn fence(self) {
        match self {
            Conv::Portable => {}
            #[cfg(x86_simd)]
            // SAFETY: SSE is available on every x86-64 target with SIMD registers.
            #[allow(unused_unsafe)]
            // a safe call from Rust 1.87 on; the MSRV needs the block
            _ => unsafe { core::arch::x86_64::_mm_sfence() },
        }
    }
}

#[cfg(all(x86_simd, feature = "std"))]
fn f16c_detected() -> bool {
    std::arch::is_x86_feature_detected!("f16c")
}

#[cfg(all(x86_simd, not(feature = "std")))]
fn f16c_detected() -> bool {
    cfg!(target_feature = "f16c")
}

fn widen_portable<H: Half>(src: &[u16], dst: &mut [MaybeUninit<f32>]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        d.write(H::widen_bits(s));
    }
}

fn narrow_portable<H: Half>(src: &[f32], dst: &mut [u16]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = H::narrow_bits(s);
    }
}

#[cfg(x86_simd)]
pub(super) mod x86 {
    //! The AVX2 + F16C forms: eight elements per step, the remainder by the portable form.
    use super::super::Half;
    use core::arch::x86_64::*;
    use core::mem::MaybeUninit;

    /// # Safety
    /// AVX2 and F16C must be available.
    #[target_feature(enable = "avx2,f16c")]
    pub(super) unsafe fn widen<H: Half>(src: &[u16], dst: &mut [MaybeUninit<f32>]) {
        let n = src.len().min(dst.len());
        let mut i = 0;
        while i + 8 <= n {
            // SAFETY: elements `i .. i + 8` of both slices exist (`i + 8 <= n`); unaligned
            // forms; the features are enabled on this function.
            unsafe {
                let h = _mm_loadu_si128(src.as_ptr().add(i).cast());
                let f = if H::BF16 {
                    _mm256_castsi256_ps(_mm256_slli_epi32::<16>(_mm256_cvtepu16_epi32(h)))
                } else {
                    _mm256_cvtph_ps(h)
                };
                _mm256_storeu_ps(dst.as_mut_ptr().add(i).cast(), f);
            }
            i += 8;
        }
        super::widen_portable::<H>(&src[i..n], &mut dst[i..n]);
    }

    /// # Safety
    /// AVX2 and F16C must be available.
    #[target_feature(enable = "avx2,f16c")]
    pub(super) unsafe fn narrow<H: Half>(src: &[f32], dst: &mut [u16], stream: bool) {
        let n = src.len().min(dst.len());
        let mut i = 0;
        if stream {
            // Reach a 16-byte aligned output with the portable form, then stream.
            let head = ((16 - (dst.as_ptr() as usize) % 16) % 16 / 2).min(n);
            super::narrow_portable::<H>(&src[..head], &mut dst[..head]);
            i = head;
            while i + 8 <= n {
                // SAFETY: elements `i .. i + 8` exist; `dst + i` is 16-byte aligned (the head
                // reached it, and each step adds 16 bytes).
                unsafe {
                    let v = eight::<H>(_mm256_loadu_ps(src.as_ptr().add(i)));
                    _mm_stream_si128(dst.as_mut_ptr().add(i).cast(), v);
                }
                i += 8;
            }
        }
        while i + 8 <= n {
            // SAFETY: elements `i .. i + 8` exist; unaligned forms.
            unsafe {
                let v = eight::<H>(_mm256_loadu_ps(src.as_ptr().add(i)));
                _mm_storeu_si128(dst.as_mut_ptr().add(i).cast(), v);
            }
            i += 8;
        }
        super::narrow_portable::<H>(&src[i..n], &mut dst[i..n]);
    }

    /// Eight f32 rounded to eight `H` (bits), as the portable form does.
    #[inline]
    #[target_feature(enable = "avx2,f16c")]
    pub(crate) unsafe fn eight<H: Half>(x: __m256) -> __m128i {
        // SAFETY: register operations only; AVX2 and F16C are enabled on this function.
        #[allow(unused_unsafe)] // safe calls from Rust 1.87 on; the MSRV needs the block
        unsafe {
            if !H::BF16 {
                return _mm256_cvtps_ph::<{ _MM_FROUND_TO_NEAREST_INT }>(x);
            }
            let b = _mm256_castps_si256(x);
            let lsb = _mm256_and_si256(_mm256_srli_epi32::<16>(b), _mm256_set1_epi32(1));
            let bias = _mm256_add_epi32(_mm256_set1_epi32(0x7fff), lsb);
            let rounded = _mm256_srli_epi32::<16>(_mm256_add_epi32(b, bias));
            let quiet = _mm256_or_si256(_mm256_srli_epi32::<16>(b), _mm256_set1_epi32(0x40));
            let nan = _mm256_castps_si256(_mm256_cmp_ps::<_CMP_UNORD_Q>(x, x));
            let r = _mm256_blendv_epi8(rounded, quiet, nan);
            // Every lane is <= 0xffff, so the unsigned saturating pack keeps it.
            _mm_packus_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256::<1>(r))
        }
    }
}

#[cfg(all(x86_simd, avx512_intrinsics))]
pub(super) mod x86_avx512 {
    //! The AVX-512 F forms: sixteen elements per step, the remainder by the AVX2 + F16C form
    //! (every AVX-512 CPU has both; `Isa::Avx512` is only detected with AVX2).
    #![allow(clippy::incompatible_msrv)] // compiled only where build.rs saw rustc >= 1.89
    use super::super::Half;
    use core::arch::x86_64::*;
    use core::mem::MaybeUninit;

    /// # Safety
    /// AVX-512 F, AVX2 and F16C must be available.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn widen<H: Half>(src: &[u16], dst: &mut [MaybeUninit<f32>]) {
        let n = src.len().min(dst.len());
        let mut i = 0;
        while i + 16 <= n {
            // SAFETY: elements `i .. i + 16` of both slices exist (`i + 16 <= n`); unaligned
            // forms; the feature is enabled on this function.
            unsafe {
                let h = _mm256_loadu_si256(src.as_ptr().add(i).cast());
                let f = if H::BF16 {
                    _mm512_castsi512_ps(_mm512_slli_epi32::<16>(_mm512_cvtepu16_epi32(h)))
                } else {
                    _mm512_cvtph_ps(h)
                };
                _mm512_storeu_ps(dst.as_mut_ptr().add(i).cast(), f);
            }
            i += 16;
        }
        // SAFETY: the AVX2 and F16C the narrower form needs were detected too (`Isa::Avx512`
        // is detected with AVX2, and `for_isa` checks F16C).
        unsafe { super::x86::widen::<H>(&src[i..n], &mut dst[i..n]) };
    }

    /// # Safety
    /// AVX-512 F, AVX2 and F16C must be available.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn narrow<H: Half>(src: &[f32], dst: &mut [u16], stream: bool) {
        let n = src.len().min(dst.len());
        let mut i = 0;
        if stream {
            // Reach a 32-byte aligned output with the portable form, then stream.
            let head = ((32 - (dst.as_ptr() as usize) % 32) % 32 / 2).min(n);
            super::narrow_portable::<H>(&src[..head], &mut dst[..head]);
            i = head;
            while i + 16 <= n {
                // SAFETY: elements `i .. i + 16` exist; `dst + i` is 32-byte aligned (the
                // head reached it, and each step adds 32 bytes).
                unsafe {
                    let v = sixteen::<H>(_mm512_loadu_ps(src.as_ptr().add(i)));
                    _mm256_stream_si256(dst.as_mut_ptr().add(i).cast(), v);
                }
                i += 16;
            }
        }
        while i + 16 <= n {
            // SAFETY: elements `i .. i + 16` exist; unaligned forms.
            unsafe {
                let v = sixteen::<H>(_mm512_loadu_ps(src.as_ptr().add(i)));
                _mm256_storeu_si256(dst.as_mut_ptr().add(i).cast(), v);
            }
            i += 16;
        }
        // SAFETY: as in `widen`.
        unsafe { super::x86::narrow::<H>(&src[i..n], &mut dst[i..n], false) };
    }

    /// Sixteen f32 rounded to sixteen `H` (bits), as the portable form does.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(crate) unsafe fn sixteen<H: Half>(x: __m512) -> __m256i {
        // SAFETY: register operations only; AVX-512 F is enabled on this function.
        #[allow(unused_unsafe)]
        unsafe {
            if !H::BF16 {
                return _mm512_cvtps_ph::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(x);
            }
            let b = _mm512_castps_si512(x);
            let lsb = _mm512_and_si512(_mm512_srli_epi32::<16>(b), _mm512_set1_epi32(1));
            let bias = _mm512_add_epi32(_mm512_set1_epi32(0x7fff), lsb);
            let rounded = _mm512_srli_epi32::<16>(_mm512_add_epi32(b, bias));
            let quiet = _mm512_or_si512(_mm512_srli_epi32::<16>(b), _mm512_set1_epi32(0x40));
            let nan = _mm512_cmp_ps_mask::<_CMP_UNORD_Q>(x, x);
            // Every lane is <= 0xffff, so the truncating narrowing keeps it.
            _mm512_cvtepi32_epi16(_mm512_mask_blend_epi32(nan, rounded, quiet))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Half;
    use half::{bf16, f16};

    /// Every 16-bit pattern widens to the same f32 as the `half` crate's (NaN: the same bits
    /// but perhaps the quiet bit), on every form available here.
    fn widen_all<H: Half>(reference: impl Fn(u16) -> f32) {
        let src: Vec<H> = (0..=u16::MAX).map(H::from_storage_bits).collect();
        let mut first: Option<Vec<u32>> = None;
        for conv in forms() {
            let mut dst = vec![MaybeUninit::uninit(); src.len()];
            conv.widen(&src, &mut dst);
            // SAFETY: `widen` wrote every element.
            let got_bits: Vec<u32> = dst
                .iter()
                .map(|d| unsafe { d.assume_init() }.to_bits())
                .collect();
            // Every form gives the same bits, NaN quiet bits included.
            assert_eq!(
                first.get_or_insert_with(|| got_bits.clone()),
                &got_bits,
                "{conv:?}"
            );
            for (b, &g) in (0..=u16::MAX).zip(&got_bits) {
                let got = f32::from_bits(g);
                let want = reference(b);
                if want.is_nan() {
                    assert!(got.is_nan(), "{conv:?} {b:#06x}");
                    // bf16 by a shift keeps a signalling NaN signalling (the kernels' NaN rule
                    // quiets it); f16 is quieted as `vcvtph2ps` does. The rest is equal.
                    let quiet = 0x0040_0000;
                    assert_eq!(
                        got.to_bits() | quiet,
                        want.to_bits() | quiet,
                        "{conv:?} {b:#06x}"
                    );
                } else {
                    assert_eq!(got.to_bits(), want.to_bits(), "{conv:?} {b:#06x}");
                }
            }
        }
    }

    fn forms() -> Vec<Conv> {
        #[allow(unused_mut)] // nothing is added off x86-64
        let mut v = vec![Conv::Portable];
        #[cfg(x86_simd)]
        if crate::Isa::Avx2.is_available() {
            // Every AVX2 CPU has F16C: a missing one means the vector forms went untested.
            assert!(
                f16c_detected(),
                "AVX2 without F16C: the F16C forms would go untested"
            );
            assert_eq!(Conv::for_isa(crate::Isa::Avx2), Conv::F16c);
            v.push(Conv::F16c);
        }
        #[cfg(all(x86_simd, avx512_intrinsics))]
        if crate::Isa::Avx512.is_available() {
            assert_eq!(Conv::for_isa(crate::Isa::Avx512), Conv::Avx512);
            v.push(Conv::Avx512);
        }
        v
    }

    #[test]
    fn widen_every_bf16() {
        widen_all::<bf16>(|b| bf16::from_bits(b).to_f32());
    }

    #[test]
    fn widen_every_fp16() {
        widen_all::<f16>(|b| f16::from_bits(b).to_f32());
    }

    /// f32 inputs that hit every rounding case of both types: every 16-bit pattern's f32
    /// value, its neighbours, the halfway points to the next pattern and theirs (for f16,
    /// the f16 pattern's value; for bf16, the high half), plus a stride over all f32 patterns.
    fn cases() -> Vec<f32> {
        let mut v = Vec::new();
        for b in 0..=u16::MAX {
            for base in [(b as u32) << 16, f16::from_bits(b).to_f32().to_bits()] {
                for half_step in [0u32, 0x8000, 0x1000] {
                    let c = base.wrapping_add(half_step);
                    for d in [c.wrapping_sub(1), c, c.wrapping_add(1)] {
                        v.push(f32::from_bits(d));
                    }
                }
            }
        }
        v.extend((0..=u32::MAX).step_by(997).map(f32::from_bits));
        v
    }

    /// Every form narrows to the same bits as the `half` crate's conversion (which rounds to
    /// nearest even and keeps NaN payloads, quieted).
    fn narrow_all<H: Half>(reference: impl Fn(f32) -> u16) {
        let src = cases();
        for conv in forms() {
            for stream in [false, true] {
                // An odd start, so the streaming head and tail are exercised.
                let mut dst = vec![H::from_storage_bits(0); src.len() + 3];
                conv.narrow(&src, &mut dst[3..], stream);
                for (x, d) in src.iter().zip(&dst[3..]) {
                    let want = reference(*x);
                    assert_eq!(
                        d.storage_bits(),
                        want,
                        "{conv:?} stream {stream}: {:#010x}",
                        x.to_bits()
                    );
                }
            }
        }
    }

    #[test]
    fn narrow_bf16_every_rounding_case() {
        narrow_all::<bf16>(|x| bf16::from_f32(x).to_bits());
    }

    #[test]
    fn narrow_fp16_every_rounding_case() {
        narrow_all::<f16>(|x| f16::from_f32(x).to_bits());
    }
}
