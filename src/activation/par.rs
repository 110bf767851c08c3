//! Feature `rayon`: [`Activation`]'s parallel forms. The arguments are checked as by the
//! sequential forms, then the slices are split on cache-line boundaries of the output into
//! one chunk per rayon thread (none under `2 * MIN_CHUNK` = 512K elements: such a call runs
//! on the calling thread), each chunk runs the sequential kernel with the streaming decision of
//! the whole length, and the result equals the sequential one bit for bit.

use super::{run, Activation};
use crate::driver::should_stream;
use crate::parallel::{split, split_mut, split_points, with_stream};
use crate::{Element, Error, Isa};
use rayon::prelude::*;

impl Activation {
    /// [`forward`](Self::forward) split across rayon's threads (from 512K elements on), equal
    /// to it bit for bit.
    ///
    /// # Errors
    /// As [`forward`](Self::forward); nothing is written then.
    ///
    /// ```
    /// use simd_activations::Activation;
    /// let x: Vec<f32> = (0..600_000).map(|i| i as f32 * 1e-4 - 30.0).collect();
    /// let (mut a, mut b) = (vec![0.0; x.len()], vec![0.0; x.len()]);
    /// Activation::Gelu.forward_par(&x, &mut a)?;
    /// Activation::Gelu.forward(&x, &mut b)?;
    /// assert_eq!(a, b);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn forward_par<T: Element>(&self, x: &[T], y: &mut [T]) -> Result<(), Error> {
        self.forward_par_on(Isa::active(), x, y)
    }

    /// [`forward_par`](Self::forward_par) on a chosen `isa`.
    ///
    /// # Errors
    /// As [`forward_par`](Self::forward_par), and [`Error::IsaUnavailable`].
    ///
    /// ```
    /// use simd_activations::{Activation, Isa};
    /// let mut y = [0.0f32; 2];
    /// Activation::Relu.forward_par_on(Isa::Scalar, &[-1.0, 1.0], &mut y)?;
    /// assert_eq!(y, [0.0, 1.0]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn forward_par_on<T: Element>(&self, isa: Isa, x: &[T], y: &mut [T]) -> Result<(), Error> {
        const F: &str = "Activation::forward_par";
        let p = self.prepare::<T>(F, isa)?;
        self.same_len(F, &[("x", x.len()), ("y", y.len())])?;
        let stream = should_stream::<T>(y.len());
        let points = split_points::<T>(y.as_ptr() as usize, y.len(), rayon::current_num_threads());
        let chunks: Vec<_> = split(x, &points)
            .into_iter()
            .zip(split_mut(y, &points))
            .collect();
        chunks
            .into_par_iter()
            .for_each(|(xc, yc)| with_stream(stream, || run::forward(self, isa, xc, yc, p)));
        Ok(())
    }

    /// [`forward_inplace`](Self::forward_inplace) split across rayon's threads (from 512K
    /// elements on), equal to it bit for bit.
    ///
    /// # Errors
    /// As [`forward_inplace`](Self::forward_inplace).
    ///
    /// ```
    /// use simd_activations::Activation;
    /// let mut xy = vec![-1.0f64; 100_000];
    /// Activation::Relu.forward_inplace_par(&mut xy)?;
    /// assert!(xy.iter().all(|&v| v == 0.0));
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn forward_inplace_par<T: Element>(&self, xy: &mut [T]) -> Result<(), Error> {
        self.forward_inplace_par_on(Isa::active(), xy)
    }

    /// [`forward_inplace_par`](Self::forward_inplace_par) on a chosen `isa`.
    ///
    /// # Errors
    /// As [`forward_inplace_par`](Self::forward_inplace_par), and [`Error::IsaUnavailable`].
    ///
    /// ```
    /// use simd_activations::{Activation, Isa};
    /// let mut xy = [-1.0f32, 2.0];
    /// Activation::Relu.forward_inplace_par_on(Isa::Scalar, &mut xy)?;
    /// assert_eq!(xy, [0.0, 2.0]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn forward_inplace_par_on<T: Element>(&self, isa: Isa, xy: &mut [T]) -> Result<(), Error> {
        let p = self.prepare::<T>("Activation::forward_inplace_par", isa)?;
        let points =
            split_points::<T>(xy.as_ptr() as usize, xy.len(), rayon::current_num_threads());
        split_mut(xy, &points)
            .into_par_iter()
            .for_each(|c| with_stream(false, || run::forward_inplace(self, isa, c, p)));
        Ok(())
    }

    /// [`backward`](Self::backward) split across rayon's threads (from 512K elements on),
    /// equal to it bit for bit.
    ///
    /// # Errors
    /// As [`backward`](Self::backward); nothing is written then.
    ///
    /// ```
    /// use simd_activations::Activation;
    /// let mut dx = [0.0f32; 2];
    /// Activation::Relu.backward_par(&[-1.0, 1.0], &[5.0, 5.0], &mut dx)?;
    /// assert_eq!(dx, [0.0, 5.0]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn backward_par<T: Element>(&self, x: &[T], dy: &[T], dx: &mut [T]) -> Result<(), Error> {
        self.backward_par_on(Isa::active(), x, dy, dx)
    }

    /// [`backward_par`](Self::backward_par) on a chosen `isa`.
    ///
    /// # Errors
    /// As [`backward_par`](Self::backward_par), and [`Error::IsaUnavailable`].
    ///
    /// ```
    /// use simd_activations::{Activation, Isa};
    /// let mut dx = [0.0f32; 1];
    /// Activation::Tanh.backward_par_on(Isa::Scalar, &[0.0], &[2.0], &mut dx)?;
    /// assert_eq!(dx, [2.0]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn backward_par_on<T: Element>(
        &self,
        isa: Isa,
        x: &[T],
        dy: &[T],
        dx: &mut [T],
    ) -> Result<(), Error> {
        const F: &str = "Activation::backward_par";
        let p = self.prepare::<T>(F, isa)?;
        self.same_len(F, &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())])?;
        binary_par(x, dy, dx, |a, b, c| run::backward(self, isa, a, b, c, p));
        Ok(())
    }

    /// [`backward_from_output`](Self::backward_from_output) split across rayon's threads
    /// (from 512K elements on), equal to it bit for bit.
    ///
    /// # Errors
    /// As [`backward_from_output`](Self::backward_from_output); nothing is written then.
    ///
    /// ```
    /// use simd_activations::Activation;
    /// let mut dx = [0.0f32; 2];
    /// Activation::Sigmoid.backward_from_output_par(&[0.5, 0.5], &[1.0, 2.0], &mut dx)?;
    /// assert_eq!(dx, [0.25, 0.5]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn backward_from_output_par<T: Element>(
        &self,
        y: &[T],
        dy: &[T],
        dx: &mut [T],
    ) -> Result<(), Error> {
        self.backward_from_output_par_on(Isa::active(), y, dy, dx)
    }

    /// [`backward_from_output_par`](Self::backward_from_output_par) on a chosen `isa`.
    ///
    /// # Errors
    /// As [`backward_from_output_par`](Self::backward_from_output_par), and
    /// [`Error::IsaUnavailable`].
    ///
    /// ```
    /// use simd_activations::{Activation, Isa};
    /// let mut dx = [0.0f64; 2];
    /// Activation::Relu.backward_from_output_par_on(Isa::Scalar, &[0.0, 2.0], &[1.0, 1.0], &mut dx)?;
    /// assert_eq!(dx, [0.0, 1.0]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn backward_from_output_par_on<T: Element>(
        &self,
        isa: Isa,
        y: &[T],
        dy: &[T],
        dx: &mut [T],
    ) -> Result<(), Error> {
        const F: &str = "Activation::backward_from_output_par";
        let p = self.prepare::<T>(F, isa)?;
        self.check_from_output::<T>(F)?;
        self.same_len(F, &[("y", y.len()), ("dy", dy.len()), ("dx", dx.len())])?;
        binary_par(y, dy, dx, |a, b, c| {
            run::backward_from_output(self, isa, a, b, c, p)
        });
        Ok(())
    }
}

/// `f` on matching chunks of `a`, `b` and `out` (checked to be of one length), in parallel,
/// with the streaming decision of the whole output.
fn binary_par<T: Element>(
    a: &[T],
    b: &[T],
    out: &mut [T],
    f: impl Fn(&[T], &[T], &mut [T]) + Sync,
) {
    let stream = should_stream::<T>(out.len());
    let points = split_points::<T>(
        out.as_ptr() as usize,
        out.len(),
        rayon::current_num_threads(),
    );
    let chunks: Vec<_> = split(a, &points)
        .into_iter()
        .zip(split(b, &points))
        .zip(split_mut(out, &points))
        .collect();
    chunks
        .into_par_iter()
        .for_each(|((ac, bc), oc)| with_stream(stream, || f(ac, bc, oc)));
}
