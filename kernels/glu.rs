//! The GLU family: a gated product of two halves, `a` and `b`. `glu(a, b) = a * sigmoid(b)`
//! (PyTorch's `F.glu`), `swiglu(a, b) = silu(a) * b`, `geglu(a, b) = gelu(a) * b` (erf form),
//! `geglu_tanh(a, b) = gelu_tanh(a) * b` and `reglu(a, b) = relu(a) * b`, on two slices or on
//! rows `[a | b]` of `2 * half` elements split along the last axis (`_packed`: the first half
//! of each row is `a`, as in PyTorch's `F.glu(x, dim=-1)` and vLLM's `SiluAndMul`).
//!
//! Each is the crate's activation kernel and the product in one pass: the activation is
//! rounded to `T` (as PyTorch rounds `silu(a)` before the product), then the product once, so
//! the fused result is bit-identical to calling the activation and multiplying, and within
//! the activation's bound plus 0.5 ULP of the exact product wherever the activation's value
//! is normal. The backward gives both halves' gradients in one pass:
//! `d(gated) = f'(gated) * (dy * other)` (the activation's backward kernel with the upstream
//! gradient `dy * other` rounded first) and `d(other) = f(gated) * dy`.

use crate::api::isa_fn;
use crate::checks;
use crate::dispatch::{dispatch, WithSimd};
use crate::driver::{checked, fix_nans, map, should_stream, Kernel, Native, STREAM_MIN_RUN};
use crate::driver_pair::{map_pair, PairKernel};
use crate::kernels::gelu::{Gelu, GeluBackward, GeluTanh, GeluTanhBackward};
use crate::kernels::relu::{Relu, ReluBackward};
use crate::kernels::sigmoid::{Sigmoid, SigmoidBackward, Silu, SiluBackward};
use crate::simd::{Simd, Vector};
use crate::Float;

/// The scalar specification: the activation's reference rounded to `T`, then the products in
/// `T`. NaN rule over `(a, b)` forward and `(a, b, dy)` backward.
pub mod reference {
    use crate::float::nan_rule;
    use crate::kernels::gelu::reference::{gelu, gelu_backward, gelu_tanh, gelu_tanh_backward};
    use crate::kernels::relu::reference::{relu, relu_backward};
    use crate::kernels::sigmoid::reference::{sigmoid, sigmoid_backward, silu, silu_backward};
    use crate::Float;

    /// `f(g) * v`, rounded after `f` and after the product.
    fn gated<T: Float>(f: fn(T) -> T, g: T, v: T, inputs: [T; 2]) -> T {
        nan_rule(inputs, || f(g) * v)
    }

    /// `(d_gated, d_other) = (f'(g) * (dy * v), f(g) * dy)`, each rounded as the kernels do.
    fn gated_backward<T: Float>(
        f: fn(T) -> T,
        df: fn(T, T) -> T,
        g: T,
        v: T,
        dy: T,
        inputs: [T; 3],
    ) -> (T, T) {
        let d_gated = nan_rule(inputs, || df(g, dy * v));
        let d_other = nan_rule(inputs, || f(g) * dy);
        (d_gated, d_other)
    }

    /// `a * sigmoid(b)`.
    pub fn glu<T: Float>(a: T, b: T) -> T {
        gated(sigmoid, b, a, [a, b])
    }
    /// `(da, db) = (sigmoid(b) * dy, sigmoid'(b) * (dy * a))`.
    pub fn glu_backward<T: Float>(a: T, b: T, dy: T) -> (T, T) {
        let (db, da) = gated_backward(sigmoid, sigmoid_backward, b, a, dy, [a, b, dy]);
        (da, db)
    }
    /// `silu(a) * b`.
    pub fn swiglu<T: Float>(a: T, b: T) -> T {
        gated(silu, a, b, [a, b])
    }
    /// `(da, db) = (silu'(a) * (dy * b), silu(a) * dy)`.
    pub fn swiglu_backward<T: Float>(a: T, b: T, dy: T) -> (T, T) {
        gated_backward(silu, silu_backward, a, b, dy, [a, b, dy])
    }
    /// `gelu(a) * b` (erf form).
    pub fn geglu<T: Float>(a: T, b: T) -> T {
        gated(gelu, a, b, [a, b])
    }
    /// `(da, db) = (gelu'(a) * (dy * b), gelu(a) * dy)`.
    pub fn geglu_backward<T: Float>(a: T, b: T, dy: T) -> (T, T) {
        gated_backward(gelu, gelu_backward, a, b, dy, [a, b, dy])
    }
    /// `gelu_tanh(a) * b`.
    pub fn geglu_tanh<T: Float>(a: T, b: T) -> T {
        gated(gelu_tanh, a, b, [a, b])
    }
    /// `(da, db) = (gelu_tanh'(a) * (dy * b), gelu_tanh(a) * dy)`.
    pub fn geglu_tanh_backward<T: Float>(a: T, b: T, dy: T) -> (T, T) {
        gated_backward(gelu_tanh, gelu_tanh_backward, a, b, dy, [a, b, dy])
    }
    /// `relu(a) * b`.
    pub fn reglu<T: Float>(a: T, b: T) -> T {
        gated(relu, a, b, [a, b])
    }
    /// `(da, db) = (relu'(a) * (dy * b), relu(a) * dy)` (`relu'(0) = 0`, a select: 0 where
    /// `a <= 0` even for a NaN `dy * b`).
    pub fn reglu_backward<T: Float>(a: T, b: T, dy: T) -> (T, T) {
        gated_backward(relu, relu_backward, a, b, dy, [a, b, dy])
    }
}

