//! ISA detection (once per process) and dispatch (a cached load, then a call).

use crate::simd::scalar::Scalar;
use crate::simd::Simd;
#[cfg(not(feature = "std"))]
use alloc::{string::ToString, vec::Vec};
use core::sync::atomic::{AtomicU8, Ordering};

/// An instruction set a kernel can run on.
///
/// `#[non_exhaustive]`: later versions may add ISAs, so a `match` needs a `_` arm. Parses
/// from its [`name`](Isa::name), ignoring case.
///
/// ```
/// use simd_activations::Isa;
/// assert!(Isa::Scalar.is_available());
/// assert_eq!("AVX2".parse::<Isa>().unwrap(), Isa::Avx2);
/// assert!(Isa::ALL.contains(&Isa::active()));
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Isa {
    /// Portable Rust, one element at a time; always available. Bit-identical to the SIMD paths.
    Scalar,
    /// x86-64 AVX2 + FMA (256-bit vectors).
    Avx2,
    /// x86-64 AVX-512 F (512-bit vectors and mask registers).
    Avx512,
    /// AArch64 Advanced SIMD (128-bit vectors).
    Neon,
}

/// Name of the environment variable that caps the ISA for the whole process: `scalar`,
/// `avx2`, `avx512` or `neon`, in any case, surrounding whitespace ignored; read once. Unset
/// or blank means no cap; any other value (also one that is not UTF-8) is reported on stderr
/// once per process and ignored.
pub const ISA_ENV_VAR: &str = "SIMD_ACTIVATIONS_ISA";

const ALL: [Isa; 4] = Isa::ALL;

/// Detection result, computed once: bit `1 << isa` for each available ISA, the active ISA in
/// bits 4..6, and bit 7 as "initialised". Zero means "not yet detected".
static STATE: AtomicU8 = AtomicU8::new(0);
const INIT: u8 = 0x80;

impl Isa {
    /// Every ISA of this version, available here or not, from the most portable to the
    /// widest.
    ///
    /// ```
    /// use simd_activations::Isa;
    /// let names: Vec<&str> = Isa::ALL.iter().map(|i| i.name()).collect();
    /// assert_eq!(names, ["scalar", "avx2", "avx512", "neon"]);
    /// ```
    pub const ALL: [Isa; 4] = [Isa::Scalar, Isa::Avx2, Isa::Avx512, Isa::Neon];

    /// Every ISA this CPU (and this build) supports, from the most portable to the widest.
    pub fn available() -> Vec<Isa> {
        let s = state();
        ALL.into_iter().filter(|i| s & i.bit() != 0).collect()
    }

    /// The ISA the free functions (`relu`, `elu`, ...) use: the widest available one, capped by
    /// `SIMD_ACTIVATIONS_ISA` (see the crate docs). Decided once per process.
    #[inline]
    pub fn active() -> Isa {
        ALL[((state() >> 4) & 3) as usize]
    }

    /// Whether this CPU (and this build) can run `self`.
    #[inline]
    pub fn is_available(self) -> bool {
        state() & self.bit() != 0
    }

