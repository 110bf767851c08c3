//! Feature `rayon`: `Activation`'s `_par` forms against the sequential ones, bit for bit, for
//! every activation and form, at lengths around every chunk boundary (on pools of 2, 3 and 5
//! threads), with misaligned outputs, in f32, f64 and (with `half`) bf16; and the errors of
//! the sequential forms, nothing written.
#![cfg(feature = "rayon")]

use simd_activations::{Activation, Element, Error, GradientInput, Isa};

/// Per-thread minimum of the split.
const MIN_CHUNK: usize = simd_activations::PARALLEL_MIN_LEN / 2;

trait E: Element + Default {
    fn of(x: f64) -> Self;
    fn bits(self) -> u64;
}

impl E for f32 {
    fn of(x: f64) -> Self {
        x as f32
    }
    fn bits(self) -> u64 {
        self.to_bits() as u64
    }
}

impl E for f64 {
    fn of(x: f64) -> Self {
        x
    }
    fn bits(self) -> u64 {
        self.to_bits()
    }
}

#[cfg(feature = "half")]
impl E for half::bf16 {
    fn of(x: f64) -> Self {
        half::bf16::from_f64(x)
    }
    fn bits(self) -> u64 {
        self.to_bits() as u64
    }
}

fn values<T: E>(n: usize, seed: u64) -> Vec<T> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|i| {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            if i % 31 == 5 {
                T::of(f64::NAN)
            } else {
                T::of(((s >> 11) as f64 / (1u64 << 53) as f64) * 24.0 - 12.0)
            }
        })
        .collect()
}

fn same<T: E>(what: &str, a: &[T], b: &[T]) {
    assert_eq!(a.len(), b.len());
    if let Some(i) = (0..a.len()).find(|&i| a[i].bits() != b[i].bits()) {
        panic!("{what}: n = {} differs at {i}", a.len());
    }
}

/// Every form of `a` on `n` elements, the outputs starting `offset` elements into their
/// buffers, parallel against sequential.
fn check<T: E>(a: &Activation, n: usize, offset: usize) {
    let x = values::<T>(n, n as u64);
    let dy = values::<T>(n, !(n as u64));
    let what = format!(
        "{a} n {n} offset {offset} threads {}",
        rayon::current_num_threads()
    );
    let out = |v: &mut Vec<T>| -> std::ops::Range<usize> {
        *v = vec![T::default(); n + offset];
        offset..offset + n
    };
    let (mut s, mut p) = (Vec::new(), Vec::new());
    let (rs, rp) = (out(&mut s), out(&mut p));
    a.forward(&x, &mut s[rs.clone()]).unwrap();
    a.forward_par(&x, &mut p[rp.clone()]).unwrap();
    same(&format!("{what} forward"), &s[rs.clone()], &p[rp.clone()]);
    let y = s[rs.clone()].to_vec();

    let mut xy = x.clone();
    a.forward_inplace_par(&mut xy).unwrap();
    same(&format!("{what} forward_inplace"), &y, &xy);

    a.backward(&x, &dy, &mut s[rs.clone()]).unwrap();
    a.backward_par(&x, &dy, &mut p[rp.clone()]).unwrap();
    same(&format!("{what} backward"), &s[rs.clone()], &p[rp.clone()]);

    if a.gradient_needs() == GradientInput::Output {
        a.backward_from_output(&y, &dy, &mut s[rs.clone()]).unwrap();
        a.backward_from_output_par(&y, &dy, &mut p[rp.clone()])
            .unwrap();
        same(&format!("{what} from output"), &s[rs], &p[rp]);
    }
}

/// Lengths around each chunk boundary of a split into `threads` chunks: below the floor, at
/// it, and where chunks go from `k` to `k + 1`.
fn lengths(threads: usize) -> Vec<usize> {
    let mut v = vec![2 * MIN_CHUNK - 1, 2 * MIN_CHUNK, 2 * MIN_CHUNK + 1];
    for k in 3..=threads {
        v.extend([k * MIN_CHUNK - 17, k * MIN_CHUNK, k * MIN_CHUNK + 16]);
    }
    v.push(threads * MIN_CHUNK + 1234);
    v
}

fn in_pool(threads: usize, f: impl FnOnce() + Send) {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f);
}

#[test]
fn f32_every_activation_around_every_boundary() {
    for threads in [2, 3, 5] {
        in_pool(threads, || {
            for a in [Activation::Relu, Activation::Gelu, Activation::Sigmoid] {
                for n in lengths(threads) {
                    for offset in [0, 1, 5] {
                        check::<f32>(&a, n, offset);
                    }
                }
            }
            for a in Activation::ALL {
                check::<f32>(&a, 3 * MIN_CHUNK + 7, 3);
            }
        });
    }
}

#[test]
fn f64_and_small_lengths() {
    in_pool(3, || {
        for a in Activation::ALL {
            check::<f64>(&a, 3 * MIN_CHUNK + 5, 1);
            for n in [0, 1, 17, 1000] {
                check::<f64>(&a, n, 0);
                check::<f32>(&a, n, 1);
            }
        }
        // Streamed (>= 8 MiB of output): the decision of the whole call in every chunk.
        check::<f64>(&Activation::Tanh, (8 << 20) / 8 + 9, 1);
    });
}

#[cfg(feature = "half")]
#[test]
fn bf16_around_boundaries() {
    in_pool(3, || {
        for a in [
            Activation::Relu,
            Activation::Silu,
            Activation::Elu { alpha: 0.5 },
        ] {
            for n in lengths(3) {
                check::<half::bf16>(&a, n, 1);
            }
        }
    });
}

#[test]
fn errors_as_sequential_nothing_written() {
    let x = vec![1.0f32; 2 * MIN_CHUNK + 3];
    let mut y = vec![-7.0f32; x.len() - 1];
    let e = Activation::Relu.forward_par(&x, &mut y).unwrap_err();
    assert!(matches!(e, Error::LengthMismatch { .. }), "{e}");
    let e = Activation::Celu { alpha: 0.0 }
        .backward_par(&x[1..], &x[1..], &mut y)
        .unwrap_err();
    assert!(matches!(e, Error::BadParameter { .. }), "{e}");
    let e = Activation::Gelu
        .backward_from_output_par(&x[1..], &x[1..], &mut y)
        .unwrap_err();
    assert!(matches!(e, Error::GradientNeedsInput { .. }), "{e}");
    let e = Activation::Elu {
        alpha: f64::INFINITY,
    }
    .forward_inplace_par(&mut y)
    .unwrap_err();
    assert!(matches!(e, Error::BadParameter { .. }), "{e}");
    assert!(y.iter().all(|&v| v == -7.0));
    let e = Activation::Relu
        .forward_par_on(Isa::Neon, &x[1..], &mut y)
        .err();
    if !Isa::Neon.is_available() {
        assert!(matches!(e, Some(Error::IsaUnavailable { .. })), "{e:?}");
    }
}
