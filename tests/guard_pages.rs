//! Guard pages: every buffer a call reads or writes ends exactly at a `PROT_NONE` page (and,
//! in a second pass, starts exactly after one), so touching even one element outside a slice
//! faults (SIGSEGV) instead of passing unseen, as it can with guard cells. Every function and
//! form (forward, in place, backward, from output, PReLU with shared / channels-last / NCHW
//! weights, CReLU), on every ISA this CPU has, every length 0..=3 * 16 * 4 + 1 (three unrolled
//! AVX-512 blocks and one more), f32 and f64. The results are compared, bit for bit, with the
//! same call on the same ISA on ordinary buffers, so the guarded calls did their work.
//!
//! On a fault the test binary dies by SIGSEGV after printing the case it was running.
#![cfg(unix)]

mod common;

use common::{gradients, inputs, isas, same, Rng, TestFloat};
use simd_activations::*;
use std::cell::RefCell;

// ------------------------------------------------------------------------------------------
// Guarded memory
// ------------------------------------------------------------------------------------------

/// One mapping: `[PROT_NONE page][DATA_PAGES read-write pages][PROT_NONE page]`.
struct Guarded {
    base: *mut u8,
    page: usize,
}

/// Read-write pages between the guards: room for the longest buffer (2 * 193 f64, CReLU).
const DATA_PAGES: usize = 1;

/// Where a slice lies in its mapping.
#[derive(Clone, Copy, Debug)]
enum Place {
    /// Its last element is the last one before the trailing guard page.
    End,
    /// Its first element is the first one after the leading guard page.
    Start,
}

impl Guarded {
    fn new() -> Self {
        // SAFETY: sysconf has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
        let total = (DATA_PAGES + 2) * page;
        // SAFETY: an anonymous private mapping at an address of the kernel's choice; the result
        // is checked below.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                total,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert!(base != libc::MAP_FAILED, "mmap failed");
        let base = base as *mut u8;
        // SAFETY: both ranges are whole pages inside the mapping just made.
        let (lead, trail) = unsafe {
            (
                libc::mprotect(base.cast(), page, libc::PROT_NONE),
                libc::mprotect(
                    base.add((DATA_PAGES + 1) * page).cast(),
                    page,
                    libc::PROT_NONE,
                ),
            )
        };
        assert!(lead == 0 && trail == 0, "mprotect failed");
        Guarded { base, page }
    }

