//! Conformance of every [`Vector`] implementation with the portable [`Lane`] one, lane by lane
//! and bit for bit (NaN payloads excepted where Rust does not pin them down), on the values
//! where the instructions and the trait's semantics could part ways: NaN (quiet, signalling,
//! both signs, payloads), signed zeros, infinities, subnormals, extremes and rounding ties.
//! Every special value visits every lane, and every combination of them every lane for the
//! two- and three-operand methods.
//!
//! One suite, instantiated for each ISA's f32 and f64 vectors: AVX2 and AVX-512 on x86-64,
//! NEON on AArch64 (natively or under qemu). A suite whose ISA this CPU lacks is skipped,
//! except that AVX-512's fails when the environment sets `EXPECT_AVX512` (the emulated
//! AVX-512 run), so a silently skipped suite cannot pass for a tested one.

use super::scalar::Lane;
use super::{Vector, WideFn};
use crate::math::Accuracy;

/// Two f64 functions for [`Vector::eval_wide`], written with several of the operations.
#[derive(Clone, Copy)]
struct Wide2;

impl WideFn<2> for Wide2 {
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x, y]: [W; 2]) -> W {
        let d = y.abs().add(W::splat(1.0));
        x.mul_add(y, x.div(d)).sub(W::splat(0.25))
    }
}

#[derive(Clone, Copy)]
struct Wide1;

impl WideFn<1> for Wide1 {
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x]: [W; 1]) -> W {
        // `A` reaches the function: f32 vectors evaluate for a Single result, f64 for Full.
        let tag = if A::FOR_F32 { 3.0 } else { 5.0 };
        x.mul(x).add(W::splat(tag)).clamp_max(W::splat(1e300))
    }
}

