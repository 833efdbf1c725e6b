"""The replica manager: keeps `spec.replicas` pods for every ReplicationController, written
once for any owner kind with a pod template (a ReplicaSet is another `OwnerKind`).

reconcile(owner key): claim pods (adopt matching orphans, release owned pods that stopped
matching), then, when no earlier creations or deletions are still unseen (expectations),
create the missing pods in slow-start batches or delete the surplus in kube's order, and
write status through /status when it changed.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from datetime import datetime, timezone
from typing import Awaitable, Callable

from apiserver import errors
from apiserver.controllers import podstate
from apiserver.controllers.client import PODS, Client, is_not_found
from apiserver.controllers.events import EventRecorder, Source
from apiserver.controllers.expectations import Expectations
from apiserver.controllers.informer import (InformerFactory, by_controller_uid, by_namespace, object_key,
                                           orphans_by_namespace)
from apiserver.controllers.ownerkinds import (REPLICATION_CONTROLLER, OwnerKind, controller_reference,
                                              pod_from_template)
from apiserver.controllers.replicastatus import compute_status, status_changed
from apiserver.controllers.runtime import Controller, Handler, Pacer
from apiserver.resources.base import Obj

log = logging.getLogger(__name__)

BURST_REPLICAS = 500
# Pod changes trigger an owner's sync at most this often (more rarely for owners of many
# pods, see Pacer): a sync looks at every owned pod, so one sync per pod event would make a
# large rollout quadratic.
POD_BATCH_SECONDS = 0.05


def _without_status(obj: Obj) -> Obj:
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in ("resourceVersion", "managedFields")}
    return {"metadata": meta, **{k: v for k, v in obj.items() if k not in ("metadata", "status")}}


async def slow_start(count: int, fn: Callable[[], Awaitable[object]]) -> tuple[int, BaseException | None]:
    """Run `fn` count times in batches of 1, 2, 4, ...; stop after a batch with a failure.
    Returns (successes, first error)."""
    done, batch = 0, 1
    while done < count:
        n = min(batch, count - done)
        results = await asyncio.gather(*(fn() for _ in range(n)), return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        done += n - len(failures)
        if failures:
            return done, failures[0]
        batch *= 2
    return done, None


class ReplicaManager:
    def __init__(self, client: Client, factory: InformerFactory, recorder: EventRecorder,
                 kind: OwnerKind = REPLICATION_CONTROLLER, *, workers: int = 5, burst: int = BURST_REPLICAS) -> None:
        self.client = client
        self.kind = kind
        self.recorder = recorder
        self.source = Source(kind.component)
        self.burst = burst
        self.expectations = Expectations()
        self.pacer = Pacer(POD_BATCH_SECONDS)
        self.controller = Controller(kind.component, self.pacer.timed(self.reconcile), workers)
        self.owners = factory.informer(kind.gr)
        self.pods = factory.informer(PODS)
        self.owners.add_index("namespace", by_namespace)
        self.pods.add_index("controller-uid", by_controller_uid)
        self.pods.add_index("orphans", orphans_by_namespace)
        self.owners.add_handler(Handler(self._owner_added, self._owner_updated, self._owner_deleted))
        self.pods.add_handler(Handler(self._pod_added, self._pod_updated, self._pod_deleted))

    async def run(self) -> None:
        await self.controller.run()

    # -- event handlers: map pod changes to owner keys ----------------------------------------

    def _owner_added(self, owner: Obj) -> None:
        self.controller.queue.add(object_key(owner))

    def _owner_updated(self, old: Obj, new: Obj) -> None:
        # Our own status writes come back as updates; only other changes need a sync.
        if _without_status(old) != _without_status(new):
            self.controller.queue.add(object_key(new))

    def _owner_deleted(self, owner: Obj) -> None:
        key = object_key(owner)
        self.expectations.forget(key)
        self.pacer.forget(key)
        self.controller.queue.add(key)

    def _owner_key(self, pod: Obj) -> str | None:
        ref = podstate.controller_ref(pod)
        if ref is None or ref.get("kind") != self.kind.kind:
            return None
        api_version = str(ref.get("apiVersion") or "")
        group = api_version.rpartition("/")[0]
        if group != self.kind.gr.group:
            return None
        return f"{podstate.meta(pod).get('namespace')}/{ref.get('name')}"

    def _sync_soon(self, key: str) -> None:
        self.controller.queue.add_after(key, self.pacer.delay(key))

    def _enqueue_matching(self, pod: Obj) -> None:
        """An orphan: every owner in its namespace whose selector matches may adopt it."""
        labels = podstate.meta(pod).get("labels") or {}
        for owner in self.owners.by_index("namespace", podstate.meta(pod).get("namespace") or ""):
            if self.kind.selector(owner).matches(labels):
                self._sync_soon(object_key(owner))

    def _pod_added(self, pod: Obj) -> None:
        if podstate.meta(pod).get("deletionTimestamp"):
            self._pod_deleted(pod)  # seen for the first time already on its way out
            return
        key = self._owner_key(pod)
        if key is not None:
            self.expectations.observe_add(key)
            self._sync_soon(key)
        elif podstate.controller_ref(pod) is None:
            self._enqueue_matching(pod)

    def _pod_updated(self, old: Obj, new: Obj) -> None:
        if podstate.meta(new).get("deletionTimestamp"):
            self._pod_deleted(new)
        old_key, new_key = self._owner_key(old), self._owner_key(new)
        if old_key is not None and old_key != new_key:
            self._sync_soon(old_key)
        if new_key is not None:
            self._sync_soon(new_key)
        elif podstate.controller_ref(new) is None:
            self._enqueue_matching(new)

    def _pod_deleted(self, pod: Obj) -> None:
        key = self._owner_key(pod)
        if key is not None:
            self.expectations.observe_delete(key, str(podstate.meta(pod).get("uid", "")))
            self._sync_soon(key)

    # -- reconcile ---------------------------------------------------------------------------

    async def reconcile(self, key: str) -> float | None:
        owner = self.owners.get(key)
        if owner is None:
            self.expectations.forget(key)
            return None
        needs_sync = self.expectations.satisfied(key)
        # Candidates: the pods it controls and the orphans it may adopt; other controllers'
        # pods are never claimed, so they need not be looked at (this keeps a sync O(owned)).
        namespace = podstate.meta(owner).get("namespace") or ""
        candidates = (self.pods.by_index("controller-uid", str(podstate.meta(owner).get("uid")))
                      + self.pods.by_index("orphans", namespace))
        claimed = await self._claim(owner, candidates)
        active = [p for p in claimed if podstate.is_active(p)]
        failure: BaseException | None = None
        if needs_sync and not podstate.meta(owner).get("deletionTimestamp"):
            failure = await self._manage(owner, key, active)
        now = datetime.now(timezone.utc)
        status = compute_status(owner, active, failure, now)
        await self._write_status(owner, status)
        if failure is not None:
            raise failure
        spec = owner.get("spec") or {}
        min_ready = int(spec.get("minReadySeconds") or 0)
        replicas = int(spec.get("replicas", 1))
        if min_ready > 0 and status.get("readyReplicas", 0) == replicas != status.get("availableReplicas", 0):
            return float(min_ready)
        return None

    async def _claim(self, owner: Obj, pods: list[Obj]) -> list[Obj]:
        selector = self.kind.selector(owner)
        uid = podstate.meta(owner).get("uid")
        deleting = bool(podstate.meta(owner).get("deletionTimestamp"))
        claimed: list[Obj] = []
        can_adopt: bool | None = None
        for pod in pods:
            ref = podstate.controller_ref(pod)
            matches = selector.matches(podstate.meta(pod).get("labels") or {})
            if ref is not None:
                if ref.get("uid") != uid:
                    continue  # another controller's pod
                if matches:
                    claimed.append(pod)
                elif not deleting:
                    await self._set_owner(pod, owner, adopt=False)
                continue
            if deleting or not matches or podstate.meta(pod).get("deletionTimestamp"):
                continue
            if can_adopt is None:
                can_adopt = await self._can_adopt(owner)
            if can_adopt:
                adopted = await self._set_owner(pod, owner, adopt=True)
                if adopted is not None:
                    claimed.append(adopted)
        return claimed

    async def _can_adopt(self, owner: Obj) -> bool:
        """Adopt only for an owner that still exists with this uid (the cache may be stale)."""
        m = podstate.meta(owner)
        try:
            fresh = await self.client.get(self.kind.gr, m.get("namespace"), m["name"])
        except errors.StatusError as e:
            if is_not_found(e):
                return False
            raise
        fm = podstate.meta(fresh)
        return fm.get("uid") == m.get("uid") and not fm.get("deletionTimestamp")

    async def _set_owner(self, pod: Obj, owner: Obj, *, adopt: bool) -> Obj | None:
        """Adopt (add our controller reference) or release (remove it); None if the pod is gone.
        The cached resourceVersion is a precondition, so a stale decision fails with 409."""
        uid = podstate.meta(owner).get("uid")
        updated = copy.deepcopy(pod)
        refs = [r for r in updated["metadata"].get("ownerReferences") or [] if r.get("uid") != uid]
        if adopt:
            refs.append(controller_reference(owner, self.kind))
        if refs:
            updated["metadata"]["ownerReferences"] = refs
        else:
            updated["metadata"].pop("ownerReferences", None)
        try:
            result: Obj = await self.client.update(PODS, updated)
            return result
        except errors.StatusError as e:
            if is_not_found(e):
                return None
            raise

    async def _manage(self, owner: Obj, key: str, active: list[Obj]) -> BaseException | None:
        replicas = int((owner.get("spec") or {}).get("replicas", 1))
        diff = len(active) - replicas
        if diff < 0:
            count = min(-diff, self.burst)
            self.expectations.expect(key, adds=count)
            created, failure = await slow_start(count, lambda: self._create_pod(owner))
            self.expectations.lower_adds(key, count - created)
            return failure
        if diff > 0:
            victims = podstate.pods_to_delete(active, active, min(diff, self.burst))
            uids = {str(podstate.meta(p).get("uid")) for p in victims}
            self.expectations.expect(key, delete_uids=uids)
            results = await asyncio.gather(*(self._delete_pod(owner, key, p) for p in victims),
                                           return_exceptions=True)
            return next((r for r in results if isinstance(r, BaseException)), None)
        return None

    async def _create_pod(self, owner: Obj) -> None:
        namespace = podstate.meta(owner).get("namespace")
        try:
            pod = await self.client.create(PODS, namespace, pod_from_template(owner, self.kind))
        except errors.StatusError as e:
            if e.code == 403 and "being terminated" in e.message:
                raise  # the namespace is going away: no event, just stop creating
            self.recorder.warning(owner, "FailedCreate", f"Error creating: {e.message}", self.source)
            raise
        self.recorder.normal(owner, "SuccessfulCreate", f"Created pod: {podstate.meta(pod)['name']}",
                             self.source)

    async def _delete_pod(self, owner: Obj, key: str, pod: Obj) -> None:
        m = podstate.meta(pod)
        try:
            await self.client.delete(PODS, m.get("namespace"), m["name"])
        except errors.StatusError as e:
            self.expectations.observe_delete(key, str(m.get("uid")))
            if is_not_found(e):
                return
            self.recorder.warning(owner, "FailedDelete", f"Error deleting: {e.message}", self.source)
            raise
        self.recorder.normal(owner, "SuccessfulDelete", f"Deleted pod: {m['name']}", self.source)

    async def _write_status(self, owner: Obj, status: Obj) -> None:
        if not status_changed(owner, status):
            return
        updated = copy.deepcopy(owner)
        updated["status"] = status
        try:
            await self.client.update_status(self.kind.gr, updated)
        except errors.StatusError as e:
            if e.code != 409:
                raise
            m = podstate.meta(owner)  # the owner moved on: once more on the latest copy
            fresh = await self.client.get(self.kind.gr, m.get("namespace"), m["name"])
            if podstate.meta(fresh).get("uid") != m.get("uid"):
                return
            fresh["status"] = status  # observedGeneration stays the generation acted on
            await self.client.update_status(self.kind.gr, fresh)
