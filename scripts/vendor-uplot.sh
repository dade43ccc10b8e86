#!/usr/bin/env bash
# Refreshes the vendored uPlot of the dashboard from the npm registry (not run by the build: the
# files are committed because go:embed needs them at compile time, and the collector builder must
# not need npm). Usage: scripts/vendor-uplot.sh [version]
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-1.6.32}
dest=extension/dashboardextension/assets/vendor/uplot
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "uplot@$version" >/dev/null && tar xzf uplot-*.tgz)
cp "$tmp/package/dist/uPlot.iife.min.js" "$tmp/package/dist/uPlot.min.css" "$tmp/package/LICENSE" "$dest/"
echo "uPlot $version vendored into $dest"
