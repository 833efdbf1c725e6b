"""/openapi/v3: an index and one document per group-version. Each kind's PATCH operation
carries its group-version-kind and the `fieldValidation` parameter, which is what kubectl's
`create -f`/`apply -f` look for before sending `fieldValidation=Strict`."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

import orjson

from apiserver.api.discovery import groups, resources_of, versions_of


def _gv_path(group: str, version: str) -> str:
    return f"api/{version}" if not group else f"apis/{group}/{version}"


@lru_cache(maxsize=None)
def document(group: str, version: str) -> bytes:
    paths: dict[str, Any] = {}
    for rt in resources_of(group, version):
        base = f"/{_gv_path(group, version)}/" + ("namespaces/{namespace}/" if rt.namespaced else "")
        gvk = {"group": group, "version": version, "kind": rt.kind}
        params = [{"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": True}},
                  {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": True}},
                  {"name": "fieldManager", "in": "query", "schema": {"type": "string", "uniqueItems": True}}]
        op = {"x-kubernetes-group-version-kind": gvk, "parameters": params,
              "responses": {"200": {"description": "OK"}}}
        paths[base + rt.plural + "/{name}"] = {"patch": {**op, "x-kubernetes-action": "patch"},
                                               "put": {**op, "x-kubernetes-action": "put"}}
        paths[base + rt.plural] = {"post": {**op, "x-kubernetes-action": "post"}}
    doc = {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.37.1"},
           "paths": paths, "components": {"schemas": {}}}
    return orjson.dumps(doc)


def index() -> dict[str, Any]:
    paths = {}
    for group in groups():
        for version in versions_of(group):
            digest = hashlib.sha256(document(group, version)).hexdigest()[:16].upper()
            path = _gv_path(group, version)
            paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={digest}"}
    return {"paths": paths}
