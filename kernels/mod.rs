//! The kernels, one file per activation family. Each file holds the family's scalar
//! specification (`reference`), its SIMD body (written once over `simd::Vector`), and its
//! public functions. Adding a family: a file here plus one line in `families!` below.

macro_rules! families {
    ($($family:ident),* $(,)?) => {
        $(pub(crate) mod $family;)*
        $(pub use $family::*;)*

        /// The scalar specification of every kernel: plain Rust, one element at a time. The
        /// differential tests check every ISA against these; the transcendental ones are
        /// evaluated in f64. They follow the crate's NaN rule: a NaN result is the first NaN
        /// input's (`x` or `y`, else `dy`) quieted, sign and payload kept, or the positive
        /// default quiet NaN where no input is NaN.
        pub mod reference {
            $(pub use super::$family::reference::*;)*
        }
    };
}

families!(
    relu,
    leaky_relu,
    prelu,
    elu,
    hardtanh,
    crelu,
    sigmoid,
    tanh,
    hardswish,
    gelu,
    softplus,
    softsign,
    threshold,
    shrink,
    tanhshrink,
    log_sigmoid,
    scaled_silu,
    rrelu,
    softmax,
    sparsity,
    glu,
);
