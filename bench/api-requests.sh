#!/usr/bin/env bash
# Requests (and wall time, against the local stand-in) per operation of the
# GitHub API backend (crates/repo/src/api). GITHUB_TOKEN has 1,000 requests
# an hour per repository; a promotion should take about ten.
# Usage: bench/api-requests.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test -q -p repo --test it api::budget_report -- --ignored --nocapture 2>&1 \
  | grep '^|'