/// `f(a) * b` (`GATE_FIRST`) or `a * f(b)`, from the activation kernel `F`; NaN rule over
/// `(a, b)`.
#[derive(Clone, Copy)]
struct Gated<F, const GATE_FIRST: bool>(F);

impl<F, const GATE_FIRST: bool> Gated<F, GATE_FIRST> {
    /// `(gated, other)`.
    #[inline(always)]
    fn split<V>([a, b]: [V; 2]) -> (V, V) {
        if GATE_FIRST {
            (a, b)
        } else {
            (b, a)
        }
    }
}

impl<T: Float, F: Kernel<T, 1>, const GATE_FIRST: bool> Kernel<T, 2> for Gated<F, GATE_FIRST> {
    const LOCKSTEP: bool = F::LOCKSTEP;

    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, inputs: [V; 2]) -> V {
        let (g, v) = Self::split(inputs);
        self.0.apply([g]).mul(v)
    }

    /// The activation's own rare path first (its NaN lanes: NaN gates, and lanes a native
    /// body hands to its f64 body), then the product and the NaN rule over `(a, b)`.
    #[inline(always)]
    fn fix<V: Vector<Elem = T>>(self, inputs: [V; 2], _: V) -> V {
        let (g, v) = Self::split(inputs);
        let f = checked(self.0, [g], self.0.apply([g]));
        fix_nans(inputs, f.mul(v))
    }
}

/// The backward of [`Gated`]: `(da, db)` from `(a, b, dy)` with the activation `F` and its
/// backward kernel `B` (`B(x, dy) = dy * f'(x)`).
#[derive(Clone, Copy)]
struct GatedBackward<F, B, const GATE_FIRST: bool>(F, B);

impl<F, B, const GATE_FIRST: bool> GatedBackward<F, B, GATE_FIRST> {
    /// `(gated, other, dy)`.
    #[inline(always)]
    fn split<V>([a, b, dy]: [V; 3]) -> (V, V, V) {
        if GATE_FIRST {
            (a, b, dy)
        } else {
            (b, a, dy)
        }
    }

    /// `(d_gated, d_other)` as `(da, db)`.
    #[inline(always)]
    fn order<V>(d_gated: V, d_other: V) -> (V, V) {
        if GATE_FIRST {
            (d_gated, d_other)
        } else {
            (d_other, d_gated)
        }
    }
}

impl<T, F, B, const GATE_FIRST: bool> PairKernel<T, 3> for GatedBackward<F, B, GATE_FIRST>
where
    T: Float,
    F: Kernel<T, 1>,
    B: Kernel<T, 2>,
{
    const LOCKSTEP: bool = F::LOCKSTEP;

    #[inline(always)]
    fn apply<V: Vector<Elem = T>>(self, inputs: [V; 3]) -> (V, V) {
        let (g, v, dy) = Self::split(inputs);
        let d_gated = self.1.apply([g, dy.mul(v)]);
        let d_other = self.0.apply([g]).mul(dy);
        Self::order(d_gated, d_other)
    }

    #[inline(always)]
    fn fix<V: Vector<Elem = T>>(self, inputs: [V; 3], _: (V, V)) -> (V, V) {
        let (g, v, dy) = Self::split(inputs);
        let upstream = dy.mul(v);
        let d_gated = checked(self.1, [g, upstream], self.1.apply([g, upstream]));
        let d_other = checked(self.0, [g], self.0.apply([g])).mul(dy);
        let (da, db) = Self::order(d_gated, d_other);
        (fix_nans(inputs, da), fix_nans(inputs, db))
    }
}

