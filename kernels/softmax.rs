//! Softmax and log-softmax over rows (the last axis, rows of `row_len` elements), with their
//! gradients from the output.
//!
//! Forward, per row: one pass in f64 lanes (f32 rows widened exactly) that keeps, in 16
//! interleaved accumulators (element `i` goes to accumulator `i mod 16` on every ISA, so every
//! ISA gives the same bits), the running maximum, how many elements equal it, and
//! `sum e^(x - r)` over the others against a lazily moved reference `r` (moved to `x + SHIFT`
//! only when an `x` exceeds it, so each rescaling multiplies the old sum by at most
//! `e^-SHIFT` and its rounding cannot accumulate), each `e^(x - r)` in double length and the
//! sum compensated (2Sum; terms below `e^-708` in a second, scaled sum); the accumulators are
//! then brought to the row's maximum `m` as `S = c + o` (`c` elements equal to `m`, `o` the
//! others, in double length); a second pass writes `e^(x - m) / S` (softmax) or
//! `x - m - ln_1p((c - 1) + o)` (log-softmax), in f64 for f32 rows (rounded once), in double
//! length for f64 rows. So the row is read twice.

use crate::api::isa_fn;
use crate::checks;
use crate::dispatch::{dispatch, WithSimd};
use crate::driver::{map, Kernel, ViaF64};
use crate::math::dot::dot;
use crate::kernels::sigmoid::subnormal_exp_tail;
use crate::math::{self, two_sum, Accuracy, Full};
use crate::simd::scalar::Lane;
use crate::simd::{Simd, Vector, WideFn};
use crate::Float;

/// The scalar specification, evaluated in f64 (for f32 rows within 2^-50 of the exact values;
/// for f64 rows to a few ULP: `x - max` is carried exactly, the exponentials are libm's).
pub mod reference {
    use crate::Float;
    use alloc::vec::Vec;

    /// `x - m` as `d + d_lo` exactly (2Sum; `d_lo = 0` where `d` is infinite).
    fn diff(x: f64, m: f64) -> (f64, f64) {
        let d = x - m;
        let bb = d - x;
        let d_lo = (x - (d - bb)) + (-m - bb);
        (d, if d_lo.is_finite() { d_lo } else { 0.0 })
    }

    /// `e^(x - m)` with `x - m` carried exactly (to first order in its rounding error).
    fn exp_diff(x: f64, m: f64) -> f64 {
        let (d, d_lo) = diff(x, m);
        d.exp() * (1.0 + d_lo)
    }

    /// The maximum, how many elements equal it, and the other terms' sum `sum e^(x - max)`
    /// (Neumaier-compensated), or `None` for a row that holds a NaN or `+inf` or is all
    /// `-inf` (PyTorch gives NaN for all of it).
    fn shifted_sum<T: Float>(x: &[T]) -> Option<(f64, f64, f64)> {
        let mut m = f64::NEG_INFINITY;
        for v in x {
            let v = v.to_f64();
            if v.is_nan() {
                return None;
            }
            m = m.max(v);
        }
        if m.is_infinite() {
            return None;
        }
        let (mut c, mut s, mut comp) = (0.0f64, 0.0f64, 0.0f64);
        for v in x {
            let v = v.to_f64();
            if v == m {
                c += 1.0;
                continue;
            }
            let e = exp_diff(v, m);
            let t = s + e;
            comp += if s >= e { (s - t) + e } else { (e - t) + s };
            s = t;
        }
        Some((m, c, s + comp))
    }

    /// The NaN of element `v` of a NaN row: its own NaN quieted, else the default NaN.
    fn nan_of<T: Float>(v: T) -> T {
        crate::float::nan_rule([v], || T::NAN)
    }

