//! [`Gated`]: the GLU family by value, read from [`registry::GATED`], with methods that
//! return errors instead of panicking.

use crate::error::Error;
use crate::registry::{self, GatedSpec};
use crate::{Element, Isa};
#[cfg(not(feature = "std"))]
use alloc::{string::ToString, vec};
use core::fmt;
use core::str::FromStr;

/// One function of the GLU family: a product of two halves `a` and `b`, one of them through
/// an activation. The methods run the free functions ([`swiglu`](crate::swiglu), ...) after
/// checking the shapes, returning [`Error`]s where those panic.
///
/// ```
/// use simd_activations::Gated;
/// let g: Gated = "SwiGLU".parse().unwrap();
/// assert_eq!(g, Gated::SwiGlu);
/// let mut y = [0.0f32; 2];
/// g.forward(&[1.0, -2.0], &[3.0, 0.5], &mut y).unwrap();
/// let mut want = [0.0f32; 2];
/// simd_activations::swiglu(&[1.0, -2.0], &[3.0, 0.5], &mut want);
/// assert_eq!(y, want);
/// assert_eq!(Gated::ALL.len(), simd_activations::registry::GATED.len());
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Gated {
    /// [`glu`](crate::glu): `a * sigmoid(b)` (PyTorch's `F.glu`).
    Glu,
    /// [`swiglu`](crate::swiglu): `silu(a) * b`.
    SwiGlu,
    /// [`geglu`](crate::geglu): `gelu(a) * b` (erf form).
    GeGlu,
    /// [`geglu_tanh`](crate::geglu_tanh): `gelu_tanh(a) * b`.
    GeGluTanh,
    /// [`reglu`](crate::reglu): `relu(a) * b`.
    ReGlu,
}

type Forward<T> = fn(Isa, &[T], &[T], &mut [T]);
type Backward<T> = fn(Isa, &[T], &[T], &[T], &mut [T], &mut [T]);
type Packed<T> = fn(Isa, &[T], &mut [T], usize);
type PackedBackward<T> = fn(Isa, &[T], &[T], &mut [T], usize);

impl Gated {
    /// Every function of the family, in [`registry::GATED`]'s order.
    pub const ALL: [Gated; 5] = [
        Gated::Glu,
        Gated::SwiGlu,
        Gated::GeGlu,
        Gated::GeGluTanh,
        Gated::ReGlu,
    ];

