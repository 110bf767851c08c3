//! The element trait: the two floating-point types the kernels are instantiated for.

use crate::math::Full;
use crate::math::MathConsts;
use crate::simd::{NativeFn, Simd, Vector};
use core::fmt::{Debug, Display, LowerExp};
use core::ops::{Add, Div, Mul, Neg, Sub};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A compute type of the kernels: `f32` or `f64` (every [`Element`](crate::Element) is stored
/// as one of these or computed in `f32`). Sealed: it cannot be implemented outside this crate.
pub trait Float:
    sealed::Sealed
    + crate::Element
    + MathConsts
    + Copy
    + Debug
    + Display
    + LowerExp
    + Default
    + PartialEq
    + PartialOrd
    + Send
    + Sync
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// `+0.0`.
    const ZERO: Self;
    /// `1.0`.
    const ONE: Self;
    /// The default quiet NaN, positive with an empty payload (`0x7fc0_0000`,
    /// `0x7ff8_0000_0000_0000`): the NaN that every function returns where it makes a NaN
    /// from inputs none of which is NaN.
    #[doc(hidden)]
    const NAN: Self;
    /// The type's name, `"f32"` or `"f64"`.
    const NAME: &'static str;

    /// The SIMD vector of this element type on the ISA of `S` (crate-internal).
    #[doc(hidden)]
    type Vector<S: Simd>: Vector<Elem = Self>;

    /// Converts from `f64`, rounding to nearest.
    fn from_f64(x: f64) -> Self;
    /// Converts to `f64` (exact).
    fn to_f64(self) -> f64;
    /// Whether `self` is NaN.
    fn is_nan(self) -> bool;
    /// `table[bits & 7]`: the low three bits of the bit pattern index the table (the scalar
    /// form of `Vector::lookup8`).
    #[doc(hidden)]
    fn lookup8(self, table: &[Self; 8]) -> Self;
    /// `table[bits & 3]` (the scalar form of `Vector::lookup4`).
    #[doc(hidden)]
    fn lookup4(self, table: &[Self; 4]) -> Self;
    /// The bit patterns added as integers, `k`'s shifted left by the mantissa width less 2
    /// (the scalar form of `Vector::add_shifted_bits`).
    #[doc(hidden)]
    fn add_shifted_bits(self, k: Self) -> Self;
    /// `self` with the sign bit of `sign` or-ed in (the scalar form of `Vector::or_sign`).
    #[doc(hidden)]
    fn or_sign(self, sign: Self) -> Self;
    // Without `std`, the float methods that `std` provides (the references and the Scalar ISA
    // call them by method syntax on `f32`/`f64`, with `Float` in scope): from `libm`, which is
    // correctly rounded for `mul_add` and `round_ties_even` and within 1 ULP for the others.
    // With `std` these do not exist and the inherent methods are used.
    #[cfg(not(feature = "std"))]
    #[doc(hidden)]
    fn exp(self) -> Self;
    #[cfg(not(feature = "std"))]
    #[doc(hidden)]
    fn exp_m1(self) -> Self;
    #[cfg(not(feature = "std"))]
    #[doc(hidden)]
    fn ln_1p(self) -> Self;
    #[cfg(not(feature = "std"))]
    #[doc(hidden)]
    fn tanh(self) -> Self;
    #[cfg(not(feature = "std"))]
    #[doc(hidden)]
    fn cosh(self) -> Self;
    #[cfg(not(feature = "std"))]
    #[doc(hidden)]
    fn sqrt(self) -> Self;
    #[cfg(not(feature = "std"))]
    #[doc(hidden)]
    fn mul_add(self, a: Self, b: Self) -> Self;
    #[cfg(not(feature = "std"))]
    #[doc(hidden)]
    fn powi(self, n: i32) -> Self;
    #[cfg(not(feature = "std"))]
    #[doc(hidden)]
    fn round_ties_even(self) -> Self;

    /// `self` with the quiet bit (the top mantissa bit) set: a NaN quieted, its sign and
    /// payload kept (the scalar form of `Vector::quiet`).
    #[doc(hidden)]
    fn quiet(self) -> Self;

    /// `f` on vectors of this type: its native f32 body for f32, its f64 body for f64 (what
    /// `Vector::eval_native` does, for a vector type that is generic over its element).
    #[doc(hidden)]
    fn eval_native<V: Vector<Elem = Self>, const N: usize, F: NativeFn<N>>(
        inputs: [V; N],
        f: F,
    ) -> V;

    /// The lanes a native f32 body hands over, on vectors of this type: its
    /// [`NativeFn::eval_f32_far`] for f32, its f64 body for f64 (whose bodies hand none over).
    #[doc(hidden)]
    fn eval_far<V: Vector<Elem = Self>, const N: usize, F: NativeFn<N>>(inputs: [V; N], f: F) -> V;
}