    /// `e^(x_i - max) / sum_j e^(x_j - max)` for one row.
    pub fn softmax<T: Float>(x: &[T]) -> Vec<T> {
        match shifted_sum(x) {
            None => x.iter().map(|&v| nan_of(v)).collect(),
            Some((m, c, o)) => x.iter().map(|v| T::from_f64(exp_diff(v.to_f64(), m) / (c + o))).collect(),
        }
    }
    /// `x_i - max - ln(sum_j e^(x_j - max))` for one row, with `ln` as `ln_1p((c - 1) + o)`.
    pub fn log_softmax<T: Float>(x: &[T]) -> Vec<T> {
        match shifted_sum(x) {
            None => x.iter().map(|&v| nan_of(v)).collect(),
            Some((m, c, o)) => {
                let l = ((c - 1.0) + o).ln_1p();
                x.iter()
                    .map(|v| {
                        let (d, d_lo) = diff(v.to_f64(), m);
                        T::from_f64((d - l) + d_lo)
                    })
                    .collect()
            }
        }
    }
}

/// Interleaved accumulators: element `i` of a row goes to accumulator `i % WAYS`.
const WAYS: usize = 16;

/// A new reference is `x + SHIFT`: rescalings multiply by at most `e^-SHIFT`, small enough
/// that their roundings do not accumulate (`n e^-SHIFT < 2^-20` for rows of 2^20 elements).
const SHIFT: f64 = 32.0;

/// Terms `e^(x - r)` below `e^TINY` (where the double-length exponential stops) go to a
/// second sum, scaled by `e^SCALE`; below `e^(TINY - SCALE)` a term is below `2^-1000` of
/// the sum of its row and is dropped.
const TINY: f64 = -708.0;
const SCALE: f64 = 512.0;

/// `S = sum e^(x - m)` of one row as `c + o`: `c` the number of elements equal to the
/// maximum `m` (exact), `o = o_hi + o_lo` the others' terms.
#[derive(Clone, Copy)]
pub(crate) struct RowSum {
    m: f64,
    c: f64,
    o_hi: f64,
    o_lo: f64,
}

impl RowSum {
    /// `S` as an unevaluated sum.
    fn sum(self) -> (f64, f64) {
        let (h, e) = two_sum(Lane(self.c), Lane(self.o_hi));
        (h.0, e.0 + self.o_lo)
    }
    /// `ln S = ln_1p((c - 1) + o)`: a dominant maximum keeps its small result.
    fn ln(self) -> f64 {
        let (u, e) = two_sum(Lane(self.c - 1.0), Lane(self.o_hi));
        u.0.ln_1p() + (e.0 + self.o_lo) / (1.0 + u.0)
    }
}

/// `e^(a + a_lo)` for `a <= SHIFT` in double length (`1 / e^-a` above 0; below -708 once
/// rounded, where the value is subnormal).
fn exp_any(a: f64, a_lo: f64) -> (f64, f64) {
    let (a, a_lo) = (Lane(a), Lane(if a_lo.is_finite() { a_lo } else { 0.0 }));
    let (h, l) = if a.0 < TINY {
        (math::exp_nonpositive::<Full, _>(a), Lane(0.0))
    } else if a.0 <= 0.0 {
        math::exp_nonpositive_pair(a, a_lo)
    } else {
        let (eh, el) = math::exp_nonpositive_pair(a.neg(), a_lo.neg());
        math::div_pair(Lane(1.0), Lane(0.0), eh, el)
    };
    (h.0, l.0)
}

/// `a - b` as an unevaluated sum (2Sum).
fn diff(a: f64, b: f64) -> (f64, f64) {
    let (d, e) = two_sum(Lane(a), Lane(-b));
    (d.0, e.0)
}

/// The accumulators of one row after its pass, by position: maximum `m` (NaN once a NaN was
/// seen), how many elements equal it `c`, the reference `r`, the compensated sum `sh + sl`
/// of `e^(x - r)` over the other elements, and `th + tl`, the sum of the tiny terms times
/// `e^SCALE`.
pub(crate) struct Accumulators {
    m: [f64; WAYS],
    c: [f64; WAYS],
    r: [f64; WAYS],
    sh: [f64; WAYS],
    sl: [f64; WAYS],
    th: [f64; WAYS],
    tl: [f64; WAYS],
}

