//! bf16 and f16 slices (feature `half`). On AVX2 and AVX-512 (with F16C), and for bf16 on
//! NEON, the element-wise kernels run on 16-bit lanes directly ([`fused`]); otherwise, and
//! for the shaped calls, a public function's bf16 or f16 instance runs its f32 instance on
//! staged copies, as below.
//! Each slice argument is staged through an f32 buffer: inputs are widened (exactly) into it,
//! the f32 instance runs on the buffers, and outputs are rounded back once.
//!
//! Element-wise calls (every slice of one length, no `usize` shape argument) go in chunks of
//! [`CHUNK`] elements through buffers on the stack, so the f32 data stays in L1 and nothing is
//! allocated; an output is only widened first when the call has no input slice (the in-place
//! forms). Other calls (PReLU's channels, CReLU's rows, and any mismatched lengths, which the
//! f32 instance then reports) convert each whole slice once through an allocated buffer and
//! widen the outputs too (they may be accumulated into). Either way the f32 instance checks
//! every argument before anything is stored back, so a panic leaves the outputs untouched.

mod convert;
pub(crate) mod fused;

use crate::Isa;
use alloc::vec::Vec;
#[cfg(x86_simd)]
pub(crate) use convert::x86::eight as round_eight;
#[cfg(all(x86_simd, avx512_intrinsics))]
pub(crate) use convert::x86_avx512::sixteen as round_sixteen;
pub(crate) use convert::Conv;
use core::mem::MaybeUninit;
#[cfg(any(x86_simd, target_arch = "aarch64"))]
pub(crate) use fused::HalfLanes;

/// Elements per chunk of an element-wise call: three f32 buffers of this size (a backward's
/// `x`, `dy`, `dx`) fill 24 KiB, inside a 32 KiB L1 data cache. Measured on the AVX-512
/// Xeon (bf16 `relu`, ns per element at 8K): 1024 0.157, 2048 0.170, 4096 0.193, 8192 0.297;
/// at 16M 2048 costs 8% more than 4096 but sigmoid's in-cache time favours 2048.
pub(crate) const CHUNK: usize = 2048;

/// bf16 or f16: the bit-level conversions of one 16-bit storage type.
pub(crate) trait Half: crate::Element {
    /// Whether this is bf16 (else f16); the vector forms branch on it.
    #[cfg_attr(not(x86_simd), allow(dead_code))]
    const BF16: bool;
    fn storage_bits(self) -> u16;
    fn from_storage_bits(b: u16) -> Self;
    fn widen_bits(b: u16) -> f32;
    fn narrow_bits(x: f32) -> u16;

    /// The bit patterns of `s`.
    #[inline(always)]
    fn bits_of(s: &[Self]) -> &[u16] {
        // SAFETY: `half::bf16` and `half::f16` are `#[repr(transparent)]` over `u16`.
        unsafe { core::slice::from_raw_parts(s.as_ptr().cast(), s.len()) }
    }

    /// The bit patterns of `s`, writable (every `u16` is a valid `Self`).
    #[inline(always)]
    fn bits_of_mut(s: &mut [Self]) -> &mut [u16] {
        // SAFETY: as `bits_of`; every bit pattern is a valid value of both types.
        unsafe { core::slice::from_raw_parts_mut(s.as_mut_ptr().cast(), s.len()) }
    }
}

impl Half for half::bf16 {
    const BF16: bool = true;
    #[inline(always)]
    fn storage_bits(self) -> u16 {
        self.to_bits()
    }
    #[inline(always)]
    fn from_storage_bits(b: u16) -> Self {
        half::bf16::from_bits(b)
    }
    #[inline(always)]
    fn widen_bits(b: u16) -> f32 {
        convert::bf16_to_f32(b)
    }
    #[inline(always)]
    fn narrow_bits(x: f32) -> u16 {
        convert::f32_to_bf16(x)
    }
}

impl Half for half::f16 {
    const BF16: bool = false;
    #[inline(always)]
    fn storage_bits(self) -> u16 {
        self.to_bits()
    }
    #[inline(always)]
    fn from_storage_bits(b: u16) -> Self {
        half::f16::from_bits(b)
    }
    #[inline(always)]
    fn widen_bits(b: u16) -> f32 {
        convert::f16_to_f32(b)
    }
    #[inline(always)]
    fn narrow_bits(x: f32) -> u16 {
        convert::f32_to_f16(x)
    }
}

