#!/usr/bin/env bash
# shipgate setup: puts the shipgate binaries (the multi-call `shipgate` and the
# five tool names beside it) on PATH for the rest of the job and prints the
# folder that holds them.
#
#   bash "$GITHUB_ACTION_PATH/../../dist/install.sh"   # from actions/<name>/action.yml
#   bash "$GITHUB_ACTION_PATH/dist/install.sh"         # from the root action.yml
#   bash dist/install.sh --print-target                # the target triple this machine uses
#   bash dist/install.sh --plan                        # before actions/cache/restore: see below
#
# Which binaries it uses, in this order (logged, and written as `source=`):
#   local     SHIPGATE_BIN_DIR names a folder that holds the five binaries.
#   build     this tree is not a release tree (a dev manifest, no targets, or code
#             that differs from the manifest's source_commit), or the manifest
#             lists no binaries for this runner's target: `cargo build --profile
#             fallback --locked -p shipgate-cli` from the action's own source, into
#             <tool cache>/shipgate/build/<source digest>/<target>/ with the
#             sha256 of every file in <target>.sha256 beside it. SHIPGATE_FALLBACK=none
#             makes that an error instead.
#   cache     that build folder when it verifies against its .sha256 file (a
#             later job: the action restored it from the Actions cache), or
#             $RUNNER_TOOL_CACHE/shipgate/<version>/<target>/ holding exactly the
#             binaries whose sha256 the manifest lists (checked on every use).
#   download  the target's archive from SHIPGATE_DOWNLOAD_BASE (default: the
#             manifest's download_base; https only, http only to 127.0.0.1 or
#             localhost), sha256-verified before unpacking, unpacked beside the
#             cache folder, verified again and renamed into place.
# A listed target whose download fails is an error, never a silent compile.
#
# Environment: SHIPGATE_BIN_DIR, SHIPGATE_FALLBACK (build|none, default build),
# SHIPGATE_DOWNLOAD_BASE, SHIPGATE_TOKEN (only sent to the GitHub API for a
# private repository's release), RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE,
# GITHUB_OUTPUT, GITHUB_PATH, GITHUB_ACTIONS, GITHUB_SERVER_URL, GITHUB_API_URL.
# Outputs (GITHUB_OUTPUT): path, source, version, target. With --plan, only
# when a build from source is coming: build-cache-key and build-cache-path, for
# actions/cache/restore before the install step and actions/cache/save after it
# (when source=build); nothing when the build folder already verifies.
# Exit codes: 0 ok, 2 bad setting, 3 the environment failed (network, checksum,
# missing tools, failed build).
#
# Portability: bash 3.2 (macOS), bash 4/5 (Linux), Git Bash (Windows). No
# associative arrays, no mapfile, no ${var,,}; arrays that may be empty are
# never expanded under `set -u`.
set -euo pipefail

TOOLS="version-stamp tag-gate semantic-bump health-check smoke-test"
# the multi-call binary; each tool name beside it is a link to it (a copy on Windows)
MAIN=shipgate

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
manifest="$here/manifest.json"

# ---------------------------------------------------------------- messages

log() { printf 'shipgate: %s\n' "$*" >&2; }

warn() {
  if [ "${GITHUB_ACTIONS:-}" = true ]; then
    local data="$*"
    data="${data//%/%25}"
    data="${data//$'\r'/%0D}"
    data="${data//$'\n'/%0A}"
    printf '::warning title=shipgate setup::%s\n' "$data" >&2
  else
    printf 'shipgate: warning: %s\n' "$*" >&2
  fi
}

# die CODE MESSAGE [HINT]
die() {
  local code="$1" msg="$2" hint="${3:-}" data
  if [ "${GITHUB_ACTIONS:-}" = true ]; then
    data="$msg"
    if [ -n "$hint" ]; then data="$msg"$'\n'"$hint"; fi
    data="${data//%/%25}"
    data="${data//$'\r'/%0D}"
    data="${data//$'\n'/%0A}"
    printf '::error title=shipgate setup::%s\n' "$data" >&2
  else
    printf 'shipgate: error: %s\n' "$msg" >&2
    if [ -n "$hint" ]; then printf 'shipgate: %s\n' "$hint" >&2; fi
  fi
  exit "$code"
}

trim() {
  local v="$1"
  v="${v#"${v%%[![:space:]]*}"}"
  v="${v%"${v##*[![:space:]]}"}"
  printf '%s' "$v"
}

lower() { printf '%s' "$1" | tr '[:upper:]' '[:lower:]'; }

usage() {
  cat <<'EOF'
Usage: install.sh [--print-target | --plan | --help]

Puts the shipgate binaries on PATH (GITHUB_PATH) and prints their folder.
  --print-target   print the target triple for this machine and exit
  --plan           write build-cache-key/build-cache-path to GITHUB_OUTPUT when
                   a build from source is coming (for actions/cache), and exit
  --help           this text
Environment: SHIPGATE_BIN_DIR, SHIPGATE_FALLBACK=build|none,
SHIPGATE_DOWNLOAD_BASE, SHIPGATE_TOKEN, RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE.
EOF
}

# ---------------------------------------------------------------- platform

on_windows=false
case "$(uname -s 2>/dev/null || true)" in
  MINGW* | MSYS* | CYGWIN*) on_windows=true ;;