impl Accumulators {
    /// The row's sum, `None` where its maximum is NaN or infinite (a NaN, a `+inf`, or
    /// nothing but `-inf` in the row: PyTorch's result is NaN throughout).
    fn combine(&self) -> Option<RowSum> {
        let mut m = f64::NEG_INFINITY;
        for &v in &self.m {
            if v.is_nan() {
                return None;
            }
            m = m.max(v);
        }
        if !m.is_finite() {
            return None;
        }
        let (mut c, mut oh, mut ol) = (0.0f64, Lane(0.0f64), Lane(0.0f64));
        let mut add = |(ph, pl): (f64, f64)| {
            let (t, e) = two_sum(oh, Lane(ph));
            oh = t;
            ol = ol.add(e.add(Lane(pl)));
        };
        let times = |(h, l): (f64, f64), (fh, fl): (f64, f64)| {
            let (p, q) = math::mul_pair(Lane(h), Lane(l), Lane(fh), Lane(fl));
            (p.0, q.0)
        };
        for k in 0..WAYS {
            let (mk, ck) = (self.m[k], self.c[k]);
            if mk == m {
                c += ck;
            } else if ck > 0.0 && mk > f64::NEG_INFINITY {
                let (a, a_lo) = diff(mk, m);
                add(times((ck, 0.0), exp_any(a, a_lo)));
            }
            if self.r[k] > f64::NEG_INFINITY {
                let (a, a_lo) = diff(self.r[k], m);
                add(times((self.sh[k], self.sl[k]), exp_any(a, a_lo)));
                let (b, b_lo) = diff(a, SCALE);
                add(times((self.th[k], self.tl[k]), exp_any(b, b_lo + a_lo)));
            }
        }
        let (t, e) = two_sum(oh, ol);
        Some(RowSum { m, c, o_hi: t.0, o_lo: e.0 })
    }
}

/// One accumulator vector (see [`Accumulators`]), in f64 lanes for f32 rows too.
#[derive(Clone, Copy)]
struct Acc<W> {
    m: W,
    c: W,
    r: W,
    sh: W,
    sl: W,
    th: W,
    tl: W,
}

impl<W: Vector<Elem = f64>> Acc<W> {
    fn new() -> Self {
        let ninf = W::splat(f64::NEG_INFINITY);
        let z = W::zero();
        Acc { m: ninf, c: z, r: ninf, sh: z, sl: z, th: z, tl: z }
    }

    /// Adds `e^(v - r)` (for `v <= r`, 0 where `v` is `-inf`) to the sums, where `keep`.
    #[inline(always)]
    fn add_term(&mut self, v: W, times: W) {
        let (d, d_lo) = two_sum(v, self.r.neg());
        let tiny = d.lt(W::splat(TINY));
        // d + SCALE exactly (2Sum) for the tiny ones.
        let (ds, ds_lo) = two_sum(d, W::splat(SCALE));
        let (a, a_lo) = (W::select(tiny, ds, d), W::select(tiny, ds_lo.add(d_lo), d_lo));
        let a_lo = W::select(v.lt(W::splat(-f64::MAX)), W::zero(), a_lo);
        let (eh, el) = math::exp_nonpositive_pair(a.clamp_min(W::splat(TINY)), a_lo);
        // Below TINY - SCALE, and for v = -inf (which gives inf - inf or -inf + inf), the
        // term is dropped.
        let gone = W::mask_or(a.lt(W::splat(TINY)), v.lt(W::splat(-f64::MAX)));
        let (eh, el) = (W::select(gone, W::zero(), eh.mul(times)), W::select(gone, W::zero(), el.mul(times)));
        let z = W::zero();
        let (h, e) = two_sum(self.sh, W::select(tiny, z, eh));
        self.sh = h;
        self.sl = self.sl.add(e.add(W::select(tiny, z, el)));
        let (h, e) = two_sum(self.th, W::select(tiny, eh, z));
        self.th = h;
        self.tl = self.tl.add(e.add(W::select(tiny, el, z)));
    }

