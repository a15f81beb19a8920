#!/usr/bin/env python3
# tests/deploy/check_manifests.py: the schema check of deploy/kubernetes/ (kubeconform is not in
# Debian 12): every manifest parsed with python3-yaml and held to
#   - the kinds and apiVersions it may use;
#   - the fields a small schema allows at each place, written from the Kubernetes API reference for
#     the fields these files use (a misspelt field is silently dropped by kubectl, so it is an error
#     here);
#   - what the issue asks of the pods: numeric non-root user equal to deploy/Dockerfile's and
#     deploy/build-rootfs.sh's, no privilege escalation, every capability dropped, seccomp
#     RuntimeDefault, read-only root, requests and limits, liveness on /healthz and readiness on
#     /readyz at the container's port, the audit folder on a persistent volume (never emptyDir);
#   - that the pieces fit: selectors match the pod labels, the Service, PDB and HPA reach the
#     workload, the ConfigMaps and Secrets it mounts exist.
# Prints one line per failure and exits 1, or prints a summary and exits 0. CTest runs it
# (deploy_kubernetes_manifests) and, with --self-test, on broken copies whose exact failures it
# expects (deploy_kubernetes_manifests_self_test).
#
# Usage: check_manifests.py [--self-test] [DIR]   (DIR: deploy/kubernetes of this tree)
import copy
import os
import re
import sys

try:
    import yaml
except ImportError:  # CTest reports the test skipped (deploy/install-deps.sh --tests installs it)
    print("check_manifests: skipped: no python3-yaml (apt-get install python3-yaml)")
    sys.exit(77)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

KNOWN_KINDS = {
    "StatefulSet": "apps/v1",
    "Deployment": "apps/v1",
    "Service": "v1",
    "ConfigMap": "v1",
    "Secret": "v1",
    "PodDisruptionBudget": "policy/v1",
    "HorizontalPodAutoscaler": "autoscaling/v2",
}
# ConfigMaps and Secrets the manifests mount but do not define, and where they come from.
EXTERNAL = {"ivig-cds-knowledge": "created from rules/knowledge/ by kubectl (docs/operations.md)"}

# The schema: a dict maps each allowed field to its schema, a one-element list is a list of that
# schema, ANY is a scalar or a free map (labels, data, resource quantities), which is not descended.
ANY = None
LABEL_SELECTOR = {"matchLabels": ANY, "matchExpressions": [{"key": ANY, "operator": ANY, "values": ANY}]}
METADATA = {"name": ANY, "namespace": ANY, "labels": ANY, "annotations": ANY}
PROBE = {
    "httpGet": {"path": ANY, "port": ANY, "scheme": ANY, "httpHeaders": [{"name": ANY, "value": ANY}]},
    "initialDelaySeconds": ANY, "periodSeconds": ANY, "timeoutSeconds": ANY,
    "failureThreshold": ANY, "successThreshold": ANY, "terminationGracePeriodSeconds": ANY,
}
SECCOMP = {"type": ANY, "localhostProfile": ANY}
CONTAINER = {
    "name": ANY, "image": ANY, "imagePullPolicy": ANY, "command": ANY, "args": ANY,
    "env": [{"name": ANY, "value": ANY}], "workingDir": ANY,
    "ports": [{"name": ANY, "containerPort": ANY, "protocol": ANY}],
    "livenessProbe": PROBE, "readinessProbe": PROBE, "startupProbe": PROBE,
    "lifecycle": {"preStop": {"exec": {"command": ANY}, "sleep": {"seconds": ANY}}},
    "resources": {"requests": ANY, "limits": ANY},
    "securityContext": {
        "runAsNonRoot": ANY, "runAsUser": ANY, "runAsGroup": ANY, "allowPrivilegeEscalation": ANY,
        "privileged": ANY, "readOnlyRootFilesystem": ANY, "capabilities": {"drop": ANY, "add": ANY},
        "seccompProfile": SECCOMP,
    },
    "volumeMounts": [{"name": ANY, "mountPath": ANY, "readOnly": ANY, "subPath": ANY}],
    "terminationMessagePolicy": ANY,
}
KEY_TO_PATH = [{"key": ANY, "path": ANY, "mode": ANY}]
VOLUME = {
    "name": ANY,
    "configMap": {"name": ANY, "defaultMode": ANY, "optional": ANY, "items": KEY_TO_PATH},
    "secret": {"secretName": ANY, "defaultMode": ANY, "optional": ANY, "items": KEY_TO_PATH},
    "emptyDir": {"medium": ANY, "sizeLimit": ANY},
    "persistentVolumeClaim": {"claimName": ANY, "readOnly": ANY},
}
POD_TEMPLATE = {
    "metadata": METADATA,
    "spec": {
        "terminationGracePeriodSeconds": ANY, "automountServiceAccountToken": ANY,
        "enableServiceLinks": ANY, "serviceAccountName": ANY,
        "securityContext": {
            "runAsNonRoot": ANY, "runAsUser": ANY, "runAsGroup": ANY, "fsGroup": ANY,
            "fsGroupChangePolicy": ANY, "supplementalGroups": ANY, "seccompProfile": SECCOMP,
        },
        "affinity": {"podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": LABEL_SELECTOR, "topologyKey": ANY}],
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": ANY, "podAffinityTerm": {"labelSelector": LABEL_SELECTOR, "topologyKey": ANY}}],
        }},
        "topologySpreadConstraints": [{"maxSkew": ANY, "topologyKey": ANY, "whenUnsatisfiable": ANY,
                                       "labelSelector": LABEL_SELECTOR}],
        "initContainers": [CONTAINER], "containers": [CONTAINER], "volumes": [VOLUME],
    },
}
WORKLOAD_SPEC = {"replicas": ANY, "selector": LABEL_SELECTOR, "template": POD_TEMPLATE,
                 "minReadySeconds": ANY, "revisionHistoryLimit": ANY}
