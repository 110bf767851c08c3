//! The macro that writes each public function twice: `name(..)` on the active ISA and
//! `name_on(isa, ..)` on a chosen one (used by the tests to reach every ISA, and by benches).
//!
//! Both are generic over [`Element`] but only forward to one of the non-generic instances,
//! `name_on::single::run` (f32), `name_on::double::run` (f64) and, with the feature `half`,
//! `name_on::brain::run` (bf16) and `name_on::binary16::run` (f16), compiled in this crate with
//! `#[inline(never)]`: a crate that calls `relu::<f32>` instantiates a cast and a call, not the
//! kernels on every ISA, so its rebuilds do not pay for their code generation. The bf16 and
//! f16 instances run the f32 one on staged f32 copies of their arguments (`storage`).

use crate::Element;

/// `isa_fn! { /// docs  pub fn relu / relu_on(isa)(x: &[T], y: &mut [T]) { body using isa } }`
///
/// The body is compiled twice, in modules where `T` is a type alias of `f32` and of `f64`; the
/// bf16 and f16 instances stage their arguments (`storage::staged_body!`) and call the f32 one.
/// Arguments are `&[T]`, `&mut [T]`, `T` or `usize` (a shape: the half instances then convert
/// each slice whole instead of in chunks). A function with a return value (`-> usize`) gets
/// the f32 and f64 instances only, and may also take `&mut [bool]`.
macro_rules! isa_fn {
    (
        $(#[$doc:meta])*
        pub fn $name:ident / $name_on:ident ($isa:ident) ( $($arg:ident : $ty:ty),* $(,)? ) $body:block
    ) => {
        $(#[$doc])*
        #[inline]
        pub fn $name<T: $crate::Element>($($arg: $ty),*) {
            $name_on($crate::Isa::active(), $($arg),*)
        }

        #[doc(hidden)] // documented in `isa_forced`, callable at the root as before
        #[doc = concat!(
            "[`", stringify!($name), "`] on the chosen `isa` instead of ",
            "[`Isa::active`](crate::Isa::active): for tests and benchmarks that compare ISAs.\n\n",
            "# Panics\nAs [`", stringify!($name), "`], and when `isa` is not available on this CPU.\n\n",
            "# Examples\nAs [`", stringify!($name), "`]'s, with an `isa` first; a loop over every ",
            "ISA is in [`isa_forced`](crate::isa_forced)."
        )]
        #[inline]
        pub fn $name_on<T: $crate::Element>($isa: $crate::Isa, $($arg: $ty),*) {
            match T::KIND {
                $crate::element::Kind::F32 => {
                    $name_on::single::run($isa, $($crate::api::Cast::cast($arg)),*)
                }
                $crate::element::Kind::F64 => {
                    $name_on::double::run($isa, $($crate::api::Cast::cast($arg)),*)
                }
                #[cfg(feature = "half")]
                $crate::element::Kind::Bf16 => {
                    $name_on::brain::run($isa, $($crate::api::Cast::cast($arg)),*)
                }
                #[cfg(feature = "half")]
                $crate::element::Kind::F16 => {
                    $name_on::binary16::run($isa, $($crate::api::Cast::cast($arg)),*)
                }
            }
        }

        /// The f32, f64 (and bf16, f16) instances of the function above.
        mod $name_on {
            #[cfg(feature = "half")]
            pub(super) mod brain {
                type T = ::half::bf16;
                #[inline(never)]
                pub(in super::super) fn run($isa: $crate::Isa, $($arg: $ty),*) {
                    $crate::storage::staged_body!(super::single::run, $isa, $($arg),*)
                }
            }
            #[cfg(feature = "half")]
            pub(super) mod binary16 {
                type T = ::half::f16;
                #[inline(never)]
                pub(in super::super) fn run($isa: $crate::Isa, $($arg: $ty),*) {
                    $crate::storage::staged_body!(super::single::run, $isa, $($arg),*)
                }
            }
            pub(super) mod single {
                #[allow(unused_imports)]
                use super::super::*;
                type T = f32;
                #[inline(never)]
                pub(in super::super) fn run($isa: $crate::Isa, $($arg: $ty),*) $body
            }
            pub(super) mod double {
                #[allow(unused_imports)]
                use super::super::*;
                type T = f64;
                #[inline(never)]
                pub(in super::super) fn run($isa: $crate::Isa, $($arg: $ty),*) $body
            }
        }
    };
    // With a return value (the counting forms): f32 and f64 only (`Float`), no staged half
    // instances (their staging writes slices back, it does not carry results).
    (
        $(#[$doc:meta])*
        pub fn $name:ident / $name_on:ident ($isa:ident) ( $($arg:ident : $ty:ty),* $(,)? ) -> $ret:ty $body:block
    ) => {
        $(#[$doc])*
        #[inline]
        pub fn $name<T: $crate::Float>($($arg: $ty),*) -> $ret {
            $name_on($crate::Isa::active(), $($arg),*)
        }

        #[doc(hidden)] // documented in `isa_forced`, callable at the root as before
        #[doc = concat!(
            "[`", stringify!($name), "`] on the chosen `isa` instead of ",
            "[`Isa::active`](crate::Isa::active): for tests and benchmarks that compare ISAs.\n\n",
            "# Panics\nAs [`", stringify!($name), "`], and when `isa` is not available on this CPU.\n\n",
            "# Examples\nAs [`", stringify!($name), "`]'s, with an `isa` first; a loop over every ",
            "ISA is in [`isa_forced`](crate::isa_forced)."
        )]
        #[inline]
        pub fn $name_on<T: $crate::Float>($isa: $crate::Isa, $($arg: $ty),*) -> $ret {
            // A `Float` is f32 or f64.
            if matches!(T::KIND, $crate::element::Kind::F32) {
                $name_on::single::run($isa, $($crate::api::Cast::cast($arg)),*)
            } else {
                $name_on::double::run($isa, $($crate::api::Cast::cast($arg)),*)
            }
        }

        /// The f32 and f64 instances of the function above.
        mod $name_on {
            pub(super) mod single {
                #[allow(unused_imports)]
                use super::super::*;
                type T = f32;
                #[inline(never)]
                pub(in super::super) fn run($isa: $crate::Isa, $($arg: $ty),*) -> $ret $body
            }
            pub(super) mod double {
                #[allow(unused_imports)]
                use super::super::*;
                type T = f64;
                #[inline(never)]
                pub(in super::super) fn run($isa: $crate::Isa, $($arg: $ty),*) -> $ret $body
            }
        }
    };
}