/// Where the halves are: two slices, or rows `[a | b]` of one.
#[derive(Clone, Copy)]
struct Halves {
    /// Elements per row of each half (the row length of `y` and `dy`).
    half: usize,
    /// Elements from one row of `a` (and of `b`) to the next: `half` for two slices (one
    /// row), `2 * half` for packed rows.
    stride: usize,
    /// Offset of `b` from the start of its slice: 0 for two slices, `half` when packed.
    b_offset: usize,
}

impl Halves {
    fn split(n: usize) -> Self {
        Halves { half: n, stride: n, b_offset: 0 }
    }
    fn packed(half: usize) -> Self {
        Halves { half, stride: 2 * half, b_offset: half }
    }
}

/// `y = gated(a, b)`, row by row.
struct Forward<'a, T, K> {
    kernel: K,
    /// `a` (two slices) or the packed rows.
    a: &'a [T],
    /// `b` (two slices) or the packed rows again.
    b: &'a [T],
    y: &'a mut [T],
    halves: Halves,
}

impl<T: Float, K: Kernel<T, 2>> WithSimd for Forward<'_, T, K> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        let Halves { half, stride, b_offset } = self.halves;
        if half == 0 {
            return;
        }
        let rows = self.y.len() / half;
        let stream = should_stream::<T>(self.y.len()) && half >= STREAM_MIN_RUN;
        for r in 0..rows {
            // SAFETY: the checks made `a` and `b` hold `rows` rows of `stride` elements (with
            // `b_offset + half <= stride`) and `y` `rows` rows of `half`; `y` is a `&mut`, so
            // it overlaps neither input.
            unsafe {
                let a = self.a.as_ptr().add(r * stride);
                let b = self.b.as_ptr().add(r * stride + b_offset);
                let y = self.y.as_mut_ptr().add(r * half);
                map::<T::Vector<S>, K, 2>(self.kernel, [a, b], y, half, stream);
            }
        }
    }
}

/// Where the two gradients go: two slices, or rows `[da | db]` of one (laid out as the input).
enum Grads<'a, T> {
    Split(&'a mut [T], &'a mut [T]),
    Packed(&'a mut [T]),
}

/// `(da, db) = gated_backward(a, b, dy)`, row by row.
struct Backward<'a, T, K> {
    kernel: K,
    a: &'a [T],
    b: &'a [T],
    dy: &'a [T],
    grads: Grads<'a, T>,
    halves: Halves,
}

impl<T: Float, K: PairKernel<T, 3>> WithSimd for Backward<'_, T, K> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        let Halves { half, stride, b_offset } = self.halves;
        if half == 0 {
            return;
        }
        let rows = self.dy.len() / half;
        let (da, db) = match self.grads {
            Grads::Split(da, db) => (da.as_mut_ptr(), db.as_mut_ptr()),
            // One pointer for both halves (a second `as_mut_ptr` would reborrow `dx` and
            // invalidate the first under the stacked-borrows model).
            Grads::Packed(dx) => {
                let p = dx.as_mut_ptr();
                (p, p.wrapping_add(b_offset))
            }
        };
        for r in 0..rows {
            // SAFETY: the checks made `a`, `b` and the gradients hold `rows` rows of `stride`
            // elements (`b_offset + half <= stride`: the `da` and `db` parts of a packed row
            // are disjoint) and `dy` `rows` rows of `half`; the gradients come from `&mut`
            // slices, so they overlap no input.
            unsafe {
                let at = r * stride;
                let inputs = [
                    self.a.as_ptr().add(at),
                    self.b.as_ptr().add(at + b_offset),
                    self.dy.as_ptr().add(r * half),
                ];
                let outs = [da.add(at), db.add(at)];
                map_pair::<T::Vector<S>, K, 3>(self.kernel, inputs, outs, half);
            }
        }
    }
}

/// Panics unless `half > 0` divides `y_len` and `x_len = 2 * y_len` (`y` may be `dy`).
#[track_caller]
fn check_packed(func: &str, x_len: usize, y: &str, y_len: usize, half: usize) {
    checks::double_len(func, "x", x_len, y, y_len);
    if half.checked_mul(2).is_none() {
        panic!("simd_activations::{func}: half = {half} is too large (2 * half overflows usize)");
    }
    if half == 0 || y_len % half != 0 {
        panic!("simd_activations::{func}: half = {half} must be > 0 and divide {y}.len() = {y_len}");
    }
}

