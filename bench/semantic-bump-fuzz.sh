#!/usr/bin/env bash
# Runs semantic-bump's bounded property tests on many more random inputs than
# `cargo test` does: the header reading (one header, one verdict across
# lint-title, lint-commits and next) and the pattern options (compile with a
# position, or match without panic or hang).
#
#   bench/semantic-bump-fuzz.sh [N] [SEED]     (default: 1000000 inputs, seed 11)
#
# N random headers and N/4 random patterns (each in three forms), release
# build. A failure prints the input and exits non-zero. For coverage-guided
# fuzzing with nightly and cargo-fuzz, see crates/semantic-bump/fuzz
# (`cargo +nightly fuzz run header_verdict` from that directory).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:-1000000}"
seed="${2:-11}"
cd "$root"
SEMANTIC_BUMP_FUZZ_N="$n" SEMANTIC_BUMP_FUZZ_SEED="$seed" \
  nice -n 10 cargo test --release --locked -p semantic-bump --test it fuzz:: -- --nocapture 2>&1 |
  grep -E '^fuzz |panicked|left:|right:|test result'
