#!/usr/bin/env bash
# Fetches libchdb.so (the ClickHouse engine as a library) from the npm registry into DIR.
# Usage: fetch-libchdb.sh NPM_PACKAGE@VERSION DIR
set -euo pipefail
pkg=$1 dir=$2
if [ -s "$dir/libchdb.so" ]; then exit 0; fi
command -v npm >/dev/null || { echo "npm is needed to fetch $pkg (apt-get install nodejs npm)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "fetching $pkg (about 166 MB) ..." >&2
(cd "$tmp" && npm pack --silent "$pkg" >/dev/null)
mkdir -p "$dir"
tar -xzf "$tmp"/*.tgz -C "$tmp"
mv "$tmp/package/libchdb.so" "$dir/libchdb.so.part"
mv "$dir/libchdb.so.part" "$dir/libchdb.so"
echo "libchdb installed at $dir/libchdb.so" >&2
