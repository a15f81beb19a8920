#!/usr/bin/env bash
# deploy/build-rootfs.sh: builds the runtime root filesystem of ivig-cds from Debian 12 packages only:
# mmdebstrap's Essential set plus deploy/runtime-packages.txt, the binary at /usr/local/bin/ivig-cds,
# the service user (numeric, the same as deploy/Dockerfile's and the Kubernetes runAsUser), its audit
# folder and an empty /etc/ivig-cds for the configuration to be mounted on. CI starts the binary in it
# (tests/deploy/rootfs_check.sh) because CI has no docker; docs/operations.md, "The container".
# Needs root and network access to the Debian mirrors; installs mmdebstrap when it is missing.
#
# Usage: bash deploy/build-rootfs.sh DIR BINARY   (DIR must not exist or be empty)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -ne 2 ]; then echo "usage: $0 DIR BINARY" >&2; exit 2; fi
dir=$1
binary=$2
if [ ! -x "$binary" ]; then echo "build-rootfs: $binary is not an executable" >&2; exit 1; fi

# The image's user. Numeric so that Kubernetes can check runAsNonRoot without reading /etc/passwd;
# outside the system and dynamic users' ranges and far above the first login users, so it is most
# likely no user of the host (docs/operations.md, "The image").
# tests/deploy/check_manifests.py holds deploy/Dockerfile and deploy/kubernetes/ to the same numbers.
IVIG_UID=10001
IVIG_GID=10001

if ! command -v mmdebstrap >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
fi

packages=()
while IFS= read -r line; do
  case "$line" in '' | '#'*) continue ;; esac
  packages+=("$line")
done <"$here/runtime-packages.txt"
include=$(IFS=,; echo "${packages[*]}")

# essential, not apt: the packages are installed once here, and a running service has no use for a
# package manager. The security suite is included so that the libraries (libssl3 above all) are the
# patched ones, as `apt-get install` on debian:12-slim gets them. Documentation is left out.
# mmdebstrap reads sources from stdin when it is not a terminal: give it nothing there.
mmdebstrap --quiet --mode=root --variant=essential --format=directory --include="$include" \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  bookworm "$dir" \
  "deb http://deb.debian.org/debian bookworm main" \
  "deb http://deb.debian.org/debian bookworm-updates main" \
  "deb http://deb.debian.org/debian-security bookworm-security main" </dev/null

# The user by its entries, not useradd: passwd is not in the Essential set, and the entries are all
# that getpwuid() and ls need.
echo "ivig:x:${IVIG_GID}:" >>"$dir/etc/group"
echo "ivig:x:${IVIG_UID}:${IVIG_GID}:ivig-cds:/var/lib/ivig-cds:/usr/sbin/nologin" >>"$dir/etc/passwd"
install -m 0755 "$binary" "$dir/usr/local/bin/ivig-cds"
install -d -m 0700 -o "$IVIG_UID" -g "$IVIG_GID" "$dir/var/lib/ivig-cds"
install -d -m 0755 "$dir/etc/ivig-cds"
echo "build-rootfs: $dir ($(du -sh "$dir" | cut -f1)): ${packages[*]}"
