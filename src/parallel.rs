//! Feature `rayon`: one call split across rayon's threads. The split points fall on
//! cache-line boundaries of the output (no two threads write one line), chunks are at least
//! [`MIN_CHUNK`] elements (so a call shorter than twice that stays on the calling thread), and
//! every chunk takes the streaming-store decision of the whole call (a thread-local override
//! that `driver::should_stream` reads while the chunk runs). The kernels are element-wise, so
//! the result equals the sequential call's bit for bit.

use alloc::vec::Vec;
use core::cell::Cell;

/// The fewest elements a thread gets. Measured on a 2-core VM (AMD Zen 3, shared with other
/// jobs while measured), `examples/parallel_speed.rs`, f32, a call against the same call split
/// in two halves run by `rayon::join`: split/one = 1.41 at 256K and 0.84 at 512K for relu,
/// 1.39 and 0.72 for sigmoid; gelu already gains from 16K (0.78). So a call is split from
/// 512K elements on (256K per thread), where the cheap kernels stop losing.
pub(crate) const MIN_CHUNK: usize = 256 * 1024;

/// The shortest call that `Activation`'s `_par` forms split across threads (feature
/// `rayon`): `2 * 256 Ki` elements, measured (see the README); shorter calls run on the
/// calling thread. Each thread gets at least half of this.
///
/// ```
/// assert_eq!(simd_activations::PARALLEL_MIN_LEN, 512 * 1024);
/// ```
pub const PARALLEL_MIN_LEN: usize = 2 * MIN_CHUNK;

/// Bytes per cache line, the unit of the split points.
const LINE: usize = 64;

std::thread_local! {
    static STREAM: Cell<Option<bool>> = const { Cell::new(None) };
}

/// The streaming decision imposed on the running chunk, if any.
#[inline(always)]
pub(crate) fn stream_override() -> Option<bool> {
    STREAM.with(Cell::get)
}

/// Runs `f` with the streaming decision `stream` imposed, restoring the previous state after
/// (also on a panic).
pub(crate) fn with_stream<R>(stream: bool, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<bool>);
    impl Drop for Restore {
        fn drop(&mut self) {
            STREAM.with(|s| s.set(self.0));
        }
    }
    let _restore = Restore(STREAM.with(|s| s.replace(Some(stream))));
    f()
}

/// The chunk boundaries of `n` elements of `T` starting at address `start`: `0 = b0 < b1 <
/// .. < bk = n`, every inner boundary at a cache-line boundary of the output, about `n /
/// parts` apart; `[0, n]` (one chunk) when `n < 2 * MIN_CHUNK` or there is one thread.
pub(crate) fn split_points<T>(start: usize, n: usize, threads: usize) -> Vec<usize> {
    let size = core::mem::size_of::<T>();
    let parts = threads.min(n / MIN_CHUNK).max(1);
    let mut points = alloc::vec![0];
    if parts > 1 {
        let per_line = LINE / size;
        // The first element that starts a cache line (elements are aligned to their size,
        // which divides the line).
        let first = (LINE - start % LINE) % LINE / size;
        for k in 1..parts {
            let target = k * n / parts;
            let b = if target <= first {
                first
            } else {
                first + (target - first).div_ceil(per_line) * per_line
            };
            if b > *points.last().unwrap() && b < n {
                points.push(b);
            }
        }
    }
    points.push(n);
    points
}

/// Splits `s` at `points` (from [`split_points`]).
pub(crate) fn split<'a, T>(mut s: &'a [T], points: &[usize]) -> Vec<&'a [T]> {
    let mut out = Vec::with_capacity(points.len());
    for w in points.windows(2) {
        let (head, tail) = s.split_at(w[1] - w[0]);
        out.push(head);
        s = tail;
    }
    out
}

/// Splits `s` at `points`, mutably.
pub(crate) fn split_mut<'a, T>(mut s: &'a mut [T], points: &[usize]) -> Vec<&'a mut [T]> {
    let mut out = Vec::with_capacity(points.len());
    for w in points.windows(2) {
        let (head, tail) = s.split_at_mut(w[1] - w[0]);
        out.push(head);
        s = tail;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_points_on_lines_and_covering() {
        for size in [2usize, 4, 8] {
            for start in (0..128).step_by(size) {
                for n in [
                    0,
                    1,
                    2 * MIN_CHUNK - 1,
                    2 * MIN_CHUNK,
                    5 * MIN_CHUNK + 17,
                    1 << 22,
                ] {
                    for threads in [1, 2, 3, 8] {
                        let p = match size {
                            2 => split_points::<u16>(start, n, threads),
                            4 => split_points::<f32>(start, n, threads),
                            _ => split_points::<f64>(start, n, threads),
                        };
                        assert_eq!((p[0], *p.last().unwrap()), (0, n));
                        assert!(p.windows(2).all(|w| w[0] < w[1] || n == 0), "{p:?}");
                        for &b in &p[1..p.len() - 1] {
                            assert_eq!((start + b * size) % LINE, 0, "{p:?}");
                        }
                        let chunks = p.len() - 1;
                        if n < 2 * MIN_CHUNK || threads == 1 {
                            assert_eq!(chunks, 1, "n {n}");
                        } else {
                            assert!(chunks >= 2 && chunks <= threads, "{p:?}");
                        }
                    }
                }
            }
        }
    }
}
