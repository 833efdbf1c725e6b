"""The namespace controller: empties a Terminating namespace, then finalizes it.

reconcile(namespace): for a namespace with a deletionTimestamp, delete every object of every
namespaced kind in it (Background, as kube's namespace deleter does), report progress in the
namespace's deletion conditions, and once nothing is left remove `kubernetes` from
`spec.finalizers` through the `finalize` subresource, which lets the server remove it.
Objects that take time to go (graceful pods, finalizers) make it look again shortly; their
deletions wake it too.
"""

from __future__ import annotations

import copy
import logging
from collections import Counter
from datetime import datetime, timezone

from apiserver import errors
from apiserver.controllers import podstate
from apiserver.controllers.client import NAMESPACES, PODS, GR, Client, is_not_found
from apiserver.controllers.informer import InformerFactory
from apiserver.controllers.runtime import Controller, Handler, enqueue_handler
from apiserver.machinery.duration import format_time
from apiserver.resources.base import Obj

log = logging.getLogger(__name__)

FINALIZER = "kubernetes"
RECHECK = 1.0


def _condition(type_: str, status: str, reason: str, message: str, old: dict[str, Obj], now: str) -> Obj:
    before = old.get(type_) or {}
    transition = before.get("lastTransitionTime") if before.get("status") == status else now
    return {"type": type_, "status": status, "lastTransitionTime": transition, "reason": reason,
            "message": message}


def deletion_conditions(remaining: Counter[str], finalizers: Counter[str], failures: list[str],
                        old: list[Obj], now: str) -> list[Obj]:
    """The namespace's deletion conditions, worded as kube's namespace deleter words them."""
    prior = {c.get("type", ""): c for c in old}
    conds = [
        _condition("NamespaceDeletionDiscoveryFailure", "False", "ResourcesDiscovered",
                   "All resources successfully discovered", prior, now),
        _condition("NamespaceDeletionGroupVersionParsingFailure", "False", "ParsedGroupVersions",
                   "All legacy kube types successfully parsed", prior, now),
    ]
    if failures:
        conds.append(_condition("NamespaceDeletionContentFailure", "True", "ContentDeletionFailed",
                                "Failed to delete all resource types, " + ", ".join(sorted(failures)), prior, now))
    else:
        conds.append(_condition("NamespaceDeletionContentFailure", "False", "ContentDeleted",
                                "All content successfully deleted, may be waiting on finalization", prior, now))
    if remaining:
        text = ", ".join(sorted(f"{gr} has {n} resource instances" for gr, n in remaining.items()))
        conds.append(_condition("NamespaceContentRemaining", "True", "SomeResourcesRemain",
                                f"Some resources are remaining: {text}", prior, now))
    else:
        conds.append(_condition("NamespaceContentRemaining", "False", "ContentRemoved",
                                "All content successfully removed", prior, now))
    if finalizers:
        text = ", ".join(sorted(f"{f} in {n} resource instances" for f, n in finalizers.items()))
        conds.append(_condition("NamespaceFinalizersRemaining", "True", "SomeFinalizersRemain",
                                f"Some content in the namespace has finalizers remaining: {text}", prior, now))
    else:
        conds.append(_condition("NamespaceFinalizersRemaining", "False", "ContentHasNoFinalizers",
                                "All content-preserving finalizers have been removed", prior, now))
    return conds


class NamespaceController:
    def __init__(self, client: Client, factory: InformerFactory) -> None:
        self.client = client
        self.controller = Controller("namespace-controller", self.reconcile, workers=2)
        self.namespaces = factory.informer(NAMESPACES)
        self.namespaces.add_handler(enqueue_handler(self.controller.queue))
        # A pod finishing its graceful deletion is the usual last thing a namespace waits for.
        factory.informer(PODS).add_handler(Handler(on_delete=self._content_deleted))
        self.kinds = [GR(rt.group, rt.plural) for rt in client.resource_types()
                      if rt.namespaced and {"list", "delete"} <= set(rt.verbs)]

    async def run(self) -> None:
        await self.controller.run()

    def _content_deleted(self, obj: Obj) -> None:
        namespace = podstate.meta(obj).get("namespace")
        ns = self.namespaces.get(namespace) if namespace else None
        if ns is not None and podstate.meta(ns).get("deletionTimestamp"):
            self.controller.queue.add(str(namespace))

    async def reconcile(self, name: str) -> float | None:
        ns = self.namespaces.get(name)
        if ns is None or not podstate.meta(ns).get("deletionTimestamp"):
            return None
        if FINALIZER not in ((ns.get("spec") or {}).get("finalizers") or []):
            return None
        remaining, finalizers, failures = await self._delete_content(name)
        if remaining:
            await self._report(ns, remaining, finalizers, failures)
            return RECHECK
        finalized = copy.deepcopy(ns)
        finalized["spec"]["finalizers"] = [f for f in finalized["spec"]["finalizers"] if f != FINALIZER]
        try:
            await self.client.update(NAMESPACES, finalized, subresource="finalize")
        except errors.StatusError as e:
            if not is_not_found(e):
                raise
        return None

    async def _delete_content(self, namespace: str) -> tuple[Counter[str], Counter[str], list[str]]:
        remaining: Counter[str] = Counter()
        finalizers: Counter[str] = Counter()
        failures: list[str] = []
        for gr in self.kinds:
            try:
                _, items = await self.client.list(gr, namespace)
            except errors.StatusError as e:
                failures.append(f"{gr}: {e.message}")
                continue
            for obj in items:
                m = podstate.meta(obj)
                if not m.get("deletionTimestamp"):
                    try:
                        obj = await self.client.delete(gr, namespace, m["name"],
                                                       {"propagationPolicy": "Background"})
                    except errors.StatusError as e:
                        if not is_not_found(e):
                            failures.append(f"{gr}: {e.message}")
                        continue
                if podstate.meta(obj).get("deletionTimestamp"):  # still there: graceful or finalized
                    remaining[str(gr)] += 1
                    finalizers.update(podstate.meta(obj).get("finalizers") or [])
        return remaining, finalizers, failures

    async def _report(self, ns: Obj, remaining: Counter[str], finalizers: Counter[str], failures: list[str]) -> None:
        status = copy.deepcopy(ns.get("status") or {})
        now = format_time(datetime.now(timezone.utc))
        conditions = deletion_conditions(remaining, finalizers, failures, status.get("conditions") or [], now)
        if conditions == status.get("conditions"):
            return
        updated = copy.deepcopy(ns)
        status["conditions"] = conditions
        updated["status"] = status
        try:
            await self.client.update_status(NAMESPACES, updated)
        except errors.StatusError as e:
            if not (is_not_found(e) or e.code == 409):
                raise
