"""PATCH on top of the registry's read-modify-write: json, merge, strategic merge, and
server-side apply (create when missing, merge the applied fields, track their ownership)."""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import Any

from apiserver import errors
from apiserver.machinery import managedfields
from apiserver.machinery import patch as algorithms
from apiserver.machinery.duration import format_time
from apiserver.registry import Registry
from apiserver.resources.base import Obj, ResourceType

APPLY_TYPE = "application/apply-patch+yaml"
PATCH_TYPES = ["application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json", APPLY_TYPE]


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


async def patch(registry: Registry, rt: ResourceType, namespace: str | None, name: str,
                content_type: str, body: bytes, *, subresource: str | None = None, dry_run: bool = False,
                field_manager: str | None = None, force: bool = False) -> tuple[Obj, bool]:
    """Returns (object, created)."""
    kind = media_type(content_type)
    if kind not in PATCH_TYPES:
        raise errors.unsupported_media_type(kind, PATCH_TYPES)
    if kind == APPLY_TYPE:
        return await _apply(registry, rt, namespace, name, body, subresource, dry_run, field_manager, force)
    if force:
        raise errors.invalid("PatchOptions", "meta.k8s.io", "", [errors.forbidden_field(
            "force", "may not be specified for non-apply patch")])
    precondition: dict[str, Any] = {}

    def mutate(current: Obj) -> Obj:
        patched = algorithms.apply_patch(copy.deepcopy(current), kind, body, rt.kind)
        if not isinstance(patched, dict):
            raise errors.bad_request("the patch did not produce an object")
        wanted = (patched.get("metadata") or {}).get("resourceVersion")
        if wanted and wanted != current["metadata"].get("resourceVersion"):
            precondition["conflict"] = True
        return registry.merge_for_update(rt, current, patched, subresource) if subresource else \
            _keep_server_fields(registry, rt, current, patched)

    obj = await registry.guaranteed_update(rt, namespace, name, _checked(mutate, precondition, rt, name),
                                           dry_run=dry_run, subresource=subresource)
    return obj, False


def _checked(mutate: Any, precondition: dict[str, Any], rt: ResourceType, name: str) -> Any:
    def run(current: Obj) -> Obj:
        result = mutate(current)
        if precondition.pop("conflict", False):
            raise errors.conflict(rt.plural, rt.group, name)
        return result

    return run


def _keep_server_fields(registry: Registry, rt: ResourceType, current: Obj, patched: Obj) -> Obj:
    patched["kind"], patched["apiVersion"] = rt.kind, rt.api_version
    if not isinstance(patched.get("metadata"), dict):
        patched["metadata"] = {}
    for field in ("name", "namespace"):
        if field in current["metadata"]:
            patched["metadata"].setdefault(field, current["metadata"][field])
    return registry.merge_for_update(rt, current, patched, None)


async def _apply(registry: Registry, rt: ResourceType, namespace: str | None, name: str, body: bytes,
                 subresource: str | None, dry_run: bool, field_manager: str | None,
                 force: bool) -> tuple[Obj, bool]:
    """Server-side apply: a missing object is created, then the applied fields are merged in
    and owned by `field_manager` (managedfields.py)."""
    if not field_manager:
        raise errors.invalid("PatchOptions", "meta.k8s.io", "", [errors.required(
            "fieldManager", "is required for apply patch")])
    applied = algorithms.parse_apply_body(body)
    meta = applied.setdefault("metadata", {})
    if not isinstance(meta, dict):
        raise errors.bad_request("error decoding YAML: metadata must be an object")
    if meta.get("name") and meta["name"] != name:
        raise errors.bad_request(
            f"the name of the object ({meta['name']}) does not match the name on the URL ({name})")
    meta["name"] = name

    wanted_rv = meta.get("resourceVersion")

    def mutate(current: Obj) -> Obj:
        if wanted_rv and wanted_rv != current["metadata"].get("resourceVersion"):
            raise errors.conflict(rt.plural, rt.group, name)  # a stated version is a precondition
        now = format_time(datetime.now(timezone.utc))
        merged = managedfields.apply(current, applied, rt.kind, field_manager, rt.api_version, now,
                                     force=force, subresource=subresource)
        if subresource:
            return registry.merge_for_update(rt, current, merged, subresource)
        return _keep_server_fields(registry, rt, current, merged)

    created = False
    if await registry.storage.get(rt.key(namespace, name)) is None:
        if subresource:
            raise errors.not_found(rt.plural, rt.group, name)
        fresh = copy.deepcopy(applied)
        for field in ("managedFields", "resourceVersion"):
            fresh["metadata"].pop(field, None)
        obj = await registry.create(rt, namespace, fresh, dry_run=dry_run)
        if dry_run:
            return mutate(obj), True
        created = True
    # A create stores no managedFields; the ownership is recorded by the update that follows.
    return await registry.guaranteed_update(rt, namespace, name, mutate, dry_run=dry_run,
                                            subresource=subresource), created
