//! Feature `ndarray`: [`Activation`]'s forms on `ArrayView`s of any dimension and layout (see
//! `views` for how each layout is run). Results equal the slice forms' on the same elements
//! bit for bit.

use super::{run, Activation};
use crate::views;
use crate::{Element, Error, Isa};
#[cfg(not(feature = "std"))]
use alloc::string::ToString;
use ndarray::{ArrayView, ArrayViewMut, Dimension};

impl Activation {
    /// Every shape must be `shapes[0]`'s.
    fn same_shape(
        &self,
        func: &'static str,
        shapes: &[(&'static str, &[usize])],
    ) -> Result<(), Error> {
        if shapes.iter().all(|(_, s)| *s == shapes[0].1) {
            return Ok(());
        }
        Err(Error::ShapeMismatch {
            func,
            activation: self.to_string(),
            shapes: shapes.iter().map(|(n, s)| (*n, s.to_vec())).collect(),
        })
    }

    /// [`forward`](Self::forward) on arrays of one shape, any dimension and memory layout
    /// (C or F order, transposed, stepped, negative strides; `x` may be broadcast).
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] if the shapes differ, [`Error::BadParameter`] as
    /// [`validate`](Self::validate); nothing is written then.
    ///
    /// ```
    /// use ndarray::{array, Array2};
    /// use simd_activations::Activation;
    /// let x = array![[-1.0f32, 2.0], [3.0, -4.0]];
    /// let mut y = Array2::<f32>::zeros((2, 2));
    /// Activation::Relu.forward_array(x.t(), y.view_mut())?; // a transposed view
    /// assert_eq!(y, array![[0.0, 3.0], [2.0, 0.0]]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn forward_array<T: Element, D: Dimension>(
        &self,
        x: ArrayView<'_, T, D>,
        y: ArrayViewMut<'_, T, D>,
    ) -> Result<(), Error> {
        const F: &str = "Activation::forward_array";
        let isa = Isa::active();
        let p = self.prepare::<T>(F, isa)?;
        self.same_shape(F, &[("x", x.shape()), ("y", y.shape())])?;
        views::unary(x, y, |xs, ys| run::forward(self, isa, xs, ys, p));
        Ok(())
    }

    /// [`forward_inplace`](Self::forward_inplace) on an array of any dimension and layout.
    ///
    /// # Errors
    /// [`Error::BadParameter`] as [`validate`](Self::validate).
    ///
    /// ```
    /// use ndarray::array;
    /// use simd_activations::Activation;
    /// let mut a = array![[-1.0f64, 2.0, -3.0], [4.0, -5.0, 6.0]];
    /// Activation::Relu.forward_inplace_array(a.slice_mut(ndarray::s![.., ..;2]))?;
    /// assert_eq!(a, array![[0.0, 2.0, 0.0], [4.0, -5.0, 6.0]]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn forward_inplace_array<T: Element, D: Dimension>(
        &self,
        xy: ArrayViewMut<'_, T, D>,
    ) -> Result<(), Error> {
        let isa = Isa::active();
        let p = self.prepare::<T>("Activation::forward_inplace_array", isa)?;
        views::inplace(xy, |s| run::forward_inplace(self, isa, s, p));
        Ok(())
    }

    /// [`backward`](Self::backward) on arrays of one shape, any dimension and layout.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`], [`Error::BadParameter`]; nothing is written then.
    ///
    /// ```
    /// use ndarray::{array, Array1};
    /// use simd_activations::Activation;
    /// let x = array![-1.0f32, 1.0];
    /// let dy = array![5.0f32];                   // broadcast to x's shape
    /// let mut dx = Array1::<f32>::zeros(2);
    /// Activation::Relu.backward_array(x.view(), dy.broadcast(2).unwrap(), dx.view_mut())?;
    /// assert_eq!(dx, array![0.0, 5.0]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn backward_array<T: Element, D: Dimension>(
        &self,
        x: ArrayView<'_, T, D>,
        dy: ArrayView<'_, T, D>,
        dx: ArrayViewMut<'_, T, D>,
    ) -> Result<(), Error> {
        const F: &str = "Activation::backward_array";
        let isa = Isa::active();
        let p = self.prepare::<T>(F, isa)?;
        self.same_shape(
            F,
            &[("x", x.shape()), ("dy", dy.shape()), ("dx", dx.shape())],
        )?;
        views::binary(x, dy, dx, |a, b, o| run::backward(self, isa, a, b, o, p));
        Ok(())
    }

    /// [`backward_from_output`](Self::backward_from_output) on arrays of one shape.
    ///
    /// # Errors
    /// [`Error::GradientNeedsInput`], [`Error::ShapeMismatch`], [`Error::BadParameter`];
    /// nothing is written then.
    ///
    /// ```
    /// use ndarray::{array, Array1};
    /// use simd_activations::Activation;
    /// let mut dx = Array1::<f32>::zeros(2);
    /// Activation::Sigmoid.backward_from_output_array(array![0.5f32, 0.5].view(), array![1.0f32, 2.0].view(), dx.view_mut())?;
    /// assert_eq!(dx, array![0.25, 0.5]);
    /// # Ok::<(), simd_activations::Error>(())
    /// ```
    pub fn backward_from_output_array<T: Element, D: Dimension>(
        &self,
        y: ArrayView<'_, T, D>,
        dy: ArrayView<'_, T, D>,
        dx: ArrayViewMut<'_, T, D>,
    ) -> Result<(), Error> {
        const F: &str = "Activation::backward_from_output_array";
        let isa = Isa::active();
        let p = self.prepare::<T>(F, isa)?;
        self.check_from_output::<T>(F)?;
        self.same_shape(
            F,
            &[("y", y.shape()), ("dy", dy.shape()), ("dx", dx.shape())],
        )?;
        views::binary(y, dy, dx, |a, b, o| {
            run::backward_from_output(self, isa, a, b, o, p)
        });
        Ok(())
    }
}