macro_rules! suite {
    (
        $name:ident, $t:ty, $v:ty,
        detected: $detected:expr,
        expect_env: $expect_env:expr,
        mask_lanes: $mask_lanes:expr,
        reduce_order: $reduce_order:expr $(,)?
    ) => {
        mod $name {
            use super::*;

            type V = $v;
            const L: usize = <V as Vector>::LANES;

            /// Whether this CPU has the ISA (the module invariant of its `Vector` types); when
            /// `expect_env` is set in the environment, it must.
            fn ready() -> bool {
                let detected: bool = $detected;
                let expect: Option<&str> = $expect_env;
                if let Some(var) = expect {
                    assert!(
                        detected || std::env::var_os(var).is_none(),
                        "{var} is set but the ISA of {} is not detected",
                        stringify!($name)
                    );
                }
                if !detected {
                    println!("{}: ISA not detected, skipped", stringify!($name));
                }
                detected
            }

            fn specials() -> Vec<$t> {
                std::hint::black_box(vec![
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
                    <$t>::from_bits(1),
                    <$t>::EPSILON,
                    1.0 / <$t>::EPSILON + 0.5,
                    <$t>::INFINITY,
                    <$t>::NEG_INFINITY,
                    <$t>::NAN,
                    -<$t>::NAN,
                    <$t>::from_bits(<$t>::NAN.to_bits() | 0x5),
                    <$t>::from_bits(<$t>::INFINITY.to_bits() | 0x1), // signalling NaN
                ])
            }

            /// `k` columns holding every `k`-tuple of specials once, each extended cyclically
            /// by `L - 1` elements: the windows `[s, s + L)` for `s` in `0..tuples` put every
            /// tuple in every lane.
            fn columns(k: usize) -> (usize, Vec<Vec<$t>>) {
                let s = specials();
                let total = s.len().pow(k as u32);
                let cols = (0..k)
                    .map(|c| {
                        (0..total + L - 1)
                            .map(|i| s[((i % total) / s.len().pow(c as u32)) % s.len()])
                            .collect()
                    })
                    .collect();
                (total, cols)
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
                let f: fn(<V as Vector>::Mask) -> [bool; L] = $mask_lanes;
                f(m)
            }

            /// Bit equality; with `any_nan`, two NaNs match whatever their payloads (Rust
            /// does not pin down the payload of an arithmetic result).
            fn check(op: &str, args: &[$t], got: $t, want: $t, any_nan: bool) {
                let ok =
                    got.to_bits() == want.to_bits() || (any_nan && got.is_nan() && want.is_nan());
                assert!(
                    ok,
                    "{} {op}{args:?}: vector {got:?} ({:#x}), scalar {want:?} ({:#x})",
                    stringify!($name),
                    got.to_bits(),
                    want.to_bits()
                );
            }

            #[test]
            fn load_store_and_splat_keep_bits() {
                if !ready() {
                    return;
                }
                let (total, c) = columns(1);
                let mut out = vec![0.0 as $t; c[0].len() + 1];
                for s in 0..total {
                    let x = &c[0][s..s + L];
                    // Unaligned on purpose: `out` at odd offsets.
                    let at = s % 2;
                    // SAFETY: `out` has room for L elements from `at` (len = total + L).
                    unsafe { load(x).store(out.as_mut_ptr().add(at)) };
                    for i in 0..L {
                        check("load/store", &[x[i]], out[at + i], x[i], false);
                    }
                    let v = lanes(V::splat(x[0]));
                    assert!(v.iter().all(|l| l.to_bits() == x[0].to_bits()), "splat");
                }
                assert!(lanes(V::zero()).iter().all(|l| l.to_bits() == 0), "zero");
            }

            #[test]
            fn unary() {
                if !ready() {
                    return;
                }
                let (total, c) = columns(1);
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
                for s in 0..total {
                    let x = &c[0][s..s + L];
                    let v = load(x);
                    for (name, f, g, any_nan) in ops {
                        let got = lanes(f(v));
                        for i in 0..L {
                            check(name, &[x[i]], got[i], g(Lane(x[i])).0, any_nan);
                        }
                    }
                    let m = mask_lanes(v.is_nan());
                    for i in 0..L {
                        assert_eq!(m[i], x[i].is_nan(), "is_nan({:?}) lane {i}", x[i]);
                    }
                }
            }

            #[test]
            fn binary_comparisons_and_select() {
                if !ready() {
                    return;
                }
                let (total, c) = columns(2);
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
                for s in 0..total {
                    let (x, y) = (&c[0][s..s + L], &c[1][s..s + L]);
                    let (a, b) = (load(x), load(y));
                    for (name, f, g, any_nan) in ops {
                        let got = lanes(f(a, b));
                        for i in 0..L {
                            let want = g(Lane(x[i]), Lane(y[i])).0;
                            check(name, &[x[i], y[i]], got[i], want, any_nan);
                        }
                    }
                    let (lt, le, gt) = (a.lt(b), a.le(b), a.gt(b));
                    let (mlt, mle, mgt) = (mask_lanes(lt), mask_lanes(le), mask_lanes(gt));
                    let mor = mask_lanes(V::mask_or(lt, gt));
                    let either = mask_lanes(a.either_nan(b));
                    let sel = lanes(V::select(le, a, b));
                    for i in 0..L {
                        let (p, q) = (Lane(x[i]), Lane(y[i]));
                        assert_eq!(mlt[i], p.lt(q), "lt({:?}, {:?})", x[i], y[i]);
                        assert_eq!(mle[i], p.le(q), "le({:?}, {:?})", x[i], y[i]);
                        assert_eq!(mgt[i], p.gt(q), "gt({:?}, {:?})", x[i], y[i]);
                        assert_eq!(mor[i], p.lt(q) | p.gt(q), "mask_or lane {i}");
                        let unordered = x[i].is_nan() || y[i].is_nan();
                        assert_eq!(either[i], unordered, "either_nan({:?}, {:?})", x[i], y[i]);
                        let want = Lane::select(p.le(q), p, q).0;
                        check("select", &[x[i], y[i]], sel[i], want, false);
                    }
                    assert_eq!(V::any(lt), mlt.iter().any(|&m| m), "any(lt)");
                    assert_eq!(V::any(le), mle.iter().any(|&m| m), "any(le)");
                }
            }

            #[test]
            fn mul_add() {
                if !ready() {
                    return;
                }
                let (total, c) = columns(3);
                for s in 0..total {
                    let (x, y, z) = (&c[0][s..s + L], &c[1][s..s + L], &c[2][s..s + L]);
                    let got = lanes(load(x).mul_add(load(y), load(z)));
                    for i in 0..L {
                        let want = Lane(x[i]).mul_add(Lane(y[i]), Lane(z[i])).0;
                        check("mul_add", &[x[i], y[i], z[i]], got[i], want, true);
                    }
                }
            }

            #[test]
            fn any_and_select_each_lane_subset() {
                if !ready() {
                    return;
                }
                for set in 0..(1usize << L) {
                    let x: Vec<$t> = (0..L)
                        .map(|i| if set >> i & 1 != 0 { -1.0 } else { 1.0 })
                        .collect();
                    let m = load(&x).lt(V::zero());
                    assert_eq!(V::any(m), set != 0, "lanes {set:#b}");
                    let sel = lanes(V::select(m, V::splat(2.0), V::splat(3.0)));
                    for (i, s) in sel.iter().enumerate() {
                        let want = if set >> i & 1 != 0 { 2.0 } else { 3.0 };
                        assert_eq!(*s, want, "select lanes {set:#b}, lane {i}");
                    }
                }
            }

            #[test]
            fn reduce_sum() {
                if !ready() {
                    return;
                }
                // Values whose sum is the same in every order (small integers, signed zeros,
                // infinities, NaN): every ISA must match the sequential sum.
                let pool: [$t; 9] = [
                    0.0,
                    -0.0,
                    1.0,
                    -3.0,
                    8.0,
                    <$t>::INFINITY,
                    <$t>::NEG_INFINITY,
                    <$t>::NAN,
                    -0.0,
                ];
                let mut r = 0x2545_f491_4f6c_dd1du64;
                for _ in 0..4000 {
                    let x: Vec<$t> = (0..L)
                        .map(|_| {
                            r ^= r << 13;
                            r ^= r >> 7;
                            r ^= r << 17;
                            // Mostly zeros and integers, sometimes a special.
                            let k = (r % 64) as usize;
                            pool[if k < 56 { k % 5 } else { k % 9 }]
                        })
                        .collect();
                    let want = x.iter().skip(1).fold(x[0], |a, &b| a + b);
                    check("reduce_sum", &x, load(&x).reduce_sum(), want, true);
                }
                // The ISA's documented order, where there is one.
                let order: Option<fn(&[$t]) -> $t> = $reduce_order;
                if let Some(order) = order {
                    let (total, c) = columns(1);
                    for s in 0..total {
                        let x = &c[0][s..s + L];
                        check("reduce_sum order", x, load(x).reduce_sum(), order(x), true);
                    }
                }
            }

            #[test]
            fn partial_loads_and_stores_stay_in_bounds() {
                if !ready() {
                    return;
                }
                for n in 0..L {
                    for at in 0..L {
                        // `src[at..at + n]` is the valid part; the rest are NaN sentinels that
                        // must not leak in.
                        let mut src = vec![<$t>::NAN; 2 * L];
                        for i in 0..n {
                            src[at + i] = if i % 3 == 2 { -0.0 } else { i as $t + 1.5 };
                        }
                        // SAFETY: `src[at..]` is valid for n < L reads.
                        let v = unsafe { V::load_partial(src.as_ptr().add(at), n) };
                        let got = lanes(v);
                        for i in 0..L {
                            let want: $t = if i < n { src[at + i] } else { 0.0 };
                            assert_eq!(
                                got[i].to_bits(),
                                want.to_bits(),
                                "load_partial n={n} at {at} lane {i}"
                            );
                        }
                        let mut dst = vec![-9.0 as $t; 2 * L];
                        let x: Vec<$t> = (0..L).map(|i| i as $t - 0.5).collect();
                        // SAFETY: `dst[at..]` is valid for n < L writes.
                        unsafe { load(&x).store_partial(dst.as_mut_ptr().add(at), n) };
                        for (i, d) in dst.iter().enumerate() {
                            let want = if (at..at + n).contains(&i) {
                                x[i - at]
                            } else {
                                -9.0
                            };
                            assert_eq!(*d, want, "store_partial n={n} at {at} index {i}");
                        }
                    }
                }
            }

            #[test]
            fn stream_store() {
                if !ready() {
                    return;
                }
                #[repr(C, align(64))]
                struct Aligned([$t; 2 * L]);
                let mut dst = Aligned([0.0; 2 * L]);
                let x: Vec<$t> = (0..L).map(|i| i as $t - 0.5).collect();
                // SAFETY: `dst` is valid for L writes at 0 and at L, both aligned to the
                // vector's size (L elements) since `dst` is 64-byte aligned.
                unsafe {
                    load(&x).store_stream(dst.0.as_mut_ptr());
                    load(&x).neg().store_stream(dst.0.as_mut_ptr().add(L));
                }
                V::stream_fence();
                for i in 0..L {
                    assert_eq!(dst.0[i], x[i]);
                    assert_eq!(dst.0[L + i], -x[i]);
                }
            }

            #[test]
            fn table_lookup_and_bit_operations() {
                if !ready() {
                    return;
                }
                // Distinct entries, a NaN and a signed zero among them: the lookup moves bits.
                let table: [$t; 8] = [1.5, -2.25, 0.0, -0.0, 7.0, <$t>::NAN, 1e-30, -3.0];
                let (total, c) = columns(2);
                for s in 0..total {
                    let (x, y) = (&c[0][s..s + L], &c[1][s..s + L]);
                    let (vx, vy) = (load(x), load(y));
                    let looked = lanes(vx.lookup8(&table));
                    let table4 = [table[1], table[3], table[5], table[6]];
                    let looked4 = lanes(vx.lookup4(&table4));
                    let added = lanes(vx.add_shifted_bits(vy));
                    let signed = lanes(vx.abs().or_sign(vy));
                    let quieted = lanes(vx.quiet());
                    for i in 0..L {
                        let (lx, ly) = (Lane(x[i]), Lane(y[i]));
                        check("lookup8", &[x[i]], looked[i], lx.lookup8(&table).0, false);
                        check("lookup4", &[x[i]], looked4[i], lx.lookup4(&table4).0, false);
                        let want = lx.add_shifted_bits(ly).0;
                        check("add_shifted_bits", &[x[i], y[i]], added[i], want, false);
                        let want = lx.abs().or_sign(ly).0;
                        check("or_sign", &[x[i], y[i]], signed[i], want, false);
                        check("quiet", &[x[i]], quieted[i], lx.quiet().0, false);
                    }
                }
            }

            #[test]
            fn exp2_from_table4_is_the_bit_pattern_sum() {
                if !ready() {
                    return;
                }
                // Magic sums `1.5 * 2^(mantissa - 2) + m / 4` for m = 4n + j with 2^n T[j]
                // normal, T[j] = 2^(j/4) rounded: the override (vscalefps on AVX-512) must give
                // the portable sum's bits.
                const MANT: u32 = <$t>::MANTISSA_DIGITS - 1;
                let magic = 1.5 * (2.0 as $t).powi(MANT as i32 - 2);
                let table: [$t; 4] = [0, 1, 2, 3].map(|j| (2.0 as $t).powf(j as $t / 4.0));
                let table_bits: [$t; 4] = [0, 1, 2, 3].map(|j| {
                    let mut bits = table[j].to_bits();
                    let step = (bits / bits) << (MANT - 2);
                    for _ in 0..j {
                        bits -= step;
                    }
                    <$t>::from_bits(bits)
                });
                let ms: Vec<i32> = (-4 * 120..4 * 120).collect();
                for chunk in ms.chunks(L) {
                    let mut k = [magic; L];
                    let mut q = [0.0 as $t; L];
                    for (i, &m) in chunk.iter().enumerate() {
                        k[i] = magic + m as $t / 4.0;
                        q[i] = k[i] - magic;
                    }
                    let got = lanes(load(&k).exp2_from_table4(load(&q), &table, &table_bits));
                    for i in 0..chunk.len() {
                        let want = Lane(k[i])
                            .lookup4(&table_bits)
                            .add_shifted_bits(Lane(k[i]))
                            .0;
                        let m = chunk[i];
                        let exact =
                            table[m.rem_euclid(4) as usize] * (2.0 as $t).powi(m.div_euclid(4));
                        assert_eq!(want, exact, "portable sum at m = {m}");
                        check("exp2_from_table4", &[k[i], q[i]], got[i], want, false);
                    }
                }
            }

            #[test]
            fn eval_wide() {
                if !ready() {
                    return;
                }
                let (total, c) = columns(2);
                for s in 0..total {
                    let (x, y) = (&c[0][s..s + L], &c[1][s..s + L]);
                    let two = lanes(V::eval_wide([load(x), load(y)], Wide2));
                    let one = lanes(V::eval_wide([load(x)], Wide1));
                    for i in 0..L {
                        let want = Lane::eval_wide([Lane(x[i]), Lane(y[i])], Wide2).0;
                        check("eval_wide/2", &[x[i], y[i]], two[i], want, true);
                        let want = Lane::eval_wide([Lane(x[i])], Wide1).0;
                        check("eval_wide/1", &[x[i]], one[i], want, true);
                    }
                }
            }
        }
    };
}

