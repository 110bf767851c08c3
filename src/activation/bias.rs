//! [`Activation`]'s fused bias forms: `y = f(x + bias[c])` in one pass (the epilogue of a
//! linear or convolution layer), and the gradient `dx = dy f'(x + bias[c])` together with
//! the bias gradient `dbias[c] = sum of dx over channel c`. The bias is laid out as PReLU's
//! weights: `inner = 1` for channels-last data (rows of `bias.len()` elements, a linear layer's
//! `[batch, features]` or NHWC), `inner > 1` for channels-first data (`[n, c, inner]`, NCHW
//! with `inner = h * w`); one bias applies to every element.
//!
//! The kernels are the activations' own, wrapped to see `x + bias` (`driver_bias`), so every
//! result equals the unfused `x + bias` (rounded) followed by the activation, bit for bit, on
//! every ISA; f32 and f64 (the half types have no fused form yet).

use super::Activation as A;
use crate::channel_layout::Layout;
use crate::dispatch::dispatch;
use crate::driver::{should_stream, Kernel};
use crate::driver_bias::{BiasBackward, BiasForward};
use crate::element::Kind;
use crate::kernel_use::UseKernel;
use crate::{kernels as k, Element, Error, Float, Isa};

impl A {
    /// `y[i] = f(x[i] + bias[c])`, `c` the channel of element `i` (see below), in one pass on
    /// [`Isa::active`]: the result of `x + bias` (rounded to `T`) then
    /// [`forward`](Self::forward), bit for bit, without the intermediate pass.
    ///
    /// `inner = 1`: channels last, `x` is rows of `bias.len()` elements and element `j` of
    /// each row gets `bias[j]` (a linear layer's output `[batch, features]`, NHWC). `inner >
    /// 1`: channels first, `x` is runs of `inner` elements and run `r` gets `bias[r %
    /// bias.len()]` (`[n, c, h * w]`, NCHW). One bias applies to every element. NaN rule: a NaN
    /// result is the first NaN of `x[i]` and the bias, quieted, or the default quiet NaN.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] if `x.len() != y.len()`, [`Error::BadBiasLayout`] unless
    /// `bias.len() >= 1`, `inner >= 1` and `bias.len() * inner` divides `x.len()` (where
    /// `bias.len() > 1`), [`Error::BadParameter`] as [`validate`](Self::validate); nothing is
    /// written then.
    ///
    /// ```
    /// use simd_activations::Activation;
    /// // Two rows of three features (channels last): bias per feature.
    /// let x = [1.0f32, -2.0, 0.5, -1.0, 3.0, -0.5];
    /// let mut y = [0.0f32; 6];
    /// Activation::Relu.forward_bias(&x, &mut y, &[0.5, 1.0, -1.0], 1)?;
    /// assert_eq!(y, [1.5, 0.0, 0.0, 0.0, 4.0, 0.0]);
    /// // Channels first: [1, 2 channels, 3 elements each].
    /// Activation::Relu.forward_bias(&x, &mut y, &[1.0, -1.0], 3)?;
    /// assert_eq!(y, [2.0, 0.0, 1.5, 0.0, 2.0, 0.0]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn forward_bias<T: Float>(
        &self,
        x: &[T],
        y: &mut [T],
        bias: &[T],
        inner: usize,
    ) -> Result<(), Error> {
        self.forward_bias_on(Isa::active(), x, y, bias, inner)
    }

    /// [`forward_bias`](Self::forward_bias) on a chosen `isa`.
    ///
    /// # Errors
    /// As [`forward_bias`](Self::forward_bias), and [`Error::IsaUnavailable`].
    ///
    /// ```
    /// use simd_activations::{Activation, Isa};
    /// let mut y = [0.0f64; 2];
    /// Activation::Sigmoid.forward_bias_on(Isa::Scalar, &[1.0, -1.0], &mut y, &[-1.0, 1.0], 1)?;
    /// assert_eq!(y, [0.5, 0.5]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn forward_bias_on<T: Float>(
        &self,
        isa: Isa,
        x: &[T],
        y: &mut [T],
        bias: &[T],
        inner: usize,
    ) -> Result<(), Error> {
        const F: &str = "Activation::forward_bias";
        let p = self.prepare::<T>(F, isa)?;
        self.same_len(F, &[("x", x.len()), ("y", y.len())])?;
        let layout = Error::check_bias_layout(F, self, x.len(), bias.len(), inner)?;
        let stream = should_stream::<T>(y.len());
        // SAFETY: `x` and `y` are distinct live slices of the layout's length.
        unsafe {
            forward(
                self,
                isa,
                x.as_ptr(),
                y.as_mut_ptr(),
                bias,
                layout,
                p,
                stream,
            )
        };
        Ok(())
    }

    /// [`forward_bias`](Self::forward_bias) in place: `xy[i] = f(xy[i] + bias[c])`.
    ///
    /// # Errors
    /// [`Error::BadBiasLayout`] and [`Error::BadParameter`] as
    /// [`forward_bias`](Self::forward_bias); nothing is written then.
    ///
    /// ```
    /// use simd_activations::Activation;
    /// let mut xy = [-1.0f32, 1.0, 2.0, -3.0];
    /// Activation::Relu6.forward_bias_inplace(&mut xy, &[5.0, -2.0], 1)?;
    /// assert_eq!(xy, [4.0, 0.0, 6.0, 0.0]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn forward_bias_inplace<T: Float>(
        &self,
        xy: &mut [T],
        bias: &[T],
        inner: usize,
    ) -> Result<(), Error> {
        self.forward_bias_inplace_on(Isa::active(), xy, bias, inner)
    }

    /// [`forward_bias_inplace`](Self::forward_bias_inplace) on a chosen `isa`.
    ///
    /// # Errors
    /// As [`forward_bias_inplace`](Self::forward_bias_inplace), and [`Error::IsaUnavailable`].
    ///
    /// ```
    /// use simd_activations::{Activation, Isa};
    /// let mut xy = [0.5f32, -0.5];
    /// Activation::Tanh.forward_bias_inplace_on(Isa::Scalar, &mut xy, &[-0.5], 1)?;
    /// assert_eq!(xy[0], 0.0);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn forward_bias_inplace_on<T: Float>(
        &self,
        isa: Isa,
        xy: &mut [T],
        bias: &[T],
        inner: usize,
    ) -> Result<(), Error> {
        const F: &str = "Activation::forward_bias_inplace";
        let p = self.prepare::<T>(F, isa)?;
        let layout = Error::check_bias_layout(F, self, xy.len(), bias.len(), inner)?;
        let xy = xy.as_mut_ptr();
        // SAFETY: `xy` is a live slice of the layout's length, input and output at once.
        unsafe { forward(self, isa, xy.cast_const(), xy, bias, layout, p, false) };
        Ok(())
    }

    /// The gradient of [`forward_bias`](Self::forward_bias) on [`Isa::active`], in one pass:
    /// `dx[i] = dy[i] f'(x[i] + bias[c])` (bit for bit [`backward`](Self::backward) at `x +
    /// bias` rounded) and `dbias[c]` = the sum of `dx` over channel `c` (overwritten, not
    /// accumulated). `x` is the input before the bias.
    ///
    /// NaN rule for `dx`: the first NaN of `x[i]`, the bias and `dy[i]`, quieted, or the
    /// default quiet NaN. The sums are compensated (each channel's as an unevaluated `hi + lo`
    /// by 2Sum, rounded once): within about 1 ULP of the exact sum of the `dx` values unless it
    /// cancels; every ISA adds in the same order, so `dbias` is the same bits on every ISA. A
    /// sum that overflows is infinite; a NaN sum is the default quiet NaN.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] if `x`, `dy` and `dx` differ in length or `dbias.len() !=
    /// bias.len()`, otherwise as [`forward_bias`](Self::forward_bias); nothing is written then.
    ///
    /// ```
    /// use simd_activations::Activation;
    /// // Two rows of two features: relu' = 1 where x + bias > 0.
    /// let (x, dy) = ([1.0f32, -2.0, -1.0, 3.0], [10.0f32, 20.0, 30.0, 40.0]);
    /// let (mut dx, mut dbias) = ([0.0f32; 4], [0.0f32; 2]);
    /// Activation::Relu.backward_bias(&x, &dy, &mut dx, &[0.5, 1.0], 1, &mut dbias)?;
    /// assert_eq!(dx, [10.0, 0.0, 0.0, 40.0]);
    /// assert_eq!(dbias, [10.0, 40.0]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn backward_bias<T: Float>(
        &self,
        x: &[T],
        dy: &[T],
        dx: &mut [T],
        bias: &[T],
        inner: usize,
        dbias: &mut [T],
    ) -> Result<(), Error> {
        self.backward_bias_on(Isa::active(), x, dy, dx, bias, inner, dbias)
    }

    /// [`backward_bias`](Self::backward_bias) on a chosen `isa`.
    ///
    /// # Errors
    /// As [`backward_bias`](Self::backward_bias), and [`Error::IsaUnavailable`].
    ///
    /// ```
    /// use simd_activations::{Activation, Isa};
    /// let (mut dx, mut dbias) = ([0.0f64; 3], [0.0f64; 1]);
    /// Activation::Sigmoid.backward_bias_on(Isa::Scalar, &[1.0, 2.0, 3.0], &[4.0; 3], &mut dx, &[-2.0], 3, &mut dbias)?;
    /// assert_eq!(dx[1], 1.0); // 4 * sigmoid'(0)
    /// assert_eq!(dbias[0], dx[0] + dx[1] + dx[2]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub fn backward_bias_on<T: Float>(
        &self,
        isa: Isa,
        x: &[T],
        dy: &[T],
        dx: &mut [T],
        bias: &[T],
        inner: usize,
        dbias: &mut [T],
    ) -> Result<(), Error> {
        const F: &str = "Activation::backward_bias";
        let p = self.prepare::<T>(F, isa)?;
        self.same_len(F, &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())])?;
        self.same_len(F, &[("bias", bias.len()), ("dbias", dbias.len())])?;
        let layout = Error::check_bias_layout(F, self, x.len(), bias.len(), inner)?;
        // SAFETY: `x`, `dy` and `dx` are live slices of the layout's length, `dx` distinct.
        unsafe {
            backward(
                self,
                isa,
                x.as_ptr(),
                dy.as_ptr(),
                dx.as_mut_ptr(),
                bias,
                layout,
                dbias,
                p,
            )
        };
        Ok(())
    }

    /// [`backward_bias`](Self::backward_bias) with `dy` overwritten by `dx`.
    ///
    /// # Errors
    /// As [`backward_bias`](Self::backward_bias); nothing is written then.
    ///
    /// ```
    /// use simd_activations::Activation;
    /// let mut g = [1.0f32, 1.0, 1.0, 1.0];
    /// let mut dbias = [0.0f32; 2];
    /// Activation::Relu.backward_bias_inplace(&[1.0, -1.0, -2.0, 2.0], &mut g, &[0.0, 0.5], 1, &mut dbias)?;
    /// assert_eq!(g, [1.0, 0.0, 0.0, 1.0]);
    /// assert_eq!(dbias, [1.0, 1.0]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn backward_bias_inplace<T: Float>(
        &self,
        x: &[T],
        dy_dx: &mut [T],
        bias: &[T],
        inner: usize,
        dbias: &mut [T],
    ) -> Result<(), Error> {
        self.backward_bias_inplace_on(Isa::active(), x, dy_dx, bias, inner, dbias)
    }

    /// [`backward_bias_inplace`](Self::backward_bias_inplace) on a chosen `isa`.
    ///
    /// # Errors
    /// As [`backward_bias_inplace`](Self::backward_bias_inplace), and
    /// [`Error::IsaUnavailable`].
    ///
    /// ```
    /// use simd_activations::{Activation, Isa};
    /// let mut g = [2.0f32; 2];
    /// let mut dbias = [0.0f32];
    /// Activation::Relu.backward_bias_inplace_on(Isa::Scalar, &[1.0, -1.0], &mut g, &[0.5], 1, &mut dbias)?;
    /// assert_eq!((g, dbias), ([2.0, 0.0], [2.0]));
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn backward_bias_inplace_on<T: Float>(
        &self,
        isa: Isa,
        x: &[T],
        dy_dx: &mut [T],
        bias: &[T],
        inner: usize,
        dbias: &mut [T],
    ) -> Result<(), Error> {
        const F: &str = "Activation::backward_bias_inplace";
        let p = self.prepare::<T>(F, isa)?;
        self.same_len(F, &[("x", x.len()), ("dy_dx", dy_dx.len())])?;
        self.same_len(F, &[("bias", bias.len()), ("dbias", dbias.len())])?;
        let layout = Error::check_bias_layout(F, self, x.len(), bias.len(), inner)?;
        let g = dy_dx.as_mut_ptr();
        // SAFETY: live slices of the layout's length; `dx` equals `dy` (allowed), not `x`.
        unsafe {
            backward(
                self,
                isa,
                x.as_ptr(),
                g.cast_const(),
                g,
                bias,
                layout,
                dbias,
                p,
            )
        };
        Ok(())
    }
}

