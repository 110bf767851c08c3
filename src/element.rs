//! The storage trait: the element types the public slice functions accept.

use core::fmt::Debug;

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
    #[cfg(feature = "half")]
    impl Sealed for half::bf16 {}
    #[cfg(feature = "half")]
    impl Sealed for half::f16 {}
}

/// An element type of the slice functions: [`f32`] and [`f64`] (the [`Float`](crate::Float)
/// types, computed in their own precision) and, with the feature `half`, `half::bf16` and
/// `half::f16`, which are stored in 16 bits and computed in f32: every value is widened to
/// f32 (exactly), the f32 kernel runs, and each result is rounded once to nearest even, as
/// PyTorch's CPU kernels do for these types. Sealed: it cannot be implemented outside this
/// crate.
///
/// ```
/// fn twice_relu<T: simd_activations::Element>(x: &[T], y: &mut [T]) {
///     simd_activations::relu(x, y);
///     simd_activations::relu_inplace(y);
/// }
/// let mut y = [0.0f32; 2];
/// twice_relu(&[-1.0, 2.0], &mut y);
/// assert_eq!(y, [0.0, 2.0]);
/// ```
pub trait Element: sealed::Sealed + Copy + Debug + PartialEq + Send + Sync + 'static {
    /// Which type this is (crate-internal: the generic functions branch on it).
    #[doc(hidden)]
    const KIND: Kind;
    /// The type's name: `"f32"`, `"f64"`, `"bf16"`, `"f16"`.
    #[doc(hidden)]
    const ELEMENT_NAME: &'static str;
    /// `x` rounded to this type, to nearest even.
    #[doc(hidden)]
    fn round_from_f64(x: f64) -> Self;
    /// `self` as an f64 (exact).
    #[doc(hidden)]
    fn widen_to_f64(self) -> f64;
    /// `self + other` rounded once to this type (bf16, f16: added in f32), with the crate's
    /// NaN rule: a NaN sum is `self`'s NaN, else `other`'s, quieted, or the default NaN.
    #[doc(hidden)]
    fn add_rounded(self, other: Self) -> Self;

    // The casts below let a generic public function call the instance compiled in this crate
    // for its type (see `api::isa_fn!`): the one to the type itself returns `Some`, the others
    // `None`.
    #[doc(hidden)]
    fn slice_as<U: Element>(s: &[Self]) -> Option<&[U]> {
        // SAFETY: `U` and `Self` are the same type when their kinds are equal (each kind
        // belongs to one sealed type).
        (U::KIND == Self::KIND)
            .then(|| unsafe { core::slice::from_raw_parts(s.as_ptr().cast::<U>(), s.len()) })
    }
    #[doc(hidden)]
    fn slice_mut_as<U: Element>(s: &mut [Self]) -> Option<&mut [U]> {
        // SAFETY: as `slice_as`; the borrow is moved into the result.
        (U::KIND == Self::KIND).then(|| unsafe {
            core::slice::from_raw_parts_mut(s.as_mut_ptr().cast::<U>(), s.len())
        })
    }
    #[doc(hidden)]
    fn value_as<U: Element>(self) -> Option<U> {
        // SAFETY: as `slice_as`: the same type, so the same size and every bit pattern valid.
        (U::KIND == Self::KIND).then(|| unsafe { core::mem::transmute_copy::<Self, U>(&self) })
    }
}

/// The element types, as a value the generic functions can branch on (crate-internal).
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `half::bf16`.
    #[cfg(feature = "half")]
    Bf16,
    /// `half::f16`.
    #[cfg(feature = "half")]
    F16,
}

impl Element for f32 {
    const KIND: Kind = Kind::F32;
    const ELEMENT_NAME: &'static str = "f32";
    #[inline(always)]
    fn round_from_f64(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn widen_to_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn add_rounded(self, other: Self) -> Self {
        crate::float::nan_rule([self, other], || self + other)
    }
}

impl Element for f64 {
    const KIND: Kind = Kind::F64;
    const ELEMENT_NAME: &'static str = "f64";
    #[inline(always)]
    fn round_from_f64(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn widen_to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn add_rounded(self, other: Self) -> Self {
        crate::float::nan_rule([self, other], || self + other)
    }
}

#[cfg(feature = "half")]
impl Element for half::bf16 {
    const KIND: Kind = Kind::Bf16;
    const ELEMENT_NAME: &'static str = "bf16";
    #[inline(always)]
    fn round_from_f64(x: f64) -> Self {
        half::bf16::from_f64(x)
    }
    #[inline(always)]
    fn widen_to_f64(self) -> f64 {
        self.to_f64()
    }
    #[inline(always)]
    fn add_rounded(self, other: Self) -> Self {
        crate::storage::add_rounded(self, other)
    }
}

#[cfg(feature = "half")]
impl Element for half::f16 {
    const KIND: Kind = Kind::F16;
    const ELEMENT_NAME: &'static str = "f16";
    #[inline(always)]
    fn round_from_f64(x: f64) -> Self {
        half::f16::from_f64(x)
    }
    #[inline(always)]
    fn widen_to_f64(self) -> f64 {
        self.to_f64()
    }
    #[inline(always)]
    fn add_rounded(self, other: Self) -> Self {
        crate::storage::add_rounded(self, other)
    }
}
