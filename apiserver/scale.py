"""The /scale subresource: an autoscaling/v1 Scale view of any kind with a ScaleAdapter."""

from __future__ import annotations

import copy
from typing import Any

from apiserver import errors
from apiserver.machinery import patch as algorithms
from apiserver.registry import Registry
from apiserver.resources.base import Obj, ResourceType, ScaleAdapter


def _adapter(rt: ResourceType) -> ScaleAdapter:
    if rt.scale is None:
        raise errors.not_found(rt.plural, rt.group, "scale")
    return rt.scale


def to_scale(rt: ResourceType, obj: Obj) -> Obj:
    adapter = _adapter(rt)
    meta = obj["metadata"]
    scale_meta = {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                  if k in meta}
    return {"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": scale_meta,
            "spec": {"replicas": adapter.get_replicas(obj)},
            "status": {"replicas": adapter.status_replicas(obj), "selector": adapter.selector(obj)}}


async def get_scale(registry: Registry, rt: ResourceType, namespace: str | None, name: str) -> Obj:
    return to_scale(rt, await registry.get(rt, namespace, name))


def _replicas_of(scale: Any, name: str) -> int:
    if not isinstance(scale, dict):
        raise errors.bad_request("the body of the request could not be decoded as a Scale")
    replicas = (scale.get("spec") or {}).get("replicas", 0)
    if isinstance(replicas, bool) or not isinstance(replicas, int):
        raise errors.bad_request(f"json: cannot unmarshal {type(replicas).__name__} into Go struct field "
                                 "ScaleSpec.spec.replicas of type int32")
    if replicas < 0:
        raise errors.invalid("Scale", "autoscaling", name, [errors.invalid_value(
            "spec.replicas", replicas, "must be greater than or equal to 0")])
    return replicas


async def update_scale(registry: Registry, rt: ResourceType, namespace: str | None, name: str,
                       scale: Any, dry_run: bool = False) -> Obj:
    """PUT /scale: the Scale's resourceVersion is a precondition on the parent."""
    adapter = _adapter(rt)
    replicas = _replicas_of(scale, name)
    wanted_rv = (scale.get("metadata") or {}).get("resourceVersion")

    def mutate(current: Obj) -> Obj:
        adapter.set_replicas(current, replicas)
        return current

    return to_scale(rt, await registry.guaranteed_update(rt, namespace, name, mutate,
                                                         precondition_rv=wanted_rv or None, dry_run=dry_run))


async def patch_scale(registry: Registry, rt: ResourceType, namespace: str | None, name: str,
                      content_type: str, body: bytes, dry_run: bool = False) -> Obj:
    adapter = _adapter(rt)
    holder: dict[str, int] = {}

    def mutate(current: Obj) -> Obj:
        scale = to_scale(rt, current)
        patched = algorithms.apply_patch(copy.deepcopy(scale), content_type, body, "Scale")
        wanted = ((patched or {}).get("metadata") or {}).get("resourceVersion")
        if wanted and wanted != current["metadata"].get("resourceVersion"):
            raise errors.conflict(rt.plural, rt.group, name)
        holder["replicas"] = _replicas_of(patched, name)
        adapter.set_replicas(current, holder["replicas"])
        return current

    return to_scale(rt, await registry.guaranteed_update(rt, namespace, name, mutate, dry_run=dry_run))
