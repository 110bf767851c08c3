//! The macro that writes each public function twice: `name(..)` on the active ISA and
//! `name_on(isa, ..)` on a chosen one (used by the tests to reach every ISA, and by benches).
//!
//! Both are generic over [`Element`] but only forward to one of the non-generic instances,
//! `name_on::single::run` (f32), `name_on::double::run` (f64) and, with the feature `half`,
//! `name_on::brain::run` (bf16) and `name_on::binary16::run` (f16), compiled in this crate with
//! `#[inline(never)]`: a crate that calls `relu::<f32>` instantiates a cast and a call, not the
//! kernels on every ISA, so its rebuilds do not pay for their code generation. The bf16 and
//! f16 instances compile the body once more with `T = f32` and the 16-bit slices, whose
//! kernels then load and store 16-bit lanes (`storage::fused`) on AVX2 and AVX-512 (and bf16
//! on NEON); elsewhere, and for the bodies marked `staged` (shaped calls: PReLU, CReLU,
//! softmax, the GLUs), they run the f32 instance on staged f32 copies of their arguments
//! (`storage`).

use crate::Element;

/// `isa_fn! { /// docs  pub fn relu / relu_on(isa)(x: &[T], y: &mut [T]) { body using isa } }`
///
/// The body is compiled twice, in modules where `T` is a type alias of `f32` and of `f64`, and
/// for bf16 and f16 (feature `half`) once more each with `T = f32` but the slices of the 16-bit
/// type and parameters widened to f32: its `dispatch` is then `storage::fused::dispatch`, so
/// the body must build `Unary`, `UnaryInPlace` or `Binary` operations (directly or through
/// `kernel_use`). A body that builds other operations is marked `staged` before its argument
/// list (`pub fn prelu / prelu_on(isa) staged (..)`): its bf16 and f16 instances stage their
/// arguments (`storage::staged_body!`) and call the f32 one, as every instance does on the ISAs
/// without the fused lanes.
/// Arguments are `&[T]`, `&mut [T]`, `T` or `usize` (a shape: the half instances then convert
/// each slice whole instead of in chunks). A function with a return value (`-> usize`) gets
/// the f32 and f64 instances only, and may also take `&mut [bool]`.
macro_rules! isa_fn {
    // The body of a bf16 or f16 instance, fused (the default): on the ISAs with the lane
    // conversions (`storage::fused`), the body itself with `T = f32` for its kernels and
    // parameters (widened), the slices as they are, and the fused `dispatch`; elsewhere, and
    // for the bodies marked `staged`, the f32 instance on staged copies.
    (@half [] $isa:ident, $body:block, $($arg:ident),*) => {
        if $crate::storage::fused::fused_on::<T>($isa) {
            $( let $arg = $crate::storage::fused::Rebind::rebind($arg); )*
            // Shadows the kernel file's `dispatch` (glob-imported by the module).
            #[allow(unused_imports)]
            use $crate::storage::fused::dispatch;
            #[allow(dead_code)] // bodies that name no `T`
            type T = f32;
            $body
        } else {
            $crate::storage::staged_body!(super::single::run, $isa, $($arg),*)
        }
    };
    (@half [staged] $isa:ident, $body:block, $($arg:ident),*) => {
        $crate::storage::staged_body!(super::single::run, $isa, $($arg),*)
    };
    (
        $(#[$doc:meta])*
        pub fn $name:ident / $name_on:ident ($isa:ident) $($mode:ident)? ( $($arg:ident : $ty:ty),* $(,)? ) $body:block
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
                #[allow(unused_imports)]
                use super::super::*;
                type T = ::half::bf16;
                #[inline(never)]
                pub(in super::super) fn run($isa: $crate::Isa, $($arg: $ty),*) {
                    $crate::api::isa_fn!(@half [$($mode)?] $isa, $body, $($arg),*)
                }
            }
            #[cfg(feature = "half")]
            pub(super) mod binary16 {
                #[allow(unused_imports)]
                use super::super::*;
                type T = ::half::f16;
                #[inline(never)]
                pub(in super::super) fn run($isa: $crate::Isa, $($arg: $ty),*) {
                    $crate::api::isa_fn!(@half [$($mode)?] $isa, $body, $($arg),*)
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