SCHEMAS = {
    "Deployment": {"spec": dict(WORKLOAD_SPEC, strategy={
        "type": ANY, "rollingUpdate": {"maxSurge": ANY, "maxUnavailable": ANY}})},
    "StatefulSet": {"spec": dict(
        WORKLOAD_SPEC, serviceName=ANY, podManagementPolicy=ANY,
        updateStrategy={"type": ANY, "rollingUpdate": {"partition": ANY, "maxUnavailable": ANY}},
        persistentVolumeClaimRetentionPolicy={"whenDeleted": ANY, "whenScaled": ANY},
        volumeClaimTemplates=[{"metadata": METADATA, "spec": {
            "accessModes": ANY, "storageClassName": ANY, "resources": {"requests": ANY}}}])},
    "Service": {"spec": {"type": ANY, "clusterIP": ANY, "selector": ANY, "ports": [
        {"name": ANY, "port": ANY, "targetPort": ANY, "protocol": ANY}]}},
    "ConfigMap": {"data": ANY, "binaryData": ANY, "immutable": ANY},
    "Secret": {"type": ANY, "data": ANY, "stringData": ANY, "immutable": ANY},
    "PodDisruptionBudget": {"spec": {"minAvailable": ANY, "maxUnavailable": ANY,
                                     "selector": LABEL_SELECTOR, "unhealthyPodEvictionPolicy": ANY}},
    "HorizontalPodAutoscaler": {"spec": {
        "scaleTargetRef": {"apiVersion": ANY, "kind": ANY, "name": ANY},
        "minReplicas": ANY, "maxReplicas": ANY,
        "metrics": [{"type": ANY, "resource": {"name": ANY, "target": {
            "type": ANY, "averageUtilization": ANY, "averageValue": ANY}}}],
        "behavior": {d: {"stabilizationWindowSeconds": ANY, "selectPolicy": ANY,
                         "policies": [{"type": ANY, "value": ANY, "periodSeconds": ANY}]}
                     for d in ("scaleUp", "scaleDown")},
    }},
}


