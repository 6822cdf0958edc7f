#!/usr/bin/env bash
# Checks the deployment files under deploy/ against each other and against castor's sources:
#   - yamllint (relaxed rules, 100 columns, warnings fail) over every YAML file;
#   - every YAML document has apiVersion, kind and metadata.name;
#   - the castor container's probes and the scrape path use routes src/api/ serves (/health,
#     /ready, /metrics), on the container's port;
#   - the container port, the Prometheus annotation, the Services' target ports, the ConfigMap's
#     LISTEN_ADDR and the Dockerfile's EXPOSE and LISTEN_ADDR agree;
#   - S3_MASTER_KEY_FILE is a file of a read-only Secret volume whose Secrets carry that key;
#   - every environment variable set for castor (ConfigMap keys, env entries, Dockerfile ENV) is
#     one castor reads (src/infrastructure/config.cpp's kSettings plus the logging and
#     authentication variables listed below);
#   - terminationGracePeriodSeconds exceeds SHUTDOWN_TIMEOUT_SECONDS plus the preStop delay;
#   - the pod runs as the Dockerfile's non-root user with the hardened securityContext;
#   - the Dockerfile uses only Debian bookworm images and copies what the build needs;
#   - every kustomization under deploy/ (deploy/kubernetes, its base, dev, overlays/s3) renders
#     with tests/deploy/render_kustomize.py (the kustomize features these files use, in python),
#     and the rendered overlays/s3 is N stateless replicas: a Deployment of 3 (no StatefulSet, no
#     PVC, no volumeClaimTemplates), its S3 settings from a ConfigMap and its secret keys from a
#     read-only Secret volume (<CLASS>_S3_SECRET_ACCESS_KEY_FILE), a PodDisruptionBudget that
#     leaves pods serving, topology spread over nodes and zones, and an HPA on CPU that scales it;
#   - where kubectl with kustomize v4 or later is installed, each rendering equals
#     `kubectl kustomize`'s: the same (kind, name) set and the same objects, in any order.
#     Without it that comparison is left out (one `note` line); every other check still runs.
# Needs bash, yamllint (Debian package `yamllint`) and python3 with PyYAML (a dependency of
# yamllint); kubectl is optional (Debian bookworm's kubernetes-client, kustomize v2.0.3, knows
# neither `labels` nor `patches`: it is not compared with). Prints one line per check and
# `deploy: N passed, M failed`; exits 1 on a failure.
#
# Usage: tests/deploy/check_manifests.sh [REPOSITORY_ROOT]   (default: this script's ../..)
set -euo pipefail

root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$root"

# Variables castor reads besides Config's kSettings (main.cpp and the authentication code).
extra_env=(LOG_FORMAT AUTH_MODE JWT_SECRET JWT_PUBLIC_KEY_FILE JWT_ISSUER JWT_AUDIENCE)

if ! command -v yamllint >/dev/null 2>&1; then
  echo "FAIL yamllint is not installed (apt-get install yamllint)"
  echo "deploy: 0 passed, 1 failed"
  exit 1
fi
python=""
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import yaml' 2>/dev/null; then
    python=$candidate
    break
  fi
done
if [[ -z $python ]]; then
  echo "FAIL python3 with PyYAML is not installed (apt-get install python3-yaml)"
  echo "deploy: 0 passed, 1 failed"
  exit 1
fi

passed=0
failed=0
# Each kustomization rendered as kubectl would apply it, by render_kustomize.py; compared with
# `kubectl kustomize` where a kubectl with kustomize v4+ is installed (v2 and v3 do not know the
# base's `labels` or the overlays' `patches`).
rendered=$(mktemp -d)
trap 'rm -rf "$rendered"' EXIT
mapfile -t kustomizations < <(find deploy -name kustomization.yaml -printf '%h\n' | sort)
kubectl_kustomize=""
if command -v kubectl >/dev/null 2>&1; then
  kubectl_kustomize=$(kubectl version --client 2>/dev/null |
    sed -n 's/^Kustomize Version: *v\{0,1\}\([0-9][0-9.]*\).*/\1/p' | head -n 1)
  if [[ -z $kubectl_kustomize || ${kubectl_kustomize%%.*} -lt 4 ]]; then
    echo "note kubectl $(command -v kubectl) has no kustomize v4 or later" \
      "(${kubectl_kustomize:-none}): the renderings are not compared with kubectl kustomize"
    kubectl_kustomize=""
  fi