pub(crate) use isa_fn;

/// An argument of a generic public function as the argument of its f32 or f64 instance:
/// `&[T]` as `&[f32]`, `T` as `f32`, ... Only called where `T` is that type (`Element::KIND`
/// decides), so the `expect`s never fire.
pub(crate) trait Cast<Out> {
    fn cast(self) -> Out;
}

const NOT_THAT_TYPE: &str = "isa_fn!: cast to another element type";

impl<'a, T: Element, U: Element> Cast<&'a [U]> for &'a [T] {
    #[inline(always)]
    fn cast(self) -> &'a [U] {
        T::slice_as::<U>(self).expect(NOT_THAT_TYPE)
    }
}

impl<'a, T: Element, U: Element> Cast<&'a mut [U]> for &'a mut [T] {
    #[inline(always)]
    fn cast(self) -> &'a mut [U] {
        T::slice_mut_as::<U>(self).expect(NOT_THAT_TYPE)
    }
}

impl<T: Element, U: Element> Cast<U> for T {
    #[inline(always)]
    fn cast(self) -> U {
        self.value_as::<U>().expect(NOT_THAT_TYPE)
    }
}

impl Cast<usize> for usize {
    #[inline(always)]
    fn cast(self) -> usize {
        self
    }
}

impl<'a> Cast<&'a mut [bool]> for &'a mut [bool] {
    #[inline(always)]
    fn cast(self) -> &'a mut [bool] {
        self
    }
}
