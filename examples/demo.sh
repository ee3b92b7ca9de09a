#!/usr/bin/env bash
# shipgate, locally: builds the binaries, makes a throw-away git repository
# with a bare "origin" remote, and walks two changes of a service through the
# whole pipeline, step by step, narrating as it goes: version-stamp, a build
# artifact, deploy to dev, health-check, smoke-test, the build tag, promotion
# to QA, prod refusing a version QA never saw, promotion to prod, a bad prod
# deploy rolled back, the deployment history, and the next semantic release.
# Then the container path, when Debian's docker-registry is installed: a
# second service's image pushed to a real registry on 127.0.0.1, recorded by
# digest, promoted to QA and prod by moving the registry's tags, and prod's
# tag rolled back after a failed deploy (skipped, saying so, without it).
#
#   bash examples/demo.sh
#
# Everything stays on this machine: the "deploys" start examples/demo-service
# on 127.0.0.1 (free ports), the records go to the bare remote, the registry
# keeps its images in the temporary folder.
#
# SHIPGATE_DEMO_BIN=DIR uses the binaries in DIR (the five tools and
#   demo-service, e.g. target/debug) instead of building the release ones.
# SHIPGATE_DEMO_KEEP=1 keeps the temporary folder (its path is printed).
# SHIPGATE_DOCKER_REGISTRY=PATH names the registry binary (default
#   docker-registry); the container path pushes with DIR/examples/demo-registry
#   (cargo build -p registry --example demo-registry).
# NO_COLOR=1 (or a non-terminal stdout) turns colour off.
#
# Exit codes: 0 every step behaved as narrated; 1 one did not (the line
# starting with ✘ says which); anything else: the build or a tool broke.
#
# Structure: each pipeline stage is a numbered `step` (a title, one line of
# why, the commands shown as they run, their result), using these variables:
#   $root     this checkout          $bin      the binaries (on PATH)
#   $work     the temp folder        $repo     the demo service's clone
#   $origin   its bare remote        $sha      the commit being shipped
#   $version  its build version      $service  the service name ("shop")
#   $build_tag $qa_tag $prod_tag $artifact   version-stamp's outputs
#   $gate     the tag-gate command (git backend, the service)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${SHIPGATE_DEMO_BIN:-$root/target/release}"
service=shop

# The demo is about this machine, not about a CI run it may be part of.
while IFS= read -r name; do
  unset "$name"