/// `a + b` computed in f32 (exactly widened) and rounded once, with the crate's NaN rule
/// (`a`'s NaN, else `b`'s, quieted; the default NaN where neither is NaN).
#[inline(always)]
pub(crate) fn add_rounded<H: Half>(a: H, b: H) -> H {
    let (x, y) = (
        H::widen_bits(a.storage_bits()),
        H::widen_bits(b.storage_bits()),
    );
    let r = crate::float::nan_rule([x, y], || x + y);
    H::from_storage_bits(H::narrow_bits(r))
}

/// What an argument is to the staging.
#[derive(Clone, Copy)]
pub(crate) enum Role {
    /// A slice read (`&[H]`), of this length.
    Input(usize),
    /// A slice written (`&mut [H]`), of this length.
    Output(usize),
    /// A parameter value (`H`, passed widened).
    Param,
    /// A shape argument (`usize`): the call is not element-wise.
    Shape,
}

/// How one call is staged, decided from every argument's [`Role`].
pub(crate) struct Plan {
    conv: Conv,
    /// Chunks of `CHUNK` (else each slice whole, in one round).
    chunked: bool,
    /// Outputs are widened before the call (in-place forms, and every non-chunked call).
    widen_outputs: bool,
    /// Outputs are stored with non-temporal stores (decided on the whole length).
    stream: bool,
    /// The common length of the slices (chunked calls; else the longest).
    len: usize,
}

impl Plan {
    pub(crate) fn new(isa: Isa, roles: &[Role]) -> Plan {
        let lens = roles.iter().filter_map(|r| match *r {
            Role::Input(n) | Role::Output(n) => Some(n),
            _ => None,
        });
        let len = lens.clone().max().unwrap_or(0);
        let inputs = roles.iter().any(|r| matches!(r, Role::Input(_)));
        let shaped = roles.iter().any(|r| matches!(r, Role::Shape));
        let chunked = !shaped && lens.clone().all(|n| n == len);
        Plan {
            conv: Conv::for_isa(isa),
            chunked,
            widen_outputs: !chunked || !inputs,
            // As the f32 forms: out of place only, from the same output size in bytes.
            stream: chunked && inputs && crate::driver::should_stream::<u16>(len),
            len,
        }
    }

    /// The end of the round that starts at `at`.
    #[inline]
    pub(crate) fn end(&self, at: usize) -> usize {
        if self.chunked {
            (at + CHUNK).min(self.len)
        } else {
            self.len
        }
    }

    /// After the last round: fences the non-temporal stores of the rounds, if any.
    #[inline]
    pub(crate) fn finish(&self) {
        if self.stream {
            self.conv.fence();
        }
    }

    /// Where the rounds end.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

/// One argument of a staged call: what it gives the f32 instance for the round `at .. end`.
pub(crate) trait Stage {
    /// The argument of the f32 instance (`&[f32]`, `&mut [f32]`, `f32`, `usize`).
    type View<'b>
    where
        Self: 'b;
    fn role(&self) -> Role;
    /// Before the call: widen what the call reads.
    fn load(&mut self, plan: &Plan, at: usize, end: usize);
    fn view(&mut self, plan: &Plan, at: usize, end: usize) -> Self::View<'_>;
    /// After the call: round back what it wrote.
    fn store(&mut self, plan: &Plan, at: usize, end: usize);
}

/// An argument of a bf16 or f16 instance, turned into its [`Stage`].
pub(crate) trait IntoStage {
    type Stage: Stage;
    fn into_stage(self) -> Self::Stage;
}

/// `arg`'s stage (called by `api::isa_fn!` for each argument).
#[inline(always)]
pub(crate) fn stage<A: IntoStage>(arg: A) -> A::Stage {
    arg.into_stage()
}

/// The f32 copy of one slice: a chunk on the stack, or the whole slice allocated.
struct Buffer {
    /// Leading elements of `chunk` initialised so far.
    ready: usize,
    whole: Vec<f32>,
    /// Last, and one uninitialised array rather than an array of uninitialised elements:
    /// LLVM otherwise merged the zero fields around it into one `memset` of the whole
    /// buffer on every call (measured: two 32 KiB memsets in a bf16 `relu` of 8K elements,
    /// 31% of its time).
    chunk: MaybeUninit<[f32; CHUNK]>,
}

impl Buffer {
    #[inline(always)]
    fn new() -> Buffer {
        Buffer {
            ready: 0,
            whole: Vec::new(),
            chunk: MaybeUninit::uninit(),
        }
    }