    /// Takes in one vector of the row.
    #[inline(always)]
    fn step(&mut self, x: W) {
        let (one, z) = (W::splat(1.0), W::zero());
        let up = self.r.lt(x);
        if W::any(up) {
            let r = W::select(up, x.add(W::splat(SHIFT)), self.r);
            // The old sums times e^(r_old - r) <= e^-SHIFT (its rounding is immaterial);
            // where that is below e^TINY the main sum moves to the tiny one.
            let arg = self.r.sub(r).clamp_min(W::splat(-f64::MAX));
            let far = arg.lt(W::splat(TINY));
            let f = math::exp_nonpositive::<Full, W>(arg);
            let g = math::exp_nonpositive::<Full, W>(arg.add(W::splat(SCALE)));
            let (sh, sl) = (self.sh.mul(f), self.sl.mul(f));
            let (th, tl) = (self.th.mul(f), self.tl.mul(f));
            let (mh, ml) = (self.sh.mul(g), self.sl.mul(g));
            self.sh = W::select(up, W::select(far, z, sh), self.sh);
            self.sl = W::select(up, W::select(far, z, sl), self.sl);
            self.th = W::select(up, W::select(far, th.add(mh), th), self.th);
            self.tl = W::select(up, W::select(far, tl.add(ml), tl), self.tl);
            self.r = r;
        }
        let above = self.m.lt(x);
        if W::any(above) {
            // The old maximum's c elements join the others.
            self.add_term(self.m, W::select(above, self.c, z));
        }
        self.add_term(x, W::select(x.lt(self.m), one, z));
        // c: 1 at a new maximum, +1 for an equal element.
        self.c = W::select(above, one, W::select(self.m.le(x), self.c.add(one), self.c));
        self.m = W::select(x.is_nan(), x, self.m.clamp_min(x));
    }

    /// Stores the lanes into positions `at .. at + LANES` of `out`.
    fn store(&self, out: &mut Accumulators, at: usize) {
        assert!(at + W::LANES <= WAYS);
        // SAFETY: each array has WAYS >= at + LANES elements (asserted).
        unsafe {
            self.m.store(out.m.as_mut_ptr().add(at));
            self.c.store(out.c.as_mut_ptr().add(at));
            self.r.store(out.r.as_mut_ptr().add(at));
            self.sh.store(out.sh.as_mut_ptr().add(at));
            self.sl.store(out.sl.as_mut_ptr().add(at));
            self.th.store(out.th.as_mut_ptr().add(at));
            self.tl.store(out.tl.as_mut_ptr().add(at));
        }
    }
}

/// The forward pass over one row, in f64 lanes of the ISA (f32 rows widened, exactly, 16
/// elements at a time): the accumulators by position.
#[inline(always)]
fn row_pass<W: Vector<Elem = f64>, T: Float>(x: &[T]) -> Accumulators {
    let per = WAYS / W::LANES;
    let mut acc = [Acc::<W>::new(); WAYS];
    let whole = x.len() - x.len() % WAYS;
    let mut buf = [0.0f64; WAYS];
    for block in x[..whole].chunks_exact(WAYS) {
        let wide: &[f64] = match T::slice_as::<f64>(block) {
            Some(b) => b,
            None => {
                for (w, v) in buf.iter_mut().zip(block) {
                    *w = v.to_f64();
                }
                &buf
            }
        };
        for (j, a) in acc.iter_mut().enumerate().take(per) {
            // SAFETY: `wide` holds WAYS = per LANES elements.
            a.step(unsafe { W::load(wide.as_ptr().add(j * W::LANES)) });
        }
    }
    let z = [0.0f64; WAYS];
    let mut out = Accumulators { m: z, c: z, r: z, sh: z, sl: z, th: z, tl: z };
    for (j, a) in acc.iter().enumerate().take(per) {
        a.store(&mut out, j * W::LANES);
    }
    // The tail, element by element into its position's accumulator: the same operations on
    // one lane, so the bits do not depend on the ISA.
    for (k, v) in x[whole..].iter().enumerate() {
        let mut a = Acc {
            m: Lane(out.m[k]),
            c: Lane(out.c[k]),
            r: Lane(out.r[k]),
            sh: Lane(out.sh[k]),
            sl: Lane(out.sl[k]),
            th: Lane(out.th[k]),
            tl: Lane(out.tl[k]),
        };
        a.step(Lane(v.to_f64()));
        (out.m[k], out.c[k], out.r[k]) = (a.m.0, a.c.0, a.r.0);
        (out.sh[k], out.sl[k], out.th[k], out.tl[k]) = (a.sh.0, a.sl.0, a.th.0, a.tl.0);
    }
    out
}

