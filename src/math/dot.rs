//! Compensated sums and dot products over a slice, bit-identical on every ISA: the row sums of
//! the softmax gradients and the bias gradient of the fused bias + activation forms.

use crate::math::two_sum;
use crate::simd::scalar::Scalar;
use crate::simd::Vector;
use crate::Float;

/// Interleaved accumulators of [`dot_pair`].
pub(crate) const WAYS: usize = 16;

/// The one-lane vector of `T` (the Scalar ISA's), for the tails.
pub(crate) type One<T> = <T as Float>::Vector<Scalar>;

/// The value of a one-lane vector.
#[inline(always)]
pub(crate) fn lane<V: Vector>(v: V) -> V::Elem {
    debug_assert_eq!(V::LANES, 1);
    let mut b = [V::Elem::ZERO; 16];
    // SAFETY: `b` holds 16 >= LANES elements.
    unsafe { v.store(b.as_mut_ptr()) };
    b[0]
}

/// `sum a[i] b[i]` over `len` elements (`b` = 1 when `b` is `None`) as an unevaluated sum
/// `(hi, lo)`, compensated (the products' errors by FMA, the sum by 2Sum) in [`WAYS`]
/// interleaved accumulators: element `i` goes to accumulator `i % WAYS` on every ISA, and the
/// accumulators are joined in one fixed order, so the result is the same bits on every ISA.
/// `hi` is the plain sum of the same terms in that order (so it carries an overflow or a NaN
/// as a plain sum does, where `lo` may be NaN).
///
/// # Safety
/// `a` (and `b`) must be valid for reads of `len` elements.
#[inline(always)]
pub(crate) unsafe fn dot_pair<V: Vector>(
    a: *const V::Elem,
    b: Option<*const V::Elem>,
    len: usize,
) -> (V::Elem, V::Elem) {
    #[inline(always)]
    fn add<V: Vector>(acc: &mut (V, V), x: V, y: Option<V>) {
        let (p, p_err) = match y {
            Some(y) => {
                let p = x.mul(y);
                (p, x.mul_add(y, p.neg()))
            }
            None => (x, V::zero()),
        };
        let (s, e) = two_sum(acc.0, p);
        acc.0 = s;
        acc.1 = acc.1.add(e.add(p_err));
    }
    let per = WAYS / V::LANES;
    let mut acc = [(V::zero(), V::zero()); WAYS];
    let mut i = 0;
    while i + WAYS <= len {
        for (j, s) in acc.iter_mut().enumerate().take(per) {
            let at = i + j * V::LANES;
            // SAFETY: i + WAYS <= len: the LANES elements at `at` are in the row.
            let (x, y) = unsafe { (V::load(a.add(at)), b.map(|b| V::load(b.add(at)))) };
            add(s, x, y);
        }
        i += WAYS;
    }
    let zero = V::Elem::ZERO;
    let (mut hi, mut lo) = ([zero; WAYS], [zero; WAYS]);
    for (j, s) in acc.iter().enumerate().take(per) {
        // SAFETY: the arrays hold WAYS >= (j + 1) LANES elements.
        unsafe {
            s.0.store(hi.as_mut_ptr().add(j * V::LANES));
            s.1.store(lo.as_mut_ptr().add(j * V::LANES));
        }
    }
    type O<T> = One<T>;
    for k in 0..len - i {
        let mut s = (O::<V::Elem>::splat(hi[k]), O::<V::Elem>::splat(lo[k]));
        // SAFETY: i + k < len.
        let (x, y) = unsafe { (*a.add(i + k), b.map(|b| *b.add(i + k))) };
        add(&mut s, O::<V::Elem>::splat(x), y.map(O::<V::Elem>::splat));
        (hi[k], lo[k]) = (lane(s.0), lane(s.1));
    }
    // Fixed order over the positions, in double length.
    let (mut h, mut l) = (O::<V::Elem>::zero(), O::<V::Elem>::zero());
    for k in 0..WAYS {
        let (t, e) = two_sum(h, O::<V::Elem>::splat(hi[k]));
        h = t;
        l = l.add(e.add(O::<V::Elem>::splat(lo[k])));
    }
    (lane(h), lane(l))
}

/// [`dot_pair`] rounded once to `T`.
///
/// # Safety
/// As [`dot_pair`].
#[inline(always)]
pub(crate) unsafe fn dot<V: Vector>(
    a: *const V::Elem,
    b: Option<*const V::Elem>,
    len: usize,
) -> V::Elem {
    // SAFETY: forwarded from the caller.
    let (hi, lo) = unsafe { dot_pair::<V>(a, b, len) };
    hi + lo
}
