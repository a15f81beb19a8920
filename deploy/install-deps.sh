#!/usr/bin/env bash
# deploy/install-deps.sh: installs the Debian 12 packages ivig-cds needs to build, test and run.
# Used by the README's two commands and by CI. Safe to run again.
# With --tests, also clang and its sanitizer runtimes (the asan and tsan presets, the fuzz targets)
# llvm-symbolizer (readable sanitizer stacks), python3 (the soak test), python3-yaml and systemd (the
# deploy tests: the Kubernetes manifests' check, systemd-analyze on the unit), postgresql-15 (a real
# PostgreSQL for the audit store's tests, started by tests/run.sh): the test command's, not
# the service's. The service's own run-time packages are deploy/runtime-packages.txt.
set -euo pipefail
test_tools=()
if [ "${1:-}" = "--tests" ]; then test_tools=(clang libclang-rt-14-dev llvm-14 python3 python3-yaml systemd postgresql-15); fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  g++ cmake ninja-build pkg-config ca-certificates \
  libboost-dev libboost-system-dev rapidjson-dev libcli11-dev libssl-dev libsqlite3-dev libpqxx-dev libcpprest-dev zlib1g-dev openssl \
  libcjose-dev libjansson-dev libspdlog-dev prometheus-cpp-dev \
  libgtest-dev libgmock-dev libbenchmark-dev \
  "${test_tools[@]}" \
  > /dev/null
echo "install-deps: packages installed"
