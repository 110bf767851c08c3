//! The macro that writes each public function twice: `name(..)` on the active ISA and
//! `name_on(isa, ..)` on a chosen one (used by the tests to reach every ISA, and by benches).
//!
//! Both are generic over [`Float`] but only forward to one of two non-generic instances,
//! `name_on::single::run` (f32) and `name_on::double::run` (f64), compiled in this crate with
//! `#[inline(never)]`: a crate that calls `relu::<f32>` instantiates a cast and a call, not the
//! kernels on every ISA, so its rebuilds do not pay for their code generation.

use crate::Float;

/// `isa_fn! { /// docs  pub fn relu / relu_on(isa)(x: &[T], y: &mut [T]) { body using isa } }`
///
/// The body is compiled twice, in modules where `T` is a type alias of `f32` and of `f64`.
macro_rules! isa_fn {
    (
        $(#[$doc:meta])*
        pub fn $name:ident / $name_on:ident ($isa:ident) ( $($arg:ident : $ty:ty),* $(,)? ) $body:block
    ) => {
        $crate::api::isa_fn! {
            $(#[$doc])*
            pub fn $name / $name_on ($isa) ( $($arg : $ty),* ) -> () $body
        }
    };
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
            if T::IS_F32 {
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
/// `&[T]` as `&[f32]`, `T` as `f32`, ... Only called where `T` is that type (`Float::IS_F32`
/// decides), so the `expect`s never fire.
pub(crate) trait Cast<Out> {
    fn cast(self) -> Out;
}

const NOT_THAT_TYPE: &str = "isa_fn!: cast to the other float type";

impl<'a, T: Float> Cast<&'a [f32]> for &'a [T] {
    #[inline(always)]
    fn cast(self) -> &'a [f32] {
        T::slice_as_f32(self).expect(NOT_THAT_TYPE)
    }
}

impl<'a, T: Float> Cast<&'a [f64]> for &'a [T] {
    #[inline(always)]
    fn cast(self) -> &'a [f64] {
        T::slice_as_f64(self).expect(NOT_THAT_TYPE)
    }
}

impl<'a, T: Float> Cast<&'a mut [f32]> for &'a mut [T] {
    #[inline(always)]
    fn cast(self) -> &'a mut [f32] {
        T::slice_mut_as_f32(self).expect(NOT_THAT_TYPE)
    }
}

impl<'a, T: Float> Cast<&'a mut [f64]> for &'a mut [T] {
    #[inline(always)]
    fn cast(self) -> &'a mut [f64] {
        T::slice_mut_as_f64(self).expect(NOT_THAT_TYPE)
    }
}

impl<T: Float> Cast<f32> for T {
    #[inline(always)]
    fn cast(self) -> f32 {
        self.as_f32().expect(NOT_THAT_TYPE)
    }
}

impl<T: Float> Cast<f64> for T {
    #[inline(always)]
    fn cast(self) -> f64 {
        self.as_f64().expect(NOT_THAT_TYPE)
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