/// The forward on `T`, through the instance compiled in this crate for it (a caller's crate
/// compiles a cast and a call, not the kernels).
///
/// # Safety
/// `x` and `y` valid for `layout`'s length, equal or not overlapping.
#[allow(clippy::too_many_arguments)]
unsafe fn forward<T: Float>(
    a: &A,
    isa: Isa,
    x: *const T,
    y: *mut T,
    bias: &[T],
    layout: Layout,
    p: [T; 2],
    stream: bool,
) {
    // SAFETY (both): forwarded from the caller; `T` is the type the pointers are cast to.
    match T::KIND {
        Kind::F32 => unsafe {
            forward_f32(
                a,
                isa,
                x.cast(),
                y.cast(),
                same(bias),
                layout,
                p.map(to),
                stream,
            )
        },
        Kind::F64 => unsafe {
            forward_f64(
                a,
                isa,
                x.cast(),
                y.cast(),
                same(bias),
                layout,
                p.map(to),
                stream,
            )
        },
        #[cfg(feature = "half")]
        Kind::Bf16 | Kind::F16 => unreachable!("a Float is f32 or f64"),
    }
}

/// The backward on `T`, as [`forward`].
///
/// # Safety
/// `x`, `dy` and `dx` valid for `layout`'s length; `dx` distinct from `x`, equal to `dy` or
/// distinct from it.
#[allow(clippy::too_many_arguments)]
unsafe fn backward<T: Float>(
    a: &A,
    isa: Isa,
    x: *const T,
    dy: *const T,
    dx: *mut T,
    bias: &[T],
    layout: Layout,
    dbias: &mut [T],
    p: [T; 2],
) {
    // SAFETY (both): forwarded from the caller; `T` is the type the pointers are cast to.
    match T::KIND {
        Kind::F32 => unsafe {
            let dbias = same_mut(dbias);
            backward_f32(
                a,
                isa,
                x.cast(),
                dy.cast(),
                dx.cast(),
                same(bias),
                layout,
                dbias,
                p.map(to),
            )
        },
        Kind::F64 => unsafe {
            let dbias = same_mut(dbias);
            backward_f64(
                a,
                isa,
                x.cast(),
                dy.cast(),
                dx.cast(),
                same(bias),
                layout,
                dbias,
                p.map(to),
            )
        },
        #[cfg(feature = "half")]
        Kind::Bf16 | Kind::F16 => unreachable!("a Float is f32 or f64"),
    }
}

