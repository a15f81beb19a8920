#!/usr/bin/env bash
# tests/fhir-server/install.sh: installs the test FHIR server's pinned npm packages (package-lock.json)
# with the machine's Node.js. Medplum 4.5 needs Node 20.19 or later; without a Node that new, this
# installs Debian's nodejs and npm and says so if they are too old.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "tests/fhir-server: Node $(node --version) is too old for the test FHIR server (Medplum 4.5 needs 20.19+)" >&2
  exit 1
fi
if [ ! -d node_modules/@medplum/fhir-router ]; then npm ci --no-audit --no-fund --loglevel=error >/dev/null; fi
echo "tests/fhir-server: installed (Node $(node --version))"