esac

# A path as this shell sees it (C:\x → /c/x under Git Bash).
unix_path() {
  if $on_windows && command -v cygpath >/dev/null 2>&1; then cygpath -u "$1"; else printf '%s\n' "$1"; fi
}
# A path for GITHUB_PATH (the runner is a Windows program on Windows).
native_path() {
  if $on_windows && command -v cygpath >/dev/null 2>&1; then cygpath -w "$1"; else printf '%s\n' "$1"; fi
}
# A path that bash and Windows programs both accept (C:/x), for outputs.
output_path() {
  if $on_windows && command -v cygpath >/dev/null 2>&1; then cygpath -m "$1"; else printf '%s\n' "$1"; fi
}

# The Rust target triple for RUNNER_OS/RUNNER_ARCH, falling back to uname.
# Linux gets static musl binaries (container jobs, distroless images).
# Prints nothing and fails for a platform it does not know.
detect_target() {
  local os arch
  os="$(lower "$(trim "${RUNNER_OS:-}")")"
  arch="$(lower "$(trim "${RUNNER_ARCH:-}")")"
  if [ -z "$os" ]; then
    case "$(uname -s 2>/dev/null || true)" in
      Linux) os=linux ;;
      Darwin) os=macos ;;
      MINGW* | MSYS* | CYGWIN* | Windows_NT) os=windows ;;
      *) os="unknown" ;;
    esac
  fi
  if [ -z "$arch" ]; then
    case "$(uname -m 2>/dev/null || true)" in
      x86_64 | amd64 | AMD64 | x64) arch=x64 ;;
      aarch64 | arm64 | ARM64) arch=arm64 ;;
      i386 | i486 | i586 | i686 | x86) arch=x86 ;;
      armv6* | armv7* | armhf | arm) arch=arm ;;
      *) arch="unknown" ;;
    esac
  fi
  case "$os/$arch" in
    linux/x64) echo x86_64-unknown-linux-musl ;;
    linux/arm64) echo aarch64-unknown-linux-musl ;;
    linux/x86) echo i686-unknown-linux-musl ;;
    linux/arm) echo armv7-unknown-linux-musleabihf ;;
    macos/x64) echo x86_64-apple-darwin ;;
    macos/arm64) echo aarch64-apple-darwin ;;
    windows/x64) echo x86_64-pc-windows-msvc ;;
    windows/arm64) echo aarch64-pc-windows-msvc ;;
    windows/x86) echo i686-pc-windows-msvc ;;
    *)
      unsupported_platform="$os/$arch"
      return 1
      ;;
  esac
}

# ---------------------------------------------------------------- sha256

sha_tool=""
find_sha_tool() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha_tool=sha256sum
  elif command -v shasum >/dev/null 2>&1; then
    sha_tool=shasum
  else
    return 1
  fi
}

# sha256 of a file, lower-case hex; fails when the file cannot be read.
sha256_of() {
  local out
  case "$sha_tool" in
    sha256sum) out="$(sha256sum -b "$1")" || return 1 ;;
    shasum) out="$(shasum -a 256 -b "$1")" || return 1 ;;
    *) return 1 ;;
  esac
  out="${out#\\}"
  out="${out%% *}"
  out="$(lower "$out")"
  case "$out" in
    [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]*) ;;
    *) return 1 ;;
  esac
  [ "${#out}" -eq 64 ] || return 1
  printf '%s\n' "$out"
}

# ---------------------------------------------------------------- manifest
# dist/manifest.sh writes one key per line in a fixed layout; this reads that
# layout with sed and refuses anything else (no jq or python on some runners).

manifest_problem() {
  die 3 "dist/manifest.json is not in the layout dist/manifest.sh writes ($1)" \
    "Regenerate it with dist/manifest.sh; never edit it by hand."
}

# The value of a top-level string key; exactly one line must carry it.
top_value() {
  local key="$1" lines
  lines="$(sed -n "s/^  \"$key\": \"\\([^\"\\\\]*\\)\",\$/\\1/p" "$manifest")"
  case "$lines" in
    *$'\n'*) manifest_problem "\"$key\" appears more than once" ;;
  esac
  if ! grep -q "^  \"$key\": \"" "$manifest"; then manifest_problem "no \"$key\" line"; fi
  printf '%s' "$lines"
}

