//! The elements of a candle tensor in row-major order: the storage slice itself when the
//! layout is contiguous, else a copy gathered through its strides (transposed, narrowed and
//! broadcast tensors: a stride may be anything, zero included).

use candle_core::Layout;
use std::borrow::Cow;

/// `data` as the layout's elements, in the order of its shape (the last index fastest).
pub fn row_major<'a, T: Copy>(data: &'a [T], layout: &Layout) -> Cow<'a, [T]> {
    if let Some((start, end)) = layout.contiguous_offsets() {
        return Cow::Borrowed(&data[start..end]);
    }
    let dims = layout.dims();
    let strides = layout.stride();
    let count: usize = dims.iter().product();
    let mut out = Vec::with_capacity(count);
    // A non-contiguous layout has at least one dimension; an empty one has no elements.
    if count == 0 {
        return Cow::Owned(out);
    }
    let rank = dims.len();
    let (row_len, row_stride) = (dims[rank - 1], strides[rank - 1]);
    let mut index = vec![0usize; rank - 1];
    let mut base = layout.start_offset();
    loop {
        if row_stride == 1 {
            out.extend_from_slice(&data[base..base + row_len]);
        } else {
            out.extend((0..row_len).map(|j| data[base + j * row_stride]));
        }
        // The next row: an odometer over every dimension but the last.
        let mut d = rank - 1;
        loop {
            if d == 0 {
                return Cow::Owned(out);
            }
            d -= 1;
            index[d] += 1;
            base += strides[d];
            if index[d] < dims[d] {
                break;
            }
            base -= strides[d] * dims[d];
            index[d] = 0;
        }
    }
}
