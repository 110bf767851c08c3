//! The macro that writes each public function twice: `name(..)` on the active ISA and
//! `name_on(isa, ..)` on a chosen one (used by the tests to reach every ISA, and by benches).

/// `isa_fn! { /// docs  pub fn relu / relu_on(isa)(x: &[T], y: &mut [T]) { body using isa } }`
macro_rules! isa_fn {
    (
        $(#[$doc:meta])*
        pub fn $name:ident / $name_on:ident ($isa:ident) ( $($arg:ident : $ty:ty),* $(,)? ) $body:block
    ) => {
        $(#[$doc])*
        #[inline]
        pub fn $name<T: $crate::Float>($($arg: $ty),*) {
            $name_on($crate::Isa::active(), $($arg),*)
        }

        #[doc(hidden)] // documented in `isa_forced`, callable at the root as before
        #[doc = concat!(
            "[`", stringify!($name), "`] on the chosen `isa` instead of ",
            "[`Isa::active`](crate::Isa::active): for tests and benchmarks that compare ISAs.\n\n",
            "# Panics\nAs [`", stringify!($name), "`], and when `isa` is not available on this CPU."
        )]
        pub fn $name_on<T: $crate::Float>($isa: $crate::Isa, $($arg: $ty),*) $body
    };
}

pub(crate) use isa_fn;
