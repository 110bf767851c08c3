//! The one thing decided at build time: whether this compiler has the AVX-512 intrinsics
//! (stable since Rust 1.89). With an older rustc the crate still builds, without the AVX-512
//! kernels, instead of failing to compile; `Isa::available()` then never lists `Avx512`.
use std::process::Command;

fn main() {
    println!("cargo:rustc-check-cfg=cfg(avx512_intrinsics)");
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
