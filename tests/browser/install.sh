#!/usr/bin/env bash
# tests/browser/install.sh: what the real-browser CORS test needs beyond the build: Debian's chromium
# (a test dependency only, so not in deploy/install-deps.sh, which lists what the service needs) and
# the pinned playwright-core (package-lock.json) that drives it; playwright downloads no browser.
# Uses the machine's Node.js, or Debian's nodejs and npm when there is none. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=()
if [ ! -x /usr/bin/chromium ]; then missing+=(chromium); fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then missing+=(nodejs npm); fi
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ ! -d node_modules/playwright-core ]; then npm ci --no-audit --no-fund --loglevel=error >/dev/null; fi
echo "tests/browser: installed ($(/usr/bin/chromium --version 2>/dev/null), Node $(node --version))"
