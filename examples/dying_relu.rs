//! Dying ReLU, measured: a small MLP trained with a learning rate high enough that ReLU units
//! die, then the same network, data and seed with leaky ReLU and with ELU. After every epoch
//! it prints the fraction of dead hidden units ([`simd_activations::dead_units`] over the
//! pre-activations of the whole training set: units that are `<= 0` for every sample) and the
//! loss, and at the end it writes the curves as an SVG plot.
//!
//! `cargo run --release --example dying_relu [-- OUT.svg]` (default `target/dying_relu.svg`;
//! the README's figure is `examples/dying_relu.svg`, written by this program).
//!
//! The network: 16 inputs, one hidden layer of 384 units, one linear output, plain SGD on
//! mini-batches of 64 with the Huber loss's gradient (the output error clipped to +-1, so a
//! high learning rate kicks units without the whole network diverging; the printed loss is
//! the mean squared error). `LR=0.1 cargo run ...` sets another learning rate. The data: 4096 samples of a smooth target with
//! noise, all from a fixed seed, so every run (and every ISA: the crate's results are
//! bit-identical across them) prints the same figures.
//!
//! For ReLU a dead unit outputs 0 and gets a zero gradient for every sample, so nothing can
//! revive it. Leaky ReLU and ELU units that sit on the negative side still pass a gradient
//! (`slope` and `alpha e^x`) and can come back: the seed article's argument, here as numbers.

use simd_activations::{dead_units, Activation};
use std::fmt::Write as _;

const INPUTS: usize = 16;
const HIDDEN: usize = 384;
const SAMPLES: usize = 4096;
const BATCH: usize = 64;
const EPOCHS: usize = 40;
/// The default learning rate: high enough that about half of the ReLU units die within a few
/// epochs (at 0.8, under 1% do; at 0.1, none).
const LEARNING_RATE: f32 = 1.5;

/// The learning rate: `LR` from the environment if set, else [`LEARNING_RATE`].
fn lr() -> f32 {
    std::env::var("LR")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(LEARNING_RATE)
}

