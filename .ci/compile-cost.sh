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
        end=$(date +%s.%N)
        awk -v s="$start" -v e="$end" -v v="${variant:-no calls}" 'BEGIN { printf "rebuild (%s): %.2f s\n", v, e - s }'
    done
done