    /// The chunk's elements, each perhaps uninitialised.
    #[inline(always)]
    fn slots(&mut self) -> &mut [MaybeUninit<f32>; CHUNK] {
        // SAFETY: `MaybeUninit<[f32; N]>` and `[MaybeUninit<f32>; N]` have the same layout,
        // and every element of the latter may be uninitialised.
        unsafe { &mut *self.chunk.as_mut_ptr().cast() }
    }

    /// Widens `src` into the buffer (the chunk, or the whole buffer).
    fn fill<H: Half>(&mut self, plan: &Plan, src: &[H]) {
        if plan.chunked {
            plan.conv.widen(src, &mut self.slots()[..src.len()]);
            self.ready = self.ready.max(src.len());
        } else {
            self.whole.clear();
            self.whole.reserve_exact(src.len());
            plan.conv
                .widen(src, &mut self.whole.spare_capacity_mut()[..src.len()]);
            // SAFETY: `widen` initialised the first `src.len()` elements of the spare capacity.
            unsafe { self.whole.set_len(src.len()) };
        }
    }

    /// Makes the first `n` elements initialised, without reading anything (an output the
    /// call overwrites).
    fn prepare(&mut self, plan: &Plan, n: usize) {
        if plan.chunked {
            let from = self.ready.min(n);
            for v in &mut self.slots()[from..n] {
                v.write(0.0);
            }
            self.ready = self.ready.max(n);
        } else {
            self.whole.clear();
            self.whole.resize(n, 0.0);
        }
    }

    #[inline(always)]
    fn get(&self, plan: &Plan, n: usize) -> &[f32] {
        if plan.chunked {
            assert!(n <= self.ready);
            // SAFETY: the first `ready >= n` elements are initialised (`fill`, `prepare`).
            unsafe { core::slice::from_raw_parts(self.chunk.as_ptr().cast(), n) }
        } else {
            &self.whole[..n]
        }
    }

    #[inline(always)]
    fn get_mut(&mut self, plan: &Plan, n: usize) -> &mut [f32] {
        if plan.chunked {
            assert!(n <= self.ready);
            // SAFETY: as `get`; the borrow of `self` is exclusive.
            unsafe { core::slice::from_raw_parts_mut(self.chunk.as_mut_ptr().cast(), n) }
        } else {
            &mut self.whole[..n]
        }
    }
}

/// The part of a slice of length `len` that the round `at .. end` covers.
#[inline(always)]
fn round(plan: &Plan, len: usize, at: usize, end: usize) -> core::ops::Range<usize> {
    if plan.chunked {
        at..end
    } else {
        0..len
    }
}

/// A slice the call reads.
pub(crate) struct InputStage<'a, H> {
    src: &'a [H],
    buf: Buffer,
}

impl<'a, H: Half> IntoStage for &'a [H] {
    type Stage = InputStage<'a, H>;
    #[inline(always)]
    fn into_stage(self) -> InputStage<'a, H> {
        InputStage {
            src: self,
            buf: Buffer::new(),
        }
    }
}

impl<H: Half> Stage for InputStage<'_, H> {
    type View<'b>
        = &'b [f32]
    where
        Self: 'b;
    fn role(&self) -> Role {
        Role::Input(self.src.len())
    }
    #[inline]
    fn load(&mut self, plan: &Plan, at: usize, end: usize) {
        let r = round(plan, self.src.len(), at, end);
        self.buf.fill(plan, &self.src[r]);
    }
    #[inline]
    fn view(&mut self, plan: &Plan, at: usize, end: usize) -> &[f32] {
        let r = round(plan, self.src.len(), at, end);
        self.buf.get(plan, r.len())
    }
    #[inline]
    fn store(&mut self, _: &Plan, _: usize, _: usize) {}
}

