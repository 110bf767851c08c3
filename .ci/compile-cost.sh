#!/usr/bin/env bash
# Compile cost for a downstream crate: rebuild time of `.ci/compile-cost` after touching its
# main.rs, calling nothing of the crate (default) and calling every f32 function and every
# `Activation` method (`--features calls`). Prints three timings per variant.
set -euo pipefail
cd "$(dirname "$0")/compile-cost"
for variant in "" "--features calls"; do
    cargo build --release --quiet $variant
    for _ in 1 2 3; do
        touch src/main.rs
        start=$(date +%s.%N)
        cargo build --release --quiet $variant
        printf 'rebuild (%s): %.2f s\n' "${variant:-no calls}" "$(echo "$(date +%s.%N) - $start" | bc)"
    done
done
