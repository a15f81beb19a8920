#!/usr/bin/env bash
# tests/run.sh: installs the build dependencies, builds everything (Debug, warnings as errors) and
# runs the whole test suite with CTest. The README's test command and CI's.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Debug
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)"
