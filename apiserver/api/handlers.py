"""One generic handler set for every kind: the HTTP verb and the URL target pick the
registry call; the kind's own knowledge stays in its ResourceType."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from apiserver import errors, patching, scale, typecheck
from apiserver.api import fieldvalidation, lists, watchstream
from apiserver.api.negotiation import Accept, add_warnings, decode_body, parse_accept, raw_json, render
from apiserver.api.paths import Target
from apiserver.registry import Registry

_INLINE_DECODE = 64 * 1024

def _params(request: Request) -> dict[str, str]:
    if not request.scope.get("query_string"):
        return {}
    return dict(request.query_params)


def _dry_run(params: dict[str, str]) -> bool:
    value = params.get("dryRun", "")
    if value and value != "All":
        raise errors.invalid("CreateOptions", "meta.k8s.io", "", [errors.not_supported(
            "dryRun", value, ["All"])])
    return value == "All"


async def _body(request: Request, kind: str) -> Any:
    raw = await request.body()
    if len(raw) > _INLINE_DECODE:  # a big YAML body takes seconds: off the event loop
        return await asyncio.to_thread(decode_body, request.headers.get("content-type"), raw, kind)
    return decode_body(request.headers.get("content-type"), raw, kind)


async def _typed_body(request: Request, group: str, kind: str) -> Any:
    """The body of a subresource, decoded as its own kind (v1 Binding, autoscaling/v1 Scale)."""
    body = await _body(request, kind)
    if isinstance(body, dict):
        typecheck.check_type_meta(body)
        typecheck.check_object(body, group, "v1", kind)
    return body


async def handle(request: Request, registry: Registry, target: Target) -> Response:
    params = _params(request)
    accept = parse_accept(request.headers.get("accept"))
    rt, ns, name, sub = target.rt, target.namespace, target.name, target.subresource
    if rt.namespaced and name is not None and ns is None:
        raise errors.not_found(rt.plural, rt.group, name)  # /api/v1/pods/x has no meaning
    if name is None:
        response = await _collection(request, registry, target, params, accept)
    elif sub is None:
        response = await _item(request, registry, target, params, accept)
    else:
        response = await _subresource(request, registry, target, params, accept)
    if rt.deprecation:
        add_warnings(response, [rt.deprecation])
    return response


async def _collection(request: Request, registry: Registry, t: Target, params: dict[str, str],
                      accept: Accept) -> Response:
    rt = t.rt
    if request.method == "GET":
        if params.get("watch") in ("true", "1"):
            return watchstream.watch_response(registry, rt, t.namespace, params, accept)
        return await lists.list_response(registry, rt, t.namespace, params, accept)
    if request.method == "POST":
        if rt.namespaced and t.namespace is None:
            raise errors.method_not_allowed("create", rt.plural, rt.group)
        body = await _body(request, rt.kind)
        warnings = fieldvalidation.check_object(params, rt, body, await request.body(), "CreateOptions")
        obj, encoded = await registry.create_encoded(rt, t.namespace, body, dry_run=_dry_run(params))
        if encoded is not None and not accept.yaml:  # JSON as stored: no second serialisation
            return add_warnings(raw_json(encoded, 201), warnings)
        return add_warnings(render(obj, 201, accept), warnings)
    if request.method == "DELETE":
        return await _delete_collection(request, registry, t, params, accept)
    raise errors.method_not_allowed(request.method.lower(), rt.plural, rt.group)


async def _delete_options(request: Request, params: dict[str, str]) -> dict[str, Any]:
    raw = await request.body()
    options: dict[str, Any] = {}
    if raw.strip():
        body = decode_body(request.headers.get("content-type") or "application/json", raw, "DeleteOptions")
        if not isinstance(body, dict):
            raise errors.bad_request("the body of the request could not be decoded as DeleteOptions")
        typecheck.check_object(body, "", "v1", "DeleteOptions")
        options.update(body)
    if "gracePeriodSeconds" in params:
        try:
            options["gracePeriodSeconds"] = int(params["gracePeriodSeconds"])
        except ValueError:
            raise errors.bad_request("invalid value for gracePeriodSeconds") from None
    if "propagationPolicy" in params:
        options["propagationPolicy"] = params["propagationPolicy"]
    if "orphanDependents" in params:
        options["orphanDependents"] = params["orphanDependents"] == "true"
    if params.get("dryRun") == "All":
        options["dryRun"] = ["All"]
    return options


async def _delete_collection(request: Request, registry: Registry, t: Target, params: dict[str, str],
                             accept: Accept) -> Response:
    rt = t.rt
    options = await _delete_options(request, params)
    revision, objs = await registry.list(rt, t.namespace, label_selector=params.get("labelSelector", ""),
                                         field_selector=params.get("fieldSelector", ""))
    deleted = []
    for obj in objs:
        meta = obj["metadata"]
        try:
            deleted.append(await registry.delete(rt, meta.get("namespace"), meta["name"], options,
                                                 dry_run=bool(options.get("dryRun"))))
        except errors.StatusError as e:
            if e.code != 404:
                raise
    return render({"kind": rt.list_kind, "apiVersion": rt.api_version,
                   "metadata": {"resourceVersion": str(registry.storage.revision)}, "items": deleted},
                  accept=accept)


async def _item(request: Request, registry: Registry, t: Target, params: dict[str, str],
                accept: Accept) -> Response:
    rt, ns, name = t.rt, t.namespace, t.name
    assert name is not None
    method = request.method
    if method == "GET":
        obj = await registry.get(rt, ns, name)
        if accept.table:
            from datetime import datetime, timezone

            from apiserver.tables import table
            return render(table(rt, [obj], datetime.now(timezone.utc),
                                resource_version=obj["metadata"].get("resourceVersion", ""),
                                include=params.get("includeObject", "Metadata")), accept=accept)
        return render(obj, accept=accept)
    if method == "PUT":
        body = await _body(request, rt.kind)
        warnings = fieldvalidation.check_object(params, rt, body, await request.body(), "UpdateOptions")
        obj, created = await registry.update_with_status(rt, ns, name, body, dry_run=_dry_run(params))
        return add_warnings(render(obj, 201 if created else 200, accept), warnings)
    if method == "PATCH":
        warnings = fieldvalidation.check_patch(params, rt, request.headers.get("content-type", ""),
                                               await request.body())
        obj, created = await patching.patch(
            registry, rt, ns, name, request.headers.get("content-type", ""), await request.body(),
            dry_run=_dry_run(params), field_manager=params.get("fieldManager"),
            force=params.get("force") == "true")
        return add_warnings(render(obj, 201 if created else 200, accept), warnings)
    if method == "DELETE":
        options = await _delete_options(request, params)
        obj = await registry.delete(rt, ns, name, options, dry_run=bool(options.get("dryRun")))
        if rt.delete_returns_object or obj["metadata"].get("deletionTimestamp"):
            return render(obj, 200, accept)
        details = {"name": name, "group": rt.group, "kind": rt.plural, "uid": obj["metadata"].get("uid")}
        if not rt.group:
            details.pop("group")
        return render({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                       "details": details}, 200, accept)
    raise errors.method_not_allowed(method.lower(), rt.plural, rt.group)


async def _subresource(request: Request, registry: Registry, t: Target, params: dict[str, str],
                       accept: Accept) -> Response:
    rt, ns, name, sub, method = t.rt, t.namespace, t.name, t.subresource, request.method
    assert name is not None and sub is not None
    if sub == "scale":
        if method == "GET":
            return render(await scale.get_scale(registry, rt, ns, name), accept=accept)
        if method == "PUT":
            return render(await scale.update_scale(registry, rt, ns, name,
                                                   await _typed_body(request, "autoscaling", "Scale"),
                                                   _dry_run(params)),
                          accept=accept)
        if method == "PATCH":
            return render(await scale.patch_scale(registry, rt, ns, name, request.headers.get("content-type", ""),
                                                  await request.body(), _dry_run(params)), accept=accept)
    elif sub == "binding" and method == "POST":
        await registry.bind(rt, ns, name, await _typed_body(request, "", "Binding"))
        return render({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201},
                      201, accept)
    elif sub in rt.unserved_subresources:
        await registry.get(rt, ns, name)
        raise errors.bad_request(rt.unserved_subresources[sub])
    elif sub in ("status", "finalize"):
        if method == "GET":
            return render(await registry.get(rt, ns, name), accept=accept)
        if method == "PUT":
            obj = await registry.update(rt, ns, name, await _body(request, rt.kind), subresource=sub,
                                        dry_run=_dry_run(params))
            return render(obj, accept=accept)
        if method == "PATCH" and sub == "status":
            obj, _ = await patching.patch(registry, rt, ns, name, request.headers.get("content-type", ""),
                                          await request.body(), subresource=sub, dry_run=_dry_run(params),
                                          field_manager=params.get("fieldManager"))
            return render(obj, accept=accept)
    raise errors.method_not_allowed(method.lower(), f"{rt.plural}/{sub}", rt.group)