/// `e^(x - m) / S`: f32 rows as `e^((x - m) - ln S)` in f64, rounded once; f64 rows with
/// `e^(x - m)` and the quotient in double length, and below `x - m = -708` (a subnormal
/// exponential) `e^(x - m) (1 / S)` rounded once.
#[derive(Clone, Copy)]
struct SoftmaxOut {
    m: f64,
    s_hi: f64,
    s_lo: f64,
    l: f64,
}
impl WideFn<1> for SoftmaxOut {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x]: [W; 1]) -> W {
        if A::FOR_F32 {
            let a = x.sub(W::splat(self.m)).sub(W::splat(self.l)).clamp_max(W::zero());
            return math::exp_nonpositive::<A, W>(a);
        }
        let (d, d_lo) = two_sum(x, W::splat(-self.m));
        // x - m = -inf (x = -inf, or an overflow): e^(x - m) = 0.
        let gone = d.lt(W::splat(-f64::MAX));
        let d_lo = W::select(gone, W::zero(), d_lo);
        let (eh, el) = math::exp_nonpositive_pair(d, d_lo);
        let (q, q_lo) = math::div_pair(eh, el, W::splat(self.s_hi), W::splat(self.s_lo));
        let y = W::select(d.lt(W::splat(-708.0)), W::zero(), q.add(q_lo));
        subnormal_exp_tail::<Full, W>(d, d_lo, W::splat(1.0 / self.s_hi), y)
    }
}

/// `x - m - ln S`: f32 rows in f64, rounded once; f64 rows with `x - m` and the difference
/// carried exactly (both terms are <= 0: nothing cancels).
#[derive(Clone, Copy)]
struct LogSoftmaxOut {
    m: f64,
    l: f64,
}
impl WideFn<1> for LogSoftmaxOut {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x]: [W; 1]) -> W {
        if A::FOR_F32 {
            return x.sub(W::splat(self.m)).sub(W::splat(self.l));
        }
        let (d, d_lo) = two_sum(x, W::splat(-self.m));
        let (s, e) = two_sum(d, W::splat(-self.l));
        let y = s.add(e.add(d_lo));
        // x - m = -inf (x = -inf, or an overflow): -inf.
        W::select(d.lt(W::splat(-f64::MAX)), d, y)
    }
}

/// A NaN for every element (the driver's NaN rule then gives each element its own NaN, or
/// the default one).
#[derive(Clone, Copy)]
struct AllNan;
impl<T: Float> Kernel<T, 1> for AllNan {
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, _: [V; 1]) -> V {
        V::splat(T::NAN)
    }
}

/// Softmax (or log-softmax) of the rows of `x` into `y`.
pub(crate) struct Rows<'a, T> {
    x: &'a [T],
    y: &'a mut [T],
    row_len: usize,
    log: bool,
}

impl<T: Float> WithSimd for Rows<'_, T> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        let n = self.row_len;
        for (x, y) in self.x.chunks_exact(n).zip(self.y.chunks_exact_mut(n)) {
            let acc = row_pass::<<T::Vector<S> as Vector>::Wide, T>(x);
            let (xp, yp) = (x.as_ptr(), y.as_mut_ptr());
            // SAFETY (the three maps): `x` and `y` are distinct rows of `n` elements.
            match acc.combine() {
                None => unsafe { map::<T::Vector<S>, _, 1>(AllNan, [xp], yp, n, false) },
                Some(sum) => {
                    let (m, l) = (sum.m, sum.ln());
                    let (s_hi, s_lo) = sum.sum();
                    if self.log {
                        let k = ViaF64(LogSoftmaxOut { m, l });
                        unsafe { map::<T::Vector<S>, _, 1>(k, [xp], yp, n, false) }
                    } else {
                        let k = ViaF64(SoftmaxOut { m, s_hi, s_lo, l });
                        unsafe { map::<T::Vector<S>, _, 1>(k, [xp], yp, n, false) }
                    }
                }
            }
        }
    }
}