def unknown_fields(value, schema, path):
    """Yields the path of every field the schema does not allow."""
    if schema is ANY:
        return
    if isinstance(schema, list):
        if not isinstance(value, list):
            yield f"{path} is not a list"
            return
        for i, item in enumerate(value):
            yield from unknown_fields(item, schema[0], f"{path}[{i}]")
        return
    if not isinstance(value, dict):
        yield f"{path} is not a mapping"
        return
    for key, item in value.items():
        if key not in schema:
            yield f"unknown field {path}.{key}"
        else:
            yield from unknown_fields(item, schema[key], f"{path}.{key}")


def image_user(root):
    """The UID:GID of deploy/Dockerfile (its ARG defaults, as USER uses) and deploy/build-rootfs.sh."""
    dockerfile = open(os.path.join(root, "deploy", "Dockerfile")).read()
    rootfs = open(os.path.join(root, "deploy", "build-rootfs.sh")).read()
    def numbers(text, pattern):
        found = [re.search(pattern.format(n), text, re.M) for n in ("UID", "GID")]
        return tuple(int(m.group(1)) if m else None for m in found)

    docker = numbers(dockerfile, r"^ARG IVIG_{}=(\d+)$")
    uses_args = re.search(r"^USER \$\{IVIG_UID\}:\$\{IVIG_GID\}$", dockerfile, re.M) is not None
    built = numbers(rootfs, r"^IVIG_{}=(\d+)$")
    return docker, uses_args, built