    /// Its registry entry.
    ///
    /// ```
    /// assert_eq!(simd_activations::Gated::Glu.spec().formula, "a * sigmoid(b)");
    /// ```
    pub fn spec(self) -> &'static GatedSpec {
        &registry::GATED[Self::ALL.iter().position(|&g| g == self).unwrap_or(0)]
    }

    fn forms<T: Element>(self) -> (Forward<T>, Backward<T>, Packed<T>, PackedBackward<T>) {
        use crate::kernels::*;
        match self {
            Gated::Glu => (
                glu_on,
                glu_backward_on,
                glu_packed_on,
                glu_packed_backward_on,
            ),
            Gated::SwiGlu => (
                swiglu_on,
                swiglu_backward_on,
                swiglu_packed_on,
                swiglu_packed_backward_on,
            ),
            Gated::GeGlu => (
                geglu_on,
                geglu_backward_on,
                geglu_packed_on,
                geglu_packed_backward_on,
            ),
            Gated::GeGluTanh => (
                geglu_tanh_on,
                geglu_tanh_backward_on,
                geglu_tanh_packed_on,
                geglu_tanh_packed_backward_on,
            ),
            Gated::ReGlu => (
                reglu_on,
                reglu_backward_on,
                reglu_packed_on,
                reglu_packed_backward_on,
            ),
        }
    }

    fn same_len(self, func: &'static str, lengths: &[(&'static str, usize)]) -> Result<(), Error> {
        Error::check_same_len(func, &self, lengths)
    }

    /// The packed shape: `x_len = 2 * y_len` and `0 < half` dividing `y_len`.
    fn packed_shape(
        self,
        func: &'static str,
        x_len: usize,
        y: &'static str,
        y_len: usize,
        half: usize,
    ) -> Result<(), Error> {
        if Some(x_len) != y_len.checked_mul(2) {
            let lengths = vec![("x", x_len), (y, y_len)];
            return Err(Error::LengthMismatch {
                func,
                activation: self.to_string(),
                lengths,
            });
        }
        if half == 0 || y_len % half != 0 || half.checked_mul(2).is_none() {
            return Err(Error::BadParameter {
                func,
                activation: self.spec().name,
                param: "half",
                value: half.to_string(),
                valid: "0 < half, dividing the length of y (and of dy)",
            });
        }
        Ok(())
    }

    /// `y = gated(a, b)` on [`Isa::active`], as the free function.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] unless the three lengths agree; nothing is written then.
    ///
    /// ```
    /// use simd_activations::Gated;
    /// let mut y = [0.0f64; 2];
    /// Gated::ReGlu.forward(&[2.0, -1.0], &[3.0, 3.0], &mut y).unwrap();
    /// assert_eq!(y, [6.0, 0.0]);
    /// assert!(Gated::ReGlu.forward(&[2.0], &[3.0, 3.0], &mut y).is_err());
    /// ```
    pub fn forward<T: Element>(self, a: &[T], b: &[T], y: &mut [T]) -> Result<(), Error> {
        self.forward_on(Isa::active(), a, b, y)
    }

    /// [`forward`](Self::forward) on a chosen `isa`.
    ///
    /// # Errors
    /// As [`forward`](Self::forward), and [`Error::IsaUnavailable`].
    ///
    /// ```
    /// use simd_activations::{Gated, Isa};
    /// let mut y = [0.0f32; 1];
    /// Gated::Glu.forward_on(Isa::Scalar, &[2.0], &[0.0], &mut y).unwrap();
    /// assert_eq!(y, [1.0]); // 2 * sigmoid(0)
    /// ```
    pub fn forward_on<T: Element>(
        self,
        isa: Isa,
        a: &[T],
        b: &[T],
        y: &mut [T],
    ) -> Result<(), Error> {
        const F: &str = "Gated::forward";
        self.same_len(F, &[("a", a.len()), ("b", b.len()), ("y", y.len())])?;
        Error::check_isa(F, isa)?;
        (self.forms::<T>().0)(isa, a, b, y);
        Ok(())
    }

    /// `(da, db)` from `(a, b, dy)` in one pass on [`Isa::active`], as the free function.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] unless the five lengths agree; nothing is written then.
    ///
    /// ```
    /// use simd_activations::Gated;
    /// let (mut da, mut db) = ([0.0f64; 2], [0.0f64; 2]);
    /// Gated::ReGlu.backward(&[2.0, -1.0], &[3.0, 3.0], &[1.0, 1.0], &mut da, &mut db).unwrap();
    /// assert_eq!((da, db), ([3.0, 0.0], [2.0, 0.0]));
    /// ```
    pub fn backward<T: Element>(
        self,
        a: &[T],
        b: &[T],
        dy: &[T],
        da: &mut [T],
        db: &mut [T],
    ) -> Result<(), Error> {
        self.backward_on(Isa::active(), a, b, dy, da, db)
    }

    /// [`backward`](Self::backward) on a chosen `isa`.
    ///
    /// # Errors
    /// As [`backward`](Self::backward), and [`Error::IsaUnavailable`].
    ///
    /// ```
    /// use simd_activations::{Gated, Isa};
    /// let (mut da, mut db) = ([0.0f32; 1], [0.0f32; 1]);
    /// Gated::Glu.backward_on(Isa::Scalar, &[2.0], &[0.0], &[1.0], &mut da, &mut db).unwrap();
    /// assert_eq!((da, db), ([0.5], [0.5])); // sigmoid(0), 2 * sigmoid'(0)
    /// ```
    pub fn backward_on<T: Element>(
        self,
        isa: Isa,
        a: &[T],
        b: &[T],
        dy: &[T],
        da: &mut [T],
        db: &mut [T],
    ) -> Result<(), Error> {
        const F: &str = "Gated::backward";
        let lengths = [
            ("a", a.len()),
            ("b", b.len()),
            ("dy", dy.len()),
            ("da", da.len()),
            ("db", db.len()),
        ];
        self.same_len(F, &lengths)?;
        Error::check_isa(F, isa)?;
        (self.forms::<T>().1)(isa, a, b, dy, da, db);
        Ok(())
    }

    /// On rows `[a | b]` of `2 * half` elements (first half `a`, as PyTorch's
    /// `F.glu(x, dim=-1)`), on [`Isa::active`].
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] unless `x.len() = 2 * y.len()`, [`Error::BadParameter`] for
    /// a `half` that is 0 or does not divide `y.len()`; nothing is written then.
    ///
    /// ```
    /// use simd_activations::Gated;
    /// let mut y = [0.0f64; 2];
    /// Gated::ReGlu.forward_packed(&[2.0, -1.0, 3.0, 3.0], &mut y, 2).unwrap();
    /// assert_eq!(y, [6.0, 0.0]);
    /// assert!(Gated::ReGlu.forward_packed(&[2.0, -1.0, 3.0, 3.0], &mut y, 3).is_err());
    /// ```
    pub fn forward_packed<T: Element>(
        self,
        x: &[T],
        y: &mut [T],
        half: usize,
    ) -> Result<(), Error> {
        self.forward_packed_on(Isa::active(), x, y, half)
    }

    /// [`forward_packed`](Self::forward_packed) on a chosen `isa`.
    ///
    /// # Errors
    /// As [`forward_packed`](Self::forward_packed), and [`Error::IsaUnavailable`].
    ///
    /// ```
    /// use simd_activations::{Gated, Isa};
    /// let mut y = [0.0f32; 1];
    /// Gated::Glu.forward_packed_on(Isa::Scalar, &[2.0, 0.0], &mut y, 1).unwrap();
    /// assert_eq!(y, [1.0]);
    /// ```
    pub fn forward_packed_on<T: Element>(
        self,
        isa: Isa,
        x: &[T],
        y: &mut [T],
        half: usize,
    ) -> Result<(), Error> {
        const F: &str = "Gated::forward_packed";
        self.packed_shape(F, x.len(), "y", y.len(), half)?;
        Error::check_isa(F, isa)?;
        (self.forms::<T>().2)(isa, x, y, half);
        Ok(())
    }

    /// The gradient of [`forward_packed`](Self::forward_packed): `dx` laid out as `x`
    /// (rows `[da | db]`), on [`Isa::active`].
    ///
    /// # Errors
    /// As [`forward_packed`](Self::forward_packed) (with `dy` for `y`), and
    /// [`Error::LengthMismatch`] unless `dx.len() = x.len()`.
    ///
    /// ```
    /// use simd_activations::Gated;
    /// let mut dx = [0.0f64; 4];
    /// Gated::ReGlu.backward_packed(&[2.0, -1.0, 3.0, 3.0], &[1.0, 1.0], &mut dx, 2).unwrap();
    /// assert_eq!(dx, [3.0, 0.0, 2.0, 0.0]);
    /// ```
    pub fn backward_packed<T: Element>(
        self,
        x: &[T],
        dy: &[T],
        dx: &mut [T],
        half: usize,
    ) -> Result<(), Error> {
        self.backward_packed_on(Isa::active(), x, dy, dx, half)
    }

    /// [`backward_packed`](Self::backward_packed) on a chosen `isa`.
    ///
    /// # Errors
    /// As [`backward_packed`](Self::backward_packed), and [`Error::IsaUnavailable`].
    ///
    /// ```
    /// use simd_activations::{Gated, Isa};
    /// let mut dx = [0.0f32; 2];
    /// Gated::Glu.backward_packed_on(Isa::Scalar, &[2.0, 0.0], &[1.0], &mut dx, 1).unwrap();
    /// assert_eq!(dx, [0.5, 0.5]);
    /// ```
    pub fn backward_packed_on<T: Element>(
        self,
        isa: Isa,
        x: &[T],
        dy: &[T],
        dx: &mut [T],
        half: usize,
    ) -> Result<(), Error> {
        const F: &str = "Gated::backward_packed";
        self.packed_shape(F, x.len(), "dy", dy.len(), half)?;
        self.same_len(F, &[("x", x.len()), ("dx", dx.len())])?;
        Error::check_isa(F, isa)?;
        (self.forms::<T>().3)(isa, x, dy, dx, half);
        Ok(())
    }
}

