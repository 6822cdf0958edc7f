#!/usr/bin/env python3
"""Renders a kustomization like `kubectl kustomize DIR`, for tests/deploy/check_manifests.sh on
machines without a kubectl new enough for our kustomizations (Debian bookworm's kubernetes-client
carries kustomize v2.0.3, which knows neither `labels` nor `patches`).

Only the kustomize features deploy/kubernetes uses are implemented; anything else in a
kustomization (a field, a patch option, a selector, an operation) is an error naming it, never
silently ignored:
  - resources: YAML files (several documents each) and directories with a kustomization;
  - patches: from `path` or inline `patch`, with or without `target` (kind, name, group, version,
    namespace); a strategic-merge patch (maps merged, `null` deletes a key, lists of containers,
    volumes, env, ... merged by their key, other lists replaced, `$patch: delete` and
    `$patch: replace`) or a JSON 6902 patch (add, remove, replace, move, copy, test);
  - labels: `pairs`, with includeSelectors and includeTemplates false (absent);
  - images: name with newName, newTag and digest.
Transformers run in kustomize's order: patches, labels, images. Output: the objects as a
multi-document YAML stream (keys sorted, kinds in kustomize's legacy order, like kubectl).

Usage: render_kustomize.py DIR    (exit 1 with `render_kustomize: ...` on stderr on an error)
Needs python3 and PyYAML.
"""
import copy
import os
import re
import sys

import yaml

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
KUSTOMIZATION_FIELDS = {"apiVersion", "kind", "metadata", "resources", "patches", "labels",
                        "images"}
PATCH_FIELDS = {"path", "patch", "target"}
TARGET_FIELDS = {"group", "version", "kind", "name", "namespace"}
LABEL_FIELDS = {"pairs", "includeSelectors", "includeTemplates"}
IMAGE_FIELDS = {"name", "newName", "newTag", "digest"}

# Strategic merge: the merge key of lists Kubernetes merges element by element (the
# patchMergeKey of their fields in the API). Other lists are replaced by the patch's.
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "volumes": "name",
    "env": "name",
    "imagePullSecrets": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
    "conditions": "type",
}

# kustomize's legacy output order (api/resid/gvk.go orderFirst and orderLast).
ORDER_FIRST = ["Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition",
               "ServiceAccount", "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding",
               "ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints", "Service", "LimitRange",
               "PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Deployment",
               "StatefulSet", "CronJob", "PodDisruptionBudget"]
ORDER_LAST = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]


class RenderError(Exception):
    pass


def fail(message):
    raise RenderError(message)


def check_fields(mapping, allowed, where):
    if not isinstance(mapping, dict):
        fail(f"{where}: expected a mapping, got {type(mapping).__name__}")
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        fail(f"{where}: unsupported field(s) {', '.join(unknown)} "
             f"(render_kustomize.py implements only {', '.join(sorted(allowed))})")


def load_yaml_documents(path):
    try:
        with open(path) as f:
            return [d for d in yaml.safe_load_all(f) if d is not None]
    except (OSError, yaml.YAMLError) as e:
        fail(f"{path}: {e}")


def resource_id(obj):
    meta = obj.get("metadata") or {}
    return (obj.get("apiVersion", "").split("/")[0] if "/" in obj.get("apiVersion", "") else "",
            obj.get("kind"), meta.get("namespace"), meta.get("name"))


def describe(obj):
    meta = obj.get("metadata") or {}
    ns = f"{meta['namespace']}/" if meta.get("namespace") else ""
    return f"{obj.get('kind')} {ns}{meta.get('name')}"


def find_kustomization(directory):
    found = [os.path.join(directory, n) for n in KUSTOMIZATION_FILES
             if os.path.isfile(os.path.join(directory, n))]
    if not found:
        fail(f"{directory}: no kustomization.yaml")
    if len(found) > 1:
        fail(f"{directory}: more than one kustomization file: {', '.join(found)}")
    return found[0]


def read_resource_file(path):
    objects = []
    for doc in load_yaml_documents(path):
        if not isinstance(doc, dict):
            fail(f"{path}: a document is not a mapping")
        if doc.get("kind") in ("List",) or str(doc.get("kind", "")).endswith("List"):
            fail(f"{path}: {doc.get('kind')} documents are not supported")
        if not doc.get("apiVersion") or not doc.get("kind") or \
                not isinstance(doc.get("metadata"), dict) or not doc["metadata"].get("name"):
            fail(f"{path}: a document lacks apiVersion, kind or metadata.name")
        if doc["kind"] == "Kustomization":
            fail(f"{path}: a Kustomization listed as a resource")
        objects.append(doc)
    return objects


