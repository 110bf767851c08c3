//! Tanhshrink `x - tanh(x)` (PyTorch's `Tanhshrink`) and its gradient `tanh(x)^2`, in f64
//! with `tanh` carried in double length (f32 results rounded once). The difference cancels
//! near 0, where its Taylor series takes over.

use crate::api::isa_fn;
use crate::checks;
use crate::dispatch::dispatch;
use crate::kernel_use::UseKernel;
use crate::Float;
use crate::driver::{Binary, Unary, UnaryInPlace, ViaF64};
use crate::math::{self, Accuracy};
use crate::simd::{Vector, WideFn};

/// The scalar specification, evaluated in f64.
pub mod reference {
    use crate::float::nan_rule;
    use crate::Float;

    /// The Taylor coefficients of `tanh` at 0 (odd powers `x^1, x^3, ...`), from the
    /// recurrence of `tanh' = 1 - tanh^2` in f64: independent of the kernel's table.
    /// Evaluated at compile time (IEEE arithmetic, as at run time; no `std` needed).
    static TANH_SERIES: [f64; 32] = tanh_series_table();

    const fn tanh_series_table() -> [f64; 32] {
        // a[n] is the coefficient of x^n; (n + 1) a[n + 1] = [n == 0] - sum a[i] a[n - i].
        let mut a = [0.0f64; 64];
        a[1] = 1.0;
        let mut n = 1;
        while n < 63 {
            let mut s = 0.0;
            let mut i = 0;
            while i <= n {
                s += a[i] * a[n - i];
                i += 1;
            }
            a[n + 1] = -s / (n + 1) as f64;
            n += 1;
        }
        let mut odd = [0.0f64; 32];
        let mut k = 0;
        while k < 32 {
            odd[k] = a[2 * k + 1];
            k += 1;
        }
        odd
    }

    fn tanh_series() -> &'static [f64] {
        &TANH_SERIES
    }

    /// `x - tanh(x)`: below `|x| = 1/2` from the series (`x^3/3 - 2x^5/15 + ...`, summed
    /// from the small terms up), above as the difference. Odd: `-0.0` gives `-0.0`
    /// (PyTorch's `-0.0 - tanh(-0.0)` is `+0.0`).
    pub fn tanhshrink<T: Float>(x: T) -> T {
        nan_rule([x], || {
            let x = x.to_f64();
            if x.abs() < 0.5 {
                let w = x * x;
                let c = tanh_series();
                let mut s = 0.0;
                for &ck in c[1..].iter().rev() {
                    s = s * w - ck;
                }
                T::from_f64(x * w * s)
            } else {
                T::from_f64(x - x.tanh())
            }
        })
    }
    /// `dy * tanh(x)^2`, rounded once.
    pub fn tanhshrink_backward<T: Float>(x: T, dy: T) -> T {
        nan_rule([x, dy], || {
            let t = x.to_f64().tanh();
            T::from_f64(dy.to_f64() * (t * t))
        })
    }
}

/// Below this `|x|` the forward sums the series (above, `tanh(x) <= 0.56 x`: the difference
/// amplifies `tanh`'s ~2^-100 relative error at most 8-fold, below an f64 ULP).
const SERIES_BELOW: f64 = 0.625;

/// `(x - tanh x) / x^3 = 1/3 - 2x^2/15 + ...`: Taylor coefficients of the even powers (in
/// 60-digit arithmetic); with 23 terms the omitted ones stay below 2^-60 of the value on
/// `|x| < 0.625`.
const SERIES: [f64; 23] = [
    0.333_333_333_333_333_3,
    -0.133_333_333_333_333_33,
    0.053_968_253_968_253_97,
    -0.021_869_488_536_155_203,
    0.008_863_235_529_902_197,
    -0.003_592_128_036_572_481,
    0.001_455_834_387_051_318_3,
    -0.000_590_027_440_945_586,
    0.000_239_129_114_243_552_48,
    -9.691_537_956_929_451e-5,
    3.927_832_388_331_683e-5,
    -1.591_890_506_932_896_4e-5,
    6.451_689_215_655_431e-6,
    -2.614_771_151_290_754_6e-6,
    1.059_726_832_010_465_4e-6,
    -4.294_911_078_273_806e-7,
    1.740_661_896_357_164_8e-7,
    -7.054_636_946_400_968e-8,
    2.859_136_662_305_254e-8,
    -1.158_764_443_279_885_3e-8,
    4.696_295_398_230_901_6e-9,
    -1.903_336_833_931_276e-9,
    7.713_933_635_359_062e-10,
];

/// `tanh(a)` for `a >= 0` (NaN kept) as an unevaluated sum, to about 2^-100 relative but for
/// the exponential's error: `-m / (2 + m)` with `m = expm1(-2a)` and `2 + m` in double length.
#[inline(always)]
pub(crate) fn tanh_pair<W: Vector<Elem = f64>>(a: W) -> (W, W) {
    let (mh, ml) = math::expm1_nonpositive_pair(a.mul(W::splat(-2.0)));
    let two = W::splat(2.0);
    let dh = two.add(mh);
    let dl = two.sub(dh).add(mh).add(ml);
    math::div_pair(mh.neg(), ml.neg(), dh, dl)
}

