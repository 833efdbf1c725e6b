"""OpenAPI documents, as kube-apiserver serves them: /openapi/v3 (an index and one document per
group-version) and /openapi/v2 (one swagger 2.0 document), built from the CATALOG and the
schemas of `apiserver.schemas`.

kubectl reads them: `explain` walks `components.schemas` by x-kubernetes-group-version-kind;
`create`/`apply` send `fieldValidation=Strict` once the kind's PATCH operation lists that
parameter; `apply` computes its strategic merge patch from the schemas' patch merge keys when
the PATCH operation accepts `application/strategic-merge-patch+json`. Documents are built on
first request and cached; the schemas they reference are loaded then, not at start-up.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson

from apiserver import schemas
from apiserver.api.discovery import VERSION_INFO, subresource_kind, groups, resources_of, versions_of
from apiserver.machinery.patch import ACCEPTED_PATCH_TYPES
from apiserver.resources.base import ResourceType

V3_REF = "#/components/schemas/"
V2_REF = "#/definitions/"
_META = "io.k8s.apimachinery.pkg.apis.meta.v1."
_RESPONSE_TYPES = ("application/json", "application/yaml")
_CODES = {"200": "OK", "201": "Created", "202": "Accepted"}
_WRITE = ("dryRun", "fieldManager", "fieldValidation")
_DELETE = ("gracePeriodSeconds", "orphanDependents", "propagationPolicy", "dryRun")
_LIST = ("allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit", "resourceVersion",
         "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds", "watch")
_PARAM_TYPES = {"force": "boolean", "orphanDependents": "boolean", "allowWatchBookmarks": "boolean",
                "sendInitialEvents": "boolean", "watch": "boolean", "gracePeriodSeconds": "integer",
                "limit": "integer", "timeoutSeconds": "integer"}
_BODY = {"create": "own", "update": "own", "patch": _META + "Patch", "delete": _META + "DeleteOptions",
         "deletecollection": _META + "DeleteOptions"}


@dataclass(frozen=True)
class _Verb:
    """How one API verb appears in kube's documents: HTTP method, x-kubernetes-action,
    operation id and description (templates), query parameters and response codes."""

    method: str
    action: str
    op_id: str
    description: str
    params: tuple[str, ...] = ()
    codes: tuple[str, ...] = ("200",)


_COLLECTION = {
    "list": _Verb("get", "list", "list{stem}{scope}{kind}", "list or watch objects of kind {kind}", _LIST),
    "create": _Verb("post", "post", "create{stem}{scope}{kind}", "create {a} {kind}", _WRITE, ("200", "201", "202")),
    "deletecollection": _Verb("delete", "deletecollection", "delete{stem}Collection{scope}{kind}",
                              "delete collection of {kind}", _DELETE + _LIST),
}
_ITEM = {
    "get": _Verb("get", "get", "read{stem}{scope}{kind}", "read the specified {kind}"),
    "update": _Verb("put", "put", "replace{stem}{scope}{kind}", "replace the specified {kind}", _WRITE,
                    ("200", "201")),
    "patch": _Verb("patch", "patch", "patch{stem}{scope}{kind}", "partially update the specified {kind}",
                   (*_WRITE, "force"), ("200", "201")),
    "delete": _Verb("delete", "delete", "delete{stem}{scope}{kind}", "delete {a} {kind}", _DELETE, ("200", "202")),
}
# A subresource's verbs: `read status of the specified Pod`, `create binding of a Pod`.
_SUB = {
    "get": _Verb("get", "get", "read{stem}{scope}{kind}{Sub}", "read {sub} of the specified {kind}"),
    "update": _Verb("put", "put", "replace{stem}{scope}{kind}{Sub}", "replace {sub} of the specified {kind}",
                    _WRITE, ("200", "201")),
    "patch": _Verb("patch", "patch", "patch{stem}{scope}{kind}{Sub}", "partially update {sub} of the specified {kind}",
                   (*_WRITE, "force"), ("200", "201")),
    "create": _Verb("post", "post", "create{stem}{scope}{kind}{Sub}", "create {sub} of {a} {kind}", _WRITE,
                    ("200", "201", "202")),
}


@dataclass(frozen=True)
class _Op:
    path: str
    method: str
    action: str
    op_id: str
    description: str
    gvk: dict[str, str]
    params: tuple[str, ...] = ()
    body: str | None = None  # request body type, or None
    response: str | None = None  # response type; None is a plain string (pod logs)
    codes: tuple[str, ...] = ("200",)


def _gv_path(group: str, version: str) -> str:
    return f"api/{version}" if not group else f"apis/{group}/{version}"


def _prefix(group: str, version: str) -> str:
    """`CoreV1`, `CoordinationV1`, `RbacAuthorizationV1`: kube's operation-id stem."""
    parts = (group.removesuffix(".k8s.io") or "core").split(".")
    return "".join(p[:1].upper() + p[1:] for p in parts) + version.capitalize()