/// SplitMix64: a small, seedable generator (the example needs no dependency for this).
struct Rng(u64);
impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, 1)`.
    fn uniform(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }
    /// Standard normal (Box-Muller).
    fn normal(&mut self) -> f32 {
        let u = 1.0 - self.uniform();
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
    }
}

struct Data {
    x: Vec<f32>,
    y: Vec<f32>,
}

fn make_data(rng: &mut Rng) -> Data {
    let w: Vec<f32> = (0..INPUTS).map(|_| rng.normal() * 0.5).collect();
    let mut x = Vec::with_capacity(SAMPLES * INPUTS);
    let mut y = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let row: Vec<f32> = (0..INPUTS).map(|_| rng.normal()).collect();
        let s: f32 = row.iter().zip(&w).map(|(a, b)| a * b).sum();
        y.push((2.0 * s).sin() + 0.5 * row[0] * row[1] + 0.1 * rng.normal());
        x.extend(row);
    }
    Data { x, y }
}

struct Mlp {
    w1: Vec<f32>, // [INPUTS, HIDDEN]
    b1: Vec<f32>,
    w2: Vec<f32>, // [HIDDEN]
    b2: f32,
}

impl Mlp {
    fn new(rng: &mut Rng) -> Mlp {
        let he = (2.0 / INPUTS as f32).sqrt();
        Mlp {
            w1: (0..INPUTS * HIDDEN).map(|_| rng.normal() * he).collect(),
            b1: vec![0.0; HIDDEN],
            w2: (0..HIDDEN)
                .map(|_| rng.normal() / (HIDDEN as f32).sqrt())
                .collect(),
            b2: 0.0,
        }
    }

    /// Pre-activations `z = x W1 + b1` for `rows` samples, laid out `[rows, HIDDEN]`.
    fn hidden_pre(&self, x: &[f32], z: &mut [f32]) {
        for (xr, zr) in x.chunks_exact(INPUTS).zip(z.chunks_exact_mut(HIDDEN)) {
            zr.copy_from_slice(&self.b1);
            for (xi, wr) in xr.iter().zip(self.w1.chunks_exact(HIDDEN)) {
                for (zj, wj) in zr.iter_mut().zip(wr) {
                    *zj += xi * wj;
                }
            }
        }
    }
}

struct Curve {
    name: String,
    dead: Vec<f32>,
    loss: Vec<f32>,
}

fn train(name: &str, activation: Activation, data: &Data, seed: u64) -> Curve {
    let mut rng = Rng(seed);
    let mut net = Mlp::new(&mut rng);
    let (mut z, mut h) = (vec![0.0f32; BATCH * HIDDEN], vec![0.0f32; BATCH * HIDDEN]);
    let (mut dh, mut dz) = (vec![0.0f32; BATCH * HIDDEN], vec![0.0f32; BATCH * HIDDEN]);
    let mut z_all = vec![0.0f32; SAMPLES * HIDDEN];
    let mut h_all = vec![0.0f32; SAMPLES * HIDDEN];
    let mut dead = vec![false; HIDDEN];
    let mut order: Vec<usize> = (0..SAMPLES / BATCH).collect();
    let mut curve = Curve {
        name: name.to_string(),
        dead: vec![],
        loss: vec![],
    };
    let mut xb = vec![0.0f32; BATCH * INPUTS];
    let mut yb = vec![0.0f32; BATCH];
    let lr = lr();
    for _ in 0..=EPOCHS {
        // Statistics over the whole training set with the current weights (epoch 0: at
        // initialisation).
        net.hidden_pre(&data.x, &mut z_all);
        let n_dead = dead_units(&z_all, HIDDEN, &mut dead);
        activation
            .forward(&z_all, &mut h_all)
            .expect("valid shapes");
        let loss: f32 = h_all
            .chunks_exact(HIDDEN)
            .zip(&data.y)
            .map(|(hr, t)| {
                let out: f32 = hr.iter().zip(&net.w2).map(|(a, b)| a * b).sum::<f32>() + net.b2;
                (out - t) * (out - t)
            })
            .sum::<f32>()
            / SAMPLES as f32;
        curve.dead.push(n_dead as f32 / HIDDEN as f32);
        curve.loss.push(loss);
        if curve.dead.len() > EPOCHS {
            break;
        }
        // One epoch of SGD, batches in a shuffled order.
        for i in (1..order.len()).rev() {
            order.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
        }
        for &b in &order {
            let rows = b * BATCH..(b + 1) * BATCH;
            xb.copy_from_slice(&data.x[rows.start * INPUTS..rows.end * INPUTS]);
            yb.copy_from_slice(&data.y[rows]);
            net.hidden_pre(&xb, &mut z);
            activation.forward(&z, &mut h).expect("valid shapes");
            // d loss / d out = 2 (out - y) / BATCH; the output layer's gradients.
            let mut dw2 = vec![0.0f32; HIDDEN];
            let mut db2 = 0.0f32;
            for ((hr, dhr), t) in h
                .chunks_exact(HIDDEN)
                .zip(dh.chunks_exact_mut(HIDDEN))
                .zip(&yb)
            {
                let out: f32 = hr.iter().zip(&net.w2).map(|(a, b)| a * b).sum::<f32>() + net.b2;
                // The Huber loss's gradient (delta 1): large steps, no divergence.
                let g = 2.0 * (out - t).clamp(-1.0, 1.0) / BATCH as f32;
                db2 += g;
                for ((dw, hv), (dhv, w)) in dw2.iter_mut().zip(hr).zip(dhr.iter_mut().zip(&net.w2))
                {
                    *dw += g * hv;
                    *dhv = g * w;
                }
            }
            // Through the activation: the crate's backward kernel.
            activation.backward(&z, &dh, &mut dz).expect("valid shapes");
            let mut db1 = vec![0.0f32; HIDDEN];
            for (xr, dzr) in xb.chunks_exact(INPUTS).zip(dz.chunks_exact(HIDDEN)) {
                for (d, g) in db1.iter_mut().zip(dzr) {
                    *d += g;
                }
                for (xi, wr) in xr.iter().zip(net.w1.chunks_exact_mut(HIDDEN)) {
                    for (w, g) in wr.iter_mut().zip(dzr) {
                        *w -= lr * xi * g;
                    }
                }
            }
            for (b, d) in net.b1.iter_mut().zip(&db1) {
                *b -= lr * d;
            }
            for (w, d) in net.w2.iter_mut().zip(&dw2) {
                *w -= lr * d;
            }
            net.b2 -= lr * db2;
        }
    }
    curve
}

/// The dead fraction per epoch as an SVG line chart, one line per activation.
fn svg(curves: &[Curve]) -> String {
    let (w, h, left, right, top, bottom) = (640.0, 380.0, 60.0, 170.0, 30.0, 50.0);
    let (pw, ph) = (w - left - right, h - top - bottom);
    let px = |e: usize| left + pw * e as f64 / EPOCHS as f64;
    let py = |f: f32| top + ph * (1.0 - f as f64);
    let colours = ["#d62728", "#1f77b4", "#2ca02c"];
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{}" y="18" text-anchor="middle" font-size="14">Dead hidden units per epoch (MLP {INPUTS}-{HIDDEN}-1, SGD, lr {})</text>"#,
        left + pw / 2.0,
        lr()
    );
    for i in 0..=5 {
        let f = i as f32 / 5.0;
        let y = py(f);
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{y}" x2="{}" y2="{y}" stroke="#ddd"/><text x="{}" y="{}" text-anchor="end">{:.0}%</text>"##,
            left + pw,
            left - 6.0,
            y + 4.0,
            f * 100.0
        );
    }
    for e in (0..=EPOCHS).step_by(10) {
        let x = px(e);
        let _ = writeln!(
            s,
            r#"<text x="{x}" y="{}" text-anchor="middle">{e}</text>"#,
            top + ph + 18.0
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">epoch</text>"#,
        left + pw / 2.0,
        h - 10.0
    );
    let _ = writeln!(
        s,
        r#"<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="black"/>"#
    );
    for (i, (c, colour)) in curves.iter().zip(colours).enumerate() {
        let points: Vec<String> = c
            .dead
            .iter()
            .enumerate()
            .map(|(e, &f)| format!("{:.1},{:.1}", px(e), py(f)))
            .collect();
        let _ = writeln!(
            s,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"#,
            points.join(" ")
        );
        let ly = top + 20.0 + 22.0 * i as f64;
        let _ = writeln!(
            s,
            r#"<line x1="{}" y1="{ly}" x2="{}" y2="{ly}" stroke="{colour}" stroke-width="2"/><text x="{}" y="{}">{}</text>"#,
            left + pw + 12.0,
            left + pw + 36.0,
            left + pw + 42.0,
            ly + 4.0,
            c.name
        );
    }
    s.push_str("</svg>\n");
    s
}

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/dying_relu.svg".to_string());
    let data = make_data(&mut Rng(7));
    let activations = [
        ("ReLU", Activation::Relu),
        ("leaky ReLU 0.01", Activation::LeakyRelu { slope: 0.01 }),
        ("ELU 1", Activation::Elu { alpha: 1.0 }),
    ];
    println!(
        "simd-activations dying-ReLU demo: MLP {INPUTS}-{HIDDEN}-1, {SAMPLES} samples, batch {BATCH}, \
         SGD lr {}, ISA {:?}",
        lr(),
        simd_activations::Isa::active()
    );
    let curves: Vec<Curve> = activations
        .iter()
        .map(|&(name, a)| train(name, a, &data, 11))
        .collect();
    print!("{:>5}", "epoch");
    for c in &curves {
        print!("  {:>24}", format!("{}: dead, loss", c.name));
    }
    println!();
    for e in 0..=EPOCHS {
        print!("{e:>5}");
        for c in &curves {
            print!("  {:>15.1}% {:>7.4}", 100.0 * c.dead[e], c.loss[e]);
        }
        println!();
    }
    if let Some(dir) = std::path::Path::new(&out).parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).expect("create the SVG's folder");
        }
    }
    std::fs::write(&out, svg(&curves)).expect("write the SVG");
    println!("wrote {out}");
}
