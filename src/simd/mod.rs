//! The small SIMD abstraction every kernel body is written against.
//!
//! A [`Simd`] value is a zero-sized token proving that an instruction set is available; it
//! names one [`Vector`] type per element type. Kernel bodies are generic over `V: Vector` and
//! are instantiated once per ISA inside a `#[target_feature]` trampoline (see `dispatch.rs`),
//! so every method here is `#[inline(always)]` and compiles to one or two instructions.
//!
//! Semantics are pinned down per method and are identical on every ISA (the differential tests
//! check it), in particular for NaN and signed zero, where the raw instructions differ.
//!
//! The traits are `pub` inside a private module: they can appear in the bounds of the public,
//! sealed `Float` trait, but no user can name or implement them.

pub(crate) mod scalar;

#[cfg(x86_simd)]
pub(crate) mod avx2;

#[cfg(all(x86_simd, avx512_intrinsics))]
pub(crate) mod avx512;

#[cfg(target_arch = "aarch64")]
pub(crate) mod neon;

#[cfg(test)]
mod conformance;

mod lockstep;
pub(crate) use lockstep::{Lockstep, K as LOCKSTEP_WIDTH};

use crate::math::Accuracy;
#[cfg(doc)]
use crate::math::{Full, Single};
use crate::Float;

/// A function of `N` f64 vectors, written once for every ISA (see [`Vector::eval_wide`]).
pub trait WideFn<const N: usize>: Copy {
    /// The result for one vector of each input, to the accuracy `A` ([`Single`] where the
    /// result will be rounded to f32, [`Full`] for f64).
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, inputs: [W; N]) -> W;
}

/// A function of `N` vectors with a native f32 body (`eval_f32`, f32 lanes throughout) and
/// the f64 body of [`WideFn`] for f64 elements (see [`Vector::eval_native`]).
pub trait NativeFn<const N: usize>: WideFn<N> {
    /// The result for one f32 vector of each input.
    fn eval_f32<V: Vector<Elem = f32>>(self, inputs: [V; N]) -> V;

    /// The result for the lanes that [`NativeFn::eval_f32`] hands over (see
    /// `kernels::sigmoid::wide_where`; the other lanes' results are discarded): by default the
    /// f64 body. A kernel whose far lanes have a native form of their own overrides it.
    #[inline(always)]
    fn eval_f32_far<V: Vector<Elem = f32>>(self, inputs: [V; N]) -> V {
        V::eval_wide(inputs, self)
    }
}

/// A token proving that one instruction set may be used; names its vector types.
pub trait Simd: Copy {
    /// The f32 vector of this ISA.
    type F32: Vector<Elem = f32>;
    /// The f64 vector of this ISA.
    type F64: Vector<Elem = f64>;
    /// The ISA whose vectors the memory-bound kernels ([`Kernel::MEMORY_BOUND`]) use once
    /// their data no longer fits the first-level cache ([`NARROW_MIN_BYTES`], with the
    /// measurement): AVX2's 256-bit vectors under AVX-512 (whose detection includes AVX2 and
    /// FMA; 512-bit ones stream from the second-level cache more slowly), the ISA itself
    /// elsewhere.
    ///
    /// [`Kernel::MEMORY_BOUND`]: crate::driver::Kernel::MEMORY_BOUND
    /// [`NARROW_MIN_BYTES`]: crate::driver::NARROW_MIN_BYTES
    type Narrow: Simd;
}

/// A SIMD vector of `LANES` elements of type `Elem`, with the operations the kernels need.
///
/// Loads and stores take raw pointers: the caller guarantees the pointed-to elements are valid
/// (`LANES` of them, or `n` for the partial forms). Pointers need only the element's alignment,
/// except for [`Vector::store_stream`].
pub trait Vector: Copy {
    /// The element type.
    type Elem: Float;
    /// A lane mask produced by comparisons and consumed by [`Vector::select`].
    type Mask: Copy;
    /// Number of lanes.
    const LANES: usize;

    /// Broadcasts `x` to every lane.
    fn splat(x: Self::Elem) -> Self;

    /// Loads `LANES` elements.
    ///
    /// # Safety
    /// `ptr` must be valid for reads of `LANES` elements.
    unsafe fn load(ptr: *const Self::Elem) -> Self;

    /// Loads the first `n < LANES` elements; the other lanes are zero. Reads nothing past
    /// `ptr + n`.
    ///
    /// # Safety
    /// `ptr` must be valid for reads of `n` elements, and `n < LANES`.
    unsafe fn load_partial(ptr: *const Self::Elem, n: usize) -> Self;

    /// Stores `LANES` elements.
    ///
    /// # Safety
    /// `ptr` must be valid for writes of `LANES` elements.
    unsafe fn store(self, ptr: *mut Self::Elem);