/// The `std` float methods, from `libm` (see the trait).
#[cfg(not(feature = "std"))]
macro_rules! no_std_math {
    ($exp:ident, $expm1:ident, $log1p:ident, $tanh:ident, $cosh:ident, $sqrt:ident, $fma:ident, $pow:ident, $roundeven:ident) => {
        #[inline(always)]
        fn exp(self) -> Self {
            libm::$exp(self)
        }
        #[inline(always)]
        fn exp_m1(self) -> Self {
            libm::$expm1(self)
        }
        #[inline(always)]
        fn ln_1p(self) -> Self {
            libm::$log1p(self)
        }
        #[inline(always)]
        fn tanh(self) -> Self {
            libm::$tanh(self)
        }
        #[inline(always)]
        fn cosh(self) -> Self {
            libm::$cosh(self)
        }
        #[inline(always)]
        fn sqrt(self) -> Self {
            libm::$sqrt(self)
        }
        #[inline(always)]
        fn mul_add(self, a: Self, b: Self) -> Self {
            libm::$fma(self, a, b)
        }
        #[inline(always)]
        fn powi(self, n: i32) -> Self {
            libm::$pow(self, n as Self)
        }
        #[inline(always)]
        fn round_ties_even(self) -> Self {
            libm::$roundeven(self)
        }
    };
}

impl Float for f32 {
    #[inline(always)]
    fn eval_native<V: Vector<Elem = Self>, const N: usize, F: NativeFn<N>>(
        inputs: [V; N],
        f: F,
    ) -> V {
        f.eval_f32(inputs)
    }
    #[inline(always)]
    fn eval_far<V: Vector<Elem = Self>, const N: usize, F: NativeFn<N>>(inputs: [V; N], f: F) -> V {
        f.eval_f32_far(inputs)
    }
    #[cfg(not(feature = "std"))]
    no_std_math!(expf, expm1f, log1pf, tanhf, coshf, sqrtf, fmaf, powf, roundevenf);
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    const NAN: Self = f32::from_bits(0x7fc0_0000);
    const NAME: &'static str = "f32";
    type Vector<S: Simd> = S::F32;

    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn is_nan(self) -> bool {
        f32::is_nan(self)
    }
    #[inline(always)]
    fn lookup8(self, table: &[Self; 8]) -> Self {
        table[(self.to_bits() & 7) as usize]
    }
    #[inline(always)]
    fn lookup4(self, table: &[Self; 4]) -> Self {
        table[(self.to_bits() & 3) as usize]
    }
    #[inline(always)]
    fn add_shifted_bits(self, k: Self) -> Self {
        f32::from_bits(self.to_bits().wrapping_add(k.to_bits() << 21))
    }
    #[inline(always)]
    fn or_sign(self, sign: Self) -> Self {
        f32::from_bits(self.to_bits() | (sign.to_bits() & 0x8000_0000))
    }
    #[inline(always)]
    fn quiet(self) -> Self {
        f32::from_bits(self.to_bits() | 0x0040_0000)
    }
}

impl Float for f64 {
    #[inline(always)]
    fn eval_native<V: Vector<Elem = Self>, const N: usize, F: NativeFn<N>>(
        inputs: [V; N],
        f: F,
    ) -> V {
        f.eval::<V, Full>(inputs)
    }
    #[inline(always)]
    fn eval_far<V: Vector<Elem = Self>, const N: usize, F: NativeFn<N>>(inputs: [V; N], f: F) -> V {
        V::eval_wide(inputs, f)
    }
    #[cfg(not(feature = "std"))]
    no_std_math!(exp, expm1, log1p, tanh, cosh, sqrt, fma, pow, roundeven);
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    const NAN: Self = f64::from_bits(0x7ff8_0000_0000_0000);
    const NAME: &'static str = "f64";
    type Vector<S: Simd> = S::F64;

    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn is_nan(self) -> bool {
        f64::is_nan(self)
    }
    #[inline(always)]
    fn lookup8(self, table: &[Self; 8]) -> Self {
        table[(self.to_bits() & 7) as usize]
    }
    #[inline(always)]
    fn lookup4(self, table: &[Self; 4]) -> Self {
        table[(self.to_bits() & 3) as usize]
    }
    #[inline(always)]
    fn add_shifted_bits(self, k: Self) -> Self {
        f64::from_bits(self.to_bits().wrapping_add(k.to_bits() << 50))
    }
    #[inline(always)]
    fn or_sign(self, sign: Self) -> Self {
        f64::from_bits(self.to_bits() | (sign.to_bits() & (1 << 63)))
    }
    #[inline(always)]
    fn quiet(self) -> Self {
        f64::from_bits(self.to_bits() | (1 << 51))
    }
}

/// The NaN rule of every function, in its scalar form (the references use it; the kernels
/// apply its vector form, `driver::nan_rule`): where the value `f()` is NaN, the result is the
/// first NaN among `inputs` (`x`, else `dy`, ...), quieted with its sign and payload kept, or
/// [`Float::NAN`] where no input is NaN. Where the value is not NaN it is returned as it is.
#[inline(always)]
pub(crate) fn nan_rule<T: Float, const N: usize>(inputs: [T; N], f: impl FnOnce() -> T) -> T {
    let r = f();
    if !r.is_nan() {
        return r;
    }
    inputs
        .into_iter()
        .find(|v| v.is_nan())
        .map_or(T::NAN, Float::quiet)
}
