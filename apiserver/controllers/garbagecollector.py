"""The garbage collector: ownerReferences turned into deletions (api-semantics §7).

- A dependent whose owners are all gone is deleted (Background, or the policy its own
  finalizers ask for). An owner counts as gone only when a GET says so (404 or another uid):
  an owner merely missing from a lagging cache keeps its dependents. Owners of a kind the
  server does not serve are never assumed gone.
- An owner being deleted with the `orphan` finalizer: the reference to it is removed from
  each dependent, then the finalizer.
- An owner being deleted with `foregroundDeletion`: its dependents are deleted, and once no
  dependent with `blockOwnerDeletion: true` is left, the finalizer is removed.

It watches every kind (metadata only, unless another controller already caches the kind in
full), reacts to changes of references, finalizers and deletions, and sweeps periodically.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from typing import Any

from apiserver import errors
from apiserver.controllers import podstate
from apiserver.controllers.client import GR, Client, is_conflict, is_not_found
from apiserver.controllers.informer import Handler, Informer, InformerFactory, by_owner_uid
from apiserver.controllers.runtime import Controller
from apiserver.resources.base import Obj, ResourceType

log = logging.getLogger(__name__)

ORPHAN, FOREGROUND = "orphan", "foregroundDeletion"
_SEP = "|"  # never part of a group, plural, namespace or name
_WRITE_RETRIES = 5
FOREGROUND_RECHECK = 1.0


def _group(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def item_key(gr: GR, namespace: str | None, name: str) -> str:
    return _SEP.join((gr.group, gr.plural, namespace or "", name))


def parse_item(key: str) -> tuple[GR, str | None, str]:
    group, plural, namespace, name = key.split(_SEP)
    return GR(group, plural), (namespace or None), name


def _watched(obj: Obj) -> tuple[Any, ...]:
    m = podstate.meta(obj)
    return (m.get("ownerReferences"), m.get("finalizers"), bool(m.get("deletionTimestamp")))


class GarbageCollector:
    def __init__(self, client: Client, factory: InformerFactory, *, sweep_seconds: float = 60.0,
                 workers: int = 4) -> None:
        self.client = client
        self.sweep_seconds = sweep_seconds
        self.controller = Controller("garbage-collector", self.reconcile, workers)
        self.kinds: dict[tuple[str, str], ResourceType] = {}
        self.informers: dict[GR, Informer] = {}
        for rt in client.resource_types():
            self.kinds[(rt.group, rt.kind)] = rt
            if {"list", "watch", "delete"} <= set(rt.verbs):
                gr = GR(rt.group, rt.plural)
                informer = factory.metadata_informer(gr)
                informer.add_index("owner-uid", by_owner_uid)
                informer.add_handler(self._handler(gr))
                self.informers[gr] = informer

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self.controller.run(), name="garbage-collector workers")
            tg.create_task(self._sweep_forever(), name="garbage-collector sweep")

    # -- events -> items -----------------------------------------------------------------------

    def _handler(self, gr: GR) -> Handler:
        def changed(obj: Obj) -> None:
            m = podstate.meta(obj)
            if m.get("ownerReferences") or (m.get("deletionTimestamp") and {ORPHAN, FOREGROUND} & set(
                    m.get("finalizers") or [])):
                self.controller.queue.add(item_key(gr, m.get("namespace"), m.get("name", "")))

        def updated(old: Obj, new: Obj) -> None:
            if _watched(old) != _watched(new):
                changed(new)

        return Handler(on_add=changed, on_update=updated, on_delete=self._deleted)

    def _deleted(self, obj: Obj) -> None:
        """Its dependents may now be garbage; its owners may be waiting for it (foreground)."""
        m = podstate.meta(obj)
        for gr, dependent in self.dependents(str(m.get("uid"))):
            dm = podstate.meta(dependent)
            self.controller.queue.add(item_key(gr, dm.get("namespace"), dm.get("name", "")))
        for ref in m.get("ownerReferences") or []:
            rt = self.kinds.get((_group(str(ref.get("apiVersion", ""))), str(ref.get("kind"))))
            if rt is not None:
                namespace = m.get("namespace") if rt.namespaced else None
                self.controller.queue.add(item_key(GR(rt.group, rt.plural), namespace, str(ref.get("name"))))

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_seconds)
            self.sweep()

    def sweep(self) -> None:
        for gr, informer in self.informers.items():
            for obj in informer.items():
                m = podstate.meta(obj)
                if m.get("ownerReferences") or m.get("deletionTimestamp"):
                    self.controller.queue.add(item_key(gr, m.get("namespace"), m.get("name", "")))

    def dependents(self, uid: str) -> list[tuple[GR, Obj]]:
        return [(gr, d) for gr, informer in self.informers.items() for d in informer.by_index("owner-uid", uid)]

    # -- reconcile -----------------------------------------------------------------------------

    async def reconcile(self, key: str) -> float | None:
        gr, namespace, name = parse_item(key)
        informer = self.informers.get(gr)
        obj = informer.get_by(namespace, name) if informer is not None else None
        if obj is None:
            return None
        m = podstate.meta(obj)
        if m.get("deletionTimestamp"):
            finalizers = m.get("finalizers") or []
            if ORPHAN in finalizers:
                await self._orphan_dependents(gr, obj)
            elif FOREGROUND in finalizers:
                return await self._delete_dependents(gr, obj)
            return None  # on its way out already
        if m.get("ownerReferences"):
            await self._collect(gr, obj)
        return None

    async def _owner_state(self, ref: Obj, namespace: str | None) -> str:
        """absent | solid | waiting (being deleted in foreground) | unknown (unverifiable)."""
        rt = self.kinds.get((_group(str(ref.get("apiVersion", ""))), str(ref.get("kind"))))
        if rt is None or (rt.namespaced and not namespace):
            return "unknown"
        gr, owner_ns = GR(rt.group, rt.plural), (namespace if rt.namespaced else None)
        informer = self.informers.get(gr)
        owner = informer.get_by(owner_ns, str(ref.get("name"))) if informer is not None else None
        if owner is None or podstate.meta(owner).get("uid") != ref.get("uid"):
            try:  # the cache may lag behind a new owner: only a GET can say it is gone
                owner = await self.client.get(gr, owner_ns, str(ref.get("name")))
            except errors.StatusError as e:
                if is_not_found(e):
                    return "absent"
                raise
            if podstate.meta(owner).get("uid") != ref.get("uid"):
                return "absent"
        om = podstate.meta(owner)
        return "waiting" if om.get("deletionTimestamp") and FOREGROUND in (om.get("finalizers") or []) else "solid"

    async def _collect(self, gr: GR, obj: Obj) -> None:
        m = podstate.meta(obj)
        states = [(ref, await self._owner_state(ref, m.get("namespace"))) for ref in m.get("ownerReferences") or []]
        if any(state in ("solid", "unknown") for _, state in states):
            stale = {str(ref.get("uid")) for ref, state in states if state in ("absent", "waiting")}
            if stale:
                await self._remove_references(gr, obj, stale)
            return
        waiting = any(state == "waiting" for _, state in states)
        finalizers = m.get("finalizers") or []
        if waiting and self.dependents(str(m.get("uid"))):
            policy = "Foreground"
        else:
            policy = "Orphan" if ORPHAN in finalizers else "Foreground" if FOREGROUND in finalizers else "Background"
        await self._delete(gr, obj, policy)

    async def _delete(self, gr: GR, obj: Obj, policy: str) -> None:
        m = podstate.meta(obj)
        try:
            latest = await self.client.get(gr, m.get("namespace"), m["name"])
        except errors.StatusError as e:
            if is_not_found(e):
                return
            raise
        lm = podstate.meta(latest)
        if lm.get("uid") != m.get("uid") or lm.get("ownerReferences") != m.get("ownerReferences"):
            self.controller.queue.add(item_key(gr, m.get("namespace"), m["name"]))  # changed: decide again
            return
        log.info("garbage-collector: deleting %s %s/%s (%s)", gr, m.get("namespace") or "", m["name"], policy)
        options = {"propagationPolicy": policy,
                   "preconditions": {"uid": lm.get("uid"), "resourceVersion": lm.get("resourceVersion")}}
        try:
            await self.client.delete(gr, m.get("namespace"), m["name"], options)
        except errors.StatusError as e:
            if not is_not_found(e):
                raise

    async def _orphan_dependents(self, gr: GR, owner: Obj) -> None:
        uid = str(podstate.meta(owner).get("uid"))
        for dependent_gr, dependent in self.dependents(uid):
            await self._remove_references(dependent_gr, dependent, {uid})
        await self._remove_finalizer(gr, owner, ORPHAN)

    async def _delete_dependents(self, gr: GR, owner: Obj) -> float | None:
        uid = str(podstate.meta(owner).get("uid"))
        dependents = self.dependents(uid)
        blocking = [d for _, d in dependents if any(
            r.get("uid") == uid and r.get("blockOwnerDeletion") for r in podstate.meta(d).get("ownerReferences") or [])]
        if not blocking:
            await self._remove_finalizer(gr, owner, FOREGROUND)
            return None
        for dependent_gr, dependent in dependents:
            dm = podstate.meta(dependent)
            if not dm.get("deletionTimestamp"):
                self.controller.queue.add(item_key(dependent_gr, dm.get("namespace"), dm.get("name", "")))
        return FOREGROUND_RECHECK  # dependents' deletions also wake us; this is the fallback

    async def _remove_references(self, gr: GR, obj: Obj, uids: set[str]) -> None:
        def edit(latest: Obj) -> bool:
            refs = latest["metadata"].get("ownerReferences") or []
            kept = [r for r in refs if str(r.get("uid")) not in uids]
            if len(kept) == len(refs):
                return False
            if kept:
                latest["metadata"]["ownerReferences"] = kept
            else:
                latest["metadata"].pop("ownerReferences", None)
            return True

        await self._update(gr, obj, edit)

    async def _remove_finalizer(self, gr: GR, obj: Obj, finalizer: str) -> None:
        def edit(latest: Obj) -> bool:
            finalizers = latest["metadata"].get("finalizers") or []
            if finalizer not in finalizers:
                return False
            latest["metadata"]["finalizers"] = [f for f in finalizers if f != finalizer]
            return True

        await self._update(gr, obj, edit)

    async def _update(self, gr: GR, obj: Obj, edit: Any) -> None:
        """Read-modify-write of the latest object (same uid), retried on conflicts."""
        m = podstate.meta(obj)
        for attempt in range(_WRITE_RETRIES):
            try:
                latest = copy.deepcopy(await self.client.get(gr, m.get("namespace"), m["name"]))
                if podstate.meta(latest).get("uid") != m.get("uid") or not edit(latest):
                    return
                await self.client.update(gr, latest)
                return
            except errors.StatusError as e:
                if is_not_found(e):
                    return
                if not is_conflict(e) or attempt == _WRITE_RETRIES - 1:
                    raise
