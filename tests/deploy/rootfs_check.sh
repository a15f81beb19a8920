#!/usr/bin/env bash
# tests/deploy/rootfs_check.sh: CI's "container verified" stage. Builds the runtime root filesystem
# from Debian packages (deploy/build-rootfs.sh: what deploy/Dockerfile installs, on the Essential
# set), puts the given ivig-cds binary in it and starts it the way the image and the Kubernetes pod
# do, without docker (CI has none): in its own mount namespace, chrooted into the rootfs mounted
# read-only, as the image's numeric non-root user with no capabilities and no_new_privs, the
# configuration, knowledge and keys read-only, the audit folder a writable bind mount. It then
# checks, and fails with the first difference:
#   1. every library the binary links resolves inside the rootfs (ldd, no "not found");
#   2. `--check-config` with deploy/kubernetes/'s configuration (0.0.0.0, issuers, both audit keys,
#      knowledge from a folder) exits 0, and refuses the Secret's placeholder key;
#   3. the root really is read-only;
#   4. the running service answers GET /healthz and GET /readyz 200 with their status fields,
#      GET /cds-services 401 with the reason code `token-missing` without a token, and 200 with its
#      two services with a signed ES384 token (cjose and OpenSSL of the rootfs at work);
#   5. it stops cleanly on SIGTERM, and the audit log is in the bind mount, the service user's,
#      owner-only, and its keyed chain verifies.
# The network namespace is the host's, so the host reaches the service on loopback.
# Needs root (mount, chroot), curl, openssl, python3 with python3-yaml. docs/operations.md,
# "The container".
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
# The image's user: deploy/build-rootfs.sh's numbers (tests/deploy/check_manifests.py checks that
# the Dockerfile and the pods use the same).
uid=$(sed -n 's/^IVIG_UID=\([0-9]*\)$/\1/p' deploy/build-rootfs.sh)
gid=$(sed -n 's/^IVIG_GID=\([0-9]*\)$/\1/p' deploy/build-rootfs.sh)

fail() { echo "rootfs_check: FAILED: $*" >&2; exit 1; }
# A fresh CI machine has no curl (the rest comes with deploy/install-deps.sh --tests).
if ! command -v curl >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends curl >/dev/null
fi
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

# The site's configuration as the Kubernetes pod gets it (deploy/kubernetes/): the ConfigMap's files
# at /etc/ivig-cds, the knowledge at /etc/ivig-cds-knowledge, the audit keys owner-only at
# /run/ivig-cds/keys. Two things are the test's own: the issuer's JWK Set (the ConfigMap's is empty,
# which the service refuses), a P-384 key generated here; and the audit keys, random.
conf="$work/conf"
keys="$work/keys"
audit="$work/audit"
mkdir -p "$conf" "$keys" "$audit"
cat >"$work/helpers.py" <<'EOF'
# The test's Python: files out of the manifests, the issuer's JWK Set, a signed token.
import base64, json, os, subprocess, sys, time, uuid
import yaml

def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

command = sys.argv[1]
if command == "configmap":  # configmap.yaml DIR: every data entry as a file
    for name, text in yaml.safe_load(open(sys.argv[2]))["data"].items():
        open(os.path.join(sys.argv[3], name), "w").write(text)
elif command == "secret-value":  # secret.yaml KEY: the placeholder value
    sys.stdout.write(yaml.safe_load(open(sys.argv[2]))["stringData"][sys.argv[3]])
elif command == "jwks":  # PUBLIC-DER: the JWK Set of an uncompressed P-384 point closing the DER
    point = open(sys.argv[2], "rb").read()[-97:]
    assert point[0] == 4 and len(point) == 97
    print(json.dumps({"keys": [{"kty": "EC", "crv": "P-384", "use": "sig", "alg": "ES384", "kid": "ci-1",
                                "x": b64(point[1:49]), "y": b64(point[49:])}]}))