# ---------------------------------------------------------------------------------------------
# Strategic merge patches.

def strategic_merge(base, patch, where):
    """Returns base (a mapping) with the strategic-merge patch applied; None if deleted."""
    patch = dict(patch)
    directive = patch.pop("$patch", None)
    for key in patch:
        if isinstance(key, str) and key.startswith("$"):
            fail(f"{where}: unsupported strategic-merge directive {key}")
    if directive == "delete":
        return None
    if directive == "replace":
        return copy.deepcopy(patch)
    if directive not in (None, "merge"):
        fail(f"{where}: unsupported $patch: {directive}")
    result = dict(base) if isinstance(base, dict) else {}
    for key, value in patch.items():
        here = f"{where}.{key}"
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict):
            merged = strategic_merge(result.get(key) if isinstance(result.get(key), dict) else {},
                                     value, here)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        elif isinstance(value, list):
            result[key] = merge_list(key, result.get(key), value, here)
        else:
            result[key] = copy.deepcopy(value)
    return result


def list_merge_key(field, elements):
    if field == "ports":
        # A container's ports merge on containerPort, a Service's on port.
        if all(isinstance(e, dict) and "containerPort" in e for e in elements):
            return "containerPort"
        if all(isinstance(e, dict) and "port" in e for e in elements):
            return "port"
        fail(f"ports: cannot tell a container's ports from a Service's: {elements}")
    return MERGE_KEYS.get(field)


def merge_list(field, base, patch, where):
    key = list_merge_key(field, patch)
    if key is None:
        if any(isinstance(e, dict) and ("$patch" in e or "name" in e) for e in patch):
            # A list of named mappings that is not in MERGE_KEYS: kustomize might merge it
            # (its OpenAPI schema decides); replacing it could silently differ.
            fail(f"{where}: strategic merge of list field {field} is not supported "
                 "(its merge key is not in render_kustomize.py's MERGE_KEYS)")
        return copy.deepcopy(patch)
    # kustomize's order (kubectl 1.32, kustomize v5.5): the patch's elements first, in the
    # patch's order (existing ones merged in place of their patch element), then the elements
    # the patch does not name, in their order.
    base = [e for e in (base or []) if isinstance(e, dict)]
    named = []
    result = []
    for element in patch:
        if not isinstance(element, dict) or key not in element:
            fail(f"{where}: a patch element has no merge key {key}")
        here = f"{where}[{key}={element[key]}]"
        existing = next((e for e in base if e.get(key) == element[key]), None)
        named.append(element[key])
        merged = strategic_merge(existing or {}, element, here)
        if merged is not None:
            result.append(merged)
    result += [copy.deepcopy(e) for e in base if e.get(key) not in named]
    return result


# ---------------------------------------------------------------------------------------------
# JSON 6902 patches.

def pointer(path, where):
    if path == "":
        return []
    if not path.startswith("/"):
        fail(f"{where}: JSON pointer {path!r} does not start with /")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def walk(doc, tokens, path, where):
    node = doc
    for token in tokens:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and re.fullmatch(r"0|[1-9][0-9]*", token) and \
                int(token) < len(node):
            node = node[int(token)]
        else:
            fail(f"{where}: path {path} does not exist")
    return node


def json_add(doc, tokens, value, path, where):
    if not tokens:
        return value
    parent = walk(doc, tokens[:-1], path, where)
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        if last == "-":
            parent.append(value)
        elif re.fullmatch(r"0|[1-9][0-9]*", last) and int(last) <= len(parent):
            parent.insert(int(last), value)
        else:
            fail(f"{where}: add: index {last} out of range in {path}")
    else:
        fail(f"{where}: add: the parent of {path} is not a container")
    return doc


def json_remove(doc, tokens, path, where):
    if not tokens:
        fail(f"{where}: remove of the whole document")
    parent = walk(doc, tokens[:-1], path, where)
    walk(parent, tokens[-1:], path, where)  # must exist
    if isinstance(parent, dict):
        return parent.pop(tokens[-1])
    return parent.pop(int(tokens[-1]))


