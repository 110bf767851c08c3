//! Property tests (quickcheck) of the algebraic and calculus relations between the kernels,
//! on every ISA this CPU has (through the `_on` functions), for f32 and f64.
//!
//! quickcheck's own `f32`/`f64` generators rarely yield zeros, subnormals, infinities, NaN or
//! values in the ranges where the kernels switch branches, so the inputs come from our own
//! generators: newtypes implementing `Arbitrary` that draw from bands (special values, [-20, 20],
//! tiny magnitudes down to the smallest subnormal, [-120, 120], raw bit patterns, runs of
//! adjacent floats) and shrink towards shorter vectors and simpler numbers.
//!
//! Each property runs `QUICKCHECK_TESTS` cases (default below) per element type.

mod common;

use common::{isas, pow2, ulps_between, Rng, TestFloat};
use quickcheck::{Arbitrary, Gen, QuickCheck, TestResult, Testable};
use simd_activations::*;
use std::fmt;
use std::sync::OnceLock;

// ------------------------------------------------------------------------------------------
// Harness
// ------------------------------------------------------------------------------------------

/// Passing cases per property and element type (overridden by `QUICKCHECK_TESTS`), unless a
/// property asks for another number.
const DEFAULT_TESTS: u64 = 2000;

/// Runs `property` for `default` passing cases (`QUICKCHECK_TESTS` overrides).
fn run_n<A: Testable>(default: u64, property: A) {
    let tests = std::env::var("QUICKCHECK_TESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    QuickCheck::new()
        .tests(tests)
        .max_tests(50 * tests)
        .min_tests_passed(tests / 2)
        .quickcheck(property);
}

/// The ISAs to test, detected (and checked by `common::isas`) once.
fn all_isas() -> &'static [Isa] {
    static ISAS: OnceLock<Vec<Isa>> = OnceLock::new();
    ISAS.get_or_init(isas)
}

/// `Ok` when the property holds, `Err(explanation)` when it does not.
type Verdict = Result<(), String>;

fn verdict(v: Verdict) -> TestResult {
    match v {
        Ok(()) => TestResult::passed(),
        Err(msg) => TestResult::error(msg),
    }
}

macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        let holds: bool = $cond;
        if !holds {
            return Err(format!($($fmt)+));
        }
    };
}

/// Same bits (NaN payload and sign of zero included).
fn bits_eq<T: TestFloat>(a: T, b: T) -> bool {
    a.bits() == b.bits()
}

/// "Bit for bit" for results: the same bits, or both NaN. NaN payloads are not compared:
/// where an operation sees two NaN operands (a NaN input and a NaN parameter) Rust leaves the
/// result's payload unspecified, and codegen does differ (in place vs out of place, PReLU vs
/// leaky ReLU); a signalling NaN comes out quieted from a multiply but not from a select.
fn same<T: TestFloat>(a: T, b: T) -> bool {
    bits_eq(a, b) || (a.is_nan() && b.is_nan())
}

/// Equal as values, or both NaN.
fn value_eq<T: TestFloat>(a: T, b: T) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// A value with its bit pattern, for failure messages.
struct Show<T>(T);

impl<T: TestFloat> fmt::Display for Show<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:e} ({:#x})", self.0, self.0.bits())
    }
}

fn show<T: TestFloat>(v: T) -> Show<T> {
    Show(v)
}

/// The smallest positive subnormal of `T`, as f64.
fn min_subnormal<T: TestFloat>() -> f64 {
    T::from_bits_u64(1).to_f64()
}

fn eps<T: TestFloat>() -> f64 {
    pow2(-T::MANTISSA_BITS)
}

fn is_finite<T: TestFloat>(v: T) -> bool {
    v.to_f64().is_finite()
}

fn map<T: TestFloat>(x: &[T], f: impl Fn(T) -> T) -> Vec<T> {
    x.iter().map(|&v| f(v)).collect()
}

// ------------------------------------------------------------------------------------------
// Random values, by band
// ------------------------------------------------------------------------------------------

/// A deterministic generator seeded from quickcheck's (whose integers are biased towards
/// 0, 1 and MAX; two of them xor-ed are as good as uniform).
fn rng(g: &mut Gen) -> Rng {
    Rng::new(u64::arbitrary(g) ^ u64::arbitrary(g).rotate_left(32))
}

fn below(r: &mut Rng, n: usize) -> usize {
    (r.next_u64() % n as u64) as usize
}

fn uniform(r: &mut Rng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * r.unit()
}

fn log_uniform(r: &mut Rng, lo: f64, hi: f64) -> f64 {
    (lo.ln() + (hi.ln() - lo.ln()) * r.unit()).exp()
}

fn signed(v: f64, r: &mut Rng) -> f64 {
    if r.next_u64() & 1 == 0 {
        v
    } else {
        -v
    }
}

fn special<T: TestFloat>(r: &mut Rng) -> T {
    let s = T::specials();
    s[below(r, s.len())]
}

/// Tiny magnitudes: log-uniform from the smallest subnormal up to 2^-10, either sign.
fn tiny<T: TestFloat>(r: &mut Rng) -> T {
    let lo = T::MIN_EXP - T::MANTISSA_BITS;
    let e = lo + below(r, (-10 - lo) as usize + 1) as i32;
    T::from_f64(signed(pow2(e) * (1.0 + r.unit()), r))
}

/// Which values a vector element may take.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Domain {
    /// Anything, NaN and infinities included.
    Any,
    /// Not NaN (infinities allowed).
    NotNan,
    /// Finite and below 1e6 in magnitude (sums and products stay far from overflow).
    Moderate,
}

impl Domain {
    fn admits<T: TestFloat>(self, v: T) -> bool {
        match self {
            Domain::Any => true,
            Domain::NotNan => !v.is_nan(),
            Domain::Moderate => v.to_f64().abs() < 1e6,
        }
    }
}

/// One value from the bands: special values (NaN, infinities, zeros, subnormals, extremes,
/// breakpoints and cutoffs), [-20, 20], tiny magnitudes, [-120, 120], raw bit patterns.
fn value<T: TestFloat>(r: &mut Rng, domain: Domain) -> T {
    loop {
        let v = match below(r, 10) {
            0 | 1 => special(r),
            2..=4 => T::from_f64(uniform(r, -20.0, 20.0)),
            5 | 6 => tiny(r),
            7 | 8 => T::from_f64(uniform(r, -120.0, 120.0)),
            _ => T::from_bits_u64(r.next_u64()),
        };
        if domain.admits(v) {
            return v;
        }
    }
}

/// A gradient: mostly in [-4, 4], some zeros, ones and tiny values; with `wild`, also NaN
/// and infinities.
fn gradient<T: TestFloat>(r: &mut Rng, wild: bool) -> T {
    match below(r, 20) {
        0 => T::ZERO,
        1 => -T::ZERO,
        2 => T::ONE,
        3 => tiny(r),
        4 if wild => special(r),
        5 if wild => T::from_f64(signed(f64::INFINITY, r)),
        _ => T::from_f64(uniform(r, -4.0, 4.0)),
    }
}

/// Vector lengths up to 300, biased towards short ones (all tail, or one unrolled block).
fn length(r: &mut Rng) -> usize {
    match below(r, 4) {
        0 => below(r, 17),
        1 => below(r, 65),
        _ => below(r, 301),
    }
}

/// `n` values of the domain; about one in ten repeats its predecessor's next float up, so that
/// sorted inputs contain runs of adjacent floats.
fn values<T: TestFloat>(r: &mut Rng, n: usize, domain: Domain) -> Vec<T> {
    let mut v: Vec<T> = Vec::with_capacity(n);
    for i in 0..n {
        let next = match v.last() {
            Some(&p) if i > 0 && below(r, 10) == 0 && is_finite(p) => p.next_up(),
            _ => value(r, domain),
        };
        v.push(next);
    }
    v
}

// ------------------------------------------------------------------------------------------
// Shrinking
// ------------------------------------------------------------------------------------------

/// Simpler values than `x`: zero, the integer part, the leading 4 significant bits, the half
/// (each strictly smaller in magnitude); NaN and infinities shrink to zero (NaN also to the
/// canonical NaN), `-0` to `+0`. Shrinking terminates: NaN > canonical NaN > infinities >
/// finite values by magnitude.
fn shrink_value<T: TestFloat>(x: T) -> Vec<T> {
    let canonical_nan = T::from_f64(f64::NAN);
    if x.is_nan() {
        return if bits_eq(x, canonical_nan) {
            vec![T::ZERO]
        } else {
            vec![T::ZERO, canonical_nan]
        };
    }
    let v = x.to_f64();
    if v.is_infinite() {
        return vec![T::ZERO];
    }
    if v == 0.0 {
        return if bits_eq(x, T::ZERO) {
            vec![]
        } else {
            vec![T::ZERO]
        };
    }
    let keep_mask = !((1u64 << (T::MANTISSA_BITS - 4)) - 1);
    let candidates = [
        T::ZERO,
        T::from_f64(v.trunc()),
        T::from_bits_u64(x.bits() & keep_mask),
        T::from_f64(v / 2.0),
    ];
    let mut out: Vec<T> = Vec::new();
    for c in candidates {
        if c.to_f64().abs() < v.abs() && !out.iter().any(|&o| bits_eq(o, c)) {
            out.push(c);
        }
    }
    out
}

/// Number of significant bits after the leading one (a measure of how "round" a number is).
fn fraction_bits<T: TestFloat>(x: T) -> u32 {
    let mantissa = x.bits() & ((1u64 << T::MANTISSA_BITS) - 1);
    if mantissa == 0 {
        0
    } else {
        T::MANTISSA_BITS as u32 - mantissa.trailing_zeros()
    }
}

/// Shrinks a parameter that must stay in `[lo, hi]` towards round numbers (`preferred`
/// first), each candidate having fewer significant bits than `x`.
fn shrink_param<T: TestFloat>(x: T, lo: f64, hi: f64, preferred: &[f64]) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    let bits = fraction_bits(x);
    let mut consider = |c: T| {
        let v = c.to_f64();
        if v >= lo && v <= hi && fraction_bits(c) < bits && !out.iter().any(|&o| bits_eq(o, c)) {
            out.push(c);
        }
    };
    for &p in preferred {
        consider(T::from_f64(p));
    }
    for keep in [0, 1, 2, 4, 8] {
        if keep < T::MANTISSA_BITS {
            let mask = !((1u64 << (T::MANTISSA_BITS - keep)) - 1);
            consider(T::from_bits_u64(x.bits() & mask));
        }
    }
    out
}

/// Shorter vectors first (remove chunks of n, n/2, n/4, .. elements), then the same vector
/// with one element shrunk.
fn shrink_vec<E: Clone + 'static>(
    v: Vec<E>,
    elem: fn(&E) -> Vec<E>,
) -> Box<dyn Iterator<Item = Vec<E>>> {
    let n = v.len();
    let mut chunks = Vec::new();
    let mut k = n;
    while k > 0 {
        if n / k <= 64 {
            chunks.push(k);
        }
        k /= 2;
    }
    let w = v.clone();
    let removals = chunks.into_iter().flat_map(move |k| {
        let w = w.clone();
        (0..n).step_by(k).map(move |start| {
            let mut s = w[..start].to_vec();
            s.extend_from_slice(&w[(start + k).min(n)..]);
            s
        })
    });
    let elements = (0..n).flat_map(move |i| {
        let v = v.clone();
        elem(&v[i]).into_iter().map(move |e| {
            let mut s = v.clone();
            s[i] = e;
            s
        })
    });
    Box::new(removals.chain(elements))
}

fn shrink_pair<T: TestFloat>(&(x, dy): &(T, T)) -> Vec<(T, T)> {
    let mut out: Vec<(T, T)> = shrink_value(x).into_iter().map(|x| (x, dy)).collect();
    out.extend(shrink_value(dy).into_iter().map(|dy| (x, dy)));
    out
}

