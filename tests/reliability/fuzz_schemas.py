"""The Kubernetes 1.37 API schemas as test data, read straight from the kubernetes-validate
package (not through the server's code): every field path a kind defines, with its JSON type,
and values of every other type to send there. Also a minimal valid body per served kind."""

from __future__ import annotations

import copy
import importlib.util
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

Schema = dict[str, Any]
MAX_DEPTH = 9

# Minimal valid bodies; a kind that is not listed starts from its metadata alone.
BASES: dict[str, dict[str, Any]] = {
    "Pod": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}},
    "ReplicationController": {"spec": {"replicas": 1, "selector": {"app": "fz"}, "template": {
        "metadata": {"labels": {"app": "fz"}}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}},
    "Service": {"spec": {"ports": [{"port": 80}]}},
    "ConfigMap": {"data": {"k": "v"}},
    "Secret": {"stringData": {"k": "v"}},
    "Endpoints": {"subsets": [{"addresses": [{"ip": "10.0.0.1"}], "ports": [{"port": 80}]}]},
    "Event": {"involvedObject": {"kind": "Pod", "name": "x", "namespace": "fuzz"}, "reason": "R", "message": "m"},
    "Lease": {"spec": {"holderIdentity": "h"}},
    "EndpointSlice": {"addressType": "IPv4", "endpoints": [{"addresses": ["10.0.0.1"]}]},
}

# Values of each JSON type; a field gets every one its schema does not accept.
SAMPLES: dict[str, list[Any]] = {
    "string": ["text"], "integer": [7], "number": [2.5], "boolean": [True],
    "array": [["x"]], "object": [{"k": "v"}],
}


@dataclass(frozen=True)
class Field:
    path: tuple[str, ...]  # "[]" is a list element, "*" a map value
    accepts: frozenset[str]  # JSON types the field takes ("number" also takes integers)


@lru_cache(maxsize=1)
def schema_dir() -> Path:
    spec = importlib.util.find_spec("kubernetes_validate")
    assert spec is not None and spec.submodule_search_locations, "kubernetes-validate is not installed"
    return Path(list(spec.submodule_search_locations)[0]) / "kubernetes-json-schema" / "v1.37.0-local"


@lru_cache(maxsize=1)
def definitions() -> dict[str, Schema]:
    return json.loads((schema_dir() / "_definitions.json").read_text())["$defs"]


def kind_schema(group: str, version: str, kind: str) -> Schema | None:
    prefix = group.split(".")[0]
    name = f"{kind.lower()}-{prefix}-{version}.json" if group else f"{kind.lower()}-{version}.json"
    path = schema_dir() / name
    return json.loads(path.read_text()) if path.is_file() else None


def _resolve(schema: Schema) -> tuple[Schema, str]:
    ref = ""
    while "$ref" in schema:
        ref = schema["$ref"].rsplit("/", 1)[-1]
        schema = definitions()[ref]
    return schema, ref


def _accepts(schema: Schema) -> frozenset[str]:
    if "oneOf" in schema:
        return frozenset(t for alt in schema["oneOf"] for t in _types(alt)) | (
            {"integer"} if any("number" in _types(alt) for alt in schema["oneOf"]) else set())
    types = set(_types(schema))
    return frozenset(types | ({"integer"} if "number" in types else set()))


def _types(schema: Schema) -> list[str]:
    t = schema.get("type") or []
    return [x for x in (t if isinstance(t, list) else [t]) if x != "null"]


def fields(schema: Schema) -> list[Field]:
    """Every field path under `schema` (recursive types once, at most MAX_DEPTH deep)."""
    out: list[Field] = []

    def walk(node: Schema, path: tuple[str, ...], seen: frozenset[str]) -> None:
        resolved, ref = _resolve(node)
        if ref in seen or len(path) > MAX_DEPTH:
            return
        seen = seen | {ref} if ref else seen
        accepts = _accepts(resolved)
        if path and accepts:
            out.append(Field(path, accepts))
        if "object" in accepts:
            for key, sub in (resolved.get("properties") or {}).items():
                walk(sub, path + (key,), seen)
            extra = resolved.get("additionalProperties")
            if isinstance(extra, dict) and not resolved.get("properties"):
                walk(extra, path + ("*",), seen)
        elif "array" in accepts:
            walk(resolved.get("items") or {}, path + ("[]",), seen)

    walk(schema, (), frozenset())
    return out


def wrong_values(field: Field) -> list[Any]:
    return [v for t, values in SAMPLES.items() if t not in field.accepts for v in values]


def body_with(base: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A copy of `base` with `value` at `path`, creating what lies between."""
    body = copy.deepcopy(base)
    node: Any = body
    for i, step in enumerate(path):
        last = i == len(path) - 1
        nxt = path[i + 1] if not last else None
        empty: Any = [] if nxt == "[]" else {}
        if step == "[]":
            if not node:
                node.append(empty)
            if last:
                node[0] = value
            node = node[0]
        else:
            key = "k" if step == "*" else step
            if last:
                node[key] = value
            else:
                if not isinstance(node.get(key), (dict, list)):
                    node[key] = empty
                node = node[key]
    return body
