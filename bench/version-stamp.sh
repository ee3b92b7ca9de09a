#!/usr/bin/env bash
# version-stamp: release binary size and start-up time.
#
#   bash bench/version-stamp.sh            # needs hyperfine (apt-get install hyperfine)
#
# Measures, in a throw-away repository with one commit:
#   - the size of target/release/version-stamp;
#   - the median wall time of 100 runs (hyperfine -N: no shell in between) of
#       a. version-stamp --sha <40 hex>   (no git needed: the floor)
#       b. version-stamp                  (asks git for HEAD: one git child)
#       c. version-stamp --time commit    (HEAD and the committer time: two)
#       d. git rev-parse HEAD             (the reference: one git process)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v hyperfine >/dev/null || {
  echo "hyperfine is missing: apt-get install hyperfine" >&2
  exit 3
}

# No runner variables: the binary would write outputs and read GITHUB_SHA.
while IFS= read -r name; do
  unset "$name"
done < <(compgen -e | grep -E '^(GITHUB_|RUNNER_|INPUT_)' || true)

cargo build --release -p version-stamp --locked --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/version-stamp"

echo "== size"
ls -l "$bin"
size=$(stat -c %s "$bin")
echo "version-stamp: $size bytes ($((size / 1024)) KiB)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git -C "$work" init -q -b main
GIT_AUTHOR_DATE=2025-01-20T16:30:22+02:00 GIT_COMMITTER_DATE=2025-01-20T16:30:22+02:00 \
  git -C "$work" -c user.name=bench -c user.email=bench@example.invalid -c commit.gpgsign=false \
  commit -q --allow-empty -m "feat: bench"
sha="$(git -C "$work" rev-parse HEAD)"
cd "$work"

echo
echo "== start-up (median of 100 runs)"
hyperfine -N --runs 100 --warmup 10 --style basic \
  --export-json "$work/times.json" \
  -n "version-stamp --sha <40 hex>" "$bin --sha $sha" \
  -n "version-stamp (git HEAD)" "$bin" \
  -n "version-stamp --time commit" "$bin --time commit" \
  -n "git rev-parse HEAD" "git rev-parse HEAD" >&2

echo
echo "== medians"
# A plain reader for hyperfine's JSON: "command" and "median" per result.
sed -n -e 's/^ *"command": "\(.*\)",$/\1/p' -e 's/^ *"median": \([0-9.e-]*\),$/\1/p' "$work/times.json" |
  paste - - |
  awk -F '\t' '{ printf "%-32s %8.2f ms\n", $1, $2 * 1000 }'
