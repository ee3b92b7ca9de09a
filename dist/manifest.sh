#!/usr/bin/env bash
# dist/manifest.sh — writes or checks dist/manifest.json, the file that tells
# dist/install.sh which archive to fetch for a runner and which sha256 every
# archive and every binary in it must have.
#
#   dist/manifest.sh --version 1.4.0 --repository OWNER/shipgate \
#       --source-commit <40 hex> --download-base https://github.com/OWNER/shipgate/releases/download/v1.4.0 \
#       ARCHIVES_DIR                    # a release manifest for the archives in ARCHIVES_DIR
#   dist/manifest.sh --dev [--repository OWNER/shipgate]
#                                       # the development manifest main carries (no targets)
#   dist/manifest.sh --check [ARCHIVES_DIR]
#                                       # exit 1 when dist/manifest.json is not exactly what
#                                       # the archives (or, for a dev manifest, --dev) give
# --output FILE (or -) chooses where to write (default: dist/manifest.json);
# --manifest FILE chooses what --check reads.
#
# ARCHIVES_DIR holds shipgate-<version>-<target>.tar.gz files (and optionally
# their .sha256 files, which must agree); each archive holds exactly, at its
# root, the multi-call binary `shipgate` and the five tool names, each a
# symbolic link to `shipgate` or a copy of it (with .exe for Windows targets).
# Every name gets its own sha256 (a link's is its target's).
#
# The output has one key per line in a fixed layout that install.sh reads with
# sed (runners have no jq, and not always python). Never edit it by hand.
set -euo pipefail

TOOLS="health-check semantic-bump smoke-test tag-gate version-stamp"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

die() {
  printf 'manifest.sh: error: %s\n' "$2" >&2
  exit "$1"
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

mode=generate
version=""
repository=""
source_commit=""
download_base=""
output="$here/manifest.json"
manifest="$here/manifest.json"
archives=""
have_repository=false

need_value() { [ $# -ge 2 ] || die 2 "$1 needs a value"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --version) need_value "$@"; version="$2"; shift 2 ;;
    --repository) need_value "$@"; repository="$2"; have_repository=true; shift 2 ;;
    --source-commit) need_value "$@"; source_commit="$2"; shift 2 ;;
    --download-base) need_value "$@"; download_base="$2"; shift 2 ;;
    --output) need_value "$@"; output="$2"; shift 2 ;;
    --manifest) need_value "$@"; manifest="$2"; shift 2 ;;
    --check) mode=check; shift ;;
    --dev) mode=dev; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; break ;;
    -*) die 2 "unknown flag '$1' (see --help)" ;;
    *)
      [ -z "$archives" ] || die 2 "only one archives folder, got '$archives' and '$1'"
      archives="$1"
      shift
      ;;
  esac
