//! [`Activation`]'s forms for frameworks that own their buffers: results written into
//! memory that was never initialised (no zero-fill first), and gradients accumulated into an
//! existing `dx` (no separate add pass over a temporary).
//!
//! Each works in chunks of [`CHUNK`] elements through an initialised buffer on the stack
//! (in L1): the plain form computes a chunk there, and the chunk is then copied out (with
//! non-temporal stores when the whole output is at least 8 MiB, as the plain forms decide) or
//! added into `dx`. Results equal the plain forms' bit for bit.

use super::{run, Activation};
use crate::driver::should_stream;
use crate::write_out::write_out;
use crate::{Element, Error, Isa};
use core::mem::MaybeUninit;

/// Elements per chunk (4-8 KiB of buffer for 4- and 8-byte types).
const CHUNK: usize = 1024;

impl Activation {
    /// Out of place into uninitialised memory on [`Isa::active`]: writes `f(x[i])` to every
    /// `y[i]` and returns `y` as the initialised slice. Equal bit for bit to
    /// [`forward`](Self::forward); saves the zero-fill a `&mut [T]` output would need.
    ///
    /// # Errors
    /// As [`forward`](Self::forward); nothing is written then.
    ///
    /// ```
    /// use simd_activations::Activation;
    /// use std::mem::MaybeUninit;
    /// let mut storage = Vec::<f32>::with_capacity(3);
    /// let y = Activation::Relu.forward_uninit(&[-1.0, 0.5, 2.0], &mut storage.spare_capacity_mut()[..3])?;
    /// assert_eq!(y, [0.0, 0.5, 2.0]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn forward_uninit<'y, T: Element>(
        &self,
        x: &[T],
        y: &'y mut [MaybeUninit<T>],
    ) -> Result<&'y mut [T], Error> {
        self.forward_uninit_on(Isa::active(), x, y)
    }

    /// [`forward_uninit`](Self::forward_uninit) on a chosen `isa`.
    ///
    /// # Errors
    /// As [`forward_uninit`](Self::forward_uninit), and [`Error::IsaUnavailable`].
    ///
    /// ```
    /// use simd_activations::{Activation, Isa};
    /// use std::mem::MaybeUninit;
    /// let mut y = [MaybeUninit::<f64>::uninit(); 2];
    /// let y = Activation::Relu6.forward_uninit_on(Isa::Scalar, &[-1.0, 7.0], &mut y)?;
    /// assert_eq!(y, [0.0, 6.0]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn forward_uninit_on<'y, T: Element>(
        &self,
        isa: Isa,
        x: &[T],
        y: &'y mut [MaybeUninit<T>],
    ) -> Result<&'y mut [T], Error> {
        const F: &str = "Activation::forward_uninit";
        let p = self.prepare::<T>(F, isa)?;
        self.same_len(F, &[("x", x.len()), ("y", y.len())])?;
        let stream = should_stream::<T>(y.len());
        let mut space = [MaybeUninit::<T>::uninit(); CHUNK];
        let buf = zeroed_prefix(&mut space, x.len());
        for (xc, yc) in x.chunks(CHUNK).zip(y.chunks_mut(CHUNK)) {
            let b = &mut buf[..xc.len()];
            run::forward(self, isa, xc, b, p);
            write_out(b, yc, stream);
        }
        Ok(initialised(y))
    }

    /// Gradient from the input into uninitialised memory on [`Isa::active`]: writes
    /// `dy[i] * f'(x[i])` to every `dx[i]` and returns `dx` initialised. Equal bit for bit to
    /// [`backward`](Self::backward).
    ///
    /// # Errors
    /// As [`backward`](Self::backward); nothing is written then.
    ///
    /// ```
    /// use simd_activations::Activation;
    /// use std::mem::MaybeUninit;
    /// let mut dx = [MaybeUninit::<f32>::uninit(); 2];
    /// let dx = Activation::Relu.backward_uninit(&[-1.0, 1.0], &[5.0, 5.0], &mut dx)?;
    /// assert_eq!(dx, [0.0, 5.0]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn backward_uninit<'d, T: Element>(
        &self,
        x: &[T],
        dy: &[T],
        dx: &'d mut [MaybeUninit<T>],
    ) -> Result<&'d mut [T], Error> {
        self.backward_uninit_on(Isa::active(), x, dy, dx)
    }

    /// [`backward_uninit`](Self::backward_uninit) on a chosen `isa`.
    ///
    /// # Errors
    /// As [`backward_uninit`](Self::backward_uninit), and [`Error::IsaUnavailable`].
    ///
    /// ```
    /// use simd_activations::{Activation, Isa};
    /// use std::mem::MaybeUninit;
    /// let mut dx = [MaybeUninit::<f32>::uninit(); 1];
    /// let dx = Activation::Tanh.backward_uninit_on(Isa::Scalar, &[0.0], &[2.0], &mut dx)?;
    /// assert_eq!(dx, [2.0]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn backward_uninit_on<'d, T: Element>(
        &self,
        isa: Isa,
        x: &[T],
        dy: &[T],
        dx: &'d mut [MaybeUninit<T>],
    ) -> Result<&'d mut [T], Error> {
        const F: &str = "Activation::backward_uninit";
        let p = self.prepare::<T>(F, isa)?;
        self.same_len(F, &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())])?;
        Ok(binary_into(x, dy, dx, |a, b, out| {
            run::backward(self, isa, a, b, out, p)
        }))
    }

    /// Gradient from the output into uninitialised memory on [`Isa::active`]: writes
    /// [`backward_from_output`](Self::backward_from_output)'s `dx[i]` to every element and
    /// returns `dx` as the initialised slice (equal bit for bit).
    ///
    /// # Errors
    /// As [`backward_from_output`](Self::backward_from_output) (including
    /// [`Error::GradientNeedsInput`]); nothing is written then.
    ///
    /// ```
    /// use simd_activations::Activation;
    /// use std::mem::MaybeUninit;
    /// let mut dx = [MaybeUninit::<f32>::uninit(); 2];
    /// let dx = Activation::Sigmoid.backward_from_output_uninit(&[0.5, 0.5], &[1.0, 2.0], &mut dx)?;
    /// assert_eq!(dx, [0.25, 0.5]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn backward_from_output_uninit<'d, T: Element>(
        &self,
        y: &[T],
        dy: &[T],
        dx: &'d mut [MaybeUninit<T>],
    ) -> Result<&'d mut [T], Error> {
        self.backward_from_output_uninit_on(Isa::active(), y, dy, dx)
    }

    /// [`backward_from_output_uninit`](Self::backward_from_output_uninit) on a chosen `isa`.
    ///
    /// # Errors
    /// As [`backward_from_output_uninit`](Self::backward_from_output_uninit), and
    /// [`Error::IsaUnavailable`].
    ///
    /// ```
    /// use simd_activations::{Activation, Isa};
    /// use std::mem::MaybeUninit;
    /// let mut dx = [MaybeUninit::<f64>::uninit(); 2];
    /// let dx = Activation::Relu.backward_from_output_uninit_on(Isa::Scalar, &[0.0, 2.0], &[1.0, 1.0], &mut dx)?;
    /// assert_eq!(dx, [0.0, 1.0]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn backward_from_output_uninit_on<'d, T: Element>(
        &self,
        isa: Isa,
        y: &[T],
        dy: &[T],
        dx: &'d mut [MaybeUninit<T>],
    ) -> Result<&'d mut [T], Error> {
        const F: &str = "Activation::backward_from_output_uninit";
        let p = self.prepare::<T>(F, isa)?;
        self.check_from_output::<T>(F)?;
        self.same_len(F, &[("y", y.len()), ("dy", dy.len()), ("dx", dx.len())])?;
        Ok(binary_into(y, dy, dx, |a, b, out| {
            run::backward_from_output(self, isa, a, b, out, p)
        }))
    }

    /// Gradient from the input, accumulated on [`Isa::active`]: `dx[i] = dx[i] + dy[i] *
    /// f'(x[i])`, the gradient being [`backward`](Self::backward)'s (rounded to `T`) and the
    /// sum rounded once to `T` (bf16 and f16: added in f32). A NaN sum is `dx`'s NaN, else the
    /// gradient's, quieted (the crate's NaN rule), or the default NaN (`inf + -inf`).
    ///
    /// # Errors
    /// As [`backward`](Self::backward); nothing is written then.
    ///
    /// ```
    /// use simd_activations::Activation;
    /// let mut dx = [10.0f32, 10.0];
    /// Activation::Relu.backward_accumulate(&[-1.0, 1.0], &[5.0, 5.0], &mut dx)?;
    /// assert_eq!(dx, [10.0, 15.0]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn backward_accumulate<T: Element>(
        &self,
        x: &[T],
        dy: &[T],
        dx: &mut [T],
    ) -> Result<(), Error> {
        self.backward_accumulate_on(Isa::active(), x, dy, dx)
    }

    /// [`backward_accumulate`](Self::backward_accumulate) on a chosen `isa`.
    ///
    /// # Errors
    /// As [`backward_accumulate`](Self::backward_accumulate), and [`Error::IsaUnavailable`].
    ///
    /// ```
    /// use simd_activations::{Activation, Isa};
    /// let mut dx = [1.0f64; 2];
    /// Activation::Relu6.backward_accumulate_on(Isa::Scalar, &[3.0, 7.0], &[1.0, 1.0], &mut dx)?;
    /// assert_eq!(dx, [2.0, 1.0]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn backward_accumulate_on<T: Element>(
        &self,
        isa: Isa,
        x: &[T],
        dy: &[T],
        dx: &mut [T],
    ) -> Result<(), Error> {
        const F: &str = "Activation::backward_accumulate";
        let p = self.prepare::<T>(F, isa)?;
        self.same_len(F, &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())])?;
        let mut space = [MaybeUninit::<T>::uninit(); CHUNK];
        let buf = zeroed_prefix(&mut space, x.len());
        for ((xc, dyc), dxc) in x
            .chunks(CHUNK)
            .zip(dy.chunks(CHUNK))
            .zip(dx.chunks_mut(CHUNK))
        {
            let b = &mut buf[..xc.len()];
            run::backward(self, isa, xc, dyc, b, p);
            for (d, g) in dxc.iter_mut().zip(b.iter()) {
                *d = d.add_rounded(*g);
            }
        }
        Ok(())
    }
}

