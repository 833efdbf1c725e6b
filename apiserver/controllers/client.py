"""The API as controllers see it: a small `Client` addressed by (group, plural).

`LocalClient` calls the registry in-process, so controllers and the node agent go through the
same write path as HTTP requests (defaults, validation, admission, conflicts). A client over
HTTP can implement the same Protocol for controllers that run in another process.
Objects are plain JSON dicts; errors are `apiserver.errors.StatusError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, AsyncIterator, Protocol, Sequence

import orjson

from apiserver import errors
from apiserver.resources.base import Obj, ResourceType


@dataclass(frozen=True, slots=True)
class GR:
    """A group and resource (plural), the address of a kind."""

    group: str
    plural: str

    def __str__(self) -> str:
        return f"{self.plural}.{self.group}" if self.group else self.plural


PODS = GR("", "pods")
NODES = GR("", "nodes")
NAMESPACES = GR("", "namespaces")
SERVICES = GR("", "services")
ENDPOINTS = GR("", "endpoints")
EVENTS = GR("", "events")
REPLICATION_CONTROLLERS = GR("", "replicationcontrollers")
REPLICA_SETS = GR("apps", "replicasets")
ENDPOINT_SLICES = GR("discovery.k8s.io", "endpointslices")
LEASES = GR("coordination.k8s.io", "leases")


class WatchEventLike(Protocol):
    type: str  # ADDED | MODIFIED | DELETED
    object: Obj
    revision: int


class WatchStream(Protocol):
    """An open watch: `async with` it, then `async for` its events. Opening or iterating
    raises StatusError 410 when the start revision is no longer retained."""

    async def __aenter__(self) -> "WatchStream": ...

    async def __aexit__(self, *exc: object) -> None: ...

    def __aiter__(self) -> AsyncIterator[WatchEventLike]: ...


class Client(Protocol):
    def resource_types(self) -> Sequence[ResourceType]: ...

    def resource(self, gr: GR) -> ResourceType:
        """The kind behind (group, plural); KeyError when the server does not serve it."""
        ...

    async def get(self, gr: GR, namespace: str | None, name: str) -> Obj: ...

    async def list(self, gr: GR, namespace: str | None = None, *, label_selector: str = "",
                   field_selector: str = "") -> tuple[int, list[Obj]]: ...

    def list_pages(self, gr: GR, namespace: str | None = None, *,
                   limit: int = 500) -> AsyncIterator[tuple[int, list[Obj]]]:
        """A LIST in pages of up to `limit` objects (limit/continue), every page at the first
        one's revision, as a continued LIST is; at least one page, maybe empty."""
        ...

    async def create(self, gr: GR, namespace: str | None, obj: Obj) -> Obj: ...

    async def update(self, gr: GR, obj: Obj, *, subresource: str | None = None) -> Obj:
        """PUT; the object's metadata.resourceVersion, when set, is a precondition (409)."""
        ...

    async def update_status(self, gr: GR, obj: Obj) -> Obj: ...

    async def patch(self, gr: GR, namespace: str | None, name: str, content_type: str, body: bytes, *,
                    subresource: str | None = None) -> Obj: ...

    async def delete(self, gr: GR, namespace: str | None, name: str, options: Obj | None = None) -> Obj: ...

    async def bind(self, gr: GR, namespace: str | None, name: str, binding: Obj) -> None: ...

    def watch(self, gr: GR, namespace: str | None = None, *, resource_version: int) -> WatchStream: ...


class LocalClient:
    """The Client over an in-process `apiserver.registry.Registry`."""

    def __init__(self, registry: Any) -> None:
        self.registry = registry

    def resource_types(self) -> Sequence[ResourceType]:
        from apiserver.resources import CATALOG

        return tuple(CATALOG)

    def resource(self, gr: GR) -> ResourceType:
        from apiserver.resources import by_plural

        rt = by_plural(gr.group, gr.plural)
        if rt is None:
            raise KeyError(str(gr))
        return rt

    async def get(self, gr: GR, namespace: str | None, name: str) -> Obj:
        result: Obj = await self.registry.get(self.resource(gr), namespace, name)
        return result

    async def list(self, gr: GR, namespace: str | None = None, *, label_selector: str = "",
                   field_selector: str = "") -> tuple[int, list[Obj]]:
        revision, items = await self.registry.list(self.resource(gr), namespace, label_selector=label_selector,
                                                    field_selector=field_selector)
        return int(revision), list(items)

    async def list_pages(self, gr: GR, namespace: str | None = None, *,
                         limit: int = 500) -> AsyncIterator[tuple[int, list[Obj]]]:
        # The stored versions are taken at once (a consistent snapshot, nothing parsed yet);
        # each page is parsed only when the caller asks for it.
        from apiserver.registry import decode

        revision, kvs = await self.registry.list_kvs(self.resource(gr), namespace)
        size = limit if limit > 0 else max(len(kvs), 1)  # kube: limit 0 is one page
        for start in range(0, max(len(kvs), 1), size):
            yield int(revision), [decode(kv) for kv in kvs[start:start + size]]

    async def create(self, gr: GR, namespace: str | None, obj: Obj) -> Obj:
        result: Obj = await self.registry.create(self.resource(gr), namespace, obj)
        return result

    async def update(self, gr: GR, obj: Obj, *, subresource: str | None = None) -> Obj:
        meta = obj.get("metadata") or {}
        result: Obj = await self.registry.update(self.resource(gr), meta.get("namespace"), meta["name"], obj,
                                                 subresource=subresource)
        return result

    async def update_status(self, gr: GR, obj: Obj) -> Obj:
        return await self.update(gr, obj, subresource="status")

    async def patch(self, gr: GR, namespace: str | None, name: str, content_type: str, body: bytes, *,
                    subresource: str | None = None) -> Obj:
        result: Obj = await self.registry.patch(self.resource(gr), namespace, name, content_type, body,
                                                subresource=subresource)
        return result

    async def delete(self, gr: GR, namespace: str | None, name: str, options: Obj | None = None) -> Obj:
        result: Obj = await self.registry.delete(self.resource(gr), namespace, name, options)
        return result

    async def bind(self, gr: GR, namespace: str | None, name: str, binding: Obj) -> None:
        await self.registry.bind(self.resource(gr), namespace, name, binding)

    def watch(self, gr: GR, namespace: str | None = None, *, resource_version: int) -> WatchStream:
        """Its objects are shared with every other reader of the same revision: treat them as
        read-only, as informer caches already must be."""
        stream: WatchStream = self.registry.watch(self.resource(gr), namespace, resource_version=resource_version,
                                                  read_only=True)
        return stream


def with_status(obj: Obj, status: Obj) -> Obj:
    """A private copy of a (cached, shared) object with `status` in place of its own: a JSON
    round trip of the rest, several times cheaper than `copy.deepcopy` of the whole."""
    rest = orjson.loads(orjson.dumps({k: v for k, v in obj.items() if k != "status"}))
    rest["status"] = status
    return rest  # type: ignore[no-any-return]


def is_not_found(exc: BaseException) -> bool:
    return isinstance(exc, errors.StatusError) and exc.code == 404


def is_conflict(exc: BaseException) -> bool:
    return isinstance(exc, errors.StatusError) and exc.code == 409


def is_gone(exc: BaseException) -> bool:
    return isinstance(exc, errors.StatusError) and exc.code == 410