/// A mask vector stored as `[$bits; L]`, checked to be all-ones or all-zero per lane.
#[allow(unused_macros)]
macro_rules! full_lanes {
    ($bits:ty, $a:ident) => {
        $a.map(|b: $bits| {
            assert!(b == 0 || b == <$bits>::MAX, "mask lane {b:#x}");
            b != 0
        })
    };
}

#[cfg(x86_simd)]
mod x86 {
    use super::*;
    use core::arch::x86_64::*;

    fn avx2() -> bool {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }

    suite!(avx2_f32, f32, crate::simd::avx2::F32x8,
        detected: avx2(),
        expect_env: None,
        mask_lanes: |m: __m256| {
            let mut a = [0u32; 8];
            // SAFETY: AVX is available (the suite runs only then); `a` holds 8 lanes.
            unsafe { _mm256_storeu_ps(a.as_mut_ptr().cast(), m) };
            full_lanes!(u32, a)
        },
        // ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)): halves, then pairs.
        reduce_order: Some(|x: &[f32]| {
            ((x[0] + x[4]) + (x[2] + x[6])) + ((x[1] + x[5]) + (x[3] + x[7]))
        }),
    );
    suite!(avx2_f64, f64, crate::simd::avx2::F64x4,
        detected: avx2(),
        expect_env: None,
        mask_lanes: |m: __m256d| {
            let mut a = [0u64; 4];
            // SAFETY: AVX is available (the suite runs only then); `a` holds 4 lanes.
            unsafe { _mm256_storeu_pd(a.as_mut_ptr().cast(), m) };
            full_lanes!(u64, a)
        },
        reduce_order: Some(|x: &[f64]| (x[0] + x[2]) + (x[1] + x[3])),
    );

