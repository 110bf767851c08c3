//! Throughput of every public kernel, on every ISA of this CPU, against `memcpy` and the
//! scalar reference.
//!
//! # Naming
//! One criterion group per (function, element type, n): `{function}/{type}/{n}`, for example
//! `relu/f32/8192` or `elu_backward/f64/1048576`, with n in 1024, 8192, 65536, 1048576 and
//! 16777216 elements. Each group holds these rows (benchmark ids `{group}/{row}`):
//!
//! - `memcpy`: `y.copy_from_slice(&x)` of n elements (reads n, writes n): the bandwidth
//!   ceiling of a one-input, one-output pass over the same n.
//! - `memcpy_same_bytes`: only where the function moves more than one input plus one output
//!   (the `_backward` functions read `x` and `dy` and write `dx`; CReLU writes or reads a
//!   doubled side): one `copy_from_slice` moving the same total bytes as the function
//!   (`moved / 2` elements read and as many written).
//! - `scalar_reference`: a plain loop over `simd_activations::reference::*`, one element at
//!   a time (for the ELU family's `_backward_from_output`, which has no reference function,
//!   the documented formula written out the same way).
//! - one row per ISA in `Isa::available()`: `scalar`, `avx2`, `avx512`, `neon`, calling the
//!   `_on` twin.
//!
//! Every row reports `Throughput::Bytes` of what it reads plus writes (weights ignored), so
//! criterion's GiB/s are comparable across rows and the time ratios to `memcpy` come from
//! one run. The group `dispatch/f32/16` measures the call overhead at n = 16: its ISA rows
//! call `relu_on(isa)`, its row `relu_free_fn` calls `relu` (which reads `Isa::active()`).
//!
//! Covered: every forward out of place; `relu_inplace` and `elu_inplace`; every `_backward`
//! and `_backward_from_output`; `crelu` (rows of 256); `prelu` and `prelu_backward` with one
//! shared weight (`prelu_shared`), 64 channels NCHW with batch 1 (`prelu_nchw`,
//! `inner = n / 64`) and 64 channels channels-last (`prelu_nhwc`, `inner = 1`); the smooth
//! activations `sigmoid`, `tanh`, `silu`, `gelu`, `gelu_tanh`, `softplus` (PyTorch's
//! `beta = 1`, `threshold = 20`), `mish`, `hardswish` and `hardsigmoid`, each with its
//! `_backward`, and `sigmoid_backward_from_output`, `tanh_backward_from_output`. All in f32;
//! `relu`, `elu` and `elu_backward` also in f64. The other `_inplace` functions run the
//! same kernels as their out-of-place forms and are not measured.
//!
//! The fused bias + activation forms: `relu`, `sigmoid`, `silu` and `gelu` with a bias of 64
//! channels last, forward and backward (groups `relu_bias/f32/8192`,
//! `gelu_bias_backward/f32/8192`, ...; 1K to 1M), each with a row `activation` (the activation
//! alone on the active ISA).
//!
//! Inputs are a fixed pseudo-random mix of negative and positive values in [-10, 10] (an
//! LCG, identical on every run; softplus never reaches its threshold); the `_from_output`
//! functions get `y = f(x)`. The in-place rows run repeatedly on one buffer, so after the
//! first call `relu_inplace` sees no negatives and `elu_inplace` sees values drifting up
//! toward 0 (the SIMD kernels are branch-free, so their time does not depend on it).
//!
//! # Running
//! `cargo bench --bench activations` runs everything (~1500 rows with AVX-512, about an
//! hour). Criterion's filter is a regex over the ids:
//! `cargo bench --bench activations -- '^relu/f32/8192/'` runs one group, `-- '^elu'` one
//! family, `-- '/8192/'` one size, `-- '/(memcpy|avx2)$'` chosen rows; add `--quick` for a
//! fast estimate. Each row is 0.5 s of warm-up and 1 s of samples: 20 samples (flat sampling
//! from 1M on, and only 10 samples at 16M, where a reference call takes up to ~0.7 s and
//! criterion warns that it needs longer). The references of `gelu` and `gelu_backward`
//! compute `erfc` by series and continued fraction, ~1 us per element (~17 s per call at
//! 16M): their `scalar_reference` rows take ~7 minutes of the hour, ~3 minutes each at 16M.
//! The options `--warm-up-time`, `--measurement-time` and `--sample-size` override these,
//! except the sample count at 16M.

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use simd_activations::{self as sa, reference as r, Float, Isa, SELU_ALPHA, SELU_SCALE};
use std::hint::black_box;
use std::time::Duration;

