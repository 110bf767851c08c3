//! ISA detection and the `SIMD_ACTIVATIONS_ISA` cap.
//!
//! Detection (and the reading of the variable) happens once per process, so the variable's
//! semantics are tested in child processes: the parent re-runs this test binary
//! (`std::env::current_exe()`) with only `child_reports_active_isa` selected and the variable
//! set, and reads back what the child prints. That helper is an ordinary test: run directly it
//! only prints, and the parent fails unless the child printed its report, so a filter that
//! selects nothing cannot pass in place of the checks.

mod common;

use simd_activations::{Isa, ISA_ENV_VAR};
use std::ffi::OsStr;
use std::process::Command;

const ALL: [Isa; 4] = [Isa::Scalar, Isa::Avx2, Isa::Avx512, Isa::Neon];
const CHILD_TEST: &str = "child_reports_active_isa";
/// Set by the parent in the child's environment: the child then also checks that detection
/// is not repeated.
const CHILD_FLAG: &str = "SIMD_ACTIVATIONS_TEST_CHILD";
const ACTIVE_MARK: &str = "simd-activations-test: active=";
const AFTER_MARK: &str = "simd-activations-test: after-env-change=";

/// Threads of a child that race through the first detection (to show a warning is printed
/// once per process, not once per racing thread).
const RACERS: usize = 32;

/// The child side. Prints `Isa::active()`; in a child (only), the first detection happens in
/// `RACERS` threads released at once, and afterwards the child changes the variable and prints
/// `Isa::active()` again, which must not have changed.
#[test]
fn child_reports_active_isa() {
    let child_mode = std::env::var_os(CHILD_FLAG).is_some();
    if child_mode {
        let start = std::sync::Arc::new(std::sync::Barrier::new(RACERS));
        let racers: Vec<_> = (0..RACERS)
            .map(|_| {
                let start = start.clone();
                std::thread::spawn(move || {
                    start.wait();
                    Isa::active()
                })
            })
            .collect();
        let seen: Vec<Isa> = racers.into_iter().map(|t| t.join().unwrap()).collect();
        assert!(seen.windows(2).all(|w| w[0] == w[1]), "racers saw {seen:?}");
    }
    let active = Isa::active();
    println!("{ACTIVE_MARK}{}", active.name());
    if child_mode {
        // Single-threaded here (the parent runs only this test, with --test-threads=1).
        let other = if active == Isa::Scalar {
            "avx512"
        } else {
            "scalar"
        };
        std::env::set_var(ISA_ENV_VAR, other);
        println!("{AFTER_MARK}{}", Isa::active().name());
    }
}

/// What a child reported.
struct Child {
    active: Isa,
    after: Isa,
    stderr: String,
}

fn isa_named(name: &str) -> Isa {
    ALL.into_iter()
        .find(|i| i.name() == name)
        .unwrap_or_else(|| panic!("child printed an unknown ISA name {name:?}"))
}

/// A command running `exe`, through cargo's `target.<triple>.runner` when one is set (the NEON
/// run under qemu: the host cannot execute the aarch64 binary by itself, and the emulator
/// passes cargo's environment on to the tests).
fn runner_command(exe: std::path::PathBuf) -> Command {
    let runner = std::env::vars()
        .find(|(k, _)| k.starts_with("CARGO_TARGET_") && k.ends_with("_RUNNER"))
        .map(|(_, v)| v);
    match runner {
        Some(runner) => {
            let mut words = runner.split_whitespace();
            let mut cmd = Command::new(words.next().expect("empty runner"));
            cmd.args(words).arg(exe);
            cmd
        }
        None => Command::new(exe),
    }
}

/// Runs the child test with `SIMD_ACTIVATIONS_ISA` set to `value` (removed for `None`).
fn child(value: Option<&str>) -> Child {
    child_os(value.map(OsStr::new))
}

/// As [`child`], for any value the OS allows (not necessarily UTF-8).
fn child_os(value: Option<&OsStr>) -> Child {
    let exe = std::env::current_exe().expect("current_exe");
    let mut cmd = runner_command(exe);
    cmd.args(["--exact", CHILD_TEST, "--nocapture", "--test-threads=1"])
        .env(CHILD_FLAG, "1");
    match value {
        Some(v) => cmd.env(ISA_ENV_VAR, v),
        None => cmd.env_remove(ISA_ENV_VAR),
    };
    let out = cmd.output().expect("running the test binary as a child");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let context = format!("{ISA_ENV_VAR}={value:?}: child stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        out.status.success(),
        "child failed ({}); {context}",
        out.status
    );
    let marked = |mark: &str| -> Vec<Isa> {
        stdout
            .lines()
            // libtest may print "test <name> ... " on the same line first.
            .filter_map(|l| l.find(mark).map(|at| &l[at + mark.len()..]))
            .map(|rest| isa_named(rest.split_whitespace().next().unwrap_or("")))
            .collect()
    };
    let (active, after) = (marked(ACTIVE_MARK), marked(AFTER_MARK));
    assert!(
        active.len() == 1 && after.len() == 1,
        "the child did not run `{CHILD_TEST}` exactly once in child mode; {context}"
    );
    Child {
        active: active[0],
        after: after[0],
        stderr,
    }
}