    /// Stores the first `n < LANES` lanes. Writes nothing past `ptr + n`.
    ///
    /// # Safety
    /// `ptr` must be valid for writes of `n` elements, and `n < LANES`.
    unsafe fn store_partial(self, ptr: *mut Self::Elem, n: usize);

    /// Stores `LANES` elements with a non-temporal hint (bypassing the caches where the ISA has
    /// such a store; a plain store otherwise). Callers issue [`Vector::stream_fence`] after the
    /// last one.
    ///
    /// # Safety
    /// `ptr` must be valid for writes of `LANES` elements and aligned to `LANES * size_of::<Elem>()`.
    unsafe fn store_stream(self, ptr: *mut Self::Elem);

    /// Orders earlier streaming stores before later stores (`sfence` on x86).
    fn stream_fence();

    /// `self + b`.
    fn add(self, b: Self) -> Self;
    /// `self - b`.
    fn sub(self, b: Self) -> Self;
    /// `self * b`.
    fn mul(self, b: Self) -> Self;
    /// `self / b`, correctly rounded.
    fn div(self, b: Self) -> Self;
    /// `self * b + c` with a single rounding (fused multiply-add).
    fn mul_add(self, b: Self, c: Self) -> Self;
    /// `-self` (flips the sign bit, also of NaN and zero).
    fn neg(self) -> Self;
    /// `|self|` (clears the sign bit).
    fn abs(self) -> Self;

    /// `if self < lo { lo } else { self }`: NaN in `self` is kept, and `self` is kept when the
    /// two compare equal (so `clamp_min(-0.0, 0.0)` is `-0.0`).
    fn clamp_min(self, lo: Self) -> Self;
    /// `if self > hi { hi } else { self }`, with the same NaN and zero rules as `clamp_min`.
    fn clamp_max(self, hi: Self) -> Self;

    /// Rounds to the nearest integer, ties to even.
    fn round(self) -> Self;
    /// Shifts the bit pattern left by the mantissa width (23 for f32, 52 for f64), moving the
    /// low bits into the exponent field: the building block of `2^n` (see `math::pow2`).
    fn shift_into_exponent(self) -> Self;

    /// Lanes where `self < b` (false for NaN).
    fn lt(self, b: Self) -> Self::Mask;
    /// Lanes where `self <= b` (false for NaN).
    fn le(self, b: Self) -> Self::Mask;
    /// Lanes where `self > b` (false for NaN).
    fn gt(self, b: Self) -> Self::Mask;
    /// Lanes where `self` is NaN.
    fn is_nan(self) -> Self::Mask;
    /// Lanes where `self` or `b` is NaN (one unordered compare on x86; the NaN rule checks
    /// two results at once with it).
    #[inline(always)]
    fn either_nan(self, b: Self) -> Self::Mask {
        Self::mask_or(self.is_nan(), b.is_nan())
    }
    /// The driver's rare path for a result `r` of a native body `f` that holds NaN lanes
    /// (`driver::Native::fix`): the lanes the body handed over (NaN from inputs that are not
    /// NaN, see `kernels::sigmoid::wide_where`) from `f`'s far form
    /// ([`NativeFn::eval_f32_far`], by default its f64 body), then the NaN rule.
    #[inline(always)]
    fn fix_handed<const N: usize, F: NativeFn<N>>(inputs: [Self; N], r: Self, f: F) -> Self {
        if Self::LANES == 1 {
            // The Scalar ISA branches to the f64 body in the kernel itself.
            return crate::driver::fix_nans(inputs, r);
        }
        let mut nan_in = inputs[0].is_nan();
        for v in &inputs[1..] {
            nan_in = Self::mask_or(nan_in, v.is_nan());
        }
        let handed = Self::select(nan_in, Self::zero(), r).is_nan();
        let r = if Self::any(handed) {
            Self::select(handed, <Self::Elem as Float>::eval_far(inputs, f), r)
        } else {
            r
        };
        crate::driver::fix_nans(inputs, r)
    }

    /// Whether any lane is NaN (the driver's test of every result).
    #[inline(always)]
    fn any_nan(self) -> bool {
        Self::any(self.is_nan())
    }
    /// Lanes set in `a` or in `b`.
    fn mask_or(a: Self::Mask, b: Self::Mask) -> Self::Mask;
    /// Whether any lane of `m` is set.
    fn any(m: Self::Mask) -> bool;
    /// Lane-wise `if m { a } else { b }`.
    fn select(m: Self::Mask, a: Self, b: Self) -> Self;

    /// The sum of all lanes (in an ISA-specific order).
    fn reduce_sum(self) -> Self::Elem;

    /// The f64 vector of the same ISA (`Self` for f64 vectors).
    type Wide: Vector<Elem = f64>;

    /// Evaluates `f` in f64 precision: f32 vectors are widened (exactly) to two f64 halves,
    /// `f` runs on each, and the results are rounded back to f32 once; f64 vectors are passed
    /// to `f` as they are.
    fn eval_wide<const N: usize, F: WideFn<N>>(inputs: [Self; N], f: F) -> Self;