/// Element counts: 1K, 8K, 64K (in L1/L2 cache), 1M (L2/L3), 16M (memory).
const SIZES: [usize; 5] = [1 << 10, 1 << 13, 1 << 16, 1 << 20, 1 << 24];

const SLOPE: f64 = 0.01;
const ALPHA: f64 = 1.0;
const HARDTANH: (f64, f64) = (-1.0, 1.0);
/// Elements per CReLU row.
const CRELU_ROW: usize = 256;
/// Channels of the per-channel PReLU benches.
const CHANNELS: usize = 64;
/// Softplus's `beta` and `threshold` (PyTorch's defaults).
const SOFTPLUS: (f32, f32) = (1.0, 20.0);

/// `n` values in [-10, 10]: a 64-bit LCG (Knuth's MMIX constants), its top 24 bits mapped
/// to the interval. Different seeds give different sequences.
fn data<T: Float>(n: usize, seed: u64) -> Vec<T> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let unit = (s >> 40) as f64 / (1u64 << 24) as f64;
            T::from_f64(unit * 20.0 - 10.0)
        })
        .collect()
}

fn lit<T: Float>(v: f64) -> T {
    T::from_f64(v)
}

/// A group's inputs and outputs.
type Bufs<T, const I: usize, const O: usize> = ([Vec<T>; I], [Vec<T>; O]);
/// An extra row: its name and what it runs.
type Row<'a, T, const I: usize, const O: usize> =
    (&'a str, &'a dyn Fn(&[Vec<T>; I], &mut [Vec<T>; O]));

