//! The loop of the kernels with two outputs: the GLU family's backward, which gives the
//! gradients of both halves in one pass over the inputs. Lockstep blocks where the kernel asks
//! for them, then single vectors, then one partial vector; no streaming stores.

use crate::driver::fix_nans;
use crate::simd::{Lockstep, Vector, LOCKSTEP_WIDTH};
use crate::Float;

/// An element-wise kernel with `N` inputs and two outputs.
pub(crate) trait PairKernel<T: Float, const N: usize>: Copy {
    /// Both results for one vector of each input (NaN lanes not yet fixed).
    fn apply<V: Vector<Elem = T>>(self, inputs: [V; N]) -> (V, V);

    /// Whether the loop runs `LOCKSTEP_WIDTH` vectors in lockstep (see
    /// `driver::Kernel::LOCKSTEP`).
    const LOCKSTEP: bool = false;

    /// The rare path for results where either holds a NaN lane: by default the NaN rule on
    /// each (see `driver::nan_rule`). A kernel built on kernels that hand lanes to a slower
    /// body (`driver::Native`) replaces those lanes here first.
    #[inline(always)]
    fn fix<V: Vector<Elem = T>>(self, inputs: [V; N], r: (V, V)) -> (V, V) {
        (fix_nans(inputs, r.0), fix_nans(inputs, r.1))
    }
}

/// `kernel` on one vector of each input, the NaN rule applied to both results (one test for
/// the pair on SIMD ISAs; branch-free selects on the Scalar ISA).
#[inline(always)]
fn checked<V, K, const N: usize>(kernel: K, inputs: [V; N]) -> (V, V)
where
    V: Vector,
    K: PairKernel<V::Elem, N>,
{
    let r = kernel.apply(inputs);
    if V::LANES > 1 && !V::any(r.0.either_nan(r.1)) {
        return r;
    }
    kernel.fix(inputs, r)
}

/// Applies `kernel` to `len` elements: `(outs[0][i], outs[1][i]) = kernel(inputs[0][i], ..)`.
///
/// # Safety
/// Each `inputs[k]` must be valid for reads of `len` elements and each `outs[k]` for writes of
/// `len` elements; the two outputs must not overlap each other or any input.
#[inline(always)]
pub(crate) unsafe fn map_pair<V, K, const N: usize>(
    kernel: K,
    inputs: [*const V::Elem; N],
    outs: [*mut V::Elem; 2],
    len: usize,
) where
    V: Vector,
    K: PairKernel<V::Elem, N>,
{
    let lanes = V::LANES;
    let mut i = 0;
    // SAFETY (whole body): every access is at offsets `i .. i + w` with `i + w <= len` (full
    // blocks and vectors only while they fit; the tail uses the partial forms with
    // `len - i`), which the caller guarantees valid.
    if K::LOCKSTEP && lanes > 1 {
        let block = LOCKSTEP_WIDTH * lanes;
        while i + block <= len {
            // A loop, not `inputs.map(..)`: LLVM may leave a closure out of line, compiled
            // without the ISA's features.
            let mut loaded = [Lockstep::<V>::zero(); N];
            for k in 0..N {
                loaded[k] = unsafe { Lockstep::load(inputs[k].add(i)) };
            }
            let (r0, r1) = checked(kernel, loaded);
            unsafe { r0.store(outs[0].add(i)) };
            unsafe { r1.store(outs[1].add(i)) };
            i += block;
        }
    }
    while i + lanes <= len {
        let mut loaded = [V::zero(); N];
        for k in 0..N {
            loaded[k] = unsafe { V::load(inputs[k].add(i)) };
        }
        let (r0, r1) = checked(kernel, loaded);
        unsafe { r0.store(outs[0].add(i)) };
        unsafe { r1.store(outs[1].add(i)) };
        i += lanes;
    }
    if i < len {
        let n = len - i;
        let mut loaded = [V::zero(); N];
        for k in 0..N {
            loaded[k] = unsafe { V::load_partial(inputs[k].add(i), n) };
        }
        let (r0, r1) = checked(kernel, loaded);
        unsafe { r0.store_partial(outs[0].add(i), n) };
        unsafe { r1.store_partial(outs[1].add(i), n) };
    }
}
