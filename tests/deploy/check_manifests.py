#!/usr/bin/env python3
# tests/deploy/check_manifests.py: the schema check of deploy/kubernetes/ (kubeconform is not in
# Debian 12). The folder holds two alternatives an operator picks one of, each checked with the files
# they share: common/ + sqlite/ (a StatefulSet, the audit on SQLite per pod) and common/ + postgres/
# (a Deployment, the audit on PostgreSQL). Every manifest parsed with python3-yaml and held to
#   - the kinds and apiVersions it may use;
#   - the fields a small schema allows at each place, written from the Kubernetes API reference for
#     the fields these files use (a misspelt field is silently dropped by kubectl, so it is an error
#     here);
#   - what the issue asks of the pods: numeric non-root user equal to deploy/Dockerfile's and
#     deploy/build-rootfs.sh's, no privilege escalation, every capability dropped, seccomp
#     RuntimeDefault, read-only root, requests and limits, liveness on /healthz and readiness on
#     /readyz at the container's port, the audit folder on a persistent volume (never emptyDir);
#   - the metrics: --metrics-listen 0.0.0.0 and --metrics-port at a container port named `metrics`,
#     which no Service exposes; a NetworkPolicy selecting the pods that limits their ingress (every
#     rule names its sources, the metrics port never in the same rule as the CDS port) and egress;
#   - a Deployment: the audit on PostgreSQL (--audit-url), the chain id the pod's name from the
#     downward API, the spool in the pod's own folder (subPathExpr) of a ReadWriteMany claim;
#   - that the pieces fit: selectors match the pod labels, the Service, PDB and HPA reach the
#     workload, the ConfigMaps and Secrets it mounts exist.
# Prints one line per failure and exits 1, or prints a summary and exits 0. CTest runs it
# (deploy_kubernetes_manifests) and, with --self-test, on broken copies whose exact failures it
# expects (deploy_kubernetes_manifests_self_test).
#
# Usage: check_manifests.py [--self-test] [DIR]   (DIR: deploy/kubernetes of this tree, holding common/,
#        sqlite/ and postgres/)
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
    "NetworkPolicy": "networking.k8s.io/v1",
    "PersistentVolumeClaim": "v1",
}
# The alternatives, each checked as common/ plus its own folder.
VARIANTS = ("sqlite", "postgres")
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
    "env": [{"name": ANY, "value": ANY, "valueFrom": {
        "fieldRef": {"fieldPath": ANY, "apiVersion": ANY},
        "secretKeyRef": {"name": ANY, "key": ANY, "optional": ANY}}}],
    "workingDir": ANY,
    "ports": [{"name": ANY, "containerPort": ANY, "protocol": ANY}],
    "livenessProbe": PROBE, "readinessProbe": PROBE, "startupProbe": PROBE,
    "lifecycle": {"preStop": {"exec": {"command": ANY}, "sleep": {"seconds": ANY}}},
    "resources": {"requests": ANY, "limits": ANY},
    "securityContext": {
        "runAsNonRoot": ANY, "runAsUser": ANY, "runAsGroup": ANY, "allowPrivilegeEscalation": ANY,
        "privileged": ANY, "readOnlyRootFilesystem": ANY, "capabilities": {"drop": ANY, "add": ANY},
        "seccompProfile": SECCOMP,
    },
    "volumeMounts": [{"name": ANY, "mountPath": ANY, "readOnly": ANY, "subPath": ANY, "subPathExpr": ANY}],
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
PEER = {"podSelector": LABEL_SELECTOR, "namespaceSelector": LABEL_SELECTOR, "ipBlock": {"cidr": ANY, "except": ANY}}
NP_PORT = {"protocol": ANY, "port": ANY, "endPort": ANY}
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
    "PersistentVolumeClaim": {"spec": {"accessModes": ANY, "storageClassName": ANY, "volumeMode": ANY,
                                       "resources": {"requests": ANY}}},
    "NetworkPolicy": {"spec": {
        "podSelector": LABEL_SELECTOR, "policyTypes": ANY,
        "ingress": [{"from": [PEER], "ports": [NP_PORT]}],
        "egress": [{"to": [PEER], "ports": [NP_PORT]}],
    }},
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


def option(args, flag):
    """The value after `flag` in a container's args, or None."""
    args = [str(a) for a in args or []]
    return args[args.index(flag) + 1] if flag in args[:-1] else None


