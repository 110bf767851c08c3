//! How a kernel file hands its kernel to a form without naming the kernel's type: each
//! activation has a `<name>_kernel` and a `<name>_backward_kernel` function that picks the
//! kernel for its parameters (the choice may branch on them, as CELU's and softplus' do) and
//! gives it to a [`UseKernel`]: one of the runs on slices below, or the fused bias forms
//! (`activation::bias`), which wrap it first. The choice is then written once for every form.

use crate::dispatch::dispatch;
use crate::driver::{Binary, Kernel, Unary, UnaryInPlace};
use crate::{Float, Isa};

/// Something to do with a kernel of `N` inputs.
pub(crate) trait UseKernel<T: Float, const N: usize> {
    /// What the use returns.
    type Output;
    /// Uses `kernel`.
    fn with<K: Kernel<T, N>>(self, kernel: K) -> Self::Output;
}

/// `y = kernel(x)` on `isa`, out of place ([`Unary`]); `func` names the caller in a panic.
pub(crate) struct RunUnary<'a, T> {
    pub func: &'static str,
    pub isa: Isa,
    pub x: &'a [T],
    pub y: &'a mut [T],
}

impl<T: Float> UseKernel<T, 1> for RunUnary<'_, T> {
    type Output = ();
    #[inline(always)]
    fn with<K: Kernel<T, 1>>(self, kernel: K) {
        let RunUnary { func, isa, x, y } = self;
        dispatch(func, isa, Unary { kernel, x, y })
    }
}

/// `xy = kernel(xy)` on `isa`, in place ([`UnaryInPlace`]).
pub(crate) struct RunInPlace<'a, T> {
    pub func: &'static str,
    pub isa: Isa,
    pub xy: &'a mut [T],
}

impl<T: Float> UseKernel<T, 1> for RunInPlace<'_, T> {
    type Output = ();
    #[inline(always)]
    fn with<K: Kernel<T, 1>>(self, kernel: K) {
        let RunInPlace { func, isa, xy } = self;
        dispatch(func, isa, UnaryInPlace { kernel, xy })
    }
}

/// `out = kernel(a, b)` on `isa` ([`Binary`]: a gradient from `x` and `dy`).
pub(crate) struct RunBinary<'a, T> {
    pub func: &'static str,
    pub isa: Isa,
    pub a: &'a [T],
    pub b: &'a [T],
    pub out: &'a mut [T],
}

impl<T: Float> UseKernel<T, 2> for RunBinary<'_, T> {
    type Output = ();
    #[inline(always)]
    fn with<K: Kernel<T, 2>>(self, kernel: K) {
        let RunBinary {
            func,
            isa,
            a,
            b,
            out,
        } = self;
        dispatch(func, isa, Binary { kernel, a, b, out })
    }
}