const SAME: &str = "bias forms: a slice cast to its own type";

fn same<T: Element, U: Element>(s: &[T]) -> &[U] {
    T::slice_as(s).expect(SAME)
}

fn same_mut<T: Element, U: Element>(s: &mut [T]) -> &mut [U] {
    T::slice_mut_as(s).expect(SAME)
}

fn to<T: Float, U: Float>(v: T) -> U {
    U::from_f64(v.to_f64()) // exact: `U` is `T`
}

macro_rules! instances {
    ($t:ty, $forward:ident, $backward:ident) => {
        /// # Safety
        /// As [`forward`].
        #[inline(never)]
        #[allow(clippy::too_many_arguments)]
        unsafe fn $forward(
            a: &A,
            isa: Isa,
            x: *const $t,
            y: *mut $t,
            bias: &[$t],
            layout: Layout,
            p: [$t; 2],
            stream: bool,
        ) {
            forward_kernel(
                a,
                p,
                Forward {
                    isa,
                    x,
                    y,
                    bias,
                    layout,
                    stream,
                },
            )
        }

        /// # Safety
        /// As [`backward`].
        #[inline(never)]
        #[allow(clippy::too_many_arguments)]
        unsafe fn $backward(
            a: &A,
            isa: Isa,
            x: *const $t,
            dy: *const $t,
            dx: *mut $t,
            bias: &[$t],
            layout: Layout,
            dbias: &mut [$t],
            p: [$t; 2],
        ) {
            backward_kernel(
                a,
                p,
                Backward {
                    isa,
                    x,
                    dy,
                    dx,
                    bias,
                    layout,
                    dbias,
                },
            )
        }
    };
}

