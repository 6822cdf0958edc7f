"""Checks of the rendered deploy/kubernetes/overlays/s3 (render_kustomize.py), for
check_manifests.sh: castor as N stateless replicas with its content in S3.

run(check, path, known_env) calls check(ok, what, detail) once per property.
"""
import os

import yaml


def _select(labels, selector):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def run(check, path, known_env):
    what = "overlays/s3"
    if not os.path.exists(path):
        check(False, f"{what}: rendered", "render_kustomize.py failed (see above)")
        return
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if isinstance(d, dict)]
    kinds = sorted(d.get("kind", "") for d in docs)
    for kind in ("ConfigMap", "Service", "Deployment", "PodDisruptionBudget",
                 "HorizontalPodAutoscaler"):
        check(kind in kinds, f"{what}: renders a {kind}", ", ".join(kinds))
    check("StatefulSet" not in kinds, f"{what}: no StatefulSet (the base's is replaced)")
    check("PersistentVolumeClaim" not in kinds, f"{what}: no PersistentVolumeClaim")
    check("volumeClaimTemplates" not in open(path).read(), f"{what}: no volumeClaimTemplates")

    deployments = [d for d in docs if d.get("kind") == "Deployment"]
    dep = next((d for d in deployments if d["metadata"]["name"] == "castor"), None)
    check(dep is not None, f"{what}: a Deployment named castor")
    if dep is None:
        return
    spec = dep["spec"]
    check(spec.get("replicas") == 3, f"{what}: 3 replicas", str(spec.get("replicas")))
    pod = spec["template"]
    labels = pod["metadata"].get("labels", {})
    check(_select(labels, spec["selector"].get("matchLabels", {})),
          f"{what}: the Deployment selects its pods")
    pod_spec = pod["spec"]
    containers = {c["name"]: c for c in pod_spec.get("containers", [])}
    castor = containers.get("castor")
    check(castor is not None, f"{what}: a container named castor")
    if castor is None:
        return
    check(castor.get("image", "").startswith("castor:"), f"{what}: the castor image has a tag",
          castor.get("image", ""))

    # No volume outlives its pod: only emptyDir and Secret volumes.
    volumes = {v["name"]: v for v in pod_spec.get("volumes", [])}
    lasting = [n for n, v in volumes.items() if not ({"emptyDir", "secret"} & set(v))]
    check(not lasting, f"{what}: only emptyDir and Secret volumes", ", ".join(lasting))

    # Settings: the ConfigMaps the container reads, later sources winning, then its env.
    config_maps = {d["metadata"]["name"]: d.get("data", {}) for d in docs
                   if d.get("kind") == "ConfigMap"}
    settings = {}
    for source in castor.get("envFrom", []):
        ref = source.get("configMapRef", {}).get("name")
        check(ref in config_maps, f"{what}: envFrom ConfigMap {ref} is rendered")
        settings.update(config_maps.get(ref, {}))
    env = {e["name"]: e for e in castor.get("env", [])}
    names = set(settings) | set(env)
    unknown = sorted(names - known_env)
    check(not unknown, f"{what}: every variable is a setting castor reads", ", ".join(unknown))

    secrets_used = {e["valueFrom"]["secretKeyRef"]["name"] for e in env.values()
                    if "secretKeyRef" in e.get("valueFrom", {})}
    secrets_used |= {v["secret"]["secretName"] for v in volumes.values() if "secret" in v}
    mounts = castor.get("volumeMounts", [])
    s3_classes = [c for c in ("HOT", "COLD") if settings.get(f"{c}_STORAGE_BACKEND") == "s3"]
    check(s3_classes == ["HOT", "COLD"], f"{what}: both classes use the s3 backend",
          str(s3_classes))
    for cls in s3_classes:
        for name in ("S3_ENDPOINT", "S3_BUCKET"):
            check(bool(settings.get(f"{cls}_{name}")), f"{what}: {cls}_{name} in a ConfigMap")
        check(f"{cls}_STORAGE_FALLBACK" not in names,
              f"{what}: no {cls}_STORAGE_FALLBACK (no directory to fall back to)")
        key_id = env.get(f"{cls}_S3_ACCESS_KEY_ID", {})
        check("secretKeyRef" in key_id.get("valueFrom", {}),
              f"{what}: {cls}_S3_ACCESS_KEY_ID comes from a Secret")
        check(f"{cls}_S3_SECRET_ACCESS_KEY" not in names,
              f"{what}: {cls}_S3_SECRET_ACCESS_KEY is not an environment variable")
        file = str(settings.get(f"{cls}_S3_SECRET_ACCESS_KEY_FILE", ""))
        mount = next((m for m in mounts
                      if file.startswith(m["mountPath"].rstrip("/") + "/")), None)
        secret = volumes.get(mount["name"], {}).get("secret", {}) if mount else {}
        item = next((i for i in secret.get("items", [])
                     if mount["mountPath"].rstrip("/") + "/" + i["path"] == file), None)
        check(bool(secret) and item is not None and mount.get("readOnly") is True,
              f"{what}: {cls}_S3_SECRET_ACCESS_KEY_FILE is a file of a read-only Secret volume",
              file)
    # The example Secret of the overlay has every key the pods read from castor-s3-credentials.
    example_path = "deploy/kubernetes/overlays/s3/secret-s3.example.yaml"
    example = yaml.safe_load(open(example_path))
    example_keys = set(example.get("stringData", {}))
    wanted = {e["valueFrom"]["secretKeyRef"]["key"] for e in env.values()
              if e.get("valueFrom", {}).get("secretKeyRef", {}).get("name") ==
              example["metadata"]["name"]}
    wanted |= {i["key"] for v in volumes.values()
               if v.get("secret", {}).get("secretName") == example["metadata"]["name"]
               for i in v["secret"].get("items", [])}
    check(example["metadata"]["name"] in secrets_used and wanted and wanted <= example_keys,
          f"{what}: {example_path} has the keys the pods read", ", ".join(sorted(wanted)))

    # Spread over nodes and zones, selecting the pods.
    spread = pod_spec.get("topologySpreadConstraints", [])
    keys = {t.get("topologyKey") for t in spread
            if _select(labels, t.get("labelSelector", {}).get("matchLabels", {}))}
    check({"kubernetes.io/hostname", "topology.kubernetes.io/zone"} <= keys,
          f"{what}: topology spread over nodes and zones", ", ".join(sorted(k or "" for k in keys)))

    # The PodDisruptionBudget keeps pods serving through drains.
    pdbs = [d for d in docs if d.get("kind") == "PodDisruptionBudget" and
            _select(labels, d["spec"].get("selector", {}).get("matchLabels", {}))]
    check(len(pdbs) == 1, f"{what}: one PodDisruptionBudget selects the pods")
    if pdbs:
        pdb = pdbs[0]["spec"]
        ok = (isinstance(pdb.get("minAvailable"), int) and 1 <= pdb["minAvailable"] < 3) or \
            (isinstance(pdb.get("maxUnavailable"), int) and 1 <= pdb["maxUnavailable"] < 3)
        check(ok and not ("minAvailable" in pdb and "maxUnavailable" in pdb),
              f"{what}: the PodDisruptionBudget lets drains through and keeps pods serving",
              str(pdb))

    # The HPA scales this Deployment on CPU, from 3, which needs a CPU request.
    hpas = [d for d in docs if d.get("kind") == "HorizontalPodAutoscaler"]
    check(len(hpas) == 1, f"{what}: one HorizontalPodAutoscaler")
    if hpas:
        hpa = hpas[0]
        h = hpa["spec"]
        target = h.get("scaleTargetRef", {})
        check(hpa.get("apiVersion") == "autoscaling/v2" and target.get("kind") == "Deployment" and
              target.get("name") == "castor" and target.get("apiVersion") == "apps/v1",
              f"{what}: the HPA (autoscaling/v2) scales Deployment castor", str(target))
        check(h.get("minReplicas") == 3 and h.get("maxReplicas", 0) > 3,
              f"{what}: the HPA scales from 3 up", f"{h.get('minReplicas')}..{h.get('maxReplicas')}")
        cpu = [m for m in h.get("metrics", []) if m.get("type") == "Resource" and
               m.get("resource", {}).get("name") == "cpu" and
               m["resource"].get("target", {}).get("type") == "Utilization"]
        check(len(cpu) == 1 and 0 < cpu[0]["resource"]["target"].get("averageUtilization", 0)
              <= 100, f"{what}: the HPA targets CPU utilization")
        check(bool(castor.get("resources", {}).get("requests", {}).get("cpu")),
              f"{what}: castor requests CPU (the HPA's utilization is of the request)")
    # The pod keeps the base's probes and hardening.
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        check("httpGet" in castor.get(probe, {}), f"{what}: castor has an HTTP {probe}")
    sc = castor.get("securityContext", {})
    check(sc.get("readOnlyRootFilesystem") is True and sc.get("allowPrivilegeEscalation") is False
          and pod_spec.get("securityContext", {}).get("runAsNonRoot") is True,
          f"{what}: hardened like the base")
    services = [d for d in docs if d.get("kind") == "Service"]
    check(services and all(_select(labels, s["spec"].get("selector", {})) for s in services),
          f"{what}: the Services select the Deployment's pods")