    /// `n` elements of `T` placed as `place` says.
    fn slice<T: TestFloat>(&mut self, n: usize, place: Place) -> &mut [T] {
        let size = std::mem::size_of::<T>();
        assert!(n * size <= DATA_PAGES * self.page, "buffer of {n} too long");
        let offset = match place {
            Place::Start => self.page,
            Place::End => (DATA_PAGES + 1) * self.page - n * size,
        };
        // SAFETY: `offset .. offset + n * size` lies in the read-write pages of this mapping,
        // which lives as long as `self` (borrowed mutably for the slice's lifetime); the
        // address is page-aligned plus a multiple of `size`, so aligned for `T`; every bit
        // pattern is a valid `T`, and mmap zero-fills.
        unsafe { std::slice::from_raw_parts_mut(self.base.add(offset).cast::<T>(), n) }
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`, with its size; no slice of it outlives `self`.
        unsafe { libc::munmap(self.base.cast(), (DATA_PAGES + 2) * self.page) };
    }
}

// ------------------------------------------------------------------------------------------
// Naming the case that faulted
// ------------------------------------------------------------------------------------------

thread_local! {
    static CURRENT: RefCell<String> = const { RefCell::new(String::new()) };
}

extern "C" fn on_segv(_: libc::c_int) {
    let _ = CURRENT.try_with(|c| {
        if let Ok(c) = c.try_borrow() {
            let msg = format!("\nguard_pages: SIGSEGV (a guard page was touched) in {c}\n");
            // SAFETY: writes `msg.len()` bytes of a live buffer to stderr.
            unsafe { libc::write(2, msg.as_ptr().cast(), msg.len()) };
        }
    });
    // SAFETY: restores the default action; returning re-runs the faulting access, which then
    // kills the process with SIGSEGV.
    unsafe { libc::signal(libc::SIGSEGV, libc::SIG_DFL) };
}

fn install_handler() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let handler = on_segv as extern "C" fn(libc::c_int) as libc::sighandler_t;
        // SAFETY: installs a handler that only formats, writes and resets the disposition.
        unsafe { libc::signal(libc::SIGSEGV, handler) };
    });
}

// ------------------------------------------------------------------------------------------
// The cases
// ------------------------------------------------------------------------------------------

/// A call on `isa` with its input slices and its output slices (in-place buffers are outputs
/// that start with the input).
type Call<T> = Box<dyn Fn(Isa, &[&[T]], &mut [&mut [T]])>;

struct Case<T> {
    name: String,
    inputs: Vec<Vec<T>>,
    /// Initial contents of the outputs.
    outputs: Vec<Vec<T>>,
    call: Call<T>,
}

type Fwd<T> = fn(Isa, &[T], &mut [T]);
type InPlace<T> = fn(Isa, &mut [T]);
type Bwd<T> = fn(Isa, &[T], &[T], &mut [T]);

fn t<T: TestFloat>(v: f64) -> T {
    T::from_f64(v)
}

/// Every `(x, y)` function, with valid parameters.
fn forwards<T: TestFloat>() -> Vec<(&'static str, Fwd<T>, InPlace<T>)> {
    macro_rules! fwd {
        ($($name:literal: $f:ident, $g:ident $(, $p:expr)*;)*) => {
            vec![$(($name, |i, x, y| $f(i, x, y $(, $p)*), |i, xy| $g(i, xy $(, $p)*))),*]
        };
    }
    fwd! {
        "relu": relu_on, relu_inplace_on;
        "leaky_relu": leaky_relu_on, leaky_relu_inplace_on, t(0.01);
        "elu": elu_on, elu_inplace_on, T::ONE;
        "selu": selu_on, selu_inplace_on;
        "celu": celu_on, celu_inplace_on, t(1.5);
        "gelu": gelu_on, gelu_inplace_on;
        "gelu_tanh": gelu_tanh_on, gelu_tanh_inplace_on;
        "hardsigmoid": hardsigmoid_on, hardsigmoid_inplace_on;
        "hardswish": hardswish_on, hardswish_inplace_on;
        "relu6": relu6_on, relu6_inplace_on;
        "hardtanh": hardtanh_on, hardtanh_inplace_on, -T::ONE, T::ONE;
        "sigmoid": sigmoid_on, sigmoid_inplace_on;
        "silu": silu_on, silu_inplace_on;
        "softplus": softplus_on, softplus_inplace_on, T::ONE, t(20.0);
        "mish": mish_on, mish_inplace_on;
        "tanh": tanh_on, tanh_inplace_on;
        "softsign": softsign_on, softsign_inplace_on;
        "threshold": threshold_on, threshold_inplace_on, t(0.5), t(-1.0);
        "thresholded_relu": thresholded_relu_on, thresholded_relu_inplace_on, T::ONE;
        "hardshrink": hardshrink_on, hardshrink_inplace_on, t(0.5);
        "softshrink": softshrink_on, softshrink_inplace_on, t(0.5);
        "tanhshrink": tanhshrink_on, tanhshrink_inplace_on;
        "log_sigmoid": log_sigmoid_on, log_sigmoid_inplace_on;
        "quick_gelu": quick_gelu_on, quick_gelu_inplace_on;
        "silu_beta": silu_beta_on, silu_beta_inplace_on, t(1.5);
        "rrelu": rrelu_on, rrelu_inplace_on, t(0.125), t(0.25);
    }
}

/// Every `(x or y, dy, dx)` function, with valid parameters.
fn backwards<T: TestFloat>() -> Vec<(&'static str, Bwd<T>)> {
    macro_rules! bwd {
        ($($f:ident $(, $p:expr)*;)*) => {
            vec![$((stringify!($f), |i, a, dy, dx| $f(i, a, dy, dx $(, $p)*))),*]
        };
    }
    bwd! {
        relu_backward_on;
        relu_backward_from_output_on;
        leaky_relu_backward_on, t(0.01);
        leaky_relu_backward_from_output_on, t(0.01);
        elu_backward_on, T::ONE;
        elu_backward_from_output_on, T::ONE;
        selu_backward_on;
        selu_backward_from_output_on;
        celu_backward_on, t(1.5);
        celu_backward_from_output_on, t(1.5);
        gelu_backward_on;
        gelu_tanh_backward_on;
        hardsigmoid_backward_on;
        hardswish_backward_on;
        relu6_backward_on;
        relu6_backward_from_output_on;
        hardtanh_backward_on, -T::ONE, T::ONE;
        hardtanh_backward_from_output_on, -T::ONE, T::ONE;
        sigmoid_backward_on;
        sigmoid_backward_from_output_on;
        silu_backward_on;
        softplus_backward_on, T::ONE, t(20.0);
        mish_backward_on;
        tanh_backward_on;
        tanh_backward_from_output_on;
        softsign_backward_on;
        threshold_backward_on, t(0.5), t(-1.0);
        thresholded_relu_backward_on, T::ONE;
        hardshrink_backward_on, t(0.5);
        softshrink_backward_on, t(0.5);
        tanhshrink_backward_on;
        log_sigmoid_backward_on;
        quick_gelu_backward_on;
        silu_beta_backward_on, t(1.5);
        rrelu_backward_on, t(0.125), t(0.25);
        rrelu_with_noise_backward_on;
    }
}

/// PReLU layouts `(weight.len(), inner)` for `n` elements: one shared weight, one
/// channels-last row of `n` weights, channels-last rows of 3, NCHW with 2 channels.
fn prelu_layouts(n: usize) -> Vec<(usize, usize)> {
    let mut v = vec![(1, 1)];
    if n > 1 {
        v.push((n, 1));
    }
    if n > 3 && n % 3 == 0 {
        v.push((3, 1));
    }
    if n > 2 && n % 2 == 0 {
        v.push((2, n / 2));
    }
    v
}

/// Every case for length `n`.
fn cases<T: TestFloat>(n: usize, rng: &mut Rng) -> Vec<Case<T>> {
    let x = inputs::<T>(n, n, rng);
    let dy = gradients::<T>(n, rng);
    let sentinel = |len: usize| vec![t::<T>(-12345.678); len];
    let mut v = Vec::new();
    for (name, f, g) in forwards::<T>() {
        v.push(Case {
            name: name.to_string(),
            inputs: vec![x.clone()],
            outputs: vec![sentinel(n)],
            call: Box::new(move |i, ins, outs| f(i, ins[0], outs[0])),
        });
        v.push(Case {
            name: format!("{name}_inplace"),
            inputs: vec![],
            outputs: vec![x.clone()],
            call: Box::new(move |i, _, outs| g(i, outs[0])),
        });
    }
    for (name, f) in backwards::<T>() {
        v.push(Case {
            name: name.trim_end_matches("_on").to_string(),
            inputs: vec![x.clone(), dy.clone()],
            outputs: vec![sentinel(n)],
            call: Box::new(move |i, ins, outs| f(i, ins[0], ins[1], outs[0])),
        });
    }
    for (channels, inner) in prelu_layouts(n) {
        let w: Vec<T> = (0..channels).map(|c| t(0.25 - 0.125 * c as f64)).collect();
        let layout = format!("weight.len() = {channels}, inner = {inner}");
        v.push(Case {
            name: format!("prelu({layout})"),
            inputs: vec![x.clone(), w.clone()],
            outputs: vec![sentinel(n)],
            call: Box::new(move |i, ins, outs| prelu_on(i, ins[0], outs[0], ins[1], inner)),
        });
        v.push(Case {
            name: format!("prelu_inplace({layout})"),
            inputs: vec![w.clone()],
            outputs: vec![x.clone()],
            call: Box::new(move |i, ins, outs| prelu_inplace_on(i, outs[0], ins[0], inner)),
        });
        v.push(Case {
            name: format!("prelu_backward({layout})"),
            inputs: vec![x.clone(), dy.clone(), w],
            outputs: vec![sentinel(n), sentinel(channels)],
            call: Box::new(move |i, ins, outs| {
                let (dx, dw) = outs.split_at_mut(1);
                prelu_backward_on(i, ins[0], ins[1], dx[0], ins[2], inner, dw[0])
            }),
        });
    }
    // CReLU: one row of n, and rows of 3 where they fit.
    let mut row_lens = vec![n.max(1)];
    if n > 3 && n % 3 == 0 {
        row_lens.push(3);
    }
    let dy2 = gradients::<T>(2 * n, rng);
    for row_len in row_lens {
        v.push(Case {
            name: format!("crelu(row_len = {row_len})"),
            inputs: vec![x.clone()],
            outputs: vec![sentinel(2 * n)],
            call: Box::new(move |i, ins, outs| crelu_on(i, ins[0], outs[0], row_len)),
        });
        v.push(Case {
            name: format!("crelu_backward(row_len = {row_len})"),
            inputs: vec![x.clone(), dy2.clone()],
            outputs: vec![sentinel(n)],
            call: Box::new(move |i, ins, outs| {
                crelu_backward_on(i, ins[0], ins[1], outs[0], row_len)
            }),
        });
    }
    // The GLU family: two slices of n, and one packed row of 2n (n > 0).
    let x2 = inputs::<T>(2 * n, n + 1, rng);
    for g in Gated::ALL {
        let name = g.spec().function;
        v.push(Case {
            name: name.to_string(),
            inputs: vec![x.clone(), dy.clone()],
            outputs: vec![sentinel(n)],
            call: Box::new(move |i, ins, outs| g.forward_on(i, ins[0], ins[1], outs[0]).unwrap()),
        });
        v.push(Case {
            name: format!("{name}_backward"),
            inputs: vec![x.clone(), x.clone(), dy.clone()],
            outputs: vec![sentinel(n), sentinel(n)],
            call: Box::new(move |i, ins, outs| {
                let (da, db) = outs.split_at_mut(1);
                g.backward_on(i, ins[0], ins[1], ins[2], da[0], db[0])
                    .unwrap()
            }),
        });
        if n > 0 {
            v.push(Case {
                name: format!("{name}_packed(half = {n})"),
                inputs: vec![x2.clone()],
                outputs: vec![sentinel(n)],
                call: Box::new(move |i, ins, outs| {
                    g.forward_packed_on(i, ins[0], outs[0], n).unwrap()
                }),
            });
            v.push(Case {
                name: format!("{name}_packed_backward(half = {n})"),
                inputs: vec![x2.clone(), dy.clone()],
                outputs: vec![sentinel(2 * n)],
                call: Box::new(move |i, ins, outs| {
                    g.backward_packed_on(i, ins[0], ins[1], outs[0], n).unwrap()
                }),
            });
        }
    }
    v
}

/// Lengths: every one from 0 to three unrolled AVX-512 blocks (16 lanes x 4) + 1.
const MAX_LEN: usize = 3 * 16 * 4 + 1;

fn run<T: TestFloat>() {
    install_handler();
    let isas = isas();
    let mut rng = Rng::new(9);
    // Enough mappings for the most buffers one call has (PReLU backward: 3 in, 2 out).
    let mut maps: Vec<Guarded> = (0..5).map(|_| Guarded::new()).collect();
    let mut calls = 0usize;
    let mut names = std::collections::BTreeSet::new();
    for n in 0..=MAX_LEN {
        for case in cases::<T>(n, &mut rng) {
            names.insert(case.name.split('(').next().unwrap_or("").to_string());
            for &isa in &isas {
                // The same call on ordinary buffers.
                let mut want = case.outputs.clone();
                {
                    let ins: Vec<&[T]> = case.inputs.iter().map(Vec::as_slice).collect();
                    let mut outs: Vec<&mut [T]> = want.iter_mut().map(Vec::as_mut_slice).collect();
                    (case.call)(isa, &ins, &mut outs);
                }
                for place in [Place::End, Place::Start] {
                    CURRENT.with(|c| {
                        *c.borrow_mut() = format!(
                            "{} [{}] on {isa}, n = {n}, buffers at the {place:?} of their pages",
                            case.name,
                            T::NAME
                        )
                    });
                    let (in_maps, out_maps) = maps.split_at_mut(case.inputs.len());
                    let ins: Vec<&[T]> = case
                        .inputs
                        .iter()
                        .zip(in_maps.iter_mut())
                        .map(|(v, m)| {
                            let s = m.slice::<T>(v.len(), place);
                            s.copy_from_slice(v);
                            &*s
                        })
                        .collect();
                    let mut outs: Vec<&mut [T]> = case
                        .outputs
                        .iter()
                        .zip(out_maps.iter_mut())
                        .map(|(v, m)| {
                            let s = m.slice::<T>(v.len(), place);
                            s.copy_from_slice(v);
                            s
                        })
                        .collect();
                    (case.call)(isa, &ins, &mut outs);
                    calls += 1;
                    for (k, (got, want)) in outs.iter().zip(&want).enumerate() {
                        for (j, (g, w)) in got.iter().zip(want).enumerate() {
                            assert!(
                                same(*g, *w),
                                "{} [{}] on {isa}, n = {n}, {place:?}: output {k}[{j}] = {g:e}, \
                                 on ordinary buffers {w:e}",
                                case.name,
                                T::NAME
                            );
                        }
                    }
                }
            }
        }
    }
    println!(
        "[{}] {calls} guarded calls, {} functions, on {isas:?}: ok",
        T::NAME,
        names.len()
    );
    // 26 forwards x 2 forms, 36 backwards (RReLU's training-mode one included), 3 PReLU
    // forms, 2 CReLU forms, the GLU family's 5 x 4 forms.
    assert_eq!(names.len(), 26 * 2 + 36 + 3 + 2 + 5 * 4, "{names:?}");
}

#[test]
fn f32_no_access_outside_any_slice() {
    run::<f32>();
}

#[test]
fn f64_no_access_outside_any_slice() {
    run::<f64>();
}
