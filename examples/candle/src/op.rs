//! simd-activations as candle operations: [`Act`] (a `CustomOp1` with a backward pass) and
//! the gradient it records, [`ActGrad`] (a `CustomOp2` of the saved tensor and `dy`).

use crate::strided::row_major;
use candle_core::backend::BackendStorage;
use candle_core::{bail, CpuStorage, CustomOp1, CustomOp2, Layout, Result, Shape, Tensor};
use half::{bf16, f16};
use simd_activations::{Activation, Element, GradientInput};
use std::mem::MaybeUninit;

/// One activation of the crate as a candle op: `x.apply_op1(Act(Activation::Gelu))`.
/// f32, f64, bf16 and f16 CPU tensors of any layout; the output is contiguous.
#[derive(Clone, Copy, Debug)]
pub struct Act(pub Activation);

/// The gradient of [`Act`]: `dx = f'(x) * dy` from the input `x`, or from the output `y`
/// for the activations whose gradient needs only the output (ReLU, sigmoid, tanh, ...).
#[derive(Clone, Copy, Debug)]
pub struct ActGrad(pub Activation);

/// A vector of `n` elements written by `write` into uninitialised memory (no zero fill).
fn filled<T: Element>(
    n: usize,
    write: impl FnOnce(&mut [MaybeUninit<T>]) -> std::result::Result<(), simd_activations::Error>,
) -> Result<Vec<T>> {
    let mut v = Vec::with_capacity(n);
    write(&mut v.spare_capacity_mut()[..n]).map_err(candle_core::Error::wrap)?;
    // SAFETY: `write` returned Ok, so the crate's `_uninit` form initialised all `n` elements.
    unsafe { v.set_len(n) };
    Ok(v)
}

fn forward<T: Element>(act: Activation, data: &[T], layout: &Layout) -> Result<Vec<T>> {
    let x = row_major(data, layout);
    filled(x.len(), |y| act.forward_uninit(&x, y).map(|_| ()))
}

fn gradient<T: Element>(
    act: Activation,
    saved: (&[T], &Layout),
    dy: (&[T], &Layout),
) -> Result<Vec<T>> {
    let s = row_major(saved.0, saved.1);
    let dy = row_major(dy.0, dy.1);
    filled(s.len(), |dx| match act.gradient_needs() {
        GradientInput::Input => act.backward_uninit(&s, &dy, dx).map(|_| ()),
        GradientInput::Output => act.backward_from_output_uninit(&s, &dy, dx).map(|_| ()),
    })
}

impl CustomOp1 for Act {
    fn name(&self) -> &'static str {
        self.0.function_name()
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let a = self.0;
        let out = match storage {
            CpuStorage::F32(d) => CpuStorage::F32(forward::<f32>(a, d, layout)?),
            CpuStorage::F64(d) => CpuStorage::F64(forward::<f64>(a, d, layout)?),
            CpuStorage::BF16(d) => CpuStorage::BF16(forward::<bf16>(a, d, layout)?),
            CpuStorage::F16(d) => CpuStorage::F16(forward::<f16>(a, d, layout)?),
            other => bail!(
                "simd-activations {}: dtype {:?} is not supported (f32, f64, bf16, f16)",
                a,
                other.dtype()
            ),
        };
        Ok((out, layout.shape().clone()))
    }

    fn bwd(&self, arg: &Tensor, res: &Tensor, grad_res: &Tensor) -> Result<Option<Tensor>> {
        let saved = match self.0.gradient_needs() {
            GradientInput::Input => arg,
            GradientInput::Output => res,
        };
        saved.apply_op2_no_bwd(grad_res, &ActGrad(self.0)).map(Some)
    }
}

impl CustomOp2 for ActGrad {
    fn name(&self) -> &'static str {
        self.0.function_name()
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let a = self.0;
        if l1.shape() != l2.shape() {
            bail!(
                "simd-activations {} gradient: saved tensor {:?} and dy {:?} differ in shape",
                a,
                l1.shape(),
                l2.shape()
            );
        }
        let out = match (s1, s2) {
            (CpuStorage::F32(s), CpuStorage::F32(d)) => {
                CpuStorage::F32(gradient(a, (s, l1), (d, l2))?)
            }
            (CpuStorage::F64(s), CpuStorage::F64(d)) => {
                CpuStorage::F64(gradient(a, (s, l1), (d, l2))?)
            }
            (CpuStorage::BF16(s), CpuStorage::BF16(d)) => {
                CpuStorage::BF16(gradient(a, (s, l1), (d, l2))?)
            }
            (CpuStorage::F16(s), CpuStorage::F16(d)) => {
                CpuStorage::F16(gradient(a, (s, l1), (d, l2))?)
            }
            _ => bail!(
                "simd-activations {} gradient: dtypes {:?} and {:?} (both f32, f64, bf16 or f16)",
                a,
                s1.dtype(),
                s2.dtype()
            ),
        };
        Ok((out, l1.shape().clone()))
    }
}
