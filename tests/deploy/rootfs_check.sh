#!/usr/bin/env bash
# tests/deploy/rootfs_check.sh: CI's "container verified" stage. Builds the runtime root filesystem
# from Debian packages (deploy/build-rootfs.sh: what deploy/Dockerfile installs, on the Essential
# set), puts the given ivig-cds binary in it and starts it the way the image does, without docker
# (CI has none): in its own mount namespace, chrooted into the rootfs mounted read-only, as the
# image's numeric non-root user with no capabilities, the configuration read-only and the audit
# folder a writable bind mount. It then checks, and fails with the first difference:
#   1. every library the binary links resolves inside the rootfs (ldd, no "not found");
#   2. `--check-config` with the production exposure (0.0.0.0, issuers, both audit keys) exits 0;
#   3. the running service answers GET /healthz and GET /readyz 200 with their exact bodies, and
#      GET /cds-services without a token 401 with the reason code `token-missing`;
#   4. the audit log was written into the bind mount, owned by the image's user, and verifies.
# The network namespace is the host's, so the host reaches the service on loopback.
# Needs root (mount, chroot). docs/operations.md, "The container".
#
# Usage: bash tests/deploy/rootfs_check.sh BINARY [--rootfs DIR]
#   --rootfs DIR reuses a rootfs deploy/build-rootfs.sh built (local runs); without it one is built
#   in a temporary folder and removed at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ $# -lt 1 ]; then echo "usage: $0 BINARY [--rootfs DIR]" >&2; exit 2; fi
binary=$(readlink -f "$1")
rootfs=""
if [ "${2:-}" = "--rootfs" ]; then rootfs=$(readlink -f "$3"); fi
# The image's user: deploy/build-rootfs.sh's numbers (tests/deploy/check_manifests.py checks them).
uid=$(sed -n 's/^IVIG_UID=\([0-9]*\)$/\1/p' deploy/build-rootfs.sh)
gid=$(sed -n 's/^IVIG_GID=\([0-9]*\)$/\1/p' deploy/build-rootfs.sh)

