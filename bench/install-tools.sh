#!/usr/bin/env bash
# bench/install-tools.sh: the load tools the benchmarks drive, from Debian (wrk, nginx-light), when
# missing. Used by bench/load.sh, bench/fallback.sh and bench/auth.sh.
set -euo pipefail
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wrk nginx-light >/dev/null
fi