def check(directories, root=ROOT):
    """Returns the list of failures of the manifests in the directories, taken together (empty: all
    good), and a summary. File names are unique across them (messages name files by base name)."""
    if isinstance(directories, str):
        directories = [directories]
    errors = []
    docs = []
    seen = set()
    for directory in directories:
        for name in sorted(os.listdir(directory)):
            if not name.endswith(".yaml"):
                continue
            if name in seen:
                errors.append(f"{name}: in two of {directories}")
            seen.add(name)
            try:
                loaded = list(yaml.safe_load_all(open(os.path.join(directory, name))))
            except yaml.YAMLError as e:
                errors.append(f"{name}: not YAML: {str(e).splitlines()[0]}")
                continue
            for doc in loaded:
                if doc is not None:
                    docs.append((name, doc))
    if not docs:
        return [f"{', '.join(directories)}: no manifests"], ""

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
            args = c.get("args") or []
            # The metrics: reachable from the pod's network, at the port named `metrics`.
            metrics_port = option(args, "--metrics-port")
            if metrics_port is None:
                errors.append(f"{cw}: no --metrics-port in its args")
            elif ports.get("metrics") != int(metrics_port):
                errors.append(f"{cw}: no containerPort named metrics at --metrics-port {metrics_port}")
            if option(args, "--metrics-listen") != "0.0.0.0":
                errors.append(f"{cw}: --metrics-listen must be 0.0.0.0 (its default, 127.0.0.1, is not "
                              "reachable by Prometheus)")
            if workload["kind"] != "Deployment":
                continue
            # A Deployment: replicas share the audit database, each pod a chain and a spool of its own.
            if option(args, "--audit-url") is None:
                errors.append(f"{cw}: a Deployment's replicas share the audit only on PostgreSQL: no --audit-url")
            pod_name = [e for e in c.get("env") or []
                        if e.get("name") == "POD_NAME"
                        and ((e.get("valueFrom") or {}).get("fieldRef") or {}).get("fieldPath") == "metadata.name"]
            if option(args, "--audit-chain-id") != "$(POD_NAME)" or not pod_name:
                errors.append(f"{cw}: --audit-chain-id must be $(POD_NAME), the pod's name from the downward API "
                              "(metadata.name): each pod its own chain")
            for m in audit:
                if m.get("subPathExpr") != "$(POD_NAME)":
                    errors.append(f"{cw}: the audit folder on volume {m.get('name')} must be the pod's own "
                                  "(subPathExpr: $(POD_NAME)): two pods would write one spool")
                claim = ((volumes.get(m.get("name")) or {}).get("persistentVolumeClaim") or {}).get("claimName")
                pvc = [d for _, d in objects
                       if d["kind"] == "PersistentVolumeClaim" and d["metadata"].get("name") == claim]
                if claim and not pvc:
                    errors.append(f"{cw}: the audit claim {claim} is defined nowhere")
                elif claim and "ReadWriteMany" not in ((pvc[0].get("spec") or {}).get("accessModes") or []):
                    errors.append(f"{cw}: the audit claim {claim} is not ReadWriteMany: replicas on other "
                                  "nodes could not mount it")

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
            elif "metrics" in container_ports and container_ports.get(target, target) == container_ports["metrics"]:
                errors.append(f"{sw}: port {p.get('name')} exposes the metrics port {container_ports['metrics']}: "
                              "Prometheus scrapes the pods, let in by the NetworkPolicy")
    if workload["kind"] == "StatefulSet":
        headless = [s for _, s in services if s["metadata"]["name"] == spec.get("serviceName")]
        if not headless or (headless[0].get("spec") or {}).get("clusterIP") != "None":
            errors.append(f"{where}: serviceName {spec.get('serviceName')} is no headless Service here")
    if not services:
        errors.append("no Service")
    # NetworkPolicies: the pods' ingress and egress fenced; every ingress rule names its sources, and
    # the metrics port is let in by rules of its own (the monitoring namespace), never with the CDS port.
    fenced = set()
    container_ports = {p.get("name"): p.get("containerPort")
                       for c in pod.get("containers") or [] for p in c.get("ports") or []}
    for nw, n in named("NetworkPolicy"):
        nspec = n.get("spec") or {}
        if not selects((nspec.get("podSelector") or {}).get("matchLabels")):
            errors.append(f"{nw}: podSelector does not match the pod template's labels {pod_labels}")
            continue
        fenced.update(nspec.get("policyTypes") or [])
        for i, rule in enumerate(nspec.get("ingress") or []):
            if not rule.get("from"):
                errors.append(f"{nw}: ingress rule {i} admits any source")
            opened = {container_ports.get(p.get("port"), p.get("port")) for p in rule.get("ports") or []}
            if not rule.get("ports") or (container_ports.get("metrics") in opened and len(opened) > 1):
                errors.append(f"{nw}: ingress rule {i} opens the metrics port with other ports: give the "
                              "monitoring namespace a rule of its own")
    for direction in ("Ingress", "Egress"):
        if direction not in fenced:
            errors.append(f"no NetworkPolicy selecting the pods limits their {direction.lower()}")
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
    for kind in ("PodDisruptionBudget", "HorizontalPodAutoscaler", "ConfigMap", "Secret", "NetworkPolicy"):
        if not named(kind):
            errors.append(f"no {kind}")
    summary = (f"{len(objects)} objects ({', '.join(sorted(d['kind'] for _, d in objects))}); "
               f"user {docker_uid}:{docker_gid}; probes on port {ini_port}; metrics on port "
               f"{container_ports.get('metrics')}")
    return errors, summary