    #[cfg(avx512_intrinsics)]
    fn avx512() -> bool {
        avx2() && std::arch::is_x86_feature_detected!("avx512f")
    }

    #[cfg(avx512_intrinsics)]
    suite!(avx512_f32, f32, crate::simd::avx512::F32x16,
        detected: avx512(),
        expect_env: Some("EXPECT_AVX512"),
        mask_lanes: |m: __mmask16| core::array::from_fn(|i| m >> i & 1 != 0),
        reduce_order: None,
    );
    #[cfg(avx512_intrinsics)]
    suite!(avx512_f64, f64, crate::simd::avx512::F64x8,
        detected: avx512(),
        expect_env: Some("EXPECT_AVX512"),
        mask_lanes: |m: __mmask8| core::array::from_fn(|i| m >> i & 1 != 0),
        reduce_order: None,
    );
}

#[cfg(target_arch = "aarch64")]
mod arm {
    use super::*;
    use core::arch::aarch64::*;

    fn neon() -> bool {
        std::arch::is_aarch64_feature_detected!("neon")
    }

    suite!(neon_f32, f32, crate::simd::neon::F32x4,
        detected: neon(),
        expect_env: None,
        mask_lanes: |m: uint32x4_t| {
            let mut a = [0u32; 4];
            // SAFETY: NEON is available (the suite runs only then); `a` holds 4 lanes.
            unsafe { vst1q_u32(a.as_mut_ptr(), m) };
            full_lanes!(u32, a)
        },
        // Pairwise: (l0 + l1) + (l2 + l3).
        reduce_order: Some(|x: &[f32]| (x[0] + x[1]) + (x[2] + x[3])),
    );
    suite!(neon_f64, f64, crate::simd::neon::F64x2,
        detected: neon(),
        expect_env: None,
        mask_lanes: |m: uint64x2_t| {
            let mut a = [0u64; 2];
            // SAFETY: NEON is available (the suite runs only then); `a` holds 2 lanes.
            unsafe { vst1q_u64(a.as_mut_ptr(), m) };
            full_lanes!(u64, a)
        },
        reduce_order: Some(|x: &[f64]| x[0] + x[1]),
    );
}