done < <(compgen -e | grep -E '^(GITHUB_|RUNNER_|INPUT_|DEMO_)' || true)

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
# cmdline CMD...: prints a command as it would be typed (quoted where a
# shell needs it, so it can be copied).
cmdline() {
  local arg line=''
  for arg in "$@"; do
    if [[ "$arg" =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then
      line+=" $arg"
    else
      line+=" '${arg//\'/\'\\\'\'}'"
    fi
  done
  printf '   %s$%s%s\n' "$dim" "$line" "$reset"
}
# show CMD...: prints the command, then runs it (its output indented).
show() {
  cmdline "$@"
  "$@" 2>&1 | sed 's/^/     /'
}
ok() { printf '   %s✔ %s%s\n' "$green" "$*" "$reset"; }
die() {
  printf '   %s✘ %s%s\n' "$red" "$*" "$reset" >&2
  exit 1
}
# exits_with CODE CMD...: prints the command, runs it (its output indented,
# in order), which must exit CODE.
exits_with() {
  local want=$1 got=0
  shift
  cmdline "$@"
  "$@" >"$work/output" 2>&1 || got=$?
  sed 's/^/     /' "$work/output"
  [ "$got" = "$want" ] || die "expected exit $want, got $got: $*"
}
# expect_exit CODE CMD...: a refusal, which must exit CODE.
expect_exit() {
  exits_with "$@"
  ok "refused with exit $1, as it should be"
}
# capture VAR CMD...: prints the command, runs it (stderr indented), and
# stores its stdout in VAR; the command must succeed.
capture() {
  local var=$1 out rc=0
  shift
  cmdline "$@"
  out="$("$@" 2>"$work/stderr")" || rc=$?
  sed 's/^/     /' "$work/stderr"
  [ "$rc" = 0 ] || die "exit $rc: $*"
  printf -v "$var" '%s' "$out"
}

work="$(mktemp -d "${TMPDIR:-/tmp}/shipgate-demo.XXXXXX")"
# The container path's registry, once started.
registry_pid=''
# The deployed instances (deploy.sh's pid, log and version files).
export DEMO_STATE_DIR="$work/deployments"
deploy_sh="$root/examples/demo-service/deploy.sh"
cleanup() {
  local rc=$?
  # Stop what the demo deployed, whatever happened.
  for env in dev prod; do
    bash "$deploy_sh" stop "$env" >/dev/null 2>&1 || true
  done
  if [ -n "$registry_pid" ]; then
    kill "$registry_pid" 2>/dev/null || true
  fi
  if [ "$rc" != 0 ]; then
    printf '\n%sthe demo stopped at step %d; SHIPGATE_DEMO_KEEP=1 keeps its files%s\n' \
      "$red" "$step_no" "$reset" >&2
  fi
  if [ -n "${SHIPGATE_DEMO_KEEP:-}" ]; then
    printf '\n%skept %s%s\n' "$dim" "$work" "$reset"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

repo="$work/shop"
origin="$work/origin.git"
# Set by `capture` as the steps run.
version='' version2='' url='' live_before='' now_live=''
started_registry='' digest1='' digest2='' registry_tags='' image_live_before=''

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

# free_port: a port on 127.0.0.1 that nothing listens on.
free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "no free port found on 127.0.0.1"
}

# ---------------------------------------------------------------------------
if [ -n "${SHIPGATE_DEMO_BIN:-}" ]; then
  step "Use the binaries in $bin (SHIPGATE_DEMO_BIN)"
  say "No build: the binaries were built beforehand (tests use target/debug)."
  bin="$(cd "$bin" 2>/dev/null && pwd)" || die "SHIPGATE_DEMO_BIN=$SHIPGATE_DEMO_BIN is not a folder"
else
  step "Build the shipgate binaries (once; later runs are instant)"
  say "Five tools and the demo service, from this checkout's locked dependencies"
  say "(the first build takes a few minutes; SHIPGATE_DEMO_BIN=DIR skips it)."
  show cargo build --release --workspace --bins --locked --manifest-path "$root/Cargo.toml" --quiet
fi
# The container path needs the registry, and the OCI client that pushes to it.
registry_bin="${SHIPGATE_DOCKER_REGISTRY:-docker-registry}"
registry_tool="$bin/examples/demo-registry"
if command -v "$registry_bin" >/dev/null 2>&1; then
  if [ -z "${SHIPGATE_DEMO_BIN:-}" ]; then
    say "docker-registry is installed: the container path's image pusher too."
    show cargo build --release -p registry --example demo-registry --locked \
      --manifest-path "$root/Cargo.toml" --quiet
  fi
  [ -x "$registry_tool" ] ||
    die "$registry_tool is missing: build it (cargo build -p registry --example demo-registry --locked)"
else
  registry_tool=''
fi
for tool in version-stamp tag-gate health-check smoke-test semantic-bump demo-service; do
  [ -x "$bin/$tool" ] || die "$bin/$tool is missing: build it (cargo build --workspace --bins --locked)"
done
export PATH="$bin:$PATH"
ok "binaries in $bin"
started=$SECONDS

# ---------------------------------------------------------------------------
step "A service repository with a bare 'origin' remote"
say "Conventional Commits since the last release, v0.1.0; origin stands in for GitHub."
git init -q --bare -b main "$origin"
git init -q -b main "$repo"
g remote add origin "$origin"
commit "2025-01-18T10:00:00+01:00" "feat: shop service skeleton"
GIT_COMMITTER_DATE="2025-01-18T10:05:00+01:00" g tag -a v0.1.0 -m "shop 0.1.0"
commit "2025-01-20T09:00:00+01:00" "fix(cart): keep quantities above zero"
commit "2025-01-20T16:30:22+02:00" "feat(checkout): pay with a saved card"
g push -q origin main v0.1.0
cd "$repo"
show git log --format='%h %cI %s%d'
sha="$(g rev-parse HEAD)"
ok "three Conventional Commits and a release tag pushed to $origin"

# ---------------------------------------------------------------------------
step "Stamp the build version (version-stamp)"
say "One version per commit: its short sha, then the committer time in UTC"
say "(--time commit: stable across re-runs; 16:30:22+02:00 is 14:30:22 UTC)."
capture version version-stamp --time commit --service "$service"
say "→ $version"
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
# From here on: the pipeline. Records go to origin through tag-gate's git
# backend; the service is deployed from its artifact, never rebuilt.
# Each stage with its environment (as the workflows' `environment:` keys):
# the dev deployments are stage build's.
gate=(tag-gate --backend git --service "$service" --chain 'build=dev,qa,prod=production')
mkdir -p "$work/artifacts"
artifacts="../artifacts"   # as seen from $repo, where the commands run

# package VERSION FILE: the service build as a tarball (the binary and the
# version it is), like a real build job's output.
package() {
  local dir="../build/$1"
  mkdir -p "$dir"
  cp "$bin/demo-service" "$dir/demo-service"
  printf '%s\n' "$1" >"$dir/VERSION"
  show tar -czf "$2" -C "$dir" demo-service VERSION
}

# deploy ENV FILE [VAR=VALUE...]: unpacks the artifact and starts what is in
# it with deploy.sh (the stand-in for kubectl or aws), on the environment's
# port (chosen at its first deploy, kept after); VAR=VALUE settings go to
# the service. Sets $url.
deploy() {
  local env=$1 file=$2 dir v port
  shift 2
  dir="../unpacked/$env-$(basename "$file" .tar.gz)"
  mkdir -p "$dir"
  show tar -xzf "$file" -C "$dir"
  v="$(cat "$dir/VERSION")"
  [ -s "$work/$env.port" ] || free_port >"$work/$env.port"
  port="$(cat "$work/$env.port")"
  capture url env DEMO_BIN="$dir/demo-service" "$@" \
    bash "$deploy_sh" start "$env" "$v" "$port"
}

# ---------------------------------------------------------------------------
step "Build once: the service's artifact"
say "This tarball is what every stage gets; its sha256 goes into the build record."
package "$version" "$artifacts/$artifact"
ok "$artifact ($(wc -c <"$artifacts/$artifact" | tr -d ' ') bytes)"

# ---------------------------------------------------------------------------
step "Deploy to dev"
say "Record the deployment as started, then deploy: the record says what is live where."
show "${gate[@]}" record --stage build --version "$version" --status in_progress
deploy dev "$artifacts/$artifact"
dev_url=$url
ok "demo-service $version answers at $dev_url"

# ---------------------------------------------------------------------------
step "Is it up, and is it the new version? (health-check)"
say "--expect-version catches \"deployed, but the old version still answers\"."
show health-check --url "$dev_url/health" --expect-version "$version" --interval 500ms --deadline 30s
ok "healthy, serving $version"

# ---------------------------------------------------------------------------
step "Does it work? (smoke-test)"
say "examples/demo-service/smoke.yml: five checks; item_id is captured and reused."
show env EXPECTED_VERSION="$version" \
  smoke-test --spec "$root/examples/demo-service/smoke.yml" --base-url "$dev_url" \
  --junit "$work/smoke-dev.xml"
ok "5 checks passed (JUnit XML in smoke-dev.xml)"

# ---------------------------------------------------------------------------
step "Record the outcome and tag the build (tag-gate create)"
say "$build_tag says \"this version passed the build\", with the artifact's digest."
show "${gate[@]}" record --stage build --version "$version" --status success --url "$dev_url"
show "${gate[@]}" create --stage build --version "$version" --artifact "$artifacts/$artifact"
ok "$build_tag is on origin"

# ---------------------------------------------------------------------------
step "Promote to QA: only the artifact that was built (tag-gate promote)"
say "A file that is not the build's (rebuilt, tampered with) is refused first."
cp "$artifacts/$artifact" "$artifacts/rebuilt.tar.gz"
printf 'rebuilt\n' >>"$artifacts/rebuilt.tar.gz"
expect_exit 1 "${gate[@]}" promote --to qa --version "$version" --artifact "$artifacts/rebuilt.tar.gz"
say "The built artifact (QA deploys and tests it here):"
show "${gate[@]}" promote --to qa --version "$version" --artifact "$artifacts/$artifact"
ok "$qa_tag is on origin, on commit ${sha:0:8}"

# ---------------------------------------------------------------------------
step "A second change: built and deployed to dev, never QA'd"
say "Every push to main is stamped, built, deployed to dev and tagged."
commit "2025-01-21T10:00:00+01:00" "fix(checkout): retry a declined card once"
g push -q origin main
capture version2 version-stamp --time commit --service "$service"
artifact2="service-$service-$version2.tar.gz"
package "$version2" "$artifacts/$artifact2"
show "${gate[@]}" record --stage build --version "$version2" --status in_progress
deploy dev "$artifacts/$artifact2"
show health-check --url "$dev_url/health" --expect-version "$version2" --interval 500ms --deadline 30s
show "${gate[@]}" record --stage build --version "$version2" --status success --url "$dev_url"
show "${gate[@]}" create --stage build --version "$version2" --artifact "$artifacts/$artifact2"
ok "$version2 passed the build; dev runs it; QA has not seen it"

# ---------------------------------------------------------------------------
step "Production refuses a version QA never saw"
say "promote --to prod needs $service/qa-$version2; the message names it and what does pass."
expect_exit 1 "${gate[@]}" promote --to prod --version "$version2" --artifact "$artifacts/$artifact2"

# ---------------------------------------------------------------------------
step "Promote the QA'd version to production"
say "Gate first, then record, deploy, health, smoke, record success, and the prod tag."
show "${gate[@]}" require --stage qa --version "$version"
show "${gate[@]}" record --stage prod --version "$version" --status in_progress
deploy prod "$artifacts/$artifact"
prod_url=$url
show health-check --url "$prod_url/health" --expect-version "$version" --interval 500ms --deadline 30s
show env EXPECTED_VERSION="$version" \
  smoke-test --spec "$root/examples/demo-service/smoke.yml" --base-url "$prod_url"
show "${gate[@]}" record --stage prod --version "$version" --status success --url "$prod_url"
show "${gate[@]}" promote --to prod --version "$version" --artifact "$artifacts/$artifact"
ok "$prod_tag: production runs $version at $prod_url"

# ---------------------------------------------------------------------------
step "A bad production deploy"
say "$version2 passes QA later, but in production its /health fails (simulated:"
say "DEMO_UNHEALTHY=1). What is live is read before deploying: the rollback target."
show "${gate[@]}" promote --to qa --version "$version2" --artifact "$artifacts/$artifact2"
show "${gate[@]}" require --stage qa --version "$version2"
capture live_before "${gate[@]}" current --stage prod
say "live before the deploy: $live_before"
[ "$live_before" = "$version" ] || die "expected $version live in prod, got '$live_before'"
show "${gate[@]}" record --stage prod --version "$version2" --status in_progress
deploy prod "$artifacts/$artifact2" DEMO_UNHEALTHY=1
exits_with 1 health-check --url "$prod_url/health" --expect-version "$version2" --interval 500ms --retries 3
ok "unhealthy: exit 1, as it should be"
show "${gate[@]}" record --stage prod --version "$version2" --status failure \
  --url "$prod_url" --note "health-check failed"

# ---------------------------------------------------------------------------
step "Roll back to $live_before"
say "Redeploy the artifact that was live (no rebuild), check it, record it."
deploy prod "$artifacts/$artifact"
show health-check --url "$prod_url/health" --expect-version "$live_before" --interval 500ms --deadline 30s
show "${gate[@]}" record --stage prod --version "$live_before" --status success \
  --url "$prod_url" --note "rollback from $version2"
ok "production runs $live_before again"

# ---------------------------------------------------------------------------
step "What production runs, and how it got there"
say "current: the version whose latest deployment succeeded; history: every event."
capture now_live "${gate[@]}" current --stage prod
say "current: $now_live"
[ "$now_live" = "$version" ] || die "expected $version live in prod, got '$now_live'"
show "${gate[@]}" history --stage prod
say "The stage tags on origin: $version2 never got a prod tag."
show git ls-remote --tags --refs origin
# Read once, then searched: `git … | grep -q` fails under pipefail when grep
# stops reading early and git gets SIGPIPE.
remote_tags="$(git ls-remote --tags --refs origin)"
grep -q "refs/tags/$prod_tag\$" <<<"$remote_tags" || die "$prod_tag is missing on origin"
if grep -q "refs/tags/$service/prod-$version2\$" <<<"$remote_tags"; then
  die "$service/prod-$version2 must not exist"
fi
ok "prod: $now_live · the failed deploy and the rollback are events, not tags"

# ---------------------------------------------------------------------------
step "The next release (semantic-bump next)"
say "The Conventional Commits since v0.1.0 propose the next semantic version."
show semantic-bump next
GITHUB_OUTPUT="$work/next.out" semantic-bump next >/dev/null 2>&1
next="$(sed -n 's/^next-tag=//p' "$work/next.out")"
bump="$(sed -n 's/^bump=//p' "$work/next.out")"
say "Its changelog:"
awk '/^changelog<</ { d = substr($0, 12); on = 1; next } on && $0 == d { on = 0 } on' \
  "$work/next.out" | sed 's/^/     /'
if [ "$next" != "v0.2.0" ] || [ "$bump" != "minor" ]; then
  die "expected v0.2.0 (minor), got '$next' ($bump)"
fi
ok "v0.1.0 → $next ($bump: a feat since the last release)"

# ---------------------------------------------------------------------------
# The container path: a second service, cart, shipped as an image through a
# real registry. Its records go to origin too, under cart/.
container_seconds=''
if [ -z "$registry_tool" ]; then
  printf '\n%scontainer path skipped: %s is not installed (apt-get install docker-registry, then run the demo again)%s\n' \
    "$bold" "$registry_bin" "$reset"
else
  # bash 5's clock with microseconds, else whole seconds (bash 3.2)
  now() { printf '%s' "${EPOCHREALTIME:-$SECONDS}"; }
  container_started=$(now)
  image_service=cart
  gate_c=(tag-gate --backend git --service "$image_service" --chain 'build=dev,qa,prod=production')

  step "The container path: a real registry on 127.0.0.1"
  say "A second service, $image_service, ships as a container image. The registry is"
  say "CNCF distribution (Debian's docker-registry) with password auth, its images"
  say "in the temp folder; no Docker engine: images are pushed with the OCI client."
  capture started_registry "$registry_tool" start "$work/registry"
  registry_host="${started_registry% *}"
  registry_pid="${started_registry#* }"
  image="$registry_host/shop/$image_service"
  # registry_requests: the requests the registry has answered so far.
  registry_requests() { grep -c '" [0-9][0-9][0-9] ' "$work/registry/registry.log" || true; }
  export DOCKER_CONFIG="$work/docker"
  mkdir -p "$DOCKER_CONFIG"
  printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$registry_host" \
    "$(printf '%s' 'shipgate:correct-horse' | base64)" >"$DOCKER_CONFIG/config.json"
  say "Its password is in \$DOCKER_CONFIG/config.json, as \`docker login $registry_host\`"
  say "(or docker/login-action) writes it; tag-gate reads it from there."
  ok "registry at $registry_host (pid $registry_pid)"

  # -------------------------------------------------------------------------
  step "Build once: push the image, record its digest (tag-gate create --image)"
  say "The build pushes $image:<image-tag> (version-stamp's output) and records the"
  say "manifest digest it got back, as docker/build-push-action's digest output."
  GITHUB_OUTPUT="$work/cart.out" version-stamp --time commit --service "$image_service" \
    --sha "$sha" >/dev/null 2>&1
  image_tag="$(sed -n 's/^image-tag=//p' "$work/cart.out")"
  [ "$image_tag" = "$version" ] || die "unexpected image tag $image_tag"
  say "version-stamp's image-tag for $version: $image_tag"
  capture digest1 "$registry_tool" push "$image:$image_tag" "$version"
  say "→ $digest1"
  show "${gate_c[@]}" create --stage build --version "$version" --image "$image@$digest1"
  ok "$image_service/build-$version records $image@$digest1"

  # -------------------------------------------------------------------------
  step "Promote the image to QA, then prod (promote --retag)"
  say "No rebuild, no push: the registry's {stage} and {stage}-{version} tags are"
  say "pointed at the recorded digest (its manifest copied; no layer moves), and"
  say "only then is the git tag created. Deploys use $image@sha256:…, never a tag."
  requests_before=$(registry_requests)
  show "${gate_c[@]}" promote --to qa --version "$version" --retag
  say "(the registry's access log: that promotion cost it $(($(registry_requests) - requests_before)) requests)"
  show "${gate_c[@]}" promote --to prod --version "$version" --retag
  show "${gate_c[@]}" record --stage prod --version "$version" --status success \
    --note "deployed $image@$digest1"
  say "The registry's tags:"
  capture registry_tags "$registry_tool" tags "$image"
  while IFS= read -r line; do printf '     %s\n' "$line"; done <<<"$registry_tags"
  for t in qa "qa-$version" prod "prod-$version"; do
    grep -qx "shop/$image_service:$t $digest1" <<<"$registry_tags" ||
      die "shop/$image_service:$t does not name $digest1"
  done
  ok "$image:prod and :prod-$version name $digest1"

  # -------------------------------------------------------------------------
  step "A second image, recorded by tag; another digest is refused"
  say "--image REPO:TAG is resolved through the registry: the digest is what is recorded."
  capture digest2 "$registry_tool" push "$image:$version2" "$version2"
  show "${gate_c[@]}" create --stage build --version "$version2" --image "$image:$version2"
  say "Promoting $version2 with the first image's digest (swapped after the build):"
  expect_exit 1 "${gate_c[@]}" promote --to qa --version "$version2" --image "$image@$digest1"
  show "${gate_c[@]}" promote --to qa --version "$version2" --retag
  ok "$image:qa names $digest2"

  # -------------------------------------------------------------------------
  step "A bad production deploy of the image, and prod's tag rolled back (tag-gate retag)"
  say "What is live is read first: the rollback target. $version2 is promoted (prod's"
  say "tags move to $digest2), deployed, and fails its health check (simulated)."
  capture image_live_before "${gate_c[@]}" current --stage prod
  [ "$image_live_before" = "$version" ] || die "expected $version live, got '$image_live_before'"
  show "${gate_c[@]}" promote --to prod --version "$version2" --retag
  show "${gate_c[@]}" record --stage prod --version "$version2" --status in_progress
  say "deploy $image@$digest2 … health check failed"
  show "${gate_c[@]}" record --stage prod --version "$version2" --status failure \
    --note "health-check failed"
  say "$image:prod moves back to $image_live_before's digest (prod-$version2 stays: it names what was tried):"
  show "${gate_c[@]}" retag --stage prod --version "$image_live_before" --retag-tags '{stage}'
  capture registry_tags "$registry_tool" tags "$image"
  while IFS= read -r line; do printf '     %s\n' "$line"; done <<<"$registry_tags"
  grep -qx "shop/$image_service:prod $digest1" <<<"$registry_tags" ||
    die "shop/$image_service:prod was not rolled back to $digest1"
  grep -qx "shop/$image_service:prod-$version2 $digest2" <<<"$registry_tags" ||
    die "shop/$image_service:prod-$version2 does not name $digest2"
  ok "rolled back: $image:prod names $digest1 ($image_live_before) again"
  container_seconds=$(awk -v a="$container_started" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
fi

printf '\n%sThe whole pipeline ran in %d s (after the build)' "$bold" "$((SECONDS - started))"
if [ -n "$container_seconds" ]; then
  printf ', the container path %s s of it' "$container_seconds"
fi
printf '.%s\n' "$reset"