# --self-test: each mutation of a copy of one alternative (common/ + its folder) must give exactly
# these failures (paths as the copy has them).
def mutations():
    """(variant, label, mutation, expected failures) for each broken copy."""
    def container(docs, name="statefulset.yaml"):
        return docs[name][0]["spec"]["template"]["spec"]["containers"][0]

    def deployment(docs):
        return container(docs, "deployment.yaml")

    def set_arg(c, flag, value):
        c["args"][c["args"].index(flag) + 1] = value

    def policy(docs):
        return docs["networkpolicy.yaml"][0]["spec"]

    w = "statefulset.yaml: StatefulSet/ivig-cds"
    c = f"{w}: container ivig-cds"
    dw = "deployment.yaml: Deployment/ivig-cds"
    dc = f"{dw}: container ivig-cds"
    np = "networkpolicy.yaml: NetworkPolicy/ivig-cds"
    sqlite = [
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
        ("the metrics on loopback", (lambda d: set_arg(container(d), "--metrics-listen", "127.0.0.1")),
         [f"{c}: --metrics-listen must be 0.0.0.0 (its default, 127.0.0.1, is not reachable by Prometheus)"]),
        ("the metrics port unnamed", (lambda d: container(d)["ports"][1].update(name="scrape")),
         [f"{c}: no containerPort named metrics at --metrics-port 9464"]),
        ("the metrics port behind the Service", (lambda d: d["service.yaml"][0]["spec"]["ports"].append(
            {"name": "metrics", "port": 9464, "targetPort": "metrics"})),
         ["service.yaml: Service/ivig-cds: port metrics exposes the metrics port 9464: Prometheus scrapes the "
          "pods, let in by the NetworkPolicy"]),
        ("no NetworkPolicy", (lambda d: d.pop("networkpolicy.yaml")),
         ["no NetworkPolicy selecting the pods limits their ingress",
          "no NetworkPolicy selecting the pods limits their egress", "no NetworkPolicy"]),
        ("a NetworkPolicy on other pods", (lambda d: policy(d)["podSelector"].update(matchLabels={"app": "x"})),
         [f"{np}: podSelector does not match the pod template's labels {{'app.kubernetes.io/name': 'ivig-cds'}}",
          "no NetworkPolicy selecting the pods limits their ingress",
          "no NetworkPolicy selecting the pods limits their egress"]),
        ("the metrics open to all", (lambda d: policy(d)["ingress"][1].pop("from")),
         [f"{np}: ingress rule 1 admits any source"]),
        ("the metrics in the CDS port's rule", (lambda d: policy(d)["ingress"][0]["ports"].append(
            {"protocol": "TCP", "port": "metrics"})),
         [f"{np}: ingress rule 0 opens the metrics port with other ports: give the monitoring namespace a "
          "rule of its own"]),
    ]
    postgres = [
        ("the spool on emptyDir", (lambda d: d["deployment.yaml"][0]["spec"]["template"]["spec"]["volumes"].__setitem__(
            0, {"name": "audit-spool", "emptyDir": {}})),
         [f"{dc}: the audit folder is on emptyDir volume audit-spool, not a persistent volume claim: "
          "the audit log would be lost with the pod"]),
        ("one chain for every pod", (lambda d: set_arg(deployment(d), "--audit-chain-id", "ivig-cds")),
         [f"{dc}: --audit-chain-id must be $(POD_NAME), the pod's name from the downward API (metadata.name): "
          "each pod its own chain"]),
        ("POD_NAME from the node", (lambda d: deployment(d)["env"][0]["valueFrom"]["fieldRef"].update(
            fieldPath="spec.nodeName")),
         [f"{dc}: --audit-chain-id must be $(POD_NAME), the pod's name from the downward API (metadata.name): "
          "each pod its own chain"]),
        ("one spool for every pod", (lambda d: deployment(d)["volumeMounts"][0].pop("subPathExpr")),
         [f"{dc}: the audit folder on volume audit-spool must be the pod's own (subPathExpr: $(POD_NAME)): "
          "two pods would write one spool"]),
        ("a spool claim of one node", (lambda d: d["spool-claim.yaml"][0]["spec"].update(
            accessModes=["ReadWriteOnce"])),
         [f"{dc}: the audit claim ivig-cds-audit-spool is not ReadWriteMany: replicas on other nodes could "
          "not mount it"]),
        ("a Deployment on SQLite", (lambda d: (deployment(d)["args"].__delitem__(slice(0, 2)))),
         [f"{dc}: a Deployment's replicas share the audit only on PostgreSQL: no --audit-url"]),
        ("HPA on the StatefulSet", (lambda d: d["hpa.yaml"][0]["spec"]["scaleTargetRef"].update(kind="StatefulSet")),
         ["hpa.yaml: HorizontalPodAutoscaler/ivig-cds: scaleTargetRef {'apiVersion': 'apps/v1', 'kind': "
          "'StatefulSet', 'name': 'ivig-cds'} is not the workload {'apiVersion': 'apps/v1', 'kind': "
          "'Deployment', 'name': 'ivig-cds'}"]),
        ("a misspelt downward API field", (lambda d: deployment(d)["env"][0]["valueFrom"].update(
            fieldRefs={"fieldPath": "metadata.name"})),
         [f"{dw}: unknown field Deployment.spec.template.spec.containers[0].env[0].valueFrom.fieldRefs"]),
    ]
    return [("sqlite", *m) for m in sqlite] + [("postgres", *m) for m in postgres]