read_manifest() {
  [ -f "$manifest" ] || die 3 "no manifest at $manifest" "The action's dist/ folder is incomplete; use a release ref such as @v1."
  local bad
  bad="$(grep -nEv '^(\{|\}|  "(version|repository|download_base|source_commit)": "[^"\\]*",|  "targets": \{\}|  "targets": \{|  \}|    "[a-z0-9_.-]+": \{|    \},?|      "(archive|sha256)": "[^"\\]*",|      "binaries": \{|      \}|        "[A-Za-z0-9_.-]+": "[0-9a-f]{64}",?)$' "$manifest" | head -n 1 || true)"
  if [ -n "$bad" ]; then manifest_problem "unexpected line ${bad%%:*}: ${bad#*:}"; fi

  m_version="$(top_value version)"
  m_repository="$(top_value repository)"
  m_download_base="$(top_value download_base)"
  m_source_commit="$(top_value source_commit)"
  m_targets="$(sed -n 's/^    "\([a-z0-9_.-]*\)": {$/\1/p' "$manifest")"

  local semver='^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$'
  [[ $m_version =~ $semver ]] || manifest_problem "version \"$m_version\" is not a semantic version"
}

# Fills t_archive, t_sha256, t_binaries ("name hash" lines) for a listed target.
read_target() {
  local target="$1" block re
  re="${target//./\\.}"
  block="$(sed -n "/^    \"$re\": {\$/,/^    },\\{0,1\\}\$/p" "$manifest")"
  t_archive="$(printf '%s\n' "$block" | sed -n 's/^      "archive": "\([^"\\]*\)",$/\1/p')"
  t_sha256="$(printf '%s\n' "$block" | sed -n 's/^      "sha256": "\([0-9a-f]\{64\}\)",$/\1/p')"
  t_binaries="$(printf '%s\n' "$block" | sed -n 's/^        "\([A-Za-z0-9_.-]*\)": "\([0-9a-f]\{64\}\)",\{0,1\}$/\1 \2/p')"
  local archive_re='^[A-Za-z0-9_.+-]+\.tar\.gz$'
  [[ $t_archive =~ $archive_re ]] || manifest_problem "target $target has no valid \"archive\""
  [ -n "$t_sha256" ] || manifest_problem "target $target has no valid \"sha256\""
  local tool suffix=""
  case "$target" in *-windows-*) suffix=".exe" ;; esac
  for tool in $MAIN $TOOLS; do
    # A here-string, not a pipe: grep -q exits at its first match, and under
    # pipefail the writer's SIGPIPE would turn a match into a failure.
    grep -q "^$tool$suffix " <<<"$t_binaries" ||
      manifest_problem "target $target does not list $tool$suffix"
  done
}

target_listed() {
  grep -qxF -- "$1" <<<"$m_targets"
}

# Why this tree cannot use the manifest's prebuilt binaries; empty when it can.
not_release_reason() {
  case "$m_version" in
    *-dev | *-dev.* | *-dev+*)
      printf '%s' "the manifest is a development manifest (version $m_version)"
      return
      ;;
  esac
  if [ -z "$m_targets" ]; then
    printf '%s' "the manifest lists no prebuilt targets (version $m_version)"
    return
  fi
  local sc_re='^[0-9a-f]{40}([0-9a-f]{24})?$'
  if ! [[ $m_source_commit =~ $sc_re ]]; then
    printf '%s' "the manifest has no valid source_commit"
    return
  fi
  # The runner fetches actions as plain files; a git checkout of this
  # repository (uses: ./, a fork, a vendored copy with its history) is held to
  # the manifest's source_commit so prebuilt binaries never meet other code.
  command -v git >/dev/null 2>&1 || return 0
  local top
  top="$(git -C "$root" rev-parse --show-toplevel 2>/dev/null)" || return 0
  top="$(unix_path "$top")"
  [ "$(cd "$top" 2>/dev/null && pwd -P)" = "$(cd "$root" && pwd -P)" ] || return 0
  if ! git -C "$root" cat-file -e "$m_source_commit^{commit}" 2>/dev/null; then
    printf '%s' "this checkout does not contain source_commit $m_source_commit (a shallow clone?), so it cannot show that its code is what the binaries were built from"
    return
  fi
  if ! git -C "$root" diff --quiet "$m_source_commit" -- . ':(exclude)dist/manifest.json' 2>/dev/null; then
    printf '%s' "the code in this checkout differs from the manifest's source_commit $m_source_commit"
    return
  fi
}

# ---------------------------------------------------------------- results

finish() {
  local source="$1" dir="$2" version="$3" target="$4" shown native
  shown="$(output_path "$dir")"
  case "$shown" in *$'\n'* | *$'\r'*) die 3 "the binaries' folder has a line break in its name: $dir" ;; esac
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    {
      printf 'path=%s\n' "$shown"
      printf 'source=%s\n' "$source"
      printf 'version=%s\n' "$version"
      printf 'target=%s\n' "$target"
    } >>"$GITHUB_OUTPUT"
  fi
  if [ -n "${GITHUB_PATH:-}" ]; then
    native="$(native_path "$dir")"
    case ":${PATH:-}:" in
      *":$dir:"*) ;; # an earlier step of this job already put it on PATH
      *)
        if ! grep -qxF -- "$native" "$GITHUB_PATH" 2>/dev/null; then
          printf '%s\n' "$native" >>"$GITHUB_PATH"
        fi
        ;;
    esac
  fi
  log "source=$source version=$version target=$target path=$shown"
  printf '%s\n' "$shown"
  exit 0
}