done
if [ $# -gt 0 ]; then
  if [ -n "$archives" ] || [ $# -ne 1 ]; then die 2 "only one archives folder"; fi
  archives="$1"
fi

# ---------------------------------------------------------------- checks

semver_re='^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$'
repo_re='^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$'
commit_re='^[0-9a-f]{40}([0-9a-f]{24})?$'
base_re='^(https://[A-Za-z0-9.-]+(:[0-9]+)?|http://(127\.0\.0\.1|localhost)(:[0-9]+)?)(/[A-Za-z0-9._~%/+:@!$&()*,;=-]*)?$'
target_re='^[a-z0-9_]+(-[a-z0-9_.]+)+$'

check_release_inputs() {
  [[ $version =~ $semver_re ]] || die 2 "--version must be a semantic version such as 1.4.0, got '$version'"
  case "$version" in *-dev | *-dev.* | *-dev+*) die 2 "--version $version is a development version; use --dev for the dev manifest" ;; esac
  [[ $repository =~ $repo_re ]] || die 2 "--repository must be OWNER/NAME such as octo/shipgate, got '$repository'"
  [[ $source_commit =~ $commit_re ]] || die 2 "--source-commit must be a full commit id (40 hex digits), got '$source_commit'"
  download_base="${download_base%/}"
  [[ $download_base =~ $base_re ]] || die 2 "--download-base must be an https:// URL such as https://github.com/$repository/releases/download/v$version, got '$download_base'"
}

# ---------------------------------------------------------------- sha256

if command -v sha256sum >/dev/null 2>&1; then
  sha256_of() { local o; o="$(sha256sum -b "$1")" && o="${o#\\}" && printf '%s\n' "${o%% *}"; }
elif command -v shasum >/dev/null 2>&1; then
  sha256_of() { local o; o="$(shasum -a 256 -b "$1")" && o="${o#\\}" && printf '%s\n' "${o%% *}"; }
else
  die 3 "needs sha256sum or shasum"
fi

# ---------------------------------------------------------------- writers

tmp="$(mktemp -d "${TMPDIR:-/tmp}/shipgate-manifest.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# Writes the manifest for $version/$repository/$source_commit/$download_base
# and the archives in $1 to stdout.
render_release() {
  local dir="$1" file name target count=0 suffix entries tool expected sha
  [ -d "$dir" ] || die 2 "archives folder '$dir' does not exist"
  local prefix="shipgate-$version-"
  printf '{\n'
  printf '  "version": "%s",\n' "$version"
  printf '  "repository": "%s",\n' "$repository"
  printf '  "download_base": "%s",\n' "$download_base"
  printf '  "source_commit": "%s",\n' "$source_commit"
  local list
  list="$(cd "$dir" && for f in shipgate-*.tar.gz; do [ -f "$f" ] && printf '%s\n' "$f"; done | LC_ALL=C sort)"
  [ -n "$list" ] || die 2 "no shipgate-$version-<target>.tar.gz archives in $dir"
  local first=true
  while read -r name; do
    case "$name" in
      "$prefix"*.tar.gz) ;;
      *) die 2 "$dir/$name is not an archive of version $version (expected ${prefix}<target>.tar.gz); one release, one version" ;;
    esac
    target="${name#"$prefix"}"
    target="${target%.tar.gz}"
    [[ $target =~ $target_re ]] || die 2 "$name: '$target' is not a target triple"
    file="$dir/$name"
    sha="$(sha256_of "$file")"
    if [ -f "$file.sha256" ]; then
      local listed
      listed="$(sed -n '1s/^\([0-9a-fA-F]\{64\}\)[ *].*$/\1/p' "$file.sha256" | tr 'A-F' 'a-f')"
      [ "$listed" = "$sha" ] || die 1 "$name.sha256 says ${listed:-nothing}, the archive hashes to $sha"
    fi
    suffix=""
    case "$target" in *-windows-*) suffix=".exe" ;; esac
    expected="shipgate$suffix"$'\n'
    for tool in $TOOLS; do expected="$expected$tool$suffix"$'\n'; done
    expected="$(printf '%s' "$expected" | LC_ALL=C sort)"
    entries="$(gzip -dc <"$file" | tar -tf - | sed 's|^\./||' | LC_ALL=C sort)" || die 2 "$name is not a gzip'd tar archive"
    [ "$entries" = "$expected" ] || die 2 "$name must hold exactly shipgate and the five tool names at its root ($(printf '%s' "$expected" | tr '\n' ' ')), it holds: $(printf '%s' "$entries" | tr '\n' ' ')"
    rm -rf "$tmp/unpack" && mkdir "$tmp/unpack"
    (cd "$tmp/unpack" && gzip -dc | tar -xf -) <"$file"
    if $first; then printf '  "targets": {\n'; first=false; else printf '    },\n'; fi
    printf '    "%s": {\n' "$target"
    printf '      "archive": "%s",\n' "$name"
    printf '      "sha256": "%s",\n' "$sha"
    printf '      "binaries": {\n'
    local n=0 total
    total="$(printf '%s\n' "$expected" | wc -l | tr -d ' ')"
    while read -r tool; do
      n=$((n + 1))
      if [ -L "$tmp/unpack/$tool" ]; then
        # a tool name may link to the multi-call binary beside it, nothing else
        if [ "$tool" = "shipgate$suffix" ] || [ "$(readlink "$tmp/unpack/$tool")" != "shipgate$suffix" ]; then
          die 2 "$name: $tool is a link to '$(readlink "$tmp/unpack/$tool")'; only a tool name may be a link, and only to shipgate$suffix"
        fi
      fi
      if [ ! -f "$tmp/unpack/$tool" ]; then die 2 "$name: $tool is not a regular file"; fi
      if [ "$n" -lt "$total" ]; then
        printf '        "%s": "%s",\n' "$tool" "$(sha256_of "$tmp/unpack/$tool")"
      else
        printf '        "%s": "%s"\n' "$tool" "$(sha256_of "$tmp/unpack/$tool")"
      fi
    done <<EOF
$expected
EOF
    printf '      }\n'
    count=$((count + 1))
  done <<EOF
$list
EOF
  printf '    }\n'
  printf '  }\n'
  printf '}\n'
}

render_dev() {
  printf '{\n'
  printf '  "version": "0.0.0-dev",\n'
  printf '  "repository": "%s",\n' "$repository"
  printf '  "download_base": "",\n'
  printf '  "source_commit": "",\n'
  printf '  "targets": {}\n'
  printf '}\n'
}

write_out() {
  local from="$1"
  if [ "$output" = - ]; then
    cat "$from"
  else
    cp "$from" "$output.tmp.$$" && mv "$output.tmp.$$" "$output"
    printf 'manifest.sh: wrote %s\n' "$output" >&2
  fi
}

top_value() {
  sed -n "s/^  \"$1\": \"\\([^\"\\\\]*\\)\",\$/\\1/p" "$manifest"
}

case "$mode" in
  generate)
    [ -n "$archives" ] || die 2 "pass the folder of release archives (see --help)"
    check_release_inputs
    render_release "$archives" >"$tmp/manifest.json"
    write_out "$tmp/manifest.json"
    ;;
  dev)
    [ -z "$archives" ] || die 2 "--dev takes no archives folder"
    $have_repository || repository="OWNER/shipgate"
    [[ $repository =~ $repo_re ]] || die 2 "--repository must be OWNER/NAME, got '$repository'"
    render_dev >"$tmp/manifest.json"
    write_out "$tmp/manifest.json"
    ;;
  check)
    [ -f "$manifest" ] || die 2 "no manifest at $manifest"
    version="$(top_value version)"
    repository="$(top_value repository)"
    source_commit="$(top_value source_commit)"
    download_base="$(top_value download_base)"
    if grep -q '^  "targets": {}$' "$manifest"; then
      [ -z "$archives" ] || die 1 "$manifest lists no targets, but archives were given in $archives"
      render_dev >"$tmp/expected.json"
      what="dist/manifest.sh --dev --repository $repository"
    else
      [ -n "$archives" ] || die 2 "$manifest is a release manifest; pass the folder of its archives to check it against"
      check_release_inputs
      render_release "$archives" >"$tmp/expected.json"
      what="dist/manifest.sh --version $version --repository $repository --source-commit $source_commit --download-base $download_base $archives"
    fi
    if ! cmp -s "$tmp/expected.json" "$manifest"; then
      diff -u "$manifest" "$tmp/expected.json" >&2 || true
      die 1 "$manifest is stale or was edited by hand; regenerate it with: $what"
    fi
    printf 'manifest.sh: %s matches\n' "$manifest" >&2
    ;;
esac