/// Writes the four functions of one gated activation: two slices and packed, forward and
/// backward.
macro_rules! gated_functions {
    (
        $name:ident / $name_on:ident, $name_packed:ident / $name_packed_on:ident,
        $backward:ident / $backward_on:ident, $backward_packed:ident / $backward_packed_on:ident,
        formula: $formula:literal, gate_first: $gate_first:literal,
        forward: $fwd:expr, backward: $bwd:expr,
        activation: $act:ident, gate: $gate:ident, other: $other:ident, bound: $bound:literal $(,)?
    ) => {
        isa_fn! {
            #[doc = concat!("`", $formula, "`, element by element over two slices of equal length.")]
            ///
            /// The activation as the crate's own function computes it (rounded to `T`, as PyTorch
            /// rounds it), then the product rounded once: bit-identical to calling the
            /// activation and multiplying, on every ISA. NaN rule over `(a, b)` (the first NaN
            /// input, quieted; the positive default NaN where a product `0 * inf` makes one).
            #[doc = concat!("Measured maximum error (f32, exhaustive over the activation): ", $bound, ".")]
            ///
            /// # Panics
            /// If the three lengths differ.
            ///
            /// ```
            /// let (a, b) = ([1.0f32, -2.0], [3.0f32, 0.5]);
            /// let mut y = [0.0f32; 2];
            #[doc = concat!("simd_activations::", stringify!($name), "(&a, &b, &mut y);")]
            /// // The unfused composition, bit for bit:
            /// let mut f = [0.0f32; 2];
            #[doc = concat!("simd_activations::", stringify!($act), "(&", stringify!($gate), ", &mut f);")]
            #[doc = concat!("assert_eq!(y, [f[0] * ", stringify!($other), "[0], f[1] * ", stringify!($other), "[1]]);")]
            /// ```
            pub fn $name / $name_on(isa) staged(a: &[T], b: &[T], y: &mut [T]) {
                checks::same_len(stringify!($name), &[("a", a.len()), ("b", b.len()), ("y", y.len())]);
                let kernel = Gated::<_, $gate_first>($fwd);
                dispatch(stringify!($name), isa, Forward { kernel, a, b, y, halves: Halves::split(a.len()) })
            }
        }

        isa_fn! {
            #[doc = concat!("[`", stringify!($name), "`] on rows `[a | b]` of `2 * half` elements (the last axis split in two,")]
            /// first half `a`, as PyTorch's `F.glu(x, dim=-1)`): row `r` of `y` (`half`
            /// elements) is the gated product of the two halves of row `r` of `x`.
            ///
            /// # Panics
            /// If `x.len() != 2 * y.len()`, if `half == 0`, if `half` does not divide
            /// `y.len()`, or if `2 * half` overflows `usize`.
            ///
            /// ```
            #[doc = concat!("let x = [1.0f32, -2.0, 3.0, 0.5]; // one row: a = [1, -2], b = [3, 0.5]")]
            /// let mut y = [0.0f32; 2];
            #[doc = concat!("simd_activations::", stringify!($name_packed), "(&x, &mut y, 2);")]
            /// let mut want = [0.0f32; 2];
            #[doc = concat!("simd_activations::", stringify!($name), "(&x[..2], &x[2..], &mut want);")]
            /// assert_eq!(y, want);
            /// ```
            pub fn $name_packed / $name_packed_on(isa) staged(x: &[T], y: &mut [T], half: usize) {
                check_packed(stringify!($name_packed), x.len(), "y", y.len(), half);
                let kernel = Gated::<_, $gate_first>($fwd);
                dispatch(stringify!($name_packed), isa, Forward { kernel, a: x, b: x, y, halves: Halves::packed(half) })
            }
        }

        isa_fn! {
            #[doc = concat!("Gradient of [`", stringify!($name), "`]: both `da` and `db` from `(a, b, dy)` in one pass.")]
            ///
            /// The gated half's gradient is the activation's backward with the upstream
            /// gradient `dy * other` rounded first, the other half's is the activation times
            /// `dy`: each bit-identical to that composition of the crate's functions. NaN rule
            /// over `(a, b, dy)`.
            ///
            /// # Panics
            /// If the five lengths differ.
            ///
            /// ```
            /// let (a, b, dy) = ([1.0f32, -2.0], [3.0f32, 0.5], [1.0f32, 1.0]);
            /// let (mut da, mut db) = ([0.0f32; 2], [0.0f32; 2]);
            #[doc = concat!("simd_activations::", stringify!($backward), "(&a, &b, &dy, &mut da, &mut db);")]
            /// assert!(da.iter().chain(&db).all(|v| v.is_finite()));
            /// ```
            pub fn $backward / $backward_on(isa) staged(a: &[T], b: &[T], dy: &[T], da: &mut [T], db: &mut [T]) {
                checks::same_len(
                    stringify!($backward),
                    &[("a", a.len()), ("b", b.len()), ("dy", dy.len()), ("da", da.len()), ("db", db.len())],
                );
                let kernel = GatedBackward::<_, _, $gate_first>($fwd, $bwd);
                let halves = Halves::split(a.len());
                dispatch(stringify!($backward), isa, Backward { kernel, a, b, dy, grads: Grads::Split(da, db), halves })
            }
        }

        isa_fn! {
            #[doc = concat!("Gradient of [`", stringify!($name_packed), "`]: `dx` laid out as `x` (rows `[da | db]`), from `x` and")]
            /// `dy` (laid out as `y`), in one pass.
            ///
            /// # Panics
            /// If `x.len() != 2 * dy.len()`, if `dx.len() != x.len()`, if `half == 0`, if
            /// `half` does not divide `dy.len()`, or if `2 * half` overflows `usize`.
            ///
            /// ```
            /// let x = [1.0f32, -2.0, 3.0, 0.5];
            /// let mut dx = [0.0f32; 4];
            #[doc = concat!("simd_activations::", stringify!($backward_packed), "(&x, &[1.0, 1.0], &mut dx, 2);")]
            /// let (mut da, mut db) = ([0.0f32; 2], [0.0f32; 2]);
            #[doc = concat!("simd_activations::", stringify!($backward), "(&x[..2], &x[2..], &[1.0, 1.0], &mut da, &mut db);")]
            /// assert_eq!(dx, [da[0], da[1], db[0], db[1]]);
            /// ```
            pub fn $backward_packed / $backward_packed_on(isa) staged(x: &[T], dy: &[T], dx: &mut [T], half: usize) {
                check_packed(stringify!($backward_packed), x.len(), "dy", dy.len(), half);
                checks::same_len(stringify!($backward_packed), &[("x", x.len()), ("dx", dx.len())]);
                let kernel = GatedBackward::<_, _, $gate_first>($fwd, $bwd);
                let halves = Halves::packed(half);
                dispatch(stringify!($backward_packed), isa, Backward { kernel, a: x, b: x, dy, grads: Grads::Packed(dx), halves })
            }
        }
    };
}

