#!/usr/bin/env bash
# deploy/install-deps.sh: installs the Debian 12 packages ivig-cds needs to build, test and run.
# Used by the README's two commands and by CI. Safe to run again.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  g++ cmake ninja-build pkg-config ca-certificates \
  libboost-dev libboost-system-dev rapidjson-dev libcli11-dev libssl-dev libsqlite3-dev libcpprest-dev openssl \
  libcjose-dev libjansson-dev \
  libgtest-dev libgmock-dev libbenchmark-dev \
  > /dev/null
echo "install-deps: packages installed"
