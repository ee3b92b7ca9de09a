#!/usr/bin/env bash
# tag-gate: `latest` on a remote with 100,000 stage tags, next to the
# `git ls-remote` it is built on.
#
#   bash bench/tag-gate.sh                 # hyperfine if installed, else a loop
#   TAGS=20000 bash bench/tag-gate.sh      # fewer tags
#   TAG_GATE=/path/to/tag-gate bash bench/tag-gate.sh   # skip the release build
#
# Makes, in a temp dir:
#   - remote.git: a bare repository with one commit and TAGS annotated tags
#     qa-<sha8>-<date>-<time>, each with a shipgate.provenance/v1 record and
#     a tagger date one second after the one before (git fast-import);
#   - clone: `git clone --depth 1 --no-tags` of it (actions/checkout's way).
# Then times, from the clone:
#   a. git ls-remote --tags origin 'refs/tags/qa-*'          (the floor)
#   b. tag-gate latest --stage qa --backend git --remote URL  (warm: the
#      tagger-date cache and the tag objects are there)
#   c. the same with the tagger-date cache removed before each run (the
#      tag objects are there: every tagger date is parsed again)
#   d. the same in a fresh depth-1 clone each run (all 100,000 tag objects
#      fetched, then parsed: the first run on a runner)
# and checks that latest names the newest tag by time.
set -euo pipefail

tags="${TAGS:-100000}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# No runner variables: the binary would write outputs or pick the API.
while IFS= read -r name; do
  unset "$name"
done < <(compgen -e | grep -E '^(GITHUB_|RUNNER_|INPUT_|CI$)' || true)

if [[ -n "${TAG_GATE:-}" ]]; then
  bin="$TAG_GATE"
else
  cargo build --release -p tag-gate --quiet --manifest-path "$root/Cargo.toml"
  bin="$root/target/release/tag-gate"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" GIT_CONFIG_NOSYSTEM=1 LC_ALL=C
mkdir -p "$HOME"
remote="$work/remote.git"
url="file://$remote"

now_ns() { date +%s%N; }

echo "== making $tags stage tags"
started=$(now_ns)
git init -q --bare -b main "$remote"
# The commit.
{
  echo "commit refs/heads/main"
  echo "committer Bench <bench@example.invalid> 1737383422 +0000"
  echo "data 12"
  echo "feat: bench"
  echo "M 644 inline README"
  echo "data 6"
  echo "bench"
} | git -C "$remote" fast-import --quiet
sha="$(git -C "$remote" rev-parse main)"

# The tags: version i is <sha8>-YYYYMMDD-HHMMSS at 2025-01-20T00:00:00Z + i
# seconds (days 20 to 21 for 100,000; at most 86,400 a day, 9 days), and
# its tagger date is the same instant.
awk -v n="$tags" -v sha="$sha" '
  function two(x) { return sprintf("%02d", x) }
  BEGIN {
    base = 1737331200   # 2025-01-20T00:00:00Z
    for (i = 0; i < n; i++) {
      day = 20 + int(i / 86400); s = i % 86400
      hh = two(int(s / 3600)); mm = two(int((s % 3600) / 60)); ss = two(s % 60)
      v = substr(sha, 1, 8) "-202501" two(day) "-" hh mm ss
      t = "2025-01-" two(day) "T" hh ":" mm ":" ss "Z"
      name = "qa-" v
      msg = name ": " v " passed qa\n\n{\"schema\":\"shipgate.provenance/v1\",\"version\":\"" v \
            "\",\"stage\":\"qa\",\"commit\":\"" sha "\",\"artifact_digest\":null,\"artifact_id\":null," \
            "\"run_id\":null,\"run_attempt\":null,\"run_url\":null,\"workflow\":null,\"actor\":null," \
            "\"time\":\"" t "\",\"promoted_from\":null}\n"
      printf "tag %s\nfrom %s\ntagger github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com> %d +0000\ndata %d\n%s\n", \
        name, sha, base + i, length(msg), msg
    }
  }' | git -C "$remote" fast-import --quiet
git -C "$remote" pack-refs --all
made_ms=$(( ($(now_ns) - started) / 1000000 ))
count="$(git -C "$remote" for-each-ref refs/tags/ | wc -l)"
echo "made $count annotated tags in $made_ms ms"
[[ "$count" -eq "$tags" ]] || { echo "expected $tags tags, got $count" >&2; exit 1; }

clone="$work/clone"
git clone -q --depth 1 --no-tags "$url" "$clone"
cd "$clone"

# The newest tag by time is the last one made.
last=$((tags - 1))
want="$(printf '%s-202501%02d-%02d%02d%02d' "${sha:0:8}" $((20 + last / 86400)) \
  $(( (last % 86400) / 3600 )) $(( (last % 3600) / 60 )) $((last % 60)))"
got="$("$bin" latest --stage qa --backend git --remote "$url" 2>/dev/null)"
echo "latest: $got (first run, objects fetched)"
[[ "$got" == "$want" ]] || { echo "expected $want" >&2; exit 1; }

ls_remote=(git ls-remote --tags origin 'refs/tags/qa-*')
latest=("$bin" latest --stage qa --backend git --remote "$url")
cache="$clone/.git/shipgate"
fresh="$work/fresh"
fresh_clone="rm -rf '$fresh' && git clone -q --depth 1 --no-tags '$url' '$fresh'"

echo
if command -v hyperfine >/dev/null; then
  echo "== hyperfine (median, 10 runs each)"
  hyperfine --style basic --runs 10 --warmup 2 -N \
    -n "git ls-remote --tags 'refs/tags/qa-*'" "${ls_remote[*]}" \
    -n "tag-gate latest (warm)" "${latest[*]}" \
    --export-markdown "$work/warm.md" >&2
  hyperfine --style basic --runs 10 \
    --prepare "rm -rf '$cache'" \
    -n "tag-gate latest (no date cache)" "${latest[*]} 2>/dev/null" \
    --export-markdown "$work/nocache.md" >&2
  hyperfine --style basic --runs 5 \
    --prepare "$fresh_clone" \
    -n "tag-gate latest (fresh depth-1 clone)" \
    "cd '$fresh' && '$bin' latest --stage qa --backend git --remote '$url' 2>/dev/null" \
    --export-markdown "$work/fresh.md" >&2
  cat "$work/warm.md" "$work/nocache.md" "$work/fresh.md"
else
  echo "== loop (hyperfine not installed: apt-get install -y hyperfine)"
  time_runs() { # name runs prepare command...
    local name="$1" runs="$2" prepare="$3" total=0 t0 i
    shift 3
    for ((i = 0; i < runs; i++)); do
      if [[ -n "$prepare" ]]; then bash -c "$prepare"; fi
      t0=$(now_ns)
      "$@" >/dev/null 2>&1
      total=$((total + $(now_ns) - t0))
    done
    printf '%-40s mean %6d ms over %d runs\n' "$name" $((total / runs / 1000000)) "$runs"
  }
  time_runs "git ls-remote --tags 'refs/tags/qa-*'" 10 "" "${ls_remote[@]}"
  time_runs "tag-gate latest (warm)" 10 "" "${latest[@]}"
  time_runs "tag-gate latest (no date cache)" 10 "rm -rf '$cache'" "${latest[@]}"
  time_runs "tag-gate latest (fresh depth-1 clone)" 5 "$fresh_clone" \
    bash -c "cd '$fresh' && exec \"\$@\"" _ "${latest[@]}"
fi