def check(directory, root=ROOT):
    """Returns the list of failures of the manifests in directory (empty: all good), and a summary."""
    errors = []
    docs = []
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".yaml"):
            continue
        try:
            loaded = list(yaml.safe_load_all(open(os.path.join(directory, name))))
        except yaml.YAMLError as e:
            errors.append(f"{name}: not YAML: {str(e).splitlines()[0]}")
            continue
        for doc in loaded:
            if doc is not None:
                docs.append((name, doc))
    if not docs:
        return [f"{directory}: no manifests"], ""

    objects = []
    for name, doc in docs:
        kind, api = doc.get("kind"), doc.get("apiVersion")
        meta = doc.get("metadata") or {}
        where = f"{name}: {kind}/{meta.get('name')}"
        if kind not in KNOWN_KINDS:
            errors.append(f"{where}: kind {kind} is not one these manifests may use")
            continue
        if api != KNOWN_KINDS[kind]:
            errors.append(f"{where}: apiVersion {api}, expected {KNOWN_KINDS[kind]}")
            continue
        if not meta.get("name"):
            errors.append(f"{where}: metadata.name missing")
        schema = dict(SCHEMAS[kind], apiVersion=ANY, kind=ANY, metadata=METADATA)
        errors += [f"{where}: {e}" for e in unknown_fields(doc, schema, kind)]
        objects.append((where, doc))

    (docker_uid, docker_gid), user_uses_args, (rootfs_uid, rootfs_gid) = image_user(root)
    if not user_uses_args:
        errors.append("deploy/Dockerfile: USER is not ${IVIG_UID}:${IVIG_GID}")
    if (docker_uid, docker_gid) != (rootfs_uid, rootfs_gid) or docker_uid is None:
        errors.append(f"deploy/Dockerfile's user {docker_uid}:{docker_gid} is not deploy/build-rootfs.sh's "
                      f"{rootfs_uid}:{rootfs_gid}")
    ini_port = 8080
    for where, doc in objects:
        if doc["kind"] == "ConfigMap":
            m = re.search(r"^port\s*=\s*(\d+)\s*$", (doc.get("data") or {}).get("ivig-cds.ini", ""), re.M)
            if m:
                ini_port = int(m.group(1))

    def named(kind):
        return [(w, d) for w, d in objects if d["kind"] == kind]

    workloads = named("StatefulSet") + named("Deployment")
    if len(workloads) != 1:
        errors.append(f"expected one StatefulSet or Deployment, found {len(workloads)}")
        return errors, ""
    where, workload = workloads[0]
    spec = workload.get("spec") or {}
    template = spec.get("template") or {}
    pod_labels = (template.get("metadata") or {}).get("labels") or {}
    pod = template.get("spec") or {}

    def selects(selector):
        return bool(selector) and all(pod_labels.get(k) == v for k, v in selector.items())

    if not selects((spec.get("selector") or {}).get("matchLabels")):
        errors.append(f"{where}: spec.selector.matchLabels does not match the pod template's labels {pod_labels}")

    # Security context: the container's own fields, else the pod's.
    pod_sc = pod.get("securityContext") or {}
    claim_names = {(t.get("metadata") or {}).get("name") for t in spec.get("volumeClaimTemplates") or []}
    volumes = {v.get("name"): v for v in pod.get("volumes") or []}
    for role, containers in (("initContainer", pod.get("initContainers") or []),
                             ("container", pod.get("containers") or [])):
        for c in containers:
            cw = f"{where}: {role} {c.get('name')}"
            sc = c.get("securityContext") or {}

            def effective(field):
                return sc.get(field, pod_sc.get(field))

            if effective("runAsNonRoot") is not True:
                errors.append(f"{cw}: runAsNonRoot must be true")
            if effective("runAsUser") != docker_uid:
                errors.append(f"{cw}: runAsUser {effective('runAsUser')} is not the image's user {docker_uid}")
            if effective("runAsGroup") not in (None, docker_gid):
                errors.append(f"{cw}: runAsGroup {effective('runAsGroup')} is not the image's group {docker_gid}")
            if sc.get("allowPrivilegeEscalation") is not False:
                errors.append(f"{cw}: allowPrivilegeEscalation must be false")
            if (sc.get("capabilities") or {}).get("drop") != ["ALL"] or (sc.get("capabilities") or {}).get("add"):
                errors.append(f"{cw}: capabilities must drop [ALL] and add none")
            if sc.get("privileged"):
                errors.append(f"{cw}: privileged")
            if (effective("seccompProfile") or {}).get("type") != "RuntimeDefault":
                errors.append(f"{cw}: seccompProfile must be RuntimeDefault")
            if sc.get("readOnlyRootFilesystem") is not True:
                errors.append(f"{cw}: readOnlyRootFilesystem must be true")
            resources = c.get("resources") or {}
            for part in ("requests", "limits"):
                for r in ("cpu", "memory"):
                    if r not in (resources.get(part) or {}):
                        errors.append(f"{cw}: resources.{part}.{r} missing")
            for m in c.get("volumeMounts") or []:
                if m.get("name") not in volumes and m.get("name") not in claim_names:
                    errors.append(f"{cw}: volumeMount {m.get('name')} names no volume")
            if role != "container":
                continue
            ports = {p.get("name"): p.get("containerPort") for p in c.get("ports") or []}
            if ini_port not in ports.values():
                errors.append(f"{cw}: no containerPort {ini_port} (the ini's port)")
            for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
                get = (c.get(probe) or {}).get("httpGet") or {}
                port = ports.get(get.get("port"), get.get("port"))
                if get.get("path") != path or port != ini_port:
                    errors.append(f"{cw}: {probe} must GET {path} on port {ini_port}, "
                                  f"not {get.get('path')} on {get.get('port')}")
            # The audit: the image's --audit-path folder, on a claim, never a scratch volume.
            audit = [m for m in c.get("volumeMounts") or [] if m.get("mountPath") == "/var/lib/ivig-cds"]
            if not audit:
                errors.append(f"{cw}: nothing mounted at /var/lib/ivig-cds (the audit log)")
            for m in audit:
                v = volumes.get(m.get("name"))
                if m.get("name") in claim_names or (v and "persistentVolumeClaim" in v):
                    continue
                source = next((k for k in (v or {}) if k != "name"), "nothing")
                errors.append(f"{cw}: the audit folder is on {source} volume {m.get('name')}, "
                              "not a persistent volume claim: the audit log would be lost with the pod")

    defined = {(d["kind"], d["metadata"]["name"]) for _, d in objects if (d.get("metadata") or {}).get("name")}
    for v in volumes.values():
        for kind, field, key in (("ConfigMap", "configMap", "name"), ("Secret", "secret", "secretName")):
            ref = (v.get(field) or {}).get(key)
            if ref and (kind, ref) not in defined and ref not in EXTERNAL:
                errors.append(f"{where}: volume {v.get('name')} names {kind} {ref}, defined nowhere")

    services = named("Service")
    for sw, s in services:
        if not selects((s.get("spec") or {}).get("selector")):
            errors.append(f"{sw}: selector does not match the pod template's labels {pod_labels}")
        container_ports = {p.get("name"): p.get("containerPort")
                           for c in pod.get("containers") or [] for p in c.get("ports") or []}
        for p in (s.get("spec") or {}).get("ports") or []:
            target = p.get("targetPort", p.get("port"))
            if container_ports.get(target, target) not in container_ports.values():
                errors.append(f"{sw}: targetPort {target} is no port of the pod's containers")
    if workload["kind"] == "StatefulSet":
        headless = [s for _, s in services if s["metadata"]["name"] == spec.get("serviceName")]
        if not headless or (headless[0].get("spec") or {}).get("clusterIP") != "None":
            errors.append(f"{where}: serviceName {spec.get('serviceName')} is no headless Service here")
    if not services:
        errors.append("no Service")
    for pw, p in named("PodDisruptionBudget"):
        if not selects(((p.get("spec") or {}).get("selector") or {}).get("matchLabels")):
            errors.append(f"{pw}: selector does not match the pod template's labels {pod_labels}")
    for hw, h in named("HorizontalPodAutoscaler"):
        ref = (h.get("spec") or {}).get("scaleTargetRef") or {}
        want = {"apiVersion": workload["apiVersion"], "kind": workload["kind"], "name": workload["metadata"]["name"]}
        if ref != want:
            errors.append(f"{hw}: scaleTargetRef {ref} is not the workload {want}")
        metrics = (h.get("spec") or {}).get("metrics") or []
        if not any(m.get("type") == "Resource" and (m.get("resource") or {}).get("name") == "cpu" for m in metrics):
            errors.append(f"{hw}: no CPU metric")
    for kind in ("PodDisruptionBudget", "HorizontalPodAutoscaler", "ConfigMap", "Secret"):
        if not named(kind):
            errors.append(f"no {kind}")
    summary = (f"{len(objects)} objects ({', '.join(sorted(d['kind'] for _, d in objects))}); "
               f"user {docker_uid}:{docker_gid}; probes on port {ini_port}")
    return errors, summary


