//! bf16 and f16 beside f32: every activation of the registry, forward and backward, at
//! n = 8192 (in cache) and n = 16M (memory), on this CPU's active ISA, as ns per element and
//! as the ratio to the f32 time measured in the same run.
//!
//! `cargo run --release --features half --example half_speed` (`-- 8192` for one size,
//! `-- 8192 ReLU` for the activations whose name starts with `ReLU`; `SIMD_ACTIVATIONS_ISA`
//! caps the ISA). Each figure is the best of `REPS` calls, each timed
//! alone; the inputs are a fixed pseudo-random mix in [-8, 8].

use half::{bf16, f16};
use simd_activations::{Activation, Element, Isa};
use std::hint::black_box;
use std::time::Instant;

/// The best of this many calls (fewer at 16M, where one call takes milliseconds).
fn reps(n: usize) -> usize {
    if n > 1 << 20 {
        7
    } else {
        300
    }
}

fn inputs(n: usize) -> Vec<f32> {
    let mut s = 0x2545_f491_4f6c_dd1du64;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 16.0 - 8.0
        })
        .collect()
}

/// Seconds of the fastest of `reps` calls of `f`.
fn best(reps: usize, mut f: impl FnMut()) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..reps {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    best
}

/// Forward and backward times of `a` on `T` (from f32 inputs rounded to `T`).
fn time<T: Element>(a: &Activation, x32: &[f32], to: fn(f32) -> T) -> [f64; 2] {
    let n = x32.len();
    let x: Vec<T> = x32.iter().map(|&v| to(v)).collect();
    let dy: Vec<T> = vec![to(1.0); n];
    let mut y: Vec<T> = vec![to(0.0); n];
    let reps = reps(n);
    let fw = best(reps, || {
        a.forward(black_box(&x), black_box(&mut y)).unwrap()
    });
    let bw = best(reps, || {
        a.backward(black_box(&x), black_box(&dy), black_box(&mut y))
            .unwrap()
    });
    [fw, bw]
}

fn main() {
    let sizes: Vec<usize> = match std::env::args().nth(1) {
        Some(s) => vec![s.parse().expect("a size")],
        None => vec![8192, 1 << 24],
    };
    let only = std::env::args().nth(2).unwrap_or_default();
    println!(
        "ISA {}; ns per element; ratio = time / the f32 time of the same run",
        Isa::active()
    );
    for n in sizes {
        let x = inputs(n);
        println!(
            "\nn = {n}\n{:<34} {:>8} {:>8} {:>8} {:>7} {:>7} | {:>8} {:>8} {:>8} {:>7} {:>7}",
            "activation",
            "f32 fw",
            "bf16 fw",
            "f16 fw",
            "bf16/",
            "f16/",
            "f32 bw",
            "bf16 bw",
            "f16 bw",
            "bf16/",
            "f16/"
        );
        let mut worst = [0.0f64; 2];
        for a in Activation::ALL
            .iter()
            .filter(|a| a.to_string().starts_with(&only))
        {
            let t32 = time::<f32>(a, &x, |v| v);
            let tb = time::<bf16>(a, &x, bf16::from_f32);
            let th = time::<f16>(a, &x, f16::from_f32);
            let ns = |t: f64| t * 1e9 / n as f64;
            let r = [
                tb[0] / t32[0],
                th[0] / t32[0],
                tb[1] / t32[1],
                th[1] / t32[1],
            ];
            worst[0] = worst[0].max(r[0].max(r[1]));
            worst[1] = worst[1].max(r[2].max(r[3]));
            println!(
                "{:<34} {:>8.3} {:>8.3} {:>8.3} {:>7.2} {:>7.2} | {:>8.3} {:>8.3} {:>8.3} {:>7.2} {:>7.2}",
                a.to_string(),
                ns(t32[0]),
                ns(tb[0]),
                ns(th[0]),
                r[0],
                r[1],
                ns(t32[1]),
                ns(tb[1]),
                ns(th[1]),
                r[2],
                r[3]
            );
        }
        println!(
            "largest ratio at n = {n}: forward {:.2}, backward {:.2}",
            worst[0], worst[1]
        );
    }
}