def json_patch(doc, operations, where):
    if not isinstance(operations, list):
        fail(f"{where}: a JSON 6902 patch is a list of operations")
    for n, op in enumerate(operations):
        here = f"{where}[{n}]"
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            fail(f"{here}: an operation needs op and path")
        allowed = {"op", "path"} | ({"value"} if op["op"] in ("add", "replace", "test") else
                                    {"from"} if op["op"] in ("move", "copy") else set())
        check_fields(op, allowed, here)
        tokens = pointer(op["path"], here)
        kind = op["op"]
        if kind == "add":
            doc = json_add(doc, tokens, copy.deepcopy(op.get("value")), op["path"], here)
        elif kind == "remove":
            json_remove(doc, tokens, op["path"], here)
        elif kind == "replace":
            walk(doc, tokens, op["path"], here)  # must exist
            if tokens:
                json_remove(doc, tokens, op["path"], here)
            doc = json_add(doc, tokens, copy.deepcopy(op.get("value")), op["path"], here)
        elif kind in ("move", "copy"):
            source = pointer(op["from"], here)
            value = copy.deepcopy(walk(doc, source, op["from"], here))
            if kind == "move":
                json_remove(doc, source, op["from"], here)
            doc = json_add(doc, tokens, value, op["path"], here)
        elif kind == "test":
            if walk(doc, tokens, op["path"], here) != op.get("value"):
                fail(f"{here}: test of {op['path']} failed")
        else:
            fail(f"{here}: unsupported JSON 6902 op {kind}")
    return doc


# ---------------------------------------------------------------------------------------------
# Transformers.

def matches_target(obj, target):
    group, _, version = obj["apiVersion"].rpartition("/")
    meta = obj["metadata"]
    if "kind" in target and obj["kind"] != target["kind"]:
        return False
    if "group" in target and group != target["group"]:
        return False
    if "version" in target and version != target["version"]:
        return False
    # kustomize matches name and namespace as anchored regular expressions.
    if "name" in target and not re.fullmatch(target["name"], meta["name"]):
        return False
    if "namespace" in target and not re.fullmatch(target["namespace"],
                                                  meta.get("namespace") or ""):
        return False
    return True


def apply_patch(objects, entry, directory, where):
    check_fields(entry, PATCH_FIELDS, where)
    if ("path" in entry) == ("patch" in entry):
        fail(f"{where}: a patch needs exactly one of path and patch")
    if "path" in entry:
        docs = load_yaml_documents(os.path.join(directory, entry["path"]))
        where = f"{where} ({entry['path']})"
    else:
        try:
            docs = [d for d in yaml.safe_load_all(entry["patch"]) if d is not None]
        except yaml.YAMLError as e:
            fail(f"{where}: {e}")
    if len(docs) != 1:
        fail(f"{where}: a patch must be one YAML document, got {len(docs)}")
    patch = docs[0]
    target = entry.get("target")
    if target is not None:
        check_fields(target, TARGET_FIELDS, f"{where}.target")
        chosen = [i for i, o in enumerate(objects) if o is not None and matches_target(o, target)]
        # kustomize applies a patch whose target matches nothing to nothing, silently.
    else:
        if not isinstance(patch, dict):
            fail(f"{where}: a JSON 6902 patch needs a target")
        group, _, _ = str(patch.get("apiVersion", "")).rpartition("/")
        name = (patch.get("metadata") or {}).get("name")
        namespace = (patch.get("metadata") or {}).get("namespace")
        chosen = [i for i, o in enumerate(objects) if o is not None and
                  o["kind"] == patch.get("kind") and o["metadata"]["name"] == name and
                  o["apiVersion"].rpartition("/")[0] == group and
                  (namespace is None or o["metadata"].get("namespace") == namespace)]
        if len(chosen) != 1:
            fail(f"{where}: the patch of {patch.get('kind')} {name} matches {len(chosen)} "
                 "resources, not one")
    for i in chosen:
        if isinstance(patch, list):
            objects[i] = json_patch(copy.deepcopy(objects[i]), patch,
                                    f"{where} on {describe(objects[i])}")
        elif isinstance(patch, dict):
            if not patch.get("apiVersion") or not patch.get("kind"):
                # kustomize: "unable to parse SM or JSON patch".
                fail(f"{where}: a strategic-merge patch needs apiVersion and kind")
            p = copy.deepcopy(patch)
            if target is not None:
                # With a target, the patch's own kind and name do not choose the resource.
                p.pop("kind", None)
                p.pop("apiVersion", None)
                if isinstance(p.get("metadata"), dict):
                    p["metadata"].pop("name", None)
                    p["metadata"].pop("namespace", None)
            objects[i] = strategic_merge(objects[i], p, f"{where} on {describe(objects[i])}")
        else:
            fail(f"{where}: a patch is a mapping (strategic merge) or a list (JSON 6902)")


