//! Feature `ndarray`: `Activation`'s `_array` forms and `prelu_array` on every layout (C and
//! F order, transposed and permuted axes, stepped slices, negative strides, broadcast inputs,
//! 0-, 1-, 3- and dynamic-dimensional arrays, outputs that are strided views of larger
//! arrays) equal, element for element and bit for bit, the slice forms on the same elements in
//! logical order, and write nothing outside the output view.
#![cfg(feature = "ndarray")]
// Layouts are numbered: `k` selects the view and names it.
#![allow(clippy::needless_range_loop)]

use ndarray::{s, Array, Array3, ArrayD, ArrayView3, ArrayViewMut3, Axis, IxDyn, ShapeBuilder};
use simd_activations::{Activation, Error, GradientInput};

const SHAPE: (usize, usize, usize) = (4, 5, 67);
const SENTINEL: f32 = -777.25;

fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|i| {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            if i % 37 == 3 {
                f32::NAN
            } else {
                ((s >> 40) as f32 / (1u64 << 24) as f32) * 24.0 - 12.0
            }
        })
        .collect()
}

/// Arrays holding views of `SHAPE` in different layouts; `view(k)` is the k-th layout.
struct Layouts {
    c: Array3<f32>,
    f: Array3<f32>,
    /// Permuted: (67, 5, 4) stored, viewed with axes reversed.
    t: Array3<f32>,
    /// A larger array viewed with steps and a negative stride.
    big: Array3<f32>,
}

const NAMES: [&str; 5] = [
    "C",
    "F",
    "permuted",
    "stepped, negative stride",
    "rows of a larger array",
];
const LAYOUTS: usize = NAMES.len();

impl Layouts {
    fn new(seed: u64) -> Layouts {
        let (a, b, c) = SHAPE;
        let n = a * b * c;
        Layouts {
            c: Array::from_shape_vec(SHAPE, values(n, seed)).unwrap(),
            f: Array::from_shape_vec(SHAPE.f(), values(n, seed + 1)).unwrap(),
            t: Array::from_shape_vec((c, b, a), values(n, seed + 2)).unwrap(),
            big: Array::from_shape_vec(
                (2 * a, b + 3, 3 * c),
                values(6 * n * (b + 3) / b, seed + 3),
            )
            .unwrap(),
        }
    }
    fn sentinels() -> Layouts {
        let mut l = Layouts::new(0);
        for a in [&mut l.c, &mut l.f, &mut l.t, &mut l.big] {
            a.fill(SENTINEL);
        }
        l
    }
    fn view(&self, k: usize) -> ArrayView3<'_, f32> {
        match k {
            0 => self.c.view(),
            1 => self.f.view(),
            2 => self.t.view().reversed_axes(),
            3 => self.big.slice(s![..;2, 1..6, ..;-3]),
            _ => self.big.slice(s![1..;2, 2..7, 5..72]),
        }
    }
    fn view_mut(&mut self, k: usize) -> ArrayViewMut3<'_, f32> {
        match k {
            0 => self.c.view_mut(),
            1 => self.f.view_mut(),
            2 => self.t.view_mut().reversed_axes(),
            3 => self.big.slice_mut(s![..;2, 1..6, ..;-3]),
            _ => self.big.slice_mut(s![1..;2, 2..7, 5..72]),
        }
    }
    /// Every element of `big` outside both views of it still holds the sentinel.
    fn assert_outside_untouched(&mut self, what: &str) {
        let mut mask = Array3::<bool>::from_elem(self.big.raw_dim(), false);
        mask.slice_mut(s![..;2, 1..6, ..;-3]).fill(true);
        mask.slice_mut(s![1..;2, 2..7, 5..72]).fill(true);
        for (v, inside) in self.big.iter().zip(mask.iter()) {
            if !inside {
                assert_eq!(
                    v.to_bits(),
                    SENTINEL.to_bits(),
                    "{what}: written outside the view"
                );
            }
        }
    }
}

fn logical(v: &ArrayView3<'_, f32>) -> Vec<f32> {
    v.iter().copied().collect()
}