instances!(f32, forward_f32, backward_f32);
instances!(f64, forward_f64, backward_f64);

/// [`UseKernel`] that runs the fused forward.
struct Forward<'a, T> {
    isa: Isa,
    x: *const T,
    y: *mut T,
    bias: &'a [T],
    layout: Layout,
    stream: bool,
}

impl<T: Float> UseKernel<T, 1> for Forward<'_, T> {
    type Output = ();
    #[inline(always)]
    fn with<K: Kernel<T, 1>>(self, kernel: K) {
        let Forward {
            isa,
            x,
            y,
            bias,
            layout,
            stream,
        } = self;
        let op = BiasForward {
            kernel,
            x,
            y,
            bias,
            layout,
            stream,
        };
        dispatch("Activation::forward_bias", isa, op)
    }
}

/// [`UseKernel`] that runs the fused backward.
struct Backward<'a, T> {
    isa: Isa,
    x: *const T,
    dy: *const T,
    dx: *mut T,
    bias: &'a [T],
    layout: Layout,
    dbias: &'a mut [T],
}

impl<T: Float> UseKernel<T, 2> for Backward<'_, T> {
    type Output = ();
    #[inline(always)]
    fn with<K: Kernel<T, 2>>(self, kernel: K) {
        let Backward {
            isa,
            x,
            dy,
            dx,
            bias,
            layout,
            dbias,
        } = self;
        let op = BiasBackward {
            kernel,
            x,
            dy,
            dx,
            bias,
            layout,
            dbias,
        };
        dispatch("Activation::backward_bias", isa, op)
    }
}

