#!/usr/bin/env bash
# Debian's chromium for the dashboard's browser tests (test/e2e/dashboard_*_test.go). Skipped when a
# chromium is already on the PATH or named by CHROMIUM_BIN. Needs root (CI runs as root) or sudo.
set -euo pipefail
if [ -n "${CHROMIUM_BIN:-}" ] && [ -x "$CHROMIUM_BIN" ]; then exit 0; fi
if command -v chromium >/dev/null 2>&1; then exit 0; fi
sudo=
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
echo "installing Debian's chromium (browser tests of the dashboard)"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
chromium --version