# ---------------------------------------------------------------- local

use_local() {
  local dir tool
  dir="$(unix_path "$(trim "$SHIPGATE_BIN_DIR")")"
  [ -d "$dir" ] || die 2 "SHIPGATE_BIN_DIR=$SHIPGATE_BIN_DIR is not a folder" \
    "Point it at the folder that holds the five binaries (e.g. target/release)."
  dir="$(cd "$dir" && pwd)"
  for tool in $TOOLS; do
    if [ -f "$dir/$tool" ] && [ -x "$dir/$tool" ]; then continue; fi
    if [ -f "$dir/$tool.exe" ]; then continue; fi
    die 2 "SHIPGATE_BIN_DIR=$dir has no executable $tool" \
      "It must hold all of: $TOOLS (build them with: cargo build --release --locked --bins)."
  done
  finish local "$dir" local "${target:-unknown}"
}

# ---------------------------------------------------------------- build

# A digest of the action's source: every file under $root but target/ and .git/
# folders, by path and content. The same commit gives the same digest on every
# runner, so it keys the build cache ("build once per source, per target").
source_digest() {
  local list out hash_cmd=(sha256sum -b)
  if [ "$sha_tool" = shasum ]; then hash_cmd=(shasum -a 256 -b); fi
  list="$(mktemp "${TMPDIR:-/tmp}/shipgate-digest.XXXXXX")" || return 1
  if ! (cd "$root" && find . \( -name target -o -name .git \) -prune -o -type f -print0 |
    LC_ALL=C sort -z | xargs -0 "${hash_cmd[@]}" >"$list"); then
    rm -f "$list"
    return 1
  fi
  out="$(sha256_of "$list")" || {
    rm -f "$list"
    return 1
  }
  rm -f "$list"
  printf '%s\n' "$out"
}

# Sets build_dir (the folder on PATH) and build_sums (the sha256 file beside it)
# for this source and target.
build_paths() {
  find_sha_tool || die 3 "building from source keeps the build's sha256 beside it, which needs sha256sum or shasum, and neither is on PATH" \
    "Install coreutils (sha256sum) or perl (shasum), or set SHIPGATE_BIN_DIR."
  local digest
  digest="$(source_digest)" || die 3 "cannot compute the digest of the source in $root"
  build_base="$cache_base/shipgate/build/$digest"
  build_dir="$build_base/$build_target"
  build_sums="$build_base/$build_target.sha256"
  build_key="shipgate-build-$build_target-$digest"
}

# The names a build folder must hold, with the suffix of the target.
build_names() {
  local suffix="" tool
  case "$build_target" in *-windows-*) suffix=".exe" ;; esac
  for tool in $MAIN $TOOLS; do printf '%s%s\n' "$tool" "$suffix"; done
}

# verify_build: build_dir holds exactly what build_sums lists, and build_sums
# lists exactly the multi-call binary and the five names (so a rewritten sums
# file cannot add a program to PATH).
verify_build() {
  verify_problem=""
  if [ ! -f "$build_sums" ] || [ -L "$build_sums" ]; then
    verify_problem="no $build_sums"
    return 1
  fi
  local bad listed expected
  bad="$(grep -Ev '^[A-Za-z0-9_.-]+ [0-9a-f]{64}$' "$build_sums" | head -n 1 || true)"
  if [ -n "$bad" ]; then
    verify_problem="$build_sums has a line that is not 'name sha256': $bad"
    return 1
  fi
  listed="$(sed 's/ .*//' "$build_sums" | LC_ALL=C sort)"
  expected="$(build_names | LC_ALL=C sort)"
  if [ "$listed" != "$expected" ]; then
    verify_problem="$build_sums does not list exactly $(printf '%s' "$expected" | tr '\n' ' ')"
    return 1
  fi
  t_binaries="$(cat "$build_sums")"
  verify_dir "$build_dir"
}