/// Hands `a`'s forward kernel (for the parameters `p`, in registry order) to `u`.
fn forward_kernel<T: Float, U: UseKernel<T, 1>>(a: &A, p: [T; 2], u: U) -> U::Output {
    match a {
        A::Relu => k::relu_kernel(u),
        A::LeakyRelu { .. } => k::leaky_relu_kernel(p[0], u),
        A::Elu { .. } => k::elu_kernel(p[0], u),
        A::Selu => k::selu_kernel(u),
        A::Celu { .. } => k::celu_kernel(p[0], u),
        A::Relu6 => k::relu6_kernel(u),
        A::Hardtanh { .. } => k::hardtanh_kernel(p[0], p[1], u),
        A::Sigmoid => k::sigmoid_kernel(u),
        A::Tanh => k::tanh_kernel(u),
        A::Silu => k::silu_kernel(u),
        A::Gelu => k::gelu_kernel(u),
        A::GeluTanh => k::gelu_tanh_kernel(u),
        A::Softplus { .. } => k::softplus_kernel(p[0], p[1], u),
        A::Mish => k::mish_kernel(u),
        A::Hardswish => k::hardswish_kernel(u),
        A::Hardsigmoid => k::hardsigmoid_kernel(u),
        A::Softsign => k::softsign_kernel(u),
        A::Threshold { .. } => k::threshold_kernel(p[0], p[1], u),
        A::ThresholdedRelu { .. } => k::thresholded_relu_kernel(p[0], u),
        A::Hardshrink { .. } => k::hardshrink_kernel(p[0], u),
        A::Softshrink { .. } => k::softshrink_kernel(p[0], u),
        A::Tanhshrink => k::tanhshrink_kernel(u),
        A::LogSigmoid => k::log_sigmoid_kernel(u),
        A::QuickGelu => k::quick_gelu_kernel(u),
        A::SiluBeta { .. } => k::silu_beta_kernel(p[0], u),
        A::Rrelu { .. } => k::rrelu_kernel(p[0], p[1], u),
    }
}