else
  echo "note kubectl is not installed: the renderings are not compared with kubectl kustomize"
fi
for k in "${kustomizations[@]}"; do
  out="$rendered/$(tr / _ <<<"$k").yaml"
  if "$python" tests/deploy/render_kustomize.py "$k" >"$out" 2>"$rendered/error"; then
    echo "ok   render_kustomize.py $k"
    passed=$((passed + 1))
  else
    echo "FAIL render_kustomize.py $k: $(head -c 600 "$rendered/error")"
    failed=$((failed + 1))
    rm -f "$out"
    continue
  fi
  [[ -n $kubectl_kustomize ]] || continue
  if ! kubectl kustomize "$k" >"$rendered/kubectl.yaml" 2>"$rendered/error"; then
    echo "FAIL kubectl kustomize $k: $(head -c 600 "$rendered/error")"
    failed=$((failed + 1))
    continue
  fi
  # The same objects: (kind, name) sets, then each object, documents in any order.
  line=$("$python" - "$out" "$rendered/kubectl.yaml" "$k" "$kubectl_kustomize" 2>&1 <<'PY'
import json
import sys

import yaml


def load(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def ident(d):
    meta = d.get("metadata") or {}
    return (str(d.get("kind")), str(meta.get("name")), str(meta.get("namespace") or ""))


def first_difference(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                return f"{path}/{key}"
            found = first_difference(a[key], b[key], f"{path}/{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path} (length {len(a)} vs {len(b)})"
        for i, (x, y) in enumerate(zip(a, b)):
            found = first_difference(x, y, f"{path}/{i}")
            if found:
                return found
        return None
    return None if a == b else f"{path} ({json.dumps(a)} vs {json.dumps(b)})"


mine, theirs = load(sys.argv[1]), load(sys.argv[2])
what = f"render_kustomize.py {sys.argv[3]} equals kubectl kustomize (kustomize v{sys.argv[4]})"
ids_mine = sorted(ident(d) for d in mine)
ids_theirs = sorted(ident(d) for d in theirs)
problems = []
if ids_mine != ids_theirs:
    only_mine = sorted(set(ids_mine) - set(ids_theirs))
    only_theirs = sorted(set(ids_theirs) - set(ids_mine))
    problems.append(f"(kind, name) differ: only in python {only_mine}, only in kubectl "
                    f"{only_theirs}" + (", or duplicated" if not only_mine and not only_theirs
                                        else ""))
else:
    by_id = {ident(d): d for d in theirs}
    for d in mine:
        other = by_id[ident(d)]
        if json.dumps(d, sort_keys=True) != json.dumps(other, sort_keys=True):
            problems.append(f"{d['kind']} {d['metadata']['name']} differs at "
                            f"{first_difference(d, other)}")
print(f"FAIL {what}: {'; '.join(problems)}" if problems else f"ok   {what}")
PY
  ) || true
  echo "${line:0:800}"
  if [[ $line == "ok   "* ]]; then
    passed=$((passed + 1))
  else
    [[ $line == "FAIL "* ]] || echo "FAIL comparing $k with kubectl kustomize"
    failed=$((failed + 1))
  fi
done

if yamllint --strict -d '{extends: relaxed, rules: {line-length: {max: 100}}}' deploy; then
  echo "ok   yamllint deploy/"
  passed=$((passed + 1))
else
  echo "FAIL yamllint deploy/"
  failed=$((failed + 1))
fi

# The settings castor reads: the quoted names in kSettings, plus extra_env.
settings=$(sed -n '/kSettings\[\] *= *{/,/};/p' src/infrastructure/config.cpp |
  grep -o '"[A-Z][A-Z0-9_]*"' | tr -d '"' | sort -u || true)
# Each storage class's backend settings (config.h kStorageBackendSettings), HOT_ and COLD_.
storage_settings=$(sed -n '/kStorageBackendSettings\[\] *= *{/,/};/p' \
  src/infrastructure/config.h | grep -o '"[A-Z][A-Z0-9_]*"' | tr -d '"' |
  sed 's/^/HOT_/; p; s/^HOT_/COLD_/' | sort -u || true)
settings="$settings $storage_settings"

set +e
output=$(CASTOR_SETTINGS="$settings" CASTOR_EXTRA_ENV="${extra_env[*]}" \
  CASTOR_RENDERED="$rendered" "$python" - 2>&1 <<'PY'
import glob
import os
import re
import sys

import yaml

passed = 0
failed = 0


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {what}")
    else:
        failed += 1
        print(f"FAIL {what}" + (f": {detail}" if detail else ""))


settings = set(os.environ["CASTOR_SETTINGS"].split())
check(len(settings) >= 10 and "DATABASE_URL" in settings and "LISTEN_ADDR" in settings,
      "settings read from src/infrastructure/config.cpp kSettings", f"got {sorted(settings)}")
known_env = settings | set(os.environ["CASTOR_EXTRA_ENV"].split())

# Every YAML document under deploy/ (mappings only; anything else fails the next check).
documents = []  # (path, document)
files = sorted(glob.glob("deploy/**/*.yaml", recursive=True) +
               glob.glob("deploy/**/*.yml", recursive=True))
check(len(files) > 0, "YAML files found under deploy/")
for path in files:
    try:
        with open(path) as f:
            for doc in yaml.safe_load_all(f):
                if doc is not None:
                    documents.append((path, doc))
    except yaml.YAMLError as e:
        check(False, f"{path} parses", str(e))

missing = []
for path, doc in documents:
    if not isinstance(doc, dict):
        missing.append(path)
        continue
    if not doc.get("apiVersion") or not doc.get("kind") or \
            not isinstance(doc.get("metadata"), dict) or not doc["metadata"].get("name"):
        missing.append(path)
check(not missing, f"all {len(documents)} documents have apiVersion, kind and metadata.name",
      ", ".join(missing))
# The checks below look only at well-formed documents.
documents = [(path, doc) for path, doc in documents
             if isinstance(doc, dict) and isinstance(doc.get("metadata"), dict) and
             doc["metadata"].get("name") and doc.get("kind")]


def find(kind, name, base_only=True):
    for path, doc in documents:
        if base_only and ("/dev/" in path or "/overlays/" in path):
            continue
        if doc.get("kind") == kind and (doc.get("metadata") or {}).get("name") == name:
            return path, doc
    return None, None


# Kustomizations list files that exist.
for path, doc in documents:
    if doc.get("kind") != "Kustomization":
        continue
    here = os.path.dirname(path)
    refs = list(doc.get("resources", []))
    refs += [p["path"] for p in doc.get("patches", []) if isinstance(p, dict) and "path" in p]
    bad = [r for r in refs if not os.path.exists(os.path.join(here, r))]
    check(not bad, f"{path}: resources and patches exist", ", ".join(bad))
    if "resources" in doc:
        kept_out = [r for r in doc["resources"] if "example" in r]
        check(not kept_out, f"{path}: example files are not applied", ", ".join(kept_out))

_, config = find("ConfigMap", "castor-config")
_, sts = find("StatefulSet", "castor")
check(config is not None, "base ConfigMap castor-config exists")
check(sts is not None, "base StatefulSet castor exists")
if config is None or sts is None:
    sys.exit(1)

data = config.get("data", {})
listen = str(data.get("LISTEN_ADDR", ""))
m = re.fullmatch(r".*:(\d+)", listen)
check(m is not None, "ConfigMap LISTEN_ADDR is host:port", listen)
listen_port = int(m.group(1)) if m else None

pod = sts["spec"]["template"]
spec = pod["spec"]
containers = {c["name"]: c for c in spec.get("containers", [])}
check("castor" in containers, "StatefulSet has a container named castor")
castor = containers.get("castor", {})
ports = {p.get("name"): p.get("containerPort") for p in castor.get("ports", [])}
check(ports.get("http") == listen_port,
      "container port http matches LISTEN_ADDR", f"{ports} vs {listen_port}")

# Probes: real routes, on the container's port.
server = "".join(open(p).read() for p in sorted(glob.glob("src/api/*.cpp") +
                                                  glob.glob("src/api/*.h")))
routes = {"/health", "/ready", "/health/ready"}
for route in sorted(routes):
    check(f'"{route}"' in server, f"src/api/ serves {route}")
for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
    p = castor.get(probe)
    check(p is not None and "httpGet" in p, f"castor has an HTTP {probe}")
    if p and "httpGet" in p:
        get = p["httpGet"]
        check(get.get("path") in routes, f"{probe} path {get.get('path')} is a castor route")
        port = get.get("port")
        check(port == "http" or port == listen_port, f"{probe} port {port} is the http port")
check(castor.get("livenessProbe", {}).get("httpGet", {}).get("path") == "/health",
      "liveness uses /health (no database dependency)")
check(castor.get("readinessProbe", {}).get("httpGet", {}).get("path") in ("/ready",
                                                                            "/health/ready"),
      "readiness uses /ready")
startup = castor.get("startupProbe", {})
check(startup.get("failureThreshold", 0) * startup.get("periodSeconds", 10) >= 300,
      "startupProbe allows at least 5 minutes for migrations")

# Prometheus annotations.
annotations = pod.get("metadata", {}).get("annotations", {})
check(annotations.get("prometheus.io/scrape") == "true", "prometheus.io/scrape is \"true\"")
check(annotations.get("prometheus.io/path") == "/metrics", "prometheus.io/path is /metrics")
check(str(annotations.get("prometheus.io/port")) == str(listen_port),
      "prometheus.io/port matches LISTEN_ADDR")
check('"/metrics"' in server, "src/api/ serves /metrics")

# Services point at the named port and select the pods.
labels = pod.get("metadata", {}).get("labels", {})
services = [doc for path, doc in documents if doc.get("kind") == "Service" and
            "/dev/" not in path and "/overlays/" not in path]
check(len(services) >= 2, "a headless and a client Service exist")
check(any(s["spec"].get("clusterIP") == "None" and
          s["metadata"]["name"] == sts["spec"].get("serviceName") for s in services),
      "the StatefulSet's serviceName is a headless Service")
for s in services:
    name = s["metadata"]["name"]
    selector = s["spec"].get("selector", {})
    check(selector and all(labels.get(k) == v for k, v in selector.items()),
          f"Service {name} selects the castor pods")
    for p in s["spec"].get("ports", []):
        target = p.get("targetPort")
        check(target in ports or target == listen_port,
              f"Service {name} targets a container port", str(target))
pdbs = [doc for path, doc in documents if doc.get("kind") == "PodDisruptionBudget"]
check(any(all(labels.get(k) == v for k, v in
              pdb["spec"]["selector"]["matchLabels"].items()) for pdb in pdbs),
      "a PodDisruptionBudget selects the castor pods")

# Environment: only names castor reads.
env_names = set(data.keys())
for path, doc in documents:
    if doc.get("kind") not in ("StatefulSet", "Deployment"):
        continue
    for c in doc["spec"]["template"]["spec"].get("containers", []):
        if c.get("name") == "castor":
            env_names |= {e["name"] for e in c.get("env", [])}
            for source in c.get("envFrom", []):
                ref = source.get("configMapRef", {}).get("name")
                if ref:
                    _, cm = find("ConfigMap", ref, base_only=False)
                    check(cm is not None, f"envFrom ConfigMap {ref} exists")
                    if cm is not None:
                        env_names |= set((cm.get("data") or {}).keys())
dockerfile = open("deploy/Dockerfile").read()
docker_env = set()
for m in re.finditer(r"^ENV\s+((?:.*\\\n)*.*)$", dockerfile, re.M):
    docker_env |= set(re.findall(r"([A-Z][A-Z0-9_]*)=", m.group(1)))
env_names |= docker_env
unknown = sorted(env_names - known_env)
check(not unknown, f"all {len(env_names)} castor environment variables are settings castor reads",
      ", ".join(unknown))
secret_refs = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in castor.get("env", [])
               if "valueFrom" in e and "secretKeyRef" in e["valueFrom"]}
base_secret_refs = dict(secret_refs)
# The overlays' castor containers read Secrets of their own (the S3 credentials).
for path, doc in documents:
    if doc.get("kind") == "Deployment":
        for c in doc["spec"]["template"]["spec"].get("containers", []):
            if c.get("name") == "castor":
                for e in c.get("env", []):
                    if "secretKeyRef" in e.get("valueFrom", {}):
                        secret_refs.setdefault(e["name"], e["valueFrom"]["secretKeyRef"])
check("DATABASE_URL" in base_secret_refs, "DATABASE_URL comes from a Secret")
check(not any(k in data for k in ("DATABASE_URL", "JWT_SECRET")), "no secrets in the ConfigMap")
for path, doc in documents:
    if doc.get("kind") == "Secret":
        keys = set(doc.get("stringData", {})) | set(doc.get("data", {}))
        refs = {r["key"] for r in secret_refs.values() if r.get("name") == doc["metadata"]["name"]}
        check(refs <= keys | {r["key"] for r in secret_refs.values() if r.get("optional")},
              f"{path}: Secret has the keys castor needs", ", ".join(sorted(refs - keys)))

# S3_MASTER_KEY_FILE names a file of a read-only Secret volume, and the Secrets have its key.
master_key = str(data.get("S3_MASTER_KEY_FILE", ""))
check(master_key.startswith("/"), "ConfigMap S3_MASTER_KEY_FILE is an absolute path", master_key)
volumes = {v["name"]: v for v in spec.get("volumes", [])}
key_mount = next((m for m in castor.get("volumeMounts", [])
                  if master_key.startswith(m["mountPath"].rstrip("/") + "/")), None)
key_volume = volumes.get(key_mount["name"], {}) if key_mount else {}
key_secret = key_volume.get("secret", {})
item = next((i for i in key_secret.get("items", [])
             if key_mount and key_mount["mountPath"].rstrip("/") + "/" + i["path"] == master_key),
            None)
check(bool(key_secret) and item is not None and key_mount.get("readOnly") is True,
      "S3_MASTER_KEY_FILE is a file of a read-only Secret volume", master_key)
if item is not None:
    for path, doc in documents:
        if doc.get("kind") == "Secret" and doc["metadata"]["name"] == key_secret.get("secretName"):
            keys = set(doc.get("stringData", {})) | set(doc.get("data", {}))
            check(item["key"] in keys, f"{path}: Secret has the S3 master key ({item['key']})")

# Shutdown timing.
shutdown = int(data.get("SHUTDOWN_TIMEOUT_SECONDS", 30))
pre_stop = 0
command = castor.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
if len(command) == 2 and command[0] == "sleep":
    pre_stop = int(command[1])
grace = spec.get("terminationGracePeriodSeconds", 30)
check(grace > shutdown + pre_stop,
      f"terminationGracePeriodSeconds {grace} > SHUTDOWN_TIMEOUT_SECONDS {shutdown} + "
      f"preStop {pre_stop}")

# Security.
pod_sc = spec.get("securityContext", {})
sc = castor.get("securityContext", {})
m = re.search(r"^USER\s+(\d+)", dockerfile, re.M)
docker_user = int(m.group(1)) if m else None
check(docker_user is not None and docker_user != 0, "Dockerfile runs as a numeric non-root USER")
check(pod_sc.get("runAsNonRoot") is True and pod_sc.get("runAsUser") == docker_user and
      pod_sc.get("fsGroup") == docker_user, "pod runs as the image's user, volumes owned by it")
check(sc.get("allowPrivilegeEscalation") is False, "no privilege escalation")
check(sc.get("readOnlyRootFilesystem") is True, "read-only root filesystem")
check(sc.get("capabilities", {}).get("drop") == ["ALL"], "all capabilities dropped")
check((sc.get("seccompProfile") or pod_sc.get("seccompProfile", {})).get("type") ==
      "RuntimeDefault", "seccomp RuntimeDefault")
mounts = {m["mountPath"] for m in castor.get("volumeMounts", [])}
check("/tmp" in mounts, "/tmp is a writable volume")
check({data.get("HOT_STORAGE_PATH"), data.get("COLD_STORAGE_PATH")} <= mounts,
      "the storage roots are mounted volumes")
claims = {t["metadata"]["name"]: t for t in sts["spec"].get("volumeClaimTemplates", [])}
check({"hot", "cold"} <= set(claims) and
      all(c["spec"].get("storageClassName") for c in claims.values()),
      "hot and cold volumeClaimTemplates name a storage class")
res = castor.get("resources", {})
check(res.get("requests") and res.get("limits"), "resource requests and limits")
check(sts["spec"].get("replicas") == 1, "one replica by default")

# Dockerfile.
images = re.findall(r"^FROM\s+(\S+)", dockerfile, re.M)
check(images and all(re.fullmatch(r"debian:bookworm(-slim)?", i) for i in images),
      "Dockerfile uses only Debian bookworm images", ", ".join(images))
exposed = re.findall(r"^EXPOSE\s+(\d+)", dockerfile, re.M)
check(exposed == [str(listen_port)], f"Dockerfile EXPOSEs {listen_port}", ", ".join(exposed))
m = re.search(r"LISTEN_ADDR=\S*:(\d+)", dockerfile)
check(m is not None and int(m.group(1)) == listen_port, "Dockerfile LISTEN_ADDR port")
check(re.search(r"^HEALTHCHECK .*", dockerfile, re.M) is not None and "/health" in dockerfile,
      "Dockerfile HEALTHCHECK against /health")
check(re.search(r"^STOPSIGNAL SIGTERM", dockerfile, re.M) is not None, "STOPSIGNAL SIGTERM")
check('ENTRYPOINT ["/usr/local/bin/castor"]' in dockerfile, "ENTRYPOINT is castor")
check("-DCASTOR_BUILD_TESTS=OFF" in dockerfile, "the image build skips the tests")
# Whatever the top-level CMakeLists.txt includes must be copied into the build stage.
copied = set(re.findall(r"^COPY\s+(?!--)(\S+)", dockerfile, re.M))
cmake = open("CMakeLists.txt").read()
needed = set()
for m in re.finditer(r"^\s*(?:include|add_subdirectory|configure_file)\(\s*([^\s)$]+)", cmake,
                     re.M):
    # include(CheckSymbolExists) names a CMake module, not a file of the project.
    if m.group(1)[0].isupper() and "/" not in m.group(1) and "." not in m.group(1):
        continue
    needed.add(m.group(1).split("/")[0])
needed |= {m.group(1) for m in re.finditer(r"^\s+(src|migrations|tests)/", cmake, re.M)}
# fuzz/ is configured only with -DCASTOR_FUZZ=ON (clang), which the image build never sets.
check("CASTOR_FUZZ" not in dockerfile, "the image build does not build the fuzz targets")
needed.discard("fuzz")
not_copied = sorted(n for n in needed if n not in copied and n != "CMakeLists.txt")
check(not not_copied, "Dockerfile copies every directory CMakeLists.txt uses",
      ", ".join(not_copied))
# The rendered overlays/s3 (tests/deploy/check_overlay_s3.py).
sys.path.insert(0, "tests/deploy")
import check_overlay_s3  # noqa: E402

check_overlay_s3.run(check, os.path.join(os.environ["CASTOR_RENDERED"],
                                         "deploy_kubernetes_overlays_s3.yaml"), known_env)
print("checks complete")
sys.exit(1 if failed else 0)
PY
)
status=$?
set -e
grep -vx 'checks complete' <<<"$output" || true
passed=$((passed + $(grep -c '^ok ' <<<"$output" || true)))
failed=$((failed + $(grep -c '^FAIL' <<<"$output" || true)))
if ! grep -qx 'checks complete' <<<"$output"; then
  echo "FAIL the manifest checks stopped early (exit status $status)"
  failed=$((failed + 1))
fi
echo "deploy: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
