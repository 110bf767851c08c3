//! The two things decided at build time: whether this compiler has the AVX-512 intrinsics
//! (stable since Rust 1.89), and whether an x86-64 target has SSE registers (`x86_simd`). With an older rustc the crate still builds, without the AVX-512
//! kernels, instead of failing to compile; `Isa::available()` then never lists `Avx512`.
use std::process::Command;

fn main() {
    println!("cargo:rustc-check-cfg=cfg(avx512_intrinsics)");
    println!("cargo:rustc-check-cfg=cfg(x86_simd)");
    // The x86-64 SIMD paths need a target with SSE registers: not the soft-float
    // `x86_64-unknown-none`, where only the portable code is built.
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let features = std::env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    if arch == "x86_64" && features.split(',').any(|f| f == "sse2") {
        println!("cargo:rustc-cfg=x86_simd");
    }
    println!("cargo:rerun-if-changed=build.rs");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let minor = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|v| v.split('.').nth(1).and_then(|m| m.parse::<u32>().ok()));
    if minor.is_some_and(|m| m >= 89) {
        println!("cargo:rustc-cfg=avx512_intrinsics");
    }
}