impl fmt::Display for Gated {
    /// The registry's name: `GLU`, `SwiGLU`, `GEGLU`, `GEGLU(approximate='tanh')`, `ReGLU`.
    ///
    /// ```
    /// assert_eq!(simd_activations::Gated::GeGluTanh.to_string(), "GEGLU(approximate='tanh')");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.spec().name)
    }
}

impl FromStr for Gated {
    type Err = Error;

    /// By the registry's name, function name or alias, ignoring case and surrounding
    /// whitespace.
    ///
    /// # Errors
    /// [`Error::UnknownName`], listing every accepted name.
    ///
    /// ```
    /// use simd_activations::Gated;
    /// assert_eq!("silu_and_mul".parse::<Gated>().unwrap(), Gated::SwiGlu);
    /// assert!("swish".parse::<Gated>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Error> {
        let spec = registry::find_gated(s).ok_or_else(|| Error::UnknownName {
            what: "Gated",
            name: s.to_string(),
            accepted: registry::GATED
                .iter()
                .flat_map(|g| {
                    [g.name, g.function]
                        .into_iter()
                        .chain(g.aliases.iter().copied())
                })
                .collect(),
        })?;
        let i = registry::GATED
            .iter()
            .position(|g| core::ptr::eq(g, spec))
            .unwrap_or(0);
        Ok(Self::ALL[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_and_enum_agree() {
        for (g, spec) in Gated::ALL.iter().zip(&registry::GATED) {
            assert!(core::ptr::eq(g.spec(), spec));
            assert_eq!(g.to_string().parse::<Gated>().unwrap(), *g);
            assert_eq!(spec.function.parse::<Gated>().unwrap(), *g);
            assert!(
                registry::find(spec.activation).is_some(),
                "{}: no activation {}",
                spec.name,
                spec.activation
            );
        }
    }
}