    /// The lower-case name used by `SIMD_ACTIVATIONS_ISA`: `scalar`, `avx2`, `avx512`, `neon`.
    pub fn name(self) -> &'static str {
        match self {
            Isa::Scalar => "scalar",
            Isa::Avx2 => "avx2",
            Isa::Avx512 => "avx512",
            Isa::Neon => "neon",
        }
    }

    /// Number of `T` lanes in one vector register of this ISA (1 for `Scalar`).
    pub fn lanes<T: crate::Float>(self) -> usize {
        let bytes = match self {
            Isa::Scalar => return 1,
            Isa::Avx2 => 32,
            Isa::Avx512 => 64,
            Isa::Neon => 16,
        };
        bytes / core::mem::size_of::<T>()
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl core::fmt::Display for Isa {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

impl core::str::FromStr for Isa {
    type Err = crate::Error;

    /// The ISA named `s` ([`Isa::name`]), ignoring case and surrounding spaces; available on
    /// this CPU or not.
    ///
    /// # Errors
    /// [`Error::UnknownName`](crate::Error::UnknownName), listing the names.
    ///
    /// ```
    /// use simd_activations::Isa;
    /// assert_eq!(" Neon ".parse::<Isa>().unwrap(), Isa::Neon);
    /// assert!("sse2".parse::<Isa>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Isa, crate::Error> {
        let t = s.trim();
        ALL.into_iter()
            .find(|i| i.name().eq_ignore_ascii_case(t))
            .ok_or_else(|| crate::Error::UnknownName {
                what: "Isa",
                name: t.to_string(),
                accepted: ALL.iter().map(|i| i.name()).collect(),
            })
    }
}

#[inline(always)]
fn state() -> u8 {
    let s = STATE.load(Ordering::Relaxed);
    if s != 0 {
        s
    } else {
        detect()
    }
}

/// Whether the CPU has a feature: detected at run time with `std`; without it, whether the
/// build enables it (`-C target-feature` or `-C target-cpu`).
#[allow(unused_macros)] // not used on targets without SIMD paths
macro_rules! detected {
    (x86 $f:tt) => {{
        #[cfg(feature = "std")]
        let on = std::arch::is_x86_feature_detected!($f);
        #[cfg(not(feature = "std"))]
        let on = cfg!(target_feature = $f);
        on
    }};
    (aarch64 $f:tt) => {{
        #[cfg(feature = "std")]
        let on = std::arch::is_aarch64_feature_detected!($f);
        #[cfg(not(feature = "std"))]
        let on = cfg!(target_feature = $f);
        on
    }};
}

#[cold]
fn detect() -> u8 {
    #[allow(unused_mut)] // on targets without SIMD paths
    let mut avail = Isa::Scalar.bit();
    #[cfg(x86_simd)]
    {
        if detected!(x86 "avx2") && detected!(x86 "fma") {
            avail |= Isa::Avx2.bit();
            #[cfg(avx512_intrinsics)]
            if detected!(x86 "avx512f") {
                avail |= Isa::Avx512.bit();
            }
        }
    }
    #[cfg(target_arch = "aarch64")]
    {
        if detected!(aarch64 "neon") {
            avail |= Isa::Neon.bit();
        }
    }
    let best = ALL
        .into_iter()
        .rev()
        .find(|i| avail & i.bit() != 0)
        .unwrap_or(Isa::Scalar);
    let active = match requested_cap() {
        Some(cap) => cap_to(cap, avail),
        None => best,
    };
    let s = INIT | avail | ((active as u8) << 4);
    // Two threads may race here; both compute the same value (a warning is printed once per
    // process, see `warn_once`).
    match STATE.compare_exchange(0, s, Ordering::Relaxed, Ordering::Relaxed) {
        Ok(_) => s,
        Err(existing) => existing,
    }
}

/// The ISA named by `SIMD_ACTIVATIONS_ISA`, if it names one: surrounding whitespace and case
/// are ignored, unset or blank means none. Another value (unknown, or not UTF-8) is reported
/// on stderr, once per process, and means none.
#[cfg(not(feature = "std"))]
fn requested_cap() -> Option<Isa> {
    None // no environment without `std`
}

#[cfg(feature = "std")]
fn requested_cap() -> Option<Isa> {
    let raw = std::env::var_os(ISA_ENV_VAR)?;
    let Some(value) = raw.to_str() else {
        warn_once(format_args!(
            "simd-activations: ignoring {ISA_ENV_VAR}={raw:?}: not valid UTF-8; accepted values \
             are scalar, avx2, avx512, neon"
        ));
        return None;
    };
    let name = value.trim().to_ascii_lowercase();
    if name.is_empty() {
        return None;
    }
    let cap = ALL.into_iter().find(|i| i.name() == name);
    if cap.is_none() {
        warn_once(format_args!(
            "simd-activations: ignoring {ISA_ENV_VAR}={value:?}: accepted values are scalar, \
             avx2, avx512, neon"
        ));
    }
    cap
}

/// Prints `msg` on stderr unless a warning was already printed by this process (threads
/// racing through the first detection would otherwise each print it).
#[cfg(feature = "std")]
fn warn_once(msg: core::fmt::Arguments<'_>) {
    static WARNED: std::sync::Once = std::sync::Once::new();
    WARNED.call_once(|| eprintln!("{msg}"));
}

/// The ISA used when `cap` is requested: `cap` itself when available, else the best available
/// one below it on the same architecture (AVX-512 -> AVX2 -> scalar; NEON -> scalar).
fn cap_to(cap: Isa, avail: u8) -> Isa {
    let chain: &[Isa] = match cap {
        Isa::Avx512 => &[Isa::Avx512, Isa::Avx2],
        Isa::Avx2 => &[Isa::Avx2],
        Isa::Neon => &[Isa::Neon],
        Isa::Scalar => &[],
    };
    chain
        .iter()
        .copied()
        .find(|i| avail & i.bit() != 0)
        .unwrap_or(Isa::Scalar)
}

/// An operation written once over [`Simd`] and run on the ISA chosen at run time.
pub(crate) trait WithSimd {
    type Output;
    fn with_simd<S: Simd>(self, simd: S) -> Self::Output;
}

/// Runs `op` on `isa`. Panics (naming `func`) when `isa` is not available on this CPU.
#[inline]
pub(crate) fn dispatch<W: WithSimd>(func: &str, isa: Isa, op: W) -> W::Output {
    assert!(
        isa.is_available(),
        "simd_activations::{func}: ISA {isa} is not available on this CPU (available: {:?})",
        Isa::available()
    );
    match isa {
        #[cfg(x86_simd)]
        // SAFETY: AVX2 and FMA were detected (checked just above).
        Isa::Avx2 => unsafe { run_avx2(op) },
        #[cfg(all(x86_simd, avx512_intrinsics))]
        // SAFETY: AVX-512 F (and AVX2, FMA) were detected (checked just above).
        Isa::Avx512 => unsafe { run_avx512(op) },
        #[cfg(target_arch = "aarch64")]
        // SAFETY: NEON was detected (checked just above).
        Isa::Neon => unsafe { run_neon(op) },
        _ => run_scalar(op),
    }
}

/// Runs `op` on the portable ISA, compiled with FMA where x86-64 has it: `mul_add` is then one
/// instruction instead of a call into the math library's `fma`/`fmaf` (which the kernels'
/// exact steps would otherwise pay for every product; measured in the README's section on the
/// Scalar path). FMA is taken from the cached detection of [`Isa::Avx2`] (AVX2 + FMA), not
/// detected again: the rare CPUs with FMA but no AVX2 (AMD's family 15h) keep the call.
/// Targets whose base ISA has FMA (AArch64, ...) and builds with `target-feature=+fma` get the
/// instruction without this.
#[inline(always)]
fn run_scalar<W: WithSimd>(op: W) -> W::Output {
    #[cfg(all(x86_simd, not(target_feature = "fma")))]
    if Isa::Avx2.is_available() {
        // SAFETY: FMA was detected (with AVX2, for `Isa::Avx2`).
        return unsafe { run_scalar_fma(op) };
    }
    op.with_simd(Scalar)
}

/// The portable ISA compiled with FMA (see [`run_scalar`]).
#[cfg(all(x86_simd, not(target_feature = "fma")))]
#[target_feature(enable = "fma")]
unsafe fn run_scalar_fma<W: WithSimd>(op: W) -> W::Output {
    op.with_simd(Scalar)
}

#[cfg(x86_simd)]
#[target_feature(enable = "avx2,fma")]
unsafe fn run_avx2<W: WithSimd>(op: W) -> W::Output {
    op.with_simd(crate::simd::avx2::Avx2)
}

#[cfg(all(x86_simd, avx512_intrinsics))]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn run_avx512<W: WithSimd>(op: W) -> W::Output {
    op.with_simd(crate::simd::avx512::Avx512)
}

#[cfg(target_arch = "aarch64")]
#[target_feature(enable = "neon")]
unsafe fn run_neon<W: WithSimd>(op: W) -> W::Output {
    op.with_simd(crate::simd::neon::Neon)
}
