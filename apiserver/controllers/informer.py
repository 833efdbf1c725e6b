"""Informers: one shared, watched cache per resource for every in-process controller.

An Informer lists (in pages, the event loop free between them), then watches from the
list's revision, and relists when the watch answers 410 (the revision was compacted or the
watcher fell behind), as client-go's reflector and kopf's continuous_watch do. Its cache
maps `namespace/name` (or `name` for cluster-scoped kinds) to the latest object. Handlers
only map changes to work-queue keys; indexes (pods by node, objects by owner uid, ...) are
kept up to date with the cache.

Cached objects are shared by every controller: treat them as read-only and copy before
changing one (`copy.deepcopy`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Callable, Iterable

from apiserver.controllers.client import GR, Client, is_gone
from apiserver.resources.base import Obj

log = logging.getLogger(__name__)

IndexFunc = Callable[[Obj], Iterable[str]]
_RETRY_MIN, _RETRY_MAX = 0.2, 10.0
# Objects per page of the LIST. client-go asks for 500 over the network; here a page costs its
# parsing and handlers on the event loop (~20 us an object), and 100 keeps a turn near 2 ms.
LIST_PAGE = 100


def object_key(obj: Obj) -> str:
    meta = obj.get("metadata") or {}
    ns = meta.get("namespace")
    return f"{ns}/{meta.get('name', '')}" if ns else str(meta.get("name", ""))


def split_key(key: str) -> tuple[str | None, str]:
    ns, sep, name = key.rpartition("/")
    return (ns if sep else None), name


def by_namespace(obj: Obj) -> list[str]:
    return [(obj.get("metadata") or {}).get("namespace") or ""]


def by_node(obj: Obj) -> list[str]:
    """Pods by spec.nodeName (unbound pods are not indexed)."""
    name = (obj.get("spec") or {}).get("nodeName")
    return [name] if name else []


def by_controller_uid(obj: Obj) -> list[str]:
    """Objects by the uid of their controller (the ownerReference with controller: true)."""
    refs = (obj.get("metadata") or {}).get("ownerReferences") or []
    return [str(r.get("uid")) for r in refs if r.get("controller")][:1]


def orphans_by_namespace(obj: Obj) -> list[str]:
    """Objects without a controller, by namespace: what a controller may adopt."""
    refs = (obj.get("metadata") or {}).get("ownerReferences") or []
    if any(r.get("controller") for r in refs):
        return []
    return [(obj.get("metadata") or {}).get("namespace") or ""]


def by_owner_uid(obj: Obj) -> list[str]:
    return [ref.get("uid", "") for ref in (obj.get("metadata") or {}).get("ownerReferences") or []]


def metadata_only(obj: Obj) -> Obj:
    """What a metadata informer keeps (the garbage collector needs no more)."""
    return {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"), "metadata": obj.get("metadata") or {}}


@dataclass(frozen=True)
class Handler:
    on_add: Callable[[Obj], None] | None = None
    on_update: Callable[[Obj, Obj], None] | None = None
    on_delete: Callable[[Obj], None] | None = None


class Informer:
    def __init__(self, client: Client, gr: GR, *, metadata_only: bool = False) -> None:
        self.client = client
        self.gr = gr
        self.metadata_only = metadata_only
        self.revision = 0
        self._cache: dict[str, Obj] = {}
        self._handlers: list[Handler] = []
        self._indexers: dict[str, IndexFunc] = {}
        self._indices: dict[str, dict[str, set[str]]] = {}
        self._synced = asyncio.Event()
        self._started = False

    # -- setup (before run) ----------------------------------------------------------------

    def add_handler(self, handler: Handler) -> None:
        self._handlers.append(handler)
        if handler.on_add is not None:  # late subscribers see the current state first
            for obj in list(self._cache.values()):
                self._call(handler.on_add, obj)

    def add_index(self, name: str, fn: IndexFunc) -> None:
        if name in self._indexers:
            return
        self._indexers[name] = fn
        index: dict[str, set[str]] = {}
        for key, obj in self._cache.items():
            for value in fn(obj):
                index.setdefault(value, set()).add(key)
        self._indices[name] = index

    # -- reads -----------------------------------------------------------------------------

    @property
    def synced(self) -> bool:
        return self._synced.is_set()

    async def wait_synced(self) -> None:
        await self._synced.wait()

    def get(self, key: str) -> Obj | None:
        return self._cache.get(key)

    def get_by(self, namespace: str | None, name: str) -> Obj | None:
        return self._cache.get(f"{namespace}/{name}" if namespace else name)

    def keys(self) -> list[str]:
        return list(self._cache)

    def items(self) -> list[Obj]:
        return list(self._cache.values())

    def by_index(self, name: str, value: str) -> list[Obj]:
        keys = self._indices[name].get(value, ())
        return [self._cache[k] for k in keys if k in self._cache]

    def __len__(self) -> int:
        return len(self._cache)

    # -- the list/watch loop ---------------------------------------------------------------

    async def run(self) -> None:
        """List and watch until cancelled. A cache that is already filled (an informer run
        again) resumes watching from its revision; a 410 means relist; other errors retry the
        watch from the same revision with backoff."""
        self._started = True
        delay = _RETRY_MIN
        must_list = not self.synced
        while True:
            try:
                if must_list:
                    await self._relist()
                    self._synced.set()
                    must_list = False
                await self._watch()
                delay = _RETRY_MIN
            except asyncio.CancelledError:
                raise
            except Exception as e:
                if is_gone(e):
                    log.info("%s: watch expired (%s); relisting", self.gr, e)
                    must_list = True
                    continue
                log.warning("%s: list/watch failed: %s; retrying in %.1fs", self.gr, e, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, _RETRY_MAX)

    async def _relist(self) -> None:
        """A paged LIST, as client-go's reflector does: each page is parsed and handled on
        its own and the loop runs between pages, so a large cache never holds up requests."""
        seen: set[str] = set()
        revision = self.revision
        async for revision, page in self.client.list_pages(self.gr, limit=LIST_PAGE):
            for item in page:
                obj = self._ingest(item)
                key = object_key(obj)
                seen.add(key)
                old = self._cache.get(key)
                if old is None:
                    self._store(key, obj, None)
                elif _rv(old) != _rv(obj):
                    self._store(key, obj, old)
            await asyncio.sleep(0)
        for key in [k for k in self._cache if k not in seen]:
            self._remove(key)
        self.revision = revision

    async def _watch(self) -> None:
        """Follow the watch; a stream that ends without error is reopened from the last revision."""
        while True:
            seen = 0
            async with self.client.watch(self.gr, None, resource_version=self.revision) as stream:
                async for event in stream:
                    seen += 1
                    self._apply(event.type, event.object)
                    self.revision = max(self.revision, int(event.revision))
            if not seen:
                await asyncio.sleep(_RETRY_MIN)  # a server that keeps closing idle watches

    def _apply(self, kind: str, obj: Obj) -> None:
        key = object_key(obj)
        if kind == "DELETED":
            self._remove(key, self._ingest(obj))
        elif kind in ("ADDED", "MODIFIED"):
            self._store(key, self._ingest(obj), self._cache.get(key))

    def _ingest(self, obj: Obj) -> Obj:
        return metadata_only(obj) if self.metadata_only else obj

    def _store(self, key: str, obj: Obj, old: Obj | None) -> None:
        self._cache[key] = obj
        self._reindex(key, old, obj)
        for h in self._handlers:
            if old is None:
                if h.on_add is not None:
                    self._call(h.on_add, obj)
            elif h.on_update is not None:
                self._call(h.on_update, old, obj)

    def _remove(self, key: str, last: Obj | None = None) -> None:
        old = self._cache.pop(key, None)
        if old is None:
            return
        self._reindex(key, old, None)
        for h in self._handlers:
            if h.on_delete is not None:
                self._call(h.on_delete, last or old)

    def _reindex(self, key: str, old: Obj | None, new: Obj | None) -> None:
        for name, fn in self._indexers.items():
            index = self._indices[name]
            before = set(fn(old)) if old is not None else set()
            after = set(fn(new)) if new is not None else set()
            for value in before - after:
                keys = index.get(value)
                if keys is not None:
                    keys.discard(key)
                    if not keys:
                        del index[value]
            for value in after - before:
                index.setdefault(value, set()).add(key)

    def _call(self, fn: Callable[..., None], *args: Obj) -> None:
        try:
            fn(*args)
        except Exception:  # a handler bug must not stop the cache
            log.exception("%s: event handler failed", self.gr)


def _rv(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("resourceVersion", ""))


class InformerFactory:
    """One informer per resource, shared by every controller (invariant 7)."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self._informers: dict[GR, Informer] = {}

    def informer(self, gr: GR) -> Informer:
        inf = self._informers.get(gr)
        if inf is None:
            inf = self._informers[gr] = Informer(self.client, gr)
        elif inf.metadata_only:
            # Someone needs whole objects: upgrade before anything is cached.
            assert not inf._started, f"{gr}: full informer requested after start"
            inf.metadata_only = False
        return inf

    def metadata_informer(self, gr: GR) -> Informer:
        """The shared informer if one exists, else a cheaper one that keeps only metadata."""
        inf = self._informers.get(gr)
        if inf is None:
            inf = self._informers[gr] = Informer(self.client, gr, metadata_only=True)
        return inf

    def all(self) -> list[Informer]:
        return list(self._informers.values())

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            for inf in self._informers.values():
                tg.create_task(inf.run(), name=f"informer {inf.gr}")

    async def wait_synced(self) -> None:
        for inf in list(self._informers.values()):
            await inf.wait_synced()
