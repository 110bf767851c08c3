//! The portable one-lane "vector": the `Scalar` ISA. Every kernel body instantiated with it is
//! plain Rust, and gives bit-for-bit the results of the SIMD instantiations (the same operations
//! in the same order, with a fused `mul_add`).

use super::{Simd, Vector, WideFn};
use crate::math::{Full, Single};
#[cfg(not(feature = "std"))]
#[allow(unused_imports)] // unused where `std` is linked anyway (the unit tests)
use crate::Float as _; // `mul_add` and `round_ties_even` on f32/f64 without `std`

/// Token of the portable ISA (always available).
#[derive(Clone, Copy, Debug)]
pub struct Scalar;

impl Simd for Scalar {
    type F32 = Lane<f32>;
    type F64 = Lane<f64>;
    type Narrow = Self;
}

/// One element posing as a vector.
#[derive(Clone, Copy, Debug)]
pub struct Lane<T>(pub T);

macro_rules! lane_impl {
    ($t:ty, $mant:expr, $accuracy:ty) => {
        impl Vector for Lane<$t> {
            type Elem = $t;
            type Mask = bool;
            const LANES: usize = 1;

            #[inline(always)]
            fn splat(x: $t) -> Self {
                Lane(x)
            }
            #[inline(always)]
            unsafe fn load(ptr: *const $t) -> Self {
                // SAFETY: the caller guarantees `ptr` is valid for one read.
                Lane(unsafe { ptr.read_unaligned() })
            }
            #[inline(always)]
            unsafe fn load_partial(_ptr: *const $t, _n: usize) -> Self {
                // n < LANES = 1, so n == 0: nothing is read.
                Lane(0.0)
            }
            #[inline(always)]
            unsafe fn store(self, ptr: *mut $t) {
                // SAFETY: the caller guarantees `ptr` is valid for one write.
                unsafe { ptr.write_unaligned(self.0) }
            }
            #[inline(always)]
            unsafe fn store_partial(self, _ptr: *mut $t, _n: usize) {}
            #[inline(always)]
            unsafe fn store_stream(self, ptr: *mut $t) {
                // SAFETY: the caller guarantees `ptr` is valid for one write.
                unsafe { ptr.write(self.0) }
            }
            #[inline(always)]
            fn stream_fence() {}
            #[inline(always)]
            fn add(self, b: Self) -> Self {
                Lane(self.0 + b.0)
            }
            #[inline(always)]
            fn sub(self, b: Self) -> Self {
                Lane(self.0 - b.0)
            }
            #[inline(always)]
            fn mul(self, b: Self) -> Self {
                Lane(self.0 * b.0)
            }
            #[inline(always)]
            fn div(self, b: Self) -> Self {
                Lane(self.0 / b.0)
            }
            #[inline(always)]
            fn mul_add(self, b: Self, c: Self) -> Self {
                Lane(self.0.mul_add(b.0, c.0))
            }
            #[inline(always)]
            fn neg(self) -> Self {
                Lane(-self.0)
            }
            #[inline(always)]
            fn abs(self) -> Self {
                Lane(self.0.abs())
            }
            #[inline(always)]
            fn clamp_min(self, lo: Self) -> Self {
                if self.0 < lo.0 {
                    lo
                } else {
                    self
                }
            }
            #[inline(always)]
            fn clamp_max(self, hi: Self) -> Self {
                if self.0 > hi.0 {
                    hi
                } else {
                    self
                }
            }
            #[inline(always)]
            fn round(self) -> Self {
                Lane(self.0.round_ties_even())
            }
            #[inline(always)]
            fn shift_into_exponent(self) -> Self {
                Lane(<$t>::from_bits(self.0.to_bits() << $mant))
            }
            #[inline(always)]
            fn lt(self, b: Self) -> bool {
                self.0 < b.0
            }
            #[inline(always)]
            fn le(self, b: Self) -> bool {
                self.0 <= b.0
            }
            #[inline(always)]
            fn gt(self, b: Self) -> bool {
                self.0 > b.0
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                self.0.is_nan()
            }
            #[inline(always)]
            fn mask_or(a: bool, b: bool) -> bool {
                a | b
            }
            #[inline(always)]
            fn any(m: bool) -> bool {
                m
            }
            #[inline(always)]
            fn select(m: bool, a: Self, b: Self) -> Self {
                if m {
                    a
                } else {
                    b
                }
            }
            #[inline(always)]
            fn reduce_sum(self) -> $t {
                self.0
            }

            type Wide = Lane<f64>;

            #[inline(always)]
            fn eval_wide<const N: usize, F: WideFn<N>>(inputs: [Self; N], f: F) -> Self {
                // f64 -> f32 `as` rounds to nearest (even), like the SIMD conversions.
                Lane(f.eval::<_, $accuracy>(inputs.map(|v| Lane(v.0 as f64))).0 as $t)
            }

            #[inline(always)]
            fn lookup8(self, table: &[$t; 8]) -> Self {
                Lane(crate::Float::lookup8(self.0, table))
            }
            #[inline(always)]
            fn lookup4(self, table: &[$t; 4]) -> Self {
                Lane(crate::Float::lookup4(self.0, table))
            }
            #[inline(always)]
            fn add_shifted_bits(self, k: Self) -> Self {
                Lane(crate::Float::add_shifted_bits(self.0, k.0))
            }
            #[inline(always)]
            fn or_sign(self, sign: Self) -> Self {
                Lane(crate::Float::or_sign(self.0, sign.0))
            }
            #[inline(always)]
            fn quiet(self) -> Self {
                Lane(crate::Float::quiet(self.0))
            }
        }
    };
}

lane_impl!(f32, 23, Single);
lane_impl!(f64, 52, Full);
