#!/usr/bin/env bash
# bench/dist-size.sh — release binary size and start-up per opt-level.
#
#   bench/dist-size.sh                                  # this workspace, opt-level 3, s, z
#   bench/dist-size.sh --project bench/dist-experiment --bins "version-stamp tag-gate semantic-bump health-check smoke-test shipgate"
#   bench/dist-size.sh --opt "3 z"
#
# For each opt-level it builds `cargo build --release --bins` into its own
# target dir under ${BENCH_DIR:-/tmp/shipgate-bench} (the shared target/ stays
# untouched), then prints one Markdown table row per binary: size in bytes,
# gzip'd size, and the mean start-up time of `BIN --version` (hyperfine, -N,
# 5 warm-ups, 50 runs; --help when --version is not supported), plus the
# .tar.gz of the five tool binaries as dist/package.sh builds it.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

project="."
opts="3 s z"
bins="version-stamp tag-gate semantic-bump health-check smoke-test"
while [ $# -gt 0 ]; do
  case "$1" in
    --project) project="$2"; shift 2 ;;
    --opt) opts="$2"; shift 2 ;;
    --bins) bins="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
project="$(cd "$project" && pwd)"
bench_dir="${BENCH_DIR:-/tmp/shipgate-bench}/$(basename "$project")"
mkdir -p "$bench_dir"
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 3; }

printf '| opt-level | binary | bytes | gzip bytes | start-up (mean ± σ) |\n|---|---|---:|---:|---|\n'
for o in $opts; do
  target_dir="$bench_dir/opt-$o"
  (cd "$project" && CARGO_PROFILE_RELEASE_OPT_LEVEL="$o" cargo build --quiet --release --bins --target-dir "$target_dir") >&2
  total=0
  for b in $bins; do
    f="$target_dir/release/$b"
    size="$(wc -c <"$f" | tr -d ' ')"
    gz="$(gzip -9n <"$f" | wc -c | tr -d ' ')"
    total=$((total + size))
    flag=--version
    "$f" --version >/dev/null 2>&1 || flag=--help
    t="$(hyperfine -N --warmup 5 --runs 50 --export-json "$bench_dir/h.json" "$f $flag" >/dev/null 2>&1 &&
      python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f ms ± %.2f" % (r["mean"]*1e3, r["stddev"]*1e3))' "$bench_dir/h.json" || echo n/a)"
    printf '| %s | %s | %s | %s | %s |\n' "$o" "$b" "$size" "$gz" "$t"
  done
  tools=""
  for b in version-stamp tag-gate semantic-bump health-check smoke-test; do
    [ -f "$target_dir/release/$b" ] && tools="$tools $b"
  done
  if [ "$(printf '%s' "$tools" | wc -w | tr -d ' ')" -eq 5 ]; then
    archive="$("$repo/dist/package.sh" --version 0.0.0 --target bench-unknown-linux --bin-dir "$target_dir/release" --out-dir "$bench_dir/archive-$o")"
    printf '| %s | **archive (5 tools, .tar.gz)** | %s | | |\n' "$o" "$(wc -c <"$archive" | tr -d ' ')"
  fi
  printf '| %s | **sum of binaries** | %s | | |\n' "$o" "$total"
done