build_from_source() {
  local reason="$1" version="$2" target_dir built name suffix="" hash incoming
  if [ "$fallback" = none ]; then
    $plan && exit 0
    die 3 "$reason, and SHIPGATE_FALLBACK=none forbids building from source" \
      "Use a release ref (@v1, @vX.Y.Z) whose manifest lists this runner, set SHIPGATE_BIN_DIR to prebuilt binaries, or allow the fallback (fallback: build)."
  fi
  [ -f "$root/Cargo.toml" ] ||
    die 3 "$reason, and $root holds no Cargo.toml to build from" \
      "Use a release ref (@v1) or set SHIPGATE_BIN_DIR."
  build_target="${target:-unknown-$(lower "$(uname -s 2>/dev/null || echo os)")-$(lower "$(uname -m 2>/dev/null || echo arch)")}"
  build_paths
  if $plan; then
    # the build folder of an earlier step of this job needs no restore
    if ! verify_build; then
      if [ -n "${GITHUB_OUTPUT:-}" ]; then
        printf 'build-cache-key=%s\nbuild-cache-path=%s\n' "$build_key" "$(output_path "$build_base")" >>"$GITHUB_OUTPUT"
      fi
      log "plan: a build from source ($reason); cache key $build_key"
    fi
    exit 0
  fi
  if verify_build; then
    log "reusing the build of this source: $build_dir verifies against $build_sums"
    finish cache "$build_dir" "$version" "$build_target"
  fi
  if [ -e "$build_dir" ] || [ -L "$build_dir" ] || [ -e "$build_sums" ]; then
    warn "the cached build in $build_dir does not verify ($verify_problem); refusing it and building again"
  fi
  command -v cargo >/dev/null 2>&1 ||
    die 3 "$reason, and building from source needs cargo, which is not on PATH" \
      "Install a Rust toolchain before this step, use a release ref (@v1) whose manifest lists this runner, or set SHIPGATE_BIN_DIR."
  log "building from source in $root (cargo build --profile fallback --locked -p shipgate-cli): $reason"
  if ! (cd "$root" && cargo build --profile fallback --locked -p shipgate-cli --bins) >&2; then
    die 3 "cargo build --profile fallback --locked in $root failed (see the output above)"
  fi
  target_dir="${CARGO_TARGET_DIR:-target}"
  target_dir="$(unix_path "$target_dir")"
  case "$target_dir" in
    /*) ;;
    *) target_dir="$root/$target_dir" ;;
  esac
  case "$build_target" in *-windows-*) suffix=".exe" ;; esac
  built="$target_dir/fallback/$MAIN$suffix"
  [ -f "$built" ] || die 3 "cargo build did not produce $built"

  # assemble beside the build folder, record the sha256, then rename into place
  mkdir -p "$build_base" 2>/dev/null ||
    die 3 "cannot create the build cache folder $build_base" \
      "Make RUNNER_TOOL_CACHE writable for the runner's user, or point RUNNER_TOOL_CACHE elsewhere."
  work="$(mktemp -d "$build_base/.incoming-$build_target.XXXXXX")" ||
    die 3 "cannot create a temporary folder in $build_base"
  incoming="$work/$build_target"
  mkdir "$incoming"
  cp "$built" "$incoming/$MAIN$suffix"
  chmod 755 "$incoming/$MAIN$suffix"
  hash="$(sha256_of "$incoming/$MAIN$suffix")" || die 3 "cannot hash $incoming/$MAIN$suffix"
  for name in $TOOLS; do
    if [ -n "$suffix" ]; then
      cp "$incoming/$MAIN$suffix" "$incoming/$name$suffix"
    else
      ln -s "$MAIN" "$incoming/$name"
    fi
  done
  build_names | while read -r name; do printf '%s %s\n' "$name" "$hash"; done >"$work/sums"
  rm -rf "$build_dir" "$build_sums"
  if ! mv "$incoming" "$build_dir" || ! mv "$work/sums" "$build_sums"; then
    die 3 "cannot move the build into $build_dir"
  fi
  # lost a race with a concurrent build: $build_dir appeared before the rename
  if [ -e "$build_dir/$build_target" ]; then rm -rf "${build_dir:?}/$build_target"; fi
  verify_build || die 3 "the build in $build_dir did not verify after assembling it: $verify_problem"
  finish build "$build_dir" "$version" "$build_target"
}

# ---------------------------------------------------------------- cache

# verify_dir DIR: DIR holds exactly the target's binaries ($t_binaries), as
# regular files with their listed sha256; a tool name may instead be a link to
# the multi-call binary beside it (and is then verified through it). Anything
# else in the folder would land on PATH.
verify_problem=""
verify_dir() {
  local dir="$1" name hash actual expected_names present
  verify_problem=""
  if [ ! -d "$dir" ] || [ -L "$dir" ]; then
    verify_problem="no folder"
    return 1
  fi
  expected_names="$(printf '%s\n' "$t_binaries" | sed 's/ .*//' | LC_ALL=C sort)"
  present=""
  for name in "$dir"/* "$dir"/.[!.]* "$dir"/..?*; do
    if [ -e "$name" ] || [ -L "$name" ]; then present="$present${name##*/}"$'\n'; fi
  done
  present="$(printf '%s' "$present" | LC_ALL=C sort)"
  if [ "$present" != "$expected_names" ]; then
    verify_problem="holds other files than the manifest lists"
    return 1
  fi
  while read -r name hash; do
    [ -n "$name" ] || continue
    if [ -L "$dir/$name" ]; then
      case "$name" in
        "$MAIN" | "$MAIN.exe")
          verify_problem="$name is a link, not the binary"
          return 1
          ;;
      esac
      local to
      to="$(readlink "$dir/$name" 2>/dev/null || true)"
      if [ "$to" != "$MAIN" ] && [ "$to" != "$MAIN.exe" ]; then
        verify_problem="$name links to '$to', not to $MAIN beside it"
        return 1
      fi
      if [ ! -f "$dir/$to" ] || [ -L "$dir/$to" ]; then
        verify_problem="$name links to $to, which is not a regular file"
        return 1
      fi
    fi
    if [ ! -f "$dir/$name" ]; then
      verify_problem="$name is not a regular file"
      return 1
    fi
    if ! actual="$(sha256_of "$dir/$name")"; then
      verify_problem="cannot hash $name"
      return 1
    fi
    if [ "$actual" != "$hash" ]; then
      verify_problem="$name has sha256 $actual, the manifest says $hash"
      return 1
    fi
  done <<EOF