fn shrink_usize(n: usize, min: usize) -> Vec<usize> {
    let mut out = Vec::new();
    for c in [min, n / 2, n.saturating_sub(1)] {
        if c >= min && c < n && !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

// ------------------------------------------------------------------------------------------
// Generators
// ------------------------------------------------------------------------------------------

const ANY: u8 = 0;
const NOT_NAN: u8 = 1;
const MODERATE: u8 = 2;

fn domain(mode: u8) -> Domain {
    match mode {
        ANY => Domain::Any,
        NOT_NAN => Domain::NotNan,
        _ => Domain::Moderate,
    }
}

/// Inputs `x` (of the domain `MODE`) with upstream gradients `dy` of the same length
/// (finite unless `WILD_DY`).
#[derive(Clone)]
struct Batch<T, const MODE: u8, const WILD_DY: bool> {
    x: Vec<T>,
    dy: Vec<T>,
}

impl<T: TestFloat, const MODE: u8, const WILD_DY: bool> Arbitrary for Batch<T, MODE, WILD_DY> {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut r = rng(g);
        let n = length(&mut r);
        let mut x = values(&mut r, n, domain(MODE));
        if MODE == ANY {
            // Vary the share of NaN (with varied signs and payloads) from none to half.
            let rate = [0, 0, 2, 10, 50][below(&mut r, 5)];
            for v in &mut x {
                if below(&mut r, 100) < rate {
                    *v = T::specials()[below(&mut r, 4)];
                }
            }
        }
        let dy = (0..n).map(|_| gradient(&mut r, WILD_DY)).collect();
        Batch { x, dy }
    }

    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let pairs: Vec<(T, T)> = self
            .x
            .iter()
            .copied()
            .zip(self.dy.iter().copied())
            .collect();
        Box::new(shrink_vec(pairs, shrink_pair::<T>).map(|p| Batch {
            x: p.iter().map(|&(x, _)| x).collect(),
            dy: p.iter().map(|&(_, dy)| dy).collect(),
        }))
    }
}

impl<T: TestFloat, const MODE: u8, const WILD_DY: bool> fmt::Debug for Batch<T, MODE, WILD_DY> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Batch<{}> {{ x: {:?}, dy: {:?} }}",
            T::NAME,
            self.x,
            self.dy
        )
    }
}

/// ELU/CELU `alpha` in (0.1, 3); shrinks towards 1.
#[derive(Clone, Copy, Debug)]
struct Alpha<T>(T);

impl<T: TestFloat> Arbitrary for Alpha<T> {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut r = rng(g);
        Alpha(match below(&mut r, 4) {
            0 => T::ONE,
            1 => T::from_f64(log_uniform(&mut r, 0.1, 3.0)),
            _ => T::from_f64(uniform(&mut r, 0.1, 3.0)),
        })
    }
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        Box::new(
            shrink_param(self.0, 0.1, 3.0, &[1.0, 0.5, 2.0])
                .into_iter()
                .map(Alpha),
        )
    }
}

/// Any finite slope: PyTorch's 0.01, [-1, 1], [-10, 10], tiny, the finite special values (NaN
/// and infinite slopes, alphas and weights are rejected: `tests/bad_input.rs`).
#[derive(Clone, Copy, Debug)]
struct Slope<T>(T);

impl<T: TestFloat> Arbitrary for Slope<T> {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut r = rng(g);
        Slope(match below(&mut r, 7) {
            0 => T::from_f64(0.01),
            1 | 2 => T::from_f64(uniform(&mut r, -1.0, 1.0)),
            3 => T::from_f64(uniform(&mut r, -10.0, 10.0)),
            4 => tiny(&mut r),
            _ => Some(special::<T>(&mut r))
                .filter(|&v| is_finite(v))
                .unwrap_or(T::from_f64(-0.5)),
        })
    }
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        Box::new(
            shrink_value(self.0)
                .into_iter()
                .filter(|&v| is_finite(v))
                .map(Slope),
        )
    }
}

/// A finite slope `> 0` (where the output determines the branch).
#[derive(Clone, Copy, Debug)]
struct PosSlope<T>(T);

impl<T: TestFloat> Arbitrary for PosSlope<T> {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut r = rng(g);
        PosSlope(match below(&mut r, 5) {
            0 => T::from_f64(0.01),
            1 => T::from_f64(uniform(&mut r, 0.0, 1.0)).max_with(T::from_f64(1e-3)),
            2 => T::from_f64(log_uniform(&mut r, 1e-6, 1e6)),
            3 => T::from_f64(tiny::<T>(&mut r).to_f64().abs()).max_with(T::from_bits_u64(1)),
            _ => T::ONE,
        })
    }
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        Box::new(
            shrink_value(self.0)
                .into_iter()
                .filter(|&s| s > T::ZERO)
                .map(PosSlope),
        )
    }
}

trait MaxWith {
    fn max_with(self, other: Self) -> Self;
}

impl<T: TestFloat> MaxWith for T {
    fn max_with(self, other: T) -> T {
        if self < other {
            other
        } else {
            self
        }
    }
}

/// Hardtanh bounds `lo <= hi`, neither NaN: PyTorch's (-1, 1), small values, signed zeros,
/// infinities, equal bounds.
#[derive(Clone, Copy, Debug)]
struct Bounds<T> {
    lo: T,
    hi: T,
}

impl<T: TestFloat> Bounds<T> {
    fn ordered(a: T, b: T) -> Self {
        if b < a {
            Bounds { lo: b, hi: a }
        } else {
            Bounds { lo: a, hi: b }
        }
    }
}

fn bound<T: TestFloat>(r: &mut Rng) -> T {
    match below(r, 8) {
        0 => T::ZERO,
        1 => -T::ZERO,
        2 => T::from_f64(signed(f64::INFINITY, r)),
        3 => T::from_f64((uniform(r, -6.0, 6.0)).round()),
        4 => tiny(r),
        _ => T::from_f64(uniform(r, -5.0, 5.0)),
    }
}

impl<T: TestFloat> Arbitrary for Bounds<T> {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut r = rng(g);
        match below(&mut r, 6) {
            0 => Bounds {
                lo: -T::ONE,
                hi: T::ONE,
            },
            1 => {
                let b = bound(&mut r);
                Bounds { lo: b, hi: b }
            }
            _ => Bounds::ordered(bound(&mut r), bound(&mut r)),
        }
    }
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let Bounds { lo, hi } = *self;
        let mut out: Vec<Self> = shrink_value(lo)
            .into_iter()
            .filter(|&l| l <= hi)
            .map(|l| Bounds { lo: l, hi })
            .collect();
        out.extend(
            shrink_value(hi)
                .into_iter()
                .filter(|&h| lo <= h)
                .map(|h| Bounds { lo, hi: h }),
        );
        Box::new(out.into_iter())
    }
}

/// A small positive count in `1..=max`, biased towards 1; shrinks towards 1.
#[derive(Clone, Copy, Debug)]
struct Small(usize);

impl Arbitrary for Small {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut r = rng(g);
        Small(match below(&mut r, 4) {
            0 => 1,
            1 => 1 + below(&mut r, 8),
            2 => 1 + below(&mut r, 40),
            _ => 1 + below(&mut r, 300),
        })
    }
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        Box::new(shrink_usize(self.0, 1).into_iter().map(Small))
    }
}

/// A PReLU problem: `rows * weight.len() * inner` elements.
#[derive(Clone)]
struct PreluCase<T, const MODE: u8> {
    x: Vec<T>,
    dy: Vec<T>,
    weight: Vec<T>,
    inner: usize,
}

impl<T: TestFloat, const MODE: u8> PreluCase<T, MODE> {
    fn channel(&self, i: usize) -> usize {
        (i / self.inner) % self.weight.len()
    }
    /// Keeps whole blocks only.
    fn with_rows(&self, rows: usize) -> Self {
        let n = rows * self.weight.len() * self.inner;
        PreluCase {
            x: self.x[..n].to_vec(),
            dy: self.dy[..n].to_vec(),
            ..self.clone()
        }
    }
}

impl<T: TestFloat, const MODE: u8> Arbitrary for PreluCase<T, MODE> {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut r = rng(g);
        let channels = if below(&mut r, 3) == 0 {
            1
        } else {
            2 + below(&mut r, 7)
        };
        let inner = if below(&mut r, 3) == 0 {
            1
        } else {
            1 + below(&mut r, 9)
        };
        let block = channels * inner;
        let rows = below(&mut r, 300 / block + 1);
        let n = rows * block;
        let x = values(&mut r, n, domain(MODE));
        let dy = (0..n).map(|_| gradient(&mut r, false)).collect();
        let weight = (0..channels)
            .map(|_| Slope::<T>::arbitrary(g).0)
            .filter(|&w| MODE == ANY || is_finite(w))
            .collect::<Vec<T>>();
        let weight = if weight.len() == channels {
            weight
        } else {
            vec![T::from_f64(0.25); channels]
        };
        PreluCase {
            x,
            dy,
            weight,
            inner,
        }
    }

    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let block = self.weight.len() * self.inner;
        let rows = self.x.len() / block;
        let mut out: Vec<Self> = shrink_usize(rows, 0)
            .into_iter()
            .map(|r| self.with_rows(r))
            .collect();
        for i in 0..self.x.len() {
            for v in shrink_value(self.x[i]) {
                let mut c = self.clone();
                c.x[i] = v;
                out.push(c);
            }
        }
        if self.inner > 1 {
            out.push(PreluCase {
                inner: 1,
                ..self.clone()
            });
        }
        if self.weight.len() > 1 {
            out.push(PreluCase {
                weight: self.weight[..1].to_vec(),
                ..self.clone()
            });
        }
        for i in 0..self.dy.len() {
            for v in shrink_value(self.dy[i]) {
                let mut c = self.clone();
                c.dy[i] = v;
                out.push(c);
            }
        }
        for c in 0..self.weight.len() {
            for w in shrink_value(self.weight[c]) {
                if MODE == ANY || is_finite(w) {
                    let mut s = self.clone();
                    s.weight[c] = w;
                    out.push(s);
                }
            }
        }
        Box::new(out.into_iter())
    }
}

impl<T: TestFloat, const MODE: u8> fmt::Debug for PreluCase<T, MODE> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PreluCase<{}> {{ weight: {:?}, inner: {}, x: {:?}, dy: {:?} }}",
            T::NAME,
            self.weight,
            self.inner,
            self.x,
            self.dy
        )
    }
}

/// A point for finite differences: |x| < 30, from [-20, 20], [-30, 30], small magnitudes
/// down to 1e-3, and just off the integers -6..=6 (where the clamps break).
#[derive(Clone, Copy, Debug)]
struct SmoothX<T>(T);

impl<T: TestFloat> Arbitrary for SmoothX<T> {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut r = rng(g);
        let v = match below(&mut r, 5) {
            0 | 1 => uniform(&mut r, -20.0, 20.0),
            2 => uniform(&mut r, -29.9, 29.9),
            3 => signed(log_uniform(&mut r, 1.001e-3, 1.0), &mut r),
            _ => {
                let k = below(&mut r, 13) as f64 - 6.0;
                k + signed(log_uniform(&mut r, 1.001e-3, 0.1), &mut r)
            }
        };
        SmoothX(T::from_f64(v))
    }
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        Box::new(shrink_value(self.0).into_iter().map(SmoothX))
    }
}

/// One upstream gradient, finite.
#[derive(Clone, Copy, Debug)]
struct Grad<T>(T);

impl<T: TestFloat> Arbitrary for Grad<T> {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut r = rng(g);
        Grad(gradient(&mut r, false))
    }
    /// Towards 1, else towards fewer significant bits (not towards 0, which hides errors).
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let x = self.0;
        if x == T::ONE {
            return Box::new(std::iter::empty());
        }
        let mut out = vec![T::ONE];
        out.extend(shrink_param(x, f64::MIN, f64::MAX, &[]));
        Box::new(out.into_iter().map(Grad))
    }
}

