//! Feature `rayon`: one thread against `Activation`'s `_par` forms, f32, on this machine's
//! threads; and, to find where splitting starts to pay, one call against the same call split
//! in two halves run by `rayon::join` at every length from 4K up (what `_par` does, without
//! its 64K-element floor).
//!
//! `cargo run --release --features rayon --example parallel_speed`. Best of `reps` calls, each
//! timed alone; ratio = parallel time / sequential time of the same run.

use simd_activations::Activation;
use std::hint::black_box;
use std::time::Instant;

fn best(reps: usize, mut f: impl FnMut()) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..reps {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    best
}

fn reps(n: usize) -> usize {
    if n >= 1 << 22 {
        9
    } else {
        (200_000_000 / (n * 8)).clamp(20, 2000)
    }
}

fn main() {
    let acts = [Activation::Relu, Activation::Sigmoid, Activation::Gelu];
    println!("rayon threads: {}", rayon::current_num_threads());
    println!(
        "\nsplit in two by rayon::join vs one call (ns per element; ratio < 1: splitting pays)"
    );
    println!(
        "{:<10} {:>9} {:>9} {:>7}",
        "activation", "n", "1 thread", "ratio"
    );
    for a in &acts {
        for k in 12..=20 {
            let n = 1usize << k;
            let x: Vec<f32> = (0..n).map(|i| (i % 97) as f32 * 0.17 - 8.0).collect();
            let mut y = vec![0.0f32; n];
            let r = reps(n);
            let one = best(r, || a.forward(black_box(&x), black_box(&mut y)).unwrap());
            let two = best(r, || {
                let (xa, xb) = x.split_at(n / 2);
                let (ya, yb) = y.split_at_mut(n / 2);
                rayon::join(|| a.forward(xa, ya).unwrap(), || a.forward(xb, yb).unwrap());
            });
            println!(
                "{:<10} {:>9} {:>9.3} {:>7.2}",
                a.to_string(),
                n,
                one * 1e9 / n as f64,
                two / one
            );
        }
    }
    println!("\nforward_par / backward_par vs forward / backward (ns per element)");
    println!(
        "{:<10} {:>9} {:>8} {:>8} {:>7} | {:>8} {:>8} {:>7}",
        "activation", "n", "fw", "fw_par", "ratio", "bw", "bw_par", "ratio"
    );
    for a in &acts {
        for n in [1usize << 20, 1 << 24] {
            let x: Vec<f32> = (0..n).map(|i| (i % 97) as f32 * 0.17 - 8.0).collect();
            let dy = vec![1.0f32; n];
            let mut y = vec![0.0f32; n];
            let r = reps(n);
            let fw = best(r, || a.forward(black_box(&x), black_box(&mut y)).unwrap());
            let fp = best(r, || {
                a.forward_par(black_box(&x), black_box(&mut y)).unwrap()
            });
            let bw = best(r, || a.backward(&x, &dy, black_box(&mut y)).unwrap());
            let bp = best(r, || a.backward_par(&x, &dy, black_box(&mut y)).unwrap());
            let ns = |t: f64| t * 1e9 / n as f64;
            println!(
                "{:<10} {:>9} {:>8.3} {:>8.3} {:>7.2} | {:>8.3} {:>8.3} {:>7.2}",
                a.to_string(),
                n,
                ns(fw),
                ns(fp),
                fp / fw,
                ns(bw),
                ns(bp),
                bp / bw
            );
        }
    }
}