/// Benchmarks one (function, n) group: `memcpy`, `memcpy_same_bytes` (when `moved != 2`),
/// `scalar_reference` and one row per available ISA.
///
/// `moved` is the number of elements the function reads plus writes, in units of `n`
/// (2 for `y = f(x)`, 3 for `dx = f(x, dy)`). `make` builds the inputs and outputs; it runs
/// only when a row of the group passes criterion's filter, once for all the rows. `extra`
/// adds rows after the ISA rows (only the dispatch group has any).
#[allow(clippy::too_many_arguments)]
fn group<T: Float, const I: usize, const O: usize>(
    crit: &mut Criterion,
    name: &str,
    n: usize,
    moved: usize,
    make: impl Fn() -> Bufs<T, I, O>,
    simd: impl Fn(Isa, &[Vec<T>; I], &mut [Vec<T>; O]),
    reference: impl Fn(&[Vec<T>; I], &mut [Vec<T>; O]),
    extra: &[Row<T, I, O>],
) {
    let size = std::mem::size_of::<T>() as u64;
    let bytes = |elements: usize| Throughput::Bytes(elements as u64 * size);
    let same_bytes = moved * n / 2;

    let mut g = crit.benchmark_group(format!("{name}/{}/{n}", T::NAME));
    if n >= 1 << 20 {
        // One call takes milliseconds (the references up to ~0.7 s at 16M, gelu's ~17 s): a
        // linear sweep of iteration counts would take far longer than the measurement time.
        g.sampling_mode(SamplingMode::Flat);
    }
    if n >= 1 << 24 {
        g.sample_size(10);
    }

    // Source filled with data: copying untouched calloc pages would read the shared zero page.
    let mut copy: Option<(Vec<T>, Vec<T>)> = None;
    let make_copy = || {
        (
            data::<T>(n.max(same_bytes), 99),
            vec![T::ZERO; n.max(same_bytes)],
        )
    };
    let mut copy_rows = vec![("memcpy", n)];
    if moved != 2 {
        copy_rows.push(("memcpy_same_bytes", same_bytes));
    }
    for (row, len) in copy_rows {
        g.throughput(bytes(2 * len));
        g.bench_function(row, |b| {
            let (src, dst) = copy.get_or_insert_with(make_copy);
            let (src, dst) = (&src[..len], &mut dst[..len]);
            b.iter(|| {
                dst.copy_from_slice(black_box(src));
                black_box(&mut *dst);
            })
        });
    }

    let mut bufs: Option<Bufs<T, I, O>> = None;
    let mut init = || {
        let (ins, outs) = make();
        // Buffers of an in-place function are both read and written; weights (at most
        // CHANNELS in and CHANNELS out) are not counted in `moved`.
        let total: usize = ins.iter().chain(&outs).map(Vec::len).sum();
        let touched = if I == 0 { 2 * total } else { total };
        debug_assert!(
            (moved * n..=moved * n + 2 * CHANNELS).contains(&touched),
            "{name}"
        );
        (ins, outs)
    };
    g.throughput(bytes(moved * n));
    g.bench_function("scalar_reference", |b| {
        let (ins, outs) = bufs.get_or_insert_with(&mut init);
        b.iter(|| {
            reference(black_box(&*ins), outs);
            black_box(&mut *outs);
        })
    });
    for isa in Isa::available() {
        g.bench_function(isa.name(), |b| {
            let (ins, outs) = bufs.get_or_insert_with(&mut init);
            b.iter(|| {
                simd(isa, black_box(&*ins), outs);
                black_box(&mut *outs);
            })
        });
    }
    for &(row, run) in extra {
        g.bench_function(row, |b| {
            let (ins, outs) = bufs.get_or_insert_with(&mut init);
            b.iter(|| {
                run(black_box(&*ins), outs);
                black_box(&mut *outs);
            })
        });
    }
    g.finish();
}

/// `y = f(x)`, out of place.
fn unary<T: Float>(
    crit: &mut Criterion,
    name: &str,
    simd: impl Fn(Isa, &[T], &mut [T]),
    reference: impl Fn(T) -> T,
) {
    for n in SIZES {
        group(
            crit,
            name,
            n,
            2,
            || ([data(n, 1)], [vec![T::ZERO; n]]),
            |isa, [x], [y]| simd(isa, x, y),
            |[x], [y]| y.iter_mut().zip(x).for_each(|(y, &x)| *y = reference(x)),
            &[],
        );
    }
}

/// `xy = f(xy)`, in place.
fn inplace<T: Float>(
    crit: &mut Criterion,
    name: &str,
    simd: impl Fn(Isa, &mut [T]),
    reference: impl Fn(T) -> T,
) {
    for n in SIZES {
        group(
            crit,
            name,
            n,
            2,
            || ([], [data(n, 1)]),
            |isa, [], [xy]| simd(isa, xy),
            |[], [xy]| xy.iter_mut().for_each(|v| *v = reference(*v)),
            &[],
        );
    }
}

/// `dx = f(a, dy)`, where `a = first(x)`: `x` itself for a `_backward`, the forward's output
/// for a `_backward_from_output`.
fn binary<T: Float>(
    crit: &mut Criterion,
    name: &str,
    first: impl Fn(Vec<T>) -> Vec<T>,
    simd: impl Fn(Isa, &[T], &[T], &mut [T]),
    reference: impl Fn(T, T) -> T,
) {
    for n in SIZES {
        group(
            crit,
            name,
            n,
            3,
            || ([first(data(n, 1)), data(n, 2)], [vec![T::ZERO; n]]),
            |isa, [a, dy], [dx]| simd(isa, a, dy, dx),
            |[a, dy], [dx]| {
                for ((dx, &a), &dy) in dx.iter_mut().zip(a).zip(dy) {
                    *dx = reference(a, dy);
                }
            },
            &[],
        );
    }
}