gated_functions!(
    glu / glu_on, glu_packed / glu_packed_on,
    glu_backward / glu_backward_on, glu_packed_backward / glu_packed_backward_on,
    formula: "y = a * sigmoid(b)", gate_first: false,
    forward: Native(Sigmoid), backward: Native(SigmoidBackward),
    activation: sigmoid, gate: b, other: a,
    bound: "sigmoid's 0.746 ULP, plus the product's 0.5",
);

gated_functions!(
    swiglu / swiglu_on, swiglu_packed / swiglu_packed_on,
    swiglu_backward / swiglu_backward_on, swiglu_packed_backward / swiglu_packed_backward_on,
    formula: "y = silu(a) * b", gate_first: true,
    forward: Native(Silu), backward: Native(SiluBackward),
    activation: silu, gate: a, other: b,
    bound: "silu's 0.761 ULP, plus the product's 0.5",
);

gated_functions!(
    geglu / geglu_on, geglu_packed / geglu_packed_on,
    geglu_backward / geglu_backward_on, geglu_packed_backward / geglu_packed_backward_on,
    formula: "y = gelu(a) * b", gate_first: true,
    forward: Native(Gelu), backward: Native(GeluBackward),
    activation: gelu, gate: a, other: b,
    bound: "gelu's 0.93 ULP, plus the product's 0.5",
);

gated_functions!(
    geglu_tanh / geglu_tanh_on, geglu_tanh_packed / geglu_tanh_packed_on,
    geglu_tanh_backward / geglu_tanh_backward_on, geglu_tanh_packed_backward / geglu_tanh_packed_backward_on,
    formula: "y = gelu_tanh(a) * b", gate_first: true,
    forward: Native(GeluTanh), backward: Native(GeluTanhBackward),
    activation: gelu_tanh, gate: a, other: b,
    bound: "gelu_tanh's 0.828 ULP, plus the product's 0.5",
);

gated_functions!(
    reglu / reglu_on, reglu_packed / reglu_packed_on,
    reglu_backward / reglu_backward_on, reglu_packed_backward / reglu_packed_backward_on,
    formula: "y = relu(a) * b", gate_first: true,
    forward: Relu, backward: ReluBackward,
    activation: relu, gate: a, other: b,
    bound: "0.5 ULP (relu is exact; the product rounds once)",
);