/// Hands `a`'s gradient kernel (from `x` and `dy`) to `u`.
fn backward_kernel<T: Float, U: UseKernel<T, 2>>(a: &A, p: [T; 2], u: U) -> U::Output {
    match a {
        A::Relu => k::relu_backward_kernel(u),
        A::LeakyRelu { .. } => k::leaky_relu_backward_kernel(p[0], u),
        A::Elu { .. } => k::elu_backward_kernel(p[0], u),
        A::Selu => k::selu_backward_kernel(u),
        A::Celu { .. } => k::celu_backward_kernel(p[0], u),
        A::Relu6 => k::relu6_backward_kernel(u),
        A::Hardtanh { .. } => k::hardtanh_backward_kernel(p[0], p[1], u),
        A::Sigmoid => k::sigmoid_backward_kernel(u),
        A::Tanh => k::tanh_backward_kernel(u),
        A::Silu => k::silu_backward_kernel(u),
        A::Gelu => k::gelu_backward_kernel(u),
        A::GeluTanh => k::gelu_tanh_backward_kernel(u),
        A::Softplus { .. } => k::softplus_backward_kernel(p[0], p[1], u),
        A::Mish => k::mish_backward_kernel(u),
        A::Hardswish => k::hardswish_backward_kernel(u),
        A::Hardsigmoid => k::hardsigmoid_backward_kernel(u),
        A::Softsign => k::softsign_backward_kernel(u),
        A::Threshold { .. } => k::threshold_backward_kernel(p[0], u),
        A::ThresholdedRelu { .. } => k::thresholded_relu_backward_kernel(p[0], u),
        A::Hardshrink { .. } => k::hardshrink_backward_kernel(p[0], u),
        A::Softshrink { .. } => k::softshrink_backward_kernel(p[0], u),
        A::Tanhshrink => k::tanhshrink_backward_kernel(u),
        A::LogSigmoid => k::log_sigmoid_backward_kernel(u),
        A::QuickGelu => k::quick_gelu_backward_kernel(u),
        A::SiluBeta { .. } => k::silu_beta_backward_kernel(p[0], u),
        A::Rrelu { .. } => k::rrelu_backward_kernel(p[0], p[1], u),
    }
}
