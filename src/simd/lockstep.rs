//! [`Lockstep`]: `K` (6) vectors of one ISA driven as one, every operation applied to all `K`
//! before the next (the driver's unrolled body runs the kernels on it).
//!
//! A kernel body is one long dependency chain per vector (an exponential, a quotient, their
//! corrections: 60-100 cycles of latency on current x86 cores). Written for one vector and
//! called once per vector, the chains of consecutive vectors overlap only as far as the
//! out-of-order window reaches; on `K` vectors in lockstep every step has `K` independent
//! operations side by side in program order, as in XNNPACK's hand-unrolled microkernels.
//! Measured on sigmoid (AVX2, Zen 3, 8K f32): 4 vectors in lockstep 1.5x faster than the
//! driver's former pairs of single-vector calls (6, the driver's choice, another 12%).
//!
//! Every lane's result is the one the underlying vector gives for it (the operations are the
//! same, lane by lane), so results are bit-identical to the single-vector path.

use super::{NativeFn, Vector, WideFn};

/// `K` vectors of type `V` handled as one vector of `K * V::LANES` lanes (in memory order:
/// component `k` holds lanes `k * V::LANES ..`).
#[derive(Clone, Copy)]
pub struct Lockstep<V>(pub [V; K]);

/// Components of a [`Lockstep`] vector (the driver's unroll).
pub(crate) const K: usize = 6;

/// `[f(0), f(1), .., f(K - 1)]` for `each!(k => f(k))`, written out (not a loop, nor a
/// closure passed to `array::map`, which LLVM may leave out of line, compiled without the
/// ISA's features): the optimizer has no loop to unroll (the compile time measured the same
/// as with a loop, within this VM's noise).
macro_rules! each {
    ($k:ident => $e:expr) => {{
        const _: () = assert!(K == 6, "each! is written out for six components");
        [
            {
                let $k = 0;
                $e
            },
            {
                let $k = 1;
                $e
            },
            {
                let $k = 2;
                $e
            },
            {
                let $k = 3;
                $e
            },
            {
                let $k = 4;
                $e
            },
            {
                let $k = 5;
                $e
            },
        ]
    }};
}

impl<V: Vector> Lockstep<V> {
    #[inline(always)]
    fn map(self, f: impl Fn(V) -> V) -> Self {
        Lockstep(each!(k => f(self.0[k])))
    }
}

impl<V: Vector> Vector for Lockstep<V> {
    type Elem = V::Elem;
    type Mask = [V::Mask; K];
    const LANES: usize = K * V::LANES;

    #[inline(always)]
    fn splat(x: Self::Elem) -> Self {
        Lockstep([V::splat(x); K])
    }
    #[inline(always)]
    unsafe fn load(ptr: *const Self::Elem) -> Self {
        // SAFETY: the caller guarantees `K * V::LANES` readable elements at `ptr`.
        Lockstep(each!(k => unsafe { V::load(ptr.add(k * V::LANES)) }))
    }
    #[inline(always)]
    unsafe fn load_partial(ptr: *const Self::Elem, n: usize) -> Self {
        // SAFETY: the caller guarantees `n` readable elements at `ptr`; each component reads
        // only its share of them (none past `n`).
        Lockstep(each!(k => {
            let at = k * V::LANES;
            if at + V::LANES <= n {
                unsafe { V::load(ptr.add(at)) }
            } else if at < n {
                unsafe { V::load_partial(ptr.add(at), n - at) }
            } else {
                V::zero()
            }
        }))
    }
    #[inline(always)]
    unsafe fn store(self, ptr: *mut Self::Elem) {
        for (k, v) in self.0.iter().enumerate() {
            // SAFETY: the caller guarantees `K * V::LANES` writable elements at `ptr`.
            unsafe { v.store(ptr.add(k * V::LANES)) };
        }
    }
    #[inline(always)]
    unsafe fn store_partial(self, ptr: *mut Self::Elem, n: usize) {
        for (k, v) in self.0.iter().enumerate() {
            let at = k * V::LANES;
            // SAFETY: the caller guarantees `n` writable elements at `ptr`; each component
            // writes only its share of them.
            if at + V::LANES <= n {
                unsafe { v.store(ptr.add(at)) };
            } else if at < n {
                unsafe { v.store_partial(ptr.add(at), n - at) };
            }
        }
    }
    #[inline(always)]
    unsafe fn store_stream(self, ptr: *mut Self::Elem) {
        for (k, v) in self.0.iter().enumerate() {
            // SAFETY: the caller guarantees `K * V::LANES` writable elements at `ptr`, aligned
            // to the whole vector's size, so each component is aligned to its own.
            unsafe { v.store_stream(ptr.add(k * V::LANES)) };
        }
    }
    #[inline(always)]
    fn stream_fence() {
        V::stream_fence()
    }

