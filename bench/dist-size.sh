#!/usr/bin/env bash
# bench/dist-size.sh — release binary size and start-up per opt-level.
#
#   bench/dist-size.sh                                  # the five tools and shipgate, opt-level 3, s, z
#   bench/dist-size.sh --opt "3 z"
#   bench/dist-size.sh --project bench/dist-experiment \
#       --bins "version-stamp tag-gate semantic-bump health-check smoke-test shipgate"
#
# Phase 1 builds `cargo build --release --bins` once per opt-level into its own
# target dir under ${BENCH_DIR:-/tmp/shipgate-bench} (the shared target/ stays
# untouched). Phase 2, after every build has finished, measures: size in bytes,
# gzip -9 size, and start-up = hyperfine's median of `BIN --version` (or
# --help when the binary has no --version) over 100 runs after 10 warm-ups,
# with -N (no shell). A binary named `shipgate` is a multi-call binary: it is
# measured through a link named after each tool. Also printed: the .tar.gz of
# the five standalone tools, the release archive dist/package.sh builds from
# `shipgate` (with the five names as links), and the sum of the five's sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

project="."
opts="3 s z"
bins="version-stamp tag-gate semantic-bump health-check smoke-test shipgate"
tools="version-stamp tag-gate semantic-bump health-check smoke-test"
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

for o in $opts; do
  echo "building opt-level=$o" >&2
  (cd "$project" && CARGO_PROFILE_RELEASE_OPT_LEVEL="$o" cargo build --quiet --release --bins --target-dir "$bench_dir/opt-$o") >&2
done

startup() { # startup BIN ARGS… → "median ms ± σ"
  hyperfine -N --warmup 10 --runs 100 --export-json "$bench_dir/h.json" "$*" >/dev/null 2>&1 &&
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f ms ± %.2f" % (r["median"]*1e3, r["stddev"]*1e3))' "$bench_dir/h.json" ||
    echo n/a
}

printf '| opt-level | binary | bytes | gzip -9 bytes | start-up (median ± σ) |\n|---|---|---:|---:|---|\n'
for o in $opts; do
  release="$bench_dir/opt-$o/release"
  total=0
  for b in $bins; do
    f="$release/$b"
    size="$(wc -c <"$f" | tr -d ' ')"
    gz="$(gzip -9n <"$f" | wc -c | tr -d ' ')"
    if [ "$b" = shipgate ]; then
      links="$bench_dir/links-$o"
      rm -rf "$links" && mkdir -p "$links"
      times=""
      for t in $tools; do
        ln -s "$f" "$links/$t"
        flag=--version
        "$links/$t" --version >/dev/null 2>&1 || flag=--help
        times="$times $t: $(startup "$links/$t" "$flag");"
      done
      printf '| %s | %s (multi-call) | %s | %s |%s |\n' "$o" "$b" "$size" "$gz" "$times"
      continue
    fi
    total=$((total + size))
    flag=--version
    "$f" --version >/dev/null 2>&1 || flag=--help
    printf '| %s | %s | %s | %s | %s |\n' "$o" "$b" "$size" "$gz" "$(startup "$f" "$flag")"
  done
  have=0
  for t in $tools; do [ -f "$release/$t" ] && have=$((have + 1)); done
  if [ "$have" -eq 5 ]; then
    # the five standalone binaries, packed as package.sh packed them before the multi-call binary
    # shellcheck disable=SC2086 # $tools is a list of names
    (cd "$release" && tar --owner=0 --group=0 --numeric-owner -cf - $tools) | gzip -9n >"$bench_dir/five-$o.tar.gz"
    printf '| %s | **archive of the 5 tools (.tar.gz)** | %s | | |\n' "$o" "$(wc -c <"$bench_dir/five-$o.tar.gz" | tr -d ' ')"
  fi
  if [ -f "$release/shipgate" ]; then
    archive="$("$repo/dist/package.sh" --version 0.0.0 --target bench-unknown-linux --bin-dir "$release" --out-dir "$bench_dir/archive-$o")"
    printf '| %s | **release archive: shipgate + 5 links (dist/package.sh)** | %s | | |\n' "$o" "$(wc -c <"$archive" | tr -d ' ')"
  fi
  printf '| %s | **sum of the 5 tools** | %s | | |\n' "$o" "$total"
done
