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

use super::{NativeFn, Simd, Vector, WideFn};
use crate::math::{Full, Single};
use core::arch::aarch64::*;

/// Token of the NEON ISA.
#[derive(Clone, Copy, Debug)]
pub struct Neon;

impl Simd for Neon {
    type F32 = F32x4;
    type F64 = F64x2;
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

    #[inline(always)]
    fn eval_native<const N: usize, F: NativeFn<N>>(inputs: [Self; N], f: F) -> Self {
        f.eval_f32(inputs)
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
    #[inline(always)]
    fn eval_native<const N: usize, F: NativeFn<N>>(inputs: [Self; N], f: F) -> Self {
        f.eval::<_, Full>(inputs)
    }
}

/// Lane-by-lane comparison with the portable [`Lane`](super::scalar::Lane) implementation, on
/// the values where NEON's instructions and the trait's semantics could part ways (NaN, signed
/// zeros, infinities, subnormals, rounding ties). Runs on aarch64 only (natively or under qemu).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::scalar::Lane;

    /// The module invariant: NEON values are only made after NEON was detected.
    fn assert_neon() {
        assert!(std::arch::is_aarch64_feature_detected!("neon"));
    }

    macro_rules! suite {
        ($name:ident, $t:ty, $v:ident, $bits:ty, $mask_store:ident, $lanes:expr) => {
            mod $name {
                use super::*;

                const L: usize = $lanes;
                type V = $v;

                fn specials() -> Vec<$t> {
                    let mut s = vec![
                        0.0,
                        -0.0,
                        1.0,
                        -1.0,
                        0.5,
                        -0.5,
                        1.5,
                        2.5,
                        -2.5,
                        3.0,
                        1e-3,
                        -7.25,
                        <$t>::MAX,
                        <$t>::MIN,
                        <$t>::MIN_POSITIVE,
                        <$t>::MIN_POSITIVE / 4.0,
                        -<$t>::MIN_POSITIVE / 8.0,
                        <$t>::EPSILON,
                        1.0 / <$t>::EPSILON + 0.5,
                        <$t>::INFINITY,
                        <$t>::NEG_INFINITY,
                        <$t>::NAN,
                        -<$t>::NAN,
                        <$t>::from_bits(<$t>::NAN.to_bits() | 0x5),
                        <$t>::from_bits(<$t>::INFINITY.to_bits() | 0x1), // signalling NaN
                    ];
                    s = std::hint::black_box(s);
                    s
                }

                /// Columns of `k`-tuples of specials, every combination once, padded with 1.0 to
                /// whole vectors.
                fn columns(k: usize) -> Vec<Vec<$t>> {
                    let s = specials();
                    let total = s.len().pow(k as u32);
                    let padded = total.div_ceil(L) * L;
                    (0..k)
                        .map(|c| {
                            (0..padded)
                                .map(|i| {
                                    if i < total {
                                        s[(i / s.len().pow(c as u32)) % s.len()]
                                    } else {
                                        1.0
                                    }
                                })
                                .collect()
                        })
                        .collect()
                }

                fn load(a: &[$t]) -> V {
                    assert!(a.len() >= L);
                    // SAFETY: `a` holds at least L elements.
                    unsafe { V::load(a.as_ptr()) }
                }

                fn lanes(v: V) -> [$t; L] {
                    let mut a = [0.0; L];
                    // SAFETY: `a` holds L elements.
                    unsafe { v.store(a.as_mut_ptr()) };
                    a
                }

                fn mask_lanes(m: <V as Vector>::Mask) -> [bool; L] {
                    let mut a = [0 as $bits; L];
                    // SAFETY: `a` holds L mask lanes.
                    unsafe { $mask_store(a.as_mut_ptr(), m) };
                    a.map(|b| {
                        assert!(b == 0 || b == <$bits>::MAX, "mask lane {b:#x}");
                        b != 0
                    })
                }

                /// Bit equality; with `any_nan`, two NaNs match whatever their payloads (Rust
                /// does not pin down the payload of an arithmetic result).
                fn check(op: &str, args: &[$t], got: $t, want: $t, any_nan: bool) {
                    let ok = got.to_bits() == want.to_bits()
                        || (any_nan && got.is_nan() && want.is_nan());
                    assert!(
                        ok,
                        "{op}{args:?}: neon {got:?} ({:#x}), scalar {want:?} ({:#x})",
                        got.to_bits(),
                        want.to_bits()
                    );
                }

                #[test]
                fn unary() {
                    assert_neon();
                    let c = columns(1);
                    for x in c[0].chunks(L) {
                        let v = load(x);
                        let ops: [(&str, fn(V) -> V, fn(Lane<$t>) -> Lane<$t>, bool); 4] = [
                            ("neg", V::neg, Lane::neg, false),
                            ("abs", V::abs, Lane::abs, false),
                            ("round", V::round, Lane::round, true),
                            (
                                "shift_into_exponent",
                                V::shift_into_exponent,
                                Lane::shift_into_exponent,
                                false,
                            ),
                        ];
                        for (name, f, g, any_nan) in ops {
                            let got = lanes(f(v));
                            for i in 0..L {
                                check(name, &[x[i]], got[i], g(Lane(x[i])).0, any_nan);
                            }
                        }
                        let m = mask_lanes(v.is_nan());
                        for i in 0..L {
                            assert_eq!(m[i], x[i].is_nan(), "is_nan({:?})", x[i]);
                        }
                        assert_eq!(
                            lanes(V::splat(x[0])).map(<$t>::to_bits),
                            [x[0].to_bits(); L]
                        );
                    }
                    assert_eq!(lanes(V::zero()).map(<$t>::to_bits), [0; L]);
                }

                #[test]
                fn binary() {
                    assert_neon();
                    let c = columns(2);
                    for (x, y) in c[0].chunks(L).zip(c[1].chunks(L)) {
                        let (a, b) = (load(x), load(y));
                        let ops: [(
                            &str,
                            fn(V, V) -> V,
                            fn(Lane<$t>, Lane<$t>) -> Lane<$t>,
                            bool,
                        ); 6] = [
                            ("add", V::add, Lane::add, true),
                            ("sub", V::sub, Lane::sub, true),
                            ("mul", V::mul, Lane::mul, true),
                            ("div", V::div, Lane::div, true),
                            ("clamp_min", V::clamp_min, Lane::clamp_min, false),
                            ("clamp_max", V::clamp_max, Lane::clamp_max, false),
                        ];
                        for (name, f, g, any_nan) in ops {
                            let got = lanes(f(a, b));
                            for i in 0..L {
                                check(
                                    name,
                                    &[x[i], y[i]],
                                    got[i],
                                    g(Lane(x[i]), Lane(y[i])).0,
                                    any_nan,
                                );
                            }
                        }
                        let (lt, le, gt) = (a.lt(b), a.le(b), a.gt(b));
                        let (mlt, mle, mgt) = (mask_lanes(lt), mask_lanes(le), mask_lanes(gt));
                        let mor = mask_lanes(V::mask_or(lt, gt));
                        let sel = lanes(V::select(le, a, b));
                        for i in 0..L {
                            let (p, q) = (Lane(x[i]), Lane(y[i]));
                            assert_eq!(mlt[i], p.lt(q), "lt({:?}, {:?})", x[i], y[i]);
                            assert_eq!(mle[i], p.le(q), "le({:?}, {:?})", x[i], y[i]);
                            assert_eq!(mgt[i], p.gt(q), "gt({:?}, {:?})", x[i], y[i]);
                            assert_eq!(mor[i], p.lt(q) | p.gt(q));
                            let want = Lane::select(p.le(q), p, q).0;
                            check("select", &[x[i], y[i]], sel[i], want, false);
                        }
                        assert_eq!(V::any(lt), mlt.iter().any(|&m| m));
                        assert_eq!(V::any(le), mle.iter().any(|&m| m));
                    }
                }

                #[test]
                fn mul_add() {
                    assert_neon();
                    let c = columns(3);
                    for ((x, y), z) in c[0].chunks(L).zip(c[1].chunks(L)).zip(c[2].chunks(L)) {
                        let got = lanes(load(x).mul_add(load(y), load(z)));
                        for i in 0..L {
                            let want = Lane(x[i]).mul_add(Lane(y[i]), Lane(z[i])).0;
                            check("mul_add", &[x[i], y[i], z[i]], got[i], want, true);
                        }
                    }
                }

                #[test]
                fn any_each_lane() {
                    assert_neon();
                    for set in 0..(1usize << L) {
                        let x: Vec<$t> = (0..L)
                            .map(|i| if set >> i & 1 != 0 { -1.0 } else { 1.0 })
                            .collect();
                        assert_eq!(V::any(load(&x).lt(V::zero())), set != 0, "lanes {set:#b}");
                    }
                }

                #[test]
                fn reduce_sum() {
                    assert_neon();
                    let c = columns(1);
                    for x in c[0].windows(L) {
                        let got = load(x).reduce_sum();
                        // The documented order: pairwise.
                        let want = if L == 4 {
                            (x[0] + x[1]) + (x[2] + x[3])
                        } else {
                            x[0] + x[1]
                        };
                        check("reduce_sum", x, got, want, true);
                    }
                }

                #[test]
                fn partial_loads_and_stores_stay_in_bounds() {
                    assert_neon();
                    for n in 0..L {
                        // `src[..n]` is the valid part; the rest are sentinels that must not leak in.
                        let mut src = [<$t>::NAN; L];
                        for (i, s) in src.iter_mut().enumerate().take(n) {
                            *s = i as $t + 1.0;
                        }
                        // SAFETY: `src` is valid for n < L reads.
                        let v = unsafe { V::load_partial(src.as_ptr(), n) };
                        let got = lanes(v);
                        for i in 0..L {
                            let want: $t = if i < n { i as $t + 1.0 } else { 0.0 };
                            assert_eq!(
                                got[i].to_bits(),
                                want.to_bits(),
                                "load_partial n={n} lane {i}"
                            );
                        }
                        let mut dst = [-9.0 as $t; L];
                        // SAFETY: `dst` is valid for n < L writes.
                        unsafe { load(&[7.0; L]).store_partial(dst.as_mut_ptr(), n) };
                        for (i, d) in dst.iter().enumerate() {
                            assert_eq!(
                                *d,
                                if i < n { 7.0 } else { -9.0 },
                                "store_partial n={n} lane {i}"
                            );
                        }
                    }
                }

                #[test]
                fn stream_store() {
                    assert_neon();
                    #[repr(align(16))]
                    struct Aligned([$t; L]);
                    let mut dst = Aligned([0.0; L]);
                    let x: Vec<$t> = (0..L).map(|i| i as $t - 0.5).collect();
                    // SAFETY: `dst` is valid for L writes and 16-byte aligned.
                    unsafe { load(&x).store_stream(dst.0.as_mut_ptr()) };
                    V::stream_fence();
                    assert_eq!(&dst.0[..], &x[..]);
                }
            }
        };
    }

    suite!(f32x4, f32, F32x4, u32, vst1q_u32, 4);
    suite!(f64x2, f64, F64x2, u64, vst1q_u64, 2);
}