// ------------------------------------------------------------------------------------------
// The functions, as tables
// ------------------------------------------------------------------------------------------

type OutOfPlace<T> = Box<dyn Fn(Isa, &[T], &mut [T])>;
type InPlace<T> = Box<dyn Fn(Isa, &mut [T])>;
type Gradient<T> = Box<dyn Fn(Isa, &[T], &[T], &mut [T])>;

/// A forward function with its in-place twin.
struct Fwd<T> {
    name: String,
    out: OutOfPlace<T>,
    inplace: InPlace<T>,
}

fn fwd<T>(name: String, out: OutOfPlace<T>, inplace: InPlace<T>) -> Fwd<T> {
    Fwd { name, out, inplace }
}

/// Every forward function with an in-place twin, with the given parameters. `weight` and
/// `inner` are a PReLU layout valid for the length the caller will use.
fn forwards<T: TestFloat>(
    alpha: T,
    celu_alpha: T,
    slope: T,
    b: Bounds<T>,
    weight: Vec<T>,
    inner: usize,
) -> Vec<Fwd<T>> {
    let w2 = weight.clone();
    vec![
        fwd("relu".into(), Box::new(relu_on), Box::new(relu_inplace_on)),
        fwd(
            format!("leaky_relu({slope:e})"),
            Box::new(move |i, x, y| leaky_relu_on(i, x, y, slope)),
            Box::new(move |i, xy| leaky_relu_inplace_on(i, xy, slope)),
        ),
        fwd(
            format!("prelu({weight:?}, inner {inner})"),
            Box::new(move |i, x, y| prelu_on(i, x, y, &weight, inner)),
            Box::new(move |i, xy| prelu_inplace_on(i, xy, &w2, inner)),
        ),
        fwd(
            format!("elu({alpha:e})"),
            Box::new(move |i, x, y| elu_on(i, x, y, alpha)),
            Box::new(move |i, xy| elu_inplace_on(i, xy, alpha)),
        ),
        fwd("selu".into(), Box::new(selu_on), Box::new(selu_inplace_on)),
        fwd(
            format!("celu({celu_alpha:e})"),
            Box::new(move |i, x, y| celu_on(i, x, y, celu_alpha)),
            Box::new(move |i, xy| celu_inplace_on(i, xy, celu_alpha)),
        ),
        fwd(
            "relu6".into(),
            Box::new(relu6_on),
            Box::new(relu6_inplace_on),
        ),
        fwd(
            format!("hardtanh({:e}, {:e})", b.lo, b.hi),
            Box::new(move |i, x, y| hardtanh_on(i, x, y, b.lo, b.hi)),
            Box::new(move |i, xy| hardtanh_inplace_on(i, xy, b.lo, b.hi)),
        ),
    ]
}

/// Every `(x or y, dy) -> dx` function (PReLU and CReLU, with their extra shapes, apart).
fn gradients<T: TestFloat>(
    alpha: T,
    celu_alpha: T,
    slope: T,
    pos_slope: T,
    b: Bounds<T>,
) -> Vec<(String, Gradient<T>)> {
    let (lo, hi) = (b.lo, b.hi);
    vec![
        ("relu_backward".into(), Box::new(relu_backward_on)),
        (
            "relu_backward_from_output".into(),
            Box::new(relu_backward_from_output_on),
        ),
        (
            format!("leaky_relu_backward({slope:e})"),
            Box::new(move |i, x, dy, dx| leaky_relu_backward_on(i, x, dy, dx, slope)),
        ),
        (
            format!("leaky_relu_backward_from_output({pos_slope:e})"),
            Box::new(move |i, y, dy, dx| {
                leaky_relu_backward_from_output_on(i, y, dy, dx, pos_slope)
            }),
        ),
        (
            format!("elu_backward({alpha:e})"),
            Box::new(move |i, x, dy, dx| elu_backward_on(i, x, dy, dx, alpha)),
        ),
        (
            format!("elu_backward_from_output({celu_alpha:e})"),
            Box::new(move |i, y, dy, dx| elu_backward_from_output_on(i, y, dy, dx, celu_alpha)),
        ),
        ("selu_backward".into(), Box::new(selu_backward_on)),
        (
            "selu_backward_from_output".into(),
            Box::new(selu_backward_from_output_on),
        ),
        (
            format!("celu_backward({celu_alpha:e})"),
            Box::new(move |i, x, dy, dx| celu_backward_on(i, x, dy, dx, celu_alpha)),
        ),
        (
            format!("celu_backward_from_output({celu_alpha:e})"),
            Box::new(move |i, y, dy, dx| celu_backward_from_output_on(i, y, dy, dx, celu_alpha)),
        ),
        ("relu6_backward".into(), Box::new(relu6_backward_on)),
        (
            "relu6_backward_from_output".into(),
            Box::new(relu6_backward_from_output_on),
        ),
        (
            format!("hardtanh_backward({lo:e}, {hi:e})"),
            Box::new(move |i, x, dy, dx| hardtanh_backward_on(i, x, dy, dx, lo, hi)),
        ),
        (
            format!("hardtanh_backward_from_output({lo:e}, {hi:e})"),
            Box::new(move |i, y, dy, dx| hardtanh_backward_from_output_on(i, y, dy, dx, lo, hi)),
        ),
    ]
}

fn apply<T: TestFloat>(f: &OutOfPlace<T>, isa: Isa, x: &[T]) -> Vec<T> {
    let mut y = vec![T::from_f64(-777.0); x.len()];
    f(isa, x, &mut y);
    y
}

fn apply_grad<T: TestFloat>(f: &Gradient<T>, isa: Isa, x: &[T], dy: &[T]) -> Vec<T> {
    let mut dx = vec![T::from_f64(-777.0); x.len()];
    f(isa, x, dy, &mut dx);
    dx
}

fn apply_inplace<T: TestFloat>(f: &InPlace<T>, isa: Isa, x: &[T]) -> Vec<T> {
    let mut xy = x.to_vec();
    f(isa, &mut xy);
    xy
}

/// `(y, from input, from output)`: `y = f(x)`, `backward(x, dy)` and `from_output(y, dy)`.
fn gradients_both_ways<T: TestFloat>(
    f: &OutOfPlace<T>,
    backward: &Gradient<T>,
    from_output: &Gradient<T>,
    isa: Isa,
    x: &[T],
    dy: &[T],
) -> (Vec<T>, Vec<T>, Vec<T>) {
    let y = apply(f, isa, x);
    let want = apply_grad(backward, isa, x, dy);
    let got = apply_grad(from_output, isa, &y, dy);
    (y, want, got)
}

/// `got` equals `want` (infinities included), both are NaN, or both are finite and within
/// `tol` of each other.
fn within(got: f64, want: f64, tol: f64) -> bool {
    if got == want {
        true
    } else if want.is_nan() || got.is_nan() {
        want.is_nan() && got.is_nan()
    } else if want.is_infinite() || got.is_infinite() {
        false
    } else {
        (got - want).abs() <= tol
    }
}

/// On sorted `x`, `y = f(x)` is sorted, except where `allowed(y, i)` excuses `y[i - 1] > y[i]`.
fn check_monotone<T: TestFloat>(
    name: &str,
    f: &OutOfPlace<T>,
    isa: Isa,
    x: &[T],
    allowed: impl Fn(&[T], usize) -> bool,
) -> Verdict {
    let y = apply(f, isa, x);
    for i in 1..x.len() {
        if y[i - 1] <= y[i] {
            continue;
        }
        ensure!(
            allowed(&y, i),
            "{} [{}] on {isa} not monotone: f({}) = {} > f({}) = {}",
            name,
            T::NAME,
            show(x[i - 1]),
            show(y[i - 1]),
            show(x[i]),
            show(y[i])
        );
    }
    Ok(())
}

