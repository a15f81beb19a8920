#!/usr/bin/env bash
# tests/deploy/check_systemd_unit.sh: holds deploy/ivig-cds.service to its hardening. Fails, naming
# the directive, when one the issue requires is missing or has another value, and when
# `systemd-analyze security --offline=yes` scores the unit above the exposure docs/operations.md
# records (or below it: then the document is stale). CTest runs it (deploy_systemd_unit) and, with
# --self-test, runs it on copies with one directive removed to prove each check can fail
# (deploy_systemd_unit_self_test). Exits 77 (skipped) without systemd-analyze.
#
# Usage: bash tests/deploy/check_systemd_unit.sh [UNIT] | --self-test
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v systemd-analyze >/dev/null; then
  echo "check_systemd_unit: skipped: no systemd-analyze (apt-get install systemd)"
  exit 77
fi

# directive=value pairs the unit must hold exactly (a directive may appear more than once).
required=(
  "LimitNOFILE=16384"
  "CapabilityBoundingSet="
  "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX"
  "SystemCallFilter=@system-service"
  "MemoryMax=512M"
  "UMask=0077"
  "ProtectSystem=strict"
  "NoNewPrivileges=yes"
  "StateDirectory=ivig-cds"
)

# check UNIT: prints the first failure and returns 1, or prints the score and returns 0.
check() {
  local unit=$1 line documented score
  for line in "${required[@]}"; do
    if ! grep -qxF -- "$line" "$unit"; then
      echo "check_systemd_unit: $unit lacks '$line'"
      return 1
    fi
  done
  documented=$(sed -n 's/^- \*\*Exposure score\*\*: \([0-9]*\.[0-9]\) .*/\1/p' docs/operations.md)
  if [ -z "$documented" ]; then
    echo "check_systemd_unit: docs/operations.md records no '- **Exposure score**: N.N …' line"
    return 1
  fi
  score=$(systemd-analyze security --offline=yes "$unit" 2>&1 |
    sed -n 's/^→ Overall exposure level for .*: \([0-9]*\.[0-9]\) .*/\1/p')
  if [ "$score" != "$documented" ]; then
    echo "check_systemd_unit: $unit scores ${score:-nothing}, docs/operations.md records $documented"
    return 1
  fi
  # And systemd-analyze's own verdict against that threshold (it counts in tenths).
  if ! systemd-analyze security --offline=yes --threshold="${documented/./}" "$unit" >/dev/null 2>&1; then
    echo "check_systemd_unit: systemd-analyze rejects $unit at threshold $documented"
    return 1
  fi
  echo "check_systemd_unit: $unit: hardening directives present, exposure $score"
}

if [ "${1:-}" != "--self-test" ]; then
  check "${1:-deploy/ivig-cds.service}"
  exit
fi

# --self-test: each broken copy must fail with exactly the expected message.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
# expect_failure SED-EXPRESSION EXPECTED-MESSAGE
expect_failure() {
  local unit="$work/ivig-cds.service" got
  sed -e "$1" deploy/ivig-cds.service >"$unit"
  if got=$(check "$unit"); then got="(passed)"; fi
  if [ "$got" != "$2" ]; then
    echo "self-test: after '$1' expected: $2"
    echo "self-test:                  got: $got"
    failures=$((failures + 1))
  fi
}
u="$work/ivig-cds.service"
expect_failure '/^CapabilityBoundingSet=$/d' "check_systemd_unit: $u lacks 'CapabilityBoundingSet='"
expect_failure 's/^UMask=0077$/UMask=0022/' "check_systemd_unit: $u lacks 'UMask=0077'"
expect_failure 's/^LimitNOFILE=.*/LimitNOFILE=1024/' "check_systemd_unit: $u lacks 'LimitNOFILE=16384'"
# A weaker unit that still holds the listed directives scores higher than documented.
score=$(sed -n 's/^- \*\*Exposure score\*\*: \([0-9]*\.[0-9]\) .*/\1/p' docs/operations.md)
weaker=$(sed -e '/^PrivateUsers=yes$/d' -e '/^ProtectKernelTunables=yes$/d' deploy/ivig-cds.service >"$u" &&
  systemd-analyze security --offline=yes "$u" 2>&1 | sed -n 's/^→ Overall exposure level for .*: \([0-9]*\.[0-9]\) .*/\1/p')
expect_failure '/^PrivateUsers=yes$/d;/^ProtectKernelTunables=yes$/d' \
  "check_systemd_unit: $u scores $weaker, docs/operations.md records $score"
if [ "$failures" -ne 0 ]; then exit 1; fi
echo "check_systemd_unit: self-test: 4 broken units rejected with the expected messages"