def apply_labels(objects, entry, where):
    check_fields(entry, LABEL_FIELDS, where)
    for option in ("includeSelectors", "includeTemplates"):
        if entry.get(option):
            fail(f"{where}: {option}: true is not supported by render_kustomize.py")
    pairs = entry.get("pairs") or {}
    if not isinstance(pairs, dict):
        fail(f"{where}.pairs: expected a mapping")
    for obj in objects:
        labels = obj["metadata"].get("labels") or {}
        labels.update({str(k): str(v) for k, v in pairs.items()})
        obj["metadata"]["labels"] = labels


def split_image(image):
    name, digest = (image.split("@", 1) + [None])[:2]
    tag = None
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1:]
    return name, tag, digest


def apply_image(objects, entry, where):
    check_fields(entry, IMAGE_FIELDS, where)
    if "name" not in entry:
        fail(f"{where}: an image needs a name")

    def update(image):
        name, tag, digest = split_image(image)
        if name != entry["name"]:
            return image
        name = str(entry.get("newName", name))
        if "digest" in entry:
            return f"{name}@{entry['digest']}"
        if "newTag" in entry:
            return f"{name}:{entry['newTag']}"
        return name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")

    def visit(node):
        # Like kustomize's legacy image filter: every containers and initContainers list.
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("containers", "initContainers") and isinstance(value, list):
                    for c in value:
                        if isinstance(c, dict) and isinstance(c.get("image"), str):
                            c["image"] = update(c["image"])
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    for obj in objects:
        visit(obj)


# ---------------------------------------------------------------------------------------------

def render(directory, stack=()):
    directory = os.path.normpath(directory)
    if directory in stack:
        fail(f"{directory}: kustomization cycle: {' -> '.join(stack + (directory,))}")
    path = find_kustomization(directory)
    docs = load_yaml_documents(path)
    if len(docs) != 1:
        fail(f"{path}: expected one YAML document")
    k = docs[0]
    check_fields(k, KUSTOMIZATION_FIELDS, path)
    if k.get("kind", "Kustomization") != "Kustomization" or \
            k.get("apiVersion", "kustomize.config.k8s.io/v1beta1") != \
            "kustomize.config.k8s.io/v1beta1":
        fail(f"{path}: not a kustomize.config.k8s.io/v1beta1 Kustomization")

    objects = []
    for ref in k.get("resources") or []:
        if not isinstance(ref, str) or re.match(r"^[a-z][a-z0-9+.-]*://|^git@|^github\.com/", ref):
            fail(f"{path}: resources: {ref!r} is not a local file or directory")
        full = os.path.join(directory, ref)
        if os.path.isdir(full):
            objects += render(full, stack + (directory,))
        elif os.path.isfile(full):
            objects += read_resource_file(full)
        else:
            fail(f"{path}: resources: {ref} does not exist")
    seen = {}
    for obj in objects:
        rid = resource_id(obj)
        if rid in seen:
            fail(f"{path}: {describe(obj)} is defined twice")
        seen[rid] = obj

    for n, entry in enumerate(k.get("patches") or []):
        apply_patch(objects, entry, directory, f"{path}: patches[{n}]")
        objects = [o for o in objects if o is not None]
    for n, entry in enumerate(k.get("labels") or []):
        apply_labels(objects, entry, f"{path}: labels[{n}]")
    for n, entry in enumerate(k.get("images") or []):
        apply_image(objects, entry, f"{path}: images[{n}]")
    return objects


def order(obj):
    kind = obj["kind"]
    if kind in ORDER_FIRST:
        rank = ORDER_FIRST.index(kind)
    elif kind in ORDER_LAST:
        rank = len(ORDER_FIRST) + 1 + ORDER_LAST.index(kind)
    else:
        rank = len(ORDER_FIRST)
    meta = obj["metadata"]
    return (rank, kind, obj["apiVersion"], meta.get("namespace") or "", meta["name"])


class Dumper(yaml.SafeDumper):
    pass


def represent_str(dumper, value):
    # PyYAML writes y and n bare, which Go's YAML 1.1 (kubectl apply) reads as booleans.
    if value in ("y", "Y", "n", "N"):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_str(value)


Dumper.add_representer(str, represent_str)


def main(argv):
    if len(argv) != 2 or argv[1].startswith("-"):
        print("usage: render_kustomize.py DIR", file=sys.stderr)
        return 2
    try:
        objects = render(argv[1])
    except RenderError as e:
        print(f"render_kustomize: {e}", file=sys.stderr)
        return 1
    yaml.dump_all(sorted(objects, key=order), sys.stdout, Dumper=Dumper,
                  default_flow_style=False, sort_keys=True, width=100)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