/// `name_inplace(xy)` leaves in `xy` what `name(x, y)` writes to `y`, as `eq` compares them.
fn check_inplace<T: TestFloat>(
    name: &str,
    out: &OutOfPlace<T>,
    inplace: &InPlace<T>,
    isa: Isa,
    x: &[T],
    eq: fn(T, T) -> bool,
) -> Verdict {
    let y = apply(out, isa, x);
    let xy = apply_inplace(inplace, isa, x);
    for i in 0..x.len() {
        ensure!(
            eq(xy[i], y[i]),
            "{} [{}] on {isa}, n = {}, at {i}: x = {}: in place {} != out of place {}",
            name,
            T::NAME,
            x.len(),
            show(x[i]),
            show(xy[i]),
            show(y[i])
        );
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------
// Properties
// ------------------------------------------------------------------------------------------

/// A function smooth away from `breaks`: its f64 forward (for the finite difference) and its
/// `T` backward.
struct Smooth<T> {
    name: String,
    forward64: OutOfPlace<f64>,
    backward: Gradient<T>,
    breaks: Vec<f64>,
    /// A bound on the f64 forward's error, in ULP (for the central difference's own error).
    ulps: f64,
}

/// A function of the ELU/ReLU family: its f64 forward within 8 ULP.
fn smooth<T>(
    name: String,
    forward64: OutOfPlace<f64>,
    backward: Gradient<T>,
    breaks: Vec<f64>,
) -> Smooth<T> {
    Smooth {
        name,
        forward64,
        backward,
        breaks,
        ulps: 8.0,
    }
}

fn smooth_cases<T: TestFloat>(alpha: T, celu_alpha: T, slope: T, b: Bounds<T>) -> Vec<Smooth<T>> {
    let (a64, c64, s64) = (alpha.to_f64(), celu_alpha.to_f64(), slope.to_f64());
    let (lo, hi) = (b.lo, b.hi);
    let (lo64, hi64) = (lo.to_f64(), hi.to_f64());
    let mut v: Vec<Smooth<T>> = vec![
        smooth(
            format!("elu({alpha:e})"),
            Box::new(move |i, x, y| elu_on(i, x, y, a64)),
            Box::new(move |i, x, dy, dx| elu_backward_on(i, x, dy, dx, alpha)),
            vec![0.0],
        ),
        smooth(
            "selu".into(),
            Box::new(selu_on),
            Box::new(selu_backward_on),
            vec![0.0],
        ),
        smooth(
            format!("celu({celu_alpha:e})"),
            Box::new(move |i, x, y| celu_on(i, x, y, c64)),
            Box::new(move |i, x, dy, dx| celu_backward_on(i, x, dy, dx, celu_alpha)),
            vec![0.0],
        ),
        smooth(
            "relu".into(),
            Box::new(relu_on),
            Box::new(relu_backward_on),
            vec![0.0],
        ),
        smooth(
            "relu6".into(),
            Box::new(relu6_on),
            Box::new(relu6_backward_on),
            vec![0.0, 6.0],
        ),
        smooth(
            format!("hardtanh({lo:e}, {hi:e})"),
            Box::new(move |i, x, y| hardtanh_on(i, x, y, lo64, hi64)),
            Box::new(move |i, x, dy, dx| hardtanh_backward_on(i, x, dy, dx, lo, hi)),
            vec![lo64, hi64],
        ),
    ];
    // The finite difference needs `slope * x` far from overflow.
    if s64.abs() <= 1e6 {
        v.push(smooth(
            format!("leaky_relu({slope:e})"),
            Box::new(move |i, x, y| leaky_relu_on(i, x, y, s64)),
            Box::new(move |i, x, dy, dx| leaky_relu_backward_on(i, x, dy, dx, slope)),
            vec![0.0],
        ));
    }
    v
}

/// For each case at least 1e-3 from its breakpoints, on every ISA: `name_backward(x, dy) =
/// dy * f'(x)` where `f'` is a central difference of the f64 forward (on the same ISA). The
/// tolerance is relative (1e-4 for f32, 1e-8 for f64) plus the difference's own rounding error
/// (each f64 forward value within `case.ulps` ULP, plus `subnormal_floor` absolute), plus the
/// subnormal floor of `T`. Where the forward is not finite at `x +- h` the ISA is skipped with
/// `skip_non_finite`, and fails without.
fn central_difference<T: TestFloat>(
    cases: &[Smooth<T>],
    x: T,
    dy: T,
    subnormal_floor: f64,
    skip_non_finite: bool,
) -> TestResult {
    let rtol = if T::NAME == "f32" { 1e-4 } else { 1e-8 };
    let h = pow2(-20);
    let x64 = x.to_f64();
    let check = || -> Verdict {
        for case in cases {
            if case.breaks.iter().any(|&b| (x64 - b).abs() <= 1e-3) {
                continue;
            }
            for &isa in all_isas() {
                let xs = [x64 - h, x64 + h];
                let mut f = [0.0f64; 2];
                (case.forward64)(isa, &xs, &mut f);
                if skip_non_finite && !(f[0].is_finite() && f[1].is_finite()) {
                    continue;
                }
                let step = xs[1] - xs[0];
                let derivative = (f[1] - f[0]) / step;
                let fd_error =
                    (case.ulps * f64::EPSILON * (f[0].abs() + f[1].abs()) + subnormal_floor) / step;
                let mut dx = [T::from_f64(-777.0)];
                (case.backward)(isa, &[x], &[dy], &mut dx);
                let (got, d) = (dx[0].to_f64(), dy.to_f64());
                let want = d * derivative;
                let tol = rtol * want.abs()
                    + d.abs() * fd_error
                    + 4.0 * min_subnormal::<T>() * (1.0 + d.abs());
                ensure!(
                    (got - want).abs() <= tol,
                    "{}_backward [{}] on {isa}: x = {}, dy = {}: got {got:e}, central difference \
                     gives dy * {derivative:e} = {want:e} (|error| {:e} > tol {tol:e})",
                    case.name,
                    T::NAME,
                    show(x),
                    show(dy),
                    (got - want).abs()
                );
            }
        }
        Ok(())
    };
    verdict(check())
}

/// `name_backward(x, dy) = dy * f'(x)` where `f'` is a central difference of the f64 forward
/// (on the same ISA), for `|x| < 30` at least 1e-3 from every breakpoint. The tolerance is
/// relative (1e-4 for f32, 1e-8 for f64) plus the difference's own rounding error.
fn prop_finite_difference<T: TestFloat>(
    x: SmoothX<T>,
    dy: Grad<T>,
    alpha: Alpha<T>,
    celu_alpha: Alpha<T>,
    slope: Slope<T>,
    bounds: Bounds<T>,
) -> TestResult {
    let cases = smooth_cases(alpha.0, celu_alpha.0, slope.0, bounds);
    // Each f64 forward value is within a few ULP (or a subnormal's absolute rounding). Where
    // it is not finite (e.g. hardtanh(-inf, -inf)) there is no difference to take.
    central_difference(&cases, x.0, dy.0, 4.0 * min_subnormal::<f64>(), true)
}

/// `name_backward_from_output(f(x), dy) == name_backward(x, dy)` wherever the output
/// determines the branch: bit for bit for ReLU, leaky ReLU (slope > 0), ReLU6 and hardtanh;
/// for ELU, SELU and CELU (alpha > 0) within the rounding already in `y`.
fn prop_from_output<T: TestFloat>(
    b: Batch<T, ANY, false>,
    alpha: Alpha<T>,
    celu_alpha: Alpha<T>,
    slope: PosSlope<T>,
    bounds: Bounds<T>,
) -> TestResult {
    let (x, dy) = (&b.x, &b.dy);
    let (alpha, celu_alpha, slope, Bounds { lo, hi }) = (alpha.0, celu_alpha.0, slope.0, bounds);
    type Pair<T> = (OutOfPlace<T>, Gradient<T>, Gradient<T>);
    let exact: Vec<(String, Pair<T>)> = vec![
        (
            "relu".into(),
            (
                Box::new(relu_on),
                Box::new(relu_backward_on),
                Box::new(relu_backward_from_output_on),
            ),
        ),
        (
            format!("leaky_relu({slope:e})"),
            (
                Box::new(move |i, x, y| leaky_relu_on(i, x, y, slope)),
                Box::new(move |i, x, dy, dx| leaky_relu_backward_on(i, x, dy, dx, slope)),
                Box::new(move |i, y, dy, dx| {
                    leaky_relu_backward_from_output_on(i, y, dy, dx, slope)
                }),
            ),
        ),
        (
            "relu6".into(),
            (
                Box::new(relu6_on),
                Box::new(relu6_backward_on),
                Box::new(relu6_backward_from_output_on),
            ),
        ),
        (
            format!("hardtanh({lo:e}, {hi:e})"),
            (
                Box::new(move |i, x, y| hardtanh_on(i, x, y, lo, hi)),
                Box::new(move |i, x, dy, dx| hardtanh_backward_on(i, x, dy, dx, lo, hi)),
                Box::new(move |i, y, dy, dx| {
                    hardtanh_backward_from_output_on(i, y, dy, dx, lo, hi)
                }),
            ),
        ),
    ];
    // (name, (forward, backward, from output), neg_coef, input_div)
    let selu_neg = T::from_f64(SELU_NEG_COEF);
    let smooth: Vec<(String, Pair<T>, T, T)> = vec![
        (
            format!("elu({alpha:e})"),
            (
                Box::new(move |i, x, y| elu_on(i, x, y, alpha)),
                Box::new(move |i, x, dy, dx| elu_backward_on(i, x, dy, dx, alpha)),
                Box::new(move |i, y, dy, dx| elu_backward_from_output_on(i, y, dy, dx, alpha)),
            ),
            alpha,
            T::ONE,
        ),
        (
            "selu".into(),
            (
                Box::new(selu_on),
                Box::new(selu_backward_on),
                Box::new(selu_backward_from_output_on),
            ),
            selu_neg,
            T::ONE,
        ),
        (
            format!("celu({celu_alpha:e})"),
            (
                Box::new(move |i, x, y| celu_on(i, x, y, celu_alpha)),
                Box::new(move |i, x, dy, dx| celu_backward_on(i, x, dy, dx, celu_alpha)),
                Box::new(move |i, y, dy, dx| {
                    celu_backward_from_output_on(i, y, dy, dx, celu_alpha)
                }),
            ),
            celu_alpha,
            celu_alpha,
        ),
    ];
    let e = eps::<T>();
    let check = || -> Verdict {
        for &isa in all_isas() {
            for (name, (f, back, from_out)) in &exact {
                let (y, want, got) = gradients_both_ways(f, back, from_out, isa, x, dy);
                for i in 0..x.len() {
                    ensure!(
                        same(got[i], want[i]),
                        "{name}: backward_from_output [{}] on {isa} at {i}: x = {}, y = {}, \
                         dy = {}: from output {} != from input {}",
                        T::NAME,
                        show(x[i]),
                        show(y[i]),
                        show(dy[i]),
                        show(got[i]),
                        show(want[i])
                    );
                }
            }
            for (name, (f, back, from_out), neg_coef, input_div) in &smooth {
                let (y, want, got) = gradients_both_ways(f, back, from_out, isa, x, dy);
                for i in 0..x.len() {
                    let (g, w, d) = (got[i].to_f64(), want[i].to_f64(), dy[i].to_f64());
                    // `y` carries half an ULP of |y|; `y + neg_coef` (then `/ input_div`)
                    // turns it into an absolute error.
                    let tol = 4.0 * e * w.abs()
                        + d.abs() * 4.0 * e * (y[i].to_f64().abs() + neg_coef.to_f64())
                            / input_div.to_f64()
                        + 4.0 * min_subnormal::<T>() * (1.0 + d.abs());
                    ensure!(
                        within(g, w, tol),
                        "{name}: backward_from_output [{}] on {isa} at {i}: x = {}, y = {}, \
                         dy = {}: from output {} vs from input {} (tol {tol:e})",
                        T::NAME,
                        show(x[i]),
                        show(y[i]),
                        show(dy[i]),
                        show(got[i]),
                        show(want[i])
                    );
                }
            }
        }
        Ok(())
    };
    verdict(check())
}

/// `relu(x) + relu(-x) == |x|` as values, for every non-NaN x.
fn prop_relu_abs<T: TestFloat>(b: Batch<T, NOT_NAN, false>) -> TestResult {
    let x = &b.x;
    let neg = map(x, |v| -v);
    let check = || -> Verdict {
        for &isa in all_isas() {
            let (mut p, mut n) = (vec![T::ZERO; x.len()], vec![T::ZERO; x.len()]);
            relu_on(isa, x, &mut p);
            relu_on(isa, &neg, &mut n);
            for i in 0..x.len() {
                let abs = T::from_f64(x[i].to_f64().abs());
                ensure!(
                    p[i] + n[i] == abs,
                    "relu(x) + relu(-x) [{}] on {isa} at {i}: x = {}: {} + {} != |x|",
                    T::NAME,
                    show(x[i]),
                    show(p[i]),
                    show(n[i])
                );
            }
        }
        Ok(())
    };
    verdict(check())
}

/// The largest divisor of `n` not above `max` (any `max` when `n == 0`).
fn row_len(n: usize, max: usize) -> usize {
    (1..=max).rev().find(|d| n % d == 0).unwrap_or(1)
}

/// Each CReLU output row is `[relu(x_row), relu(-x_row)]`, bit for bit (ReLU on the same ISA).
fn prop_crelu_rows<T: TestFloat>(b: Batch<T, ANY, false>, max_row: Small) -> TestResult {
    let x = &b.x;
    let n = row_len(x.len(), max_row.0);
    let neg = map(x, |v| -v);
    let check = || -> Verdict {
        for &isa in all_isas() {
            let mut y = vec![T::from_f64(-777.0); 2 * x.len()];
            crelu_on(isa, x, &mut y, n);
            let (mut p, mut q) = (vec![T::ZERO; x.len()], vec![T::ZERO; x.len()]);
            relu_on(isa, x, &mut p);
            relu_on(isa, &neg, &mut q);
            for i in 0..x.len() {
                let (row, j) = (i / n, i % n);
                let (pos, negh) = (y[2 * row * n + j], y[2 * row * n + n + j]);
                ensure!(
                    same(pos, p[i]) && same(negh, q[i]),
                    "crelu [{}] on {isa}, row_len {n}, x[{i}] = {}: halves ({}, {}) != (relu(x), \
                     relu(-x)) = ({}, {})",
                    T::NAME,
                    show(x[i]),
                    show(pos),
                    show(negh),
                    show(p[i]),
                    show(q[i])
                );
            }
        }
        Ok(())
    };
    verdict(check())
}

/// CReLU's gradient is the chain rule through its two halves:
/// `dx = relu_backward(x, dy_pos) - relu_backward(-x, dy_neg)` (as values; NaN where x is).
fn prop_crelu_backward<T: TestFloat>(
    b: Batch<T, ANY, true>,
    dneg: Batch<T, ANY, true>,
    max_row: Small,
) -> TestResult {
    let x = &b.x;
    let n = row_len(x.len(), max_row.0);
    // The second half's gradients: `dneg.dy`, cycled to the length of `x`.
    let dy_neg: Vec<T> = (0..x.len())
        .map(|i| {
            if dneg.dy.is_empty() {
                T::ONE
            } else {
                dneg.dy[i % dneg.dy.len()]
            }
        })
        .collect();
    let mut dy = Vec::with_capacity(2 * x.len());
    for r in 0..x.len() / n {
        dy.extend_from_slice(&b.dy[r * n..(r + 1) * n]);
        dy.extend_from_slice(&dy_neg[r * n..(r + 1) * n]);
    }
    let neg = map(x, |v| -v);
    let check = || -> Verdict {
        for &isa in all_isas() {
            let mut dx = vec![T::from_f64(-777.0); x.len()];
            crelu_backward_on(isa, x, &dy, &mut dx, n);
            let (mut p, mut q) = (vec![T::ZERO; x.len()], vec![T::ZERO; x.len()]);
            relu_backward_on(isa, x, &b.dy, &mut p);
            relu_backward_on(isa, &neg, &dy_neg, &mut q);
            for i in 0..x.len() {
                let want = p[i] - q[i];
                ensure!(
                    value_eq(dx[i], want) && (!x[i].is_nan() || dx[i].is_nan()),
                    "crelu_backward [{}] on {isa}, row_len {n}, at {i}: x = {}, dy_pos = {}, \
                     dy_neg = {}: got {}, relu_backward chain gives {}",
                    T::NAME,
                    show(x[i]),
                    show(b.dy[i]),
                    show(dy_neg[i]),
                    show(dx[i]),
                    show(want)
                );
            }
        }
        Ok(())
    };
    verdict(check())
}

/// A PReLU layout for `n` elements from `case` (its own when it fits, else one weight).
fn layout_for<T: TestFloat>(n: usize, weight: &[T], inner: usize) -> (Vec<T>, usize) {
    if n % (weight.len() * inner) == 0 {
        (weight.to_vec(), inner)
    } else {
        (weight[..1].to_vec(), inner)
    }
}

/// `name_inplace(xy)` leaves in `xy` exactly (bit for bit, NaN payloads included unless a
/// parameter is NaN) what `name(x, y)` writes to `y`, for every forward function and any
/// parameters (NaN and infinite ones included where the function accepts them).
fn prop_inplace<T: TestFloat>(
    b: Batch<T, ANY, false>,
    alpha: Slope<T>,
    celu_alpha: Alpha<T>,
    slope: Slope<T>,
    bounds: Bounds<T>,
    p: PreluCase<T, ANY>,
) -> TestResult {
    let x = &b.x;
    let (weight, inner) = layout_for(x.len(), &p.weight, p.inner);
    // With a NaN parameter an element can see two NaN operands, and then the payload is
    // unspecified (and does differ, e.g. elu with NaN alpha on AVX2); otherwise the payload
    // must match too.
    let strict = !(alpha.0.is_nan() || slope.0.is_nan() || weight.iter().any(|w| w.is_nan()));
    let fs = forwards(alpha.0, celu_alpha.0, slope.0, bounds, weight, inner);
    let eq: fn(T, T) -> bool = if strict { bits_eq } else { same };
    let check = || -> Verdict {
        for &isa in all_isas() {
            for f in &fs {
                check_inplace(&f.name, &f.out, &f.inplace, isa, x, eq)?;
            }
        }
        Ok(())
    };
    verdict(check())
}

/// ELU, SELU, CELU (alpha > 0), and the piecewise-linear ones with a slope >= 0, are
/// non-decreasing: on sorted inputs (with runs of adjacent floats) the outputs are sorted.
/// The piecewise-linear ones exactly; the ELU family within its error bound (results within
/// 1 or 2 ULP of the exact value can come out of order at adjacent inputs: seen in f64 at
/// x = -0.8054057859089596 and its successor).
fn prop_monotone<T: TestFloat>(
    b: Batch<T, NOT_NAN, false>,
    alpha: Alpha<T>,
    celu_alpha: Alpha<T>,
    slope: PosSlope<T>,
    bounds: Bounds<T>,
) -> TestResult {
    let mut x = b.x.clone();
    x.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let w = [slope.0];
    let fs = forwards(alpha.0, celu_alpha.0, slope.0, bounds, w.to_vec(), 1);
    let check = || -> Verdict {
        for &isa in all_isas() {
            for f in &fs {
                let name = f.name.split('(').next().unwrap_or("");
                let slack = if matches!(name, "elu" | "celu" | "selu") {
                    2.0
                } else {
                    0.0
                };
                check_monotone(&f.name, &f.out, isa, &x, |y, i| {
                    ulps_between(y[i - 1], y[i]) <= slack
                })?;
            }
        }
        Ok(())
    };
    verdict(check())
}

/// `elu(x) >= -alpha`, `celu(x) >= -alpha`, `selu(x) >= -scale * alpha` (with the bound
/// rounded to T) for every non-NaN x.
fn prop_elu_bounded_below<T: TestFloat>(
    b: Batch<T, NOT_NAN, false>,
    alpha: Alpha<T>,
    celu_alpha: Alpha<T>,
) -> TestResult {
    let x = &b.x;
    let (alpha, celu_alpha) = (alpha.0, celu_alpha.0);
    let cases: Vec<(String, OutOfPlace<T>, T)> = vec![
        (
            format!("elu({alpha:e})"),
            Box::new(move |i, x, y| elu_on(i, x, y, alpha)),
            alpha,
        ),
        ("selu".into(), Box::new(selu_on), T::from_f64(SELU_NEG_COEF)),
        (
            format!("celu({celu_alpha:e})"),
            Box::new(move |i, x, y| celu_on(i, x, y, celu_alpha)),
            celu_alpha,
        ),
    ];
    let check = || -> Verdict {
        for &isa in all_isas() {
            for (name, f, floor) in &cases {
                let y = apply(f, isa, x);
                for i in 0..x.len() {
                    ensure!(
                        y[i] >= -*floor,
                        "{name} [{}] on {isa}: f({}) = {} < -{}",
                        T::NAME,
                        show(x[i]),
                        show(y[i]),
                        show(*floor)
                    );
                }
            }
        }
        Ok(())
    };
    verdict(check())
}

/// NaN in gives NaN out: every forward (out of place, in place, CReLU's both halves, PReLU)
/// and every backward (from the input with any `dy`, from a NaN output, PReLU's `dx` and the
/// `dweight` of the NaN's channel, CReLU).
fn prop_nan_propagates<T: TestFloat>(
    b: Batch<T, ANY, true>,
    alpha: Alpha<T>,
    celu_alpha: Alpha<T>,
    slope: Slope<T>,
    pos_slope: PosSlope<T>,
    bounds: Bounds<T>,
    p: PreluCase<T, ANY>,
) -> TestResult {
    let (x, dy) = (&b.x, &b.dy);
    if !x.iter().any(|v| v.is_nan()) {
        return TestResult::discard();
    }
    let nans: Vec<usize> = (0..x.len()).filter(|&i| x[i].is_nan()).collect();
    let (weight, inner) = layout_for(x.len(), &p.weight, p.inner);
    let fs = forwards(
        alpha.0,
        celu_alpha.0,
        slope.0,
        bounds,
        weight.clone(),
        inner,
    );
    let gs = gradients(alpha.0, celu_alpha.0, slope.0, pos_slope.0, bounds);
    let check = || -> Verdict {
        for &isa in all_isas() {
            let ctx = |name: &str, i: usize| {
                format!("{name} [{}] on {isa}, n = {}, at {i}", T::NAME, x.len())
            };
            for f in &fs {
                let y = apply(&f.out, isa, x);
                let xy = apply_inplace(&f.inplace, isa, x);
                for &i in &nans {
                    ensure!(
                        y[i].is_nan(),
                        "{}: NaN in, {} out",
                        ctx(&f.name, i),
                        show(y[i])
                    );
                    ensure!(
                        xy[i].is_nan(),
                        "{} in place: NaN in, {} out",
                        ctx(&f.name, i),
                        show(xy[i])
                    );
                }
            }
            for (name, g) in &gs {
                let dx = apply_grad(g, isa, x, dy);
                for &i in &nans {
                    ensure!(
                        dx[i].is_nan(),
                        "{}: NaN in (dy = {}), {} out",
                        ctx(name, i),
                        show(dy[i]),
                        show(dx[i])
                    );
                }
            }
            let mut dx = vec![T::ZERO; x.len()];
            let mut dweight = vec![T::ZERO; weight.len()];
            prelu_backward_on(isa, x, dy, &mut dx, &weight, inner, &mut dweight);
            for &i in &nans {
                let c = (i / inner) % weight.len();
                ensure!(
                    dx[i].is_nan(),
                    "{}: NaN in, dx = {}",
                    ctx(&format!("prelu_backward({weight:?}, inner {inner})"), i),
                    show(dx[i])
                );
                ensure!(
                    dweight[c].is_nan(),
                    "{}: NaN in, dweight[{c}] = {}",
                    ctx(&format!("prelu_backward({weight:?}, inner {inner})"), i),
                    show(dweight[c])
                );
            }
            let n = row_len(x.len(), 7);
            let mut y = vec![T::ZERO; 2 * x.len()];
            crelu_on(isa, x, &mut y, n);
            let dy2: Vec<T> = dy.iter().chain(dy.iter()).copied().collect();
            let mut dx = vec![T::ZERO; x.len()];
            crelu_backward_on(isa, x, &dy2, &mut dx, n);
            for &i in &nans {
                let (r, j) = (i / n, i % n);
                ensure!(
                    y[2 * r * n + j].is_nan() && y[2 * r * n + n + j].is_nan(),
                    "{}: NaN in, halves {} and {}",
                    ctx("crelu", i),
                    show(y[2 * r * n + j]),
                    show(y[2 * r * n + n + j])
                );
                ensure!(
                    dx[i].is_nan(),
                    "{}: NaN in, dx = {}",
                    ctx("crelu_backward", i),
                    show(dx[i])
                );
            }
        }
        Ok(())
    };
    verdict(check())
}

/// PReLU with one weight is leaky ReLU with that slope, bit for bit: forward, in place and
/// `dx`, whatever `inner` (which a single weight ignores).
fn prop_prelu_one_weight_is_leaky<T: TestFloat>(
    b: Batch<T, ANY, true>,
    w: Slope<T>,
    inner: Small,
    huge_inner: bool,
) -> TestResult {
    let (x, dy, w) = (&b.x, &b.dy, w.0);
    let inner = if huge_inner { usize::MAX } else { inner.0 };
    let check = || -> Verdict {
        for &isa in all_isas() {
            let n = x.len();
            let (mut yp, mut yl) = (vec![T::ZERO; n], vec![T::ZERO; n]);
            prelu_on(isa, x, &mut yp, &[w], inner);
            leaky_relu_on(isa, x, &mut yl, w);
            let mut xy = x.clone();
            prelu_inplace_on(isa, &mut xy, &[w], inner);
            let (mut dp, mut dl) = (vec![T::ZERO; n], vec![T::ZERO; n]);
            let mut dw = [T::from_f64(f64::NAN)];
            prelu_backward_on(isa, x, dy, &mut dp, &[w], inner, &mut dw);
            leaky_relu_backward_on(isa, x, dy, &mut dl, w);
            for i in 0..n {
                ensure!(
                    same(yp[i], yl[i]) && same(xy[i], yl[i]),
                    "prelu([{}], inner {inner}) [{}] on {isa} at {i}: x = {}: {} (in place {}) != \
                     leaky_relu {}",
                    show(w),
                    T::NAME,
                    show(x[i]),
                    show(yp[i]),
                    show(xy[i]),
                    show(yl[i])
                );
                ensure!(
                    same(dp[i], dl[i]),
                    "prelu_backward([{}], inner {inner}) [{}] on {isa} at {i}: x = {}, dy = {}: \
                     dx = {} != leaky_relu_backward {}",
                    show(w),
                    T::NAME,
                    show(x[i]),
                    show(dy[i]),
                    show(dp[i]),
                    show(dl[i])
                );
            }
        }
        Ok(())
    };
    verdict(check())
}

/// PReLU per channel: each run of `inner` elements equals leaky ReLU with its channel's weight
/// (forward and `dx`, bit for bit), and `dweight[c]` is the sum over the channel of
/// `x <= 0 ? x * dy : 0` (exact sum in f64; tolerance `(n + 2) eps sum |x dy|`, plus the
/// subnormal floor of each product). `dweight` starts as NaN, so it must be overwritten.
fn prop_prelu_channels<T: TestFloat>(p: PreluCase<T, MODERATE>) -> TestResult {
    let (x, dy, weight, inner) = (&p.x, &p.dy, &p.weight, p.inner);
    let n = x.len();
    let check = || -> Verdict {
        for &isa in all_isas() {
            let mut y = vec![T::ZERO; n];
            prelu_on(isa, x, &mut y, weight, inner);
            let mut dx = vec![T::ZERO; n];
            let mut dweight = vec![T::from_f64(f64::NAN); weight.len()];
            prelu_backward_on(isa, x, dy, &mut dx, weight, inner, &mut dweight);
            for start in (0..n).step_by(inner) {
                let c = p.channel(start);
                let run = start..start + inner;
                let mut yl = vec![T::ZERO; inner];
                leaky_relu_on(isa, &x[run.clone()], &mut yl, weight[c]);
                let mut dl = vec![T::ZERO; inner];
                leaky_relu_backward_on(isa, &x[run.clone()], &dy[run.clone()], &mut dl, weight[c]);
                for (k, i) in run.enumerate() {
                    ensure!(
                        same(y[i], yl[k]) && same(dx[i], dl[k]),
                        "prelu {:?}, inner {inner} [{}] on {isa} at {i} (channel {c}): x = {}, \
                         dy = {}: y = {}, dx = {}; leaky_relu gives {}, {}",
                        weight,
                        T::NAME,
                        show(x[i]),
                        show(dy[i]),
                        show(y[i]),
                        show(dx[i]),
                        show(yl[k]),
                        show(dl[k])
                    );
                }
            }
            for (c, dw) in dweight.iter().enumerate() {
                let (mut sum, mut abs, mut count) = (0.0f64, 0.0f64, 0usize);
                for i in (0..n).filter(|&i| p.channel(i) == c) {
                    count += 1;
                    if x[i] <= T::ZERO {
                        let t = x[i].to_f64() * dy[i].to_f64();
                        sum += t;
                        abs += t.abs();
                    }
                }
                let tol = (count as f64 + 2.0) * eps::<T>() * abs
                    + 2.0 * count as f64 * min_subnormal::<T>();
                let got = dw.to_f64();
                ensure!(
                    (got - sum).abs() <= tol,
                    "prelu_backward {:?}, inner {inner} [{}] on {isa}: dweight[{c}] = {got:e}, \
                     sum of x * dy over x <= 0 = {sum:e} (tol {tol:e}, {count} elements)",
                    weight,
                    T::NAME
                );
            }
        }
        Ok(())
    };
    verdict(check())
}

// ------------------------------------------------------------------------------------------
// Tests
// ------------------------------------------------------------------------------------------

type FdProp<T> = fn(SmoothX<T>, Grad<T>, Alpha<T>, Alpha<T>, Slope<T>, Bounds<T>) -> TestResult;
type FromOutputProp<T> =
    fn(Batch<T, ANY, false>, Alpha<T>, Alpha<T>, PosSlope<T>, Bounds<T>) -> TestResult;
type InplaceProp<T> = fn(
    Batch<T, ANY, false>,
    Slope<T>,
    Alpha<T>,
    Slope<T>,
    Bounds<T>,
    PreluCase<T, ANY>,
) -> TestResult;
type MonotoneProp<T> =
    fn(Batch<T, NOT_NAN, false>, Alpha<T>, Alpha<T>, PosSlope<T>, Bounds<T>) -> TestResult;
type NanProp<T> = fn(
    Batch<T, ANY, true>,
    Alpha<T>,
    Alpha<T>,
    Slope<T>,
    PosSlope<T>,
    Bounds<T>,
    PreluCase<T, ANY>,
) -> TestResult;

/// Each property as a `#[test]` for f32 (in module `$m32`) and f64 (in `$m64`), with a number
/// of cases per property, or one number (after the module names) for all of them.
/// The fused bias forms are the composition: `forward_bias` equals `x + bias` rounded then
/// `forward`, and `backward_bias`'s `dx` equals `backward` at `x + bias`, bit for bit (a NaN
/// result is the first NaN of `x`, the bias and `dy`, quieted), for every activation of the
/// registry on every ISA, over PReLU's layouts (the bias in the weights' place); `dbias` is
/// the same bits on every ISA.
fn prop_bias_is_the_composition<T: TestFloat>(p: PreluCase<T, MODERATE>) -> TestResult {
    let (x, dy, bias, inner) = (&p.x, &p.dy, &p.weight, p.inner);
    let n = x.len();
    let z: Vec<T> = (0..n)
        .map(|i| T::from_f64(x[i].to_f64() + bias[p.channel(i)].to_f64()))
        .collect();
    let check = || -> Verdict {
        for a in Activation::ALL {
            let mut first_dbias: Option<Vec<T>> = None;
            for &isa in all_isas() {
                let (mut want, mut got) = (vec![T::ZERO; n], vec![T::ZERO; n]);
                a.forward_on(isa, &z, &mut want).unwrap();
                a.forward_bias_on(isa, x, &mut got, bias, inner).unwrap();
                for i in 0..n {
                    let w = common::nan_rule(&[x[i], bias[p.channel(i)]], want[i]);
                    ensure!(
                        bits_eq(got[i], w),
                        "{a} forward_bias on {isa}, bias {:?}, inner {inner}, at {i}: x = {}: {} != {}",
                        bias, show(x[i]), show(got[i]), show(w)
                    );
                }
                let mut dbias = vec![T::ZERO; bias.len()];
                a.backward_on(isa, &z, dy, &mut want).unwrap();
                a.backward_bias_on(isa, x, dy, &mut got, bias, inner, &mut dbias)
                    .unwrap();
                for i in 0..n {
                    let w = common::nan_rule(&[x[i], bias[p.channel(i)], dy[i]], want[i]);
                    ensure!(
                        bits_eq(got[i], w),
                        "{a} backward_bias on {isa}, bias {:?}, inner {inner}, at {i}: x = {}, dy = {}: {} != {}",
                        bias, show(x[i]), show(dy[i]), show(got[i]), show(w)
                    );
                }
                if let Some(d) = &first_dbias {
                    ensure!(
                        d.iter().zip(&dbias).all(|(u, v)| bits_eq(*u, *v)),
                        "{a} dbias on {isa} differs from the first ISA's: {:?} != {:?}",
                        dbias,
                        d
                    );
                } else {
                    first_dbias = Some(dbias);
                }
            }
        }
        Ok(())
    };
    verdict(check())
}

macro_rules! for_both {
    ($m32:ident, $m64:ident, $n:expr; $($name:ident => $body:ident : $ty:ident;)*) => {
        for_both! { $m32, $m64; $($name => $body: $ty, $n;)* }
    };
    ($m32:ident, $m64:ident; $($name:ident => $body:ident : $ty:ident, $n:expr;)*) => {
        mod $m32 {
            use super::*;
            $(#[test] fn $name() { run_n($n, $body::<f32> as $ty<f32>) })*
        }
        mod $m64 {
            use super::*;
            $(#[test] fn $name() { run_n($n, $body::<f64> as $ty<f64>) })*
        }
    };
}

type BatchProp<T, const M: u8> = fn(Batch<T, M, false>) -> TestResult;
type ReluAbsProp<T> = BatchProp<T, NOT_NAN>;
type CreluProp<T> = fn(Batch<T, ANY, false>, Small) -> TestResult;
type CreluBackwardProp<T> = fn(Batch<T, ANY, true>, Batch<T, ANY, true>, Small) -> TestResult;
type BoundedProp<T> = fn(Batch<T, NOT_NAN, false>, Alpha<T>, Alpha<T>) -> TestResult;
type OneWeightProp<T> = fn(Batch<T, ANY, true>, Slope<T>, Small, bool) -> TestResult;
type ChannelsProp<T> = fn(PreluCase<T, MODERATE>) -> TestResult;

for_both! {
    f32_props, f64_props, DEFAULT_TESTS;
    backward_matches_central_difference => prop_finite_difference: FdProp;
    backward_from_output_matches_backward => prop_from_output: FromOutputProp;
    relu_x_plus_relu_minus_x_is_abs => prop_relu_abs: ReluAbsProp;
    crelu_rows_are_relu_of_x_and_minus_x => prop_crelu_rows: CreluProp;
    crelu_backward_is_the_chain_rule => prop_crelu_backward: CreluBackwardProp;
    inplace_equals_out_of_place => prop_inplace: InplaceProp;
    monotone_non_decreasing => prop_monotone: MonotoneProp;
    elu_family_bounded_below => prop_elu_bounded_below: BoundedProp;
    nan_in_gives_nan_out => prop_nan_propagates: NanProp;
    prelu_one_weight_is_leaky_relu => prop_prelu_one_weight_is_leaky: OneWeightProp;
    prelu_channels_and_dweight => prop_prelu_channels: ChannelsProp;
}

for_both! {
    f32_bias_props, f64_bias_props, 1000;
    bias_forms_are_the_composition => prop_bias_is_the_composition: ChannelsProp;
}

// ------------------------------------------------------------------------------------------
// Smooth activations: sigmoid, tanh, SiLU, GELU (both forms), softplus, mish, hardswish,
// hardsigmoid
// ------------------------------------------------------------------------------------------

/// Softplus's `threshold` in these properties (PyTorch's default).
const SOFTPLUS_THRESHOLD: f64 = 20.0;

/// Softplus `beta` in (0.5, 3); shrinks towards 1.
#[derive(Clone, Copy, Debug)]
struct Beta<T>(T);

impl<T: TestFloat> Arbitrary for Beta<T> {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut r = rng(g);
        Beta(match below(&mut r, 4) {
            0 => T::ONE,
            1 => T::from_f64(log_uniform(&mut r, 0.501, 2.999)),
            _ => T::from_f64(uniform(&mut r, 0.501, 2.999)),
        })
    }
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        Box::new(
            shrink_param(self.0, 0.501, 2.999, &[1.0, 2.0])
                .into_iter()
                .map(Beta),
        )
    }
}

/// What a function does at an infinite input.
#[derive(Clone, Copy)]
struct Limit {
    /// `f(+-inf)`, bit for bit.
    value: f64,
    /// `f'(+-inf)`: the backward gives `dy * slope` (for finite `dy`).
    slope: f64,
    /// The backward is a select there: 0 whatever `dy` (NaN and infinities included).
    select: bool,
}

const fn limit(value: f64, slope: f64) -> Limit {
    Limit {
        value,
        slope,
        select: false,
    }
}

const fn select_zero(value: f64) -> Limit {
    Limit {
        value,
        slope: 0.0,
        select: true,
    }
}

/// Softplus's step down at its threshold: `f(x) = ln(1 + e^(beta x)) / beta` up to
/// `beta x == threshold` (compared in f64, as the kernel does), `x` above, so the output drops
/// by `ln(1 + e^-threshold) / beta` (as in PyTorch).
#[derive(Clone, Copy)]
struct Step {
    beta: f64,
    threshold: f64,
}

/// A smooth activation.
struct Act<T> {
    name: String,
    out: OutOfPlace<T>,
    inplace: InPlace<T>,
    backward: Gradient<T>,
    /// The f64 forward, for central differences.
    forward64: OutOfPlace<f64>,
    /// Where the function or its derivative breaks.
    breaks: Vec<f64>,
    /// A bound on the f64 forward's error, in ULP (for the central difference's own error).
    ulps: f64,
    /// Non-decreasing, and the gradient `>= 0`, on `[monotone_from, +inf]`.
    monotone_from: f64,
    /// In f64, how far (in ULP of the output) a larger input's output may fall below a
    /// smaller one's: the evaluation is within a few ULP, not correctly rounded, so adjacent
    /// inputs can come out 1 ULP out of order. 0 for the hard variants (a few monotone
    /// roundings). f32 results are the f64 ones rounded, and held to exact order.
    monotone_ulps: f64,
    /// At `-inf` and `+inf`.
    limits: [Limit; 2],
    step: Option<Step>,
}

/// The defaults: smooth everywhere, within 8 ULP in f64 (monotone within 8 ULP), non-decreasing
/// from 0, `f(-inf) = -0` with slope 0, `f(+inf) = +inf` with slope 1.
fn act<T: TestFloat>(
    name: &str,
    out: OutOfPlace<T>,
    inplace: InPlace<T>,
    backward: Gradient<T>,
    forward64: OutOfPlace<f64>,
) -> Act<T> {
    Act {
        name: name.into(),
        out,
        inplace,
        backward,
        forward64,
        breaks: vec![],
        ulps: 8.0,
        monotone_from: 0.0,
        monotone_ulps: 8.0,
        limits: [limit(-0.0, 0.0), limit(f64::INFINITY, 1.0)],
        step: None,
    }
}

impl<T> Act<T> {
    /// What the central difference needs.
    fn into_smooth(self) -> Smooth<T> {
        Smooth {
            name: self.name,
            forward64: self.forward64,
            backward: self.backward,
            breaks: self.breaks,
            ulps: self.ulps,
        }
    }
}

/// Every smooth activation (softplus with `beta` and threshold [`SOFTPLUS_THRESHOLD`]).
fn acts<T: TestFloat>(beta: T) -> Vec<Act<T>> {
    let (b64, t64) = (beta.to_f64(), SOFTPLUS_THRESHOLD);
    let threshold = T::from_f64(t64);
    vec![
        Act {
            monotone_from: f64::NEG_INFINITY,
            limits: [limit(0.0, 0.0), limit(1.0, 0.0)],
            ..act(
                "sigmoid",
                Box::new(sigmoid_on),
                Box::new(sigmoid_inplace_on),
                Box::new(sigmoid_backward_on),
                Box::new(sigmoid_on),
            )
        },
        Act {
            monotone_from: f64::NEG_INFINITY,
            limits: [limit(-1.0, 0.0), limit(1.0, 0.0)],
            ..act(
                "tanh",
                Box::new(tanh_on),
                Box::new(tanh_inplace_on),
                Box::new(tanh_backward_on),
                Box::new(tanh_on),
            )
        },
        act(
            "silu",
            Box::new(silu_on),
            Box::new(silu_inplace_on),
            Box::new(silu_backward_on),
            Box::new(silu_on),
        ),
        Act {
            // Differential tests: within 16 ULP of the reference.
            ulps: 32.0,
            monotone_ulps: 32.0,
            ..act(
                "gelu",
                Box::new(gelu_on),
                Box::new(gelu_inplace_on),
                Box::new(gelu_backward_on),
                Box::new(gelu_on),
            )
        },
        Act {
            // The negative tail amplifies the rounding of `u` by |2u| (< 1500 while normal).
            ulps: 4096.0,
            monotone_ulps: 64.0,
            ..act(
                "gelu_tanh",
                Box::new(gelu_tanh_on),
                Box::new(gelu_tanh_inplace_on),
                Box::new(gelu_tanh_backward_on),
                Box::new(gelu_tanh_on),
            )
        },
        Act {
            breaks: vec![t64 / b64],
            monotone_from: f64::NEG_INFINITY,
            limits: [limit(0.0, 0.0), limit(f64::INFINITY, 1.0)],
            step: Some(Step {
                beta: b64,
                threshold: t64,
            }),
            ..act(
                &format!("softplus({beta:e}, {t64:e})"),
                Box::new(move |i, x, y| softplus_on(i, x, y, beta, threshold)),
                Box::new(move |i, xy| softplus_inplace_on(i, xy, beta, threshold)),
                Box::new(move |i, x, dy, dx| softplus_backward_on(i, x, dy, dx, beta, threshold)),
                Box::new(move |i, x, y| softplus_on(i, x, y, b64, t64)),
            )
        },
        act(
            "mish",
            Box::new(mish_on),
            Box::new(mish_inplace_on),
            Box::new(mish_backward_on),
            Box::new(mish_on),
        ),
        Act {
            breaks: vec![-3.0, 3.0],
            monotone_ulps: 0.0,
            limits: [select_zero(-0.0), limit(f64::INFINITY, 1.0)],
            ..act(
                "hardswish",
                Box::new(hardswish_on),
                Box::new(hardswish_inplace_on),
                Box::new(hardswish_backward_on),
                Box::new(hardswish_on),
            )
        },
        Act {
            breaks: vec![-3.0, 3.0],
            monotone_ulps: 0.0,
            monotone_from: f64::NEG_INFINITY,
            limits: [select_zero(0.0), select_zero(1.0)],
            ..act(
                "hardsigmoid",
                Box::new(hardsigmoid_on),
                Box::new(hardsigmoid_inplace_on),
                Box::new(hardsigmoid_backward_on),
                Box::new(hardsigmoid_on),
            )
        },
    ]
}

/// The two with a gradient from the output: (name, forward, from input, from output).
type FromOutput<T> = (&'static str, OutOfPlace<T>, Gradient<T>, Gradient<T>);

fn from_output_pairs<T: TestFloat>() -> Vec<FromOutput<T>> {
    vec![
        (
            "sigmoid",
            Box::new(sigmoid_on),
            Box::new(sigmoid_backward_on),
            Box::new(sigmoid_backward_from_output_on),
        ),
        (
            "tanh",
            Box::new(tanh_on),
            Box::new(tanh_backward_on),
            Box::new(tanh_backward_from_output_on),
        ),
    ]
}

/// `name_backward(x, dy) = dy * f'(x)` where `f'` is a central difference of the f64 forward
/// (on the same ISA), for `|x| < 30` at least 1e-3 from every breakpoint (hardswish and
/// hardsigmoid: +-3; softplus: `threshold / beta`). Tolerance as [`prop_finite_difference`],
/// with each function's own f64 error bound (`Act::ulps`) in the difference's rounding error,
/// and its subnormal floor scaled by `1 + |x|`.
fn prop_smooth_finite_difference<T: TestFloat>(
    x: SmoothX<T>,
    dy: Grad<T>,
    beta: Beta<T>,
) -> TestResult {
    let cases: Vec<Smooth<T>> = acts(beta.0).into_iter().map(Act::into_smooth).collect();
    let x64 = x.0.to_f64();
    // In the subnormal range the forward is `x * s` with `s` subnormal: a few subnormal units,
    // times |x| (gelu_tanh at x = -21.32: f = -1.5e-314). No ISA is skipped for a non-finite
    // forward (none is expected for |x| < 30).
    let subnormal_floor = 4.0 * (1.0 + x64.abs()) * min_subnormal::<f64>();
    central_difference(&cases, x.0, dy.0, subnormal_floor, false)
}

/// For every non-NaN x: `sigmoid(x)` and `hardsigmoid(x)` in [0, 1]; `tanh(x)` in [-1, 1] and
/// odd (`tanh(-x) == -tanh(x)` bit for bit), and `tanh(x) == x` bit for bit for
/// `|x| < 1e-9` (zeros keep their sign, subnormals are not flushed);
/// `|sigmoid(x) + sigmoid(-x) - 1| <= 8 eps` (each within a few ULP, and their sum's rounding).
fn prop_sigmoid_tanh_ranges<T: TestFloat>(b: Batch<T, NOT_NAN, false>) -> TestResult {
    let x = &b.x;
    let neg = map(x, |v| -v);
    let (zero, one) = (T::ZERO, T::ONE);
    let check = || -> Verdict {
        for &isa in all_isas() {
            let run = |f: fn(Isa, &[T], &mut [T]), x: &[T]| {
                let mut y = vec![T::from_f64(-777.0); x.len()];
                f(isa, x, &mut y);
                y
            };
            let (s, sn) = (run(sigmoid_on, x), run(sigmoid_on, &neg));
            let (t, tn) = (run(tanh_on, x), run(tanh_on, &neg));
            let hs = run(hardsigmoid_on, x);
            for i in 0..x.len() {
                let ctx = || format!("[{}] on {isa}, n = {}, at {i}", T::NAME, x.len());
                ensure!(
                    zero <= s[i] && s[i] <= one,
                    "sigmoid {}: sigmoid({}) = {} outside [0, 1]",
                    ctx(),
                    show(x[i]),
                    show(s[i])
                );
                ensure!(
                    zero <= hs[i] && hs[i] <= one,
                    "hardsigmoid {}: hardsigmoid({}) = {} outside [0, 1]",
                    ctx(),
                    show(x[i]),
                    show(hs[i])
                );
                ensure!(
                    -one <= t[i] && t[i] <= one,
                    "tanh {}: tanh({}) = {} outside [-1, 1]",
                    ctx(),
                    show(x[i]),
                    show(t[i])
                );
                ensure!(
                    bits_eq(tn[i], -t[i]),
                    "tanh {} not odd: tanh({}) = {}, tanh({}) = {}",
                    ctx(),
                    show(x[i]),
                    show(t[i]),
                    show(neg[i]),
                    show(tn[i])
                );
                if x[i].to_f64().abs() < 1e-9 {
                    ensure!(
                        bits_eq(t[i], x[i]),
                        "tanh {}: tanh({}) = {}, not x",
                        ctx(),
                        show(x[i]),
                        show(t[i])
                    );
                }
                let sum = s[i].to_f64() + sn[i].to_f64();
                let tol = 8.0 * eps::<T>();
                ensure!(
                    (sum - 1.0).abs() <= tol,
                    "sigmoid {}: sigmoid({}) + sigmoid({}) = {} + {} = {sum:e}, not 1 \
                     (tol {tol:e})",
                    ctx(),
                    show(x[i]),
                    show(neg[i]),
                    show(s[i]),
                    show(sn[i])
                );
            }
        }
        Ok(())
    };
    verdict(check())
}

/// On sorted inputs (runs of adjacent floats included) the outputs are sorted: sigmoid, tanh,
/// softplus and hardsigmoid everywhere, the others (whose minimum is below 0) on `x >= 0`.
/// f32 and the hard variants exactly; the others in f64 up to their error bound
/// (`Act::monotone_ulps`: e.g. f64 sigmoid at the adjacent -0.9686653086803467 and
/// -0.9686653086803466 is 1 ULP off each way, so its outputs come out 1 ULP out of order).
/// Softplus drops by `ln(1 + e^-threshold) / beta` where `beta x` crosses its threshold (its
/// documented definition, as PyTorch; visible in f64, below f32's resolution), so there the
/// drop is allowed up to that (plus the rounding of the outputs); the threshold's neighbours
/// are always among its inputs.
fn prop_smooth_monotone<T: TestFloat>(b: Batch<T, NOT_NAN, false>, beta: Beta<T>) -> TestResult {
    let mut sorted = b.x.clone();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let check = || -> Verdict {
        for f in acts(beta.0) {
            let mut x: Vec<T> = sorted
                .iter()
                .copied()
                .filter(|v| v.to_f64() >= f.monotone_from)
                .collect();
            if let Some(s) = f.step {
                let t = T::from_f64(s.threshold / s.beta);
                x.extend([t.next_down().next_down(), t.next_down(), t, t.next_up()]);
                x.sort_by(|a, b| a.partial_cmp(b).unwrap());
            }
            for &isa in all_isas() {
                check_monotone(&f.name, &f.out, isa, &x, |y, i| {
                    let (hi, lo) = (y[i - 1].to_f64(), y[i].to_f64());
                    let rounding = if T::NAME == "f64" {
                        f.monotone_ulps * (eps::<T>() * hi.abs() + min_subnormal::<T>())
                    } else {
                        0.0
                    };
                    let across_step = f.step.is_some_and(|s| {
                        let (z0, z1) = (x[i - 1].to_f64() * s.beta, x[i].to_f64() * s.beta);
                        let drop = (-s.threshold).exp().ln_1p() / s.beta;
                        z0 <= s.threshold
                            && s.threshold < z1
                            && hi - lo <= drop * (1.0 + 1e-6) + 8.0 * eps::<T>() * hi.abs()
                    });
                    hi - lo <= rounding || across_step
                })?;
            }
        }
        Ok(())
    };
    verdict(check())
}

/// The gradients are `>= 0` (with `dy = 1`) where the functions are non-decreasing: sigmoid,
/// tanh (from the input, and from their output), softplus and hardsigmoid everywhere, the
/// others on `x >= 0`.
fn prop_smooth_gradient_sign<T: TestFloat>(
    b: Batch<T, NOT_NAN, false>,
    beta: Beta<T>,
) -> TestResult {
    let x = &b.x;
    let ones = vec![T::ONE; x.len()];
    let check = || -> Verdict {
        for &isa in all_isas() {
            for f in acts(beta.0) {
                let dx = apply_grad(&f.backward, isa, x, &ones);
                for i in 0..x.len() {
                    if x[i].to_f64() >= f.monotone_from {
                        ensure!(
                            dx[i] >= T::ZERO,
                            "{}_backward [{}] on {isa}: x = {}, dy = 1: dx = {} < 0",
                            f.name,
                            T::NAME,
                            show(x[i]),
                            show(dx[i])
                        );
                    }
                }
            }
            for (name, fwd, _, from_out) in from_output_pairs::<T>() {
                let y = apply(&fwd, isa, x);
                let dx = apply_grad(&from_out, isa, &y, &ones);
                for i in 0..x.len() {
                    ensure!(
                        dx[i] >= T::ZERO,
                        "{name}_backward_from_output [{}] on {isa}: x = {}, y = {}, dy = 1: \
                         dx = {} < 0",
                        T::NAME,
                        show(x[i]),
                        show(y[i]),
                        show(dx[i])
                    );
                }
            }
        }
        Ok(())
    };
    verdict(check())
}

/// `sigmoid_backward_from_output(sigmoid(x), dy)` and `tanh_backward_from_output(tanh(x), dy)`
/// agree with the gradients from the input, within what `y`'s rounding explains: `y` within
/// 4 ULP (`4 eps |y|`) moves `y (1 - y)` by `|1 - 2y|` times that and `1 - y^2` by `2|y|`
/// times that, all scaled by `|dy|`; plus 16 ULP of the result and the subnormal floor. NaN
/// and infinities: both NaN, or equal.
fn prop_smooth_from_output<T: TestFloat>(b: Batch<T, ANY, false>) -> TestResult {
    let (x, dy) = (&b.x, &b.dy);
    let e = eps::<T>();
    let check = || -> Verdict {
        for &isa in all_isas() {
            for (name, fwd, back, from_out) in from_output_pairs::<T>() {
                let (y, want, got) = gradients_both_ways(&fwd, &back, &from_out, isa, x, dy);
                for i in 0..x.len() {
                    let (g, w, d, yv) = (
                        got[i].to_f64(),
                        want[i].to_f64(),
                        dy[i].to_f64(),
                        y[i].to_f64(),
                    );
                    let sensitivity = if name == "sigmoid" {
                        (1.0 - 2.0 * yv).abs()
                    } else {
                        2.0 * yv.abs()
                    };
                    let tol = 16.0 * e * w.abs()
                        + d.abs() * sensitivity * 4.0 * e * yv.abs()
                        + 4.0 * min_subnormal::<T>() * (1.0 + d.abs());
                    ensure!(
                        within(g, w, tol),
                        "{name}: backward_from_output [{}] on {isa} at {i}: x = {}, y = {}, \
                         dy = {}: from output {} vs from input {} (|error| {:e} > tol {tol:e})",
                        T::NAME,
                        show(x[i]),
                        show(y[i]),
                        show(dy[i]),
                        show(got[i]),
                        show(want[i]),
                        (g - w).abs()
                    );
                }
            }
        }
        Ok(())
    };
    verdict(check())
}

/// `name_inplace(xy)` leaves in `xy` exactly (bit for bit, signed zeros included; NaN where
/// the other has NaN) what `name(x, y)` writes to `y`, for every smooth forward. NaN payloads
/// and signs are not compared: the f64 evaluation combines the NaN `x` with NaNs derived from
/// it (e.g. `exp(-|x|)`, sign set), where Rust leaves the result's sign and payload
/// unspecified, and codegen differs (e.g. f64 mish on AVX2: in place `0x7ff8..`, out of
/// place `0xfff8..` from the canonical NaN). The library promises NaN out, no payload.
fn prop_smooth_inplace<T: TestFloat>(b: Batch<T, ANY, false>, beta: Beta<T>) -> TestResult {
    let x = &b.x;
    let check = || -> Verdict {
        for &isa in all_isas() {
            for f in acts(beta.0) {
                check_inplace(&f.name, &f.out, &f.inplace, isa, x, same)?;
            }
        }
        Ok(())
    };
    verdict(check())
}

/// NaN in gives NaN out, for every smooth forward (out of place and in place) and backward
/// (whatever `dy`, NaN and infinities included), and from a NaN output.
fn prop_smooth_nan<T: TestFloat>(b: Batch<T, ANY, true>, beta: Beta<T>) -> TestResult {
    let (x, dy) = (&b.x, &b.dy);
    let nans: Vec<usize> = (0..x.len()).filter(|&i| x[i].is_nan()).collect();
    if nans.is_empty() {
        return TestResult::discard();
    }
    let check = || -> Verdict {
        for &isa in all_isas() {
            let ctx = |name: &str, i: usize| {
                format!("{name} [{}] on {isa}, n = {}, at {i}", T::NAME, x.len())
            };
            for f in acts(beta.0) {
                let y = apply(&f.out, isa, x);
                let xy = apply_inplace(&f.inplace, isa, x);
                let dx = apply_grad(&f.backward, isa, x, dy);
                for &i in &nans {
                    ensure!(
                        y[i].is_nan() && xy[i].is_nan(),
                        "{}: NaN in, {} out ({} in place)",
                        ctx(&f.name, i),
                        show(y[i]),
                        show(xy[i])
                    );
                    ensure!(
                        dx[i].is_nan(),
                        "{}: NaN in (dy = {}), dx = {}",
                        ctx(&format!("{}_backward", f.name), i),
                        show(dy[i]),
                        show(dx[i])
                    );
                }
            }
            for (name, _, _, from_out) in from_output_pairs::<T>() {
                let dx = apply_grad(&from_out, isa, x, dy);
                for &i in &nans {
                    ensure!(
                        dx[i].is_nan(),
                        "{}: NaN y (dy = {}), dx = {}",
                        ctx(&format!("{name}_backward_from_output"), i),
                        show(dy[i]),
                        show(dx[i])
                    );
                }
            }
        }
        Ok(())
    };
    verdict(check())
}

/// The documented limits at `+-inf` (placed every `stride` elements among arbitrary values):
/// forward (out of place and in place) bit for bit: sigmoid 0 and 1, tanh -1 and 1, softplus
/// 0 and inf, hardsigmoid 0 and 1, silu, gelu, gelu_tanh, mish and hardswish -0.0 and inf.
/// Backward, for finite `dy`: `dy * f'(+-inf)` as a value (0, or `dy` itself where the slope is
/// 1); where the gradient is a select (hardsigmoid at both, hardswish at -inf) 0 for any `dy`;
/// from the output (sigmoid, tanh): 0.
fn prop_smooth_limits<T: TestFloat>(
    b: Batch<T, ANY, true>,
    beta: Beta<T>,
    stride: Small,
) -> TestResult {
    let stride = stride.0 % 5 + 2;
    let dy = &b.dy;
    let x: Vec<T> = (0..b.x.len())
        .map(|i| match i % stride {
            0 => T::from_f64(f64::INFINITY),
            1 => T::from_f64(f64::NEG_INFINITY),
            _ => b.x[i],
        })
        .collect();
    let infs: Vec<(usize, usize)> = (0..x.len())
        .filter(|&i| i % stride < 2)
        .map(|i| (i, if x[i] > T::ZERO { 1 } else { 0 }))
        .collect();
    let check = || -> Verdict {
        for &isa in all_isas() {
            let ctx = |name: &str, i: usize| {
                format!(
                    "{name} [{}] on {isa}, n = {}, at {i}: x = {}",
                    T::NAME,
                    x.len(),
                    show(x[i])
                )
            };
            for f in acts(beta.0) {
                let y = apply(&f.out, isa, &x);
                let xy = apply_inplace(&f.inplace, isa, &x);
                let dx = apply_grad(&f.backward, isa, &x, dy);
                for &(i, side) in &infs {
                    let lim = f.limits[side];
                    let want = T::from_f64(lim.value);
                    ensure!(
                        bits_eq(y[i], want) && bits_eq(xy[i], want),
                        "{}: {} ({} in place), want {}",
                        ctx(&f.name, i),
                        show(y[i]),
                        show(xy[i]),
                        show(want)
                    );
                    let d = dy[i].to_f64();
                    if lim.select {
                        ensure!(
                            dx[i] == T::ZERO,
                            "{}, dy = {}: dx = {}, want 0 (a select)",
                            ctx(&format!("{}_backward", f.name), i),
                            show(dy[i]),
                            show(dx[i])
                        );
                    } else if d.is_finite() {
                        let want = d * lim.slope;
                        ensure!(
                            dx[i].to_f64() == want,
                            "{}, dy = {}: dx = {}, want {want:e}",
                            ctx(&format!("{}_backward", f.name), i),
                            show(dy[i]),
                            show(dx[i])
                        );
                    }
                }
            }
            for (name, fwd, _, from_out) in from_output_pairs::<T>() {
                let y = apply(&fwd, isa, &x);
                let dx = apply_grad(&from_out, isa, &y, dy);
                for &(i, _) in &infs {
                    if dy[i].to_f64().is_finite() {
                        ensure!(
                            dx[i] == T::ZERO,
                            "{}, y = {}, dy = {}: dx = {}, want 0",
                            ctx(&format!("{name}_backward_from_output"), i),
                            show(y[i]),
                            show(dy[i]),
                            show(dx[i])
                        );
                    }
                }
            }
        }
        Ok(())
    };
    verdict(check())
}

type SmoothFdProp<T> = fn(SmoothX<T>, Grad<T>, Beta<T>) -> TestResult;
type SmoothRangesProp<T> = fn(Batch<T, NOT_NAN, false>) -> TestResult;
type SmoothSortedProp<T> = fn(Batch<T, NOT_NAN, false>, Beta<T>) -> TestResult;
type SmoothFromOutputProp<T> = fn(Batch<T, ANY, false>) -> TestResult;
type SmoothInplaceProp<T> = fn(Batch<T, ANY, false>, Beta<T>) -> TestResult;
type SmoothNanProp<T> = fn(Batch<T, ANY, true>, Beta<T>) -> TestResult;
type SmoothLimitsProp<T> = fn(Batch<T, ANY, true>, Beta<T>, Small) -> TestResult;

for_both! {
    f32_smooth_props, f64_smooth_props;
    smooth_backward_matches_central_difference =>
        prop_smooth_finite_difference: SmoothFdProp, 2000;
    sigmoid_tanh_hardsigmoid_ranges_and_symmetry =>
        prop_sigmoid_tanh_ranges: SmoothRangesProp, 500;
    smooth_monotone_non_decreasing => prop_smooth_monotone: SmoothSortedProp, 500;
    smooth_gradients_non_negative => prop_smooth_gradient_sign: SmoothSortedProp, 500;
    sigmoid_tanh_backward_from_output_matches_backward =>
        prop_smooth_from_output: SmoothFromOutputProp, 500;
    smooth_inplace_equals_out_of_place => prop_smooth_inplace: SmoothInplaceProp, 500;
    smooth_nan_in_gives_nan_out => prop_smooth_nan: SmoothNanProp, 500;
    smooth_limits_at_infinity => prop_smooth_limits: SmoothLimitsProp, 300;
}