def _tag(group: str, version: str) -> str:
    stem = _prefix(group, version).removesuffix(version.capitalize())
    return f"{stem[:1].lower()}{stem[1:]}_{version}"


def _type(group: str, version: str, kind: str) -> str:
    # Every served kind has a schema (tested); Status keeps a document well-formed otherwise.
    return schemas.definition_name(group, version, kind) or _META + "Status"


def _op(verb: str, spec: _Verb, path: str, gvk: dict[str, str], own: str, response: str | None,
        names: dict[str, str]) -> _Op:
    body = _BODY.get(verb)
    return _Op(path, spec.method, spec.action, spec.op_id.format(**names), spec.description.format(**names), gvk,
               spec.params, own if body == "own" else body, response, spec.codes)


def _resource_ops(rt: ResourceType) -> list[_Op]:
    g, v = rt.group, rt.version
    gvk = {"group": g, "version": v, "kind": rt.kind}
    names = {"stem": _prefix(g, v), "scope": "Namespaced" if rt.namespaced else "", "kind": rt.kind,
             "a": "an" if rt.kind[0] in "AEIOU" else "a"}
    base = f"/{_gv_path(g, v)}/" + ("namespaces/{namespace}/" if rt.namespaced else "") + rt.plural
    own, status, listed = _type(g, v, rt.kind), _META + "Status", _type(g, v, rt.list_kind)
    responses = {"list": listed, "deletecollection": status, "delete": own if rt.delete_returns_object else status}
    ops = [_op(verb, spec, base, gvk, own, responses.get(verb, own), names)
           for verb, spec in _COLLECTION.items() if verb in rt.verbs]
    if rt.namespaced and "list" in rt.verbs:
        everywhere = _Verb("get", "list", "list{stem}{kind}ForAllNamespaces", _COLLECTION["list"].description, _LIST)
        ops.append(_op("list", everywhere, f"/{_gv_path(g, v)}/{rt.plural}", gvk, own, listed, names))
    ops += [_op(verb, spec, base + "/{name}", gvk, own, responses.get(verb, own), names)
            for verb, spec in _ITEM.items() if verb in rt.verbs]
    for sub in rt.subresources:
        sub_gvk, verbs = subresource_kind(rt, sub)
        target = _type(sub_gvk["group"], sub_gvk["version"], sub_gvk["kind"])
        sub_names = names | {"sub": sub, "Sub": sub.capitalize()}
        # pods/log answers plain text (response None)
        ops += [_op(verb, _SUB[verb], f"{base}/{{name}}/{sub}", sub_gvk, target, None if sub == "log" else target,
                    sub_names) for verb in verbs]
    return ops


def _ops(group: str, version: str) -> list[_Op]:
    return [op for rt in resources_of(group, version) for op in _resource_ops(rt)]


def _root_types(ops: list[_Op]) -> list[str]:
    names = {_META + "Status", _META + "WatchEvent"}
    for op in ops:
        names.update(n for n in (op.body, op.response) if n)
        names.add(_type(op.gvk["group"], op.gvk["version"], op.gvk["kind"]))
    return sorted(names)


# -- schemas: the package's JSON Schema dialect -> OpenAPI -----------------------------------

def _convert(node: Any, ref: str, v2: bool) -> Any:
    if isinstance(node, list):
        return [_convert(item, ref, v2) for item in node]
    if not isinstance(node, dict):
        return node
    if v2 and "oneOf" in node and all(set(alt) == {"type"} for alt in node["oneOf"]):
        # swagger 2.0 has no oneOf: kube writes these scalars (IntOrString, Quantity) as strings
        types = {t for alt in node["oneOf"] for t in ([alt["type"]] if isinstance(alt["type"], str) else alt["type"])}
        node = {k: v for k, v in node.items() if k != "oneOf"} | {"type": "string"}
        if "integer" in types:
            node["format"] = "int-or-string"
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            out[key] = ref + value.removeprefix(schemas.REF_PREFIX)
        elif key == "type" and isinstance(value, list):
            kinds = [t for t in value if t != "null"]
            out[key] = kinds[0] if len(kinds) == 1 else kinds
        elif key == "properties" and isinstance(value, dict):
            out[key] = {name: _convert(sub, ref, v2) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "oneOf", "anyOf", "allOf", "not"):
            out[key] = _convert(value, ref, v2)
        else:
            out[key] = value
    return out


def _definition(name: str, ref: str, v2: bool) -> dict[str, Any]:
    schema = schemas.definitions()[name]
    converted: dict[str, Any] = _convert(schema, ref, v2)
    if "x-kubernetes-group-version-kind" in schema:
        # the package pins apiVersion and kind with an enum kube's documents do not have
        for field in ("apiVersion", "kind"):
            prop = converted.get("properties", {}).get(field)
            if isinstance(prop, dict):
                prop.pop("enum", None)
    return converted