$t_binaries
EOF
}

# ---------------------------------------------------------------- download

work=""
stale=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  if [ -n "$work" ]; then rm -rf "$work"; fi
  if [ -n "$stale" ]; then rm -rf "$stale"; fi
  # leave no empty version folders behind after a failure
  if [ -n "${cache_version_dir:-}" ]; then
    rmdir "$cache_version_dir" 2>/dev/null || true
    rmdir "$(dirname "$cache_version_dir")" 2>/dev/null || true
  fi
}
trap cleanup EXIT

# https://…, or http:// to 127.0.0.1 / localhost (tests); nothing else.
base_is_local_http=false
check_base() {
  local base="$1"
  local https_re='^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~%/+:@!$&()*,;=-]*)?$'
  local local_re='^http://(127\.0\.0\.1|localhost)(:[0-9]+)?(/[A-Za-z0-9._~%/+:!$&()*,;=-]*)?$'
  if [[ $base =~ $https_re ]]; then
    base_is_local_http=false
    return 0
  fi
  if [[ $base =~ $local_re ]]; then
    base_is_local_http=true
    return 0
  fi
  die 2 "refusing to download from '$base': only https:// URLs are allowed (http:// only to 127.0.0.1 or localhost)" \
    "Set SHIPGATE_DOWNLOAD_BASE to an https:// mirror of the release archives, e.g. https://mirror.example.com/shipgate/v$m_version"
}

host_of() {
  local rest="${1#*://}"
  rest="${rest%%/*}"
  printf '%s' "${rest%%:*}"
}

fetch_error=""
# fetch URL OUT [extra header line]: HTTPS-only download with retries.
fetch() {
  local url="$1" out="$2" header="${3:-}" rc=0 errfile="$work/fetch.err"
  local auth="${4:-}"
  if command -v curl >/dev/null 2>&1; then
    local proto='=https'
    if $base_is_local_http; then proto='=http'; fi
    local args=(--fail --location --silent --show-error --retry 3 --retry-connrefused
      --connect-timeout 20 --max-time 600 --proto "$proto" --proto-redir "$proto" --output "$out")
    if ! $base_is_local_http; then args+=(--tlsv1.2); fi
    if [ -n "$header" ]; then args+=(--header "$header"); fi
    if [ -n "$auth" ]; then
      # the token goes through stdin, not the command line
      printf 'header = "Authorization: Bearer %s"\n' "$auth" |
        curl "${args[@]}" --config - "$url" 2>"$errfile" || rc=$?
    else
      curl "${args[@]}" "$url" 2>"$errfile" </dev/null || rc=$?
    fi
  elif [[ "$(wget --version 2>/dev/null || true)" == *"GNU Wget"* ]]; then
    local args=(--quiet --tries=4 --waitretry=2 --retry-connrefused --timeout=60 -O "$out")
    if ! $base_is_local_http; then args+=(--https-only --secure-protocol=TLSv1_2); fi
    if [ -n "$header" ]; then args+=("--header=$header"); fi
    if [ -n "$auth" ]; then
      local rc_file="$work/wgetrc"
      (umask 077 && printf 'header = Authorization: Bearer %s\n' "$auth" >"$rc_file")
      WGETRC="$rc_file" wget "${args[@]}" "$url" 2>"$errfile" </dev/null || rc=$?
      rm -f "$rc_file"
    else
      wget "${args[@]}" "$url" 2>"$errfile" </dev/null || rc=$?
    fi
  else
    die 3 "downloading the binaries needs curl or GNU wget, and neither is on PATH" \
      "Install curl in the job's image, or set SHIPGATE_BIN_DIR to a folder with the binaries."
  fi
  if [ "$rc" -ne 0 ]; then
    # curl prints one line per attempt; the last one says enough
    fetch_error="$(tr '\r' '\n' <"$errfile" 2>/dev/null | sed '/^[[:space:]]*$/d' | tail -n 1 || true)"
    fetch_error="$(trim "$fetch_error")"
    [ -n "$fetch_error" ] || fetch_error="exit code $rc"
    rm -f "$out"
  fi
  rm -f "$errfile"
  return "$rc"
}

