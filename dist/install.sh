#!/usr/bin/env bash
# Puts the shipgate binaries on PATH for the rest of the job and prints the
# folder. Contract used by every action.yml:
#   bash "$GITHUB_ACTION_PATH/../../dist/install.sh"   (root action: dist/install.sh)
# writes `path=<folder>` (and `source=`, `version=`) to $GITHUB_OUTPUT when set.
#
# Interim version (until the verified download lands): SHIPGATE_BIN_DIR, or a
# `cargo build --release --locked` of this checkout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

if [ -n "${SHIPGATE_BIN_DIR:-}" ]; then
  dir="$SHIPGATE_BIN_DIR"
  source_kind=local
else
  echo "shipgate: building from source in $root" >&2
  (cd "$root" && cargo build --release --locked --quiet --workspace --bins) >&2
  dir="$root/target/release"
  source_kind=build
fi

if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "path=$dir"
    echo "source=$source_kind"
    echo "version=dev"
  } >>"$GITHUB_OUTPUT"
fi
if [ -n "${GITHUB_PATH:-}" ] && ! grep -qxF "$dir" "$GITHUB_PATH" 2>/dev/null; then
  echo "$dir" >>"$GITHUB_PATH"
fi
echo "$dir"
