//! Argument checks of the public API. Each panics with a message naming the function and the
//! offending values; every public function runs its checks before writing anything.

use crate::Float;
#[cfg(not(feature = "std"))]
use alloc::{format, string::String, vec::Vec};

/// Panics unless every named length equals the first one.
#[track_caller]
pub(crate) fn same_len(func: &str, lens: &[(&str, usize)]) {
    let (_, first) = lens[0];
    if lens.iter().any(|&(_, n)| n != first) {
        let list: Vec<String> = lens
            .iter()
            .map(|(name, n)| format!("{name}.len() = {n}"))
            .collect();
        panic!(
            "simd_activations::{func}: length mismatch: {}",
            list.join(", ")
        );
    }
}

/// Panics unless `len == 2 * half` (CReLU's doubled side).
#[track_caller]
pub(crate) fn double_len(func: &str, name: &str, len: usize, half_name: &str, half: usize) {
    if Some(len) != half.checked_mul(2) {
        panic!(
            "simd_activations::{func}: {name}.len() = {len} must be 2 * {half_name}.len() = 2 * {half}"
        );
    }
}

/// Panics unless `0 < value < inf` (which also rejects NaN).
#[track_caller]
pub(crate) fn positive<T: Float>(func: &str, name: &str, value: T, why: &str) {
    let finite = value.to_f64().is_finite();
    if !finite || value.partial_cmp(&T::ZERO) != Some(core::cmp::Ordering::Greater) {
        panic!("simd_activations::{func}: {name} = {value} must be > 0 and finite ({why})");
    }
}

/// Panics unless `value` is finite (neither NaN nor infinite).
#[track_caller]
pub(crate) fn finite<T: Float>(func: &str, name: &str, value: T, why: &str) {
    if !value.to_f64().is_finite() {
        panic!("simd_activations::{func}: {name} = {value} must be finite ({why})");
    }
}

/// Panics unless every element of `values` is finite, naming the first one that is not. A
/// pass over `values` (for PReLU: one per weight, not per element).
#[track_caller]
pub(crate) fn all_finite<T: Float>(func: &str, name: &str, values: &[T], why: &str) {
    if let Some(i) = values.iter().position(|v| !v.to_f64().is_finite()) {
        let value = values[i];
        panic!("simd_activations::{func}: {name}[{i}] = {value} must be finite ({why})");
    }
}

/// Panics unless `value` is not NaN.
#[track_caller]
pub(crate) fn not_nan<T: Float>(func: &str, name: &str, value: T) {
    if value.is_nan() {
        panic!("simd_activations::{func}: {name} is NaN");
    }
}

/// Panics unless `lo <= hi` (and neither is NaN).
#[track_caller]
pub(crate) fn ordered_bounds<T: Float>(func: &str, lo: T, hi: T) {
    not_nan(func, "min_val", lo);
    not_nan(func, "max_val", hi);
    if lo > hi {
        panic!("simd_activations::{func}: min_val = {lo} > max_val = {hi}");
    }
}

/// Panics unless `0 <= value < inf` (which also rejects NaN).
#[track_caller]
pub(crate) fn non_negative<T: Float>(func: &str, name: &str, value: T, why: &str) {
    if !value.to_f64().is_finite() || value < T::ZERO {
        panic!("simd_activations::{func}: {name} = {value} must be >= 0 and finite ({why})");
    }
}

/// Panics unless `lo` and `hi` are finite and `lo <= hi`, naming them `lo_name`, `hi_name`.
#[track_caller]
pub(crate) fn finite_ordered<T: Float>(func: &str, lo_name: &str, lo: T, hi_name: &str, hi: T) {
    finite(func, lo_name, lo, "the slopes must be finite");
    finite(func, hi_name, hi, "the slopes must be finite");
    if lo > hi {
        panic!("simd_activations::{func}: {lo_name} = {lo} > {hi_name} = {hi}");
    }
}

/// Panics unless `row_len > 0` divides `len` (softmax's rows).
#[track_caller]
pub(crate) fn row_len(func: &str, len: usize, row_len: usize) {
    if row_len == 0 || len % row_len != 0 {
        panic!(
            "simd_activations::{func}: row_len = {row_len} must be > 0 and divide the length {len}"
        );
    }
}