/// `dx = f'(x) * dy`.
fn backward<T: Float>(
    crit: &mut Criterion,
    name: &str,
    simd: impl Fn(Isa, &[T], &[T], &mut [T]),
    reference: impl Fn(T, T) -> T,
) {
    binary(crit, name, |x| x, simd, reference);
}

/// `dx` from `y = forward(x)` and `dy`.
fn backward_from_output<T: Float>(
    crit: &mut Criterion,
    name: &str,
    forward: impl Fn(&[T], &mut [T]),
    simd: impl Fn(Isa, &[T], &[T], &mut [T]),
    reference: impl Fn(T, T) -> T,
) {
    let first = |x: Vec<T>| {
        let mut y = vec![T::ZERO; x.len()];
        forward(&x, &mut y);
        y
    };
    binary(crit, name, first, simd, reference);
}

/// The PReLU layouts: name suffix, channels (`weight.len()`) and `inner` for n elements.
type Layout = (&'static str, usize, fn(usize) -> usize);
const PRELU_LAYOUTS: [Layout; 3] = [
    ("shared", 1, |_| 1),
    ("nchw", CHANNELS, |n| n / CHANNELS),
    ("nhwc", CHANNELS, |_| 1),
];

/// Per-channel weights in [0.05, 0.3].
fn prelu_weights<T: Float>(channels: usize) -> Vec<T> {
    (0..channels)
        .map(|c| T::from_f64(0.05 + 0.25 * c as f64 / CHANNELS as f64))
        .collect()
}

fn prelu(crit: &mut Criterion) {
    for (suffix, channels, inner) in PRELU_LAYOUTS {
        for n in SIZES {
            let inner = inner(n);
            group::<f32, 2, 1>(
                crit,
                &format!("prelu_{suffix}"),
                n,
                2,
                || ([data(n, 1), prelu_weights(channels)], [vec![0.0; n]]),
                |isa, [x, w], [y]| sa::prelu_on(isa, x, y, w, inner),
                |[x, w], [y]| {
                    for (i, (y, &x)) in y.iter_mut().zip(x).enumerate() {
                        *y = r::prelu(x, w[(i / inner) % w.len()]);
                    }
                },
                &[],
            );
        }
    }
    for (suffix, channels, inner) in PRELU_LAYOUTS {
        for n in SIZES {
            let inner = inner(n);
            group::<f32, 3, 2>(
                crit,
                &format!("prelu_backward_{suffix}"),
                n,
                3,
                || {
                    let ins = [data(n, 1), data(n, 2), prelu_weights(channels)];
                    (ins, [vec![0.0; n], vec![0.0; channels]])
                },
                |isa, [x, dy, w], [dx, dw]| sa::prelu_backward_on(isa, x, dy, dx, w, inner, dw),
                |[x, dy, w], [dx, dw]| {
                    dw.fill(0.0);
                    for (i, ((dx, &x), &dy)) in dx.iter_mut().zip(x).zip(dy).enumerate() {
                        let c = (i / inner) % w.len();
                        let (d, g) = r::prelu_backward(x, dy, w[c]);
                        *dx = d;
                        dw[c] += g;
                    }
                },
                &[],
            );
        }
    }
}

fn crelu(crit: &mut Criterion) {
    for n in SIZES {
        group::<f32, 1, 1>(
            crit,
            "crelu",
            n,
            3,
            || ([data(n, 1)], [vec![0.0; 2 * n]]),
            |isa, [x], [y]| sa::crelu_on(isa, x, y, CRELU_ROW),
            |[x], [y]| {
                for (x, y) in x
                    .chunks_exact(CRELU_ROW)
                    .zip(y.chunks_exact_mut(2 * CRELU_ROW))
                {
                    let (pos, neg) = y.split_at_mut(CRELU_ROW);
                    for ((p, q), &v) in pos.iter_mut().zip(neg).zip(x) {
                        (*p, *q) = (r::relu(v), r::relu(-v));
                    }
                }
            },
            &[],
        );
    }
    for n in SIZES {
        group::<f32, 2, 1>(
            crit,
            "crelu_backward",
            n,
            4,
            || ([data(n, 1), data(2 * n, 2)], [vec![0.0; n]]),
            |isa, [x, dy], [dx]| sa::crelu_backward_on(isa, x, dy, dx, CRELU_ROW),
            |[x, dy], [dx]| {
                let rows = x
                    .chunks_exact(CRELU_ROW)
                    .zip(dy.chunks_exact(2 * CRELU_ROW));
                for ((x, dy), dx) in rows.zip(dx.chunks_exact_mut(CRELU_ROW)) {
                    let (pos, neg) = dy.split_at(CRELU_ROW);
                    for (j, dx) in dx.iter_mut().enumerate() {
                        *dx = r::crelu_backward(x[j], pos[j], neg[j]);
                    }
                }
            },
            &[],
        );
    }
}

/// The functions measured for both f32 and f64.
fn relu_elu<T: Float>(crit: &mut Criterion) {
    let alpha = lit::<T>(ALPHA);
    unary::<T>(crit, "relu", sa::relu_on, r::relu);
    unary::<T>(
        crit,
        "elu",
        |isa, x, y| sa::elu_on(isa, x, y, alpha),
        |x| r::elu(x, alpha),
    );
    backward::<T>(
        crit,
        "elu_backward",
        |isa, x, dy, dx| sa::elu_backward_on(isa, x, dy, dx, alpha),
        |x, dy| r::elu_backward(x, dy, alpha),
    );
}

fn activations_f32(crit: &mut Criterion) {
    type T = f32;
    let slope = lit::<T>(SLOPE);
    let alpha = lit::<T>(ALPHA);
    let (lo, hi) = (lit::<T>(HARDTANH.0), lit::<T>(HARDTANH.1));
    let (selu_scale, selu_neg) = (lit::<T>(SELU_SCALE), lit::<T>(SELU_SCALE * SELU_ALPHA));

    // ReLU family.
    relu_elu::<T>(crit);
    inplace::<T>(crit, "relu_inplace", sa::relu_inplace_on, r::relu);
    backward::<T>(
        crit,
        "relu_backward",
        sa::relu_backward_on,
        r::relu_backward,
    );
    backward_from_output::<T>(
        crit,
        "relu_backward_from_output",
        sa::relu,
        sa::relu_backward_from_output_on,
        r::relu_backward,
    );
    unary::<T>(
        crit,
        "leaky_relu",
        |isa, x, y| sa::leaky_relu_on(isa, x, y, slope),
        |x| r::leaky_relu(x, slope),
    );
    backward::<T>(
        crit,
        "leaky_relu_backward",
        |isa, x, dy, dx| sa::leaky_relu_backward_on(isa, x, dy, dx, slope),
        |x, dy| r::leaky_relu_backward(x, dy, slope),
    );
    backward_from_output::<T>(
        crit,
        "leaky_relu_backward_from_output",
        |x, y| sa::leaky_relu(x, y, slope),
        |isa, y, dy, dx| sa::leaky_relu_backward_from_output_on(isa, y, dy, dx, slope),
        |y, dy| r::leaky_relu_backward(y, dy, slope),
    );
    prelu(crit);
    crelu(crit);

    // Clamps.
    unary::<T>(crit, "relu6", sa::relu6_on, r::relu6);
    backward::<T>(
        crit,
        "relu6_backward",
        sa::relu6_backward_on,
        r::relu6_backward,
    );
    backward_from_output::<T>(
        crit,
        "relu6_backward_from_output",
        sa::relu6,
        sa::relu6_backward_from_output_on,
        r::relu6_backward,
    );
    unary::<T>(
        crit,
        "hardtanh",
        |isa, x, y| sa::hardtanh_on(isa, x, y, lo, hi),
        |x| r::hardtanh(x, lo, hi),
    );
    backward::<T>(
        crit,
        "hardtanh_backward",
        |isa, x, dy, dx| sa::hardtanh_backward_on(isa, x, dy, dx, lo, hi),
        |x, dy| r::hardtanh_backward(x, dy, lo, hi),
    );
    backward_from_output::<T>(
        crit,
        "hardtanh_backward_from_output",
        |x, y| sa::hardtanh(x, y, lo, hi),
        |isa, y, dy, dx| sa::hardtanh_backward_from_output_on(isa, y, dy, dx, lo, hi),
        |y, dy| r::hardtanh_backward(y, dy, lo, hi),
    );

    // ELU family (`elu`, `elu_backward` are in `relu_elu`). The references have no
    // from-output form: the `_from_output` rows spell out the documented formulas.
    inplace::<T>(
        crit,
        "elu_inplace",
        |isa, xy| sa::elu_inplace_on(isa, xy, alpha),
        |x| r::elu(x, alpha),
    );
    backward_from_output::<T>(
        crit,
        "elu_backward_from_output",
        |x, y| sa::elu(x, y, alpha),
        |isa, y, dy, dx| sa::elu_backward_from_output_on(isa, y, dy, dx, alpha),
        |y, dy| if y > 0.0 { dy } else { dy * (y + alpha) },
    );
    unary::<T>(crit, "selu", sa::selu_on, r::selu);
    backward::<T>(
        crit,
        "selu_backward",
        sa::selu_backward_on,
        r::selu_backward,
    );
    backward_from_output::<T>(
        crit,
        "selu_backward_from_output",
        sa::selu,
        sa::selu_backward_from_output_on,
        |y, dy| dy * if y > 0.0 { selu_scale } else { y + selu_neg },
    );
    unary::<T>(
        crit,
        "celu",
        |isa, x, y| sa::celu_on(isa, x, y, alpha),
        |x| r::celu(x, alpha),
    );
    backward::<T>(
        crit,
        "celu_backward",
        |isa, x, dy, dx| sa::celu_backward_on(isa, x, dy, dx, alpha),
        |x, dy| r::celu_backward(x, dy, alpha),
    );
    backward_from_output::<T>(
        crit,
        "celu_backward_from_output",
        |x, y| sa::celu(x, y, alpha),
        |isa, y, dy, dx| sa::celu_backward_from_output_on(isa, y, dy, dx, alpha),
        |y, dy| {
            if y > 0.0 {
                dy
            } else {
                dy * (y + alpha) / alpha
            }
        },
    );
}

/// A smooth activation: name, forward (`_on`) and its reference.
type Smooth = (&'static str, fn(Isa, &[f32], &mut [f32]), fn(f32) -> f32);
/// A smooth activation's gradient: name of the forward, `_backward_on` and its reference.
type SmoothGradient = (
    &'static str,
    fn(Isa, &[f32], &[f32], &mut [f32]),
    fn(f32, f32) -> f32,
);

const SMOOTH: [Smooth; 9] = [
    ("sigmoid", sa::sigmoid_on, r::sigmoid),
    ("tanh", sa::tanh_on, r::tanh),
    ("silu", sa::silu_on, r::silu),
    ("gelu", sa::gelu_on, r::gelu),
    ("gelu_tanh", sa::gelu_tanh_on, r::gelu_tanh),
    (
        "softplus",
        |isa, x, y| sa::softplus_on(isa, x, y, SOFTPLUS.0, SOFTPLUS.1),
        |x| r::softplus(x, SOFTPLUS.0, SOFTPLUS.1),
    ),
    ("mish", sa::mish_on, r::mish),
    ("hardswish", sa::hardswish_on, r::hardswish),
    ("hardsigmoid", sa::hardsigmoid_on, r::hardsigmoid),
];

const SMOOTH_BACKWARD: [SmoothGradient; 9] = [
    ("sigmoid", sa::sigmoid_backward_on, r::sigmoid_backward),
    ("tanh", sa::tanh_backward_on, r::tanh_backward),
    ("silu", sa::silu_backward_on, r::silu_backward),
    ("gelu", sa::gelu_backward_on, r::gelu_backward),
    (
        "gelu_tanh",
        sa::gelu_tanh_backward_on,
        r::gelu_tanh_backward,
    ),
    (
        "softplus",
        |isa, x, dy, dx| sa::softplus_backward_on(isa, x, dy, dx, SOFTPLUS.0, SOFTPLUS.1),
        |x, dy| r::softplus_backward(x, dy, SOFTPLUS.0, SOFTPLUS.1),
    ),
    ("mish", sa::mish_backward_on, r::mish_backward),
    (
        "hardswish",
        sa::hardswish_backward_on,
        r::hardswish_backward,
    ),
    (
        "hardsigmoid",
        sa::hardsigmoid_backward_on,
        r::hardsigmoid_backward,
    ),
];

/// The smooth activations, f32 only.
fn smooth(crit: &mut Criterion) {
    for (name, simd, reference) in SMOOTH {
        unary(crit, name, simd, reference);
    }
    for (name, simd, reference) in SMOOTH_BACKWARD {
        backward(crit, &format!("{name}_backward"), simd, reference);
    }
    backward_from_output::<f32>(
        crit,
        "sigmoid_backward_from_output",
        sa::sigmoid,
        sa::sigmoid_backward_from_output_on,
        r::sigmoid_backward_from_output,
    );
    backward_from_output::<f32>(
        crit,
        "tanh_backward_from_output",
        sa::tanh,
        sa::tanh_backward_from_output_on,
        r::tanh_backward_from_output,
    );
}

fn activations_f64(crit: &mut Criterion) {
    relu_elu::<f64>(crit);
}

/// `relu` (reads `Isa::active()`, then dispatches) against `relu_on(isa)` on 16 elements,
/// where the call itself is most of the time. The ISA rows call `relu_on`; the row
/// `relu_free_fn` calls `relu`, which runs on `Isa::active()`.
fn dispatch_overhead(crit: &mut Criterion) {
    let n = 16;
    group::<f32, 1, 1>(
        crit,
        "dispatch",
        n,
        2,
        || ([data(n, 1)], [vec![0.0; n]]),
        |isa, [x], [y]| sa::relu_on(isa, x, y),
        |[x], [y]| y.iter_mut().zip(x).for_each(|(y, &x)| *y = r::relu(x)),
        &[("relu_free_fn", &|[x], [y]| sa::relu(x, y))],
    );
}

/// Softmax's row length in its groups (the whole slice when it is shorter).
const SOFTMAX_ROW: usize = 1024;

/// ReLU with its zero count next to plain ReLU (the extra row `relu`, same ISA, same run),
/// the dead-unit scan, and softmax / log-softmax over rows of `SOFTMAX_ROW`.
fn rows_and_counts(crit: &mut Criterion) {
    for n in SIZES {
        group::<f32, 1, 1>(
            crit,
            "relu_count_zeros",
            n,
            2,
            || ([data(n, 1)], [vec![0.0; n]]),
            |isa, [x], [y]| {
                black_box(sa::relu_count_zeros_on(isa, x, y));
            },
            |[x], [y]| {
                let mut zeros = 0usize;
                for (y, &v) in y.iter_mut().zip(x) {
                    *y = r::relu(v);
                    zeros += usize::from(*y == 0.0);
                }
                black_box(zeros);
            },
            &[("relu", &|[x]: &[Vec<f32>; 1], [y]: &mut [Vec<f32>; 1]| {
                sa::relu_on(Isa::active(), x, y)
            })],
        );
    }
    for n in SIZES {
        let row = SOFTMAX_ROW.min(n);
        group::<f32, 1, 1>(
            crit,
            "softmax",
            n,
            2,
            || ([data(n, 1)], [vec![0.0; n]]),
            |isa, [x], [y]| sa::softmax_on(isa, x, y, row),
            |[x], [y]| {
                for (x, y) in x.chunks_exact(row).zip(y.chunks_exact_mut(row)) {
                    y.copy_from_slice(&r::softmax(x));
                }
            },
            &[],
        );
        group::<f32, 1, 1>(
            crit,
            "log_softmax",
            n,
            2,
            || ([data(n, 1)], [vec![0.0; n]]),
            |isa, [x], [y]| sa::log_softmax_on(isa, x, y, row),
            |[x], [y]| {
                for (x, y) in x.chunks_exact(row).zip(y.chunks_exact_mut(row)) {
                    y.copy_from_slice(&r::log_softmax(x));
                }
            },
            &[],
        );
    }
}

/// The fused bias + activation forms on 64 channels last (`Activation::forward_bias` and
/// `backward_bias` with `inner = 1`), groups `{function}_bias/f32/{n}` and
/// `{function}_bias_backward/f32/{n}`; the extra row `activation` runs the activation alone
/// (`forward_on` / `backward_on`, no bias, no bias gradient) on the active ISA, the baseline of
/// the fused forms' speed target. Biases in [-0.5, 0.5].
fn bias_activation(crit: &mut Criterion) {
    // Biases in [-0.5, 0.5]: `x + bias` keeps nearly the distribution of `x`, so that the
    // `activation` row on `x` is a fair baseline (a wide bias would push more lanes into the
    // kernels' rare paths, e.g. gelu's f64 body below x = -9.37).
    let small_bias = || {
        data::<f32>(CHANNELS, 2)
            .iter()
            .map(|b| b / 20.0)
            .collect::<Vec<_>>()
    };
    type Reference = (fn(f32) -> f32, fn(f32, f32) -> f32);
    let acts: [(sa::Activation, Reference); 4] = [
        (sa::Activation::Relu, (r::relu, r::relu_backward)),
        (sa::Activation::Sigmoid, (r::sigmoid, r::sigmoid_backward)),
        (sa::Activation::Silu, (r::silu, r::silu_backward)),
        (sa::Activation::Gelu, (r::gelu, r::gelu_backward)),
    ];
    for (a, (f, df)) in acts {
        for n in [1 << 10, 1 << 13, 1 << 16, 1 << 20] {
            group::<f32, 2, 1>(
                crit,
                &format!("{}_bias", a.function_name()),
                n,
                2,
                || ([data(n, 1), small_bias()], [vec![0.0; n]]),
                |isa, [x, b], [y]| a.forward_bias_on(isa, x, y, b, 1).unwrap(),
                |[x, b], [y]| {
                    for (k, (y, &x)) in y.iter_mut().zip(x).enumerate() {
                        *y = f(x + b[k % CHANNELS]);
                    }
                },
                &[("activation", &|[x, _], [y]| {
                    a.forward_on(Isa::active(), x, y).unwrap()
                })],
            );
            group::<f32, 3, 2>(
                crit,
                &format!("{}_bias_backward", a.function_name()),
                n,
                3,
                || {
                    let ins = [data(n, 1), small_bias(), data(n, 3)];
                    (ins, [vec![0.0; n], vec![0.0; CHANNELS]])
                },
                |isa, [x, b, dy], [dx, db]| a.backward_bias_on(isa, x, dy, dx, b, 1, db).unwrap(),
                |[x, b, dy], [dx, db]| {
                    db.iter_mut().for_each(|d| *d = 0.0);
                    for (k, (dx, (&x, &dy))) in dx.iter_mut().zip(x.iter().zip(dy)).enumerate() {
                        *dx = df(x + b[k % CHANNELS], dy);
                        db[k % CHANNELS] += *dx;
                    }
                },
                &[("activation", &|[x, _, dy], [dx, _]| {
                    a.backward_on(Isa::active(), x, dy, dx).unwrap()
                })],
            );
        }
    }
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20)
}

criterion_group! {
    name = benches;
    config = config();
    targets = dispatch_overhead, activations_f32, smooth, activations_f64, rows_and_counts, bias_activation
}
criterion_main!(benches);