def _components(ops: list[_Op], ref: str, v2: bool) -> dict[str, Any]:
    return {name: _definition(name, ref, v2) for name in schemas.closure(_root_types(ops))}


# -- rendering ---------------------------------------------------------------------------------

def _param_description(name: str) -> str:
    props = schemas.definitions().get(_META + "DeleteOptions", {}).get("properties", {})
    return str((props.get(name) or {}).get("description", ""))


def _query_param(name: str, v2: bool) -> dict[str, Any]:
    kind = _PARAM_TYPES.get(name, "string")
    param: dict[str, Any] = {"name": name, "in": "query"}
    if text := _param_description(name):
        param["description"] = text
    return param | ({"type": kind, "uniqueItems": True} if v2 else {"schema": {"type": kind, "uniqueItems": True}})


def _path_params(path: str, v2: bool) -> list[dict[str, Any]]:
    names = [seg[1:-1] for seg in path.split("/") if seg.startswith("{")]
    params = [{"name": n, "in": "path", "required": True,
               "description": "name of the object" if n == "name" else
               "object name and auth scope, such as for teams and projects"} for n in names]
    params.append({"name": "pretty", "in": "query", "description": "If 'true', then the output is pretty printed."})
    kind = {"type": "string", "uniqueItems": True}
    return [p | kind if v2 else p | {"schema": kind} for p in params]


def _body_types(op: _Op) -> tuple[str, ...]:
    return ACCEPTED_PATCH_TYPES if op.method == "patch" else ("*/*",)


def _schema_of(name: str | None, ref: str) -> dict[str, Any]:
    return {"$ref": ref + name} if name else {"type": "string"}


def _operation(op: _Op, tag: str, v2: bool) -> dict[str, Any]:
    ref = V2_REF if v2 else V3_REF
    params = [_query_param(p, v2) for p in op.params]
    out: dict[str, Any] = {"tags": [tag], "description": op.description, "operationId": op.op_id}
    if v2:
        out |= {"consumes": list(_body_types(op)), "produces": list(_RESPONSE_TYPES), "schemes": ["https"]}
        if op.body:
            params.insert(0, {"name": "body", "in": "body", "required": True, "schema": _schema_of(op.body, ref)})
        responses = {c: {"description": _CODES[c], "schema": _schema_of(op.response, ref)} for c in op.codes}
    else:
        if op.body:
            content = {t: {"schema": _schema_of(op.body, ref)} for t in _body_types(op)}
            out["requestBody"] = {"content": content, "required": True}
        media = _RESPONSE_TYPES if op.response else ("text/plain",)
        responses = {c: {"description": _CODES[c], "content": {t: {"schema": _schema_of(op.response, ref)}
                                                              for t in media}} for c in op.codes}
    if params:
        out["parameters"] = params
    return out | {"responses": responses, "x-kubernetes-action": op.action, "x-kubernetes-group-version-kind": op.gvk}


def _paths(ops: list[_Op], v2: bool) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for op in ops:
        # the tag names the path's group-version (core_v1), not the kind's (a Scale's is autoscaling)
        segs = op.path.split("/")
        tag = _tag(segs[2], segs[3]) if segs[1] == "apis" else _tag("", segs[2])
        item = paths.setdefault(op.path, {"parameters": _path_params(op.path, v2)})
        item[op.method] = _operation(op, tag, v2)
    return dict(sorted(paths.items()))


@lru_cache(maxsize=None)
def document(group: str, version: str) -> bytes:
    """The OpenAPI v3 document of one group-version."""
    ops = _ops(group, version)
    doc = {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": VERSION_INFO["gitVersion"]},
           "paths": _paths(ops, v2=False), "components": {"schemas": _components(ops, V3_REF, v2=False)}}
    return orjson.dumps(doc)


@lru_cache(maxsize=1)
def index() -> dict[str, Any]:
    """/openapi/v3: each group-version's document, addressed by a hash of its content."""
    paths = {}
    for group in groups():
        for version in versions_of(group):
            digest = hashlib.sha512(document(group, version)).hexdigest().upper()
            path = _gv_path(group, version)
            paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={digest}"}
    return {"paths": paths}


@lru_cache(maxsize=1)
def v2() -> bytes:
    """/openapi/v2: every served group-version in one swagger 2.0 document (JSON)."""
    ops = [op for group in groups() for version in versions_of(group) for op in _ops(group, version)]
    doc = {"swagger": "2.0", "info": {"title": "Kubernetes", "version": VERSION_INFO["gitVersion"]},
           "paths": _paths(ops, v2=True), "definitions": _components(ops, V2_REF, v2=True)}
    return orjson.dumps(doc)