# A private repository's release assets are not served at download_base with a
# token; the API's asset endpoint is. Used only when SHIPGATE_TOKEN is set and
# the archive comes from the manifest's own GitHub release.
fetch_private_release_asset() {
  local archive="$1" out="$2" server api tag asset_url
  server="${GITHUB_SERVER_URL:-https://github.com}"
  server="${server%/}"
  api="${GITHUB_API_URL:-https://api.github.com}"
  api="${api%/}"
  case "$download_base" in
    "$server/$m_repository/releases/download/"*) tag="${download_base#"$server/$m_repository/releases/download/"}" ;;
    *) return 1 ;;
  esac
  case "$tag" in */* | "") return 1 ;; esac
  check_base "$api"
  log "download failed ($fetch_error); trying the release API of $m_repository with the token"
  fetch "$api/repos/$m_repository/releases/tags/$tag" "$work/release.json" \
    "Accept: application/vnd.github+json" "$token" || return 1
  # The asset object whose "name" is the archive, and its API "url": a small
  # string-aware JSON scanner (escapes and braces inside strings are skipped).
  asset_url="$(LC_ALL=C awk -v want="$archive" '
    { s = s $0 "\n" }
    END {
      n = length(s); depth = 0; instr = 0; esc = 0; expect = 0
      for (i = 1; i <= n; i++) {
        c = substr(s, i, 1)
        if (instr) {
          if (esc) { tok = tok c; esc = 0; continue }
          if (c == "\\") { esc = 1; tok = tok c; continue }
          if (c != "\"") { tok = tok c; continue }
          instr = 0
          if (expect) {
            if (key == "url") url[depth] = tok
            if (key == "name") name[depth] = tok
            expect = 0
          } else last = tok
          continue
        }
        if (c == "\"") { instr = 1; tok = ""; continue }
        if (c == ":") { key = last; expect = 1; continue }
        if (c == "{") { depth++; url[depth] = ""; name[depth] = ""; expect = 0; continue }
        if (c == "}") {
          if (depth > 0 && name[depth] == want && url[depth] ~ /\/releases\/assets\/[0-9]+$/) { print url[depth]; exit }
          depth--; expect = 0; continue
        }
        if (c == "," || c == "[" || c == "]") expect = 0
      }
    }' <"$work/release.json")"
  rm -f "$work/release.json"
  [ -n "$asset_url" ] || {
    fetch_error="release $tag of $m_repository has no asset $archive"
    return 1
  }
  case "$asset_url" in
    "$api/repos/$m_repository/releases/assets/"*) ;;
    *)
      fetch_error="the release API named an asset URL outside $api: $asset_url"
      return 1
      ;;
  esac
  fetch "$asset_url" "$out" "Accept: application/octet-stream" "$token"
}

download_into_cache() {
  local dir="$1" version="$2" target="$3" url tmpbin name
  url="$download_base/$t_archive"
  cache_version_dir="$(dirname "$dir")"
  mkdir -p "$cache_version_dir" 2>/dev/null ||
    die 3 "cannot create the cache folder $cache_version_dir" \
      "Make RUNNER_TOOL_CACHE writable for the runner's user, or point RUNNER_TOOL_CACHE elsewhere."
  work="$(mktemp -d "$cache_version_dir/.incoming-$target.XXXXXX")" ||
    die 3 "cannot create a temporary folder in $cache_version_dir"
  log "downloading $url"
  if ! fetch "$url" "$work/$t_archive"; then
    local first_error="$fetch_error"
    if [ -z "$token" ] || ! fetch_private_release_asset "$t_archive" "$work/$t_archive"; then
      die 3 "could not download $url: $first_error" \
        "The manifest lists prebuilt binaries for $target, so shipgate does not compile instead. The runner needs HTTPS access to $(host_of "$url") (check the proxy/firewall; curl honours HTTPS_PROXY), or mirror the release archives and set SHIPGATE_DOWNLOAD_BASE, or set SHIPGATE_BIN_DIR to a folder with the binaries. For a private repository, pass a token that can read its releases."
    fi
  fi
  local actual
  actual="$(sha256_of "$work/$t_archive")" || die 3 "cannot hash the downloaded $t_archive"
  if [ "$actual" != "$t_sha256" ]; then
    die 3 "checksum mismatch for $t_archive from $url: expected sha256 $t_sha256, got $actual; nothing was installed" \
      "The download is corrupt or was tampered with. Retry the job; if it persists, the mirror (SHIPGATE_DOWNLOAD_BASE) serves a different file than the release."
  fi
  # unpack beside the cache folder, verify, then rename into place
  tmpbin="$work/$target"
  mkdir "$tmpbin"
  if ! (cd "$tmpbin" && gzip -dc <"../$t_archive" | tar -xf -); then
    die 3 "cannot unpack $t_archive"
  fi
  rm -f "$work/$t_archive"
  while read -r name _; do
    [ -n "$name" ] && [ -f "$tmpbin/$name" ] && chmod 755 "$tmpbin/$name"
  done <<EOF
$t_binaries
EOF
  verify_dir "$tmpbin" || die 3 "the archive $t_archive does not hold the binaries its manifest lists: $verify_problem"

  if [ -e "$dir" ] || [ -L "$dir" ]; then
    if verify_dir "$dir"; then
      # another job sharing this cache got here first
      log "another job placed the same verified binaries meanwhile"
      return 0
    fi
    stale="$(mktemp -d "$cache_version_dir/.stale-$target.XXXXXX")"
    mv "$dir" "$stale/old" 2>/dev/null || true
  fi
  mv "$tmpbin" "$dir" 2>/dev/null || true
  if [ -e "$dir/$target" ]; then
    # lost a race: $dir appeared between the check and the rename
    rm -rf "${dir:?}/$target"
  fi
  verify_dir "$dir" || die 3 "the cache folder $dir did not verify after unpacking: $verify_problem"
}

# ---------------------------------------------------------------- main

plan=false
case "${1:-}" in
  --print-target)
    [ $# -eq 1 ] || die 2 "--print-target takes no arguments"
    unsupported_platform=""
    if ! target="$(detect_target)"; then
      detect_target >/dev/null || true
      die 3 "unsupported platform ${unsupported_platform:-?}" \
        "Prebuilt binaries exist for Linux x64/arm64, macOS x64/arm64 and Windows x64."
    fi
    printf '%s\n' "$target"
    exit 0
    ;;
  -h | --help)
    usage
    exit 0
    ;;
  --plan)
    [ $# -eq 1 ] || die 2 "--plan takes no arguments"
    plan=true
    ;;
  "") ;;
  *) die 2 "unknown argument '$1'" "Run install.sh --help." ;;
esac

if [ "${GITHUB_ACTIONS:-}" = true ] && [ -n "${SHIPGATE_TOKEN:-}" ]; then
  printf '::add-mask::%s\n' "$SHIPGATE_TOKEN" >&2
fi
token="$(trim "${SHIPGATE_TOKEN:-}")"

fallback="$(lower "$(trim "${SHIPGATE_FALLBACK:-}")")"
case "$fallback" in
  "" | build) fallback=build ;;
  none) ;;
  *) die 2 "SHIPGATE_FALLBACK must be 'build' or 'none', got '${SHIPGATE_FALLBACK:-}'" \
    "Example: SHIPGATE_FALLBACK=none (fail instead of compiling when no prebuilt binary exists)." ;;
esac

unsupported_platform=""
target="$(detect_target)" || target=""

if [ -n "$(trim "${SHIPGATE_BIN_DIR:-}")" ]; then
  $plan && exit 0
  [ -n "$target" ] || target=unknown
  use_local
fi

cache_base="$(trim "${RUNNER_TOOL_CACHE:-}")"
if [ -z "$cache_base" ]; then
  cache_base="${XDG_CACHE_HOME:-${HOME:-${TMPDIR:-/tmp}}/.cache}"
fi
cache_base="$(unix_path "$cache_base")"
cache_base="${cache_base%/}"

read_manifest

if [ -z "$target" ]; then
  detect_target >/dev/null || true
  build_from_source "no prebuilt binaries exist for this platform (${unsupported_platform:-unknown})" "$m_version"
fi

reason="$(not_release_reason)"
if [ -n "$reason" ]; then
  log "not a release tree: $reason"
  build_from_source "$reason" "$m_version"
fi

if ! target_listed "$target"; then
  build_from_source "the manifest of shipgate $m_version lists no prebuilt binaries for $target" "$m_version"
fi

read_target "$target"
find_sha_tool || die 3 "verifying the binaries needs sha256sum or shasum, and neither is on PATH; refusing to use unverified binaries" \
  "Install coreutils (sha256sum) or perl (shasum) in the job's image, or set SHIPGATE_BIN_DIR."

download_base="$(trim "${SHIPGATE_DOWNLOAD_BASE:-}")"
[ -n "$download_base" ] || download_base="$m_download_base"
download_base="${download_base%/}"

dir="$cache_base/shipgate/$m_version/$target"

[ -n "$download_base" ] || manifest_problem "a release manifest needs a download_base"
check_base "$download_base"
$plan && exit 0

if verify_dir "$dir"; then
  finish cache "$dir" "$m_version" "$target"
fi
if [ -e "$dir" ]; then
  log "the cached binaries in $dir do not verify ($verify_problem); replacing them"
fi

download_into_cache "$dir" "$m_version" "$target"
cache_version_dir=""
finish download "$dir" "$m_version" "$target"
