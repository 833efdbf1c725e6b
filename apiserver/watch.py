"""Storage events -> Kubernetes watch events (ADDED / MODIFIED / DELETED).

Selectors are evaluated per transition, as kube's cacher does: an object that leaves the
selector is DELETED, one that enters it is ADDED. DELETED carries the last stored state with
the delete's revision as resourceVersion. A start revision below the retained history raises
a 410 StatusError; a watcher that falls behind ends the same way (it is dropped).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import AsyncIterator

from apiserver import errors
from apiserver.filtering import compile_filter
from apiserver.registry import Registry, decode
from apiserver.resources.base import Obj, ResourceType
from apiserver.storage import CompactedError, Event


@dataclass(frozen=True, slots=True)
class WatchEvent:
    type: str  # ADDED | MODIFIED | DELETED
    object: Obj
    revision: int


class Watch:
    """An open watch; iterate it with `async for`, always `close()` it (or use `async with`)."""

    def __init__(self, registry: Registry, rt: ResourceType, namespace: str | None, resource_version: int,
                 label_selector: str = "", field_selector: str = "", read_only: bool = False) -> None:
        self._match = compile_filter(rt, label_selector, field_selector)
        # Read-only consumers (HTTP watch streams, informers) share one parsed object per revision.
        self._decode = registry.decode_shared if read_only else decode
        try:
            self._watcher = registry.storage.watch(rt.prefix(namespace), resource_version)
        except CompactedError as e:
            raise errors.too_old_resource_version(e.requested, e.oldest - 1) from None

    async def __aenter__(self) -> "Watch":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._watcher.close()

    def __aiter__(self) -> AsyncIterator[WatchEvent]:
        return self._events()

    async def _events(self) -> AsyncIterator[WatchEvent]:
        try:
            async for ev in self._watcher:
                out = self._translate(ev)
                if out is not None:
                    yield out
        except CompactedError as e:
            raise errors.too_old_resource_version(e.requested, e.oldest - 1) from None

    def _translate(self, ev: Event) -> WatchEvent | None:
        obj = self._decode(ev.kv)
        rev = ev.kv.mod_revision
        match = self._match
        if ev.type == "DELETE":
            obj = {**obj, "metadata": {**obj["metadata"], "resourceVersion": str(rev)}}
            if match is not None and not match(obj):
                return None
            return WatchEvent("DELETED", obj, rev)
        if match is None:
            return WatchEvent("ADDED" if ev.prev is None else "MODIFIED", obj, rev)
        now = match(obj)
        before = ev.prev is not None and match(self._decode(ev.prev))
        if now and before:
            return WatchEvent("MODIFIED", obj, rev)
        if now:
            return WatchEvent("ADDED", obj, rev)
        if before:
            return WatchEvent("DELETED", obj, rev)
        return None


def open_watch(registry: Registry, rt: ResourceType, namespace: str | None, *, resource_version: int,
               label_selector: str = "", field_selector: str = "", read_only: bool = False) -> Watch:
    return Watch(registry, rt, namespace, resource_version, label_selector, field_selector, read_only)
