#!/usr/bin/env bash
# tests/deploy/check_systemd_unit.sh: holds deploy/ivig-cds.service and the retention purge's
# deploy/ivig-cds-audit-purge.service (with its .timer) to their hardening. Fails, naming the
# directive, when one the issue requires is missing or has another value, and when
# `systemd-analyze security --offline=yes` scores a unit above the exposure docs/operations.md
# records (or below it: then the document is stale); both units are held to the same score. CTest runs it (deploy_systemd_unit) and, with
# --self-test, runs it on copies with one directive removed to prove each check can fail
# (deploy_systemd_unit_self_test). Exits 77 (skipped) without systemd-analyze.
#
# Usage: bash tests/deploy/check_systemd_unit.sh [UNIT] | --self-test   (no UNIT: both units)
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

# The purge runs once and listens on nothing: no descriptor limit of its own; it must verify after.
required_purge=(
  "Type=oneshot"
  "ExecStartPost=/usr/local/bin/ivig-cds --config /etc/ivig-cds/ivig-cds.ini audit verify"
)
for line in "${required[@]}"; do
  if [ "$line" != "LimitNOFILE=16384" ]; then required_purge+=("$line"); fi
done
required_timer=("OnCalendar=*-*-* 02:30:00" "Persistent=true" "WantedBy=timers.target")

# check UNIT: prints the first failure and returns 1, or prints the score and returns 0. A unit named
# *-audit-purge.service is held to the purge's list, and its .timer beside it to the timer's.
check() {
  local unit=$1 line documented score
  local -a wanted=("${required[@]}")
  case "$unit" in
    *-audit-purge.service)
      wanted=("${required_purge[@]}")
      for line in "${required_timer[@]}"; do
        if ! grep -qxF -- "$line" "${unit%.service}.timer"; then
          echo "check_systemd_unit: ${unit%.service}.timer lacks '$line'"
          return 1
        fi
      done
      ;;
  esac
  for line in "${wanted[@]}"; do
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

if [ -n "${1:-}" ] && [ "$1" != "--self-test" ]; then
  check "$1"
  exit
fi
if [ -z "${1:-}" ]; then
  check deploy/ivig-cds.service
  check deploy/ivig-cds-audit-purge.service
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
# The purge unit and its timer.
p="$work/ivig-cds-audit-purge.service"
expect_purge_failure() {
  sed -e "$1" deploy/ivig-cds-audit-purge.service >"$p"
  sed -e "$2" deploy/ivig-cds-audit-purge.timer >"${p%.service}.timer"
  if got=$(check "$p"); then got="(passed)"; fi
  if [ "$got" != "$3" ]; then
    echo "self-test: after '$1' / '$2' expected: $3"
    echo "self-test:                  got: $got"
    failures=$((failures + 1))
  fi
}
expect_purge_failure '/^ExecStartPost=/d' '' \
  "check_systemd_unit: $p lacks 'ExecStartPost=/usr/local/bin/ivig-cds --config /etc/ivig-cds/ivig-cds.ini audit verify'"
expect_purge_failure '/^ProtectSystem=strict$/d' '' "check_systemd_unit: $p lacks 'ProtectSystem=strict'"
expect_purge_failure '' '/^Persistent=true$/d' "check_systemd_unit: ${p%.service}.timer lacks 'Persistent=true'"
if [ "$failures" -ne 0 ]; then exit 1; fi
echo "check_systemd_unit: self-test: 7 broken units rejected with the expected messages"