def variant_dirs(directory, variant):
    return [os.path.join(directory, "common"), os.path.join(directory, variant)]


def self_test(directory):
    import tempfile
    originals = {}
    for variant in VARIANTS:
        originals[variant] = {n: list(yaml.safe_load_all(open(os.path.join(d, n))))
                              for d in variant_dirs(directory, variant)
                              for n in sorted(os.listdir(d)) if n.endswith(".yaml")}
    failures = 0
    for variant, label, mutate, expected in mutations():
        docs = copy.deepcopy(originals[variant])
        mutate(docs)
        with tempfile.TemporaryDirectory() as tmp:
            for n, content in docs.items():
                with open(os.path.join(tmp, n), "w") as f:
                    yaml.safe_dump_all(content, f, sort_keys=False)
            got, _ = check(tmp)
        if got != expected:
            failures += 1
            print(f"self-test: {variant}: {label}: expected {expected}\n"
                  f"self-test: {variant}: {label}:      got {got}")
    # The image's user changed in the Dockerfile alone: the rootfs and the pods no longer agree with it.
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "deploy"))
        dockerfile = open(os.path.join(ROOT, "deploy", "Dockerfile")).read()
        with open(os.path.join(tmp, "deploy", "Dockerfile"), "w") as f:
            f.write(dockerfile.replace("ARG IVIG_UID=10001", "ARG IVIG_UID=10002"))
        with open(os.path.join(tmp, "deploy", "build-rootfs.sh"), "w") as f:
            f.write(open(os.path.join(ROOT, "deploy", "build-rootfs.sh")).read())
        got, _ = check(variant_dirs(directory, "sqlite"), root=tmp)
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
    failed = False
    for variant in VARIANTS:
        errors, summary = check(variant_dirs(directory, variant))
        for e in errors:
            print(f"check_manifests: {variant}: {e}")
        failed = failed or bool(errors)
        if not errors:
            print(f"check_manifests: {directory}: common + {variant}: ok: {summary}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