fail() { echo "rootfs_check: FAILED: $*" >&2; exit 1; }
work=$(mktemp -d)
service_pid=""
cleanup() {
  if [ -n "$service_pid" ]; then kill "$service_pid" 2>/dev/null || true; wait "$service_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

started=$SECONDS
if [ -z "$rootfs" ]; then
  rootfs="$work/rootfs"
  bash deploy/build-rootfs.sh "$rootfs" "$binary"
else
  install -m 0755 "$binary" "$rootfs/usr/local/bin/ivig-cds"
fi
echo "rootfs_check: rootfs ready after $((SECONDS - started)) s"

# 1. The libraries, resolved by the rootfs's own loader.
libraries=$(chroot "$rootfs" /usr/bin/ldd /usr/local/bin/ivig-cds)
if grep -q 'not found' <<<"$libraries"; then
  fail "libraries missing from deploy/runtime-packages.txt: $(grep 'not found' <<<"$libraries" | tr -s ' \t\n' ' ')"
fi

# The site's configuration, as a Kubernetes ConfigMap and Secret would give it: an issuer with an
# ES384 public key (generated here: nothing signs with it), the two audit keys owner-only for the
# service user, the example ini.
conf="$work/conf"
audit="$work/audit"
mkdir -p "$conf/keys" "$audit"
cp deploy/ivig-cds.ini "$conf/ivig-cds.ini"
openssl ecparam -name secp384r1 -genkey -noout -out "$work/issuer.pem" 2>/dev/null
openssl ec -in "$work/issuer.pem" -pubout -outform DER -out "$work/issuer.der" 2>/dev/null
python3 - "$work/issuer.der" "$conf/ehr-jwks.json" <<'PY'
import base64, json, sys
point = open(sys.argv[1], "rb").read()[-97:]  # the uncompressed point 04 || x || y closes the DER
assert point[0] == 4 and len(point) == 97
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
json.dump({"keys": [{"kty": "EC", "crv": "P-384", "use": "sig", "alg": "ES384", "kid": "ci-1",
                     "x": b64(point[1:49]), "y": b64(point[49:])}]}, open(sys.argv[2], "w"))
PY
echo '{"issuers": [{"iss": "https://ehr.example.org", "jwks_file": "ehr-jwks.json"}]}' >"$conf/issuers.json"
openssl rand -hex 32 >"$conf/keys/patient-id.key"
openssl rand -hex 32 >"$conf/keys/audit-chain.key"
chown -R "$uid:$gid" "$conf/keys" "$audit"
chmod 0400 "$conf/keys/"*.key
chmod 0700 "$audit"

# The image's ENTRYPOINT (deploy/Dockerfile) and what the Kubernetes ConfigMap's ini adds for the
# production exposure; port 0 so that CI never meets a taken port (the log says which one it got).
service_args=(--listen 0.0.0.0 --audit-path /var/lib/ivig-cds/audit.sqlite3 --config /etc/ivig-cds/ivig-cds.ini
  --port 0 --issuers-file /etc/ivig-cds/issuers.json --public-url https://cds.example.org
  --audit-patient-key-file /etc/ivig-cds/keys/patient-id.key
  --audit-chain-key-file /etc/ivig-cds/keys/audit-chain.key)

# in_container COMMAND… (as "${in_container[@]}" COMMAND…) runs COMMAND inside the rootfs as the
# container would: a private mount namespace, the rootfs bound read-only, /etc/ivig-cds read-only,
# /var/lib/ivig-cds writable, /proc; then chroot and drop to the numeric user with no groups, no
# capabilities (bounding set too) and no_new_privs. exec all the way down, so that $! of a command
# started with & is the service itself.
# shellcheck disable=SC2016 # the inner script expands its own arguments
in_container=(unshare --mount --propagation private -- /bin/bash -euc '
    root=$1 conf=$2 audit=$3 uid=$4 gid=$5; shift 5
    mount --bind "$root" "$root"
    mount --bind "$conf" "$root/etc/ivig-cds"
    mount -o remount,bind,ro "$root/etc/ivig-cds"
    mount --bind "$audit" "$root/var/lib/ivig-cds"
    mount -t proc proc "$root/proc"
    mount -o remount,bind,ro "$root"
    exec chroot "$root" /usr/bin/setpriv --reuid="$uid" --regid="$gid" --clear-groups \
      --inh-caps=-all --bounding-set=-all --no-new-privs -- "$@"
  ' in_container "$rootfs" "$conf" "$audit" "$uid" "$gid")

# 2. The configuration check, as the unit's ExecStartPre and a Kubernetes operator would run it.
if ! "${in_container[@]}" /usr/local/bin/ivig-cds "${service_args[@]}" --check-config >"$work/check.log" 2>&1; then
  cat "$work/check.log" >&2
  fail "--check-config exited non-zero inside the rootfs"
fi
echo "rootfs_check: --check-config: $(tail -1 "$work/check.log")"

# The read-only root is real: the service user cannot write to it (nor could root, after remount).
if "${in_container[@]}" /usr/bin/touch /usr/local/bin/written 2>/dev/null; then fail "the rootfs is writable"; fi

# 3. The service, and real requests to it.
"${in_container[@]}" /usr/local/bin/ivig-cds "${service_args[@]}" >"$work/service.log" 2>&1 &
service_pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/^ivig-cds: listening on 0\.0\.0\.0:\([0-9]*\) .*/\1/p' "$work/service.log" | head -1)
  if [ -n "$port" ]; then break; fi
  if ! kill -0 "$service_pid" 2>/dev/null; then cat "$work/service.log" >&2; fail "the service exited at start"; fi
  sleep 0.1
done
if [ -z "$port" ]; then cat "$work/service.log" >&2; fail "the service did not report listening within 10 s"; fi

# expect METHOD PATH STATUS BODY-SUBSTRING: the status exactly, the body must contain the text.
expect() {
  local status body
  status=$(curl -sS -o "$work/body" -w '%{http_code}' -X "$1" "http://127.0.0.1:$port$2") || fail "$1 $2: no answer"
  body=$(cat "$work/body")
  if [ "$status" != "$3" ]; then fail "$1 $2: status $status, expected $3 (body: $body)"; fi
  if [[ "$body" != *"$4"* ]]; then fail "$1 $2: body '$body' does not contain '$4'"; fi
  echo "rootfs_check: $1 $2: $status $body"
}
expect GET /healthz 200 '"status":"ok"'
expect GET /readyz 200 '"status":"ready"'
expect GET /cds-services 401 'token-missing'

kill -TERM "$service_pid"
wait "$service_pid" || fail "the service did not exit 0 on SIGTERM: $(tail -3 "$work/service.log")"
service_pid=""
grep -q '^ivig-cds: stopped$' "$work/service.log" || fail "no clean stop in the service's log"

# 4. The audit log: on the bind mount, the service user's, owner-only, and the chain verifies (with
# the chain key, as the service wrote it).
owner=$(stat -c '%u:%g %a' "$audit/audit.sqlite3")
if [ "$owner" != "$uid:$gid 600" ]; then fail "audit log is $owner, expected $uid:$gid 600"; fi
if ! "${in_container[@]}" /usr/local/bin/ivig-cds audit verify --audit-path /var/lib/ivig-cds/audit.sqlite3 \
  --audit-chain-key-file /etc/ivig-cds/keys/audit-chain.key >"$work/verify.log" 2>&1; then
  cat "$work/verify.log" >&2
  fail "the audit log written in the rootfs does not verify"
fi
echo "rootfs_check: audit verify: $(tail -1 "$work/verify.log")"
echo "rootfs_check: ok ($((SECONDS - started)) s)"