    /// Evaluates `f` natively: f32 vectors run [`NativeFn::eval_f32`], f64 vectors
    /// [`WideFn::eval`] at [`Full`] accuracy (chosen by the element type, so one body
    /// serves every ISA and [`Lockstep`]).
    #[inline(always)]
    fn eval_native<const N: usize, F: NativeFn<N>>(inputs: [Self; N], f: F) -> Self {
        <Self::Elem as Float>::eval_native(inputs, f)
    }

    /// Lane-wise `table[bits & 7]`: the low three bits of each lane's bit pattern index an
    /// eight-entry table (one `vpermps` on x86; through memory where no override exists).
    #[inline(always)]
    fn lookup8(self, table: &[Self::Elem; 8]) -> Self {
        self.lane_wise(|v| v.lookup8(table))
    }

    /// Lane-wise `table[bits & 3]`: the low two bits of each lane's bit pattern index a
    /// four-entry table (one in-lane `vpermilps` on x86, half the cost of `vpermps` on AVX2
    /// cores, where that takes both FMA pipes; through memory where no override exists).
    #[inline(always)]
    fn lookup4(self, table: &[Self::Elem; 4]) -> Self {
        self.lane_wise(|v| v.lookup4(table))
    }

    /// Lane-wise integer sum of the bit patterns, `k`'s shifted left by the mantissa width
    /// less 2 (21 for f32): adds `k`'s low bits above the two that [`Vector::lookup4`] reads
    /// into the exponent field (the `2^(n + j/4)` of a table-driven exponential).
    #[inline(always)]
    fn add_shifted_bits(self, k: Self) -> Self {
        self.lane_pairs(k, |v, k| v.add_shifted_bits(k))
    }

    /// `2^n T[j]`, the scaling of a table-driven exponential, from the magic sum `self`
    /// (whose low mantissa bits hold `m = 4n + j`; [`Vector::lookup4`] reads `j`), `quarter`
    /// = `m / 4` as a float, the table `table` (`T[j]`) and the same entries' bit patterns
    /// less `j` shifted by the mantissa width less 2 (`table_bits`). For results in the normal
    /// range every ISA gives the same bits: by default the integer sum of the bit patterns
    /// ([`Vector::add_shifted_bits`]: a shift and an add); AVX-512 takes one `vscalefps`,
    /// `T[j] 2^floor(m/4)`. Elsewhere: unspecified.
    #[inline(always)]
    fn exp2_from_table4(
        self,
        quarter: Self,
        table: &[Self::Elem; 4],
        table_bits: &[Self::Elem; 4],
    ) -> Self {
        let _ = (quarter, table);
        self.lookup4(table_bits).add_shifted_bits(self)
    }

    /// `self` with the sign bit of `sign` or-ed in: `copysign(self, sign)` for a `self` whose
    /// sign bit is clear (keeps `-0.0`, which a select on `sign < 0` would not).
    #[inline(always)]
    fn or_sign(self, sign: Self) -> Self {
        self.lane_pairs(sign, |v, s| v.or_sign(s))
    }

    /// `self` with the quiet bit (the top mantissa bit) set in every lane: a NaN quieted, its
    /// sign and payload kept (on the rare path of `driver::nan_rule`: one `or` on x86, through
    /// memory elsewhere).
    #[inline(always)]
    fn quiet(self) -> Self {
        self.lane_wise(|v| v.quiet())
    }

    /// Applies `f` to every lane through memory (the portable form of the bit operations).
    #[inline(always)]
    fn lane_wise(self, mut f: impl FnMut(Self::Elem) -> Self::Elem) -> Self {
        const { assert!(Self::LANES <= 16) };
        let mut buf = [Self::Elem::ZERO; 16];
        // SAFETY: `buf` holds 16 >= LANES elements.
        unsafe { self.store(buf.as_mut_ptr()) };
        for v in &mut buf[..Self::LANES] {
            *v = f(*v);
        }
        // SAFETY: as above.
        unsafe { Self::load(buf.as_ptr()) }
    }

    /// Applies `f` to every pair of lanes of `self` and `b` through memory.
    #[inline(always)]
    fn lane_pairs(self, b: Self, mut f: impl FnMut(Self::Elem, Self::Elem) -> Self::Elem) -> Self {
        let mut bb = [Self::Elem::ZERO; 16];
        // SAFETY: `bb` holds 16 >= LANES elements (asserted in `lane_wise`).
        unsafe { b.store(bb.as_mut_ptr()) };
        let mut i = 0;
        self.lane_wise(|v| {
            i += 1;
            f(v, bb[i - 1])
        })
    }

    /// All lanes zero (+0.0).
    #[inline(always)]
    fn zero() -> Self {
        Self::splat(Self::Elem::ZERO)
    }
}
