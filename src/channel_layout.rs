//! How elements map to channels in the calls that take one value per channel: PReLU's
//! weights and the bias of the fused bias + activation forms.

/// The shape of a call whose elements are grouped by channel (PReLU's weights, the fused
/// forms' bias): `len` elements, `channels` channels, and either channels last (`inner == 1`:
/// rows of `channels` elements, element `j` of each row in channel `j`) or channels first
/// (`inner > 1`: runs of `inner` elements, run `r` in channel `r % channels`). One channel
/// takes every element. The callers check that `channels * inner` divides `len`.
#[derive(Clone, Copy)]
pub(crate) struct Layout {
    len: usize,
    channels: usize,
    inner: usize,
}

impl Layout {
    /// The layout of checked arguments (`channels >= 1`, `inner >= 1`, and `channels * inner`
    /// dividing `len` where `channels > 1`).
    pub(crate) fn new(len: usize, channels: usize, inner: usize) -> Self {
        debug_assert!(channels >= 1 && inner >= 1);
        Layout {
            len,
            channels,
            inner,
        }
    }

    /// `(len, channels, inner)`.
    pub(crate) fn parts(self) -> (usize, usize, usize) {
        (self.len, self.channels, self.inner)
    }

    /// The runs of elements sharing a weight, as `(start, count, Some(channel))`, or for
    /// channels-last data (`inner == 1`) the rows, as `(start, channels, None)`. (An iterator,
    /// not a closure: a closure body would be compiled outside the `#[target_feature]`
    /// trampoline and could not inline the intrinsics.)
    #[inline(always)]
    pub(crate) fn runs(self) -> Runs {
        Runs {
            layout: self,
            next: 0,
        }
    }
}

pub(crate) struct Runs {
    layout: Layout,
    /// Start of the next run.
    next: usize,
}

impl Iterator for Runs {
    type Item = (usize, usize, Option<usize>);
    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        let Layout {
            len,
            channels,
            inner,
        } = self.layout;
        let start = self.next;
        if start >= len {
            return None;
        }
        Some(if channels == 1 {
            self.next = len;
            (0, len, Some(0))
        } else if inner == 1 {
            self.next += channels;
            (start, channels, None)
        } else {
            self.next += inner;
            (start, inner, Some((start / inner) % channels))
        })
    }
}