/// `dx = y (dy - s)` with the row's `s = sum y dy`.
#[derive(Clone, Copy)]
struct SoftmaxGrad<T>(T);
impl<T: Float> Kernel<T, 2> for SoftmaxGrad<T> {
    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, [y, dy]: [V; 2]) -> V {
        y.mul(dy.sub(V::splat(self.0)))
    }
}

/// `dx = dy - e^y s` with the row's `s = sum dy` (`y <= 0`), in f64.
#[derive(Clone, Copy)]
struct LogSoftmaxGrad(f64);
impl WideFn<2> for LogSoftmaxGrad {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [y, dy]: [W; 2]) -> W {
        let e = math::exp_nonpositive::<A, W>(y.clamp_max(W::zero()));
        e.neg().mul_add(W::splat(self.0), dy)
    }
}

/// The gradient of softmax (or log-softmax) from its output, row by row.
pub(crate) struct GradRows<'a, T> {
    y: &'a [T],
    dy: &'a [T],
    dx: &'a mut [T],
    row_len: usize,
    log: bool,
}

impl<T: Float> WithSimd for GradRows<'_, T> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        let n = self.row_len;
        let rows = self.y.chunks_exact(n).zip(self.dy.chunks_exact(n)).zip(self.dx.chunks_exact_mut(n));
        for ((y, dy), dx) in rows {
            let (yp, dyp, dxp) = (y.as_ptr(), dy.as_ptr(), dx.as_mut_ptr());
            // SAFETY (both branches): three distinct rows of `n` elements.
            if self.log {
                let s = unsafe { dot::<T::Vector<S>>(dyp, None, n) };
                let k = ViaF64(LogSoftmaxGrad(s.to_f64()));
                unsafe { map::<T::Vector<S>, _, 2>(k, [yp, dyp], dxp, n, false) }
            } else {
                let s = unsafe { dot::<T::Vector<S>>(yp, Some(dyp), n) };
                unsafe { map::<T::Vector<S>, _, 2>(SoftmaxGrad(s), [yp, dyp], dxp, n, false) }
            }
        }
    }
}

isa_fn! {
    /// Softmax over rows: `y[i] = e^(x[i] - max) / sum_j e^(x[j] - max)` for each row of
    /// `row_len` elements (the last axis of a `[.., row_len]` tensor, PyTorch's
    /// `softmax(x, dim=-1)`).
    ///
    /// Two passes over each row: the maximum and the compensated sum of the exponentials
    /// together (16 interleaved accumulators, each exponential in double length), then the
    /// outputs (f32 rows: in f64, rounded once; f64 rows: the exponential and the quotient in
    /// double length). Each output is within 2 ULP of the correctly rounded value for rows
    /// of up to 2^20 elements (measured: see the README). Bit-identical on every ISA. Rows as
    /// PyTorch: a NaN, a `+inf`, or nothing but `-inf` makes the whole row NaN (each element
    /// its own NaN quieted, else the default NaN); a `-inf` among finite values gives 0.
    ///
    /// # Panics
    /// If `x.len() != y.len()`, or unless `row_len > 0` divides `x.len()`.
    ///
    /// ```
    /// let x = [1.0f32, 2.0, 3.0, 0.0, 0.0, f32::NEG_INFINITY];
    /// let mut y = [0.0f32; 6];
    /// simd_activations::softmax(&x, &mut y, 3);
    /// let e = [1.0f32, 1.0f32.exp(), 2.0f32.exp()];
    /// let s: f32 = e.iter().sum();
    /// assert!((y[2] - e[2] / s).abs() <= 2.0 * f32::EPSILON);
    /// assert_eq!(y[3..], [0.5, 0.5, 0.0]);
    /// ```
    pub fn softmax / softmax_on(isa) staged(x: &[T], y: &mut [T], row_len: usize) {
        checks::same_len("softmax", &[("x", x.len()), ("y", y.len())]);
        checks::row_len("softmax", x.len(), row_len);
        dispatch("softmax", isa, Rows { x, y, row_len, log: false })
    }
}