fn same(what: &str, got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.to_bits(), w.to_bits(), "{what}: element {i}");
    }
}

#[test]
fn every_activation_every_layout_pair() {
    let xs = Layouts::new(1);
    let dys = Layouts::new(50);
    for a in Activation::ALL {
        for kx in 0..LAYOUTS {
            let x = xs.view(kx);
            let xl = logical(&x);
            let mut want = vec![0.0f32; xl.len()];
            a.forward(&xl, &mut want).unwrap();
            let dyl = logical(&dys.view((kx + 1) % LAYOUTS));
            let mut want_dx = vec![0.0f32; xl.len()];
            a.backward(&xl, &dyl, &mut want_dx).unwrap();
            for ky in 0..LAYOUTS {
                let what = format!("{a}: x {}, y {}", NAMES[kx], NAMES[ky]);
                let mut out = Layouts::sentinels();
                a.forward_array(x, out.view_mut(ky)).unwrap();
                same(&format!("{what} forward"), &logical(&out.view(ky)), &want);
                out.assert_outside_untouched(&what);

                let mut out = Layouts::sentinels();
                a.backward_array(x, dys.view((kx + 1) % LAYOUTS), out.view_mut(ky))
                    .unwrap();
                same(
                    &format!("{what} backward"),
                    &logical(&out.view(ky)),
                    &want_dx,
                );
                out.assert_outside_untouched(&what);

                if a.gradient_needs() == GradientInput::Output {
                    let mut want_g = vec![0.0f32; xl.len()];
                    a.backward_from_output(&want, &dyl, &mut want_g).unwrap();
                    let mut yv = Layouts::sentinels();
                    // y in layout ky, holding the forward result.
                    a.forward_array(x, yv.view_mut(ky)).unwrap();
                    let mut out = Layouts::sentinels();
                    a.backward_from_output_array(
                        yv.view(ky),
                        dys.view((kx + 1) % LAYOUTS),
                        out.view_mut(kx),
                    )
                    .unwrap();
                    same(
                        &format!("{what} from output"),
                        &logical(&out.view(kx)),
                        &want_g,
                    );
                }
            }
            let mut inplace = Layouts::new(1);
            a.forward_inplace_array(inplace.view_mut(kx)).unwrap();
            same(
                &format!("{a} in place {}", NAMES[kx]),
                &logical(&inplace.view(kx)),
                &want,
            );
        }
    }
}

#[test]
fn broadcast_inputs_and_other_dimensions() {
    let a = Activation::Silu;
    // A row broadcast over the first two axes, and dy a scalar broadcast everywhere.
    let row = Array::from_vec(values(SHAPE.2, 9));
    let x = row.broadcast(SHAPE).unwrap();
    let dy = ndarray::arr0(0.5f32);
    let dy = dy.broadcast(SHAPE).unwrap();
    let mut dx = Array3::<f32>::zeros(SHAPE.f());
    a.backward_array(x, dy, dx.view_mut()).unwrap();
    let xl: Vec<f32> = x.iter().copied().collect();
    let mut want = vec![0.0f32; xl.len()];
    a.backward(&xl, &vec![0.5f32; xl.len()], &mut want).unwrap();
    same("broadcast backward", &logical(&dx.view()), &want);

    // 0-d, 1-d with a step, and dynamic dimension.
    let x0 = ndarray::arr0(-3.0f32);
    let mut y0 = ndarray::arr0(0.0f32);
    Activation::Relu
        .forward_array(x0.view(), y0.view_mut())
        .unwrap();
    assert_eq!(y0[()], 0.0);
    let x1 = Array::from_vec(values(1001, 4));
    let mut y1 = Array::from_elem(2002, SENTINEL);
    Activation::Tanh
        .forward_array(x1.view(), y1.slice_mut(s![..;2]))
        .unwrap();
    let mut w1 = vec![0.0f32; 1001];
    Activation::Tanh
        .forward(x1.as_slice().unwrap(), &mut w1)
        .unwrap();
    let got: Vec<f32> = y1.slice(s![..;2]).iter().copied().collect();
    same("1-d stepped", &got, &w1);
    assert!(y1.slice(s![1..;2]).iter().all(|v| *v == SENTINEL));
    let xd = ArrayD::from_shape_vec(IxDyn(&[3, 2, 2, 5]), values(60, 5)).unwrap();
    let mut yd = ArrayD::<f32>::zeros(IxDyn(&[5, 2, 2, 3]));
    Activation::Gelu
        .forward_array(xd.view(), yd.view_mut().reversed_axes())
        .unwrap();
    let mut wd = vec![0.0f32; 60];
    Activation::Gelu
        .forward(xd.as_slice().unwrap(), &mut wd)
        .unwrap();
    let got: Vec<f32> = yd.view().reversed_axes().iter().copied().collect();
    same("dynamic, reversed", &got, &wd);
}

