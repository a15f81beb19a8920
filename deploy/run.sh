#!/usr/bin/env bash
# deploy/run.sh: installs the build dependencies, builds ivig-cds (Release) and starts it with its
# embedded defaults (127.0.0.1:8080, the knowledge bundle compiled into the binary). Extra
# arguments go to ivig-cds, e.g. `bash deploy/run.sh --port 9000`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
cmake --preset release >/dev/null  # build-release/: Release, GCC (CMakePresets.json)
cmake --build --preset release -j"$(nproc)" --target ivig-cds
exec ./build-release/hooks/app/ivig-cds "$@"