# --self-test: each mutation of a copy must give exactly these failures (paths as the copy has them).
def mutations():
    def container(docs):
        return docs["statefulset.yaml"][0]["spec"]["template"]["spec"]["containers"][0]

    w = "statefulset.yaml: StatefulSet/ivig-cds"
    c = f"{w}: container ivig-cds"
    return [
        ("readiness on /healthz", (lambda d: container(d)["readinessProbe"]["httpGet"].update(path="/healthz")),
         [f"{c}: readinessProbe must GET /readyz on port 8080, not /healthz on http"]),
        ("liveness on another port", (lambda d: container(d)["livenessProbe"]["httpGet"].update(port=9090)),
         [f"{c}: livenessProbe must GET /healthz on port 8080, not /healthz on 9090"]),
        ("a misspelt field", (lambda d: container(d).update(readinesProbe={})),
         [f"{w}: unknown field StatefulSet.spec.template.spec.containers[0].readinesProbe"]),
        ("the audit on emptyDir", (lambda d: (
            d["statefulset.yaml"][0]["spec"].pop("volumeClaimTemplates"),
            d["statefulset.yaml"][0]["spec"]["template"]["spec"]["volumes"].append({"name": "audit", "emptyDir": {}}))),
         [f"{c}: the audit folder is on emptyDir volume audit, not a persistent volume claim: "
          "the audit log would be lost with the pod"]),
        ("a container's user", (lambda d: container(d)["securityContext"].update(runAsUser=0)),
         [f"{c}: runAsUser 0 is not the image's user 10001"]),
        ("privilege escalation", (lambda d: container(d)["securityContext"].update(allowPrivilegeEscalation=True)),
         [f"{c}: allowPrivilegeEscalation must be false"]),
        ("capabilities kept", (lambda d: container(d)["securityContext"].pop("capabilities")),
         [f"{c}: capabilities must drop [ALL] and add none"]),
        ("writable root", (lambda d: container(d)["securityContext"].update(readOnlyRootFilesystem=False)),
         [f"{c}: readOnlyRootFilesystem must be true"]),
        ("seccomp unconfined", (lambda d: container(d)["securityContext"].update(
            seccompProfile={"type": "Unconfined"})),
         [f"{c}: seccompProfile must be RuntimeDefault"]),
        ("PDB on other labels", (lambda d: d["pdb.yaml"][0]["spec"]["selector"].update(matchLabels={"app": "x"})),
         ["pdb.yaml: PodDisruptionBudget/ivig-cds: selector does not match the pod template's labels "
          "{'app.kubernetes.io/name': 'ivig-cds'}"]),
        ("HPA on a Deployment", (lambda d: d["hpa.yaml"][0]["spec"]["scaleTargetRef"].update(kind="Deployment")),
         ["hpa.yaml: HorizontalPodAutoscaler/ivig-cds: scaleTargetRef {'apiVersion': 'apps/v1', 'kind': "
          "'Deployment', 'name': 'ivig-cds'} is not the workload {'apiVersion': 'apps/v1', 'kind': "
          "'StatefulSet', 'name': 'ivig-cds'}"]),
        ("an old apiVersion", (lambda d: d["pdb.yaml"][0].update(apiVersion="policy/v1beta1")),
         ["pdb.yaml: PodDisruptionBudget/ivig-cds: apiVersion policy/v1beta1, expected policy/v1",
          "no PodDisruptionBudget"]),
        ("a missing Secret", (lambda d: d.pop("secret.yaml")),
         [f"{w}: volume keys-secret names Secret ivig-cds-keys, defined nowhere", "no Secret"]),
    ]