/// A slice the call writes (and, in place, reads).
pub(crate) struct OutputStage<'a, H> {
    dst: &'a mut [H],
    buf: Buffer,
}

impl<'a, H: Half> IntoStage for &'a mut [H] {
    type Stage = OutputStage<'a, H>;
    #[inline(always)]
    fn into_stage(self) -> OutputStage<'a, H> {
        OutputStage {
            dst: self,
            buf: Buffer::new(),
        }
    }
}

impl<H: Half> Stage for OutputStage<'_, H> {
    type View<'b>
        = &'b mut [f32]
    where
        Self: 'b;
    fn role(&self) -> Role {
        Role::Output(self.dst.len())
    }
    #[inline]
    fn load(&mut self, plan: &Plan, at: usize, end: usize) {
        let r = round(plan, self.dst.len(), at, end);
        if plan.widen_outputs {
            self.buf.fill(plan, &self.dst[r]);
        } else {
            self.buf.prepare(plan, r.len());
        }
    }
    #[inline]
    fn view(&mut self, plan: &Plan, at: usize, end: usize) -> &mut [f32] {
        let r = round(plan, self.dst.len(), at, end);
        self.buf.get_mut(plan, r.len())
    }
    #[inline]
    fn store(&mut self, plan: &Plan, at: usize, end: usize) {
        let r = round(plan, self.dst.len(), at, end);
        let n = r.len();
        plan.conv
            .narrow(self.buf.get(plan, n), &mut self.dst[r], plan.stream);
    }
}

/// A parameter: passed to the f32 instance widened (exactly).
pub(crate) struct ParamStage(f32);

impl<H: Half> IntoStage for H {
    type Stage = ParamStage;
    #[inline(always)]
    fn into_stage(self) -> ParamStage {
        ParamStage(H::widen_bits(self.storage_bits()))
    }
}

impl Stage for ParamStage {
    type View<'b> = f32;
    fn role(&self) -> Role {
        Role::Param
    }
    #[inline(always)]
    fn load(&mut self, _: &Plan, _: usize, _: usize) {}
    #[inline(always)]
    fn view(&mut self, _: &Plan, _: usize, _: usize) -> f32 {
        self.0
    }
    #[inline(always)]
    fn store(&mut self, _: &Plan, _: usize, _: usize) {}
}

/// A shape argument, passed as it is.
pub(crate) struct ShapeStage(usize);

impl IntoStage for usize {
    type Stage = ShapeStage;
    #[inline(always)]
    fn into_stage(self) -> ShapeStage {
        ShapeStage(self)
    }
}

impl Stage for ShapeStage {
    type View<'b> = usize;
    fn role(&self) -> Role {
        Role::Shape
    }
    #[inline(always)]
    fn load(&mut self, _: &Plan, _: usize, _: usize) {}
    #[inline(always)]
    fn view(&mut self, _: &Plan, _: usize, _: usize) -> usize {
        self.0
    }
    #[inline(always)]
    fn store(&mut self, _: &Plan, _: usize, _: usize) {}
}

/// The body of a bf16 or f16 instance (used by `api::isa_fn!`): stages every argument and
/// calls the f32 instance `$f32` round by round (at least once, so an empty call still has
/// its parameters checked).
macro_rules! staged_body {
    ($f32:path, $isa:ident, $($arg:ident),*) => {{
        #[allow(unused_imports)]
        use $crate::storage::Stage as _;
        $( let mut $arg = $crate::storage::stage($arg); )*
        let plan = $crate::storage::Plan::new($isa, &[$( $arg.role() ),*]);
        let mut at = 0;
        loop {
            let end = plan.end(at);
            $( $arg.load(&plan, at, end); )*
            $f32($isa, $( $arg.view(&plan, at, end) ),*);
            $( $arg.store(&plan, at, end); )*
            at = end;
            if at >= plan.len() {
                break;
            }
        }
        plan.finish();
    }};
}

pub(crate) use staged_body;