/// The widest available ISA (the default).
fn widest() -> Isa {
    *Isa::available().last().expect("at least Scalar")
}

/// The documented cap: `cap` itself if available, else the best available one below it on
/// the same architecture (AVX-512 -> AVX2 -> scalar; NEON -> scalar).
fn capped(cap: Isa) -> Isa {
    let chain: &[Isa] = match cap {
        Isa::Avx512 => &[Isa::Avx512, Isa::Avx2],
        Isa::Avx2 => &[Isa::Avx2],
        Isa::Neon => &[Isa::Neon],
        Isa::Scalar => &[],
        other => panic!("no cap chain known for {other:?} (Isa is non_exhaustive)"),
    };
    chain
        .iter()
        .copied()
        .find(|i| i.is_available())
        .unwrap_or(Isa::Scalar)
}

fn warned(stderr: &str) -> bool {
    stderr.contains(ISA_ENV_VAR)
}

#[test]
fn available_isas_are_consistent() {
    // `common::isas` asserts that every ISA the CPU reports is listed.
    let isas = common::isas();
    assert_eq!(isas, Isa::available());
    assert_eq!(isas[0], Isa::Scalar, "Scalar first: {isas:?}");
    assert!(
        isas.windows(2).all(|w| w[0] < w[1]),
        "sorted, no repeats: {isas:?}"
    );
    for isa in ALL {
        assert_eq!(isa.is_available(), isas.contains(&isa), "{isa}");
    }
    #[cfg(target_arch = "x86_64")]
    assert!(!Isa::Neon.is_available());
    #[cfg(target_arch = "aarch64")]
    assert!(!Isa::Avx2.is_available() && !Isa::Avx512.is_available());
    if Isa::Avx512.is_available() {
        assert!(Isa::Avx2.is_available(), "AVX-512 without AVX2: {isas:?}");
    }
}

#[test]
fn active_is_widest_available_in_this_process() {
    let active = Isa::active();
    match std::env::var(ISA_ENV_VAR) {
        Err(_) => assert_eq!(active, widest(), "available: {:?}", Isa::available()),
        Ok(v) if v.is_empty() => assert_eq!(active, widest()),
        Ok(v) => {
            // The suite itself runs under a cap: check that instead.
            let want = ALL
                .into_iter()
                .find(|i| i.name() == v.to_ascii_lowercase())
                .map_or(widest(), capped);
            assert_eq!(active, want, "{ISA_ENV_VAR}={v:?}");
        }
    }
    assert!(active.is_available());
    assert_eq!(Isa::active(), active, "stable within the process");
}

#[test]
fn unset_or_empty_gives_the_widest() {
    for value in [None, Some("")] {
        let c = child(value);
        assert_eq!(c.active, widest(), "{ISA_ENV_VAR}={value:?}");
        assert!(
            !warned(&c.stderr),
            "{value:?}: unexpected warning: {}",
            c.stderr
        );
    }
}

#[test]
fn each_name_caps_the_isa() {
    for isa in ALL {
        let c = child(Some(isa.name()));
        assert_eq!(
            c.active,
            capped(isa),
            "{ISA_ENV_VAR}={}; available {:?}",
            isa.name(),
            Isa::available()
        );
        assert!(
            !warned(&c.stderr),
            "{isa}: unexpected warning: {}",
            c.stderr
        );
    }
}

/// The fallbacks spelled out for this machine's architecture.
#[test]
fn unavailable_isa_falls_back_to_the_best_below_it() {
    assert_eq!(child(Some("scalar")).active, Isa::Scalar);
    #[cfg(target_arch = "x86_64")]
    {
        assert_eq!(child(Some("neon")).active, Isa::Scalar, "neon on x86-64");
        let avx2 = if Isa::Avx2.is_available() {
            Isa::Avx2
        } else {
            Isa::Scalar
        };
        assert_eq!(child(Some("avx2")).active, avx2);
        let avx512 = if Isa::Avx512.is_available() {
            Isa::Avx512
        } else {
            avx2 // AVX2-only CPU: avx512 -> avx2 (or scalar without AVX2)
        };
        assert_eq!(child(Some("avx512")).active, avx512);
    }
    #[cfg(target_arch = "aarch64")]
    {
        assert_eq!(child(Some("avx2")).active, Isa::Scalar, "avx2 on aarch64");
        assert_eq!(
            child(Some("avx512")).active,
            Isa::Scalar,
            "avx512 on aarch64"
        );
        assert_eq!(child(Some("neon")).active, Isa::Neon);
    }
}

