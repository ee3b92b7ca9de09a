#!/usr/bin/env bash
# dist/package.sh — packs the multi-call release binary of one target into the
# archive dist/install.sh downloads, plus its .sha256 file.
#
#   dist/package.sh --version 1.4.0 --target x86_64-unknown-linux-musl \
#       --bin-dir target/x86_64-unknown-linux-musl/release [--out-dir dist-out]
#
# Writes OUT/shipgate-<version>-<target>.tar.gz and
# OUT/shipgate-<version>-<target>.tar.gz.sha256 ("<hex>  <name>", the format
# sha256sum -c reads); prints the archive's path. The archive holds, at its
# root, BIN_DIR's `shipgate` and the five tool names: symbolic links to
# `shipgate` (copies, `tag-gate.exe` …, for a Windows target). Mode 755, owner
# 0, fixed mtime, gzip without a timestamp: the same binary gives the same
# archive.
set -euo pipefail

TOOLS="health-check semantic-bump smoke-test tag-gate version-stamp"

die() {
  printf 'package.sh: error: %s\n' "$2" >&2
  exit "$1"
}

version=""
target=""
bin_dir=""
out_dir="."
while [ $# -gt 0 ]; do
  case "$1" in
    --version | --target | --bin-dir | --out-dir)
      [ $# -ge 2 ] || die 2 "$1 needs a value"
      case "$1" in
        --version) version="$2" ;;
        --target) target="$2" ;;
        --bin-dir) bin_dir="$2" ;;
        --out-dir) out_dir="$2" ;;
      esac
      shift 2
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die 2 "unknown argument '$1' (see --help)" ;;
  esac
done

semver_re='^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$'
target_re='^[a-z0-9_]+(-[a-z0-9_.]+)+$'
[[ $version =~ $semver_re ]] || die 2 "--version must be a semantic version such as 1.4.0, got '$version'"
[[ $target =~ $target_re ]] || die 2 "--target must be a target triple such as x86_64-unknown-linux-musl, got '$target'"
[ -d "$bin_dir" ] || die 2 "--bin-dir '$bin_dir' is not a folder"
mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"

suffix=""
case "$target" in *-windows-*) suffix=".exe" ;; esac

stage="$(mktemp -d "${TMPDIR:-/tmp}/shipgate-package.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
main="shipgate$suffix"
[ -f "$bin_dir/$main" ] || die 2 "$bin_dir has no $main (build with: cargo build --release --locked -p shipgate-cli --target $target)"
cp "$bin_dir/$main" "$stage/$main"
chmod 755 "$stage/$main"
touch -t 198001010000 "$stage/$main"
names=("$main")
for tool in $TOOLS; do
  if [ -n "$suffix" ]; then
    cp "$stage/$main" "$stage/$tool$suffix"
    touch -t 198001010000 "$stage/$tool$suffix"
  else
    ln -s "$main" "$stage/$tool"
    touch -h -t 198001010000 "$stage/$tool"
  fi
  names+=("$tool$suffix")
done

name="shipgate-$version-$target.tar.gz"
owner=(--uid 0 --gid 0 --uname root --gname root)
if [[ "$(tar --version 2>/dev/null || true)" == *"GNU tar"* ]]; then
  owner=(--owner=0 --group=0 --numeric-owner --format=ustar)
fi
(cd "$stage" && tar "${owner[@]}" -cf - "${names[@]}") | gzip -9n >"$out_dir/$name.tmp"
mv "$out_dir/$name.tmp" "$out_dir/$name"

if command -v sha256sum >/dev/null 2>&1; then
  sum="$(cd "$out_dir" && sha256sum -b "$name")"
elif command -v shasum >/dev/null 2>&1; then
  sum="$(cd "$out_dir" && shasum -a 256 -b "$name")"
else
  die 3 "needs sha256sum or shasum"
fi
printf '%s  %s\n' "${sum%% *}" "$name" >"$out_dir/$name.sha256"
printf '%s\n' "$out_dir/$name"
