//! Copying results out of a stack buffer into memory the caller has not initialised, with
//! non-temporal stores for large outputs (the `_uninit` forms of `Activation`).

use crate::Element;
use core::mem::MaybeUninit;

/// `dst[i] = src[i]` for every `i` (`dst.len() == src.len()`), with non-temporal stores
/// where `stream` and the target has them (x86-64: SSE2's `movntdq`, fenced before
/// returning), else an ordinary copy.
pub(crate) fn write_out<T: Element>(src: &[T], dst: &mut [MaybeUninit<T>], stream: bool) {
    assert_eq!(src.len(), dst.len());
    #[allow(unused_mut)] // only the x86-64 form advances it
    let mut i = 0;
    #[cfg(x86_simd)]
    if stream {
        let (n, size) = (src.len(), core::mem::size_of::<T>());
        use core::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_sfence, _mm_stream_si128};
        // Elements before the first 16-byte aligned one (`dst` is aligned to `size`, which
        // divides 16).
        let head = ((16 - (dst.as_ptr() as usize) % 16) % 16 / size).min(n);
        copy(&src[..head], &mut dst[..head]);
        i = head;
        let per = 16 / size;
        while i + per <= n {
            // SAFETY: SSE2 is part of x86-64; elements `i .. i + per` (16 bytes) of both
            // slices exist; `dst + i` is 16-byte aligned (the head reached it, each step adds
            // 16 bytes); the source is read unaligned.
            unsafe {
                let v = _mm_loadu_si128(src.as_ptr().add(i).cast::<__m128i>());
                _mm_stream_si128(dst.as_mut_ptr().add(i).cast::<__m128i>(), v);
            }
            i += per;
        }
        // SAFETY: SSE is part of x86-64: orders the streamed stores before any later store.
        unsafe { _mm_sfence() };
    }
    let _ = stream;
    copy(&src[i..], &mut dst[i..]);
}

fn copy<T: Copy>(src: &[T], dst: &mut [MaybeUninit<T>]) {
    for (d, s) in dst.iter_mut().zip(src) {
        d.write(*s);
    }
}