elif command == "token":  # PRIVATE-PEM ISS AUD: an ES384 JWT (openssl signs; DER r,s made raw)
    now = int(time.time())
    signing_input = ".".join(b64(json.dumps(part).encode()) for part in (
        {"alg": "ES384", "typ": "JWT", "kid": "ci-1"},
        {"iss": sys.argv[3], "aud": sys.argv[4], "sub": "ci", "iat": now, "exp": now + 300,
         "jti": str(uuid.uuid4())}))
    der = subprocess.run(["openssl", "dgst", "-sha384", "-sign", sys.argv[2]], input=signing_input.encode(),
                         capture_output=True, check=True).stdout
    # SEQUENCE { INTEGER r, INTEGER s }, short lengths (a P-384 signature is under 128 bytes)
    r_len = der[3]
    r = der[4:4 + r_len]
    s = der[4 + r_len + 2:]
    raw = r.lstrip(b"\0").rjust(48, b"\0") + s.lstrip(b"\0").rjust(48, b"\0")
    print(signing_input + "." + b64(raw))
EOF
python3 "$work/helpers.py" configmap deploy/kubernetes/common/configmap.yaml "$conf"
openssl ecparam -name secp384r1 -genkey -noout -out "$work/issuer.pem" 2>/dev/null
openssl ec -in "$work/issuer.pem" -pubout -outform DER -out "$work/issuer.der" 2>/dev/null
python3 "$work/helpers.py" jwks "$work/issuer.der" >"$conf/ehr-jwks.json"
iss=$(sed -n 's/.*"iss": "\([^"]*\)".*/\1/p' "$conf/issuers.json")
public_url=$(sed -n 's/^public-url = \["\([^"]*\)"\]$/\1/p' "$conf/ivig-cds.ini")
openssl rand -hex 32 >"$keys/patient-id.key"
openssl rand -hex 32 >"$keys/audit-chain.key"
chown -R "$uid:$gid" "$keys" "$audit"
chmod 0400 "$keys/"*.key
chmod 0700 "$audit"
# The mount points a container runtime would create.
mkdir -p "$rootfs/etc/ivig-cds-knowledge" "$rootfs/run/ivig-cds/keys"

# The image's ENTRYPOINT (deploy/Dockerfile), and port 0 so that CI never meets a taken port (the
# log says which one it got); everything else comes from the ConfigMap's ini.
service_args=(--listen 0.0.0.0 --audit-path /var/lib/ivig-cds/audit.sqlite3 --config /etc/ivig-cds/ivig-cds.ini
  --port 0)