#[test]
fn shape_mismatch_and_bad_parameter_write_nothing() {
    let x = Array3::<f32>::ones((2, 3, 4));
    let mut y = Array3::<f32>::from_elem((2, 4, 3), SENTINEL);
    let e = Activation::Relu
        .forward_array(x.view(), y.view_mut())
        .unwrap_err();
    assert!(matches!(e, Error::ShapeMismatch { .. }), "{e}");
    assert!(e.to_string().contains("shape mismatch"), "{e}");
    let mut y = Array3::<f32>::from_elem((2, 3, 4), SENTINEL);
    let e = Activation::Celu { alpha: 0.0 }
        .forward_array(x.view(), y.view_mut())
        .unwrap_err();
    assert!(matches!(e, Error::BadParameter { .. }), "{e}");
    let e = Activation::Gelu
        .backward_from_output_array(x.view(), x.view(), y.view_mut())
        .unwrap_err();
    assert!(matches!(e, Error::GradientNeedsInput { .. }), "{e}");
    assert!(y.iter().all(|v| *v == SENTINEL));
}

#[test]
fn prelu_channel_axis_every_layout() {
    let xs = Layouts::new(7);
    for axis in 0..3 {
        let channels = [SHAPE.0, SHAPE.1, SHAPE.2][axis];
        let w: Vec<f32> = (0..channels).map(|c| 0.05 * c as f32 - 0.4).collect();
        for kx in 0..LAYOUTS {
            for ky in 0..LAYOUTS {
                let x = xs.view(kx);
                let mut out = Layouts::sentinels();
                simd_activations::prelu_array(x, out.view_mut(ky), &w, Axis(axis));
                let y = out.view(ky);
                for (idx, v) in x.indexed_iter() {
                    let c = [idx.0, idx.1, idx.2][axis];
                    let want = simd_activations::reference::prelu(*v, w[c]);
                    assert_eq!(
                        y[idx].to_bits(),
                        want.to_bits(),
                        "axis {axis} {} {}",
                        NAMES[kx],
                        NAMES[ky]
                    );
                }
                out.assert_outside_untouched("prelu_array");
            }
        }
    }
    // Against the contiguous NCHW call: channels on axis 1, inner = the last axis.
    let x = xs.view(0);
    let w: Vec<f32> = (0..SHAPE.1).map(|c| 0.1 * c as f32).collect();
    let mut want = vec![0.0f32; x.len()];
    simd_activations::prelu(x.as_slice().unwrap(), &mut want, &w, SHAPE.2);
    let mut y = Array3::<f32>::zeros(SHAPE.f());
    simd_activations::prelu_array(x, y.view_mut(), &w, Axis(1));
    same("prelu_array vs prelu NCHW", &logical(&y.view()), &want);
}

#[test]
fn prelu_array_bad_weight_panics_before_writing() {
    let x = Array3::<f32>::ones((2, 3, 4)) * -1.0;
    let mut y = Array3::<f32>::from_elem((2, 3, 4), SENTINEL);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        simd_activations::prelu_array(x.view(), y.view_mut(), &[0.1, 0.3, f32::NAN], Axis(1))
    }));
    let msg = r.expect_err("a NaN weight must panic");
    let msg = msg.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("weight"), "{msg}");
    assert!(y.iter().all(|v| *v == SENTINEL), "written before the check");
}