/// `out = f(a, b)` into uninitialised `out` (the lengths already checked equal), chunk by chunk
/// through a buffer on the stack, copied out with non-temporal stores from 8 MiB as the plain
/// forms decide; returns `out` initialised.
fn binary_into<'o, T: Element>(
    a: &[T],
    b: &[T],
    out: &'o mut [MaybeUninit<T>],
    f: impl Fn(&[T], &[T], &mut [T]),
) -> &'o mut [T] {
    let stream = should_stream::<T>(out.len());
    let mut space = [MaybeUninit::<T>::uninit(); CHUNK];
    let buf = zeroed_prefix(&mut space, a.len());
    for ((ac, bc), oc) in a
        .chunks(CHUNK)
        .zip(b.chunks(CHUNK))
        .zip(out.chunks_mut(CHUNK))
    {
        let chunk = &mut buf[..ac.len()];
        f(ac, bc, chunk);
        write_out(chunk, oc, stream);
    }
    initialised(out)
}

/// The first `min(n, CHUNK)` elements of `space`, set to zero (only as many as a call uses).
fn zeroed_prefix<T: Element>(space: &mut [MaybeUninit<T>; CHUNK], n: usize) -> &mut [T] {
    let m = n.min(CHUNK);
    for v in &mut space[..m] {
        v.write(T::round_from_f64(0.0));
    }
    // SAFETY: the first `m` elements were just written.
    unsafe { core::slice::from_raw_parts_mut(space.as_mut_ptr().cast::<T>(), m) }
}

/// `s` as initialised, after every element was written.
fn initialised<T: Element>(s: &mut [MaybeUninit<T>]) -> &mut [T] {
    // SAFETY: the caller wrote every element (each chunk of `s` went through `write_out`);
    // `MaybeUninit<T>` has the layout of `T`.
    unsafe { core::slice::from_raw_parts_mut(s.as_mut_ptr().cast::<T>(), s.len()) }
}