# in_container COMMAND… (as "${in_container[@]}" COMMAND…) runs COMMAND inside the rootfs as the
# container would: a private mount namespace, the rootfs bound read-only, /etc/ivig-cds, the
# knowledge and the keys read-only, /var/lib/ivig-cds writable, /proc; then chroot and drop to the
# numeric user with no groups, no capabilities (bounding set too) and no_new_privs. exec all the way
# down, so that $! of a command started with & is the service itself.
# shellcheck disable=SC2016 # the inner script expands its own arguments
in_container=(unshare --mount --propagation private -- /bin/bash -euc '
    root=$1 conf=$2 knowledge=$3 keys=$4 audit=$5 uid=$6 gid=$7; shift 7
    mount --bind "$root" "$root"
    mount --bind "$conf" "$root/etc/ivig-cds"
    mount -o remount,bind,ro "$root/etc/ivig-cds"
    mount --bind "$knowledge" "$root/etc/ivig-cds-knowledge"
    mount -o remount,bind,ro "$root/etc/ivig-cds-knowledge"
    mount --bind "$keys" "$root/run/ivig-cds/keys"
    mount -o remount,bind,ro "$root/run/ivig-cds/keys"
    mount --bind "$audit" "$root/var/lib/ivig-cds"
    mount -t proc proc "$root/proc"
    mount -o remount,bind,ro "$root"
    exec chroot "$root" /usr/bin/setpriv --reuid="$uid" --regid="$gid" --clear-groups \
      --inh-caps=-all --bounding-set=-all --no-new-privs -- "$@"
  ' in_container "$rootfs" "$conf" "$PWD/rules/knowledge" "$keys" "$audit" "$uid" "$gid")

# 2. The configuration check, as the unit's ExecStartPre and a Kubernetes operator would run it.
if ! "${in_container[@]}" /usr/local/bin/ivig-cds "${service_args[@]}" --check-config >"$work/check.log" 2>&1; then
  cat "$work/check.log" >&2
  fail "--check-config exited non-zero inside the rootfs"
fi
echo "rootfs_check: --check-config: $(tail -1 "$work/check.log")"
# The Secret's placeholder is refused: a site that applies the manifests unchanged gets no service.
cp "$keys/patient-id.key" "$work/patient-id.key"
python3 "$work/helpers.py" secret-value deploy/kubernetes/common/secret.yaml patient-id.key >"$work/placeholder.key"
install -m 0400 -o "$uid" -g "$gid" "$work/placeholder.key" "$keys/patient-id.key"
if "${in_container[@]}" /usr/local/bin/ivig-cds "${service_args[@]}" --check-config >"$work/check.log" 2>&1 ||
  ! grep -q 'patient-id.key: holds 10 bytes; a key needs at least 32' "$work/check.log"; then
  cat "$work/check.log" >&2
  fail "--check-config did not refuse deploy/kubernetes/common/secret.yaml's placeholder key"
fi
install -m 0400 -o "$uid" -g "$gid" "$work/patient-id.key" "$keys/patient-id.key"

# 3. The read-only root is real: nothing can be written to it, not even by root after the remount.
if "${in_container[@]}" /usr/bin/touch /usr/local/bin/written 2>/dev/null; then fail "the rootfs is writable"; fi

# 4. The service, and real requests to it.
"${in_container[@]}" /usr/local/bin/ivig-cds "${service_args[@]}" >"$work/service.log" 2>&1 &
service_pid=$!
port=""
for _ in $(seq 1 100); do
  # The service logs JSON lines (docs/operations.md, "Logs"): main()'s own says where it listens.
  port=$(sed -n 's/.*"component":"app","message":"listening on 0\.0\.0\.0:\([0-9]*\) .*/\1/p' "$work/service.log" | head -1)
  if [ -n "$port" ]; then break; fi
  if ! kill -0 "$service_pid" 2>/dev/null; then cat "$work/service.log" >&2; fail "the service exited at start"; fi
  sleep 0.1
done
if [ -z "$port" ]; then cat "$work/service.log" >&2; fail "the service did not report listening within 10 s"; fi

# expect PATH STATUS BODY-TEXT [CURL-ARGS…]: a GET answered with exactly STATUS, its body containing
# BODY-TEXT.
expect() {
  local path=$1 want=$2 text=$3 status body
  shift 3
  status=$(curl -sS -o "$work/body" -w '%{http_code}' "$@" "http://127.0.0.1:$port$path") || fail "GET $path: no answer"
  body=$(cat "$work/body")
  if [ "$status" != "$want" ]; then fail "GET $path: status $status, expected $want (body: $body)"; fi
  if [[ "$body" != *"$text"* ]]; then fail "GET $path: body '$body' does not contain '$text'"; fi
  echo "rootfs_check: GET $path: $status ${body:0:160}"
}
expect /healthz 200 '"status":"ok"'
expect /readyz 200 '"status":"ready"'
expect /cds-services 401 '{"system":"urn:ivig-cds:auth-reason","code":"token-missing"}'
token=$(python3 "$work/helpers.py" token "$work/issuer.pem" "$iss" "$public_url/cds-services")
expect /cds-services 200 '"id":"ivig-order-sign"' -H "Authorization: Bearer $token"
if ! grep -q '"id":"ivig-order-select"' "$work/body"; then fail "discovery lacks ivig-order-select"; fi

kill -TERM "$service_pid"
wait "$service_pid" || fail "the service did not exit 0 on SIGTERM: $(tail -3 "$work/service.log")"
service_pid=""
grep -q '"component":"app","message":"stopped"}$' "$work/service.log" || fail "no clean stop in the service's log"

# 5. The audit log: on the bind mount, the service user's, owner-only, and the chain verifies (with
# the chain key, as the service wrote it).
owner=$(stat -c '%u:%g %a' "$audit/audit.sqlite3")
if [ "$owner" != "$uid:$gid 600" ]; then fail "audit log is $owner, expected $uid:$gid 600"; fi
if ! "${in_container[@]}" /usr/local/bin/ivig-cds audit verify --audit-path /var/lib/ivig-cds/audit.sqlite3 \
  --audit-chain-key-file /run/ivig-cds/keys/audit-chain.key >"$work/verify.log" 2>&1; then
  cat "$work/verify.log" >&2
  fail "the audit log written in the rootfs does not verify"
fi
echo "rootfs_check: audit verify: $(tail -1 "$work/verify.log")"
echo "rootfs_check: ok ($((SECONDS - started)) s)"
