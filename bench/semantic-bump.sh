#!/usr/bin/env bash
# Benchmarks `semantic-bump next` against the floor it cannot beat:
#   git log --format=%H%x00%B TAG..HEAD
# on repositories with 1,000 / 10,000 / 100,000 commits since the last tag
# (made with git fast-import), plus git-cliff and cocogitto when installed.
#
#   bench/semantic-bump.sh [SIZES...]        (default: 1000 10000 100000)
#
# Needs hyperfine and GNU time (apt-get install hyperfine time). Uses
# target/release/semantic-bump (built if missing). Repositories are cached in
# $BENCH_DIR (default: /tmp/semantic-bump-bench).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${SEMANTIC_BUMP:-$root/target/release/semantic-bump}"
work="${BENCH_DIR:-/tmp/semantic-bump-bench}"
runs="${RUNS:-10}"
sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(1000 10000 100000)

for tool in hyperfine /usr/bin/time git awk; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install hyperfine time)" >&2; exit 3; }
done
if [ ! -x "$bin" ]; then
  (cd "$root" && cargo build --release --locked -p semantic-bump) >&2
fi
mkdir -p "$work"

# A fast-import stream: an initial commit tagged v1.0.0 (with cog.toml, so
# cocogitto knows the prefix), then N commits with a realistic mix: feat /
# fix / perf / docs / chore / refactor / test with scopes and bodies, some
# breaking footers, 15 % not conventional, a merge every 200 commits.
make_stream() {
  local n="$1"
  awk -v n="$n" '
  function data(s) { printf "data %d\n%s", length(s), s }
  BEGIN {
    srand(42)
    split("feat fix perf docs chore refactor test fix feat docs", types, " ")
    split("api ui db core cli auth", scopes, " ")
    t = 1700000000
    print "blob"; print "mark :1"; data("tag_prefix = \"v\"\n")
    print "blob"; print "mark :2"; data("hello\n")
    msg = "chore: initial\n"
    print "commit refs/heads/main"; print "mark :10"
    printf "author Ada <ada@example.com> %d +0000\ncommitter Ada <ada@example.com> %d +0000\n", t, t
    data(msg)
    print "M 100644 :1 cog.toml"; print "M 100644 :2 README"; print ""
    print "reset refs/tags/v1.0.0"; print "from :10"; print ""
    prev = 10; side = 0
    for (i = 1; i <= n; i++) {
      r = rand()
      ty = types[int(rand() * 10) + 1]; sc = scopes[int(rand() * 6) + 1]
      if (r < 0.15) {
        msg = sprintf("Update the thing number %d\n\nSome free-form text that is not a conventional commit.\n", i)
      } else if (r < 0.17) {
        msg = sprintf("%s(%s): change %d\n\nA body explaining why.\n\nBREAKING CHANGE: the old behaviour %d is gone\n", ty, sc, i, i)
      } else {
        msg = sprintf("%s(%s): change number %d of the %s module\n\nA body that explains the change in a little more detail,\nover two lines of text, as people write them.\n\nRefs: #%d\n", ty, sc, i, sc, i)
      }
      mark = i + 10
      print "commit refs/heads/main"; printf "mark :%d\n", mark
      printf "author Ada <ada@example.com> %d +0000\ncommitter Ada <ada@example.com> %d +0000\n", t + i, t + i
      data(msg)
      printf "from :%d\n", prev
      if (i % 200 == 0 && side > 0) { printf "merge :%d\n", side }
      printf "M 100644 inline f%d.txt\n", i % 97; data(i "\n"); print ""
      if (i % 200 == 100) side = mark
      prev = mark
    }
  }'
}

repo_for() {
  local n="$1" dir="$work/r$1"
  if [ ! -d "$dir/.git" ]; then
    rm -rf "$dir"
    git init -q -b main "$dir"
    make_stream "$n" | git -C "$dir" fast-import --quiet
    git -C "$dir" reset -q --hard main
  fi
  echo "$dir"
}

have_cliff=false; command -v git-cliff >/dev/null && have_cliff=true
have_cog=false; command -v cog >/dev/null && have_cog=true

peak_kib() { # peak RSS of a command (the process tree's largest), KiB
  /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n 1
}

echo "# semantic-bump next vs git log ($(git --version), $(nproc) cores)"
echo
for n in "${sizes[@]}"; do
  dir="$(repo_for "$n")"
  cd "$dir"
  count=$(git rev-list --count v1.0.0..HEAD)
  echo "## $count commits since v1.0.0"
  echo
  cmds=("git log --format=%H%x00%B v1.0.0..HEAD" "$bin next")
  $have_cliff && cmds+=("git cliff --bumped-version")
  $have_cog && cmds+=("cog bump --auto --dry-run")
  hyperfine --warmup 2 --runs "$runs" --style basic --export-markdown "$work/r$n.md" \
    --ignore-failure "${cmds[@]}" >/dev/null
  cat "$work/r$n.md"
  echo
  log_kib=$(peak_kib git log --format=%H%x00%B v1.0.0..HEAD)
  tree_kib=$(peak_kib "$bin" next)
  own_kib=$(SEMANTIC_BUMP_PEAK_RSS=1 "$bin" next 2>&1 >/dev/null | awk '/peak RSS/ {print $(NF-1)}')
  echo "| peak RSS | KiB |"
  echo "|---|---|"
  echo "| git log --format=%H%x00%B | $log_kib |"
  echo "| semantic-bump next (its own process) | $own_kib |"
  echo "| semantic-bump next + its git log child (/usr/bin/time) | $tree_kib |"
  $have_cliff && echo "| git cliff --bumped-version | $(peak_kib git cliff --bumped-version) |"
  $have_cog && echo "| cog bump --auto --dry-run | $(peak_kib cog bump --auto --dry-run) |"
  echo
  echo "next says: $("$bin" next 2>&1 >/dev/null | tail -n 1)"
  echo
done