def self_test(directory):
    import tempfile
    originals = {n: list(yaml.safe_load_all(open(os.path.join(directory, n))))
                 for n in sorted(os.listdir(directory)) if n.endswith(".yaml")}
    failures = 0
    for label, mutate, expected in mutations():
        docs = copy.deepcopy(originals)
        mutate(docs)
        with tempfile.TemporaryDirectory() as tmp:
            for n, content in docs.items():
                with open(os.path.join(tmp, n), "w") as f:
                    yaml.safe_dump_all(content, f, sort_keys=False)
            got, _ = check(tmp)
        if got != expected:
            failures += 1
            print(f"self-test: {label}: expected {expected}\nself-test: {label}:      got {got}")
    # The image's user changed in the Dockerfile alone: the rootfs and the pods no longer agree with it.
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "deploy"))
        dockerfile = open(os.path.join(ROOT, "deploy", "Dockerfile")).read()
        with open(os.path.join(tmp, "deploy", "Dockerfile"), "w") as f:
            f.write(dockerfile.replace("ARG IVIG_UID=10001", "ARG IVIG_UID=10002"))
        with open(os.path.join(tmp, "deploy", "build-rootfs.sh"), "w") as f:
            f.write(open(os.path.join(ROOT, "deploy", "build-rootfs.sh")).read())
        got, _ = check(directory, root=tmp)
        w = "statefulset.yaml: StatefulSet/ivig-cds"
        expected = ["deploy/Dockerfile's user 10002:10001 is not deploy/build-rootfs.sh's 10001:10001",
                    f"{w}: initContainer keys: runAsUser 10001 is not the image's user 10002",
                    f"{w}: container ivig-cds: runAsUser 10001 is not the image's user 10002"]
        if got != expected:
            failures += 1
            print(f"self-test: Dockerfile's user: expected {expected}\nself-test: Dockerfile's user:      got {got}")
    if failures:
        return 1
    print(f"check_manifests: self-test: {len(mutations()) + 1} broken copies give exactly the expected failures")
    return 0


def main(argv):
    args = [a for a in argv if a != "--self-test"]
    directory = args[0] if args else os.path.join(ROOT, "deploy", "kubernetes")
    if "--self-test" in argv:
        return self_test(directory)
    errors, summary = check(directory)
    for e in errors:
        print(f"check_manifests: {e}")
    if errors:
        return 1
    print(f"check_manifests: {directory}: ok: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