    #[inline(always)]
    fn add(self, b: Self) -> Self {
        Lockstep(each!(k => self.0[k].add(b.0[k])))
    }
    #[inline(always)]
    fn sub(self, b: Self) -> Self {
        Lockstep(each!(k => self.0[k].sub(b.0[k])))
    }
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        Lockstep(each!(k => self.0[k].mul(b.0[k])))
    }
    #[inline(always)]
    fn div(self, b: Self) -> Self {
        Lockstep(each!(k => self.0[k].div(b.0[k])))
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        Lockstep(each!(k => self.0[k].mul_add(b.0[k], c.0[k])))
    }
    #[inline(always)]
    fn neg(self) -> Self {
        self.map(V::neg)
    }
    #[inline(always)]
    fn abs(self) -> Self {
        self.map(V::abs)
    }
    #[inline(always)]
    fn clamp_min(self, lo: Self) -> Self {
        Lockstep(each!(k => self.0[k].clamp_min(lo.0[k])))
    }
    #[inline(always)]
    fn clamp_max(self, hi: Self) -> Self {
        Lockstep(each!(k => self.0[k].clamp_max(hi.0[k])))
    }
    #[inline(always)]
    fn round(self) -> Self {
        self.map(V::round)
    }
    #[inline(always)]
    fn shift_into_exponent(self) -> Self {
        self.map(V::shift_into_exponent)
    }
    #[inline(always)]
    fn lt(self, b: Self) -> Self::Mask {
        each!(k => self.0[k].lt(b.0[k]))
    }
    #[inline(always)]
    fn le(self, b: Self) -> Self::Mask {
        each!(k => self.0[k].le(b.0[k]))
    }
    #[inline(always)]
    fn gt(self, b: Self) -> Self::Mask {
        each!(k => self.0[k].gt(b.0[k]))
    }
    #[inline(always)]
    fn is_nan(self) -> Self::Mask {
        each!(k => self.0[k].is_nan())
    }
    #[inline(always)]
    fn either_nan(self, b: Self) -> Self::Mask {
        each!(k => self.0[k].either_nan(b.0[k]))
    }
    #[inline(always)]
    fn mask_or(a: Self::Mask, b: Self::Mask) -> Self::Mask {
        each!(k => V::mask_or(a[k], b[k]))
    }
    #[inline(always)]
    fn any(m: Self::Mask) -> bool {
        // Each component tested on its own, the answers or-ed (no short circuit: one branch).
        // Not `V::any` of the masks' union: LLVM folds an `or` of `x < c` compares into
        // `min(x0, x1) < c`, which on AArch64 (`fminnm`) is false when a lane of either holds
        // a signalling NaN, whatever the other lane's compare (seen in the f64 sigmoid's
        // `x < -708` test under qemu).
        let mut any = false;
        for &mk in &m {
            any |= V::any(mk);
        }
        any
    }
    #[inline(always)]
    fn fix_handed<const N: usize, F: NativeFn<N>>(inputs: [Self; N], r: Self, f: F) -> Self {
        // A loop over the components, not written out: one copy of the (large, rare) f64
        // bodies instead of one per component.
        let mut out = r.0;
        for (k, o) in out.iter_mut().enumerate() {
            *o = V::fix_handed(component(&inputs, k), r.0[k], f);
        }
        Lockstep(out)
    }
    #[inline(always)]
    fn any_nan(self) -> bool {
        // The union of unordered compares (which fold exactly, two vectors per compare), one
        // test: cheaper than `any` of each component.
        let mut union = self.0[0].is_nan();
        for v in &self.0[1..] {
            union = V::mask_or(union, v.is_nan());
        }
        V::any(union)
    }
    #[inline(always)]
    fn select(m: Self::Mask, a: Self, b: Self) -> Self {
        Lockstep(each!(k => V::select(m[k], a.0[k], b.0[k])))
    }
    #[inline(always)]
    fn reduce_sum(self) -> Self::Elem {
        let mut sum = self.0[0].reduce_sum();
        for v in &self.0[1..] {
            sum = sum + v.reduce_sum();
        }
        sum
    }

    type Wide = Lockstep<V::Wide>;

    #[inline(always)]
    fn eval_wide<const N: usize, F: WideFn<N>>(inputs: [Self; N], f: F) -> Self {
        Lockstep(each!(k => V::eval_wide(component(&inputs, k), f)))
    }
    #[inline(always)]
    fn lookup8(self, table: &[Self::Elem; 8]) -> Self {
        self.map(|v| v.lookup8(table))
    }
    #[inline(always)]
    fn lookup4(self, table: &[Self::Elem; 4]) -> Self {
        self.map(|v| v.lookup4(table))
    }
    #[inline(always)]
    fn exp2_from_table4(
        self,
        quarter: Self,
        table: &[Self::Elem; 4],
        table_bits: &[Self::Elem; 4],
    ) -> Self {
        Lockstep(each!(k => self.0[k].exp2_from_table4(quarter.0[k], table, table_bits)))
    }
    #[inline(always)]
    fn add_shifted_bits(self, b: Self) -> Self {
        Lockstep(each!(k => self.0[k].add_shifted_bits(b.0[k])))
    }
    #[inline(always)]
    fn or_sign(self, sign: Self) -> Self {
        Lockstep(each!(k => self.0[k].or_sign(sign.0[k])))
    }
    #[inline(always)]
    fn quiet(self) -> Self {
        self.map(V::quiet)
    }
}

/// Component `k` of each input.
#[inline(always)]
fn component<V: Copy, const N: usize>(inputs: &[Lockstep<V>; N], k: usize) -> [V; N] {
    let mut out = [inputs[0].0[k]; N];
    for (o, v) in out.iter_mut().zip(inputs) {
        *o = v.0[k];
    }
    out
}
