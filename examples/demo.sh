#!/usr/bin/env bash
# shipgate, locally: builds the binaries, makes a throw-away git repository
# with a bare "origin" remote, and walks a change through the pipeline step by
# step, narrating as it goes.
#
#   bash examples/demo.sh
#
# SHIPGATE_DEMO_KEEP=1 keeps the temporary folder (its path is printed).
# NO_COLOR=1 (or a non-terminal stdout) turns colour off.
#
# Structure: each pipeline stage is a numbered `step`; later stages (build
# tag, health, smoke, promote QA, prod refused, promote prod, rollback) append
# their own steps at the end, using the variables set here:
#   $root     this checkout          $bin      the release binaries (on PATH)
#   $work     the temp folder        $repo     the demo service's clone
#   $origin   its bare remote        $sha      the commit being shipped
#   $version  its build version      $service  the service name ("shop")
#   $build_tag $qa_tag $prod_tag $artifact   version-stamp's outputs
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/target/release"
service=shop

# The demo is about this machine, not about a CI run it may be part of.
while IFS= read -r name; do
  unset "$name"
done < <(compgen -e | grep -E '^(GITHUB_|RUNNER_|INPUT_)' || true)

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  bold=$'\033[1m' dim=$'\033[2m' green=$'\033[32m' red=$'\033[31m' reset=$'\033[0m'
else
  bold='' dim='' green='' red='' reset=''
fi

step_no=0
# step TITLE: starts the next numbered step.
step() {
  step_no=$((step_no + 1))
  printf '\n%s%d. %s%s\n' "$bold" "$step_no" "$1" "$reset"
}
# say TEXT...: narration.
say() { printf '   %s\n' "$*"; }
# show CMD...: prints the command, then runs it (its output indented).
show() {
  printf '   %s$ %s%s\n' "$dim" "$*" "$reset"
  "$@" 2>&1 | sed 's/^/     /'
}
ok() { printf '   %s✔ %s%s\n' "$green" "$*" "$reset"; }
die() {
  printf '   %s✘ %s%s\n' "$red" "$*" "$reset" >&2
  exit 1
}
# expect_exit CODE CMD...: runs CMD (output indented), which must exit CODE.
expect_exit() {
  local want=$1 got=0
  shift
  printf '   %s$ %s%s\n' "$dim" "$*" "$reset"
  "$@" > >(sed 's/^/     /') 2>&1 || got=$?
  wait
  [ "$got" = "$want" ] || die "expected exit $want, got $got: $*"
  ok "refused with exit $got, as it should be"
}

work="$(mktemp -d "${TMPDIR:-/tmp}/shipgate-demo.XXXXXX")"
cleanup() {
  if [ -n "${SHIPGATE_DEMO_KEEP:-}" ]; then
    printf '\n%skept %s%s\n' "$dim" "$work" "$reset"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

repo="$work/shop"
origin="$work/origin.git"

# git in the demo repository, with an identity and no signing, whatever the
# machine's global configuration says.
g() {
  git -C "$repo" -c user.name="Demo Developer" -c user.email=dev@example.invalid \
    -c commit.gpgsign=false -c tag.gpgsign=false "$@"
}
# commit DATE MESSAGE: a commit at a fixed date (so the demo's versions are
# the same on every machine).
commit() {
  GIT_AUTHOR_DATE="$1" GIT_COMMITTER_DATE="$1" g commit -q --allow-empty -m "$2"
}

# ---------------------------------------------------------------------------
step "Build the shipgate binaries (once; later runs are instant)"
show cargo build --release --workspace --bins --locked --manifest-path "$root/Cargo.toml" --quiet
export PATH="$bin:$PATH"
ok "binaries in $bin"

# ---------------------------------------------------------------------------
step "A service repository with a bare 'origin' remote"
git init -q --bare -b main "$origin"
git init -q -b main "$repo"
g remote add origin "$origin"
commit "2025-01-20T09:00:00+01:00" "feat: shop service skeleton"
commit "2025-01-20T12:10:00+01:00" "fix(cart): keep quantities above zero"
commit "2025-01-20T16:30:22+02:00" "feat(checkout): pay with a saved card"
g push -q origin main
show g log --format='%h %cI %s'
sha="$(g rev-parse HEAD)"
ok "three Conventional Commits pushed to $origin"

# ---------------------------------------------------------------------------
step "Stamp the build version (version-stamp)"
say "One version per commit: its short sha, then the committer time in UTC"
say "(--time commit: stable across re-runs; 16:30:22+02:00 is 14:30:22 UTC)."
cd "$repo"
version="$(version-stamp --time commit --service "$service")"
say "version-stamp --time commit --service $service  →  $version"
say "Every output, as --json prints it:"
version-stamp --time commit --service "$service" --json 2>/dev/null | sed 's/^/     /'
# The outputs as a workflow step gets them ($GITHUB_OUTPUT: key=value lines).
GITHUB_OUTPUT="$work/stamp.out" version-stamp --time commit --service "$service" >/dev/null 2>&1
output() { sed -n "s/^$1=//p" "$work/stamp.out"; }
build_tag="$(output build-tag)"
qa_tag="$(output qa-tag)"
prod_tag="$(output prod-tag)"
artifact="$(output artifact-name)"
[ "$version" = "${sha:0:8}-20250120-143022" ] || die "unexpected version $version"
[ "$build_tag" = "$service/build-$version" ] || die "unexpected build tag $build_tag"
ok "version $version · tags $build_tag, $qa_tag, $prod_tag · artifact $artifact"

# ---------------------------------------------------------------------------
step "Validate a version typed into a promotion form (version-stamp parse)"
say "Pasted with spaces around it, as people do: trimmed, then checked."
show version-stamp parse "  $version  "
ok "a real date and time, a hex sha: safe to use"

# ---------------------------------------------------------------------------
step "Refuse hostile or malformed versions"
say "A command substitution, an impossible date: exit 2, naming the value."
# shellcheck disable=SC2016 # the $(id) is meant literally: it is the attack
expect_exit 2 version-stamp parse '$(id)'
expect_exit 2 version-stamp parse "${version:0:8}-20250230-143022"

# ---------------------------------------------------------------------------
# Later pipeline steps are appended below this line.