#[test]
fn names_are_case_insensitive() {
    for (value, isa) in [
        ("AVX2", Isa::Avx2),
        ("Avx512", Isa::Avx512),
        ("SCALAR", Isa::Scalar),
        ("sCaLaR", Isa::Scalar),
        ("NEON", Isa::Neon),
    ] {
        let c = child(Some(value));
        assert_eq!(c.active, capped(isa), "{ISA_ENV_VAR}={value}");
        assert!(
            !warned(&c.stderr),
            "{value}: unexpected warning: {}",
            c.stderr
        );
    }
}

#[test]
fn unknown_value_is_reported_and_ignored() {
    for value in ["bogus", "avx", "avx-512", "sse2", "scalar,avx2"] {
        let c = child(Some(value));
        assert_eq!(
            c.active,
            widest(),
            "{ISA_ENV_VAR}={value} must give the default"
        );
        assert!(
            c.stderr.contains(ISA_ENV_VAR) && c.stderr.contains(value),
            "{value}: stderr must name the variable and the value: {:?}",
            c.stderr
        );
        for isa in ALL {
            assert!(
                c.stderr.contains(isa.name()),
                "{value}: stderr must list the accepted value {}: {:?}",
                isa.name(),
                c.stderr
            );
        }
        assert_eq!(
            c.stderr.matches(ISA_ENV_VAR).count(),
            1,
            "{value}: reported once: {:?}",
            c.stderr
        );
    }
}

#[test]
fn the_variable_is_read_once() {
    for value in [None, Some("scalar"), Some("avx2"), Some("bogus")] {
        let c = child(value);
        assert_eq!(
            c.after, c.active,
            "{ISA_ENV_VAR}={value:?}: changing the variable after detection changed Isa::active()"
        );
    }
}

#[test]
fn names_display_and_lanes() {
    assert_eq!(ISA_ENV_VAR, "SIMD_ACTIVATIONS_ISA");
    let table = [
        (Isa::Scalar, "scalar", 1, 1),
        (Isa::Avx2, "avx2", 8, 4),
        (Isa::Avx512, "avx512", 16, 8),
        (Isa::Neon, "neon", 4, 2),
    ];
    for (isa, name, f32_lanes, f64_lanes) in table {
        assert_eq!(isa.name(), name);
        assert_eq!(isa.to_string(), name);
        assert_eq!(format!("{isa}"), name);
        assert_eq!(isa.lanes::<f32>(), f32_lanes, "{isa} f32");
        assert_eq!(isa.lanes::<f64>(), f64_lanes, "{isa} f64");
    }
    // Names are distinct and lower case.
    for a in ALL {
        assert_eq!(a.name(), a.name().to_ascii_lowercase());
        for b in ALL {
            assert_eq!(a == b, a.name() == b.name());
        }
    }
}

#[test]
fn surrounding_whitespace_is_ignored() {
    for (value, isa) in [
        (" avx2", Some(Isa::Avx2)),
        ("scalar\n", Some(Isa::Scalar)),
        ("\tAVX512 ", Some(Isa::Avx512)),
        ("  neon  ", Some(Isa::Neon)),
        (" \t\n", None), // blank: as unset
    ] {
        let c = child(Some(value));
        assert_eq!(
            c.active,
            isa.map_or(widest(), capped),
            "{ISA_ENV_VAR}={value:?}"
        );
        assert!(
            !warned(&c.stderr),
            "{value:?}: unexpected warning: {}",
            c.stderr
        );
    }
}

/// A value that is not UTF-8 is reported (it used to be ignored silently) and ignored.
#[cfg(unix)]
#[test]
fn non_utf8_value_is_reported_and_ignored() {
    use std::os::unix::ffi::OsStrExt;
    for bytes in [&b"avx2\xff"[..], b"\xff", b"sc\xc3alar"] {
        let value = OsStr::from_bytes(bytes);
        let c = child_os(Some(value));
        assert_eq!(c.active, widest(), "{ISA_ENV_VAR}={value:?}");
        assert!(
            c.stderr.contains(ISA_ENV_VAR) && c.stderr.contains("UTF-8"),
            "{value:?}: stderr must name the variable and say it is not UTF-8: {:?}",
            c.stderr
        );
        assert_eq!(
            c.stderr.matches(ISA_ENV_VAR).count(),
            1,
            "{value:?}: reported once: {:?}",
            c.stderr
        );
    }
}

/// `RACERS` threads detect at once in each child: still one warning per process.
#[test]
fn warning_is_printed_once_per_process() {
    for round in 0..8 {
        let c = child(Some("bogus"));
        assert_eq!(
            c.stderr.matches(ISA_ENV_VAR).count(),
            1,
            "round {round}: {RACERS} racing threads, one process: {:?}",
            c.stderr
        );
    }
}