#[derive(Clone, Copy)]
struct Tanhshrink;
impl WideFn<1> for Tanhshrink {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x]: [W; 1]) -> W {
        let a = x.abs();
        // Near 0: a^3 p(a^2), with a^3 = c + c_lo in double length (one rounding at the end).
        let w = a.mul(a);
        let w_lo = a.mul_add(a, w.neg());
        let c = a.mul(w);
        let c_lo = a.mul_add(w, c.neg()).add(a.mul(w_lo));
        let mut p = W::splat(SERIES[SERIES.len() - 1]);
        for &k in SERIES[..SERIES.len() - 1].iter().rev() {
            p = p.mul_add(w, W::splat(k));
        }
        let series = c.mul_add(p, c_lo.mul(p));
        // Elsewhere: a - th - tl, the first difference carried exactly (2Sum, on a finite a:
        // +inf is put back at the end).
        let (th, tl) = tanh_pair(a);
        let (s, e) = math::two_sum(a.clamp_max(W::splat(f64::MAX)), th.neg());
        let direct = W::select(W::splat(f64::MAX).lt(a), a, s.add(e.sub(tl)));
        W::select(a.lt(W::splat(SERIES_BELOW)), series, direct).or_sign(x)
    }
}

#[derive(Clone, Copy)]
struct TanhshrinkBackward;
impl WideFn<2> for TanhshrinkBackward {
    #[inline(always)]
    fn eval<W: Vector<Elem = f64>, A: Accuracy>(self, [x, dy]: [W; 2]) -> W {
        let (th, tl) = tanh_pair(x.abs());
        let g = th.mul_add(th, th.add(th).mul(tl));
        dy.mul(g)
    }
}

isa_fn! {
    /// Tanhshrink, out of place: `y[i] = x[i] - tanh(x[i])` (PyTorch's `Tanhshrink`).
    ///
    /// In f64 with `tanh` in double length and the difference carried exactly; below
    /// `|x| = 0.625`, where the two cancel, its Taylor series `x^3/3 - 2x^5/15 + ...` (23
    /// terms). NaN gives NaN, `+-inf` give `+-inf`; odd, so `-0.0` gives `-0.0` (PyTorch's
    /// `-0.0 - tanh(-0.0)` gives `+0.0`). Error: 0.5001 ULP for every f32 input (measured);
    /// f64 1.77 ULP (20,000 sampled inputs against 50-digit values; the worst in the series
    /// near its end, |x| ~ 0.59).
    ///
    /// # Panics
    /// If `x.len() != y.len()`.
    ///
    /// ```
    /// let mut y = [0.0f32; 3];
    /// simd_activations::tanhshrink(&[1.0, -1e-3, f32::INFINITY], &mut y);
    /// assert!((y[0] - (1.0 - 1.0f32.tanh())).abs() <= f32::EPSILON);
    /// assert!((y[1] / (-1e-9 / 3.0) - 1.0).abs() < 1e-5); // x^3/3: no cancellation
    /// assert_eq!(y[2], f32::INFINITY);
    /// ```
    pub fn tanhshrink / tanhshrink_on(isa)(x: &[T], y: &mut [T]) {
        checks::same_len("tanhshrink", &[("x", x.len()), ("y", y.len())]);
        dispatch("tanhshrink", isa, Unary { kernel: ViaF64(Tanhshrink), x, y })
    }
}

isa_fn! {
    /// Tanhshrink in place; semantics as [`tanhshrink`].
    ///
    /// ```
    /// let mut xy = [2.0f64, f64::NAN];
    /// simd_activations::tanhshrink_inplace(&mut xy);
    /// assert!((xy[0] - (2.0 - 2.0f64.tanh())).abs() < 1e-15);
    /// assert!(xy[1].is_nan());
    /// ```
    pub fn tanhshrink_inplace / tanhshrink_inplace_on(isa)(xy: &mut [T]) {
        dispatch("tanhshrink_inplace", isa, UnaryInPlace { kernel: ViaF64(Tanhshrink), xy })
    }
}

isa_fn! {
    /// Tanhshrink gradient: `dx[i] = dy[i] * tanh(x[i])^2` (0 at 0, 1 at `+-inf`), `tanh` in
    /// double length, rounded once (f32: the product with `dy` in f64 too). NaN `x` gives NaN.
    /// Error (`dy = 1`): 0.50 ULP for every f32 input; f64 0.78 ULP (sampled, as the forward).
    ///
    /// # Panics
    /// If `x`, `dy` and `dx` differ in length.
    ///
    /// ```
    /// let mut dx = [9.0f32; 3];
    /// simd_activations::tanhshrink_backward(&[0.0, f32::INFINITY, 0.5], &[2.0; 3], &mut dx);
    /// assert_eq!(dx[..2], [0.0, 2.0]);
    /// assert!((dx[2] - 2.0 * 0.5f32.tanh().powi(2)).abs() <= 2.0 * f32::EPSILON);
    /// ```
    pub fn tanhshrink_backward / tanhshrink_backward_on(isa)(x: &[T], dy: &[T], dx: &mut [T]) {
        checks::same_len("tanhshrink_backward", &[("x", x.len()), ("dy", dy.len()), ("dx", dx.len())]);
        dispatch("tanhshrink_backward", isa, Binary { kernel: ViaF64(TanhshrinkBackward), a: x, b: dy, out: dx })
    }
}

// The kernels, handed to the fused forms and to the runs on slices (see `kernel_use`).

/// The kernel of `tanhshrink`'s forward, handed to `u`.
#[inline(always)]
pub(crate) fn tanhshrink_kernel<T: Float, U: UseKernel<T, 1>>(u: U) -> U::Output {
    u.with(ViaF64(Tanhshrink))
}

/// The kernel of `tanhshrink`'s gradient (from `x` and `dy`), handed to `u`.
#[inline(always)]
pub(crate) fn tanhshrink_backward_kernel<T: Float, U: UseKernel<T, 2>>(u: U) -> U::Output {
    u.with(ViaF64(TanhshrinkBackward))
}