isa_fn! {
    /// Log-softmax over rows: `y[i] = x[i] - max - ln(sum_j e^(x[j] - max))` for each row of
    /// `row_len` elements (PyTorch's `log_softmax(x, dim=-1)`).
    ///
    /// The first pass as [`softmax`]'s; then `x - max - ln S` (f32 rows in f64, rounded once;
    /// f64 rows with the differences carried exactly; both terms are <= 0, so nothing
    /// cancels, and `ln S` is `ln_1p(S - 1)` so a dominant element keeps its tiny result).
    /// Each output within 2 ULP of the correctly rounded value (measured: see the README).
    /// NaN, `+inf` and all-`-inf` rows give NaN throughout (as PyTorch); a `-inf` among
    /// finite values gives `-inf`.
    ///
    /// # Panics
    /// If `x.len() != y.len()`, or unless `row_len > 0` divides `x.len()`.
    ///
    /// ```
    /// let mut y = [0.0f64; 2];
    /// simd_activations::log_softmax(&[0.0, -100.0], &mut y, 2);
    /// assert_eq!(y[0], -(-100.0f64).exp()); // -ln(1 + e^-100), not 0
    /// assert_eq!(y[1], -100.0 + y[0]);
    /// ```
    pub fn log_softmax / log_softmax_on(isa) staged(x: &[T], y: &mut [T], row_len: usize) {
        checks::same_len("log_softmax", &[("x", x.len()), ("y", y.len())]);
        checks::row_len("log_softmax", x.len(), row_len);
        dispatch("log_softmax", isa, Rows { x, y, row_len, log: true })
    }
}

isa_fn! {
    /// Softmax gradient from its output `y`: `dx[i] = y[i] (dy[i] - sum_j y[j] dy[j])` per row
    /// (PyTorch's `_softmax_backward_data`). The row's sum is compensated (products' errors by
    /// FMA, 2Sum) and rounded once, then each element costs two roundings. NaN in a row's `y`
    /// or `dy` makes the row NaN. Two passes over the row.
    ///
    /// # Panics
    /// If `y`, `dy` and `dx` differ in length, or unless `row_len > 0` divides their length.
    ///
    /// ```
    /// let y = [0.25f32, 0.75];
    /// let mut dx = [0.0f32; 2];
    /// simd_activations::softmax_backward_from_output(&y, &[1.0, 0.0], &mut dx, 2);
    /// assert_eq!(dx, [0.25 * 0.75, -0.75 * 0.25]); // y (dy - 0.25)
    /// ```
    pub fn softmax_backward_from_output / softmax_backward_from_output_on(isa) staged(y: &[T], dy: &[T], dx: &mut [T], row_len: usize) {
        let func = "softmax_backward_from_output";
        checks::same_len(func, &[("y", y.len()), ("dy", dy.len()), ("dx", dx.len())]);
        checks::row_len(func, y.len(), row_len);
        dispatch(func, isa, GradRows { y, dy, dx, row_len, log: false })
    }
}

isa_fn! {
    /// Log-softmax gradient from its output `y`: `dx[i] = dy[i] - e^y[i] sum_j dy[j]` per row
    /// (PyTorch's `_log_softmax_backward_data`). The row's sum is compensated and rounded
    /// once; each element is computed in f64 (f32 rows, rounded once) or with one FMA (f64).
    /// Two passes over the row.
    ///
    /// # Panics
    /// If `y`, `dy` and `dx` differ in length, or unless `row_len > 0` divides their length.
    ///
    /// ```
    /// let y = [0.5f64.ln(), 0.5f64.ln()];
    /// let mut dx = [0.0f64; 2];
    /// simd_activations::log_softmax_backward_from_output(&y, &[1.0, 3.0], &mut dx, 2);
    /// assert!((dx[0] - (1.0 - 0.5 * 4.0)).abs() < 1e-15);
    /// ```
    pub fn log_softmax_backward_from_output / log_softmax_backward_from_output_on(isa) staged(y: &[T], dy: &[T], dx: &mut [T], row_len: usize) {
        let func = "log_softmax_backward_from_output";
        checks::same_len(func, &[("y", y.len()), ("dy", dy.len()), ("dx", dx.len())]);
        checks::row_len(func, y.len(), row_len);
        dispatch(func, isa, GradRows { y, dy, dx, row_len, log: true })
    }
}
